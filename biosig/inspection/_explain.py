"""Explain a run folder's saved model on the windows its fold tested, into figures and the report."""

from pathlib import Path

import numpy as np
import pandas as pd

from ._attribution import grad_cam, integrated_gradients, saliency
from ._figures import (
    channel_time,
    plot_beat_attribution,
    plot_channel_time,
    plot_feature_attribution,
    plot_topomaps,
)

__all__ = ["METHODS", "explain_run"]

METHODS = ("integrated_gradients", "saliency", "grad_cam")


def _need(path, what):
    if not path.is_file():
        raise FileNotFoundError(f"{path}: not in the run folder ({what}); is "
                                f"{path.parent} a folder written by biosig run?")
    return path


def _sample(frame, n_windows, random_state):
    """At most ``n_windows`` tested windows of each true class, in their file order."""
    rng = np.random.default_rng(random_state)
    keep = []
    for _, rows in frame.groupby("true", sort=False):
        index = rows.index.to_numpy()
        if len(index) > n_windows:
            index = np.sort(rng.choice(index, n_windows, replace=False))
        keep.append(index)
    return frame.loc[np.sort(np.concatenate(keep))]


def _onset_keys(records, onsets):
    return list(zip(np.asarray(records).astype(str), np.round(np.asarray(onsets, float), 6)))


def _pick(windows, sample):
    """The windows of ``sample`` (record, onset), in its order, or None if one is absent."""
    where = {k: i for i, k in enumerate(_onset_keys(windows.meta["record"],
                                                    windows.meta["onset"]))}
    index = [where.get(k) for k in _onset_keys(sample["record"], sample["onset"])]
    if any(i is None for i in index):
        return None
    return windows[np.asarray(index, dtype=np.int64)]


def _side(study, header, data_dir):
    """The study, source and subjects the tested windows were cut from (a [test_dataset]'s)."""
    from ..datasets import get_source
    from ..study._data import test_study

    if study.test_dataset is None:
        source = get_source(study.dataset.source, data_dir=data_dir, progress=False,
                            preload=False)
        return study, source, list(header["subjects"])
    spec, folder = study.test_dataset, data_dir
    if spec.data_dir:
        folder = Path(spec.data_dir)
        if not folder.is_absolute():
            folder = Path(study.path).parent / folder
    source = get_source(spec.source, data_dir=folder, progress=False, preload=False)
    return test_study(study), source, list(header["test_records"] or [])


def _stored(study, header, data_dir):
    """The run's window store, when the cache still holds it for unchanged data."""
    from ..datasets import get_source
    from ..study._data import window_key
    from ..windows import read_windows
    from ..windows._store import _key_folder

    source = get_source(study.dataset.source, data_dir=data_dir, progress=False, preload=False)
    try:
        key = window_key(study, source, header["subjects"])
        if study.test_dataset is not None:
            other, test_source, subjects = _side(study, header, data_dir)
            key = {"train": key, "test": window_key(other, test_source, subjects)}
        folder = _key_folder(key, None)
        return read_windows(folder, verify=False) if folder.exists() else None
    except (OSError, ValueError, KeyError):
        return None


def _rebuilt(study, header, sample, data_dir):
    """Cut again the windows of the recordings ``sample`` comes from, one at a time."""
    from ..study._data import iter_windows, present_subjects
    from ..windows import Windows

    side, source, subjects = _side(study, header, data_dir)
    named = set(sample["record"].astype(str)) | set(sample["subject"].astype(str))
    # the source's ids are records (MIT-BIH) or subjects (EEG sources)
    wanted = [s for s in subjects if s in named] or subjects
    present_subjects(source, wanted, side, partial=False)  # names the missing files
    like, cohort = None, None
    if study.test_dataset is not None:  # the test side takes the training channels and rate
        from ..datasets import get_source

        train = get_source(study.dataset.source, data_dir=data_dir, progress=False,
                           preload=False)
        like, cohort = {}, "test"
        next(iter_windows(study, train, header["subjects"][:1], False, like=like,
                          cohort="train"))
    records = set(sample["record"].astype(str))
    parts = [part for part in iter_windows(side, source, wanted, False, like=like, cohort=cohort)
             if np.isin(part.meta["record"].to_numpy().astype(str), list(records)).any()]
    return _pick(Windows.concat(parts), sample) if parts else None


