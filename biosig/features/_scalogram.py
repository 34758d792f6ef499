"""Continuous-wavelet scalograms: time-frequency images for 2-D CNNs."""

import numpy as np
import pywt

from ._base import WindowTransformer

__all__ = ["CWTScalogram"]


class CWTScalogram(WindowTransformer):
    """Magnitude of the continuous wavelet transform at chosen frequencies.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    freqs : array-like of float
        Centre frequencies in Hz, converted to scales with
        :func:`pywt.scale2frequency`.
    wavelet : str
        A continuous wavelet of PyWavelets; Morlet (``"morl"``) by default.
    dtype : str
        Output dtype.

    Attributes
    ----------
    scales_ : ndarray
        The wavelet scales of ``freqs``.
    n_channels_, n_times_ : int
        Shape of the windows seen in ``fit``.

    Notes
    -----
    ``transform`` returns images of shape (n_windows, n_channels, n_freqs,
    n_samples), not a feature matrix: feed them to a 2-D network.
    """

    def __init__(self, sfreq, freqs=tuple(range(2, 41, 2)), *, wavelet="morl", dtype="float32"):
        self.sfreq = sfreq
        self.freqs = freqs
        self.wavelet = wavelet
        self.dtype = dtype

    def _check_params(self):
        freqs = np.asarray(self.freqs, dtype=float)
        if np.any(freqs <= 0) or np.any(freqs >= self.sfreq / 2):
            raise ValueError(f"CWTScalogram: freqs must lie in (0, {self.sfreq / 2:g}) Hz")
        self.scales_ = pywt.scale2frequency(self.wavelet, 1.0) * self.sfreq / freqs

    def _compute(self, X):
        coef, _ = pywt.cwt(X, self.scales_, self.wavelet, sampling_period=1 / self.sfreq, axis=-1)
        return np.abs(coef).transpose(1, 2, 0, 3).astype(self.dtype, copy=False)

    def get_feature_names_out(self, input_features=None):
        """Not available: the output is images, not a feature matrix."""
        raise AttributeError("CWTScalogram returns images (n, channels, freqs, samples), "
                             "which have no feature names")
