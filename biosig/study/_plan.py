"""A recipe as a typed plan: :class:`Study`, read from TOML and checked once.

A recipe has the sections of the pipeline: ``[study]``, ``[dataset]``,
``[preprocessing]``, ``[windows]``, ``[features]``, ``[model]``,
``[training]``, ``[split]``, ``[evaluation]`` and, optionally,
``[selection]``, ``[test_dataset]`` (a second source to test on) and
``[[anchors]]`` (published results the report sets beside the run's). Most
keys are fixed; some sections also take the keys of
what they name: ``[dataset]`` the keyword arguments of the source's
``load`` (``runs``, ...), ``[windows]`` those of the chosen sampler,
``[split]`` those of the chosen split and ``[model]`` the estimator's
parameters. Every key is checked, with its type, before any work starts.
"""

import copy
import inspect
import itertools
from dataclasses import dataclass, field, fields
from pathlib import Path

from ._imbalance import IMBALANCE
from ._inputs import EXTRACTORS, INPUTS
from ._keys import NUM, Key, RecipeError, key_from_default, loads, parse_override, required, resolve
from ._models import MANAGED, MODELS, TRAINING_TO_MODEL, model_class
from ._samplers import SAMPLERS
from ._splits import SPLITS

__all__ = ["Anchor", "Study", "anchors_of", "load_recipe", "validate"]


@dataclass(frozen=True)
class Dataset:
    """``[dataset]`` (and ``[test_dataset]``): the source, its subjects and channels,
    its loader's options, and for a test dataset the folder it lies in.

    ``rename`` maps a file's channel names to those the study uses (e.g. svdb's
    ``{"ECG" = "MLII"}``), before channels are picked or matched to the
    training windows'."""

    source: str
    subjects: object = "all"
    channels: object = field(default_factory=list)
    exclude: list = field(default_factory=list)
    rename: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)
    data_dir: str = ""


@dataclass(frozen=True)
class Preprocessing:
    """``[preprocessing]``: band-pass filter and resampling."""

    bandpass: bool = False
    l_freq: float = 0.5
    h_freq: float = 40.0
    resample: float = 0


@dataclass(frozen=True)
class WindowPlan:
    """``[windows]``: the sampler, the classes kept, and the sampler's keys."""

    sampler: str
    classes: list = field(default_factory=list)
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Features:
    """``[features]``: what the model reads of each window.

    ``align = "euclidean"`` puts :class:`~biosig.features.EuclideanAlignment`
    first in each fold's pipeline: every subject's windows are aligned on
    the mean of their own covariances, without labels; a test subject on
    its own test windows (transductive per subject). ``scale = "subject"``
    puts :class:`~biosig.features.GroupScaler` after the feature vectors:
    each subject's vectors are centred and scaled on their own median and
    interquartile range, in the same way.
    """

    input: str = "raw"
    align: str = "none"
    scale: str = "none"
    extractors: list = field(default_factory=list)
    tabular: list = field(default_factory=list)
    steps: int = 1
    wavelet: str = "db4"
    wavelet_level: int = 4
    bands: dict = field(default_factory=dict)
    freqs: list = field(default_factory=list)


@dataclass(frozen=True)
class ModelPlan:
    """``[model]``: the estimator and its parameters."""

    name: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Training:
    """``[training]``: the training budget, the imbalance setting and the seed.

    ``ensemble = N`` trains N networks with seeds ``seed`` ... ``seed + N - 1``
    and averages their class probabilities (scikit-learn's soft
    :class:`~sklearn.ensemble.VotingClassifier`).
    """

    epochs: int = 30
    batch_size: int = 64
    learning_rate: float = 1e-3
    validation_fraction: float = 0.2
    patience: int = 5
    imbalance: str = "class_weight"
    threshold_class: str = ""
    threshold_cv: int = 0
    bootstrap: int = 1000
    seed: int = 0
    ensemble: int = 1


