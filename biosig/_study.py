"""The parts of a study built from a resolved recipe: data, windows, inputs, model, folds."""

import numpy as np

from ._recipe import MODELS, RESAMPLERS, TRAINING_TO_MODEL, RecipeError, model_class

__all__ = []


class MissingDataError(FileNotFoundError):
    """Subjects or records the protocol needs are not on disk."""


# -- data ------------------------------------------------------------------
def _source_picks_channels(name):
    import inspect

    from .datasets import SOURCES

    return "channels" in inspect.signature(SOURCES[name].load).parameters


def load_options(recipe):
    """The [dataset] keys passed to the source's ``load``, with ``channels``
    when the source selects channels itself (MIT-BIH leads, CHB-MIT montages)."""
    d = recipe["dataset"]
    options = {k: v for k, v in d.items()
               if k not in ("source", "subjects", "channels", "exclude")}
    if d["channels"] and _source_picks_channels(d["source"]):
        options["channels"] = d["channels"]
    return options


def protocol_subjects(source, recipe, recipe_path):
    """Subjects the protocol names, and for inter-patient splits the two sides."""
    split = recipe["split"]
    if split["kind"] == "inter_patient":
        if recipe["dataset"]["subjects"] != "all":
            raise RecipeError(f"{recipe_path}: [dataset] subjects: an inter-patient split "
                              "takes its subjects from [split] train and test")
        sides = [_named_list(source, split[side], side, recipe_path) for side in ("train", "test")]
        shared = sorted(set(sides[0]) & set(sides[1]))
        if shared:
            raise RecipeError(f"{recipe_path}: [split] on both sides: {', '.join(shared)}")
        return sides[0] + sides[1], sides
    subjects = recipe["dataset"]["subjects"]
    subjects = list(source.subjects) if subjects == "all" else (
        [subjects] if isinstance(subjects, str) else subjects)
    try:
        subjects = source.check_subjects(subjects)
        exclude = source.check_subjects(recipe["dataset"]["exclude"]) if recipe["dataset"]["exclude"] else []
    except ValueError as err:
        raise RecipeError(f"{recipe_path}: [dataset] subjects: {err}") from None
    return [s for s in subjects if s not in exclude], None


def _named_list(source, spec, side, recipe_path):
    if isinstance(spec, str):
        named = getattr(source, spec, None) if spec.isidentifier() and spec.isupper() else None
        if named is None:
            raise RecipeError(f"{recipe_path}: [split] {side} = {spec!r}: {source.name} has no "
                              "such list; give a list of subjects or records")
        return [str(s) for s in named]
    unknown = [s for s in spec if s not in source.subjects]
    if unknown:
        raise RecipeError(f"{recipe_path}: [split] {side}: unknown {source.name} ids {unknown}")
    return [str(s) for s in spec]


def present_subjects(source, subjects, recipe, partial):
    """Return the subjects to load and those missing; raise unless ``partial``."""
    if source.download:
        return list(subjects), []
    selection = source._selection(load_options(recipe))
    missing = [s for s in subjects if source.missing_files([s], **selection)]
    if missing and not partial:
        files = source.missing_files(missing, **selection)
        raise MissingDataError(source.missing_message(files) + " Or pass --partial to run a "
                               "reduced protocol on the subjects present.")
    here = [s for s in subjects if s not in missing]
    if not here:
        raise MissingDataError(f"no {source.name} subject of the protocol is here "
                               f"(searched {', '.join(map(str, source.folders))}); "
                               + source.missing_message(source.missing_files(missing[:3], **selection)))
    return here, missing


def load_recordings(source, subjects, recipe, progress):
    """Load, pick channels and preprocess the recordings of ``subjects``."""
    from .preprocessing import bandpass

    recordings = source.load(subjects, **load_options(recipe))
    channels = recipe["dataset"]["channels"]
    pre = recipe["preprocessing"]
    for rec in recordings:
        if channels and not _source_picks_channels(source.name):
            absent = [] if isinstance(channels, str) else [c for c in channels
                                                            if c not in rec.raw.ch_names]
            if absent:
                raise ValueError(f"record {rec.record}: channels {absent} are not in the file; "
                                 f"it has {rec.raw.ch_names}")
            rec.raw.pick(channels)
        if pre["resample"]:
            rec.raw.resample(pre["resample"], verbose="error")
    if pre["bandpass"]:
        recordings = [bandpass(r, pre["l_freq"], pre["h_freq"]) for r in recordings]
    return recordings


