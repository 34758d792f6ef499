"""A study's data: who is in the protocol, what is here, and its windows in the store.

Recordings are read one subject at a time, lazily where MNE allows, and each
is cut into windows that go straight into the memory-mapped window store: at
no time does the corpus sit in memory. The store is keyed by everything the
windows depend on (source, files, subjects, loader options, channels,
preprocessing, sampler) and reused by the next run that asks for the same.
"""

import inspect
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ._inputs import tabular_features
from ._keys import RecipeError
from ._samplers import SAMPLERS
from ._splits import SPLITS

__all__ = ["MissingDataError"]


class MissingDataError(FileNotFoundError):
    """Subjects or records the protocol needs are not on disk."""


def _source_picks_channels(name):
    from ..datasets import SOURCES

    return "channels" in inspect.signature(SOURCES[name].load).parameters


def load_options(study):
    """The source's ``load`` keywords: [dataset] extras, and ``channels`` when the
    source selects channels itself (MIT-BIH leads, CHB-MIT montages)."""
    options = dict(study.dataset.load)
    if study.dataset.channels and _source_picks_channels(study.dataset.source):
        options["channels"] = study.dataset.channels
    return options


def _id_file(spec, study, side):
    path = Path(spec)
    if not path.is_absolute():
        path = Path(study.path).parent / path
    if not path.is_file():
        raise RecipeError(f"{study.path}: [split] {side} = {spec!r}: no such file of ids")
    return [line.split("#")[0].strip() for line in path.read_text().splitlines()
            if line.split("#")[0].strip()]


def _named_list(source, spec, side, study):
    """A side of a fixed split: inline ids, a list the source names (DS1), or a file of ids."""
    if isinstance(spec, str):
        if spec.isidentifier() and spec.isupper():
            named = getattr(source, spec, None)
            if named is None:
                raise RecipeError(f"{study.path}: [split] {side} = {spec!r}: {source.name} has "
                                  "no such list; give a list of ids, or a file of ids")
            spec = list(named)
        elif spec.endswith((".txt", ".csv", ".ids")):
            spec = _id_file(spec, study, side)
        else:
            raise RecipeError(f"{study.path}: [split] {side} = {spec!r}: {source.name} has no "
                              "such list; give a list of ids, or a file of ids (.txt)")
    try:
        return source.check_subjects([str(s) for s in spec])
    except ValueError as err:
        raise RecipeError(f"{study.path}: [split] {side}: {err}") from None


def protocol_subjects(source, study):
    """The subjects the protocol names, and for a fixed split its two sides.

    Returns
    -------
    subjects : list of str
    sides : (list, list) | None
    """
    if SPLITS[study.split.kind].sides:
        if study.dataset.subjects != "all":
            raise RecipeError(f"{study.path}: [dataset] subjects: a fixed split takes its "
                              "subjects from [split] train and test")
        sides = [_named_list(source, study.split.options[side], side, study)
                 for side in ("train", "test")]
        shared = sorted(set(sides[0]) & set(sides[1]))
        if shared:
            raise RecipeError(f"{study.path}: [split] on both sides: {', '.join(shared)}")
        return sides[0] + sides[1], sides
    subjects = study.dataset.subjects
    subjects = list(source.subjects) if subjects == "all" else (
        [subjects] if isinstance(subjects, str) else subjects)
    try:
        subjects = source.check_subjects(subjects)
        exclude = source.check_subjects(study.dataset.exclude) if study.dataset.exclude else []
    except ValueError as err:
        raise RecipeError(f"{study.path}: [dataset] subjects: {err}") from None
    return [s for s in subjects if s not in exclude], None


def present_subjects(source, subjects, study, partial):
    """The subjects to load and those missing; raises unless ``partial``."""
    if source.download:
        return list(subjects), []
    selection = source._selection(load_options(study))
    missing = [s for s in subjects if source.missing_files([s], **selection)]
    if missing and not partial:
        files = source.missing_files(missing, **selection)
        raise MissingDataError(source.missing_message(files) + " Or pass --partial to run a "
                               "reduced protocol on the subjects present.")
    here = [s for s in subjects if s not in missing]
    if not here:
        raise MissingDataError(f"no {source.name} subject of the protocol is here "
                               f"(searched {', '.join(map(str, source.folders))}); "
                               + source.missing_message(source.missing_files(missing[:3],
                                                                             **selection)))
    return here, missing


def _fingerprint(source, subjects, study):
    """Size and modification time of every file the windows are read from."""
    selection = source._selection(load_options(study))
    prints = []
    for subject in subjects:
        for relative in source.subject_files(subject, **selection):
            found = source.find(relative)
            stat = found.stat() if found is not None else None
            prints.append([relative, stat and stat.st_size, stat and stat.st_mtime_ns])
    return prints


def window_key(study, source, subjects):
    """Everything a study's windows depend on, as the window store's cache key."""
    return {"source": source.name, "version": source.version, "subjects": list(subjects),
            "files": _fingerprint(source, subjects, study), "load": load_options(study),
            "channels": study.dataset.channels, "rename": study.dataset.rename,
            "preprocessing": vars(study.preprocessing),
            "sampler": study.windows.sampler, "options": study.windows.options,
            "classes": study.windows.classes}


