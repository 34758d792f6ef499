"""Mini-batches drawn so that every class is equally represented, redrawn each epoch."""

import keras
import numpy as np
from imblearn.over_sampling import RandomOverSampler
from sklearn.base import clone
from sklearn.utils import check_random_state

__all__ = ["BalancedBatches"]


class BalancedBatches(keras.utils.PyDataset):
    """A Keras batch stream that resamples the classes to balance, for raw-window networks.

    Works like imbalanced-learn's ``BalancedBatchGenerator``: an imblearn
    sampler is applied to the window *indices* (so windows are never
    copied or synthesised), and the resampled index set is shuffled and cut
    into batches; the draw is repeated at every epoch, so oversampling shows
    different duplicates and undersampling different majority windows.

    Parameters
    ----------
    X : ndarray or dict of ndarray
        Inputs, indexed along the first axis (a dict for multi-input models).
    y : ndarray, shape (n,)
        Integer class labels.
    batch_size : int
    sampler : imblearn sampler | None
        Defaults to ``RandomOverSampler``; ``RandomUnderSampler`` gives
        shorter, balanced epochs.
    random_state : int | None
    **kwargs
        Passed to :class:`keras.utils.PyDataset` (``workers``, ...).
    """

    def __init__(self, X, y, batch_size=64, *, sampler=None, random_state=None, **kwargs):
        super().__init__(**kwargs)
        self.X, self.y = X, np.asarray(y)
        self.batch_size = batch_size
        self.sampler = sampler
        self.random_state = check_random_state(random_state)
        self.on_epoch_end()

    def on_epoch_end(self):
        sampler = clone(self.sampler) if self.sampler is not None else RandomOverSampler()
        sampler.set_params(random_state=self.random_state.randint(2**31 - 1))
        index, _ = sampler.fit_resample(np.arange(len(self.y)).reshape(-1, 1), self.y)
        self.index_ = self.random_state.permutation(index.ravel())

    def __len__(self):
        return int(np.ceil(len(self.index_) / self.batch_size))

    def _take(self, batch):
        if isinstance(self.X, dict):
            return {k: v[batch] for k, v in self.X.items()}
        return self.X[batch]

    def __getitem__(self, i):
        batch = np.sort(self.index_[i * self.batch_size:(i + 1) * self.batch_size])
        return self._take(batch), self.y[batch]
