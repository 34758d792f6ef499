"""Decision thresholds tuned on a validation split, for one class of interest."""

import numpy as np
from sklearn.metrics import f1_score

__all__ = ["predict_with_threshold", "tune_threshold"]


def tune_threshold(y_true, proba, classes, target, *, metric=None, grid=None):
    """Find the probability threshold for ``target`` that maximises a metric.

    The rule is: predict ``target`` when its probability reaches the
    threshold, otherwise the most probable other class. Tune it on a
    validation split, never on the test set.

    Parameters
    ----------
    y_true : array-like, shape (n,)
    proba : ndarray, shape (n, n_classes)
        Validation probabilities, columns in ``classes`` order.
    classes : array-like
        The estimator's ``classes_``.
    target : label
        The class of interest, e.g. ``"S"``.
    metric : callable | None
        ``metric(y_true, y_pred)``; defaults to the F1 of ``target``.
    grid : array-like | None
        Thresholds tried; by default 99 values from 0.01 to 0.99.

    Returns
    -------
    threshold : float
    score : float
        The metric at that threshold.
    """
    y_true, classes = np.asarray(y_true), np.asarray(classes)
    if target not in classes:
        raise ValueError(f"target {target!r} is not among the classes {classes.tolist()}")
    if metric is None:
        def metric(t, p):
            return f1_score(t, p, labels=[target], average="macro", zero_division=0)
    grid = np.linspace(0.01, 0.99, 99) if grid is None else np.asarray(grid)
    scores = [metric(y_true, predict_with_threshold(proba, classes, target, t)) for t in grid]
    best = int(np.argmax(scores))
    return float(grid[best]), float(scores[best])


def predict_with_threshold(proba, classes, target, threshold):
    """Predict ``target`` where its probability reaches ``threshold``, else the best other class.

    Returns
    -------
    y_pred : ndarray, shape (n,)
    """
    proba, classes = np.asarray(proba), np.asarray(classes)
    column = int(np.flatnonzero(classes == target)[0])
    others = proba.copy()
    others[:, column] = -np.inf
    pred = classes[np.argmax(others, axis=1)]
    return np.where(proba[:, column] >= threshold, target, pred)
