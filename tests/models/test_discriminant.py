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


def test_the_class_weights_weigh_each_class_covariance_as_de_chazal_did():
    # The within-class covariance is the classes' covariances weighted by the priors:
    # with equal priors the rare class counts as much as the common one.
    X, y = _imbalanced()
    X[y == "S"] *= 3.0  # the rare class spreads wider
    parts = {c: np.cov(X[y == c].astype(np.float64), rowvar=False, bias=True) for c in "NS"}
    balanced = LinearDiscriminantClassifier(shrinkage="none", class_weight="balanced").fit(X, y)
    np.testing.assert_allclose(balanced.discriminant_.covariance_,
                               0.5 * parts["N"] + 0.5 * parts["S"], rtol=1e-4)
    plain = LinearDiscriminantClassifier(shrinkage="none").fit(X, y)
    share_s = np.mean(y == "S")
    np.testing.assert_allclose(plain.discriminant_.covariance_,
                               (1 - share_s) * parts["N"] + share_s * parts["S"], rtol=1e-4)
    # the recipe's default: the same with each class's covariance shrunk (Ledoit-Wolf)
    shrunk = LinearDiscriminantClassifier(class_weight="balanced").fit(X, y)
    theirs = LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto",
                                        priors=[0.5, 0.5]).fit(X, y)
    np.testing.assert_allclose(shrunk.predict_proba(X), theirs.predict_proba(X), rtol=1e-6)


def test_a_sampler_resamples_before_the_priors_are_counted():
    X, y = _imbalanced()
    model = LinearDiscriminantClassifier(sampler=RandomUnderSampler(random_state=0)).fit(X, y)
    np.testing.assert_allclose(model.priors_, [0.5, 0.5])


@pytest.mark.parametrize("weight, message", [
    ("inverse", "expected 'balanced', a dict or None"),
    ({"Q": 2.0}, r"names classes \['Q'\]"),
    ({"N": 0.0, "S": 0.0}, "a finite positive weight"),
    ({"S": float("inf")}, "a finite positive weight"),
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


def test_the_svd_solver_refuses_a_shrinkage_and_runs_without_one():
    X, y = _imbalanced(n=200)
    with pytest.raises(ValueError, match="solver='svd' takes no shrinkage"):
        LinearDiscriminantClassifier(solver="svd").fit(X, y)
    model = LinearDiscriminantClassifier(solver="svd", shrinkage="none").fit(X, y)
    assert model.predict(X).shape == y.shape
