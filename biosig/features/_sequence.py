"""Feature sequences: an extractor applied to consecutive sub-windows of each window."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from ..windows import WindowView

__all__ = ["SubWindowFeatures"]


class SubWindowFeatures(TransformerMixin, BaseEstimator):
    """Cut each window into ``steps`` equal sub-windows and extract features from each.

    The output is a sequence per window, laid out as windows are,
    ``(n_windows, n_features, steps)``, which recurrent networks read as
    ``n_features`` channels over ``steps`` time steps (differential entropy
    of 1 s steps of a 4 s window, for instance).

    Parameters
    ----------
    transformer : WindowTransformer
        The feature extractor applied to every sub-window.
    steps : int
        Sub-windows per window; samples beyond ``steps * (n_samples // steps)``
        are dropped.

    Attributes
    ----------
    transformer_ : WindowTransformer
        Fitted on sub-windows.
    """

    def __init__(self, transformer, steps=4):
        self.transformer = transformer
        self.steps = steps

    def _sub_windows(self, X):
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 3:
            raise ValueError(f"SubWindowFeatures expects windows (n, channels, samples), got "
                             f"shape {X.shape}")
        n, c, t = X.shape
        step = t // self.steps
        if self.steps < 1 or step < 1:
            raise ValueError(f"SubWindowFeatures: {self.steps} steps do not fit windows of "
                             f"{t} samples")
        sub = X[:, :, :self.steps * step].reshape(n, c, self.steps, step).transpose(0, 2, 1, 3)
        return sub.reshape(n * self.steps, c, step)

    def fit(self, X, y=None):
        """Fit the extractor on the sub-windows of ``X``.

        Returns
        -------
        self
        """
        first = next(X.chunks()) if isinstance(X, WindowView) else X
        self.transformer_ = clone(self.transformer).fit(self._sub_windows(first))
        return self

    def transform(self, X):
        """Return the feature sequence of every window.

        Returns
        -------
        sequences : ndarray of float32, shape (n_windows, n_features, steps)
        """
        check_is_fitted(self, "transformer_")
        chunks = X.chunks() if isinstance(X, WindowView) else [X]
        parts = []
        for chunk in chunks:
            values = self.transformer_.transform(self._sub_windows(chunk))
            parts.append(values.reshape(len(chunk), self.steps, -1).transpose(0, 2, 1))
        return np.concatenate(parts).astype(np.float32)
