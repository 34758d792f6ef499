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
from .datasets import AAMI_CLASSES, AAMI_EC57, MITBIHArrhythmia
from .evaluation import (AAMI_ALIASES, InterPatientSplit, bootstrap_ci, check_group_leakage,
                         classification_metrics, plot_confusion_matrix, plot_precision_recall,
                         plot_roc, plot_training_curves, write_report)
from .features import BandPower, WaveletFeatures
from .preprocessing import bandpass
from .training import predict_with_threshold, tune_threshold
from .windows import RR_FEATURES, BeatSampler

__all__ = ["MissingDataError", "run_recipe"]


class MissingDataError(FileNotFoundError):
    """Records the protocol needs are not on disk."""


_RECORD_LISTS = ("DS1", "DS2")


def _record_list(source, spec, side, recipe_path):
    if isinstance(spec, str):
        if spec not in _RECORD_LISTS:
            raise RecipeError(f"{recipe_path}: [split] {side} = {spec!r}: no such list; "
                              f"allowed: {', '.join(map(repr, _RECORD_LISTS))} or a list of record ids")
        return list(getattr(source, spec))
    unknown = [r for r in spec if r not in source.RECORDS]
    if unknown:
        raise RecipeError(f"{recipe_path}: [split] {side}: unknown record ids {unknown}")
    return [str(r) for r in spec]


def _resolve_records(source, recipe, recipe_path, partial):
    """Return train/test record lists, and the protocol's missing records."""
    train = _record_list(source, recipe["split"]["train"], "train", recipe_path)
    test = _record_list(source, recipe["split"]["test"], "test", recipe_path)
    shared = sorted(set(train) & set(test))
    if shared:
        raise RecipeError(f"{recipe_path}: [split] records on both sides: {', '.join(shared)}")
    missing = [] if source.download else source.missing(train + test)
    if missing and not partial:
        raise MissingDataError(source.missing_message(missing) + " Or pass --partial to run a "
                               "reduced protocol on the records present.")
    train = [r for r in train if r not in missing]
    test = [r for r in test if r not in missing]
    if not train or not test:
        side = "train" if not train else "test"
        raise MissingDataError(f"no {side} record is present; " + source.missing_message(missing))
    return train, test, missing


def _tabular_features(recipe, windows):
    blocks, names = [], []
    spec = recipe["features"]
    for kind in spec["tabular"]:
        if kind == "rr":
            # The four RR intervals, and each over the record's mean: the ratios
            # carry prematurity across patients with different heart rates.
            rr = windows.meta[list(RR_FEATURES)].to_numpy(np.float64)
            blocks += [rr, rr[:, :3] / rr[:, 3:]]
            names += list(RR_FEATURES) + [f"{n}_ratio" for n in RR_FEATURES[:3]]
            continue
        if kind == "wavelet":
            tf = WaveletFeatures(spec["wavelet"], spec["wavelet_level"], ch_names=windows.ch_names)
        else:
            tf = BandPower(windows.sfreq, {k: tuple(v) for k, v in spec["spectral_bands"].items()},
                           log=True, ch_names=windows.ch_names)
        blocks.append(tf.fit_transform(windows.X))
        names += tf.get_feature_names_out().tolist()
    if not blocks:
        return None, names
    features = np.concatenate(blocks, axis=1).astype(np.float32)
    bad = ~np.isfinite(features)
    if bad.any():
        rows, cols = np.nonzero(bad)
        records = sorted(set(windows.meta["record"].to_numpy()[rows]))
        raise ValueError(f"tabular features {sorted({names[c] for c in cols})[:5]} are NaN or "
                         f"infinite in {bad.any(axis=1).sum()} windows of records {records[:10]} "
                         "(a record with fewer than two beats, or a flat signal)")
    return features, names


def _model(recipe, window_shape):
    from .models import CNN1DClassifier

    from imblearn.over_sampling import RandomOverSampler

    m, t = recipe["model"], recipe["training"]
    imbalance = t["imbalance"]
    return CNN1DClassifier(
        window_shape, filters=tuple(m["filters"]), kernel_size=m["kernel_size"],
        pool_size=m["pool_size"], dense_units=m["dense_units"], dropout=m["dropout"],
        epochs=t["epochs"], batch_size=t["batch_size"], learning_rate=t["learning_rate"],
        validation_fraction=t["validation_fraction"], patience=t["patience"],
        class_weight="balanced" if imbalance == "class_weight" else None,
        loss="focal" if imbalance == "focal" else None,
        sampler=RandomOverSampler() if imbalance == "balanced_batches" else None,
        random_state=t["seed"], verbose=2)


