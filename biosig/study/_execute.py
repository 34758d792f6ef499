"""A study's folds and selection candidates, fitted as independent jobs.

Each job opens the window store by path, builds its estimator from its plan,
fits it on its training rows (``groups`` reach the network through
scikit-learn's metadata routing) and predicts its test rows, once. With
``[features] align``, each window's subject reaches the alignment in the fit
and in that one prediction alike, so a test subject is aligned on its own
test windows. Its result is written to the run's partial folder
the moment it is done, so an interrupted run resumes where it stopped. Jobs
go through joblib: ``n_jobs`` processes here, or a Dask cluster through
joblib's Dask backend.
"""

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn import config_context
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from sklearn.utils.metadata_routing import get_routing_for_object
from sklearn.utils.parallel import Parallel, delayed
from tqdm.auto import tqdm

from ..training import predict_with_threshold
from ._data import model_view
from ._keys import RecipeError
from ._models import MODELS
from ._pipeline import SUBJECT, WindowInfo, first_network, fitted_model, make_estimator
from ._score import vote
from ._splits import SPLITS, unit_groups

__all__ = []


@dataclass(frozen=True)
class Job:
    """One fit: a plan, the store it reads, its training and test rows.

    Attributes
    ----------
    key : str
        The name of its result in the run's partial folder.
    label : str
        Shown on its progress bar.
    study : Study
    store : str
        The window store folder.
    train, test : ndarray of int
    save_model : bool
        Whether the run keeps this job's model (``model.keras``; ``model.joblib``
        for a model that is not a network).
    """

    key: str
    label: str
    study: object
    store: str
    train: np.ndarray = field(repr=False)
    test: np.ndarray = field(repr=False)
    save_model: bool = False


def _fit_groups(study, windows, train):
    """Groups of the early-stopping split: the split's unit, else records, else none."""
    for groups in (unit_groups(study, windows), windows.meta["record"].to_numpy().astype(str)):
        if len(np.unique(groups[train])) >= 3:
            return groups
    return None


def _routed(estimator, method, **metadata):
    """The metadata (``groups``, ``subject``) that a step of ``method`` asks for; None is dropped."""
    with config_context(enable_metadata_routing=True):
        asks = get_routing_for_object(estimator).consumes(method, list(metadata))
    return {k: v for k, v in metadata.items() if k in asks and v is not None}


def _save(path, result):
    """Write a job's result with one atomic rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    arrays = {k: v for k, v in result.items() if isinstance(v, np.ndarray)}
    info = {k: v for k, v in result.items() if not isinstance(v, np.ndarray)}
    with open(tmp, "wb") as fid:
        np.savez(fid, info=np.array(json.dumps(info)), **arrays)
    os.replace(tmp, path)


def load_result(folder, key):
    """A finished job's result from the partial folder, or None."""
    path = Path(folder) / "jobs" / f"{key}.npz"
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        result = json.loads(str(data["info"]))
        result.update({k: data[k] for k in data.files if k != "info"})
    return result


def _n_features(study, view, model):
    """Columns the model reads beside (or instead of) the windows."""
    if study.features.input == "features":
        if not MODELS[study.model.name].network:
            return int(model.n_features_in_)  # a classical model reads the feature vectors
        return int(model.window_shape_[0] if study.features.steps > 1
                   else np.prod(model.window_shape_))
    return int(view.base_features.shape[1]) if view.has_features else 0


def run_job(job, folder, progress):
    """Fit one job, predict its test rows, and write the result into ``folder``."""
    import keras

    from ..models import EpochProgress
    from ..windows import read_windows

    keras.backend.clear_session()  # nothing of an earlier job in this worker stays in memory
    windows = read_windows(job.store, verify=False)
    view = model_view(job.study, windows)
    y = np.asarray(windows.y).astype(str)
    info = WindowInfo(windows.sfreq, list(windows.ch_names), tuple(windows.X.shape[1:]))
    estimator = make_estimator(job.study, info, [EpochProgress(job.label)] if progress else None)
    groups = _fit_groups(job.study, windows, job.train)
    subjects = windows.meta["subject"].to_numpy().astype(str)
    started = time.perf_counter()
    with config_context(enable_metadata_routing=True):
        estimator.fit(view[job.train], y[job.train], **_routed(
            estimator, "fit", groups=None if groups is None else groups[job.train],
            **{SUBJECT: subjects[job.train]}))
    fit_time = time.perf_counter() - started
    test_params = _routed(estimator, "predict_proba", **{SUBJECT: subjects[job.test]})
    with config_context(enable_metadata_routing=bool(test_params)):
        proba = estimator.predict_proba(view[job.test], **test_params)  # the test side's only pass
    classes = np.asarray(estimator.classes_)
    if hasattr(estimator, "threshold_"):
        pred = predict_with_threshold(proba, classes, estimator.target, estimator.threshold_)
    else:
        pred = classes[np.argmax(proba, axis=1)]
    model = fitted_model(estimator)
    first = first_network(model)  # an ensemble's first member: its curves and inputs
    result = {
        "key": job.key, "test": np.asarray(job.test), "proba": np.asarray(proba, np.float64),
        "pred": np.asarray(pred).astype(str), "classes": classes.astype(str),
        "threshold": float(getattr(estimator, "threshold_", np.nan)),
        "history": getattr(first, "history_", {}), "n_train": int(len(job.train)),
        "n_features": _n_features(job.study, view, first), "fit_time": float(fit_time),
    }
    jobs = Path(folder) / "jobs"
    jobs.mkdir(exist_ok=True)
    if job.save_model and hasattr(model, "save"):
        model.save(Path(folder) / "model.keras")
    elif job.save_model:
        import joblib

        joblib.dump(model, Path(folder) / "model.joblib")
    _save(jobs / f"{job.key}.npz", result)
    return result


