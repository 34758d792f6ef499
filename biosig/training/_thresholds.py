"""Decision thresholds tuned on a validation split, for one class of interest."""

import inspect

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.metrics import f1_score
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
)
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.validation import check_is_fitted

__all__ = ["ClassThresholdClassifier", "predict_with_threshold", "tune_threshold"]


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


class ClassThresholdClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """A classifier whose decision threshold for one class is tuned on held-out groups.

    ``fit`` tunes the threshold of ``target`` with :func:`tune_threshold` on
    held-out probabilities, then trains ``estimator`` on all of the data.
    The held-out probabilities come from one copy of ``estimator`` trained on
    part of the data and applied to the rest (``cv=None``), or from ``cv``
    copies whose out-of-fold probabilities are pooled, so that every training
    window (every group) is tuned on once. Whole groups are held out when
    groups are given. ``predict`` applies the threshold with
    :func:`predict_with_threshold`; ``predict_proba`` is the estimator's.
    Nothing of a test set is ever used.

    Parameters
    ----------
    estimator : classifier
        With ``predict_proba``; ``groups`` reach its ``fit`` through
        scikit-learn's metadata routing when it is enabled (and directly
        when the estimator's ``fit`` takes them).
    target : label
        The class whose threshold is tuned, e.g. ``"S"``.
    cv : int | None
        Number of folds whose out-of-fold probabilities are pooled for the
        tuning (``GroupKFold`` with groups, at most one fold per group, else
        ``StratifiedKFold``); with None, one split holding out
        ``validation_fraction``.
    validation_fraction : float
        Share of groups (or windows) held out for tuning when ``cv`` is None.
    random_state : int | None
        Seed of the held-out split.

    Attributes
    ----------
    estimator_ : classifier
        Trained on all of ``X``.
    threshold_ : float
    validation_score_ : float
        The F1 of ``target`` at the threshold, on the held-out probabilities.
    classes_ : ndarray
    """

    __metadata_request__fit = {"groups": True}

    def __init__(self, estimator, target, *, cv=None, validation_fraction=0.2,
                 random_state=None):
        self.estimator = estimator
        self.target = target
        self.cv = cv
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def get_metadata_routing(self):
        """Route ``groups`` to the estimator's ``fit`` as well."""
        return (MetadataRouter(owner=type(self).__name__).add_self_request(self)
                .add(estimator=self.estimator,
                     method_mapping=MethodMapping().add(caller="fit", callee="fit")))

    def _fit_params(self, groups):
        if get_config()["enable_metadata_routing"]:
            routed = process_routing(self, "fit", groups=groups).estimator.fit
            return {k: v for k, v in routed.items() if v is not None}
        accepts = "groups" in inspect.signature(self.estimator.fit).parameters
        return {"groups": groups} if groups is not None and accepts else {}

    def fit(self, X, y, groups=None):
        """Tune the threshold on a held-out part, then train on everything.

        Parameters
        ----------
        X : array-like or WindowView
        y : array-like, shape (n,)
        groups : array-like, shape (n,) | None

        Returns
        -------
        self
        """
        y = np.asarray(y)
        if self.target not in set(y.tolist()):
            raise ValueError(f"ClassThresholdClassifier: no training window is labelled "
                             f"{self.target!r}")
        if groups is not None:
            groups = np.asarray(groups)
        params = self._fit_params(groups)
        classes = np.unique(y)
        held_out, proba = [], []
        for inner, val in self._splits(y, groups):
            tuner = clone(self.estimator).fit(
                _safe_indexing(X, inner), y[inner],
                **{k: _safe_indexing(v, inner) for k, v in params.items()})
            part = np.zeros((len(val), len(classes)), dtype=np.float32)
            part[:, np.searchsorted(classes, tuner.classes_)] = tuner.predict_proba(
                _safe_indexing(X, val))  # a class missing from this fit gets probability 0
            held_out.append(val)
            proba.append(part)
        held_out = np.concatenate(held_out)
        self.threshold_, self.validation_score_ = tune_threshold(
            y[held_out], np.concatenate(proba), classes, self.target)
        self.estimator_ = clone(self.estimator).fit(X, y, **params)
        self.classes_ = self.estimator_.classes_
        return self

    def _splits(self, y, groups):
        if self.cv is None:
            splitter = (GroupShuffleSplit if groups is not None else StratifiedShuffleSplit)(
                1, test_size=self.validation_fraction, random_state=self.random_state)
        elif groups is not None:
            n_groups = len(np.unique(groups))
            if n_groups < 2:
                raise ValueError("ClassThresholdClassifier: cv needs two groups or more to hold "
                                 f"out; the training data has {n_groups}")
            splitter = GroupKFold(min(self.cv, n_groups), shuffle=True,
                                  random_state=self.random_state)
        else:
            splitter = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        return splitter.split(np.zeros(len(y)), y, groups)

    def predict_proba(self, X):
        """The estimator's class probabilities."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    def predict(self, X):
        """Predict ``target`` where its probability reaches the tuned threshold."""
        return predict_with_threshold(self.predict_proba(X), self.classes_, self.target,
                                      self.threshold_)
