import numpy as np
import pytest
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from keras import ops
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GroupKFold, cross_validate

from biosig.models import CNN1DClassifier
from biosig.training import BalancedBatches, SparseFocalLoss, predict_with_threshold, tune_threshold


def _loss(loss, y, p):
    return float(ops.convert_to_numpy(loss(np.asarray(y), np.asarray(p, dtype="float32"))))


def test_focal_loss_closed_form_and_cross_entropy_limit():
    y = np.array([0, 1, 2, 1])
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.25, 0.25, 0.5], [0.05, 0.9, 0.05]])
    pt = p[np.arange(4), y]
    expected = np.mean(-(1 - pt) ** 2 * np.log(pt))
    assert _loss(SparseFocalLoss(gamma=2.0), y, p) == pytest.approx(expected, rel=1e-5)
    assert _loss(SparseFocalLoss(gamma=0.0), y, p) == pytest.approx(np.mean(-np.log(pt)), rel=1e-5)
    alpha = [0.25, 1.0, 4.0]
    weighted = np.mean(np.take(alpha, y) * -(1 - pt) ** 2 * np.log(pt))
    assert _loss(SparseFocalLoss(2.0, alpha), y, p) == pytest.approx(weighted, rel=1e-5)
    # an easy example (p_t = 0.9) counts (1 - 0.9)^2 = 1 % of its cross-entropy
    assert _loss(SparseFocalLoss(), [1], [[0.05, 0.9, 0.05]]) == pytest.approx(-0.01 * np.log(0.9),
                                                                              rel=1e-4)


def test_balanced_batches_balance_and_redraw_every_epoch():
    y = np.array([0] * 90 + [1] * 10)
    X = np.arange(100, dtype="float32")[:, None]
    stream = BalancedBatches(X, y, batch_size=20, random_state=0)
    assert len(stream) == 9  # 180 indices after oversampling to 90 + 90
    first = np.concatenate([stream[i][1] for i in range(len(stream))])
    assert np.bincount(first).tolist() == [90, 90]
    batch_x, batch_y = stream[0]
    np.testing.assert_array_equal(batch_x[:, 0].astype(int) >= 90, batch_y == 1)
    order = stream.index_.copy()
    stream.on_epoch_end()
    assert not np.array_equal(order, stream.index_)
    under = BalancedBatches(X, y, 8, sampler=RandomUnderSampler(), random_state=0)
    assert np.bincount(under.y[under.index_]).tolist() == [10, 10]


class _Spy(ClassifierMixin, BaseEstimator):
    """Records which rows of the original data it was trained on."""

    seen = []

    def fit(self, X, y):
        _Spy.seen.append(X[:, 0].copy())
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_smote_inside_cross_validate_never_sees_test_rows():
    rng = np.random.default_rng(0)
    n = 200
    X = np.c_[np.arange(n, dtype=float), rng.standard_normal((n, 3))]
    y = (rng.random(n) < 0.15).astype(int)
    groups = np.arange(n) // 20
    _Spy.seen.clear()
    pipe = Pipeline([("smote", SMOTE(k_neighbors=2, random_state=0)), ("clf", _Spy())])
    folds = list(GroupKFold(5).split(X, y, groups))
    cross_validate(pipe, X, y, groups=groups, cv=folds)
    assert len(_Spy.seen) == 5
    for (train, test), rows in zip(folds, _Spy.seen):
        real = rows[np.isin(rows, np.arange(n))]
        synthetic = rows[~np.isin(rows, np.arange(n))]
        assert not set(real.astype(int)) & set(test)
        # a synthetic row lies between two training rows, never near a test row's id
        lo, hi = train.min(), train.max()
        assert ((synthetic >= lo) & (synthetic <= hi)).all()
        assert np.bincount(y[train]).tolist() != [len(rows) // 2] * 2  # it did resample
        assert len(rows) == 2 * np.bincount(y[train]).max()


def test_threshold_tuned_for_the_minority_class():
    rng = np.random.default_rng(0)
    y = np.array(["N"] * 900 + ["S"] * 100)
    s_score = np.where(y == "S", rng.uniform(0.2, 0.6, 1000), rng.uniform(0.0, 0.35, 1000))
    proba = np.c_[1 - s_score, s_score]
    threshold, f1 = tune_threshold(y, proba, ["N", "S"], "S")
    assert 0.2 < threshold < 0.4
    argmax_f1 = tune_threshold(y, proba, ["N", "S"], "S", grid=[0.5])[1]
    assert f1 > argmax_f1 + 0.2
    pred = predict_with_threshold(proba, np.array(["N", "S"]), "S", threshold)
    assert set(pred) == {"N", "S"}
    with pytest.raises(ValueError, match="target 'Q' is not among"):
        tune_threshold(y, proba, ["N", "S"], "Q")


@pytest.mark.parametrize("params", [dict(loss="focal"), dict(sampler=RandomUnderSampler())])
def test_classifier_trains_with_focal_loss_or_balanced_batches(params):
    rng = np.random.default_rng(0)
    y = np.array([0] * 180 + [1] * 20)
    X = rng.standard_normal((200, 1, 64)).astype("float32")
    X[y == 1, 0, 20:30] += 3
    clf = CNN1DClassifier(filters=(8,), epochs=15, batch_size=16, random_state=0, verbose=0,
                          **params)
    clf.fit(X, y, groups=np.arange(200) % 10)
    recall = (clf.predict(X[y == 1]) == 1).mean()
    assert recall > 0.8
