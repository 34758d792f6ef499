"""Event-locked windows around annotation onsets, through mne.Epochs."""

import mne
import numpy as np
import pandas as pd

from ._sampler import Sampler, member
from ._windows import Windows

__all__ = ["EventSampler"]


def crop_starts(n_samples, sfreq, length, stride):
    """Where the crops of a window of ``n_samples`` start, and their size in samples.

    Returns
    -------
    size : int
        ``round(length * sfreq) + 1`` samples, both ends included.
    starts : ndarray of int
        Every ``round(stride * sfreq)`` samples, the last crop ending in the window.

    Raises
    ------
    ValueError
        When no crop fits, or the stride is under one sample.
    """
    size, step = int(round(length * sfreq)) + 1, int(round(stride * sfreq))
    if size > n_samples or step < 1:
        raise ValueError(f"crop = ({length}, {stride}) s: crops of {size} samples every "
                         f"{step} do not fit windows of {n_samples} samples at {sfreq:g} Hz")
    return size, np.arange(0, n_samples - size + 1, step)


class EventSampler(Sampler):
    """Cut one window from ``tmin`` to ``tmax`` around each chosen annotation.

    A thin layer over :func:`mne.events_from_annotations` and
    :class:`mne.Epochs` (no baseline correction, no rejection): windows that
    would run past either end of the recording are dropped, as MNE drops them.
    With ``crop``, each event's window is cut into shorter crops
    (Schirrmeister et al. 2017's cropped decoding), each crop a window of its
    own and all crops of an event sharing its ``trial``.

    Parameters
    ----------
    tmin, tmax : float
        Window start and end in seconds relative to the annotation onset. As in
        MNE, both ends are included: a window has
        ``round((tmax - tmin) * sfreq) + 1`` samples.
    events : dict
        Annotation description -> window label, e.g. ``{"T1": "left", "T2": "right"}``.
        Other annotations are ignored.
    channels : list of str | str | None
        Channels to keep (names, or an MNE picks string such as ``"eeg"``);
        all data channels when None.
    marks : sequence of str
        Annotation descriptions that flag a window without dropping it, e.g.
        ``["rejected_trial"]`` (BCI IV): ``meta`` gets one boolean column per
        mark, True where such an annotation overlaps the window.
    crop : tuple of float | None
        ``(length, stride)`` in seconds: cut each event's window into crops of
        ``length`` seconds (``round(length * sfreq) + 1`` samples, both ends
        included as for the whole window) starting every ``stride`` seconds,
        the last ending at ``tmax`` or before. None keeps one window per event.
    progress : bool
        Show a progress bar over recordings.
    """

    def __init__(self, tmin, tmax, events, *, channels=None, marks=(), crop=None,
                 progress=True):
        self.tmin = tmin
        self.tmax = tmax
        self.events = events
        self.channels = channels
        self.marks = marks
        self.crop = crop
        self.progress = progress

    def sample_recording(self, recording):
        """Cut the event windows of one recording.

        Returns
        -------
        windows : Windows
            ``meta`` holds ``record``, ``subject``, ``session``, ``sample``
            and ``onset`` (the event's sample plus the crop's offset, the window
            starting ``tmin`` after it; ``onset`` in seconds from the recording
            start), ``event``, ``trial`` (``record:sample`` of the event),
            ``crop`` (the offset in samples, 0 without cropping), and one
            boolean column per mark (a mark on an event flags all its crops).
        """
        # every annotation, beats kept beside the Raw (Recording.beats) included
        labels, samples = recording.annotation_onsets()
        present = sorted(set(self.events) & set(labels))
        if not present:
            return None
        codes = {desc: i + 1 for i, desc in enumerate(present)}
        chosen = member(labels, codes)
        events = np.column_stack([samples[chosen] + recording.raw.first_samp,
                                  np.zeros(chosen.sum(), dtype=np.int64),
                                  [codes[label] for label in labels[chosen]]]).astype(np.int64)
        epochs = mne.Epochs(recording.raw, events, event_id=codes, tmin=self.tmin, tmax=self.tmax,
                            baseline=None, picks=self.channels, preload=True,
                            reject_by_annotation=False, verbose=False)
        X = epochs.get_data(copy=False).astype(np.float32, copy=False)
        by_code = {code: desc for desc, code in codes.items()}
        kept = epochs.events
        descriptions = np.array([by_code[c] for c in kept[:, 2]], dtype=object)
        sample = kept[:, 0] - recording.raw.first_samp
        meta = pd.DataFrame({
            "record": recording.record, "subject": recording.subject,
            "session": recording.session, "sample": sample,
            "onset": sample / recording.sfreq, "event": descriptions,
            "trial": [f"{recording.record}:{s}" for s in sample], "crop": 0,
        })
        for mark, flag in self._marked(recording, sample).items():
            meta[mark] = flag
        y = np.array([self.events[d] for d in descriptions], dtype=object)
        if self.crop is not None:
            X, y, meta = self._crops(X, y, meta, recording.sfreq)
        return Windows(np.ascontiguousarray(X), y, np.full(len(y), recording.subject, dtype=object),
                       meta, recording.sfreq, list(epochs.ch_names))

    def _crops(self, X, y, meta, sfreq):
        """Every event window cut into crops; crop after crop within each event."""
        size, starts = crop_starts(X.shape[-1], sfreq, *self.crop)
        crops = np.lib.stride_tricks.sliding_window_view(X, size, axis=-1)[:, :, starts]
        X = crops.transpose(0, 2, 1, 3).reshape(-1, X.shape[1], size)
        event = np.repeat(np.arange(len(meta)), len(starts))
        offset = np.tile(starts, len(meta))
        meta = meta.iloc[event].reset_index(drop=True)
        meta["crop"] = offset
        meta["sample"] = meta["sample"].to_numpy() + offset
        meta["onset"] = meta["sample"] / sfreq
        return X, y[event], meta

    def _marked(self, recording, sample):
        """Whether an annotation of each mark overlaps each window."""
        if not self.marks:
            return {}
        sfreq = recording.sfreq
        ann = recording.annotations
        start = recording.annotation_samples(ann)
        stop = start + np.maximum(np.rint(ann.duration * sfreq).astype(np.int64), 1)
        first = sample + int(round(self.tmin * sfreq))
        last = sample + int(round(self.tmax * sfreq))
        out = {}
        for mark in self.marks:
            sel = ann.description == mark
            out[mark] = ((start[sel][None, :] <= last[:, None])
                         & (stop[sel][None, :] > first[:, None])).any(axis=1)
        return out

    _unit_name = "events"

    def _nothing_message(self, recordings):
        names = ", ".join(r.record for r in recordings)
        return f"no annotation named {sorted(self.events)} in records {names}"
