"""Scoring a study's out-of-fold predictions: per fold, pooled, and with bootstrap intervals."""

import numpy as np
import pandas as pd

from ._splits import unit_groups

__all__ = []

SCALARS = ("macro_f1", "weighted_f1", "macro_auc", "macro_pr_auc", "accuracy",
           "balanced_accuracy", "kappa")
HEADLINE = ("accuracy", "balanced_accuracy", "macro_f1", "macro_auc", "kappa")
EVENT = ("event_sensitivity", "false_detections_per_hour", "latency")


def class_order(study, y):
    """The recipe's classes that occur, in its order; else the labels sorted."""
    present = set(np.asarray(y).tolist())
    return [c for c in study.windows.classes if c in present] or sorted(present)


def predictions(study, folds, results, windows_of):
    """One row per tested window (per record or trial with ``[evaluation] vote``).

    Event windows add their ``trial`` column, so that crops can be grouped.

    Parameters
    ----------
    folds : list of Fold
    results : dict
        Job results by key (``"fold-<name>"``).
    windows_of : dict
        Fold name -> the Windows its job read.

    Returns
    -------
    frame : pandas.DataFrame
    classes : list of str
    """
    parts = []
    for fold in folds:
        result, windows = results[f"fold-{fold.name}"], windows_of[fold.name]
        rows = result["test"]
        meta = windows.meta.iloc[rows]
        part = pd.DataFrame({"record": meta["record"].to_numpy().astype(str),
                             "subject": meta["subject"].to_numpy().astype(str),
                             "onset": meta["onset"].to_numpy(), "fold": fold.name,
                             "unit": unit_groups(study, windows)[rows],
                             "true": np.asarray(windows.y).astype(str)[rows],
                             "pred": result["pred"]})
        if "trial" in meta:
            part.insert(1, "trial", meta["trial"].to_numpy().astype(str))
        for k, label in enumerate(result["classes"]):
            part[f"p_{label}"] = result["proba"][:, k]
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    classes = class_order(study, frame["true"])
    # A fold whose model never saw a class gives it probability 0 (not NaN): the
    # pooled curves, figures and predictions.csv then hold every window.
    for label in classes:
        column = f"p_{label}"
        frame[column] = frame[column].fillna(0.0) if column in frame else 0.0
    # two trials' crops may start at one sample; a window is its trial's crop at that onset
    if frame.duplicated([c for c in ("record", "trial", "onset") if c in frame]).any():
        raise ValueError("a window is tested by two folds")
    if study.evaluation.vote != "none":
        frame = vote_frame(frame, classes, study.evaluation.vote)
    return frame, classes


def vote(units, y_true, proba, classes, by="record"):
    """Average the class probabilities of each unit's windows: one prediction per unit.

    Parameters
    ----------
    units, y_true : array-like, shape (n_windows,)
        The record (or trial) of each window, and its label.
    proba : ndarray, shape (n_windows, n_classes)
        Columns follow ``classes``.
    classes : list of str
    by : {"record", "trial"}
        What a unit is, for the error message.

    Returns
    -------
    first : ndarray of int
        The row of each unit's first window, in order of first appearance.
    y_true, pred : ndarray of str, shape (n_units,)
    proba : ndarray, shape (n_units, n_classes)

    Raises
    ------
    ValueError
        When the windows of a unit carry different labels.
    """
    units, y_true = np.asarray(units).astype(str), np.asarray(y_true).astype(str)
    names, first, inverse = np.unique(units, return_index=True, return_inverse=True)
    labels = pd.Series(y_true).groupby(inverse).nunique()
    if (labels > 1).any():
        raise ValueError(f"[evaluation] vote = {by!r}: {by} {names[labels.idxmax()]} has "
                         f"windows of different labels; a {by}'s vote needs one label")
    order = np.argsort(first)
    mean = np.zeros((len(names), proba.shape[1]))
    np.add.at(mean, inverse, proba)
    mean /= np.bincount(inverse, minlength=len(names))[:, None]
    mean, first = mean[order], first[order]
    pred = np.asarray(classes, dtype=object)[mean.argmax(axis=1)].astype(str)
    return first, y_true[first], pred, mean


def vote_frame(frame, classes, by="record"):
    """The pooled predictions voted per record (or trial) within each fold (``n_windows``
    per row)."""
    parts = []
    for _, part in frame.groupby("fold", sort=False):
        first, y_true, pred, proba = vote(part[by], part["true"], _proba(part, classes),
                                          classes, by)
        counts = part[by].value_counts()
        voted = part.iloc[first].copy()
        voted["true"], voted["pred"] = y_true, pred
        voted[[f"p_{c}" for c in classes]] = proba
        voted.insert(3, "n_windows", counts.loc[voted[by]].to_numpy())
        parts.append(voted)
    return pd.concat(parts, ignore_index=True)


