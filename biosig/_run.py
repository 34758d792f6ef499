"""Execute a recipe into a run folder: recipe, metrics, predictions, plots, model, report."""

import datetime
import json
import os
import platform
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

from . import __version__
from ._recipe import RecipeError
from ._study import (FixedFolds, MissingDataError, check_model_fits, guard_unit, load_recordings,
                     make_estimator, make_folds, model_inputs, model_kind, present_subjects,
                     protocol_subjects, sample_windows, sfreq_of, unit, unit_groups,
                     window_samples)
from .evaluation import (AAMI_ALIASES, bootstrap_metrics, check_group_leakage, classification_metrics,
                         plot_confusion_matrix, plot_precision_recall, plot_roc,
                         plot_training_curves, seizure_event_counts, seizure_event_metrics,
                         write_report)
from .models import EpochProgress
from .training import predict_with_threshold, tune_threshold

__all__ = ["MissingDataError", "run_recipe"]

_SCALARS = ("macro_f1", "weighted_f1", "macro_auc", "macro_pr_auc", "accuracy",
            "balanced_accuracy", "kappa")
_HEADLINE = ("accuracy", "balanced_accuracy", "macro_f1", "macro_auc", "kappa")
_EVENT = ("event_sensitivity", "false_detections_per_hour", "latency")


def _default_out(recipe):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{recipe['study']['name']}-{stamp}"


def _class_order(recipe, y):
    present = set(y.tolist())
    given = [c for c in recipe["windows"]["classes"] if c in present]
    return given or sorted(present)


def _fit_groups(candidates, train):
    """Groups for the early-stopping split: the split's unit, else records, else none."""
    for groups in candidates:
        if len(np.unique(groups[train])) >= 3:
            return groups[train]
    return None


def _inner(model):
    """The classifier inside an imblearn pipeline, or the model itself."""
    return model.steps[-1][1] if hasattr(model, "steps") else model


def _tuned_threshold(recipe, window_shape, X, y, groups, recipe_path, callbacks=None):
    """Tune the decision threshold of a class on held-out training groups."""
    from sklearn.model_selection import GroupShuffleSplit, StratifiedShuffleSplit

    target = recipe["training"]["threshold_class"]
    if target not in set(y):
        raise RecipeError(f"{recipe_path}: [training] threshold_class = {target!r} has no "
                          "training windows")
    fraction, seed = recipe["training"]["validation_fraction"], recipe["training"]["seed"]
    if groups is not None:
        inner, val = next(GroupShuffleSplit(1, test_size=fraction, random_state=seed)
                          .split(X, y, groups))
    else:
        inner, val = next(StratifiedShuffleSplit(1, test_size=fraction, random_state=seed)
                          .split(X, y))
    tuner = make_estimator(recipe, window_shape, callbacks)
    tuner.fit(X[inner], y[inner], **({} if groups is None or hasattr(tuner, "steps")
                                     else {"groups": groups[inner]}))
    threshold, _ = tune_threshold(y[val], tuner.predict_proba(X[val]), tuner.classes_, target)
    return threshold


