"""Hjorth parameters: activity, mobility, complexity."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._validation import channel_names, check_windows

__all__ = ["Hjorth"]


class Hjorth(TransformerMixin, BaseEstimator):
    """Hjorth (1970) activity, mobility and complexity of each channel.

    Activity is the variance of the signal, mobility ``sqrt(var(x') / var(x))``
    and complexity ``mobility(x') / mobility(x)``, with derivatives taken as
    first differences.

    Parameters
    ----------
    ch_names : list of str | None
        Channel names used in feature names.

    Attributes
    ----------
    n_channels_, n_times_ : int
        Shape of the windows seen in ``fit``.
    """

    def __init__(self, ch_names=None):
        self.ch_names = ch_names

    def fit(self, X, y=None):
        """Record the window shape.

        Returns
        -------
        self : Hjorth
        """
        check_windows(X, self, reset=True)
        return self

    def transform(self, X):
        """Compute the three parameters.

        Returns
        -------
        features : ndarray, shape (n_windows, n_channels * 3)
        """
        check_is_fitted(self, "n_channels_")
        X = check_windows(X, self, reset=False)
        d1 = np.diff(X, axis=-1)
        d2 = np.diff(d1, axis=-1)
        var0, var1, var2 = X.var(axis=-1), d1.var(axis=-1), d2.var(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mobility = np.sqrt(var1 / var0)
            complexity = np.sqrt(var2 / var1) / mobility
        return np.stack([var0, mobility, complexity], axis=-1).reshape(len(X), -1)

    def get_feature_names_out(self, input_features=None):
        """Feature names ``<channel>_hjorth_<parameter>``."""
        check_is_fitted(self, "n_channels_")
        return np.array([f"{ch}_hjorth_{p}" for ch in channel_names(self)
                         for p in ("activity", "mobility", "complexity")], dtype=object)
