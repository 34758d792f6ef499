"""Differential entropy per frequency band, the standard DEAP/SEED feature."""

import numpy as np
from scipy.signal import butter, sosfiltfilt

from ._base import WindowTransformer
from ._spectral import check_bands

__all__ = ["DifferentialEntropy"]


class DifferentialEntropy(WindowTransformer):
    """Differential entropy of each band-passed channel, under a Gaussian model.

    Each band is isolated with a zero-phase Butterworth band-pass
    (:func:`scipy.signal.sosfiltfilt`, all windows and channels in one call);
    the differential entropy of a Gaussian with the band signal's variance is
    ``0.5 * log(2 * pi * e * var)`` (Duan et al. 2013).

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    bands : dict | None
        Band name -> (low, high) in Hz; :data:`EEG_BANDS` when None.
    order : int
        Butterworth order of each band-pass.
    ch_names : list of str | None
        Channel names used in feature names (``<channel>_<band>_de``, in nats).

    Attributes
    ----------
    n_channels_, n_times_ : int
        Shape of the windows seen in ``fit``.
    """

    def __init__(self, sfreq, bands=None, *, order=4, ch_names=None):
        self.sfreq = sfreq
        self.bands = bands
        self.order = order
        self.ch_names = ch_names

    def _check_params(self):
        check_bands(self, self.bands)

    def _sos(self, lo, hi):
        if lo <= 0:
            return butter(self.order, hi, btype="lowpass", fs=self.sfreq, output="sos")
        if hi >= self.sfreq / 2:
            return butter(self.order, lo, btype="highpass", fs=self.sfreq, output="sos")
        return butter(self.order, (lo, hi), btype="bandpass", fs=self.sfreq, output="sos")

    def _compute(self, X):
        bands = check_bands(self, self.bands)
        var = np.stack([sosfiltfilt(self._sos(lo, hi), X, axis=-1).var(axis=-1)
                        for lo, hi in bands.values()], axis=-1)
        return (0.5 * np.log(2 * np.pi * np.e * var)).astype(X.dtype).reshape(len(X), -1)

    def _feature_suffixes(self):
        return [f"{band}_de" for band in check_bands(self, self.bands)]
