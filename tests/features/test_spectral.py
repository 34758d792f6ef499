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


def test_spectral_shape_matches_per_window_welch():
    from biosig.features import SpectralShape

    sfreq = 128.0
    X = np.random.default_rng(3).standard_normal((6, 2, 512))
    F = SpectralShape(sfreq, fmin=1.0, fmax=40.0, edge=0.9, nperseg=128).fit_transform(X)
    ref = []
    for window in X:
        for channel in window:
            f, p = welch(channel, fs=sfreq, nperseg=128)
            keep = (f >= 1) & (f <= 40)
            f, p = f[keep], p[keep]
            q = p / p.sum()
            ref += [-(q * np.log(q)).sum() / np.log(len(q)),
                    f[np.searchsorted(np.cumsum(q), 0.9)], f[np.argmax(p)]]
    np.testing.assert_allclose(F, np.reshape(ref, F.shape), rtol=1e-10)


def test_spectral_shape_of_sine_and_noise():
    from biosig.features import SpectralShape

    sfreq = 256.0
    t = np.arange(1024) / sfreq
    X = np.stack([np.sin(2 * np.pi * 12 * t), np.random.default_rng(0).standard_normal(1024)])[:, None]
    tf = SpectralShape(sfreq).fit(X)
    (sine_entropy, sine_edge, sine_peak), (noise_entropy, _, _) = tf.transform(X)
    assert sine_peak == 12.0 and sine_edge == pytest.approx(13.0, abs=1.0)
    assert sine_entropy < 0.3 < 0.9 < noise_entropy
    assert list(tf.get_feature_names_out()) == ["ch0_spectral_entropy", "ch0_sef95", "ch0_peak_freq"]
