"""Time-domain features of ECG beat windows: R amplitude, QRS width proxy, amplitude statistics."""

import numpy as np
from scipy.stats import kurtosis, skew

from ._base import WindowTransformer

__all__ = ["BeatMorphology"]

_STATS = ("r_amplitude", "qrs_width", "max", "min", "peak_to_peak", "mean", "std",
          "skewness", "kurtosis")


class BeatMorphology(WindowTransformer):
    """Morphology of beat-centred ECG windows, as in de Chazal et al. (2004).

    For each channel: the R amplitude (the largest deflection from the
    window's median within ``search`` seconds of ``peak_time``, signed), a QRS
    width proxy (the time the deflection stays above half the R amplitude,
    around the R peak: the full width at half maximum of the QRS complex), and
    amplitude statistics of the window (max, min, peak-to-peak, mean, standard
    deviation, skewness, excess kurtosis). RR intervals depend on the beats
    around a window, not on its samples, so :class:`~biosig.windows.BeatSampler`
    gives them (``RR_FEATURES``).

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    peak_time : float
        Time of the annotated R peak from the window start, in seconds (0.25
        for ``BeatSampler(tmin=-0.25)``).
    search : float
        Half-width in seconds of the interval around ``peak_time`` searched
        for the R peak (annotations can sit a few samples off the extremum).
    ch_names : list of str | None
        Channel names used in feature names.

    Attributes
    ----------
    n_channels_, n_times_ : int
        Shape of the windows seen in ``fit``.
    peak_index_, search_samples_ : int
        ``peak_time`` and ``search`` in samples.

    References
    ----------
    de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats
    using ECG morphology and heartbeat interval features. IEEE Trans Biomed Eng
    51(7):1196-1206 (2004).
    """

    def __init__(self, sfreq, peak_time=0.25, *, search=0.05, ch_names=None):
        self.sfreq = sfreq
        self.peak_time = peak_time
        self.search = search
        self.ch_names = ch_names

    def _check_params(self):
        if not self.sfreq or self.sfreq <= 0:
            raise ValueError(f"BeatMorphology: sfreq={self.sfreq!r} must be positive")
        self.peak_index_ = int(round(self.peak_time * self.sfreq))
        self.search_samples_ = int(round(self.search * self.sfreq))

    def _check_windows(self, X, reset):
        X = super()._check_windows(X, reset)
        if not 0 <= self.peak_index_ < X.shape[-1]:
            raise ValueError(f"BeatMorphology: peak_time={self.peak_time} s is outside "
                             f"windows of {X.shape[-1] / self.sfreq:g} s")
        return X

    def _compute(self, X):
        n_times = X.shape[-1]
        centred = X - np.median(X, axis=-1, keepdims=True)
        lo = max(self.peak_index_ - self.search_samples_, 0)
        hi = min(self.peak_index_ + self.search_samples_ + 1, n_times)
        peak = lo + np.argmax(np.abs(centred[..., lo:hi]), axis=-1)
        r_amplitude = np.take_along_axis(centred, peak[..., None], axis=-1)[..., 0]

        # Samples above half the R deflection (same sign), then the run holding the peak.
        above = centred * np.sign(r_amplitude)[..., None] >= 0.5 * np.abs(r_amplitude)[..., None]
        index = np.arange(n_times)
        below_left = np.where(~above & (index <= peak[..., None]), index, -1).max(axis=-1)
        below_right = np.where(~above & (index >= peak[..., None]), index, n_times).min(axis=-1)
        qrs_width = (below_right - below_left - 1) / self.sfreq

        maximum, minimum = X.max(axis=-1), X.min(axis=-1)
        features = [r_amplitude, qrs_width, maximum, minimum, maximum - minimum,
                    X.mean(axis=-1), X.std(axis=-1), skew(X, axis=-1), kurtosis(X, axis=-1)]
        return np.stack(features, axis=-1).reshape(len(X), -1)

    def _feature_suffixes(self):
        return list(_STATS)
