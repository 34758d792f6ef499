"""Hjorth parameters: activity, mobility, complexity."""

import numpy as np

from ._base import WindowTransformer

__all__ = ["Hjorth"]


class Hjorth(WindowTransformer):
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

    def _compute(self, X):
        d1 = np.diff(X, axis=-1)
        d2 = np.diff(d1, axis=-1)
        var0, var1, var2 = X.var(axis=-1), d1.var(axis=-1), d2.var(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mobility = np.sqrt(var1 / var0)
            complexity = np.sqrt(var2 / var1) / mobility
        return np.stack([var0, mobility, complexity], axis=-1).reshape(len(X), -1)

    def _feature_suffixes(self):
        return ["hjorth_activity", "hjorth_mobility", "hjorth_complexity"]
