"""The scikit-learn shell shared by the window feature extractors."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from ..windows import WindowView

__all__ = []

#: Windows a feature extractor computes at a time from a WindowView.
_CHUNK = 4096


class WindowTransformer(TransformerMixin, BaseEstimator):
    """Base class: validates (n_windows, n_channels, n_samples) input and names features.

    Subclasses implement ``_compute(X)`` (all windows at once), may implement
    ``_check_params()`` (called by ``fit``; may set learned attributes) and
    ``_feature_suffixes()`` (names per channel, in ``_compute``'s order).

    Attributes
    ----------
    n_channels_, n_times_ : int
        Shape of the windows seen in ``fit``.
    """

    def _check_params(self):
        pass

    def _check_windows(self, X, reset):
        if isinstance(X, WindowView):  # checked chunk by chunk in transform
            if reset:
                self.n_channels_, self.n_times_ = X.shape[1:]
            elif X.shape[1:] != (self.n_channels_, self.n_times_):
                raise ValueError(f"{type(self).__name__} was fitted on windows of "
                                 f"{(self.n_channels_, self.n_times_)}, got {X.shape[1:]}")
            return X
        if np.ndim(X) != 3:
            raise ValueError(f"{type(self).__name__} expects windows of shape "
                             f"(n_windows, n_channels, n_samples), got shape {np.shape(X)}")
        X = check_array(X, allow_nd=True, dtype=(np.float64, np.float32), estimator=self)
        if reset:
            self.n_channels_, self.n_times_ = X.shape[1:]
        elif X.shape[1:] != (self.n_channels_, self.n_times_):
            raise ValueError(f"{type(self).__name__} was fitted on windows of "
                             f"{(self.n_channels_, self.n_times_)}, got {X.shape[1:]}")
        return X

    def fit(self, X, y=None):
        """Check the parameters and record the window shape.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples)
        y : None
            Ignored.

        Returns
        -------
        self
        """
        self._check_params()
        self._check_windows(X, reset=True)
        return self

    def transform(self, X):
        """Compute the features of every window.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples) | WindowView
            Windows; a :class:`~biosig.windows.WindowView` is read a chunk at
            a time.

        Returns
        -------
        features : ndarray, shape (n_windows, n_features)
            Ordered by channel, then as ``get_feature_names_out`` lists them.
        """
        check_is_fitted(self, "n_channels_")
        X = self._check_windows(X, reset=False)
        if not isinstance(X, WindowView):
            return self._compute(X)
        parts = [self._compute(check_array(chunk, allow_nd=True, estimator=self))
                 for chunk in X.chunks(_CHUNK)]
        if not parts:
            raise ValueError(f"{type(self).__name__}: no windows to transform")
        return np.concatenate(parts)

    def _channel_names(self):
        names = getattr(self, "ch_names", None)
        if names is None:
            return [f"ch{i}" for i in range(self.n_channels_)]
        if len(names) != self.n_channels_:
            raise ValueError(f"{len(names)} ch_names given for {self.n_channels_} channels")
        return list(names)

    def get_feature_names_out(self, input_features=None):
        """Feature names ``<channel>_<feature>``.

        Returns
        -------
        names : ndarray of str
        """
        check_is_fitted(self, "n_channels_")
        return np.array([f"{ch}_{s}" for ch in self._channel_names()
                         for s in self._feature_suffixes()], dtype=object)
