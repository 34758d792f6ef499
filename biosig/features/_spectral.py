"""Band power from the Welch power spectral density."""

import numpy as np
from scipy.integrate import trapezoid
from scipy.signal import welch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._validation import channel_names, check_windows

__all__ = ["EEG_BANDS", "BandPower"]

#: Classical EEG bands in Hz: delta, theta, alpha, beta, gamma.
EEG_BANDS = {"delta": (1.0, 4.0), "theta": (4.0, 8.0), "alpha": (8.0, 13.0),
             "beta": (13.0, 30.0), "gamma": (30.0, 45.0)}


class BandPower(TransformerMixin, BaseEstimator):
    """Absolute and relative band power of each channel, from Welch's PSD.

    One :func:`scipy.signal.welch` call covers all windows and channels; the
    power of a band is the trapezoidal integral of the PSD over the frequency
    bins inside it (edges included).

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    bands : dict | None
        Band name -> (low, high) in Hz; :data:`EEG_BANDS` when None.
    relative : bool
        Also return each band's power over the power between the lowest and
        highest band edge.
    nperseg : int | None
        Welch segment length; ``min(256, n_samples)`` when None.
    log : bool
        Return ``log10`` of the absolute powers.
    ch_names : list of str | None
        Channel names used in feature names.

    Attributes
    ----------
    n_channels_, n_times_ : int
        Shape of the windows seen in ``fit``.
    """

    def __init__(self, sfreq, bands=None, *, relative=True, nperseg=None, log=False, ch_names=None):
        self.sfreq = sfreq
        self.bands = bands
        self.relative = relative
        self.nperseg = nperseg
        self.log = log
        self.ch_names = ch_names

    def _bands(self):
        bands = EEG_BANDS if self.bands is None else dict(self.bands)
        for name, (lo, hi) in bands.items():
            if not 0 <= lo < hi <= self.sfreq / 2:
                raise ValueError(f"BandPower: band {name!r} = ({lo}, {hi}) Hz must lie in "
                                 f"[0, {self.sfreq / 2:g}] Hz (Nyquist) with low < high")
        return bands

    def fit(self, X, y=None):
        """Check the bands against the sampling rate and record the window shape.

        Returns
        -------
        self : BandPower
        """
        self._bands()
        check_windows(X, self, reset=True)
        return self

    def transform(self, X):
        """Compute band powers.

        Returns
        -------
        features : ndarray, shape (n_windows, n_channels * n_bands * (1 + relative))
            Ordered channel, then absolute powers of every band, then relative.
        """
        check_is_fitted(self, "n_channels_")
        X = check_windows(X, self, reset=False)
        bands = self._bands()
        nperseg = self.nperseg or min(256, X.shape[-1])
        freqs, psd = welch(X, fs=self.sfreq, nperseg=nperseg, axis=-1)
        power = np.stack([self._integrate(freqs, psd, lo, hi) for lo, hi in bands.values()],
                         axis=-1)
        out = [np.log10(power) if self.log else power]
        if self.relative:
            lo = min(b[0] for b in bands.values())
            hi = max(b[1] for b in bands.values())
            total = self._integrate(freqs, psd, lo, hi)[..., None]
            out.append(power / np.where(total > 0, total, 1))
        return np.concatenate(out, axis=-1).reshape(len(X), -1)

    @staticmethod
    def _integrate(freqs, psd, lo, hi):
        inside = (freqs >= lo) & (freqs <= hi)
        if inside.sum() < 2:
            raise ValueError(f"BandPower: band ({lo}, {hi}) Hz holds fewer than two PSD "
                             f"bins at {freqs[1] - freqs[0]:.3g} Hz resolution; widen the band "
                             "or raise nperseg")
        return trapezoid(psd[..., inside], freqs[inside], axis=-1)

    def get_feature_names_out(self, input_features=None):
        """Feature names ``<channel>_<band>_abs`` and ``<channel>_<band>_rel``."""
        check_is_fitted(self, "n_channels_")
        kinds = ["abs"] + (["rel"] if self.relative else [])
        return np.array([f"{ch}_{b}_{k}" for ch in channel_names(self) for k in kinds
                         for b in self._bands()], dtype=object)
