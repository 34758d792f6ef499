"""``[split] kind``: how windows are divided into training and test sides."""

from dataclasses import dataclass

import numpy as np

from ._keys import NUM, Key, RecipeError
from ._registry import Registry

__all__ = ["SPLITS", "Fold", "make_folds", "split_unit", "unit_groups"]

SPLITS = Registry("split", "kind")


@dataclass(frozen=True)
class Fold:
    """One train/test division of the windows.

    Attributes
    ----------
    name : str
    train, test : ndarray of int
        Rows of the windows.
    """

    name: str
    train: np.ndarray
    test: np.ndarray


def split_unit(study):
    """What the split and the bootstrap work on: "record" or "subject"."""
    return SPLITS[study.split.kind].unit(study)


def unit_groups(study, windows):
    """The group of each window that splits and the bootstrap use."""
    if split_unit(study) == "record":
        return windows.meta["record"].to_numpy().astype(str)
    return np.asarray(windows.groups).astype(str)


def _by_setting(study):
    return study.split.groups


def _by_record(study):
    return "record"


def _describe_sides(study, sides, n_folds, unit):
    return [f"Inter-patient split by {unit}: no {unit} on both sides.",
            f"Train ({len(sides[0])}): {', '.join(sides[0])}.",
            f"Test ({len(sides[1])}): {', '.join(sides[1])}."]


def _check_lists(study):
    o = study.split.options
    if not (o["train"] and o["test"]):
        raise RecipeError(f"{study.path}: [split] kind = 'inter_patient' needs train and test "
                          "(lists of ids, the name of a list of the source such as 'DS1', or a "
                          "file of ids)")


@SPLITS.add("inter_patient",
            keys={"train": Key((str, list), [], items=str), "test": Key((str, list), [], items=str)},
            describe=_describe_sides, unit=_by_setting, by_group=True, sides=True,
            guard="subject", check=_check_lists)
def _inter_patient(study, sides):
    from ..evaluation import InterPatientSplit

    return InterPatientSplit(*sides)


def _check_k(study):
    if study.split.options["n_splits"] < 2:
        raise RecipeError(f"{study.path}: [split] n_splits = {study.split.options['n_splits']}: "
                          "must be 2 or more")


_KFOLD = {"n_splits": Key((int,), 5), "shuffle": Key((bool,), True)}


def _kfold(splitter, study):
    """A scikit-learn k-fold splitter with the recipe's n_splits, shuffle and seed."""
    o = study.split.options
    return splitter(o["n_splits"], shuffle=o["shuffle"],
                    random_state=study.training.seed if o["shuffle"] else None)


@SPLITS.add("stratified_kfold", keys=_KFOLD, unit=_by_setting, by_group=False, sides=False,
            guard="subject", check=_check_k, needs_groups=False,
            describe=lambda study, sides, n_folds, unit: [
                f"Stratified {study.split.options['n_splits']}-fold cross-validation over "
                f"windows{' (shuffled)' if study.split.options['shuffle'] else ''}: every "
                "window is tested once."])
def _stratified_kfold(study, sides):
    from sklearn.model_selection import StratifiedKFold

    return _kfold(StratifiedKFold, study)


@SPLITS.add("stratified_group_kfold", keys=_KFOLD, unit=_by_setting, by_group=True,
            sides=False, guard="subject", check=_check_k,
            describe=lambda study, sides, n_folds, unit: [
                f"Stratified group {study.split.options['n_splits']}-fold cross-validation by "
                f"{unit}: the classes in about their proportions in every fold, no {unit} on "
                "both sides of a fold; every window is tested once."])
def _stratified_group_kfold(study, sides):
    from sklearn.model_selection import StratifiedGroupKFold

    return _kfold(StratifiedGroupKFold, study)


@SPLITS.add("group_kfold", keys=_KFOLD, unit=_by_setting, by_group=True, sides=False,
            guard="subject", check=_check_k,
            describe=lambda study, sides, n_folds, unit: [
                f"Group {study.split.options['n_splits']}-fold cross-validation by {unit}: no "
                f"{unit} is on both sides of a fold; every window is tested once."])
def _group_kfold(study, sides):
    from sklearn.model_selection import GroupKFold

    return _kfold(GroupKFold, study)


@SPLITS.add("leave_one_group_out", unit=_by_setting, by_group=True, sides=False,
            guard="subject",
            describe=lambda study, sides, n_folds, unit: [
                f"Leave one {unit} out: {n_folds} folds."])
def _leave_one_group_out(study, sides):
    from sklearn.model_selection import LeaveOneGroupOut

    return LeaveOneGroupOut()


@SPLITS.add("session",
            keys={"train_sessions": Key((list,), ["T"], items=str),
                  "test_sessions": Key((list,), ["E"], items=str)},
            unit=_by_setting, by_group=True, sides=False, guard="record", sessions=True,
            describe=lambda study, sides, n_folds, unit: [
                f"Within each subject, sessions {', '.join(study.split.options['train_sessions'])}"
                f" train and sessions {', '.join(study.split.options['test_sessions'])} test "
                f"({n_folds} subjects)."])