@dataclass(frozen=True)
class SplitPlan:
    """``[split]``: the split kind, its unit and guard, and the kind's keys."""

    kind: str
    groups: str = "subject"
    guard_by: str = ""
    per_subject: bool = False
    allow_shared_groups: bool = False
    note: str = ""
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    """``[evaluation]``: AAMI statistics, the seizure label for event metrics, and voting.

    ``vote = "record"`` averages the class probabilities of each record's
    windows (within its test fold): the metrics, intervals and inner
    selection scores then count records, as sub-window results on Bonn do.
    ``vote = "trial"`` does the same for the crops of each event window
    (``[windows] crop_length``; an uncropped window is its trial's one crop),
    and the metrics count trials.
    """

    aami: bool = False
    seizure_label: str = ""
    vote: str = "none"


@dataclass(frozen=True)
class Selection:
    """``[selection]``: settings chosen by an inner split of the training side.

    Attributes
    ----------
    candidates : list of dict
        Each a set of ``"section.key": value`` overrides of the recipe, or of
        ``"section": {table}`` ones that replace a whole table (another
        ``[model]`` with its own keys).
    inner : str
        The inner split: ``"group_kfold"`` or ``"leave_one_group_out"``.
    n_splits : int
    groups : str
        ``"record"`` or ``"subject"``: what the inner split holds out.
    scoring : str
        A metric of :func:`~biosig.evaluation.classification_metrics`
        (``"macro_f1"``, ``"balanced_accuracy"``, ...) or ``"STAT:CLASS"``
        such as ``"f1:S"``.
    """

    candidates: list
    inner: str = "group_kfold"
    n_splits: int = 5
    groups: str = "record"
    scoring: str = "macro_f1"