class _Scorer:
    """Metrics of the tested windows (``meta`` in the same order), and their intervals."""

    def __init__(self, recipe, labels, classes, meta):
        self.recipe, self.labels, self.classes, self.meta = recipe, labels, classes, meta

    def full(self, y_true, y_pred, y_score, rows):
        metrics = classification_metrics(y_true, y_pred, y_score, labels=self.labels,
                                         classes=self.classes)
        if self.recipe["evaluation"]["aami"]:
            for label, alias in AAMI_ALIASES.items():
                if label in metrics["per_class"]:
                    metrics[alias] = {k: metrics["per_class"][label][k]
                                      for k in ("sensitivity", "ppv", "f1")}
        seizure = self.recipe["evaluation"]["seizure_label"]
        if seizure:
            metrics["events"] = seizure_event_metrics(
                self.meta.iloc[rows], y_true, y_pred, positive=seizure,
                window=self.recipe["windows"]["length"])
        return metrics

    def headline(self, metrics):
        out = {name: metrics[name] for name in _HEADLINE}
        for alias in AAMI_ALIASES.values():
            if alias in metrics:
                out[f"{alias} Se"] = metrics[alias]["sensitivity"]
                out[f"{alias} +P"] = metrics[alias]["ppv"]
                out[f"{alias} F1"] = metrics[alias]["f1"]
        seizure = self.recipe["evaluation"]["seizure_label"]
        if seizure and seizure in metrics["per_class"]:
            out[f"{seizure} sensitivity"] = metrics["per_class"][seizure]["sensitivity"]
            out[f"{seizure} specificity"] = metrics["per_class"][seizure]["specificity"]
        for name in _EVENT if "events" in metrics else ():
            out[name] = metrics["events"][name]
        return out

    def intervals(self, y_true, y_pred, y_score, groups, n_resamples, seed):
        """Bootstrap intervals of the headline metrics, resampling whole ``groups``."""
        events = None
        seizure = self.recipe["evaluation"]["seizure_label"]
        if seizure:
            events, _ = seizure_event_counts(self.meta, y_true, y_pred, positive=seizure,
                                             window=self.recipe["windows"]["length"])
            owner = dict(zip(self.meta["record"].to_numpy(), groups))
            events["group"] = [owner[r] for r in events.index]
        ci = bootstrap_metrics(y_true, y_pred, groups, y_score, labels=self.labels,
                               classes=self.classes, events=events, n_resamples=n_resamples,
                               random_state=seed, pr_auc=False)
        out = {name: ci[name] for name in _HEADLINE}
        for label, alias in AAMI_ALIASES.items():
            if self.recipe["evaluation"]["aami"] and label in ci["per_class"]:
                out[f"{alias} Se"] = ci["per_class"][label]["sensitivity"]
                out[f"{alias} +P"] = ci["per_class"][label]["ppv"]
                out[f"{alias} F1"] = ci["per_class"][label]["f1"]
        if seizure and seizure in ci["per_class"]:
            out[f"{seizure} sensitivity"] = ci["per_class"][seizure]["sensitivity"]
            out[f"{seizure} specificity"] = ci["per_class"][seizure]["specificity"]
        out.update(ci.get("events", {}))
        return out


def _fold_row(name, train, test, metrics):
    row = {"fold": name, "n_train": len(train), "n_test": len(test)}
    row.update({k: metrics[k] for k in _SCALARS})
    for k in _EVENT if "events" in metrics else ():
        row[k] = metrics["events"][k]
    return row


def _describe_windows(recipe, windows):
    w = recipe["windows"]
    shape = f"{windows.X.shape[1]} channels x {windows.X.shape[2]} samples at {windows.sfreq:g} Hz"
    if w["sampler"] == "beat":
        return f"Beat windows from {w['tmin']} s to {w['tmax']} s around each annotated R peak ({shape})."
    if w["sampler"] == "event":
        return (f"Event-locked windows from {w['tmin']} s to {w['tmax']} s around the cues "
                f"{', '.join(f'{k} -> {v}' for k, v in w['labels'].items())} ({shape}).")
    return (f"Sliding windows of {w['length']} s every {w['stride'] or w['length']} s, labelled "
            f"by rule {w['rule']!r} from {', '.join(f'{k} -> {v}' for k, v in w['labels'].items()) or 'no annotation'}"
            f" (otherwise {w['default']!r}) ({shape}).")


def _describe_split(recipe, sides, n_folds, unit):
    s = recipe["split"]
    kind = s["kind"]
    lines = {
        "inter_patient": lambda: [
            "Inter-patient split: no record on both sides.",
            f"Train ({len(sides[0])}): {', '.join(sides[0])}.",
            f"Test ({len(sides[1])}): {', '.join(sides[1])}."],
        "stratified_kfold": lambda: [
            f"Stratified {s['n_splits']}-fold cross-validation over windows"
            f"{' (shuffled)' if s['shuffle'] else ''}: every window is tested once."],
        "group_kfold": lambda: [
            f"Group {s['n_splits']}-fold cross-validation by {unit}: no {unit} is on both "
            "sides of a fold; every window is tested once."],
        "leave_one_group_out": lambda: [f"Leave one {unit} out: {n_folds} folds."],
        "session": lambda: [
            f"Within each subject, sessions {', '.join(s['train_sessions'])} train and sessions "
            f"{', '.join(s['test_sessions'])} test ({n_folds} subjects)."],
        "leave_one_seizure_out": lambda: [
            "Leave one seizure record out: each record holding a seizure is tested once, "
            "trained on the other records (Shoeb 2010); records without a seizure only train."],
        "chronological": lambda: [
            f"Chronological: within each record the last {s['test_fraction']:.0%} of windows "
            f"test, after a gap of {s['gap']} windows."],
    }[kind]()
    if s["per_subject"] and kind != "session":
        lines.append("Patient-specific: folds are made within each subject, one model per fold.")
    return lines


