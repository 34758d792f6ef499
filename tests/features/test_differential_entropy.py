import numpy as np
import pytest
from scipy.signal import butter, sosfiltfilt

from biosig.features import DifferentialEntropy


def test_gaussian_band_signal_closed_form():
    # White noise of variance s2 keeps s2 * (band width / Nyquist) in a band.
    sfreq, s2 = 200.0, 4.0
    X = np.sqrt(s2) * np.random.default_rng(0).standard_normal((1, 1, 200_000))
    de = DifferentialEntropy(sfreq, {"b": (10.0, 30.0)}, order=8).fit_transform(X)[0, 0]
    expected = 0.5 * np.log(2 * np.pi * np.e * s2 * 20.0 / 100.0)
    assert de == pytest.approx(expected, abs=0.03)


def test_matches_per_window_filter():
    sfreq = 128.0
    X = np.random.default_rng(1).standard_normal((5, 2, 512))
    tf = DifferentialEntropy(sfreq).fit(X)
    F = tf.transform(X)
    ref = []
    for window in X:
        for channel in window:
            for lo, hi in ((1, 4), (4, 8), (8, 13), (13, 30), (30, 45)):
                sos = butter(4, (lo, hi), btype="bandpass", fs=sfreq, output="sos")
                ref.append(0.5 * np.log(2 * np.pi * np.e * np.var(sosfiltfilt(sos, channel))))
    np.testing.assert_allclose(F, np.reshape(ref, F.shape), rtol=1e-10)
    assert tf.get_feature_names_out()[0] == "ch0_delta_de"