@dataclass(frozen=True)
class Anchor:
    """One ``[[anchors]]`` table: a published result of the metric the run also reports.

    Attributes
    ----------
    source : str
        Who published it, e.g. ``"de Chazal 2004, linear discriminants"``.
    protocol : str
        The published protocol in words, e.g. ``"DS1 -> DS2, full"``.
    metric : str
        A metric the run reports: ``"accuracy"``, ``"macro_f1"``, ...,
        ``"SVEB F1"`` (with AAMI statistics), ``"f1:CLASS"``, or an event
        metric of a seizure study (``"event_sensitivity"``).
    value : float
        As the run reports it: a fraction in [0, 1] (write 0.887, not 88.7);
        ``kappa`` in [-1, 1]; ``false_detections_per_hour`` and ``latency``
        (seconds) as numbers of at least 0.
    note : str
        Shown beside the value (how the protocol differs, how a value was
        derived).
    split : str
        The published split: a biosig split kind where one fits
        (``"inter_patient"``, ``"stratified_kfold"``, ``"session"``, ...),
        else a short word such as ``"single_subject"``; empty when not
        stated. The report warns where it is not the run's.
    reduced : bool
        The published result is on a reduced protocol (part of the data).
    """

    source: str
    protocol: str
    metric: str
    value: float
    note: str = ""
    split: str = ""
    reduced: bool = False

    def to_dict(self):
        """The anchor as a TOML table."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Study:
    """A resolved recipe: every section typed, checked and filled with defaults.

    Build one with :func:`load_recipe`; :meth:`to_dict` gives the recipe
    back as TOML-ready tables.
    """

    name: str
    description: str
    dataset: Dataset
    preprocessing: Preprocessing
    windows: WindowPlan
    features: Features
    model: ModelPlan
    training: Training
    split: SplitPlan
    evaluation: Evaluation
    selection: Selection = None
    test_dataset: Dataset = None
    anchors: tuple = ()
    path: str = "<recipe>"

    def to_dict(self):
        """The recipe as nested dicts, one per section, as a TOML file writes them."""
        out = {"study": {"name": self.name, "description": self.description}}
        for name in ("dataset", "test_dataset", "preprocessing", "windows", "features", "model",
                     "training", "split", "evaluation"):
            section = getattr(self, name)
            if section is None:
                continue
            table = {}
            for f in fields(section):
                value = copy.deepcopy(getattr(section, f.name))
                if f.name in ("load", "options", "params"):
                    table.update(value)
                elif f.name == "data_dir" and not value:
                    continue
                else:
                    table[f.name] = value
            out[name] = table
        if self.selection is not None:
            s = self.selection
            out["selection"] = {"inner": s.inner, "n_splits": s.n_splits, "groups": s.groups,
                                "scoring": s.scoring, "candidates": copy.deepcopy(s.candidates)}
        if self.anchors:
            out["anchors"] = [anchor.to_dict() for anchor in self.anchors]
        return out

    def override(self, overrides):
        """A new Study with ``{"section.key": value}`` overrides, checked again.

        A key without a dot names a whole table, which the value (a dict)
        replaces: ``{"model": {"name": "ra_cnn", "filters": [32, 64]}}``.

        Returns
        -------
        study : Study
        """
        recipe = self.to_dict()
        recipe.pop("selection", None)
        for dotted, value in overrides.items():
            if "." not in dotted:  # a whole table: "model" = {name = "ra_cnn", ...}
                recipe[dotted] = copy.deepcopy(value)
                continue
            section, key = dotted.split(".", 1)
            recipe.setdefault(section, {})[key] = copy.deepcopy(value)
        return validate(recipe, self.path)

    def model_params(self):
        """The estimator parameters of ``[model]`` and ``[training]`` (without callbacks)."""
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in self.model.params.items()}
        params.update({k: getattr(self.training, k) for k in TRAINING_TO_MODEL})
        params.update(IMBALANCE[self.training.imbalance].build(self))
        params.update(random_state=self.training.seed, verbose=0)
        return params


# tabular blocks a sampler carries in its windows' meta ("rr", ...)
_SAMPLER_TABULAR = tuple(dict.fromkeys(t for name in SAMPLERS for t in SAMPLERS[name].tabular))

_SCHEMA = {
    "study": {"name": required((str,)), "description": Key((str,), "")},
    "dataset": {"source": required((str,)), "subjects": Key((str, list), "all", items=str),
                "channels": Key((str, list), [], items=str),
                "exclude": Key((list,), [], items=str), "rename": Key((dict,), {})},
    "test_dataset": {"source": required((str,)),
                     "subjects": Key((str, list), "all", items=str),
                     "channels": Key((str, list), [], items=str),
                     "exclude": Key((list,), [], items=str), "data_dir": Key((str,), ""),
                     # {"ECG-1" = "MLII"}: its leads named as the training windows' are
                     "rename": Key((dict,), {})},
    "preprocessing": {"bandpass": Key((bool,), False), "l_freq": Key(NUM, 0.5),
                      "h_freq": Key(NUM, 40.0), "resample": Key(NUM, 0)},
    "windows": {"sampler": required((str,), SAMPLERS.choices()),
                "classes": Key((list,), [], items=str)},
    "features": {"input": Key((str,), "raw", INPUTS.choices()),
                 "align": Key((str,), "none", ("none", "euclidean")),
                 "scale": Key((str,), "none", ("none", "subject")),
                 "extractors": Key((list,), [], EXTRACTORS.choices(), items=str),
                 "tabular": Key((list,), [], _SAMPLER_TABULAR + EXTRACTORS.choices(), items=str),
                 "steps": Key((int,), 1), "wavelet": Key((str,), "db4"),
                 "wavelet_level": Key((int,), 4), "bands": Key((dict,), {}),
                 "freqs": Key((list,), [], items=NUM)},
    "model": {"name": required((str,), MODELS.choices())},
    "training": {"epochs": Key((int,), 30), "batch_size": Key((int,), 64),
                 "learning_rate": Key(NUM, 1e-3), "validation_fraction": Key(NUM, 0.2),
                 "patience": Key((int,), 5),
                 "imbalance": Key((str,), "class_weight", IMBALANCE.choices()),
                 "threshold_class": Key((str,), ""), "threshold_cv": Key((int,), 0),
                 "bootstrap": Key((int,), 1000),
                 "seed": Key((int,), 0), "ensemble": Key((int,), 1)},
    "split": {"kind": required((str,), SPLITS.choices()),
              "groups": Key((str,), "subject", ("subject", "record")),
              "guard_by": Key((str,), "", ("", "subject", "record", "none")),
              "per_subject": Key((bool,), False), "allow_shared_groups": Key((bool,), False),
              "note": Key((str,), "")},
    "evaluation": {"aami": Key((bool,), False), "seizure_label": Key((str,), ""),
                   "vote": Key((str,), "none", ("none", "record", "trial"))},
    "selection": {"inner": Key((str,), "group_kfold", ("group_kfold", "leave_one_group_out")),
                  "n_splits": Key((int,), 5), "groups": Key((str,), "record", ("record", "subject")),
                  "scoring": Key((str,), "macro_f1"), "grid": Key((dict,), {}),
                  "candidates": Key((list,), [])},
}


#: The keys of one ``[[anchors]]`` table.
_ANCHOR = {"source": required((str,)), "protocol": required((str,)), "metric": required((str,)),
           "value": required(NUM), "note": Key((str,), ""), "split": Key((str,), ""),
           "reduced": Key((bool,), False)}
#: Metrics whose anchors are not fractions, with their lowest value.
_ANCHOR_RANGES = {"kappa": (-1.0, 1.0), "false_detections_per_hour": (0.0, None),
                  "latency": (0.0, None)}


def anchors_of(given, source="<recipe>"):
    """The ``[[anchors]]`` of a recipe, each checked for its keys, types and value range.

    Parameters
    ----------
    given : list of dict
        The ``anchors`` array of tables as TOML reads it.
    source : str
        The recipe file, for messages.

    Returns
    -------
    anchors : tuple of Anchor
    """
    if not isinstance(given, list) or not all(isinstance(a, dict) for a in given):
        raise RecipeError(f"{source}: anchors must be an array of tables, one [[anchors]] per "
                          "published result")
    out = []
    for i, table in enumerate(given, 1):
        values = resolve(f"{source}: [[anchors]] #{i}", "[anchors]", _ANCHOR, table)
        anchor = Anchor(**{**values, "value": float(values["value"])})
        low, high = _ANCHOR_RANGES.get(anchor.metric, (0.0, 1.0))
        if anchor.value < low or (high is not None and anchor.value > high):
            hint = (f"; anchors are fractions as the run reports them: write "
                    f"{anchor.value / 100:g}, not {anchor.value:g}"
                    if high == 1.0 and 1.0 < anchor.value <= 100.0 else "")
            span = f"in [{low:g}, {high:g}]" if high is not None else f"at least {low:g}"
            raise RecipeError(f"{source}: [[anchors]] #{i} value = {anchor.value!r}: "
                              f"{anchor.metric} must be {span}{hint}")
        if not anchor.split.strip() and anchor.split:
            raise RecipeError(f"{source}: [[anchors]] #{i} split = {anchor.split!r}: expected a "
                              "split kind or a short word, or no split key")
        out.append(anchor)
    return tuple(out)


def _check_anchors(study):
    """Each anchor names a metric the run reports: a class the recipe has, events with a seizure label."""
    from ..evaluation import AAMI_ALIASES, parse_metric
    from ._score import EVENT

    classes = list(study.windows.classes)
    labels = study.windows.options.get("labels")
    if not classes and isinstance(labels, dict):
        default = study.windows.options.get("default")
        classes = list(dict.fromkeys([*labels.values(), *([default] if isinstance(default, str)
                                                          and default else [])]))
    events = EVENT if study.evaluation.seizure_label else ()
    for i, anchor in enumerate(study.anchors, 1):
        where = f"{study.path}: [[anchors]] #{i} metric = {anchor.metric!r}"
        if anchor.metric in EVENT:
            if not events:
                raise RecipeError(f"{where}: event metrics need [evaluation] seizure_label")
            continue
        try:
            label, _ = parse_metric(anchor.metric)
        except ValueError as err:
            raise RecipeError(f"{where}: {err}" + (f", or {', '.join(events)}" if events else "")
                              ) from None
        if label is not None and classes and label not in classes:
            alias = {v: k for k, v in AAMI_ALIASES.items()}.get(anchor.metric.split(" ")[0])
            raise RecipeError(f"{where}: class {label!r} is not one of the recipe's classes "
                              f"({', '.join(classes)})" + (" (AAMI names need the AAMI classes)"
                                                            if alias else ""))


def _load_options(source_name):
    """The keyword arguments of a source's ``load``: the [dataset] keys it adds."""
    from ..datasets import SOURCES

    signature = inspect.signature(SOURCES[source_name].load)
    return {name: key_from_default(p.default) for name, p in signature.parameters.items()
            if name not in ("self", "subjects", "records", "n_jobs", "channels", "exclude")
            and p.kind is p.KEYWORD_ONLY}


