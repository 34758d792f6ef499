"""The leakage guard: no subject or record on both sides of an evaluation."""

import warnings

import numpy as np

__all__ = ["LeakageError", "check_group_leakage"]


class LeakageError(ValueError):
    """A subject or record is on both the training and the test side."""


def check_group_leakage(cv, X, y=None, groups=None, *, allow_shared_groups=False):
    """Check every fold of ``cv`` for groups on both sides.

    Parameters
    ----------
    cv : cross-validator
        Anything with ``split(X, y, groups)``.
    X, y : array-like
    groups : array-like, shape (n_windows,)
        The subject (or record) of each window: the unit that must not leak.
    allow_shared_groups : bool
        Warn instead of raising; for datasets that publish no subject per
        segment (Bonn), where a shared group cannot be ruled out.

    Returns
    -------
    shared : list of list
        The groups found on both sides, per fold (empty lists when clean).

    Raises
    ------
    LeakageError
        Naming the fold and the shared groups, unless ``allow_shared_groups``.
    """
    if groups is None:
        raise LeakageError("the leakage guard needs groups (the subject or record of each window)")
    groups = np.asarray(groups)
    shared = []
    for fold, (train, test) in enumerate(cv.split(X, y, groups)):
        both = sorted(set(groups[train].tolist()) & set(groups[test].tolist()))
        shared.append(both)
        if both and not allow_shared_groups:
            shown = ", ".join(map(str, both[:10])) + (" ..." if len(both) > 10 else "")
            raise LeakageError(
                f"fold {fold}: {len(both)} group(s) on both the training and the test side "
                f"({shown}); windows of one subject or record would inform their own test. "
                "Use a group-aware splitter, or set allow_shared_groups = true in the recipe "
                "to run anyway with a warning in the report")
    if any(shared):
        warnings.warn(f"{sum(map(bool, shared))} fold(s) share groups between training and "
                      "test (allow_shared_groups)", UserWarning, stacklevel=2)
    return shared