def _tested_windows(study, header, sample, data_dir):
    windows = _stored(study, header, data_dir)
    picked = None if windows is None else _pick(windows, sample)
    if picked is None:
        picked = _rebuilt(study, header, sample, data_dir)
    if picked is None:
        records = sorted(set(sample["record"].astype(str)))
        raise ValueError(f"the tested windows of records {records[:8]} are not cut from the data "
                         f"in {data_dir or '$BIOSIG_DATA'} as the run cut them (other data, or "
                         "another biosig version?); pass the run's --data-dir")
    return picked


def _model_input(study, windows):
    """What the saved network reads: the windows (with tabular features), or the fold's steps'
    output (scalograms, feature vectors) recomputed on them."""
    from ..study._data import model_view
    from ..study._inputs import INPUTS
    from ..study._pipeline import WindowInfo

    view = model_view(study, windows)
    steps = INPUTS[study.features.input].build(
        study, WindowInfo(windows.sfreq, list(windows.ch_names), tuple(windows.X.shape[1:])))
    names = None
    for _, step in steps:  # stateless extractors: fitting on these windows changes nothing
        view = step.fit_transform(view)
        try:
            names = list(step.get_feature_names_out())
        except (AttributeError, ValueError):
            names = None
    return view, names


def _attribute(method, estimator, X, target, *, steps, layer):
    if method == "integrated_gradients":
        return integrated_gradients(estimator, X, target, steps=steps)
    if method == "saliency":
        return saliency(estimator, X, target)
    return grad_cam(estimator, X, layer, target)


def _by_class(values, labels, classes):
    return {c: values[labels == c] for c in classes if (labels == c).any()}