def _model_options(name):
    params = model_class(name)().get_params()
    return {k: key_from_default(v) for k, v in params.items() if k not in MANAGED}


def _split_sections(recipe, source):
    unknown = set(recipe) - set(_SCHEMA) - {"anchors"}
    if unknown:
        raise RecipeError(f"{source}: unknown section [{sorted(unknown)[0]}]; "
                          f"allowed sections: {', '.join(_SCHEMA)}, [[anchors]]")
    for section in _SCHEMA:
        if not isinstance(recipe.get(section, {}), dict):
            raise RecipeError(f"{source}: [{section}] must be a table")
    return {section: dict(recipe.get(section, {})) for section in _SCHEMA}


def _fixed_and_rest(given, keys):
    return ({k: v for k, v in given.items() if k in keys},
            {k: v for k, v in given.items() if k not in keys})


def _selection(given, source):
    if not given:
        return None
    values = resolve(source, "selection", _SCHEMA["selection"], given)
    grid, listed = values.pop("grid"), values.pop("candidates")
    if bool(grid) == bool(listed):
        raise RecipeError(f"{source}: [selection] needs either grid (a table of "
                          "\"section.key\" = [values]) or candidates (a list of tables)")
    if grid:
        bad = [k for k, v in grid.items() if not isinstance(v, list) or not v]
        if bad:
            raise RecipeError(f"{source}: [selection] grid {bad[0]!r}: expected a non-empty list "
                              "of values")
        names = list(grid)
        listed = [dict(zip(names, values)) for values in itertools.product(*grid.values())]
    for candidate in listed:
        if not isinstance(candidate, dict) or not candidate:
            raise RecipeError(f"{source}: [selection] candidates: each must be a non-empty "
                              "table of \"section.key\" = value")
        for dotted, value in candidate.items():
            whole = "." not in dotted and isinstance(value, dict)  # a whole table
            if (("." not in dotted and not whole)
                    or dotted.split(".", 1)[0] in ("split", "selection", "study", "anchors")):
                raise RecipeError(f"{source}: [selection] {dotted!r}: expected section.key of "
                                  "a section other than [study], [split] and [selection], or "
                                  "such a section's name with a table (its new content)")
    if values["n_splits"] < 2:
        raise RecipeError(f"{source}: [selection] n_splits = {values['n_splits']}: must be 2 or "
                          "more")
    return Selection(candidates=listed, **values)


