"""Feature vectors standardised per subject, on each subject's own windows."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.utils.validation import check_array, check_is_fitted

__all__ = ["GroupScaler"]

_SCALERS = {"robust": RobustScaler(), "standard": StandardScaler()}


class GroupScaler(TransformerMixin, BaseEstimator):
    """Scale the feature vectors of each subject on that subject's own statistics.

    Features of ECG beats or EEG trials shift from one subject to the next
    (electrode placement, heart rate, body shape) more than between classes
    within one subject. Centring and scaling each subject's vectors on their
    own median and interquartile range (``method="robust"``) or mean and
    standard deviation (``"standard"``) describes each window relative to
    its subject's usual one: for ECG, a beat against the patient's own
    dominant (normal) beat, as cardiologists read it.

    No labels are used, so it is as legal on a test subject as on a
    training one, and **transductive per subject**, as
    :class:`EuclideanAlignment` is: a subject that :meth:`fit` has not seen
    is scaled, in :meth:`transform`, on its own windows of that call and on
    nothing else; a subject :meth:`fit` has seen keeps its fitted
    statistics. Transform a test subject with all its windows at once (the
    study engine does).

    Parameters
    ----------
    method : {"robust", "standard"}
        scikit-learn's :class:`~sklearn.preprocessing.RobustScaler` (median,
        interquartile range; robust to a minority of abnormal windows) or
        :class:`~sklearn.preprocessing.StandardScaler`, fitted per subject.

    Attributes
    ----------
    groups_ : ndarray
        The subjects seen in :meth:`fit`, sorted.
    scalers_ : list of sklearn transformer
        The fitted scaler of each of ``groups_``.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0], [2.0], [3.0], [10.0], [20.0], [30.0]])
    >>> GroupScaler().fit_transform(X, groups=[0, 0, 0, 1, 1, 1]).ravel()
    array([-1.,  0.,  1., -1.,  0.,  1.], dtype=float32)
    """

    def __init__(self, method="robust"):
        self.method = method

    def _groups(self, groups, n):
        if groups is None:
            raise ValueError("GroupScaler needs the subject (groups) of every window")
        groups = np.asarray(groups)
        if groups.shape != (n,):
            raise ValueError(f"GroupScaler: {groups.shape[0] if groups.ndim else 0} groups for "
                             f"{n} windows")
        return groups

    def _scaler(self, X):
        return clone(_SCALERS[self.method]).fit(X)

    def fit(self, X, y=None, groups=None):
        """Fit the scaler of every subject on its windows.

        Parameters
        ----------
        X : array-like, shape (n_windows, n_features)
        y : None
            Ignored: no labels are used.
        groups : array-like, shape (n_windows,)
            The subject of each window.

        Returns
        -------
        self
        """
        if self.method not in _SCALERS:
            raise ValueError(f"GroupScaler: method must be one of {sorted(_SCALERS)}, not "
                             f"{self.method!r}")
        X = check_array(X, dtype=(np.float64, np.float32))
        groups = self._groups(groups, len(X))
        self.groups_ = np.unique(groups)
        self.scalers_ = [self._scaler(X[groups == g]) for g in self.groups_]
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X, groups=None):
        """Scale each window on its subject's statistics.

        Parameters
        ----------
        X : array-like, shape (n_windows, n_features)
        groups : array-like, shape (n_windows,)
            The subject of each window. A subject seen in :meth:`fit` takes
            its fitted statistics; any other is scaled on its own windows of
            this ``X``.

        Returns
        -------
        X_scaled : ndarray of float32, shape (n_windows, n_features)
        """
        check_is_fitted(self, "scalers_")
        X = check_array(X, dtype=(np.float64, np.float32))
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"GroupScaler was fitted on {self.n_features_in_} features, got "
                             f"{X.shape[1]}")
        groups = self._groups(groups, len(X))
        known = dict(zip(self.groups_, self.scalers_))
        out = np.empty(X.shape, dtype=np.float32)
        for g in np.unique(groups):
            rows = groups == g
            scaler = known[g] if g in known else self._scaler(X[rows])
            out[rows] = scaler.transform(X[rows])
        return out

    def fit_transform(self, X, y=None, groups=None):
        """Fit, then scale the same windows.

        Parameters
        ----------
        X : array-like, shape (n_windows, n_features)
        y : None
            Ignored.
        groups : array-like, shape (n_windows,)

        Returns
        -------
        X_scaled : ndarray of float32, shape (n_windows, n_features)
        """
        return self.fit(X, y, groups=groups).transform(X, groups=groups)
