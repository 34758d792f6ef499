"""Splitters that keep every group (record, subject) on one side."""

import numpy as np
from sklearn.model_selection import BaseCrossValidator

__all__ = ["ChronologicalSplit", "InterPatientSplit", "LeaveOneSeizureOut", "SessionSplit",
           "session_groups"]


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


class SessionSplit(BaseCrossValidator):
    """Train on some sessions, test on others, within each subject (BCI IV: T -> E).

    Groups are ``"<subject>/<session>"`` strings (see :func:`session_groups`).
    With ``per_subject=True`` there is one fold per subject: its training
    sessions against its test sessions, the classic within-subject
    session-to-session protocol. With False, one fold pools every subject's
    training sessions against every test session.

    Parameters
    ----------
    train_sessions, test_sessions : list of str
        Session names of each side, e.g. ``["T"]`` and ``["E"]``.
    per_subject : bool
        One fold per subject, or one pooled fold.
    separator : str
        Separator between subject and session in the groups.
    """

    def __init__(self, train_sessions=("T",), test_sessions=("E",), *, per_subject=True,
                 separator="/"):
        self.train_sessions = train_sessions
        self.test_sessions = test_sessions
        self.per_subject = per_subject
        self.separator = separator

    def _parts(self, groups):
        if groups is None:
            raise ValueError("SessionSplit needs groups '<subject>/<session>'")
        parts = [str(g).rsplit(self.separator, 1) for g in groups]
        if any(len(p) != 2 for p in parts):
            raise ValueError(f"SessionSplit: groups must read '<subject>{self.separator}<session>'")
        subjects, sessions = (np.array(x, dtype=object) for x in zip(*parts))
        overlap = set(self.train_sessions) & set(self.test_sessions)
        if overlap:
            raise ValueError(f"sessions on both sides of the split: {sorted(overlap)}")
        return subjects, sessions

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds: the subjects with both sides, or 1 when pooled."""
        if not self.per_subject:
            return 1
        return sum(1 for _ in self.split(np.zeros(len(groups)), groups=groups))

    def split(self, X, y=None, groups=None):
        """Yield train and test indices; see the class description."""
        subjects, sessions = self._parts(groups)
        train_mask = np.isin(sessions, list(self.train_sessions))
        test_mask = np.isin(sessions, list(self.test_sessions))
        if not self.per_subject:
            if train_mask.any() and test_mask.any():
                yield np.flatnonzero(train_mask), np.flatnonzero(test_mask)
            return
        for subject in dict.fromkeys(subjects):
            mine = subjects == subject
            train, test = np.flatnonzero(mine & train_mask), np.flatnonzero(mine & test_mask)
            if len(train) and len(test):
                yield train, test

    def _iter_test_indices(self, X=None, y=None, groups=None):
        for _, test in self.split(X, y, groups):
            yield test


def session_groups(windows, separator="/"):
    """Return ``"<subject>/<session>"`` of each window, for :class:`SessionSplit`."""
    return np.array([f"{s}{separator}{t}" for s, t in
                     zip(windows.meta["subject"], windows.meta["session"])], dtype=object)


class ChronologicalSplit(BaseCrossValidator):
    """Within each record, train on its beginning and test on its end.

    For patient-specific seizure or arrhythmia studies where a model of one
    patient must predict that patient's future. Windows must be in time order
    within each record (as the samplers give them). ``gap`` windows between
    the two parts are dropped, so overlapping windows cannot straddle them.

    Parameters
    ----------
    test_fraction : float
        Share of each record's windows, at its end, that is tested.
    gap : int
        Windows dropped between the training and test parts of each record.
    """

    def __init__(self, test_fraction=0.3, *, gap=0):
        self.test_fraction = test_fraction
        self.gap = gap

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return 1."""
        return 1

    def split(self, X, y=None, groups=None):
        """Yield train and test indices. ``groups`` are the records."""
        if groups is None:
            raise ValueError("ChronologicalSplit needs groups (the record of each window)")
        if not 0 < self.test_fraction < 1:
            raise ValueError(f"test_fraction={self.test_fraction} must lie in (0, 1)")
        groups = np.asarray(groups)
        train, test = [], []
        for group in dict.fromkeys(groups.tolist()):
            index = np.flatnonzero(groups == group)
            cut = int(round(len(index) * (1 - self.test_fraction)))
            train.append(index[:max(cut - self.gap, 0)])
            test.append(index[cut:])
        yield np.concatenate(train), np.concatenate(test)

    def _iter_test_indices(self, X=None, y=None, groups=None):
        for _, test in self.split(X, y, groups):
            yield test


class LeaveOneSeizureOut(BaseCrossValidator):
    """Patient-specific protocol of CHB-MIT studies: each fold tests one seizure record.

    Call it on the windows of one patient, with ``groups`` the records (EDF
    files). Every record holding a ``positive`` window is tested once, with all
    the patient's other records for training (Shoeb 2010). Records without a
    seizure are only ever trained on.

    Parameters
    ----------
    positive : str
        Label of seizure windows.
    """

    def __init__(self, positive="ictal"):
        self.positive = positive

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of records holding a seizure."""
        return len(self._seizure_records(y, groups))

    def _seizure_records(self, y, groups):
        if y is None or groups is None:
            raise ValueError("LeaveOneSeizureOut needs y and groups (the record of each window)")
        groups, y = np.asarray(groups), np.asarray(y)
        return list(dict.fromkeys(groups[y == self.positive].tolist()))

    def split(self, X, y=None, groups=None):
        """Yield train and test indices, one fold per seizure record."""
        records = self._seizure_records(y, groups)
        if not records:
            raise ValueError(f"no window is labelled {self.positive!r}: nothing to leave out")
        groups = np.asarray(groups)
        for record in records:
            yield np.flatnonzero(groups != record), np.flatnonzero(groups == record)

    def _iter_test_indices(self, X=None, y=None, groups=None):
        for _, test in self.split(X, y, groups):
            yield test
