"""Input checks shared by the window feature extractors."""

import numpy as np

__all__ = []


def check_windows(X, estimator, reset):
    """Validate a (n_windows, n_channels, n_samples) array and track its shape."""
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(
            f"{type(estimator).__name__} expects windows of shape "
            f"(n_windows, n_channels, n_samples), got shape {X.shape}"
        )
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    if not np.isfinite(X).all():
        raise ValueError(f"{type(estimator).__name__}: input contains NaN or infinity")
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
