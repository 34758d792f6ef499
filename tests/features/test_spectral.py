import numpy as np
import pytest
from scipy.integrate import trapezoid
from scipy.signal import welch

from biosig.features import EEG_BANDS, BandPower


def test_matches_per_window_welch():
    sfreq = 160.0
    X = np.random.default_rng(0).standard_normal((10, 2, 320))
    F = BandPower(sfreq, nperseg=128).fit_transform(X)
    ref = []
    for window in X:
        row_abs, row_rel = [], []
        for channel in window:
            f, p = welch(channel, fs=sfreq, nperseg=128)
            powers = [trapezoid(p[(f >= lo) & (f <= hi)], f[(f >= lo) & (f <= hi)])
                      for lo, hi in EEG_BANDS.values()]
            total = trapezoid(p[(f >= 1) & (f <= 45)], f[(f >= 1) & (f <= 45)])
            ref.append(powers + [q / total for q in powers])
    np.testing.assert_allclose(F, np.array(ref).reshape(10, -1), rtol=1e-10)


def test_sine_power_lands_in_its_band():
    sfreq = 256.0
    t = np.arange(512) / sfreq
    X = np.sin(2 * np.pi * 10 * t)[None, None, :]  # alpha
    tf = BandPower(sfreq).fit(X)
    rel = dict(zip(tf.get_feature_names_out(), tf.transform(X)[0]))
    assert rel["ch0_alpha_rel"] > 0.95
    # the power of a unit sine is 1/2
    assert sum(v for k, v in rel.items() if k.endswith("_abs")) == pytest.approx(0.5, rel=0.05)


def test_band_checks():
    X = np.zeros((2, 1, 256))
    with pytest.raises(ValueError, match=r"band 'gamma' = \(30.0, 45.0\) Hz must lie in \[0, 40\]"):
        BandPower(80.0).fit(X)
    with pytest.raises(ValueError, match="fewer than two PSD bins"):
        BandPower(100.0, {"narrow": (10.0, 10.1)}).fit(X).transform(X)
