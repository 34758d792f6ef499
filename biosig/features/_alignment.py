"""Euclidean alignment of EEG trials, one reference per subject (He & Wu 2019)."""

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..windows import WindowView

__all__ = ["EuclideanAlignment"]

#: Windows read at a time from a WindowView.
_CHUNK = 1024


def _inverse_sqrt(reference, reg, group):
    """``reference ** -1/2`` of a symmetric positive-definite matrix, through its eigenvalues."""
    n = len(reference)
    if reg:
        reference = reference + reg * np.trace(reference) / n * np.eye(n)
    values, vectors = scipy.linalg.eigh(reference)
    if not values[0] > values[-1] * 1e-12:  # also catches NaN
        raise ValueError(f"EuclideanAlignment: the mean covariance of group {group!r} is not "
                         f"positive definite (eigenvalues {values[0]:.3g} to {values[-1]:.3g}); "
                         "its channels are linearly dependent (a common average reference, a "
                         "flat or duplicated channel) or it has too few samples: drop a channel "
                         "or set reg > 0")
    return (vectors / np.sqrt(values)) @ vectors.T


def _read(X, rows):
    """Windows ``rows`` of X as float64, from a WindowView or an array."""
    if isinstance(X, WindowView):
        return X.take(rows).astype(np.float64)
    return np.asarray(X[rows], dtype=np.float64)


def _check(X):
    if np.ndim(X) != 3:
        raise ValueError("EuclideanAlignment expects windows of shape (n_windows, n_channels, "
                         f"n_samples), got shape {np.shape(X)}")
    if not isinstance(X, WindowView):
        X = np.asarray(X)
        if not np.issubdtype(X.dtype, np.number):
            raise ValueError(f"EuclideanAlignment expects numeric windows, got {X.dtype}")
    return X


