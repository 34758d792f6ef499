"""Batches for Keras read from (memory-mapped) arrays, never the whole corpus at once."""

import math

import keras
import numpy as np

__all__ = ["WindowBatches"]


class WindowBatches(keras.utils.PyDataset):
    """A :class:`keras.utils.PyDataset` over windows that may live on disk.

    Each batch gathers its rows from ``X`` (a NumPy memory map from
    :func:`~biosig.windows.read_windows`, or any array), so only one batch
    (times Keras' queue) is in memory at a time. Rows of a batch are read in
    ascending order, which keeps a memory map's reads sequential.

    Parameters
    ----------
    X : ndarray, shape (n_windows, ...)
    y : ndarray, shape (n_windows,) | None
        Integer class indices; None for prediction.
    batch_size : int
    shuffle : bool
        Draw a new order of windows every epoch.
    seed : int | None
        Seed of the shuffling.
    **kwargs
        ``workers``, ``use_multiprocessing``, ``max_queue_size`` of PyDataset.
    """

    def __init__(self, X, y=None, batch_size=256, *, shuffle=True, seed=None, **kwargs):
        super().__init__(**kwargs)
        if y is not None and len(y) != len(X):
            raise ValueError(f"{len(X)} windows but {len(y)} labels")
        self.X = X
        self.y = None if y is None else np.asarray(y)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(X))
        self.on_epoch_end()

    def __len__(self):
        return math.ceil(len(self.X) / self.batch_size)

    def __getitem__(self, index):
        rows = np.sort(self._order[index * self.batch_size:(index + 1) * self.batch_size])
        batch = np.asarray(self.X[rows], dtype=np.float32)
        return batch if self.y is None else (batch, self.y[rows])

    def on_epoch_end(self):
        if self.shuffle:
            self._rng.shuffle(self._order)
