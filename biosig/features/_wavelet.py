"""Discrete wavelet transform statistics per sub-band."""

import numpy as np
import pywt
from scipy import stats

from ._base import WindowTransformer

__all__ = ["WaveletFeatures"]

_STATS = ("mav", "std", "energy", "rel_energy", "entropy", "skew", "kurtosis")


def _band_stats(coef, names, total_energy):
    """Statistics of one band's coefficients, shape (..., n_coef) -> (..., n_stats)."""
    energy = np.sum(coef * coef, axis=-1)
    out = []
    for name in names:
        if name == "mav":
            out.append(np.mean(np.abs(coef), axis=-1))
        elif name == "std":
            out.append(np.std(coef, axis=-1))
        elif name == "energy":
            out.append(energy)
        elif name == "rel_energy":
            out.append(energy / np.where(total_energy > 0, total_energy, 1))
        elif name == "entropy":  # of the normalised energy distribution; 0 for a flat band
            with np.errstate(invalid="ignore", divide="ignore"):
                ent = stats.entropy(coef * coef, axis=-1)
            out.append(np.where(energy > 0, ent, 0).astype(coef.dtype))
        elif name == "skew":
            out.append(stats.skew(coef, axis=-1))
        elif name == "kurtosis":
            out.append(stats.kurtosis(coef, axis=-1))
    return np.stack(out, axis=-1)


class WaveletFeatures(WindowTransformer):
    """Statistics of each sub-band of a multilevel DWT, per channel.

    One :func:`pywt.wavedec` call transforms all windows and channels at once.

    Parameters
    ----------
    wavelet : str
        Any discrete wavelet known to PyWavelets, e.g. ``"db4"``.
    level : int
        Decomposition level; gives ``level + 1`` bands (cA<level>, cD<level>
        ... cD1).
    stats : tuple of str
        Statistics per band, from ``"mav"`` (mean absolute value), ``"std"``,
        ``"energy"`` (sum of squares), ``"rel_energy"`` (band energy over the
        window's total), ``"entropy"`` (Shannon entropy of the band's
        normalised energy distribution, in nats), ``"skew"`` and
        ``"kurtosis"`` (Fisher).
    mode : str
        Signal extension mode of PyWavelets.
    ch_names : list of str | None
        Channel names used in feature names.

    Attributes
    ----------
    n_channels_, n_times_ : int
        Shape of the windows seen in ``fit``.

    Notes
    -----
    ``transform`` gives (n_windows, n_channels * (level + 1) * n_stats)
    features, ordered channel, then band, then statistic; names are
    ``<channel>_<band>_<stat>``.
    """

    def __init__(self, wavelet="db4", level=4, stats=_STATS, mode="symmetric", ch_names=None):
        self.wavelet = wavelet
        self.level = level
        self.stats = stats
        self.mode = mode
        self.ch_names = ch_names

    def _check_params(self):
        unknown = set(self.stats) - set(_STATS)
        if unknown:
            raise ValueError(f"WaveletFeatures: unknown stats {sorted(unknown)}; choose from {_STATS}")
        pywt.Wavelet(self.wavelet)  # raises for an unknown wavelet

    def _compute(self, X):
        coeffs = pywt.wavedec(X, self.wavelet, mode=self.mode, level=self.level, axis=-1)
        total = sum(np.sum(c * c, axis=-1) for c in coeffs)
        feats = np.stack([_band_stats(c, self.stats, total) for c in coeffs], axis=2)
        return feats.reshape(len(X), -1)

    def _feature_suffixes(self):
        bands = [f"cA{self.level}"] + [f"cD{k}" for k in range(self.level, 0, -1)]
        return [f"{b}_{s}" for b in bands for s in self.stats]
