"""Sliding windows over a whole recording, labelled from interval annotations."""

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from ._sampler import Sampler
from ._windows import Windows

__all__ = ["SlidingSampler"]

_RULES = ("majority", "any", "center")


class SlidingSampler(Sampler):
    """Cut fixed-length windows every ``stride`` seconds and label them.

    Labels come from annotations with a duration (a seizure from its onset to
    its end, a sleep stage, ...). For each window the share of its samples
    covered by each labelled annotation is computed at once for all windows
    (cumulative sums over a per-sample mask), then ``label`` decides.

    Parameters
    ----------
    length : float
        Window length in seconds.
    stride : float | None
        Step between window starts in seconds; ``length`` (no overlap) when None.
    labels : dict | None
        Annotation description -> label, e.g. ``{"seizure": "ictal"}``. None
        labels every window ``default``.
    default : str
        Label of windows that no labelled annotation claims.
    rule : {"majority", "any", "center"}
        A label claims a window when it covers more than half of it, any part
        of it, or its centre sample. When several claim one window, the one
        covering most of it wins.
    channels : list of str | None
        Channels to keep; all when None.
    progress : bool
        Show a progress bar over recordings.
    """

    def __init__(self, length, stride=None, *, labels=None, default="background",
                 rule="majority", channels=None, progress=True):
        self.length = length
        self.stride = stride
        self.labels = labels
        self.default = default
        self.rule = rule
        self.channels = channels
        self.progress = progress

    def sample_recording(self, recording):
        """Cut the windows of one recording.

        Returns
        -------
        windows : Windows
            ``meta`` holds ``record``, ``subject``, ``session``, ``sample``,
            ``onset`` and ``coverage``: the largest share of the window that any
            labelled annotation covers, claimed or not (so windows that are half
            ictal can be left out).
        """
        if self.rule not in _RULES:
            raise ValueError(f"SlidingSampler: rule={self.rule!r}; allowed: {', '.join(_RULES)}")
        sfreq, n_times = recording.sfreq, recording.n_samples
        length = int(round(self.length * sfreq))
        stride = int(round((self.stride or self.length) * sfreq))
        if length < 1 or stride < 1:
            raise ValueError("SlidingSampler: length and stride must be at least one sample")
        if length > n_times:
            return None
        starts = np.arange(0, n_times - length + 1, stride)

        names = list(dict.fromkeys((self.labels or {}).values()))
        coverage = np.zeros((len(names), len(starts)))
        centre = np.zeros((len(names), len(starts)), dtype=bool)
        if names:
            onset = recording.annotation_samples()
            end = onset + np.rint(recording.annotations.duration * sfreq).astype(np.int64)
            for k, name in enumerate(names):
                mask = np.zeros(n_times + 1, dtype=np.int64)
                for desc, a, b in zip(recording.annotations.description, onset, end):
                    if self.labels.get(desc) == name:
                        mask[max(a, 0)] += 1
                        mask[min(max(b, a + 1), n_times)] -= 1
                covered = np.cumsum(mask[:-1]) > 0
                cumsum = np.concatenate([[0], np.cumsum(covered)])
                coverage[k] = (cumsum[starts + length] - cumsum[starts]) / length
                centre[k] = covered[starts + length // 2]
        claims = {"majority": coverage > 0.5, "any": coverage > 0, "center": centre}[self.rule]
        best = np.argmax(np.where(claims, coverage, -1), axis=0) if names else np.zeros(len(starts), int)
        claimed = claims.any(axis=0) if names else np.zeros(len(starts), bool)
        y = np.array([names[b] if c else self.default for b, c in zip(best, claimed)], dtype=object)
        cov = coverage.max(axis=0) if names else np.zeros(len(starts))

        data = recording.raw.get_data(picks=self.channels).astype(np.float32, copy=False)
        X = sliding_window_view(data, length, axis=1)[:, starts].transpose(1, 0, 2)
        meta = pd.DataFrame({
            "record": recording.record, "subject": recording.subject,
            "session": recording.session, "sample": starts, "onset": starts / sfreq,
            "coverage": cov,
        })
        return Windows(np.ascontiguousarray(X), y, np.full(len(y), recording.subject, dtype=object),
                       meta, sfreq, list(self.channels) if self.channels else recording.ch_names)

    def _nothing_message(self, recordings):
        return f"every recording is shorter than the window ({self.length} s)"
