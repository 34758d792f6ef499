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
    rule : {"majority", "any", "center"} | float
        A label claims a window when it covers more than half of it, any part
        of it, its centre sample, or (a number in (0, 1]) at least that share
        of it: ``rule=0.5`` is "seizure if >= 50 % of the window overlaps a
        seizure". When several claim one window, the one covering most of it
        wins.
    channels : list of str | None
        Channels to keep; all when None.
    reject_by_annotation : bool
        Drop windows that overlap an annotation whose description starts with
        ``"bad"`` (any case), as :class:`mne.Epochs` does: ``"BAD boundary"``
        where recordings or trials were joined, marked artefacts.
    progress : bool
        Show a progress bar over recordings.
    """

    def __init__(self, length, stride=None, *, labels=None, default="background",
                 rule="majority", channels=None, reject_by_annotation=True, progress=True):
        self.length = length
        self.stride = stride
        self.labels = labels
        self.default = default
        self.rule = rule
        self.channels = channels
        self.reject_by_annotation = reject_by_annotation
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
        numeric = isinstance(self.rule, (int, float)) and not isinstance(self.rule, bool)
        threshold = self.rule if numeric else None
        if threshold is None and self.rule not in _RULES:
            raise ValueError(f"SlidingSampler: rule={self.rule!r}; allowed: {', '.join(_RULES)} "
                             "or a share of the window in (0, 1]")
        if threshold is not None and not 0 < threshold <= 1:
            raise ValueError(f"SlidingSampler: rule={self.rule!r} must lie in (0, 1]")
        sfreq, n_times = recording.sfreq, recording.n_samples
        length = int(round(self.length * sfreq))
        stride = int(round((self.stride or self.length) * sfreq))
        if length < 1 or stride < 1:
            raise ValueError("SlidingSampler: length and stride must be at least one sample")
        if length > n_times:
            return None
        starts = np.arange(0, n_times - length + 1, stride)

        annotations = recording.annotations
        onset = recording.annotation_samples(annotations)
        end = onset + np.rint(annotations.duration * sfreq).astype(np.int64)
        descriptions = annotations.description

        def covered_share(selected):
            mask = np.zeros(n_times + 1, dtype=np.int64)
            for a, b in zip(onset[selected], end[selected]):
                lo, hi = np.clip((a, max(b, a + 1)), 0, n_times)
                if hi > lo:
                    mask[lo] += 1
                    mask[hi] -= 1
            covered = np.cumsum(mask[:-1]) > 0
            cumsum = np.concatenate([[0], np.cumsum(covered)])
            return (cumsum[starts + length] - cumsum[starts]) / length, covered

        if self.reject_by_annotation:
            bad = np.array([str(d).lower().startswith("bad") for d in descriptions], dtype=bool)
            if bad.any():
                span = bad & (end > onset)
                keep = covered_share(span)[0] == 0
                # A zero-length mark ("BAD boundary") sits between samples a-1 and a:
                # only windows holding both straddle it.
                cuts = np.zeros(n_times + 1, dtype=np.int64)
                np.add.at(cuts, np.clip(onset[bad & ~span], 0, n_times), 1)
                cut_count = np.concatenate([[0], np.cumsum(cuts)])
                keep &= cut_count[starts + length] == cut_count[starts + 1]
                starts = starts[keep]
                if not starts.size:
                    return None
        names = list(dict.fromkeys((self.labels or {}).values()))
        coverage = np.zeros((len(names), len(starts)))
        centre = np.zeros((len(names), len(starts)), dtype=bool)
        for k, name in enumerate(names):
            selected = np.array([self.labels.get(d) == name for d in descriptions], dtype=bool)
            coverage[k], covered = covered_share(selected)
            centre[k] = covered[starts + length // 2]
        if threshold is not None:
            claims = coverage >= threshold - 1e-12
        else:
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
        names = ", ".join(r.record for r in recordings)
        return (f"no window of {self.length} s in records {names}: each is shorter than "
                "the window, or every window overlaps a BAD annotation "
                "(reject_by_annotation=True drops those)")