def explain_run(run_dir, method="integrated_gradients", n_windows=32, *, data_dir=None,
                steps=50, layer=None, random_state=0):
    """Attributions of a run's saved model on windows of its test fold, as figures in the run.

    The run folder's ``model.keras`` is the model of its last fold;
    ``predictions.csv`` lists the windows that fold tested. Up to
    ``n_windows`` of them per true class are drawn, their windows read
    from the run's window store if the cache still holds it for the same
    data, else cut again from the recordings they come from (the
    recipe's own data functions), and each window's attribution to its
    true class is computed. The figures ``explain_<method>_*.png`` are
    written into the run folder and the report is written again with them:

    - beat windows (ECG): the class-average beat coloured by attribution;
    - other windows (EEG): channels x time heat maps, and scalp maps of the
      channels' mean attribution where the channel names have 10-05
      positions (else the scalp maps are skipped, with a message);
    - feature-vector input: the features with the largest attribution.

    Parameters
    ----------
    run_dir : path-like
        A folder written by ``biosig run``.
    method : {"integrated_gradients", "saliency", "grad_cam"}
        Attribution method: :func:`integrated_gradients`, :func:`saliency`
        (absolute gradient) or :func:`grad_cam`.
    n_windows : int
        Windows drawn per class, at most.
    data_dir : path-like | None
        The data folder the run read (else ``BIOSIG_DATA``); read only
        when the window store is not in the cache.
    steps : int
        Path steps of integrated gradients.
    layer : str | None
        Convolution layer of Grad-CAM; the last one when None.
    random_state : int | None
        Seed of the windows drawn.

    Returns
    -------
    result : dict
        ``figures`` (paths written), ``messages`` (figures skipped and why),
        ``n_windows`` (windows explained per class), ``report`` (the
        report's path).
    """
    from ..models import load_estimator
    from ..study import load_recipe
    from ..study._run_folder import _read, render_report

    if method not in METHODS:
        raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
    if isinstance(n_windows, bool) or not isinstance(n_windows, (int, np.integer)) \
            or n_windows < 1:
        raise ValueError(f"n_windows must be a positive integer, got {n_windows!r}")
    run = Path(run_dir)
    if not run.is_dir():
        raise FileNotFoundError(f"{run}: no such run folder")
    header, _, _ = _read(run)
    if (run / "model.joblib").is_file():
        raise ValueError(f"{run / 'model.joblib'}: this run's model is not one network (a "
                         "classical model, or an ensemble of networks, [training] ensemble): "
                         "explain reads one network's model.keras")
    model_path = _need(run / "model.keras", "the saved model; biosig run writes it")
    frame = pd.read_csv(_need(run / "predictions.csv", "the tested windows"),
                        dtype={"record": str, "subject": str, "fold": str, "true": str})
    study = load_recipe(_need(run / "recipe.toml", "the run's recipe"))
    estimator = load_estimator(model_path)
    if not len(frame):
        raise ValueError(f"{run / 'predictions.csv'}: lists no tested window")
    fold = frame["fold"].iloc[-1]  # the saved model's: the last fold
    chosen = (header.get("selected") or {}).get(str(fold))
    if chosen:  # a [selection] run: that fold's model read its chosen candidate's windows
        study = study.override(chosen)
    sample = _sample(frame[frame["fold"] == fold], int(n_windows), random_state)
    windows = _tested_windows(study, header, sample, data_dir)
    X, names = _model_input(study, windows)
    labels = sample["true"].to_numpy().astype(str)
    classes = [c for c in np.asarray(estimator.classes_).astype(str) if c in set(labels)]
    known = np.isin(labels, classes)
    if not known.any():
        raise ValueError(f"the model knows none of the tested classes {sorted(set(labels))}")
    if not known.all():  # a class the saved fold's model never saw
        X = X[np.flatnonzero(known)] if hasattr(X, "rows") else np.asarray(X)[known]
        windows, labels = windows[np.flatnonzero(known)], labels[known]
    target = np.asarray(estimator.classes_)[np.searchsorted(
        np.asarray(estimator.classes_).astype(str), labels)]
    values = _attribute(method, estimator, X, target, steps=steps, layer=layer)
    title = {"integrated_gradients": f"Integrated gradients ({steps} steps)",
             "saliency": "Saliency |d score / d input|", "grad_cam": "Grad-CAM"}[method]
    title += f" to the true class, fold {fold}"
    figures, messages = [], []
    if not np.any(values):
        messages.append(f"every {method} attribution is zero: the model's score does not move "
                        "with these inputs (a saturated or constant model?)")

    def save(fig, kind):
        path = run / f"explain_{method}_{kind}.png"
        fig.savefig(path, dpi=110)
        figures.append(path)

    per_class = _by_class(values, labels, classes)
    if study.features.input == "features":
        flat = {k: v.reshape(len(v), -1) for k, v in per_class.items()}
        save(plot_feature_attribution(flat, names, title=title), "features")
    elif study.windows.sampler == "beat":
        save(plot_beat_attribution(_by_class(windows.X, labels, classes), per_class,
                                   windows.sfreq, tmin=study.windows.options.get("tmin", 0.0),
                                   ch_names=windows.ch_names, title=title), "beats")
    else:
        tmin = float(study.windows.options.get("tmin", 0.0) or 0.0)
        save(plot_channel_time(per_class, windows.ch_names, windows.sfreq, tmin=tmin,
                               title=title), "channels_time")
        rows = channel_time(values).shape[0]
        if rows != len(windows.ch_names):
            messages.append(f"no topographic map: the {method} map has {rows} row(s), not one "
                            f"per channel ({len(windows.ch_names)})")
        else:
            try:
                save(plot_topomaps(per_class, windows.ch_names, title=title), "topomap")
            except ValueError as err:
                messages.append(str(err))
    report = render_report(run)
    return {"figures": figures, "messages": messages, "report": report,
            "n_windows": {c: int((labels == c).sum()) for c in classes}}