# -- windows ---------------------------------------------------------------
def make_sampler(recipe, progress):
    """The sampler of [windows]."""
    from .datasets import AAMI_EC57
    from .windows import BeatSampler, EventSampler, SlidingSampler

    w = recipe["windows"]
    if w["sampler"] == "beat":
        classes = w["classes"] or sorted(set(AAMI_EC57.values()))
        labels = {sym: c for sym, c in AAMI_EC57.items() if c in classes}
        return BeatSampler(w["tmin"], w["tmax"], labels=labels, local_beats=w["local_beats"],
                           progress=progress)
    if w["sampler"] == "sliding":
        return SlidingSampler(w["length"], w["stride"] or None, labels=w["labels"] or None,
                              default=w["default"], rule=w["rule"], progress=progress)
    return EventSampler(w["tmin"], w["tmax"], w["labels"], marks=w["marks"], progress=progress)


def sample_windows(recipe, recordings, progress):
    """Cut windows, then keep the recipe's classes and drop marked windows if asked."""
    w = recipe["windows"]
    windows = make_sampler(recipe, progress).sample(recordings)
    keep = np.ones(len(windows), bool)
    if w["classes"]:
        keep &= np.isin(windows.y, w["classes"])
    if w.get("drop_marked"):
        for mark in w["marks"]:
            keep &= ~windows.meta[mark].to_numpy(bool)
    if not keep.any():
        raise ValueError(f"no window is labelled {w['classes']} "
                         f"(labels found: {sorted(set(windows.y.tolist()))})")
    return windows if keep.all() else windows[np.flatnonzero(keep)]


def sfreq_of(recipe, source_cls):
    """The sampling rate of the windows, known before loading."""
    resample = recipe["preprocessing"]["resample"]
    return float(resample or recipe["dataset"].get("sfreq") or source_cls.SFREQ)


def window_samples(recipe, sfreq):
    """Samples per window, as the samplers compute them."""
    w = recipe["windows"]
    if w["sampler"] == "sliding":
        return int(round(w["length"] * sfreq))
    n = int(round((w["tmax"] - w["tmin"]) * sfreq))
    return n + 1 if w["sampler"] == "event" else n


# -- inputs ----------------------------------------------------------------
def _extractor(name, recipe, sfreq, ch_names):
    from . import features as F

    f = recipe["features"]
    bands = {k: tuple(v) for k, v in f["bands"].items()} or None
    return {
        "wavelet": lambda: F.WaveletFeatures(f["wavelet"], f["wavelet_level"], ch_names=ch_names),
        "wavelet_packet": lambda: F.WaveletPacketEnergy(f["wavelet"], f["wavelet_level"],
                                                        ch_names=ch_names),
        "band_power": lambda: F.BandPower(sfreq, bands, log=True, ch_names=ch_names),
        "differential_entropy": lambda: F.DifferentialEntropy(sfreq, bands, ch_names=ch_names),
        "hjorth": lambda: F.Hjorth(ch_names=ch_names),
        "spectral_shape": lambda: F.SpectralShape(sfreq, ch_names=ch_names),
    }[name]()


def _features(names, recipe, X, sfreq, ch_names):
    blocks, columns = [], []
    for name in names:
        tf = _extractor(name, recipe, sfreq, ch_names)
        blocks.append(tf.fit_transform(X))
        columns += tf.get_feature_names_out().tolist()
    return np.concatenate(blocks, axis=1), columns


def _check_finite(values, columns, windows):
    bad = ~np.isfinite(values)
    if bad.any():
        rows, cols = np.nonzero(bad)
        records = sorted(set(windows.meta["record"].to_numpy()[rows]))
        raise ValueError(f"features {sorted({columns[c] for c in cols})[:5]} are NaN or infinite "
                         f"in {bad.any(axis=1).sum()} windows of records {records[:10]} "
                         "(a flat signal, or a record with fewer than two beats)")


