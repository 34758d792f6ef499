"""Splitters that keep every group (record, subject) on one side."""

import numpy as np
from sklearn.model_selection import BaseCrossValidator

__all__ = ["InterPatientSplit"]


class InterPatientSplit(BaseCrossValidator):
    """One train/test split from two fixed lists of groups.

    The inter-patient protocol of de Chazal et al. (2004) trains on the MIT-BIH
    records of DS1 and tests on those of DS2. Windows whose group is on
    neither list are left out of both sides.

    Parameters
    ----------
    train_groups, test_groups : list of str
        Groups (e.g. record ids) of each side. A group on both lists is an
        error.
    """

    def __init__(self, train_groups, test_groups):
        self.train_groups = train_groups
        self.test_groups = test_groups

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return 1: the split is fixed."""
        return 1

    def split(self, X, y=None, groups=None):
        """Yield the indices of the train and test windows.

        Parameters
        ----------
        X : array-like, shape (n_windows, ...)
        y : ignored
        groups : array-like, shape (n_windows,)
            Group of each window; required.

        Yields
        ------
        train, test : ndarray of int
        """
        if groups is None:
            raise ValueError("InterPatientSplit needs groups (the record or subject of each window)")
        train_groups = [str(g) for g in self.train_groups]
        test_groups = [str(g) for g in self.test_groups]
        shared = sorted(set(train_groups) & set(test_groups))
        if shared:
            raise ValueError(f"groups on both sides of the split: {shared}")
        groups = np.asarray(groups).astype(str)
        if len(groups) != len(X):
            raise ValueError(f"{len(groups)} groups for {len(X)} windows")
        train = np.flatnonzero(np.isin(groups, train_groups))
        test = np.flatnonzero(np.isin(groups, test_groups))
        if len(train) == 0 or len(test) == 0:
            side = "train" if len(train) == 0 else "test"
            raise ValueError(f"no window belongs to the {side} groups")
        yield train, test

    def _iter_test_indices(self, X=None, y=None, groups=None):
        for _, test in self.split(X, y, groups):
            yield test