def _session(study, sides):
    from ..evaluation import SessionSplit

    o = study.split.options
    return SessionSplit(o["train_sessions"], o["test_sessions"], per_subject=True)


def _check_seizure(study):
    if not study.evaluation.seizure_label:
        raise RecipeError(f"{study.path}: [split] kind = 'leave_one_seizure_out' needs "
                          "[evaluation] seizure_label (the label of seizure windows)")


@SPLITS.add("leave_one_seizure_out", unit=_by_record, by_group=True, sides=False,
            guard="record", check=_check_seizure,
            describe=lambda study, sides, n_folds, unit: [
                "Leave one seizure record out: each record holding a seizure is tested once, "
                "trained on the other records (Shoeb 2010); records without a seizure only "
                "train."])
def _leave_one_seizure_out(study, sides):
    from ..evaluation import LeaveOneSeizureOut

    return LeaveOneSeizureOut(study.evaluation.seizure_label)


def _check_fraction(study):
    fraction = study.split.options["test_fraction"]
    if not 0 < fraction < 1:
        raise RecipeError(f"{study.path}: [split] test_fraction = {fraction}: must lie in (0, 1)")


@SPLITS.add("chronological", keys={"test_fraction": Key(NUM, 0.3), "gap": Key((int,), 0)},
            unit=_by_record, by_group=False, sides=False, guard="none", check=_check_fraction,
            describe=lambda study, sides, n_folds, unit: [
                f"Chronological: within each record the last "
                f"{study.split.options['test_fraction']:.0%} of windows test, after a gap of "
                f"{study.split.options['gap']} windows."])
def _chronological(study, sides):
    from ..evaluation import ChronologicalSplit

    o = study.split.options
    return ChronologicalSplit(o["test_fraction"], gap=o["gap"])


@SPLITS.add("cross_source", unit=_by_setting, by_group=True, sides=False, guard="subject",
            cross_source=True,
            describe=lambda study, sides, n_folds, unit: [
                f"Cross-source: trained on every window of [dataset] {study.dataset.source} and "
                f"tested once on [test_dataset] {study.test_dataset.source}"
                + (f" in {study.test_dataset.data_dir}" if study.test_dataset.data_dir else "")
                + "; channels matched by name, resampled to the training rate.",
                f"Train ({len(sides[0])}): {', '.join(sides[0][:20])}.",
                f"Test ({len(sides[1])}): {', '.join(sides[1][:20])}."])
def _cross_source(study, sides):
    return _CohortSplit()


class _CohortSplit:
    """Train on the windows of the training dataset, test on those of the test dataset."""

    def split(self, X, y=None, groups=None):
        cohort = np.asarray(groups)
        yield np.flatnonzero(cohort == "train"), np.flatnonzero(cohort == "test")


def guard_unit(study):
    """The unit the leakage guard checks: "subject", "record" or "none"."""
    return study.split.guard_by or SPLITS[study.split.kind].guard


def make_folds(study, windows, sides):
    """The folds of ``study``'s split over ``windows``.

    Returns
    -------
    folds : list of Fold
    """
    from ..evaluation import session_groups

    option = SPLITS[study.split.kind]
    if option.traits.get("cross_source"):
        groups = windows.meta["cohort"].to_numpy().astype(str)
    elif option.traits.get("sessions"):
        groups = session_groups(windows)
    else:
        groups = unit_groups(study, windows)
    present = set(groups.tolist())
    splitter = option.build(study, [[g for g in side if g in present] for side in sides]
                            if sides is not None and option.sides else None)
    y = np.asarray(windows.y)
    subjects = np.asarray(windows.groups).astype(str)
    per_subject = study.split.per_subject and not option.traits.get("sessions")
    parts = ([(s, np.flatnonzero(subjects == s)) for s in dict.fromkeys(subjects.tolist())]
             if per_subject else [("", np.arange(len(y)))])
    folds = []
    for subject, index in parts:
        try:
            pairs = list(splitter.split(np.zeros(len(index)), y[index],
                                        groups[index] if option.traits.get("needs_groups", True)
                                        else None))
        except ValueError as err:
            raise ValueError(f"[split] kind = {study.split.kind!r}"
                             + (f" for subject {subject}" if subject else "") + f": {err}") from None
        for k, (train, test) in enumerate(pairs):
            if option.traits.get("sessions"):
                name = str(subjects[index[test][0]])
            else:
                name = f"{subject}:{k}" if subject else str(k)
            folds.append(Fold(name, index[train], index[test]))
    if not folds:
        raise ValueError(f"{study.path}: [split] kind = {study.split.kind!r} gave no fold on "
                         "these windows (too few subjects, sessions or seizures)")
    return folds
