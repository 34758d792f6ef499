"""Batches for Keras read from (memory-mapped) windows, never the whole corpus at once."""

import math

import keras
import numpy as np
from sklearn.base import clone

from ..windows import WindowView

__all__ = ["WindowBatches"]


class WindowBatches(keras.utils.PyDataset):
    """A :class:`keras.utils.PyDataset` over windows that may live on disk.

    Each batch gathers its rows from ``X`` (a NumPy memory map from
    :func:`~biosig.windows.read_windows`, a
    :class:`~biosig.windows.WindowView`, or any array), so only one batch
    (times Keras' queue) is in memory at a time. Rows of a batch are read in
    ascending order, which keeps a memory map's reads sequential.

    Parameters
    ----------
    X : ndarray, shape (n_windows, ...) | WindowView
        From an array, batches are arrays; from a WindowView, they are the
        dict ``{"signal": windows}`` that biosig's networks take, with
        ``"features"`` when the view carries tabular features.
    y : ndarray, shape (n_windows,) | None
        Integer class indices; None for prediction.
    batch_size : int
    positions : array-like of int | None
        The windows (positions in ``X``) to draw from; all when None.
    shuffle : bool
        Draw a new order of windows every epoch.
    seed : int | None
        Seed of the shuffling (and of ``sampler``'s draws).
    sample_weight : ndarray, shape (n_windows,) | None
        Per-window weights, yielded as the third element of each batch.
    sampler : imblearn sampler | None
        A sampler that selects rows (``RandomOverSampler``,
        ``RandomUnderSampler``), applied to the window indices at every
        epoch, so that each epoch sees balanced classes and other draws.
    drop_remainder : bool
        Leave out the windows of a last, smaller batch (others are left out
        the next epoch, as the order changes): every batch then has one
        shape, so a compiled training step is traced once, not twice.
    **kwargs
        ``workers``, ``use_multiprocessing``, ``max_queue_size`` of PyDataset.
    """

    def __init__(self, X, y=None, batch_size=256, *, positions=None, shuffle=True, seed=None,
                 sample_weight=None, sampler=None, drop_remainder=False, **kwargs):
        super().__init__(**kwargs)
        if y is not None and len(y) != len(X):
            raise ValueError(f"{len(X)} windows but {len(y)} labels")
        if sampler is not None and y is None:
            raise ValueError("a sampler needs the labels y")
        self.X = X
        self.y = None if y is None else np.asarray(y)
        self.batch_size = batch_size
        self.positions = np.arange(len(X)) if positions is None else np.asarray(positions)
        self.shuffle = shuffle
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.sampler = sampler
        self.drop_remainder = drop_remainder
        self._rng = np.random.default_rng(seed)
        self._order = self.positions.copy()
        self.on_epoch_end()

    def __len__(self):
        if self.drop_remainder and len(self._order) >= self.batch_size:
            return len(self._order) // self.batch_size
        return math.ceil(len(self._order) / self.batch_size)

    def _inputs(self, rows):
        if not isinstance(self.X, WindowView):
            return np.asarray(self.X[rows], dtype=np.float32)
        inputs = {"signal": self.X.take(rows)}
        if self.X.has_features:
            inputs["features"] = np.asarray(self.X.base_features[self.X.rows[rows]],
                                            dtype=np.float32)
        return inputs

    def __getitem__(self, index):
        rows = np.sort(self._order[index * self.batch_size:(index + 1) * self.batch_size])
        inputs = self._inputs(rows)
        if self.y is None:
            return (inputs,) if isinstance(inputs, dict) else inputs
        if self.sample_weight is None:
            return inputs, self.y[rows]
        return inputs, self.y[rows], self.sample_weight[rows]

    def on_epoch_end(self):
        if self.sampler is not None:
            sampler = clone(self.sampler).set_params(
                random_state=int(self._rng.integers(2**31 - 1)))
            index, _ = sampler.fit_resample(self.positions.reshape(-1, 1),
                                            self.y[self.positions])
            self._order = index.ravel()
        if self.shuffle:
            self._rng.shuffle(self._order)