_HEADLINE = ("macro_f1", "macro_auc", "balanced_accuracy")


def _headline(metrics):
    """The metrics given with confidence intervals: macro scores and the AAMI Se/+P."""
    out = {name: metrics[name] for name in _HEADLINE}
    for label, alias in AAMI_ALIASES.items():
        for stat in ("sensitivity", "ppv"):
            value = metrics["per_class"].get(label, {}).get(stat)
            out[f"{alias} {'Se' if stat == 'sensitivity' else '+P'}"] = value
    return out


def _tuned_threshold(model, X, y, records, target, recipe_path):
    """Tune the decision threshold of ``target`` on held-out training records."""
    from sklearn.base import clone
    from sklearn.model_selection import GroupShuffleSplit

    if target not in set(y):
        raise RecipeError(f"{recipe_path}: [training] threshold_class = {target!r} has no "
                          "training beats")
    inner, val = next(GroupShuffleSplit(1, test_size=model.validation_fraction,
                                        random_state=model.random_state).split(X, y, records))
    tuner = clone(model).fit(X[inner], y[inner], groups=records[inner])
    threshold, _ = tune_threshold(y[val], tuner.predict_proba(X[val]), tuner.classes_, target)
    return threshold


def _default_out(recipe):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{recipe['study']['name']}-{stamp}"


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
        Fetch missing records into the cache.
    partial : bool
        Run a reduced protocol on the records present.
    progress : bool
        Show progress bars.

    Returns
    -------
    out : Path
        The run folder.
    """
    out = Path(out) if out is not None else _default_out(recipe)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out}: run folder exists and is not empty; choose another --out")
    started = time.perf_counter()
    source = MITBIHArrhythmia(data_dir, download=download, progress=progress)
    train_ids, test_ids, missing = _resolve_records(source, recipe, recipe_path, partial)

    recordings = source.load(train_ids + test_ids, channels=recipe["dataset"]["channels"])
    pre = recipe["preprocessing"]
    if pre["bandpass"]:
        recordings = [bandpass(r, pre["l_freq"], pre["h_freq"]) for r in recordings]
    w = recipe["windows"]
    labels = {sym: c for sym, c in AAMI_EC57.items() if c in w["classes"]}
    windows = BeatSampler(w["tmin"], w["tmax"], labels=labels, local_beats=w["local_beats"],
                          progress=progress).sample(recordings)
    del recordings
    features, feature_names = _tabular_features(recipe, windows)

    from .models import pack_inputs

    X = pack_inputs(windows.X, features)
    records = windows.meta["record"].to_numpy()
    splitter = InterPatientSplit(train_ids, test_ids)
    # The guard works on patients, not records: 201 and 202 are one patient.
    shared = check_group_leakage(splitter, X, windows.y, windows.groups,
                                 allow_shared_groups=recipe["split"]["allow_shared_groups"])
    train, test = next(splitter.split(X, windows.y, records))
    model = _model(recipe, windows.X.shape[1:])
    model.fit(X[train], windows.y[train], groups=records[train])
    proba = model.predict_proba(X[test])
    pred = model.classes_[proba.argmax(axis=1)]
    labels = [c for c in AAMI_CLASSES if c in set(windows.y)]
    t = recipe["training"]
    threshold = None
    if t["threshold_class"]:
        threshold = _tuned_threshold(model, X[train], windows.y[train], records[train],
                                     t["threshold_class"], recipe_path)
        pred = predict_with_threshold(proba, model.classes_, t["threshold_class"], threshold)

    def score(y_true, y_pred, y_score):
        m = classification_metrics(y_true, y_pred, y_score, labels=labels,
                                   classes=model.classes_.tolist())
        return _headline(m)

    metrics = classification_metrics(windows.y[test], pred, proba, labels=labels,
                                     classes=model.classes_.tolist())
    for label, alias in AAMI_ALIASES.items():
        if label in metrics["per_class"]:
            metrics[alias] = {k: metrics["per_class"][label][k] for k in ("sensitivity", "ppv", "f1")}
    intervals = bootstrap_ci(score, windows.y[test], pred, records[test], proba,
                             n_resamples=t["bootstrap"], random_state=t["seed"]) if t["bootstrap"] else {}
    headline = _headline(metrics)
    metrics["ci95"] = {k: {"value": headline[k], "low": lo, "high": hi}
                       for k, (lo, hi) in intervals.items()}
    if threshold is not None:
        metrics["threshold"] = {"class": t["threshold_class"], "value": threshold}

    warnings = []
    if any(shared):
        both = sorted({g for fold in shared for g in fold})
        warnings.append(
            f"Shared groups: patient(s) {', '.join(both)} have records on both the training and "
            "the test side (allow_shared_groups = true). Their windows can inform their own "
            "test; the numbers may be optimistic.")
    if missing:
        warnings.append(
            f"Reduced protocol: {len(missing)} of the {len(train_ids) + len(test_ids) + len(missing)} "
            f"records of the split are missing ({', '.join(missing)}); these numbers are not "
            "comparable with published full DS1→DS2 results.")
    protocol = [
        f"Inter-patient split ({recipe['split']['train']} → {recipe['split']['test']}): "
        "no record is on both sides.",
        f"Train records ({len(train_ids)}): {', '.join(train_ids)}.",
        *([] if not ({"201", "202"} <= set(train_ids + test_ids)) else [
            "Records 201 and 202 come from the same patient and lie on different sides, "
            "as in de Chazal's published lists."]),
        f"Test records ({len(test_ids)}): {', '.join(test_ids)}.",
        f"Early stopping on a validation split of whole training records "
        f"({recipe['training']['validation_fraction']:.0%}).",
        f"Imbalance: {recipe['training']['imbalance']}"
        + (f"; decision threshold for {t['threshold_class']} tuned to {threshold:.2f} on a "
           "validation split of training records" if threshold is not None else "") + ".",
        f"Confidence intervals: {t['bootstrap']} bootstrap resamples of whole test records.",
        f"Input: leads {', '.join(windows.ch_names)}, {windows.X.shape[-1]} samples per beat "
        f"({w['tmin']} s to {w['tmax']} s around the R peak) with tabular features: "
        f"{', '.join(recipe['features']['tabular']) or 'none'}.",
    ]
    counts = pd.DataFrame({
        "train": pd.Series(windows.y[train]).value_counts(),
        "test": pd.Series(windows.y[test]).value_counts(),
    }).reindex(labels).fillna(0).astype(int)
    import keras

    header = {
        "study": recipe["study"]["name"],
        "reduced_protocol": bool(missing),
        "warnings": warnings,
        "protocol": protocol,
        "train_records": train_ids,
        "test_records": test_ids,
        "missing_records": missing,
        "class_counts": counts.to_dict(),
        "n_features_tabular": len(feature_names),
        "epochs_trained": len(model.history_["loss"]),
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
        pd.DataFrame({
            "record": records[test], "sample": windows.meta["sample"].to_numpy()[test],
            "symbol": windows.meta["symbol"].to_numpy()[test], "true": windows.y[test],
            "pred": pred, **{f"p_{c}": proba[:, i] for i, c in enumerate(model.classes_)},
        }).to_csv(tmp / "predictions.csv", index=False)
        rows = [("all", k, v) for k, v in metrics.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool)]
        rows += [(label, k, v) for label, stats in metrics["per_class"].items()
                 for k, v in stats.items()]
        rows += [("all", f"{k} ci95_{side}", v[side]) for k, v in metrics["ci95"].items()
                 for side in ("low", "high")]
        pd.DataFrame(rows, columns=["class", "metric", "value"]).assign(fold=0).to_csv(
            tmp / "results.csv", index=False)
        figures = []
        for name, fig in (("confusion_matrix.png", plot_confusion_matrix(
                              metrics["confusion_matrix"], labels)),
                          ("roc.png", plot_roc(windows.y[test], proba, model.classes_)),
                          ("precision_recall.png", plot_precision_recall(
                              windows.y[test], proba, model.classes_)),
                          ("training_curves.png", plot_training_curves(model.history_))):
            fig.savefig(tmp / name, dpi=120)
            figures.append(tmp / name)
        model.save(tmp / "model.keras")
        header["wall_time_s"] = round(time.perf_counter() - started, 1)
        (tmp / "metrics.json").write_text(json.dumps({"header": header, "metrics": metrics}, indent=2))
        title = f"biosig run: {recipe['study']['name']}"
        write_report(tmp / "report.html", title=title, protocol=protocol, warnings=warnings,
                     class_counts=counts, metrics=metrics, figures=figures,
                     intervals={k: (v["value"], v["low"], v["high"])
                                for k, v in metrics["ci95"].items()})
        if out.exists():
            out.rmdir()
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out
