"""Rows of a window array selected without copying: how a corpus on disk enters scikit-learn."""

import numpy as np

__all__ = ["WindowView"]


class WindowView:
    """Some rows of a window array, held as indices into it rather than as a copy.

    scikit-learn's splitters, pipelines, ``cross_validate`` and
    ``GridSearchCV`` only index and pass on their ``X``; indexing a
    WindowView gives another WindowView over the same array, so a corpus in
    a memory-mapped store (:func:`~biosig.windows.read_windows`) goes
    through them without being read. biosig's feature extractors and
    networks read the windows in chunks or batches; anything else gets a
    plain array through ``numpy.asarray``, which reads every selected row.

    Parameters
    ----------
    X : ndarray, shape (n_windows, n_channels, n_samples)
        Windows, typically a read-only memory map.
    rows : array-like of int | None
        The rows of ``X`` in this view, in order; all when None.
    features : ndarray, shape (n_windows, n_features) | None
        Per-window tabular features aligned with ``X`` (e.g. RR intervals),
        which a network can take beside the windows.
    feature_names : list of str | None
        Names of the ``features`` columns.
    """

    def __init__(self, X, rows=None, *, features=None, feature_names=None):
        if np.ndim(X) < 3:
            raise ValueError(f"WindowView needs windows (n_windows, n_channels, n_samples), "
                             f"got shape {np.shape(X)}")
        self.base = X
        self.rows = (np.arange(len(X)) if rows is None
                     else np.asarray(rows, dtype=np.int64).reshape(-1))
        if features is not None and len(features) != len(X):
            raise ValueError(f"{len(features)} feature rows for {len(X)} windows")
        self.base_features = features
        self.feature_names = None if feature_names is None else list(feature_names)

    @property
    def shape(self):
        """tuple: ``(n_rows, *window_shape)``."""
        return (len(self.rows), *self.base.shape[1:])

    @property
    def ndim(self):
        return self.base.ndim

    @property
    def dtype(self):
        return np.dtype(np.float32)

    def __len__(self):
        return len(self.rows)

    def __repr__(self):
        return (f"<WindowView {len(self)} of {len(self.base)} windows of shape "
                f"{tuple(self.base.shape[1:])}"
                + (f", {self.base_features.shape[1]} features" if self.has_features else "") + ">")

    def __getitem__(self, key):
        """Select rows: integer indices, a boolean mask or a slice (with an optional ``...``)."""
        if isinstance(key, tuple):
            if len(key) == 2 and key[1] is Ellipsis:
                key = key[0]
            else:
                raise IndexError("a WindowView selects rows only; use numpy.asarray(view) "
                                 "for other indexing")
        if isinstance(key, (int, np.integer)):
            return self.take([key])[0]
        return WindowView(self.base, self.rows[key], features=self.base_features,
                          feature_names=self.feature_names)

    @property
    def has_features(self):
        """bool: whether tabular features travel with the windows."""
        return self.base_features is not None

    @property
    def features(self):
        """ndarray of float32, shape (n_rows, n_features) | None: the rows' tabular features."""
        if self.base_features is None:
            return None
        return np.asarray(self.base_features[self.rows], dtype=np.float32)

    def take(self, positions):
        """Read the windows at some positions of this view.

        Rows are read in increasing order (sequential on a memory map) and
        put back in the order asked.

        Parameters
        ----------
        positions : array-like of int
            Positions in this view (not rows of the base array).

        Returns
        -------
        windows : ndarray of float32, shape (len(positions), n_channels, n_samples)
        """
        rows = self.rows[np.asarray(positions, dtype=np.int64)]
        order = np.argsort(rows, kind="stable")
        out = np.empty((len(rows), *self.base.shape[1:]), dtype=np.float32)
        out[order] = self.base[rows[order]]
        return out

    def chunks(self, size=4096):
        """Yield the windows of the view in order, ``size`` at a time.

        Yields
        ------
        windows : ndarray of float32, shape (<= size, n_channels, n_samples)
        """
        for start in range(0, len(self), size):
            yield self.take(np.arange(start, min(start + size, len(self))))

    def __array__(self, dtype=None, copy=None):
        out = self.take(np.arange(len(self)))
        return out if dtype is None else out.astype(dtype, copy=False)