def _proba(frame, classes):
    return frame[[f"p_{c}" for c in classes]].to_numpy(np.float64)


def metrics_of(study, frame, classes):
    """classification_metrics of some predictions, with AAMI names and seizure events."""
    from ..evaluation import AAMI_ALIASES, classification_metrics, seizure_event_metrics

    metrics = classification_metrics(frame["true"].to_numpy(), frame["pred"].to_numpy(),
                                     _proba(frame, classes), labels=classes, classes=classes)
    if study.evaluation.aami:
        for label, alias in AAMI_ALIASES.items():
            if label in metrics["per_class"]:
                metrics[alias] = {k: metrics["per_class"][label][k]
                                  for k in ("sensitivity", "ppv", "f1")}
    if study.evaluation.seizure_label:
        metrics["events"] = seizure_event_metrics(
            frame, frame["true"].to_numpy(), frame["pred"].to_numpy(),
            positive=study.evaluation.seizure_label, window=study.windows.options["length"])
    return metrics


def headline(study, metrics):
    """The metrics a run reports first, with their intervals."""
    from ..evaluation import AAMI_ALIASES

    out = {name: metrics[name] for name in HEADLINE}
    for alias in AAMI_ALIASES.values():
        if alias in metrics:
            out[f"{alias} Se"] = metrics[alias]["sensitivity"]
            out[f"{alias} +P"] = metrics[alias]["ppv"]
            out[f"{alias} F1"] = metrics[alias]["f1"]
    seizure = study.evaluation.seizure_label
    if seizure and seizure in metrics["per_class"]:
        out[f"{seizure} sensitivity"] = metrics["per_class"][seizure]["sensitivity"]
        out[f"{seizure} specificity"] = metrics["per_class"][seizure]["specificity"]
    for name in EVENT if "events" in metrics else ():
        out[name] = metrics["events"][name]
    return out


def intervals(study, frame, classes):
    """Bootstrap intervals of the headline metrics, resampling whole test units."""
    from ..evaluation import AAMI_ALIASES, bootstrap_metrics, seizure_event_counts

    events = None
    seizure = study.evaluation.seizure_label
    if seizure:
        events, _ = seizure_event_counts(frame, frame["true"], frame["pred"], positive=seizure,
                                         window=study.windows.options["length"])
        owner = dict(zip(frame["record"], frame["unit"]))
        events["group"] = [owner[r] for r in events.index]
    ci = bootstrap_metrics(frame["true"].to_numpy(), frame["pred"].to_numpy(),
                           frame["unit"].to_numpy(), _proba(frame, classes), labels=classes,
                           classes=classes, events=events, n_resamples=study.training.bootstrap,
                           random_state=study.training.seed, pr_auc=False)
    out = {name: ci[name] for name in HEADLINE}
    for label, alias in AAMI_ALIASES.items():
        if study.evaluation.aami and label in ci["per_class"]:
            out[f"{alias} Se"] = ci["per_class"][label]["sensitivity"]
            out[f"{alias} +P"] = ci["per_class"][label]["ppv"]
            out[f"{alias} F1"] = ci["per_class"][label]["f1"]
    if seizure and seizure in ci["per_class"]:
        out[f"{seizure} sensitivity"] = ci["per_class"][seizure]["sensitivity"]
        out[f"{seizure} specificity"] = ci["per_class"][seizure]["specificity"]
    out.update(ci.get("events", {}))
    return out


def fold_row(name, n_train, n_test, metrics):
    """One line of the per-fold table."""
    row = {"fold": name, "n_train": n_train, "n_test": n_test}
    row.update({k: metrics[k] for k in SCALARS})
    for k in EVENT if "events" in metrics else ():
        row[k] = metrics["events"][k]
    return row


def score_study(study, frame, classes, results):
    """Pooled metrics with intervals, and the per-fold table.

    Returns
    -------
    metrics : dict
        classification_metrics of all tested windows, ``ci95`` (the headline
        metrics with their intervals) and ``threshold`` when one was tuned.
    fold_rows : list of dict
    """
    fold_rows = []
    for name, part in frame.groupby("fold", sort=False):
        result = results[f"fold-{name}"]
        fold_rows.append(fold_row(name, result["n_train"], len(part),
                                  metrics_of(study, part, classes)))
    metrics = metrics_of(study, frame, classes)
    ci = intervals(study, frame, classes) if study.training.bootstrap else {}
    metrics["ci95"] = {k: {"value": v, "low": ci.get(k, (None, None))[0],
                           "high": ci.get(k, (None, None))[1]}
                       for k, v in headline(study, metrics).items()}
    thresholds = {name: results[f"fold-{name}"]["threshold"] for name in frame["fold"].unique()
                  if np.isfinite(results[f"fold-{name}"]["threshold"])}
    if thresholds:
        metrics["threshold"] = {"class": study.training.threshold_class, "per_fold": thresholds}
    return metrics, fold_rows