def validate(recipe, source="<recipe>"):
    """Check a recipe (nested dicts) and return its :class:`Study`.

    Raises
    ------
    RecipeError
        Naming the file, the key and the allowed keys or values.
    """
    from ..datasets import SOURCES

    given = _split_sections(recipe, source)
    values = {s: resolve(source, s, _SCHEMA[s], given[s])
              for s in ("study", "preprocessing", "features", "training", "evaluation")}

    datasets = {}
    for section in ("dataset", "test_dataset"):
        if section == "test_dataset" and not given[section]:
            datasets[section] = None
            continue
        name = given[section].get("source")
        if isinstance(name, str) and name not in SOURCES:
            raise RecipeError(f"{source}: [{section}] source = {name!r} is not a biosig source; "
                              f"allowed values: {', '.join(map(repr, SOURCES))}")
        extra = _load_options(name) if name in SOURCES else {}
        values_ = resolve(source, section, _SCHEMA[section], given[section], extra)
        fixed = {k: values_.pop(k) for k in list(_SCHEMA[section])}
        bad = {k: v for k, v in fixed.get("rename", {}).items() if not isinstance(v, str)}
        if bad:
            raise RecipeError(f"{source}: [{section}] rename: channel names must be strings, "
                              f"got {bad!r}")
        datasets[section] = Dataset(load=values_, **fixed)

    sections = {}
    for section, kind_key, registry in (("windows", "sampler", SAMPLERS),
                                        ("split", "kind", SPLITS)):
        first, rest = _fixed_and_rest(given[section], _SCHEMA[section])
        common = resolve(source, section, _SCHEMA[section], first)
        keys = registry[common[kind_key]].keys
        unknown = set(rest) - set(keys)
        if unknown:
            raise RecipeError(
                f"{source}: unknown key [{section}] {sorted(unknown)[0]} for {kind_key} "
                f"{common[kind_key]!r}; allowed keys: {', '.join([*_SCHEMA[section], *keys])}")
        sections[section] = (common, resolve(source, section, keys, rest))

    model, rest = _fixed_and_rest(given["model"], {"name"})
    model = resolve(source, "model", _SCHEMA["model"], model)
    managed = sorted(set(rest) & MANAGED)
    if managed:
        raise RecipeError(f"{source}: [model] {managed[0]} is set by biosig; use [training] "
                          f"({', '.join(TRAINING_TO_MODEL)}, imbalance, seed)")
    params = resolve(source, "model", {}, rest, _model_options(model["name"]))
    if "augmentation" in params:
        from ..models._augment import check_augmentation

        try:
            check_augmentation(params["augmentation"])
        except (TypeError, ValueError) as err:
            raise RecipeError(f"{source}: [model] augmentation: {err}") from None

    (w_common, w_options), (s_common, s_options) = sections["windows"], sections["split"]
    study = Study(
        name=values["study"]["name"], description=values["study"]["description"],
        dataset=datasets["dataset"], test_dataset=datasets["test_dataset"],
        preprocessing=Preprocessing(**values["preprocessing"]),
        windows=WindowPlan(w_common["sampler"], w_common["classes"], w_options),
        features=Features(**values["features"]),
        model=ModelPlan(model["name"], params),
        training=Training(**values["training"]),
        split=SplitPlan(options=s_options, **s_common),
        evaluation=Evaluation(**values["evaluation"]),
        selection=_selection(given["selection"], source),
        anchors=anchors_of(recipe.get("anchors", []), source),
        path=str(source),
    )
    _check_consistency(study)
    _check_anchors(study)
    if study.selection is not None:
        for candidate in study.selection.candidates:  # every candidate is a valid recipe
            study.override(candidate)
    return study


