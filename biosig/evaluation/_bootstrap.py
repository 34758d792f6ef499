"""Bootstrap confidence intervals that resample whole groups (records, subjects)."""

import numpy as np
from sklearn.utils import check_random_state
from tqdm.auto import tqdm

from ._group_statistics import GroupStatistics
from ._seizure import summarise_events

__all__ = ["bootstrap_ci", "bootstrap_metrics", "group_resamples"]


def group_resamples(n_groups, n_resamples, random_state=None):
    """Draw counts of groups in each bootstrap resample.

    Each resample draws ``n_groups`` groups with replacement. The draws are
    those of :func:`bootstrap_ci` for the same ``random_state``.

    Parameters
    ----------
    n_groups : int
    n_resamples : int
    random_state : int | RandomState | None

    Returns
    -------
    counts : ndarray of float, shape (n_resamples, n_groups)
        How often each group is drawn in each resample.
    """
    rng = check_random_state(random_state)
    counts = np.empty((n_resamples, n_groups))
    for r in range(n_resamples):
        counts[r] = np.bincount(rng.randint(0, n_groups, n_groups), minlength=n_groups)
    return counts


def _interval(values, n_resamples, confidence):
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if len(values) < n_resamples / 2:
        return (None, None)
    tail = 100 * (1 - confidence) / 2
    return tuple(np.percentile(values, [tail, 100 - tail]).tolist())


def bootstrap_ci(metric, y_true, y_pred, groups, y_score=None, *, n_resamples=1000,
                 confidence=0.95, random_state=None, progress=False):
    """Percentile bootstrap confidence intervals of any metric, resampling groups.

    Windows of one record or subject are correlated; resampling them one by
    one would make intervals far too narrow. Here each resample draws as many
    groups as there are, with replacement, and keeps all their windows. The
    metric is computed again on the windows of every resample; for the
    metrics of :func:`classification_metrics`, :func:`bootstrap_metrics`
    gives the same intervals from per-group sums, far faster.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_pred, y_score)`` returning a float or a dict of
        floats (None for undefined values, which are skipped).
    y_true, y_pred : array-like, shape (n_windows,)
    groups : array-like, shape (n_windows,)
        The record or subject of each window.
    y_score : ndarray, shape (n_windows, n_classes) | None
    n_resamples : int
    confidence : float
        Interval coverage, e.g. 0.95.
    random_state : int | None
    progress : bool
        Show a progress bar.

    Returns
    -------
    intervals : dict
        ``{name: (low, high)}`` for a dict-valued metric, or ``{"value": (low,
        high)}``; (None, None) where fewer than half of the resamples gave a
        value.
    """
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    names, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(names))]
    counts = group_resamples(len(names), n_resamples, random_state)
    draws = {}
    for row in tqdm(counts, desc="bootstrap", disable=not progress):
        index = np.concatenate([np.tile(members[g], int(c)) for g, c in enumerate(row) if c])
        value = metric(y_true[index], y_pred[index], None if y_score is None else y_score[index])
        for key, v in (value.items() if isinstance(value, dict) else [("value", value)]):
            draws.setdefault(key, []).append(np.nan if v is None else float(v))
    return {key: _interval(v, n_resamples, confidence) for key, v in draws.items()}


def bootstrap_metrics(y_true, y_pred, groups, y_score=None, *, labels=None, classes=None,
                      events=None, n_resamples=1000, confidence=0.95, random_state=None,
                      pr_auc=True):
    """Bootstrap intervals of every metric of :func:`classification_metrics`.

    Resamples whole groups as :func:`bootstrap_ci` does, with the same draws
    for the same ``random_state``, and gives the same intervals; but each
    resample is a weighted sum of per-group statistics (confusion matrices,
    ranked pairs for ROC-AUC, the score order for average precision) rather
    than a new pass over its windows.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n_windows,)
    groups : array-like, shape (n_windows,)
        The record or subject of each window.
    y_score : ndarray, shape (n_windows, n_classes) | None
        Class probabilities, columns in ``classes`` order; needed for AUCs.
    labels, classes : list | None
        As for :func:`classification_metrics`.
    events : pandas.DataFrame | None
        Per-record seizure event counts from :func:`seizure_event_counts`;
        each of its records must belong to one group (its ``group`` column,
        else the record itself).
    n_resamples : int
    confidence : float
    random_state : int | RandomState | None
    pr_auc : bool
        Also resample the average precision (costs a pass over the windows
        per resample and class).

    Returns
    -------
    intervals : dict
        Shaped like the output of :func:`classification_metrics`: each
        scalar metric and each ``per_class`` statistic is a ``(low, high)``
        pair, (None, None) where fewer than half of the resamples define it;
        with ``events``, an ``events`` dict of the event metrics.
    """
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    if labels is None:
        labels = np.unique(np.concatenate([y_true.astype(str), y_pred.astype(str)])).tolist()
    names, inverse = np.unique(groups.astype(str), return_inverse=True)
    stats = GroupStatistics(y_true, y_pred, inverse, len(names), y_score, labels=labels,
                            classes=classes, pr_auc=pr_auc)
    counts = group_resamples(len(names), n_resamples, random_state)
    draws = stats.metrics(counts)

    def interval(values):
        return _interval(values, n_resamples, confidence)

    out = {k: interval(v) for k, v in draws.items() if k != "per_class"}
    out["per_class"] = {label: {k: interval(v) for k, v in stats_.items() if k != "support"}
                        for label, stats_ in draws["per_class"].items()}
    if events is not None:
        owner = events["group"] if "group" in events else events.index.to_series()
        position = {name: i for i, name in enumerate(names)}
        unknown = sorted(set(owner.astype(str)) - set(position))
        if unknown:
            raise ValueError(f"event records {unknown[:5]} belong to no group of the windows")
        table = events.drop(columns=["group"], errors="ignore")
        per_group = np.zeros((len(names), table.shape[1]))
        np.add.at(per_group, [position[str(o)] for o in owner], table.to_numpy(np.float64))
        sums = dict(zip(table.columns, (counts @ per_group).T))
        out["events"] = {k: interval(v) for k, v in summarise_events(sums).items()}
    return out