def run_jobs(jobs, folder, *, n_jobs=1, progress=True):
    """Run the jobs whose results ``folder`` lacks.

    Returns
    -------
    results : dict
        Every job's result, by key.
    ran : int
        How many jobs ran now (the others were done by an interrupted run).
    """
    results = {job.key: load_result(folder, job.key) for job in jobs}
    todo = [job for job in jobs if results[job.key] is None]
    if todo:
        bars = progress and n_jobs == 1  # one epoch bar a fit; in parallel, one bar of jobs
        done = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            delayed(run_job)(job, folder, bars) for job in todo)
        for result in tqdm(done, total=len(todo), desc="fits", unit="fit",
                           disable=not progress or bars):
            results[result["key"]] = result
    return results, len(todo)


def fold_rows(fold, base, windows, study):
    """A fold's training and test rows on another candidate's windows (same groups)."""
    if windows is base:
        return fold.train, fold.test
    if not SPLITS[study.split.kind].by_group:
        raise RecipeError(f"{study.path}: [selection] candidates that change the windows need "
                          f"a split by group; [split] kind = {study.split.kind!r} splits windows")
    ours, theirs = unit_groups(study, base), unit_groups(study, windows)
    return (np.flatnonzero(np.isin(theirs, np.unique(ours[fold.train]))),
            np.flatnonzero(np.isin(theirs, np.unique(ours[fold.test]))))


def score(metric, y_true, pred, proba, classes, labels):
    """A selection metric: a key of classification_metrics, or ``STAT:CLASS``."""
    from ..evaluation import classification_metrics

    m = classification_metrics(y_true, pred, proba, labels=labels, classes=list(classes))
    if ":" in metric:
        stat, label = metric.split(":", 1)
        value = m["per_class"].get(label, {}).get(stat)
    else:
        value = m.get(metric)
    if value is not None and not isinstance(value, (int, float)):
        raise RecipeError(f"[selection] scoring = {metric!r} is not a number of "
                          "classification_metrics")
    return np.nan if value is None else float(value)


@dataclass
class Candidate:
    """A selection candidate: its overrides, plan, windows and store."""

    overrides: dict
    study: object
    windows: object
    store: str


def inner_jobs(study, candidates, base, folds):
    """The jobs of nested selection: every candidate on the inner folds of every fold."""
    s = study.selection
    jobs = []
    for fold in folds:
        for c, candidate in enumerate(candidates):
            train, _ = fold_rows(fold, base, candidate.windows, study)
            meta = candidate.windows.meta
            groups = (meta["record"] if s.groups == "record" else meta["subject"]).to_numpy()
            groups = groups.astype(str)[train]
            splitter = GroupKFold(s.n_splits) if s.inner == "group_kfold" else LeaveOneGroupOut()
            if len(np.unique(groups)) < (s.n_splits if s.inner == "group_kfold" else 2):
                raise ValueError(f"[selection] inner = {s.inner!r}: fold {fold.name} has "
                                 f"{len(np.unique(groups))} {s.groups}s on its training side, "
                                 "too few to split")
            for k, (a, b) in enumerate(splitter.split(train, groups=groups)):
                jobs.append(Job(f"inner-{fold.name}-c{c}-{k}",
                                f"fold {fold.name}, candidate {c + 1}/{len(candidates)}, "
                                f"inner {k + 1}", candidate.study, candidate.store,
                                train[a], train[b]))
    return jobs


def choose(study, candidates, folds, results):
    """Score every candidate on its pooled inner predictions; the best per fold.

    Returns
    -------
    chosen : dict
        Fold name -> index of the candidate with the best inner score.
    table : list of dict
        One row per fold and candidate: overrides, inner score, chosen.
    """
    s = study.selection
    chosen, table = {}, []
    for fold in folds:
        scores = []
        for c, candidate in enumerate(candidates):
            parts = [r for key, r in results.items() if key.startswith(f"inner-{fold.name}-c{c}-")]
            test = np.concatenate([r["test"] for r in parts])
            pred = np.concatenate([r["pred"] for r in parts])
            classes = sorted(set().union(*(r["classes"].tolist() for r in parts)))
            proba = np.zeros((len(test), len(classes)))
            row = 0
            for r in parts:
                proba[row:row + len(r["test"]), [classes.index(k) for k in r["classes"]]] = r["proba"]
                row += len(r["test"])
            y_true = np.asarray(candidate.windows.y).astype(str)[test]
            labels = [c for c in study.windows.classes if c in set(y_true)] or sorted(set(y_true))
            by = study.evaluation.vote
            if by != "none":  # scored as the outer folds are
                units = candidate.windows.meta[by].to_numpy()[test]
                _, y_true, pred, proba = vote(units, y_true, proba, classes, by)
            scores.append(score(s.scoring, y_true, pred, proba, classes, labels))
        best = int(np.nanargmax(scores)) if np.isfinite(scores).any() else 0
        chosen[fold.name] = best
        table += [{"fold": fold.name, "candidate": c, **candidates[c].overrides,
                   f"inner {s.scoring}": scores[c], "chosen": c == best}
                  for c in range(len(candidates))]
    return chosen, table