def _check_consistency(study):
    """Checks across sections; each option's own checks live with its registry entry."""
    source = study.path
    name, f = study.model.name, study.features
    model = MODELS[name]
    if f.input not in model.inputs:
        allowed = ", ".join(repr(m) for m in MODELS if f.input in MODELS[m].inputs)
        raise RecipeError(f"{source}: [model] name = {name!r} does not take [features] input = "
                          f"{f.input!r}; allowed models for it: {allowed}")
    for option in (INPUTS[f.input], SAMPLERS[study.windows.sampler], SPLITS[study.split.kind]):
        check = option.traits.get("check")
        if check is not None:
            check(study)
    if f.input != "features" and (f.extractors or f.steps != 1):
        raise RecipeError(f"{source}: [features] extractors and steps need input = 'features'")
    if f.steps < 1:
        raise RecipeError(f"{source}: [features] steps = {f.steps}: must be 1 or more")
    if f.input == "features" and model.sequences != (f.steps > 1):
        raise RecipeError(
            f"{source}: [features] steps = {f.steps}: 'bilstm' reads feature sequences "
            "(steps of 2 or more sub-windows per window); 'dbn' and 'sdae' read one feature "
            "vector per window (steps = 1)")
    if (study.windows.options.get("crop_length")
            and not SPLITS[study.split.kind].traits.get("by_group")):
        raise RecipeError(f"{source}: [windows] crop_length: the crops of a trial overlap, so "
                          "they must stay on one side of every fold; [split] kind = "
                          f"{study.split.kind!r} splits windows, not groups")
    if study.evaluation.vote == "trial" and study.windows.sampler != "event":
        raise RecipeError(f"{source}: [evaluation] vote = 'trial' averages the crops of each "
                          "event window: it needs [windows] sampler = 'event'")
    sampler = SAMPLERS[study.windows.sampler]
    for name_ in f.tabular:
        if name_ not in EXTRACTORS and name_ not in sampler.tabular:
            raise RecipeError(f"{source}: [features] tabular = [{name_!r}] needs [windows] "
                              f"sampler = 'beat'")
    if f.tabular and not (model.tabular and (f.input == "raw" or f.steps == 1)):
        joined = ", ".join(repr(m) for m in MODELS
                           if MODELS[m].tabular and "raw" in MODELS[m].inputs)
        raise RecipeError(f"{source}: [features] tabular features are joined to the network by "
                          f"{joined}, or to the feature vector of input = 'features'")
    imbalance = study.training.imbalance
    accepted = model_class(name)().get_params()
    unsupported = [k for k, v in IMBALANCE[imbalance].build(study).items()
                   if v is not None and k not in accepted]
    if unsupported:
        allowed = ", ".join(repr(i) for i in IMBALANCE if not any(
            v is not None and k not in accepted for k, v in IMBALANCE[i].build(study).items()))
        raise RecipeError(f"{source}: [training] imbalance = {imbalance!r} sets the model's "
                          f"{unsupported[0]}, which [model] name = {name!r} does not have; "
                          f"allowed values: {allowed}")
    t = study.training
    if t.ensemble < 1 or (t.ensemble > 1 and not MODELS[name].network):
        raise RecipeError(f"{source}: [training] ensemble = {t.ensemble}: an ensemble is of "
                          "1 or more networks, each from its own seed"
                          + ("" if t.ensemble < 1 else
                             f"; [model] name = {name!r} is not a network"))
    if t.threshold_cv and (t.threshold_cv < 2 or not t.threshold_class):
        raise RecipeError(f"{source}: [training] threshold_cv = {t.threshold_cv} needs "
                          "threshold_cv >= 2 (0 for one held-out split) and a threshold_class")
    for key in ("align", "scale"):
        if getattr(f, key) != "none" and study.training.threshold_class:
            raise RecipeError(f"{source}: [features] {key} = {getattr(f, key)!r} and "
                              "[training] threshold_class cannot be combined: the threshold is "
                              "tuned on held-out training windows, predicted without their "
                              "subjects")
    if f.scale != "none" and (f.input != "features" or f.steps > 1):
        raise RecipeError(f"{source}: [features] scale = {f.scale!r} scales feature vectors: "
                          f"it needs input = 'features' and steps = 1, not input = {f.input!r}, "
                          f"steps = {f.steps}")
    if IMBALANCE[imbalance].feature_vectors and (f.input != "features" or f.steps > 1):
        allowed = ", ".join(repr(i) for i in IMBALANCE if not IMBALANCE[i].feature_vectors)
        raise RecipeError(f"{source}: [training] imbalance = {imbalance!r} resamples feature "
                          f"vectors and needs [features] input = 'features', steps = 1; for "
                          f"{f.input!r} input allowed values: {allowed}")
    cross = SPLITS[study.split.kind].traits.get("cross_source", False)
    if cross != (study.test_dataset is not None):
        raise RecipeError(f"{source}: [split] kind = 'cross_source' and a [test_dataset] go "
                          "together: the model trained on [dataset] is tested on [test_dataset]")


def load_recipe(path, overrides=()):
    """Read a recipe file, apply ``--set`` overrides, check it and fill defaults.

    Parameters
    ----------
    path : path-like
        The TOML recipe.
    overrides : list of str
        ``section.key=value`` strings.

    Returns
    -------
    study : Study
    """
    path = Path(path)
    if not path.is_file():
        raise RecipeError(f"{path}: recipe file not found")
    recipe = loads(path.read_text(encoding="utf-8"), path)
    for text in overrides:
        section, key, value = parse_override(text)
        if section == "anchors":
            raise RecipeError(f"--set {text!r}: [[anchors]] are set in the recipe file, not "
                              "with --set")
        recipe.setdefault(section, {})[key] = value
    recipe.setdefault("study", {}).setdefault("name", path.stem)
    return validate(recipe, str(path))
