"""Classification metrics of a study: per class, macro, ROC-AUC, confusion matrix."""

import warnings

import numpy as np
from imblearn.metrics import sensitivity_specificity_support
from pandas.api.types import infer_dtype
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

__all__ = ["AAMI_ALIASES", "classification_metrics"]

#: AAMI EC57 names of the ectopic-beat statistics.
AAMI_ALIASES = {"S": "SVEB", "V": "VEB"}


def _nan_to_none(value):
    return None if value is None or not np.isfinite(value) else float(value)


def _label_array(y):
    """Labels as an array; strings held as objects become fixed-width strings.

    scikit-learn's metrics sort and compare labels many times; on object
    arrays that costs about three times as much, which the bootstrap pays on
    every resample.
    """
    y = np.asarray(y)
    if y.dtype == object and infer_dtype(y, skipna=False) == "string":
        return y.astype(str)
    return y


def classification_metrics(y_true, y_pred, y_score=None, *, labels=None, classes=None):
    """Per-class sensitivity, positive predictivity and F1, macro F1, ROC-AUC.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n_windows,)
        True and predicted labels.
    y_score : ndarray, shape (n_windows, n_classes) | None
        Class probabilities; columns follow ``classes``. Needed for AUC.
    labels : list | None
        Classes to report, in order; the union of ``y_true`` and ``y_pred``
        when None.
    classes : list | None
        Column order of ``y_score`` (the estimator's ``classes_``).

    Returns
    -------
    metrics : dict
        ``per_class[label]`` holds ``sensitivity`` (recall), ``ppv`` (+P,
        precision), ``f1``, ``specificity``, ``auc`` (ROC, one-vs-rest),
        ``pr_auc`` (average precision, one-vs-rest) and ``support``;
        undefined values (a class absent from the test set, or never
        predicted) are None. Also ``macro_f1`` and ``weighted_f1`` (over the
        labels present in ``y_true``), ``macro_auc``, ``macro_pr_auc``,
        ``accuracy``, ``balanced_accuracy``, ``kappa`` (Cohen's),
        ``confusion_matrix`` (rows true, columns predicted, in ``labels``
        order) and ``labels``.
    """
    y_true = _label_array(y_true)
    y_pred = _label_array(y_pred)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred])).tolist()
    labels = list(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=np.nan)
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    with warnings.catch_warnings():  # a class absent from y_true: recall is undefined
        warnings.simplefilter("ignore")
        _, specificity, _ = sensitivity_specificity_support(y_true, y_pred, labels=labels,
                                                            average=None)

    auc = np.full(len(labels), np.nan)
    pr_auc = np.full(len(labels), np.nan)
    if y_score is not None:
        if classes is None:
            raise ValueError("classes (the column order of y_score) is required with y_score")
        y_score = np.asarray(y_score)
        column = {c: i for i, c in enumerate(classes)}
        for i, label in enumerate(labels):
            positive = y_true == label
            if label in column and 0 < positive.sum() < len(y_true):
                auc[i] = roc_auc_score(positive, y_score[:, column[label]])
                pr_auc[i] = average_precision_score(positive, y_score[:, column[label]])

    present = [label for label in labels if np.any(y_true == label)]
    per_class = {
        label: {
            "sensitivity": _nan_to_none(recall[i]),
            "ppv": _nan_to_none(precision[i]),
            "f1": _nan_to_none(f1[i]),
            "specificity": _nan_to_none(specificity[i]),
            "auc": _nan_to_none(auc[i]),
            "pr_auc": _nan_to_none(pr_auc[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    present_auc = [auc[i] for i, label in enumerate(labels) if label in present and np.isfinite(auc[i])]
    present_pr = [pr_auc[i] for i, label in enumerate(labels)
                  if label in present and np.isfinite(pr_auc[i])]
    with warnings.catch_warnings():  # a single class: kappa is undefined
        warnings.simplefilter("ignore")
        kappa = cohen_kappa_score(y_true, y_pred, labels=labels)
        balanced = balanced_accuracy_score(y_true, y_pred) if present else np.nan
    return {
        "labels": [str(label) for label in labels],
        "per_class": {str(k): v for k, v in per_class.items()},
        "macro_f1": _nan_to_none(f1_score(y_true, y_pred, labels=present, average="macro",
                                          zero_division=0)) if present else None,
        "weighted_f1": _nan_to_none(f1_score(y_true, y_pred, labels=present, average="weighted",
                                             zero_division=0)) if present else None,
        "macro_auc": _nan_to_none(np.mean(present_auc)) if present_auc else None,
        "macro_pr_auc": _nan_to_none(np.mean(present_pr)) if present_pr else None,
        "accuracy": float(np.mean(y_true == y_pred)),
        "balanced_accuracy": _nan_to_none(balanced),
        "kappa": _nan_to_none(kappa),
        "confusion_matrix": cm.tolist(),
    }
