"""Beat-centred windows around annotated or detected R peaks, with RR-interval features."""

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from ..datasets import AAMI_EC57
from ..preprocessing import detect_r_peaks, match_beats
from ._sampler import Sampler, member
from ._windows import Windows

__all__ = ["RR_FEATURES", "BeatSampler"]

#: The RR-interval columns a BeatSampler adds to ``Windows.meta`` (seconds).
RR_FEATURES = ("rr_prev", "rr_next", "rr_local", "rr_record")


class BeatSampler(Sampler):
    """Cut one window around each beat, annotated or detected.

    With ``peaks="annotated"``, every annotation whose symbol is a WFDB beat
    code (the keys of :data:`~biosig.datasets.AAMI_EC57`) counts as a beat for
    the RR intervals; those with a label in ``labels`` become windows. With
    ``peaks="detected"``, the beats are the R peaks that
    :func:`~biosig.preprocessing.detect_r_peaks` finds, and RR intervals come
    from them, as they would on an ECG without annotations; each detection is
    matched beat by beat to the reference annotations (ANSI/AAMI EC57, 150 ms)
    and takes the label of its reference beat. Detections that match no
    reference beat (false detections) and reference beats that no detection
    matches (missed beats) have no label and make no window; their counts
    are in :attr:`detection_` for the QRS detection figures. A recording with
    no beat annotation at all gives a window per detection, labelled None,
    to be classified. Beats whose window would run past either end of the
    record are dropped.

    Parameters
    ----------
    tmin, tmax : float
        Window start and end in seconds relative to the R peak; the window has
        ``round((tmax - tmin) * sfreq)`` samples.
    labels : dict
        Beat symbol -> class label; defaults to the AAMI EC57 classes.
    channels : list of str | None
        Channels to keep, in order; all when None.
    local_beats : int
        Number of RR intervals averaged into ``rr_local``: ``(local_beats + 1) // 2``
        ending at or before the beat and ``local_beats // 2`` after it (5 and 5
        by default), fewer at the record's ends.
    peaks : {"annotated", "detected"}
        Where the beats come from.
    detector_channel : str | None
        With detected peaks: the lead to detect on (the first ECG lead when None).
    progress : bool
        Show a progress bar over recordings.

    Attributes
    ----------
    detection_ : dict
        With detected peaks, after sampling: record -> ``{"reference",
        "detected", "true_positives", "false_negatives", "false_positives"}``
        of the beat-by-beat match.

    Notes
    -----
    ``meta`` gains the RR features of de Chazal et al. (2004), in seconds:
    ``rr_prev`` (this R peak minus the previous one), ``rr_next``,
    ``rr_local`` (mean of the ``local_beats`` RR intervals around the beat) and
    ``rr_record`` (mean RR interval of the record). The first beat takes its
    next RR as previous, the last its previous as next. With detected peaks,
    ``meta`` also holds ``reference_sample``, the matched reference beat.
    """

    def __init__(self, tmin=-0.25, tmax=0.45, *, labels=None, channels=None,
                 local_beats=10, peaks="annotated", detector_channel=None, progress=True):
        self.tmin = tmin
        self.tmax = tmax
        self.labels = labels
        self.channels = channels
        self.local_beats = local_beats
        self.peaks = peaks
        self.detector_channel = detector_channel
        self.progress = progress

    def _rr(self, beat_samples, sfreq):
        if len(beat_samples) < 2:
            nan = np.full(len(beat_samples), np.nan)
            return nan, nan, nan, nan
        rr = np.diff(beat_samples) / sfreq
        rr_prev = np.concatenate([rr[:1], rr])
        rr_next = np.concatenate([rr, rr[-1:]])
        # Interval j runs from beat j to beat j + 1: beat i averages intervals
        # i - before ... i + after - 1, clipped at the record's ends.
        before, after = (self.local_beats + 1) // 2, self.local_beats // 2
        i = np.arange(len(beat_samples))
        lo = np.clip(i - before, 0, len(rr))
        hi = np.clip(i + after, 1, len(rr))
        lo = np.minimum(lo, hi - 1)
        cumsum = np.concatenate([[0.0], np.cumsum(rr)])
        rr_local = (cumsum[hi] - cumsum[lo]) / (hi - lo)
        rr_record = np.full(len(beat_samples), rr.mean())
        return rr_prev, rr_next, rr_local, rr_record

    def sample_recording(self, recording):
        """Cut the beat windows of one recording.

        Returns
        -------
        windows : Windows
        """
        labels = AAMI_EC57 if self.labels is None else self.labels
        if self.peaks not in ("annotated", "detected"):
            raise ValueError(f"BeatSampler: peaks must be 'annotated' or 'detected', "
                             f"not {self.peaks!r}")
        sfreq = recording.sfreq
        symbols, samples = recording.annotation_onsets()
        is_beat = member(symbols, set(AAMI_EC57) | set(labels))
        symbols, samples = symbols[is_beat], samples[is_beat]
        extra = {}
        if self.peaks == "detected":
            symbols, samples, extra = self._detected(recording, symbols, samples)
        rr = self._rr(samples, sfreq)

        offset = int(round(self.tmin * sfreq))
        length = int(round((self.tmax - self.tmin) * sfreq))
        if length <= 0:
            raise ValueError(f"BeatSampler: tmax ({self.tmax}) must exceed tmin ({self.tmin})")
        starts = samples + offset
        keep = (starts >= 0) & (starts + length <= recording.n_samples)
        unannotated = self.peaks == "detected" and extra["unannotated"]
        if not unannotated:
            keep &= member(symbols, set(labels))

        picks = self.channels
        if picks is not None:
            missing = [c for c in picks if c not in recording.ch_names]
            if missing:
                raise ValueError(f"record {recording.record}: no channel {missing}; "
                                 f"channels are {recording.ch_names}")
        data = recording.raw.get_data(picks=picks).astype(np.float32, copy=False)
        X = sliding_window_view(data, length, axis=1)[:, starts[keep]].transpose(1, 0, 2)
        n = int(keep.sum())
        meta = pd.DataFrame({
            "record": recording.record,
            "subject": recording.subject,
            "session": recording.session,
            "sample": samples[keep],
            "onset": samples[keep] / sfreq,
            "symbol": symbols[keep],
            **{name: col[keep] for name, col in zip(RR_FEATURES, rr)},
            **{name: col[keep] for name, col in extra.get("columns", {}).items()},
        })
        y = np.array([labels.get(s) for s in symbols[keep]], dtype=object)
        return Windows(np.ascontiguousarray(X), y,
                       np.full(n, recording.subject, dtype=object), meta, sfreq,
                       list(picks) if picks is not None else recording.ch_names)

    def sample(self, recordings):
        self.detection_ = {}
        return super().sample(recordings)

    sample.__doc__ = Sampler.sample.__doc__

    def _detected(self, recording, symbols, samples):
        """Detected R peaks with the symbols of the reference beats they match."""
        peaks = detect_r_peaks(recording, self.detector_channel)
        match = match_beats(samples, peaks, recording.sfreq)
        # match_beats sorts; annotation order is by time already
        reference = match.reference_of()
        found = reference >= 0
        peak_symbols = np.full(len(peaks), "", dtype=object)
        peak_symbols[found] = symbols[np.argsort(samples, kind="stable")][reference[found]]
        reference_sample = np.full(len(peaks), -1, dtype=np.int64)
        reference_sample[found] = match.reference[reference[found]]
        self.__dict__.setdefault("detection_", {})[recording.record] = {
            "reference": len(samples), "detected": len(peaks),
            "true_positives": match.true_positives,
            "false_negatives": match.false_negatives,
            "false_positives": match.false_positives}
        return peak_symbols, peaks, {"unannotated": len(samples) == 0,
                                     "columns": {"reference_sample": reference_sample}}

    _unit_name = "beats"