def _match(recording, like):
    """Give a test recording the training windows' channels (by name, in order) and rate."""
    names, sfreq = like["ch_names"], like["sfreq"]
    absent = [c for c in names if c not in recording.raw.ch_names]
    if absent:
        raise ValueError(f"record {recording.record} of the test dataset has no channel "
                         f"{absent} of the training windows; it has {recording.raw.ch_names}")
    recording.raw.pick(names)
    if recording.sfreq != sfreq:
        recording.raw.load_data(verbose=False)
        recording.raw.resample(sfreq, verbose="error")
    return recording


def _prepare(recording, study, like=None):
    """Pick channels, resample and band-pass one recording, in place where MNE allows."""
    from ..preprocessing import bandpass

    if study.dataset.rename:
        absent = sorted(set(study.dataset.rename) - set(recording.raw.ch_names))
        if absent:
            raise ValueError(f"record {recording.record}: rename names channels {absent} that "
                             f"are not in the file; it has {recording.raw.ch_names}")
        recording.raw.rename_channels(study.dataset.rename)
    if like is not None:
        recording = _match(recording, like)
    channels, pre = study.dataset.channels, study.preprocessing
    if channels and not _source_picks_channels(study.dataset.source):
        absent = [] if isinstance(channels, str) else [c for c in channels
                                                        if c not in recording.raw.ch_names]
        if absent:
            raise ValueError(f"record {recording.record}: channels {absent} are not in the "
                             f"file; it has {recording.raw.ch_names}")
        recording.raw.pick(channels)
    if pre.resample or pre.bandpass:
        recording.raw.load_data(verbose=False)
    if pre.resample:
        recording.raw.resample(pre.resample, verbose="error")
    if pre.bandpass:
        recording = bandpass(recording, pre.l_freq, pre.h_freq)
    return recording


def iter_windows(study, source, subjects, progress, *, like=None, cohort=None):
    """Cut the windows of ``subjects``, one recording at a time.

    Parameters
    ----------
    like : dict | None
        ``ch_names`` and ``sfreq`` that every recording is matched to (a
        test dataset takes the training windows'); when None and ``cohort``
        is ``"train"``, filled from the first windows cut.
    cohort : str | None
        Written to a ``cohort`` column of the windows' meta.

    Yields
    ------
    windows : Windows
        One recording's windows of the recipe's classes, marked windows
        dropped if asked.
    """
    sampler = SAMPLERS[study.windows.sampler].build(study, False)
    w = study.windows
    seen, yielded = set(), False
    for subject in tqdm(subjects, desc=f"windows of {source.name}", unit="subject",
                        disable=not progress):
        for recording in source.load([subject], **load_options(study)):
            part = sampler.sample_recording(
                _prepare(recording, study, like if cohort == "test" else None))
            del recording
            if part is None:
                continue
            seen.update(part.y.tolist())
            keep = np.ones(len(part), bool)
            if w.classes:
                keep &= np.isin(part.y, w.classes)
            if w.options.get("drop_marked"):
                for mark in w.options["marks"]:
                    keep &= ~part.meta[mark].to_numpy(bool)
            if keep.any():
                yielded = True
                part = part if keep.all() else part[np.flatnonzero(keep)]
                if cohort is not None:
                    part.meta["cohort"] = cohort
                if like is not None and not like:
                    like.update(ch_names=list(part.ch_names), sfreq=part.sfreq)
                yield part
    if not yielded:
        raise ValueError(f"no window is labelled {w.classes} (labels found: {sorted(seen)})")


def test_study(study):
    """The study as seen from its [test_dataset]: that source in place of [dataset]."""
    import dataclasses

    return dataclasses.replace(study, dataset=study.test_dataset, test_dataset=None)


def study_windows(study, source, subjects, progress, test=None):
    """The windows of ``subjects``, from the window store (built on the first run).

    Parameters
    ----------
    test : (source, subjects) | None
        A test dataset whose windows follow the training ones in the same
        store, matched to their channels and rate, with ``cohort`` telling
        them apart.

    Returns
    -------
    windows : Windows
        ``X`` is a read-only memory map of the store.
    store : Path
        The store folder, which fold jobs open by path.
    """
    import itertools

    from ..windows import cached_windows
    from ..windows._store import _key_folder

    key = window_key(study, source, subjects)
    if test is None:
        def build():
            return iter_windows(study, source, subjects, progress)
    else:
        other = test_study(study)
        key = {"train": key, "test": window_key(other, *test)}

        def build():
            like = {}
            return itertools.chain(
                iter_windows(study, source, subjects, progress, like=like, cohort="train"),
                iter_windows(other, *test, progress, like=like, cohort="test"))
    windows = cached_windows(key, build, verify=False)
    return windows, _key_folder(key, None)


def model_view(study, windows):
    """The windows as a WindowView carrying the recipe's tabular features."""
    from ..windows import WindowView

    values, names = tabular_features(study, windows)
    return WindowView(windows.X, features=values, feature_names=names or None)
