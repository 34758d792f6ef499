"""The type every sampler hands on: :class:`Windows`."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["Windows"]


@dataclass
class Windows:
    """Fixed-length windows cut from recordings, with labels and provenance.

    Parameters
    ----------
    X : ndarray of float32, shape (n_windows, n_channels, n_samples)
        The windows.
    y : ndarray, shape (n_windows,)
        One label per window.
    groups : ndarray of str, shape (n_windows,)
        The subject of each window, for group-aware splits.
    meta : pandas.DataFrame
        One row per window: at least ``record``, ``subject`` and ``onset``
        (seconds); samplers add their own columns.
    sfreq : float
        Sampling rate of the windows in Hz.
    ch_names : list of str
        Channel names, in the order of ``X``'s second axis.
    """

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    meta: pd.DataFrame
    sfreq: float
    ch_names: list = field(default_factory=list)

    def __post_init__(self):
        if self.X.ndim != 3:
            raise ValueError(f"Windows.X must be (n_windows, n_channels, n_samples), got shape {self.X.shape}")
        n = len(self.X)
        if not (len(self.y) == len(self.groups) == len(self.meta) == n):
            raise ValueError(
                f"Windows: X has {n} windows but y, groups and meta have "
                f"{len(self.y)}, {len(self.groups)} and {len(self.meta)}"
            )
        if self.ch_names and len(self.ch_names) != self.X.shape[1]:
            raise ValueError(f"Windows: {len(self.ch_names)} channel names for {self.X.shape[1]} channels")

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        """Select windows by integer index, slice or boolean mask."""
        index = np.arange(len(self))[index]
        return Windows(self.X[index], self.y[index], self.groups[index],
                       self.meta.iloc[index].reset_index(drop=True), self.sfreq,
                       list(self.ch_names))

    @classmethod
    def concat(cls, parts):
        """Concatenate windows of the same rate, channels and length."""
        parts = [p for p in parts if p is not None]
        if not parts:
            raise ValueError("Windows.concat needs at least one Windows")
        first = parts[0]
        for part in parts[1:]:
            if part.sfreq != first.sfreq or part.X.shape[1:] != first.X.shape[1:]:
                record = part.meta["record"].iloc[0] if len(part) else "?"
                raise ValueError(
                    f"record {record}: windows of shape {part.X.shape[1:]} at {part.sfreq:g} Hz "
                    f"cannot join windows of shape {first.X.shape[1:]} at {first.sfreq:g} Hz; "
                    "resample the recordings to one rate first"
                )
        return cls(
            np.concatenate([p.X for p in parts]),
            np.concatenate([p.y for p in parts]),
            np.concatenate([p.groups for p in parts]),
            pd.concat([p.meta for p in parts], ignore_index=True),
            first.sfreq,
            list(first.ch_names),
        )

    def class_counts(self):
        """pandas.Series: number of windows per label."""
        return pd.Series(self.y).value_counts().sort_index()
