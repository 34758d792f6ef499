import numpy as np
import pytest
from scipy.stats import kurtosis, skew

from biosig.datasets import MITBIHArrhythmia
from biosig.features import BeatMorphology
from biosig.windows import BeatSampler

SFREQ = 360.0


def _pulses(sigmas, amplitudes, n=252, centre=90):
    t = np.arange(n)
    rng = np.random.default_rng(0)
    X = np.array([a * np.exp(-0.5 * ((t - centre) / s) ** 2) for s, a in zip(sigmas, amplitudes)])
    return X[:, None, :] + 1e-4 * rng.standard_normal((len(X), 1, n))


def test_qrs_width_is_the_full_width_at_half_maximum():
    sigmas = np.array([3.0, 5.0, 8.0, 12.0])
    X = _pulses(sigmas, [1.0, -0.8, 2.0, 0.5])
    f = BeatMorphology(SFREQ, peak_time=90 / SFREQ).fit_transform(X)
    names = list(BeatMorphology(SFREQ, 90 / SFREQ).fit(X).get_feature_names_out())
    width = f[:, names.index("ch0_qrs_width")] * SFREQ
    fwhm = 2 * np.sqrt(2 * np.log(2)) * sigmas
    np.testing.assert_allclose(width, fwhm, atol=1.0)  # within one sample
    np.testing.assert_allclose(f[:, names.index("ch0_r_amplitude")], [1.0, -0.8, 2.0, 0.5],
                               atol=1e-2)


def test_amplitude_statistics_match_numpy_and_scipy_per_window():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 2, 252)).astype(np.float32)
    est = BeatMorphology(SFREQ, ch_names=["MLII", "V1"]).fit(X)
    f = est.transform(X).reshape(20, 2, 9)
    for i in range(20):
        for c in range(2):
            x = X[i, c].astype(np.float64)
            expected = [x.max(), x.min(), np.ptp(x), x.mean(), x.std(), skew(x), kurtosis(x)]
            np.testing.assert_allclose(f[i, c, 2:], expected, rtol=1e-5, atol=1e-6)
    assert est.get_feature_names_out()[:2].tolist() == ["MLII_r_amplitude", "MLII_qrs_width"]
    assert len(est.get_feature_names_out()) == 18


def test_peak_outside_window_is_refused():
    with pytest.raises(ValueError, match="peak_time=2 s is outside windows"):
        BeatMorphology(SFREQ, peak_time=2).fit(np.zeros((2, 1, 252)))


def test_ventricular_beats_are_wider_on_real_records(data_dir, mitdb_dir):
    if not (mitdb_dir / "208.atr").exists():
        pytest.skip("record 208 is absent")
    rec = MITBIHArrhythmia(data_dir, progress=False).load(["208"], channels=["MLII"])
    w = BeatSampler(progress=False).sample(rec)
    f = BeatMorphology(w.sfreq, peak_time=0.25).fit_transform(w.X)
    width = f[:, 1]
    # premature ventricular beats have a wide QRS (> 120 ms), normal beats a narrow one
    assert np.median(width[w.y == "V"]) > 1.5 * np.median(width[w.y == "N"])
