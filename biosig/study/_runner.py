"""Run a study end to end: data, folds, selection, fits, scores, run folder."""

import contextlib
import datetime
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ._data import (MissingDataError, load_options, present_subjects, protocol_subjects,
                    study_windows, test_study)
from ._describe import protocol, selection_sentence, software, software_sentence
from ._describe import warnings as report_warnings
from ._execute import Candidate, Job, choose, fold_rows, inner_jobs, run_jobs
from ._inputs import INPUTS
from ._pipeline import check_model_fits
from ._run_folder import RunFolder, write_outputs
from ._samplers import SAMPLERS
from ._score import predictions, score_study
from ._splits import guard_unit, make_folds, split_unit

__all__ = ["run_study"]


class _FixedFolds:
    """Precomputed (train, test) pairs behind the splitter interface."""

    def __init__(self, folds):
        self.folds = folds

    def split(self, X=None, y=None, groups=None):
        yield from ((f.train, f.test) for f in self.folds)

    def get_n_splits(self, X=None, y=None, groups=None):
        return len(self.folds)


def _default_out(study):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{study.name}-{stamp}"


def _sfreq(study, source):
    return float(study.preprocessing.resample or study.dataset.load.get("sfreq")
                 or type(source).SFREQ)


def _test_side(study, data_dir, download, partial, progress):
    """The source and subjects of the [test_dataset], checked like the training side's."""
    from ..datasets import get_source

    spec, other = study.test_dataset, test_study(study)
    folder = data_dir
    if spec.data_dir:
        folder = Path(spec.data_dir)
        if not folder.is_absolute():
            folder = Path(study.path).parent / folder
    source = get_source(spec.source, data_dir=folder, download=download, progress=progress,
                        preload=False)
    subjects, _ = protocol_subjects(source, other)
    here, missing = present_subjects(source, subjects, other, partial)
    if download:
        source.fetch(here, **source._selection(load_options(other)))
    source.progress = False
    return source, here, subjects, missing


def _check_network(study, source):
    """Build the network on the window shape before any data is read."""
    if INPUTS[study.features.input].traits.get("shape") is None:
        return
    channels = study.dataset.channels
    n_channels = len(channels) if isinstance(channels, list) and channels else 2
    check_model_fits(study, n_channels, SAMPLERS[study.windows.sampler].n_samples(
        study.windows.options, _sfreq(study, source)))


@contextlib.contextmanager
def _scheduler(address):
    """Send joblib's jobs to a Dask cluster while the block runs."""
    if address is None:
        yield
        return
    import joblib
    from dask.distributed import Client

    with Client(address), joblib.parallel_config(backend="dask"):
        yield


def _leakage(study, windows, folds):
    from ..evaluation import check_group_leakage

    guard = guard_unit(study)
    if guard == "none":
        return []
    groups = (np.asarray(windows.groups).astype(str) if guard == "subject"
              else windows.meta["record"].to_numpy().astype(str))
    with warnings.catch_warnings():  # allowed shared groups are a warning of the report
        warnings.filterwarnings("ignore", ".*share groups", UserWarning)
        return check_group_leakage(_FixedFolds(folds), np.zeros(len(groups)), None, groups,
                                   allow_shared_groups=study.split.allow_shared_groups)


def _candidates(study, source, here, windows, store, progress):
    out = []
    for overrides in study.selection.candidates:
        candidate = study.override(overrides)
        same = (vars(candidate.windows) == vars(study.windows)
                and candidate.dataset == study.dataset
                and candidate.preprocessing == study.preprocessing)
        w, s = (windows, store) if same else study_windows(candidate, source, here, progress)
        out.append(Candidate(overrides, candidate, w, str(s)))
    return out


def _class_counts(windows, frame, train_rows, classes, whose="all windows"):
    """Windows per class: trained on and tested with one fold, else all and tested.

    ``windows`` and ``train_rows`` are the fold's own (a chosen candidate's
    windows where the selection picked one that cuts them otherwise); with
    several folds, ``whose`` names the column of all windows.
    """
    y = pd.Series(np.asarray(windows.y).astype(str))
    if train_rows is not None:
        counts = pd.DataFrame({"train": y.iloc[train_rows].value_counts(),
                               "test": frame["true"].value_counts()})
    else:
        counts = pd.DataFrame({whose: y.value_counts(),
                               "tested": frame["true"].value_counts()})
    return counts.reindex(classes).fillna(0).astype(int)


def _counted_windows(windows, windows_of):
    """The windows the header counts, and the name of their column with several folds.

    One set of windows for every fold (the recipe's, or one candidate's):
    those. Folds whose chosen candidates cut different windows: the recipe's
    own, named as such, since no one set of windows was tested.
    """
    distinct = {id(w): w for w in windows_of.values()}
    if len(distinct) == 1:
        return next(iter(distinct.values())), "all windows"
    return windows, "all windows (the recipe's own)"


