"""Band power from the Welch power spectral density."""

import numpy as np
from scipy.integrate import trapezoid
from scipy.signal import welch

from ._base import WindowTransformer

__all__ = ["EEG_BANDS", "BandPower", "SpectralShape"]

#: Classical EEG bands in Hz: delta, theta, alpha, beta, gamma.
EEG_BANDS = {"delta": (1.0, 4.0), "theta": (4.0, 8.0), "alpha": (8.0, 13.0),
             "beta": (13.0, 30.0), "gamma": (30.0, 45.0)}


def check_bands(estimator, bands):
    """Return the bands (EEG_BANDS when None), each within [0, Nyquist]."""
    bands = EEG_BANDS if bands is None else dict(bands)
    for name, (lo, hi) in bands.items():
        if not 0 <= lo < hi <= estimator.sfreq / 2:
            raise ValueError(f"{type(estimator).__name__}: band {name!r} = ({lo}, {hi}) Hz must "
                             f"lie in [0, {estimator.sfreq / 2:g}] Hz (Nyquist) with low < high")
    return bands


class BandPower(WindowTransformer):
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

    def _check_params(self):
        check_bands(self, self.bands)

    def _compute(self, X):
        bands = check_bands(self, self.bands)
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

    def _feature_suffixes(self):
        kinds = ["abs"] + (["rel"] if self.relative else [])
        return [f"{band}_{kind}" for kind in kinds for band in check_bands(self, self.bands)]


class SpectralShape(WindowTransformer):
    """Spectral entropy, spectral edge frequency and peak frequency, per channel.

    From one Welch PSD of all windows, restricted to [``fmin``, ``fmax``]:
    the spectral entropy is the Shannon entropy of the PSD normalised to sum
    to one, divided by ``log(n_bins)`` so that it lies in [0, 1]; the edge
    frequency is the lowest frequency below which ``edge`` of the power lies;
    the peak frequency is that of the PSD's maximum.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    fmin, fmax : float | None
        Frequency range; 0 and Nyquist when None.
    edge : float
        Share of the power below the edge frequency (0.95 gives SEF95).
    nperseg : int | None
        Welch segment length; ``min(256, n_samples)`` when None.
    ch_names : list of str | None
        Channel names used in feature names.

    Attributes
    ----------
    n_channels_, n_times_ : int
        Shape of the windows seen in ``fit``.
    """

    def __init__(self, sfreq, *, fmin=None, fmax=None, edge=0.95, nperseg=None, ch_names=None):
        self.sfreq = sfreq
        self.fmin = fmin
        self.fmax = fmax
        self.edge = edge
        self.nperseg = nperseg
        self.ch_names = ch_names

    def _check_params(self):
        if not 0 < self.edge < 1:
            raise ValueError(f"SpectralShape: edge must lie in (0, 1), got {self.edge}")
        check_bands(self, {"range": (self.fmin or 0.0, self.fmax or self.sfreq / 2)})

    def _compute(self, X):
        freqs, psd = welch(X, fs=self.sfreq, nperseg=self.nperseg or min(256, X.shape[-1]), axis=-1)
        inside = (freqs >= (self.fmin or 0.0)) & (freqs <= (self.fmax or self.sfreq / 2))
        freqs, psd = freqs[inside], psd[..., inside]
        total = psd.sum(axis=-1, keepdims=True)
        p = psd / np.where(total > 0, total, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            entropy = -np.sum(np.where(p > 0, p * np.log(p), 0), axis=-1) / np.log(len(freqs))
        edge = freqs[np.argmax(np.cumsum(p, axis=-1) >= self.edge, axis=-1)]
        peak = freqs[np.argmax(psd, axis=-1)]
        return np.stack([entropy, edge, peak], axis=-1).astype(X.dtype).reshape(len(X), -1)

    def _feature_suffixes(self):
        return ["spectral_entropy", f"sef{round(100 * self.edge)}", "peak_freq"]