def model_inputs(recipe, windows):
    """Return the model input ``X`` and the names of its feature columns (if any).

    ``raw``: the windows, with [features] tabular columns packed beside them
    for the 1-D CNN. ``features``: one vector per window, or with ``steps``
    sub-windows a sequence ``(n, n_features, steps)``. ``scalogram``: CWT
    images ``(n, channels, scales, times)``.
    """
    from .features import CWTScalogram
    from .models import pack_inputs
    from .windows import RR_FEATURES

    f = recipe["features"]
    X, sfreq, ch_names = windows.X, windows.sfreq, windows.ch_names
    if f["input"] == "scalogram":
        freqs = tuple(f["freqs"]) or tuple(range(2, int(min(40, sfreq / 2)) + 1, 2))
        return CWTScalogram(sfreq, freqs).fit_transform(X), []
    if f["input"] == "features" and f["steps"] > 1:
        n, c, t = X.shape
        steps, step = f["steps"], t // f["steps"]
        sub = X[:, :, :steps * step].reshape(n, c, steps, step).transpose(0, 2, 1, 3)
        values, columns = _features(f["extractors"], recipe, sub.reshape(n * steps, c, step),
                                    sfreq, ch_names)
        _check_finite(values, columns, windows[np.repeat(np.arange(n), steps)])
        return values.reshape(n, steps, -1).transpose(0, 2, 1).astype(np.float32), columns
    names = (f["extractors"] if f["input"] == "features" else []) + f["tabular"]
    if not names:
        return X, []
    blocks, columns = [], []
    for name in names:
        if name == "rr":
            # The RR intervals, and each over the record's mean: the ratios carry
            # prematurity across patients with different heart rates.
            rr = windows.meta[list(RR_FEATURES)].to_numpy(np.float64)
            blocks += [rr, rr[:, :3] / rr[:, 3:]]
            columns += list(RR_FEATURES) + [f"{n}_ratio" for n in RR_FEATURES[:3]]
        else:
            values, more = _features([name], recipe, X, sfreq, ch_names)
            blocks.append(values)
            columns += more
    values = np.concatenate(blocks, axis=1)
    _check_finite(values, columns, windows)
    values = values.astype(np.float32)
    if f["input"] == "features":
        return values, columns
    return pack_inputs(X, values), columns


# -- model -----------------------------------------------------------------
def make_estimator(recipe, window_shape=None, callbacks=None):
    """The classifier of [model] with the [training] settings, in an imblearn
    pipeline behind a resampler when the imbalance setting resamples."""
    from imblearn.over_sampling import RandomOverSampler

    m, t = recipe["model"], recipe["training"]
    cls = model_class(m["name"])
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in m.items() if k != "name"}
    params.update({k: t[k] for k in TRAINING_TO_MODEL})
    imbalance = t["imbalance"]
    params.update(random_state=t["seed"], verbose=0,
                  class_weight="balanced" if imbalance == "class_weight" else None,
                  loss="focal" if imbalance == "focal" else None,
                  sampler=RandomOverSampler(random_state=t["seed"])
                  if imbalance == "balanced_batches" else None)
    accepted = cls().get_params()
    if window_shape is not None and "window_shape" in accepted:
        params["window_shape"] = tuple(window_shape)
    if callbacks:
        params["callbacks"] = list(callbacks)
    model = cls(**{k: v for k, v in params.items() if k in accepted})
    if imbalance not in RESAMPLERS:
        return model
    import importlib

    from imblearn.pipeline import Pipeline

    module, name = RESAMPLERS[imbalance]
    resampler = getattr(importlib.import_module(f"imblearn.{module}"), name)(random_state=t["seed"])
    return Pipeline([("resample", resampler), ("model", model)])


def check_model_fits(recipe, recipe_path, n_channels, n_samples):
    """Build the network on the recipe's window shape; explain a mismatch.

    Raises
    ------
    RecipeError
        Naming the file, the model and the [windows] keys that set the shape.
    """
    import keras

    name = recipe["model"]["name"]
    f = recipe["features"]
    if f["input"] == "features" and f["steps"] == 1:
        return
    n_classes = 2
    if f["input"] == "scalogram":
        n_scales = len(f["freqs"]) or 20
        shape = (n_channels, n_scales, n_samples)
    elif f["input"] == "features":
        shape = (n_channels, f["steps"])
    else:
        shape = (n_channels, n_samples)
    model = make_estimator(recipe)
    windows = np.random.default_rng(0).standard_normal((2, *shape)).astype(np.float32)
    keys = ("length" if recipe["windows"]["sampler"] == "sliding" else "tmin/tmax")
    try:
        stats = {"signal": (np.zeros(shape[0]), np.ones(shape[0]))}
        network = model._build(shape, 0, n_classes, stats)
        network({"signal": windows[:1]})
    except Exception as err:  # Keras raises ValueError, or backend errors on empty axes
        params = ", ".join(f"{k} = {v!r}" for k, v in recipe["model"].items() if k != "name")
        raise RecipeError(
            f"{recipe_path}: [model] name = {name!r} ({params or 'defaults'}) does not fit "
            f"windows of {shape[-1]} samples x {n_channels} channels from [windows] {keys}: "
            f"{str(err).splitlines()[0][:200]}. Lengthen the windows, or shrink the model's "
            "kernels and pools") from None
    finally:
        keras.backend.clear_session()