def run_study(study, *, data_dir=None, out=None, download=False, partial=False, progress=True,
              n_jobs=1, scheduler=None, resume=False):
    """Run a study end to end and write its run folder.

    Parameters
    ----------
    study : Study
        From :func:`~biosig.study.load_recipe`.
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
    n_jobs : int
        Fits (folds, selection candidates) run in parallel processes.
    scheduler : str | None
        Address of a Dask scheduler: the fits run on that cluster (its
        workers must see the data folder and the cache).
    resume : bool
        Carry on an interrupted run with the same ``out``: only the fits not
        yet done run.

    Returns
    -------
    out : Path
    """
    import keras

    from ..datasets import get_source

    out = Path(out) if out is not None else _default_out(study)
    started = time.perf_counter()
    with RunFolder(out, resume=resume) as folder:
        source = get_source(study.dataset.source, data_dir=data_dir, download=download,
                            progress=progress, preload=False)
        subjects, sides = protocol_subjects(source, study)
        _check_network(study, source)
        here, missing = present_subjects(source, subjects, study, partial)
        if sides is not None:
            sides = [[s for s in side if s in here] for side in sides]
            for side, ids in zip(("train", "test"), sides):
                if not ids:
                    raise MissingDataError(f"no {side} subject of the split is here; "
                                           + source.missing_message(source.missing_files(missing)))
        if download:
            source.fetch(here, **source._selection(load_options(study)))
        source.progress = False  # one bar: the windows' own
        test = None
        if study.test_dataset is not None:
            test_source, test_here, test_subjects, test_missing = _test_side(
                study, data_dir, download, partial, progress)
            test, sides = (test_source, test_here), [here, test_here]
            # A test side that is partly here makes the protocol reduced too.
            subjects = [*subjects, *(f"{test_source.name} {s}" for s in test_subjects)]
            missing = [*missing, *(f"{test_source.name} {s}" for s in test_missing)]
        windows, store = study_windows(study, source, here, progress, test=test)
        folder.check_plan({"recipe": study.to_dict(), "windows": store.name, "here": here})
        folds = make_folds(study, windows, sides)
        shared = _leakage(study, windows, folds)

        with _scheduler(scheduler):
            jobs_n = -1 if scheduler else n_jobs
            chosen, selection_table, candidates, fits = {}, None, None, [0, 0]
            if study.selection is not None:
                candidates = _candidates(study, source, here, windows, store, progress)
                inner, ran_inner = run_jobs(inner_jobs(study, candidates, windows, folds),
                                            folder.partial, n_jobs=jobs_n, progress=progress)
                fits = [ran_inner, len(inner)]
                chosen, selection_table = choose(study, candidates, folds, inner)
            jobs, windows_of, train_of = [], {}, {}
            for k, fold in enumerate(folds):
                plan = (candidates[chosen[fold.name]] if candidates else
                        Candidate({}, study, windows, str(store)))
                train, test = fold_rows(fold, windows, plan.windows, study)
                windows_of[fold.name], train_of[fold.name] = plan.windows, train
                label = f"fold {k + 1}/{len(folds)}" + (f" ({fold.name})" if fold.name != str(k)
                                                        else "")
                jobs.append(Job(f"fold-{fold.name}", label, plan.study, plan.store, train, test,
                                save_model=k == len(folds) - 1))
            results, ran = run_jobs(jobs, folder.partial, n_jobs=jobs_n, progress=progress)
            fits = {"run": fits[0] + ran, "resumed": fits[1] - fits[0] + len(jobs) - ran}

        frame, classes = predictions(study, folds, results, windows_of)
        metrics, fold_table = score_study(study, frame, classes, results)
        last = results[jobs[-1].key]
        selection = (selection_sentence(study, candidates, chosen, windows) if candidates
                     else None)
        tables = {}
        if len(folds) > 1:
            tables["Metrics per fold"] = pd.DataFrame(fold_table)
        if "events" in metrics:
            tables["Seizure events"] = pd.DataFrame([{k: v for k, v in metrics["events"].items()
                                                      if k != "latencies"}])
        if selection_table is not None:
            tables["Selection: inner scores on the training side"] = pd.DataFrame(selection_table)
            tables["Selection: inner scores on the training side"].to_csv(
                folder.partial / "selection.csv", index=False)
        unit = split_unit(study)
        counted, whose = _counted_windows(windows, windows_of)
        versions = software(keras.backend.backend())
        header = {
            "study": study.name, "source": source.name, "split": study.split.kind,
            "reduced_protocol": bool(missing),
            "warnings": report_warnings(study, shared=shared, missing=missing, subjects=subjects,
                                 guard=guard_unit(study)),
            "protocol": protocol(study, source=source, here=here, windows=windows, sides=sides,
                                 n_folds=len(folds), shared=shared,
                                 thresholds="threshold" in metrics, selection=selection)
            + [software_sentence(versions)],
            "subjects": here, "missing_subjects": missing,
            "train_records": sides[0] if sides else None,
            "test_records": sides[1] if sides else None,
            "n_folds": len(folds), "folds": fold_table, "interval_unit": f"{unit}s",
            "class_counts": _class_counts(counted, frame, train_of[folds[0].name]
                                          if len(folds) == 1 else None, classes,
                                          whose).to_dict(),
            "n_windows": int(len(counted)), "n_tested": int(len(frame)),
            "n_features": last["n_features"],
            "imbalance": study.training.imbalance,
            "selected": ({f: candidates[c].overrides for f, c in chosen.items()}
                         if candidates else None),
            "saved_model": f"the model of fold {folds[-1].name}" if len(folds) > 1 else "the model",
            "epochs_trained": len(last["history"].get("loss", [])),
            "keras_backend": keras.backend.backend(), "n_jobs": n_jobs,
            "scheduler": scheduler, "fits": fits, "biosig_version": versions["biosig-dl"],
            "python": versions["python"], "software": versions,
        }
        header["wall_time_s"] = round(time.perf_counter() - started, 1)
        write_outputs(folder.partial, study=study, header=header, metrics=metrics, frame=frame,
                      classes=classes, fold_rows=fold_table, history=last["history"],
                      tables=tables)
        folder.publish()
    return out
