import numpy as np
import pytest

from biosig.features import Hjorth


def test_matches_per_window_definition():
    X = np.random.default_rng(0).standard_normal((4, 2, 300))
    F = Hjorth().fit_transform(X).reshape(4, 2, 3)
    for w in range(4):
        for c in range(2):
            x = X[w, c]
            d1, d2 = np.diff(x), np.diff(x, 2)
            mob = np.sqrt(d1.var() / x.var())
            np.testing.assert_allclose(F[w, c], [x.var(), mob, np.sqrt(d2.var() / d1.var()) / mob])


def test_sine_mobility_is_its_angular_frequency():
    sfreq, f = 256.0, 8.0
    x = np.sin(2 * np.pi * f * np.arange(2560) / sfreq)
    activity, mobility, complexity = Hjorth().fit_transform(x[None, None])[0]
    assert activity == pytest.approx(0.5, rel=1e-3)
    assert mobility == pytest.approx(2 * np.sin(np.pi * f / sfreq), rel=1e-3)  # per sample
    assert complexity == pytest.approx(1.0, abs=1e-3)