def run_recipe(recipe, *, recipe_path="<recipe>", data_dir=None, out=None, download=False,
               partial=False, progress=True):
    """Run a resolved recipe end to end and write its run folder.

    The folder is built under a temporary name and renamed when complete, so
    a failed run leaves nothing half-written.

    Parameters
    ----------
    recipe : dict
        Output of :func:`biosig._recipe.load_recipe`.
    recipe_path : str
        Shown in errors.
    data_dir : path-like | None
        Local data folder (else ``BIOSIG_DATA``).
    out : path-like | None
        Run folder to create; ``runs/<study>-<timestamp>`` when None.
    download : bool
        Fetch missing files into the cache.
    partial : bool
        Run a reduced protocol on the subjects present.
    progress : bool
        Show progress bars.

    Returns
    -------
    out : Path
        The run folder.
    """
    from .datasets import get_source

    out = Path(out) if out is not None else _default_out(recipe)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out}: run folder exists and is not empty; choose another --out")
    started = time.perf_counter()
    source = get_source(recipe["dataset"]["source"], data_dir=data_dir, download=download,
                        progress=progress)
    subjects, sides = protocol_subjects(source, recipe, recipe_path)
    if model_kind(recipe) == "window":  # before any data is read
        sfreq = sfreq_of(recipe, type(source))
        channels = recipe["dataset"]["channels"]
        check_model_fits(recipe, recipe_path, len(channels) if isinstance(channels, list) and
                         channels else 2,
                         window_samples(recipe, sfreq))
    here, missing = present_subjects(source, subjects, recipe, partial)
    if sides is not None:
        sides = [[s for s in side if s in here] for side in sides]
        for side, ids in zip(("train", "test"), sides):
            if not ids:
                raise MissingDataError(f"no {side} subject of the split is here; "
                                       + source.missing_message(source.missing_files(missing)))

    recordings = load_recordings(source, here, recipe, progress)
    windows = sample_windows(recipe, recordings, progress)
    del recordings
    X, feature_names = model_inputs(recipe, windows)
    y = windows.y
    records = windows.meta["record"].to_numpy().astype(str)
    units = unit_groups(recipe, windows)
    folds = make_folds(recipe, windows, sides, recipe_path)
    guard = guard_unit(recipe)
    shared = []
    if guard != "none":
        guard_groups = windows.groups.astype(str) if guard == "subject" else records
        shared = check_group_leakage(FixedFolds([(tr, te) for _, tr, te in folds]), X, y,
                                     guard_groups,
                                     allow_shared_groups=recipe["split"]["allow_shared_groups"])
    classes = _class_order(recipe, y)
    # Packed inputs (windows beside tabular columns) need the window shape to unpack.
    window_shape = windows.X.shape[1:] if recipe["features"]["tabular"] else None

    t = recipe["training"]
    n = len(y)
    proba = np.full((n, len(classes)), np.nan)
    pred = np.empty(n, dtype=object)
    fold_of = np.full(n, "", dtype=object)
    fold_rows, thresholds = [], {}
    model = None
    for k, (name, train, test) in enumerate(folds):
        if np.isfinite(proba[test, 0]).any():
            raise ValueError(f"fold {name} tests windows another fold already tested")
        label = f"fold {k + 1}/{len(folds)}" + (f" ({name})" if name != str(k) else "")
        model = make_estimator(recipe, window_shape,
                               [EpochProgress(label)] if progress else None)
        groups = _fit_groups((units, records), train)
        fit_kw = {} if groups is None or hasattr(model, "steps") else {"groups": groups}
        model.fit(X[train], y[train], **fit_kw)
        p = np.zeros((len(test), len(classes)))
        cols = [classes.index(c) for c in model.classes_]
        p[:, cols] = model.predict_proba(X[test])
        fold_pred = np.asarray(classes, dtype=object)[p.argmax(axis=1)]
        if t["threshold_class"]:
            thresholds[name] = _tuned_threshold(
                recipe, window_shape, X[train], y[train], groups, recipe_path,
                [EpochProgress(f"{label}, threshold")] if progress else None)
            fold_pred = predict_with_threshold(p, np.asarray(classes), t["threshold_class"],
                                               thresholds[name])
        proba[test], pred[test], fold_of[test] = p, fold_pred, name

    tested = np.flatnonzero(np.isfinite(proba[:, 0]))
    scorer = _Scorer(recipe, classes, classes, windows.meta.iloc[tested].reset_index(drop=True))
    for name, train, test in folds:
        rows = np.searchsorted(tested, test)
        fold_rows.append(_fold_row(name, train, test,
                                   scorer.full(y[test], pred[test], proba[test], rows)))
    yt, pt, st = y[tested], pred[tested].astype(str), proba[tested]
    metrics = scorer.full(yt, pt, st, np.arange(len(tested)))
    unit_name = f"{unit(recipe)}s"
    intervals = {}
    if t["bootstrap"]:
        intervals = scorer.intervals(yt, pt, st, units[tested], t["bootstrap"], t["seed"])
    headline = scorer.headline(metrics)
    metrics["ci95"] = {k: {"value": headline[k], "low": intervals.get(k, (None, None))[0],
                           "high": intervals.get(k, (None, None))[1]} for k in headline}
    if thresholds:
        metrics["threshold"] = {"class": t["threshold_class"], "per_fold": thresholds}

    warnings = []
    if recipe["split"]["note"]:
        warnings.append(recipe["split"]["note"])
    if any(shared):
        both = sorted({g for fold in shared for g in fold})
        warnings.append(
            f"Shared groups: {guard}(s) {', '.join(both[:12])}{' ...' if len(both) > 12 else ''} "
            "have windows on both the training and the test side (allow_shared_groups = true). "
            "Their windows can inform their own test; the numbers may be optimistic.")
    if missing:
        warnings.append(
            f"Reduced protocol: {len(missing)} of the {len(subjects)} subjects or records of the "
            f"protocol are missing ({', '.join(missing[:12])}{' ...' if len(missing) > 12 else ''});"
            " these numbers are not comparable with published full-protocol results.")
    m = recipe["model"]
    f = recipe["features"]
    inputs = {"raw": "raw windows", "scalogram": "CWT scalograms",
              "features": f"features {', '.join(f['extractors'])}"
                          + (f" over {f['steps']} sub-windows (sequences)" if f["steps"] > 1 else "")
              }[f["input"]]
    if f["tabular"]:
        inputs += f" with tabular features {', '.join(f['tabular'])}"
    protocol = [
        f"Source: {source.title} ({source.name}); {len(here)} subject(s) or record(s): "
        f"{', '.join(here[:20])}{' ...' if len(here) > 20 else ''}.",
        _describe_windows(recipe, windows),
        f"Input: {inputs}. Model: {m['name']}"
        + (f" ({', '.join(f'{k}={v}' for k, v in m.items() if k != 'name')})" if len(m) > 1 else "")
        + ".",
        *_describe_split(recipe, sides, len(folds), unit_name[:-1]),
        ("No leakage guard (chronological split within records)." if guard == "none" else
         f"Leakage guard: checked that no {guard} is on both sides of any fold"
         + (" (shared ones allowed and listed above)." if any(shared) else ".")),
        f"Early stopping on a held-out {recipe['training']['validation_fraction']:.0%} of the "
        "training side, taken by whole subject or record where the training side has several.",
        f"Imbalance: {t['imbalance']}"
        + (f"; decision threshold of {t['threshold_class']} tuned on held-out training data "
           "in each fold" if thresholds else "") + ".",
        f"Confidence intervals: {t['bootstrap']} bootstrap resamples of whole test {unit_name}.",
    ]
    if sides is not None and {"201", "202"} <= set(sides[0] + sides[1]):
        protocol.insert(4, "Records 201 and 202 come from the same patient and lie on "
                           "different sides, as in de Chazal's published lists.")
    counts = pd.DataFrame({"all windows": pd.Series(y).value_counts(),
                           "tested": pd.Series(yt).value_counts()})
    if len(folds) == 1:
        counts = pd.DataFrame({"train": pd.Series(y[folds[0][1]]).value_counts(),
                               "test": pd.Series(yt).value_counts()})
    counts = counts.reindex(classes).fillna(0).astype(int)
    folds_table = pd.DataFrame(fold_rows)
    tables = {"Metrics per fold": folds_table} if len(folds) > 1 else {}
    if "events" in metrics:
        tables["Seizure events"] = pd.DataFrame([{k: v for k, v in metrics["events"].items()
                                                  if k != "latencies"}])
    import keras

    inner = _inner(model)
    header = {
        "study": recipe["study"]["name"],
        "source": source.name,
        "split": recipe["split"]["kind"],
        "reduced_protocol": bool(missing),
        "warnings": warnings,
        "protocol": protocol,
        "subjects": here,
        "missing_subjects": missing,
        "train_records": sides[0] if sides else None,
        "test_records": sides[1] if sides else None,
        "n_folds": len(folds),
        "folds": fold_rows,
        "interval_unit": unit_name,
        "class_counts": counts.to_dict(),
        "n_windows": int(n),
        "n_features": len(feature_names),
        "saved_model": f"the model of fold {folds[-1][0]}" if len(folds) > 1 else "the model",
        "epochs_trained": len(inner.history_["loss"]),
        "keras_backend": keras.backend.backend(),
        "biosig_version": __version__,
        "python": platform.python_version(),
        "wall_time_s": None,
    }

    tmp = out.with_name(f".{out.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        (tmp / "recipe.toml").write_text(tomli_w.dumps(recipe), encoding="utf-8")
        meta = windows.meta.iloc[tested]
        pd.DataFrame({
            "record": meta["record"].to_numpy(), "subject": meta["subject"].to_numpy(),
            "onset": meta["onset"].to_numpy(), "fold": fold_of[tested], "true": yt, "pred": pt,
            **{f"p_{c}": st[:, i] for i, c in enumerate(classes)},
        }).to_csv(tmp / "predictions.csv", index=False)
        rows = [("all", "all", k, v) for k, v in metrics.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool)]
        rows += [("all", label, k, v) for label, stats in metrics["per_class"].items()
                 for k, v in stats.items()]
        rows += [("all", "all", f"{k} ci95_{side}", v[side]) for k, v in metrics["ci95"].items()
                 for side in ("low", "high")]
        rows += [(r["fold"], "all", k, v) for r in fold_rows for k, v in r.items() if k != "fold"]
        rows += [("all", "all", k, v) for k, v in metrics.get("events", {}).items()
                 if k != "latencies"]
        pd.DataFrame(rows, columns=["fold", "class", "metric", "value"]).to_csv(
            tmp / "results.csv", index=False)
        import matplotlib.pyplot as plt  # after biosig.evaluation chose its backend

        figures = []
        for name, fig in (("confusion_matrix.png", plot_confusion_matrix(
                              metrics["confusion_matrix"], classes)),
                          ("roc.png", plot_roc(yt, st, np.asarray(classes))),
                          ("precision_recall.png", plot_precision_recall(yt, st, np.asarray(classes))),
                          ("training_curves.png", plot_training_curves(inner.history_))):
            fig.savefig(tmp / name, dpi=120)
            plt.close(fig)
            figures.append(tmp / name)
        inner.save(tmp / "model.keras")
        header["wall_time_s"] = round(time.perf_counter() - started, 1)
        (tmp / "metrics.json").write_text(json.dumps({"header": header, "metrics": metrics},
                                                     indent=2, default=_json_default))
        write_report(tmp / "report.html", title=f"biosig run: {recipe['study']['name']}",
                     protocol=protocol, warnings=warnings, class_counts=counts, metrics=metrics,
                     figures=figures, interval_unit=unit_name, tables=tables,
                     intervals={k: (v["value"], v["low"], v["high"])
                                for k, v in metrics["ci95"].items()})
        if out.exists():
            out.rmdir()
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