class EuclideanAlignment(TransformerMixin, BaseEstimator):
    """Align the EEG trials of each subject on the identity (Euclidean alignment).

    He & Wu (2019), "Transfer learning for brain-computer interfaces: a
    Euclidean space data alignment approach", IEEE TBME 67(2): for each
    subject (any group of windows: subject, session), the reference
    ``R = mean_i X_i X_i^T / T`` is the mean of its trial covariances, and
    each trial becomes ``R^{-1/2} X_i``. The mean covariance of every
    subject's aligned trials is then the identity, which removes much of
    the shift between subjects before a cross-subject model sees them.

    The alignment uses no labels, so it is as legal on a test subject as on
    a training one. **It is transductive per subject**: a subject that
    :meth:`fit` has not seen (a test subject) is aligned, in
    :meth:`transform`, on its own trials in that call, and on nothing
    else: neither the training subjects nor the other test subjects in the
    same call change its result. A subject that :meth:`fit` has seen keeps
    the reference learned from its fitted trials. Transform a test subject
    with all its trials at once (the study engine does: it predicts a
    fold's whole test side in one pass, with each window's subject).

    Parameters
    ----------
    reg : float
        Ridge added to each reference, as a share of its mean eigenvalue:
        ``R + reg * trace(R) / C * I``. 0 (He & Wu's alignment) needs
        full-rank trials; a small value (1e-3) aligns rank-deficient ones
        (common average reference) approximately.

    Attributes
    ----------
    groups_ : ndarray
        The groups seen in :meth:`fit`, sorted; ``[None]`` when fitted
        without groups (all windows one group).
    references_ : ndarray of float64, shape (n_groups, n_channels, n_channels)
        ``R^{-1/2}`` of each of ``groups_``.
    n_channels_ : int
        Channels of the windows seen in :meth:`fit`.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).standard_normal((40, 4, 100))
    >>> subjects = np.repeat(["S1", "S2"], 20)
    >>> aligned = EuclideanAlignment().fit_transform(X, groups=subjects)
    >>> covs = np.einsum("nct,ndt->ncd", aligned[:20], aligned[:20]) / 100
    >>> bool(np.allclose(covs.mean(axis=0), np.eye(4), atol=1e-4))
    True
    """

    def __init__(self, reg=0.0):
        self.reg = reg

    def _groups(self, groups, n):
        if groups is None:
            return None
        groups = np.asarray(groups)
        if groups.shape != (n,):
            raise ValueError(f"EuclideanAlignment: {groups.shape[0] if groups.ndim else 0} "
                             f"groups for {n} windows")
        return groups

    def _reference(self, X, rows, group):
        """``R^{-1/2}`` of the windows ``rows`` of X."""
        total = 0.0
        for start in range(0, len(rows), _CHUNK):
            trials = _read(X, rows[start:start + _CHUNK])
            total = total + np.einsum("nct,ndt->cd", trials, trials, optimize=True)
        reference = total / (len(rows) * X.shape[2])
        with threadpool_limits(1, user_api="blas"):  # one channel-by-channel matrix
            return _inverse_sqrt(reference, self.reg, group)

    def fit(self, X, y=None, groups=None):
        """Learn the reference of every group.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples) | WindowView
        y : None
            Ignored: the alignment uses no labels.
        groups : array-like, shape (n_windows,) | None
            The subject (or session) of each window; None: all one group.

        Returns
        -------
        self
        """
        if not float(self.reg) >= 0:
            raise ValueError(f"EuclideanAlignment: reg = {self.reg!r} must be 0 or more")
        X = _check(X)
        groups = self._groups(groups, len(X))
        if groups is None:
            self.groups_ = np.array([None], dtype=object)
            self.references_ = self._reference(X, np.arange(len(X)), None)[None]
        else:
            self.groups_ = np.unique(groups)
            self.references_ = np.stack([self._reference(X, np.flatnonzero(groups == g), g)
                                         for g in self.groups_])
        self.n_channels_ = X.shape[1]
        return self

    def transform(self, X, groups=None):
        """Align every window on its group's reference.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples) | WindowView
        groups : array-like, shape (n_windows,) | None
            The subject of each window. A group seen in :meth:`fit` takes
            its fitted reference; any other is aligned on its own windows of
            this ``X``. Required when :meth:`fit` had groups; None when it
            had none (every window then takes the one fitted reference).

        Returns
        -------
        aligned : ndarray of float32, shape (n_windows, n_channels, n_samples) | WindowView
            A WindowView (over the aligned windows, carrying the input's
            tabular features) when ``X`` is one.
        """
        check_is_fitted(self, "references_")
        X = _check(X)
        if X.shape[1] != self.n_channels_:
            raise ValueError(f"EuclideanAlignment was fitted on {self.n_channels_} channels, "
                             f"got {X.shape[1]}")
        groups = self._groups(groups, len(X))
        fitted_without = self.groups_[0] is None
        if groups is None and not fitted_without:
            raise ValueError("EuclideanAlignment was fitted with groups: transform needs the "
                             "group (subject) of every window")
        out = np.empty(X.shape, dtype=np.float32)
        if groups is None:
            parts = [(np.arange(len(X)), self.references_[0])]
        else:
            known = {g: k for k, g in enumerate(self.groups_)}
            parts = [(rows, self.references_[known[g]] if g in known
                      else self._reference(X, rows, g))
                     for g in np.unique(groups) for rows in [np.flatnonzero(groups == g)]]
        for rows, matrix in parts:
            for start in range(0, len(rows), _CHUNK):
                block = rows[start:start + _CHUNK]
                out[block] = np.einsum("cd,ndt->nct", matrix, _read(X, block))
        if isinstance(X, WindowView):
            return WindowView(out, features=X.features, feature_names=X.feature_names)
        return out

    def fit_transform(self, X, y=None, groups=None):
        """Fit, then align the same windows.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples) | WindowView
        y : None
            Ignored.
        groups : array-like, shape (n_windows,) | None

        Returns
        -------
        aligned : ndarray of float32 | WindowView
        """
        return self.fit(X, y, groups=groups).transform(X, groups=groups)
