import numpy as np
import pytest
import pywt
from scipy import stats

from biosig.features import WaveletFeatures


def _reference(window, wavelet, level):
    """Per-window, per-channel loop of pywt calls."""
    out = []
    for channel in window:
        coeffs = pywt.wavedec(channel, wavelet, level=level)
        total = sum(np.sum(c ** 2) for c in coeffs)
        for c in coeffs:
            energy = np.sum(c ** 2)
            p = c ** 2 / energy
            out += [np.mean(np.abs(c)), np.std(c), energy, energy / total,
                    -np.sum(p * np.log(p)), stats.skew(c), stats.kurtosis(c)]
    return np.array(out)


@pytest.mark.parametrize("wavelet,level", [("db4", 4), ("sym5", 3), ("haar", 5)])
def test_matches_per_window_pywt(wavelet, level):
    X = np.random.default_rng(1).standard_normal((20, 3, 256))
    feats = WaveletFeatures(wavelet, level).fit_transform(X)
    ref = np.stack([_reference(w, wavelet, level) for w in X])
    np.testing.assert_allclose(feats, ref, rtol=1e-10)


def test_float32_stays_float32_and_names():
    X = np.random.default_rng(2).standard_normal((8, 2, 128)).astype(np.float32)
    tf = WaveletFeatures("db4", 3, stats=("energy", "std"), ch_names=["MLII", "V1"]).fit(X)
    F = tf.transform(X)
    assert F.dtype == np.float32 and F.shape == (8, 2 * 4 * 2)
    names = tf.get_feature_names_out()
    assert len(names) == F.shape[1] and names[0] == "MLII_cA3_energy" and names[-1] == "V1_cD1_std"
    ref = np.stack([_reference(w.astype(np.float64), "db4", 3) for w in X]).reshape(8, 2, 4, 7)
    np.testing.assert_allclose(F.reshape(8, 2, 4, 2)[..., 0], ref[..., 2], rtol=1e-5)


def test_errors():
    X = np.zeros((4, 2, 64))
    with pytest.raises(ValueError, match="unknown stats"):
        WaveletFeatures(stats=("mean",)).fit(X)
    with pytest.raises(ValueError, match=r"expects windows of shape"):
        WaveletFeatures().fit(X[0])
    tf = WaveletFeatures(level=2).fit(X)
    with pytest.raises(ValueError, match="was fitted on windows"):
        tf.transform(np.zeros((4, 3, 64)))
