import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict

from biosig.training import (
    ClassThresholdClassifier,
    predict_with_threshold,
    tune_threshold,
)


def _beats(seed=0):
    """N, S and V 'beats' from 12 'records'; S overlaps N, as premature beats do."""
    rng = np.random.default_rng(seed)
    y = np.array(["N"] * 600 + ["S"] * 60 + ["V"] * 60)
    centre = {"N": (0.0, 0.0), "S": (1.0, 0.0), "V": (0.0, 4.0)}
    X = np.array([centre[c] for c in y]) + rng.standard_normal((len(y), 2))
    groups = np.r_[np.arange(600) % 12, np.arange(60) % 12, np.arange(60) % 12]
    return X.astype(np.float32), y, groups


def test_pooled_out_of_fold_threshold_is_tuned_on_every_group_once():
    X, y, groups = _beats()
    clf = ClassThresholdClassifier(LogisticRegression(), "S", cv=3, random_state=0)
    clf.fit(X, y, groups=groups)
    oof = cross_val_predict(LogisticRegression(), X, y, groups=groups, method="predict_proba",
                            cv=GroupKFold(3, shuffle=True, random_state=0))
    assert (clf.threshold_, clf.validation_score_) == pytest.approx(
        tune_threshold(y, oof, ["N", "S", "V"], "S"))
    # the class-weight-free model rarely calls S at argmax; the tuned threshold does better
    assert clf.threshold_ < 0.5
    at_argmax = tune_threshold(y, oof, ["N", "S", "V"], "S", grid=[0.5])[1]
    assert clf.validation_score_ > at_argmax
    expected = predict_with_threshold(clf.estimator_.predict_proba(X), clf.classes_, "S",
                                      clf.threshold_)
    np.testing.assert_array_equal(clf.predict(X), expected)


def test_class_missing_from_a_fold_gets_zero_probability():
    X, y, groups = _beats()
    rare = np.flatnonzero(y == "V")
    groups[rare] = 0  # every V beat in one record: the fold holding it out trains on N, S only
    clf = ClassThresholdClassifier(LogisticRegression(), "S", cv=3, random_state=0)
    clf.fit(X, y, groups=groups)
    assert clf.classes_.tolist() == ["N", "S", "V"]
    assert 0.0 < clf.threshold_ < 1.0


def test_one_held_out_split_by_default_and_no_target_refused():
    X, y, groups = _beats()
    clf = ClassThresholdClassifier(LogisticRegression(), "S", validation_fraction=0.25,
                                   random_state=0).fit(X, y, groups=groups)
    assert 0.0 < clf.threshold_ < 1.0
    with pytest.raises(ValueError, match="no training window is labelled 'Q'"):
        ClassThresholdClassifier(LogisticRegression(), "Q").fit(X, y)
