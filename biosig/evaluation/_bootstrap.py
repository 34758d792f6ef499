"""Bootstrap confidence intervals that resample whole groups (records, subjects)."""

import numpy as np
from sklearn.utils import check_random_state
from tqdm.auto import tqdm

__all__ = ["bootstrap_ci"]


def bootstrap_ci(metric, y_true, y_pred, groups, y_score=None, *, n_resamples=1000,
                 confidence=0.95, random_state=None, progress=False):
    """Percentile bootstrap confidence intervals, resampling groups rather than windows.

    Windows of one record or subject are correlated; resampling them one by
    one would make intervals far too narrow. Here each resample draws as many
    groups as there are, with replacement, and keeps all their windows.

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
    rng = check_random_state(random_state)
    names, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(names))]
    draws = {}
    for _ in tqdm(range(n_resamples), desc="bootstrap", disable=not progress):
        chosen = rng.randint(0, len(names), len(names))
        index = np.concatenate([members[g] for g in chosen])
        value = metric(y_true[index], y_pred[index], None if y_score is None else y_score[index])
        for key, v in (value.items() if isinstance(value, dict) else [("value", value)]):
            draws.setdefault(key, [])
            if v is not None and np.isfinite(v):
                draws[key].append(float(v))
    tail = 100 * (1 - confidence) / 2
    return {key: (tuple(np.percentile(v, [tail, 100 - tail]).tolist())
                  if len(v) >= n_resamples / 2 else (None, None))
            for key, v in draws.items()}
