"""The Riemannian tangent-space classifier: pyRiemann's pipeline behind a window classifier."""

import numpy as np
import pytest

from biosig.models import TangentSpaceClassifier
from biosig.windows import WindowView


def _windows(n=80, n_channels=6, n_samples=160, seed=0):
    """Two classes that differ in the power of one channel pair's shared source."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_channels, n_samples))
    y = np.repeat(["left", "right"], n // 2)
    source = rng.standard_normal((n, n_samples))
    X[y == "right", 0] += 1.5 * source[y == "right"]
    X[y == "right", 1] += 1.5 * source[y == "right"]
    return X.astype(np.float32), y


def test_fits_and_predicts_windows_well_above_chance():
    X, y = _windows()
    test = np.arange(len(y)) % 4 == 0
    model = TangentSpaceClassifier().fit(WindowView(X)[~test], y[~test])
    assert model.n_features_in_ == 6 * 7 // 2
    assert model.predict_proba(X[test]).shape == (test.sum(), 2)
    assert model.score(WindowView(X)[test], y[test]) >= 0.9
    pipeline = model.pipeline_
    assert [type(s).__name__ for s in pipeline] == ["Covariances", "TangentSpace",
                                                    "LogisticRegression"]
    assert pipeline[0].estimator == "oas" and pipeline[1].metric == "riemann"


def test_parameters_reach_pyriemann_and_the_regression():
    X, y = _windows(n=40)
    model = TangentSpaceClassifier(estimator="lwf", metric="logeuclid", C=0.1,
                                   class_weight="balanced").fit(X, y)
    cov, ts, lr = model.pipeline_
    assert (cov.estimator, ts.metric, lr.C, lr.class_weight) == ("lwf", "logeuclid", 0.1,
                                                                 "balanced")
    with pytest.raises(ValueError, match="channels"):
        model.predict(X[:, :5])
    with pytest.raises(ValueError, match="windows of shape"):
        TangentSpaceClassifier().fit(X[:, 0], y)
