"""Input checks shared by the window feature extractors."""

import numpy as np
from sklearn.utils import check_array

__all__ = []


def check_windows(X, estimator, reset):
    """Validate a (n_windows, n_channels, n_samples) array and track its shape."""
    if np.ndim(X) != 3:
        raise ValueError(
            f"{type(estimator).__name__} expects windows of shape "
            f"(n_windows, n_channels, n_samples), got shape {np.shape(X)}"
        )
    X = check_array(X, allow_nd=True, dtype=(np.float64, np.float32), estimator=estimator)
    if reset:
        estimator.n_channels_, estimator.n_times_ = X.shape[1:]
    elif X.shape[1:] != (estimator.n_channels_, estimator.n_times_):
        raise ValueError(
            f"{type(estimator).__name__} was fitted on windows of "
            f"{(estimator.n_channels_, estimator.n_times_)}, got {X.shape[1:]}"
        )
    return X


def channel_names(estimator):
    names = getattr(estimator, "ch_names", None)
    if names is None:
        return [f"ch{i}" for i in range(estimator.n_channels_)]
    if len(names) != estimator.n_channels_:
        raise ValueError(f"{len(names)} ch_names given for {estimator.n_channels_} channels")
    return list(names)
