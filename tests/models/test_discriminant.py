"""Linear discriminants with class-weighted priors: de Chazal's ECG baseline."""

import numpy as np
import pytest
from imblearn.under_sampling import RandomUnderSampler
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.metrics import recall_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from biosig.models import LinearDiscriminantClassifier


def _imbalanced(n=2000, seed=0):
    """A rare class S (5 %) shifted along two of six features, overlapping N."""
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.05, "S", "N")
    X = rng.standard_normal((n, 6)).astype(np.float32)
    X[y == "S", :2] += 1.2
    return X, y


@parametrize_with_checks([LinearDiscriminantClassifier()])
def test_scikit_learn_contract(estimator, check):
    check(estimator)


def test_priors_follow_the_class_weights():
    X, y = _imbalanced()
    share_s = np.mean(y == "S")
    plain = LinearDiscriminantClassifier().fit(X, y)
    np.testing.assert_allclose(plain.priors_, [1 - share_s, share_s])
    balanced = LinearDiscriminantClassifier(class_weight="balanced").fit(X, y)
    np.testing.assert_allclose(balanced.priors_, [0.5, 0.5])
    weighted = LinearDiscriminantClassifier(class_weight={"S": 3.0}).fit(X, y)
    mass = np.array([1 - share_s, 3 * share_s])
    np.testing.assert_allclose(weighted.priors_, mass / mass.sum())


def test_equal_priors_find_the_rare_class_that_frequency_priors_miss():
    X, y = _imbalanced(seed=1)
    X_test, y_test = _imbalanced(seed=2)
    recall = {w: recall_score(y_test, LinearDiscriminantClassifier(class_weight=w)
                              .fit(X, y).predict(X_test), pos_label="S")
              for w in (None, "balanced")}
    assert recall[None] < 0.3 < 0.7 < recall["balanced"]


def test_is_scikit_learns_discriminant_with_those_priors():
    X, y = _imbalanced()
    ours = LinearDiscriminantClassifier(class_weight="balanced").fit(X, y)
    theirs = LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto",
                                        priors=[0.5, 0.5]).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-6)
    assert ours.discriminant_.shrinkage == "auto"


def test_a_sampler_resamples_before_the_priors_are_counted():
    X, y = _imbalanced()
    model = LinearDiscriminantClassifier(sampler=RandomUnderSampler(random_state=0)).fit(X, y)
    np.testing.assert_allclose(model.priors_, [0.5, 0.5])


@pytest.mark.parametrize("weight, message", [
    ("inverse", "expected 'balanced', a dict or None"),
    ({"Q": 2.0}, r"names classes \['Q'\]"),
])
def test_bad_class_weights_are_refused(weight, message):
    X, y = _imbalanced(n=200)
    with pytest.raises(ValueError, match=message):
        LinearDiscriminantClassifier(class_weight=weight).fit(X, y)


def test_new_features_at_predict_time_are_refused():
    X, y = _imbalanced(n=200)
    model = LinearDiscriminantClassifier().fit(X, y)
    with pytest.raises(ValueError, match="6 features"):
        model.predict(X[:, :5])