# -- folds -----------------------------------------------------------------
class FixedFolds:
    """Precomputed (train, test) index pairs behind the ``split`` interface."""

    def __init__(self, folds):
        self.folds = folds

    def split(self, X=None, y=None, groups=None):
        yield from self.folds

    def get_n_splits(self, X=None, y=None, groups=None):
        return len(self.folds)


def _splitter(recipe, sides):
    from sklearn.model_selection import GroupKFold, LeaveOneGroupOut, StratifiedKFold

    from .evaluation import ChronologicalSplit, InterPatientSplit, LeaveOneSeizureOut, SessionSplit

    s, seed = recipe["split"], recipe["training"]["seed"]
    kind = s["kind"]
    if kind == "inter_patient":
        return InterPatientSplit(*sides)
    if kind == "stratified_kfold":
        return StratifiedKFold(s["n_splits"], shuffle=s["shuffle"],
                               random_state=seed if s["shuffle"] else None)
    if kind == "group_kfold":
        return GroupKFold(s["n_splits"], shuffle=s["shuffle"],
                          random_state=seed if s["shuffle"] else None)
    if kind == "leave_one_group_out":
        return LeaveOneGroupOut()
    if kind == "session":
        return SessionSplit(s["train_sessions"], s["test_sessions"], per_subject=True)
    if kind == "leave_one_seizure_out":
        return LeaveOneSeizureOut(recipe["evaluation"]["seizure_label"])
    return ChronologicalSplit(s["test_fraction"], gap=s["gap"])


def unit(recipe):
    """What splits and bootstrap resampling work on: "record" or "subject"."""
    record = recipe["split"]["groups"] == "record" or recipe["split"]["kind"] in (
        "leave_one_seizure_out", "chronological", "inter_patient")
    return "record" if record else "subject"


def unit_groups(recipe, windows):
    """The group of each window that splits and bootstrap resampling use."""
    if unit(recipe) == "record":
        return windows.meta["record"].to_numpy().astype(str)
    return windows.groups.astype(str)


def guard_unit(recipe):
    """The unit the leakage guard checks: subject, record or none."""
    s = recipe["split"]
    if s["guard_by"]:
        return s["guard_by"]
    if s["kind"] in ("session", "leave_one_seizure_out", "chronological"):
        return "record"  # within-subject protocols: the same subject is on both sides
    return "subject"


def make_folds(recipe, windows, sides, recipe_path):
    """Return the folds as (name, train, test) and the groups the split used."""
    from .evaluation import session_groups

    s = recipe["split"]
    groups = session_groups(windows) if s["kind"] == "session" else unit_groups(recipe, windows)
    if s["kind"] == "inter_patient":
        sides = [[r for r in side if r in set(groups)] for side in sides]
    splitter = _splitter(recipe, sides)
    y = windows.y
    parts = ([(subject, np.flatnonzero(windows.groups == subject))
              for subject in dict.fromkeys(windows.groups.tolist())]
             if s["per_subject"] and s["kind"] != "session" else [("", np.arange(len(y)))])
    folds = []
    for subject, index in parts:
        try:
            # StratifiedKFold takes no groups; the others need them.
            pairs = list(splitter.split(np.zeros(len(index)), y[index],
                                        None if s["kind"] == "stratified_kfold" else groups[index]))
        except ValueError as err:
            raise ValueError(f"[split] kind = {s['kind']!r}"
                             + (f" for subject {subject}" if subject else "") + f": {err}") from None
        for k, (train, test) in enumerate(pairs):
            if s["kind"] == "session":
                name = str(np.asarray(windows.groups)[index[test][0]])
            else:
                name = f"{subject}:{k}" if subject else str(k)
            folds.append((name, index[train], index[test]))
    if not folds:
        raise ValueError(f"{recipe_path}: [split] kind = {s['kind']!r} gave no fold on these "
                         "windows (too few subjects, sessions or seizures)")
    return folds


def model_kind(recipe):
    """'window' for networks on raw windows or images, 'features' otherwise."""
    return "features" if MODELS[recipe["model"]["name"]][1] == ("features",) else "window"
