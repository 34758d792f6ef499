"""Each ECG beat against its record's median beat, segment by segment (P, QRS, T)."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

__all__ = ["BeatTemplate"]

_SEGMENTS = ("p", "qrs", "t")


class BeatTemplate(TransformerMixin, BaseEstimator):
    """Compare each beat window with the median beat of its own record.

    A cardiologist reads a beat against the patient's usual beat: a
    ventricular beat has another QRS, a supraventricular one often another P
    wave (or one hidden in the previous T wave), whatever the patient's own
    shape. The record's median beat stands for its usual beat (its dominant
    rhythm, without labels). Each window is split at ``qrs`` around the R
    peak into the P segment (before the QRS), the QRS and the T segment
    (after it), and each segment of each channel gives two features:

    - ``<channel>_<segment>_correlation``: Pearson correlation with the
      median beat's segment (shape, whatever the amplitude);
    - ``<channel>_<segment>_difference``: root mean square of the beat minus
      the median beat over the segment, over the median beat's QRS root mean
      square about its mean (size, in units of the record's own QRS).

    No class labels are used, and every record is compared with its own
    windows only, so the transform is as legal on a test record as on a
    training one. It is **transductive per record**: unlike
    :class:`~biosig.features.GroupScaler`, it learns nothing per record in
    :meth:`fit`, and takes each record's median beat from the windows of
    each :meth:`transform` call; pass each record's windows together, all of
    them (the study engine does, over the window store).

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    peak_time : float
        Time of the R peak from the window start, in seconds (0.25 for
        ``BeatSampler(tmin=-0.25)``).
    qrs : tuple of float
        Start and end of the QRS segment relative to the R peak, in seconds.
    ch_names : list of str | None
        Channel names used in feature names.

    Attributes
    ----------
    n_channels_, n_times_ : int
        Shape of the windows seen in ``fit``.
    bounds_ : ndarray of int, shape (4,)
        Sample indices where the P, QRS and T segments start and the T ends.

    Notes
    -----
    A record whose median beat has a flat QRS on a channel (a lead that was
    off for most of the record) has no scale: its differences on that
    channel are infinite or NaN. The study engine refuses such features,
    naming the records.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(70) / 100 - 0.25  # 0.7 s windows at 100 Hz, the R peak at 0.25 s
    >>> beat = np.exp(-(t / 0.02) ** 2)
    >>> X = np.stack([beat, beat, 0.5 * beat])[:, None, :]  # one record, one channel
    >>> Z = BeatTemplate(100.0).fit_transform(X, groups=["a", "a", "a"])
    >>> Z.shape, float(Z[2, 2].round(3))  # the third beat's QRS has the median beat's shape
    ((3, 6), 1.0)
    """

    def __init__(self, sfreq, peak_time=0.25, *, qrs=(-0.05, 0.1), ch_names=None):
        self.sfreq = sfreq
        self.peak_time = peak_time
        self.qrs = qrs
        self.ch_names = ch_names

    def _check(self, X, reset):
        if np.ndim(X) != 3:
            raise ValueError("BeatTemplate expects windows of shape (n_windows, n_channels, "
                             f"n_samples), got shape {np.shape(X)}")
        X = check_array(X, allow_nd=True, dtype=(np.float64, np.float32), estimator=self)
        if not reset and X.shape[1:] != (self.n_channels_, self.n_times_):
            raise ValueError(f"BeatTemplate was fitted on windows of "
                             f"{(self.n_channels_, self.n_times_)}, got {X.shape[1:]}")
        return X

    def fit(self, X, y=None, groups=None):
        """Check the parameters and record the window shape and segment bounds.

        Parameters
        ----------
        X : array-like, shape (n_windows, n_channels, n_samples)
        y : None
            Ignored: no labels are used.
        groups : None
            Ignored: each record's median beat is taken in :meth:`transform`.

        Returns
        -------
        self
        """
        if not self.sfreq or self.sfreq <= 0:
            raise ValueError(f"BeatTemplate: sfreq={self.sfreq!r} must be positive")
        X = self._check(X, reset=True)
        n_channels, n_times = X.shape[1:]
        if self.ch_names is not None and len(self.ch_names) != n_channels:
            raise ValueError(f"BeatTemplate: {len(self.ch_names)} ch_names for windows of "
                             f"{n_channels} channels")
        onset, offset = (int(round((self.peak_time + q) * self.sfreq)) for q in self.qrs)
        if not 1 < onset < offset - 1 < n_times - 2:
            raise ValueError(f"BeatTemplate: the QRS from {self.qrs[0]} to {self.qrs[1]} s around "
                             f"an R peak at {self.peak_time} s must leave a P segment before it "
                             f"and a T segment after it (two samples each at least) in windows "
                             f"of {n_times / self.sfreq:g} s")
        self.n_channels_, self.n_times_ = n_channels, n_times
        self.bounds_ = np.array([0, onset, offset, n_times])
        return self

    def transform(self, X, groups=None):
        """Compare each window with the median window of its record.

        Parameters
        ----------
        X : array-like, shape (n_windows, n_channels, n_samples)
        groups : array-like, shape (n_windows,)
            The record of each window: every record's windows, all of them.

        Returns
        -------
        features : ndarray of float32, shape (n_windows, n_channels * 6)
        """
        check_is_fitted(self, "bounds_")
        X = self._check(X, reset=False)
        if groups is None or np.shape(groups) != (len(X),):
            raise ValueError(f"BeatTemplate needs the record (groups) of each of the {len(X)} "
                             "windows")
        _, index = np.unique(np.asarray(groups), return_inverse=True)
        order = np.argsort(index, kind="stable")
        out = np.empty((len(X), self.n_channels_, len(_SEGMENTS), 2), dtype=np.float32)
        for rows in np.split(order, np.flatnonzero(np.diff(index[order])) + 1):
            out[rows] = self._compare(np.asarray(X[rows], dtype=np.float64))
        return out.reshape(len(X), -1)

    def fit_transform(self, X, y=None, groups=None):
        """Fit, then compare the same windows with their records' median beats.

        Parameters
        ----------
        X : array-like, shape (n_windows, n_channels, n_samples)
        y : None
            Ignored.
        groups : array-like, shape (n_windows,)
            The record of each window: every record's windows, all of them.

        Returns
        -------
        features : ndarray of float32, shape (n_windows, n_channels * 6)
        """
        return self.fit(X).transform(X, groups=groups)

    def _compare(self, beats):
        template = np.median(beats, axis=0)
        onset, offset = self.bounds_[1:3]
        qrs = template[:, onset:offset]
        scale = np.sqrt(np.mean((qrs - qrs.mean(axis=-1, keepdims=True)) ** 2, axis=-1))
        values = np.empty((len(beats), self.n_channels_, len(_SEGMENTS), 2))
        for k, (lo, hi) in enumerate(zip(self.bounds_[:-1], self.bounds_[1:])):
            beat, usual = beats[..., lo:hi], template[:, lo:hi]
            b = beat - beat.mean(axis=-1, keepdims=True)
            u = usual - usual.mean(axis=-1, keepdims=True)
            norms = np.linalg.norm(b, axis=-1) * np.linalg.norm(u, axis=-1)
            values[..., k, 0] = np.divide(np.sum(b * u, axis=-1), norms,
                                          out=np.zeros(norms.shape), where=norms > 0)
            with np.errstate(divide="ignore", invalid="ignore"):  # a flat record: reported
                values[..., k, 1] = np.sqrt(np.mean((beat - usual) ** 2, axis=-1)) / scale
        return values

    def get_feature_names_out(self, input_features=None):
        """``<channel>_<segment>_<correlation|difference>`` for every channel and segment."""
        check_is_fitted(self, "bounds_")
        channels = self.ch_names or [f"ch{i}" for i in range(self.n_channels_)]
        return np.asarray([f"{c}_{s}_{kind}" for c in channels for s in _SEGMENTS
                           for kind in ("correlation", "difference")], dtype=object)
