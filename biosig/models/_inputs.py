"""How a window network takes its input: raw windows, optionally with tabular features."""

import numpy as np

__all__ = ["pack_inputs", "unpack_inputs"]


def pack_inputs(X, features=None):
    """Pack windows and per-window tabular features into one 2-D array.

    scikit-learn passes a single ``X`` through pipelines, splitters and
    ``cross_validate``; packing lets a network that reads the raw window
    *and* tabular features (RR intervals, wavelet statistics, ...) take one.

    Parameters
    ----------
    X : ndarray, shape (n_windows, n_channels, n_samples)
    features : ndarray, shape (n_windows, n_features) | None

    Returns
    -------
    packed : ndarray of float32, shape (n_windows, n_channels * n_samples + n_features)
        Give the network ``window_shape=(n_channels, n_samples)`` to unpack it.
    """
    X = np.asarray(X, dtype=np.float32)
    parts = [X.reshape(len(X), -1)]
    if features is not None:
        features = np.asarray(features, dtype=np.float32)
        if len(features) != len(X):
            raise ValueError(f"{len(features)} feature rows for {len(X)} windows")
        parts.append(features.reshape(len(X), -1))
    return np.concatenate(parts, axis=1)


def unpack_inputs(X, window_shape):
    """Split model input into windows (n, channels, samples) and features (n, k) or None.

    Without ``window_shape``, a 2-D ``X`` holds one single-channel window per row.
    """
    X = np.asarray(X)
    if X.ndim >= 3:  # windows (n, channels, samples), or images (n, channels, scales, time)
        if window_shape is not None and tuple(X.shape[1:]) != tuple(window_shape):
            raise ValueError(f"windows of shape {X.shape[1:]} do not match window_shape={tuple(window_shape)}")
        return X.astype(np.float32, copy=False), None
    if X.ndim != 2:
        raise ValueError("expected windows of shape (n_windows, n_channels, n_samples), "
                         "single-channel windows (n_windows, n_samples), or a 2-D array from "
                         f"pack_inputs with window_shape set; got shape {X.shape}")
    if window_shape is None:  # one single-channel window per row
        return X[:, np.newaxis, :].astype(np.float32, copy=False), None
    size = int(np.prod(window_shape))
    if X.shape[1] < size:
        raise ValueError(f"input has {X.shape[1]} columns, fewer than the window's {size}")
    windows = X[:, :size].reshape(len(X), *window_shape).astype(np.float32, copy=False)
    features = X[:, size:].astype(np.float32, copy=False) if X.shape[1] > size else None
    return windows, features
