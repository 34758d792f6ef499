"""Recipe files: load a TOML study description, check every key, fill in defaults.

A recipe has the sections of the pipeline: ``[study]``, ``[dataset]``,
``[preprocessing]``, ``[windows]``, ``[features]``, ``[model]``,
``[training]``, ``[split]`` and ``[evaluation]``. Most keys are fixed;
three sections also take the keyword arguments of what they name:
``[dataset]`` those of the source's ``load`` (``runs``, ``records``, ...),
``[windows]`` those of the chosen sampler, and ``[model]`` the estimator's
parameters. Every key is checked, with its type, before any work starts.
"""

import copy
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["MODELS", "RecipeError", "load_recipe", "parse_override"]


class RecipeError(ValueError):
    """A recipe names an unknown key, has a value of the wrong type, or an unknown choice."""


@dataclass(frozen=True)
class _Key:
    types: tuple
    default: object
    choices: tuple = None
    items: type = None


_NUM = (int, float)
_REQUIRED = None

#: Recipe model name -> (estimator class name, [features] inputs it takes).
MODELS = {
    "cnn1d": ("CNN1DClassifier", ("raw",)),
    "eegnet": ("EEGNetClassifier", ("raw",)),
    "shallow_convnet": ("ShallowConvNetClassifier", ("raw",)),
    "bilstm": ("BiLSTMClassifier", ("raw", "features")),  # features: sequences (steps > 1)
    "cnn_lstm": ("CNNLSTMClassifier", ("raw",)),
    "cnn2d": ("CNN2DClassifier", ("scalogram",)),
    "dbn": ("DBNClassifier", ("features",)),
    "sdae": ("StackedDenoisingAutoencoderClassifier", ("features",)),
}

#: [training] keys that set estimator parameters of the same name.
TRAINING_TO_MODEL = ("epochs", "batch_size", "learning_rate", "validation_fraction", "patience")
# Estimator parameters set by biosig itself, from [training] or the windows.
_MODEL_MANAGED = set(TRAINING_TO_MODEL) | {"window_shape", "callbacks", "random_state",
                                           "verbose", "class_weight", "loss", "sampler"}

IMBALANCE = ("none", "class_weight", "focal", "balanced_batches",
             "smote", "adasyn", "random_under", "smoteenn")
#: Imbalance settings that resample feature vectors (imblearn), by class name.
RESAMPLERS = {"smote": ("over_sampling", "SMOTE"), "adasyn": ("over_sampling", "ADASYN"),
              "random_under": ("under_sampling", "RandomUnderSampler"),
              "smoteenn": ("combine", "SMOTEENN")}

EXTRACTORS = ("wavelet", "wavelet_packet", "band_power", "differential_entropy", "hjorth",
              "spectral_shape")
SPLITS = ("inter_patient", "stratified_kfold", "group_kfold", "leave_one_group_out", "session",
          "leave_one_seizure_out", "chronological")

SCHEMA = {
    "study": {
        "name": _Key((str,), _REQUIRED),
        "description": _Key((str,), ""),
    },
    "dataset": {
        "source": _Key((str,), _REQUIRED),  # choices: biosig.datasets.SOURCES, checked below
        "subjects": _Key((str, list), "all", items=str),
        "channels": _Key((str, list), [], items=str),
        "exclude": _Key((list,), [], items=str),
    },
    "preprocessing": {
        "bandpass": _Key((bool,), False),
        "l_freq": _Key(_NUM, 0.5),
        "h_freq": _Key(_NUM, 40.0),
        "resample": _Key(_NUM, 0),
    },
    "windows": {
        "sampler": _Key((str,), _REQUIRED, ("beat", "sliding", "event")),
        "classes": _Key((list,), [], items=str),
    },
    "features": {
        "input": _Key((str,), "raw", ("raw", "features", "scalogram")),
        "extractors": _Key((list,), [], EXTRACTORS, items=str),
        "tabular": _Key((list,), [], ("rr",) + EXTRACTORS, items=str),
        "steps": _Key((int,), 1),
        "wavelet": _Key((str,), "db4"),
        "wavelet_level": _Key((int,), 4),
        "bands": _Key((dict,), {}),
        "freqs": _Key((list,), [], items=_NUM),
    },
    "model": {
        "name": _Key((str,), _REQUIRED, tuple(MODELS)),
    },
    "training": {
        "epochs": _Key((int,), 30),
        "batch_size": _Key((int,), 64),
        "learning_rate": _Key(_NUM, 1e-3),
        "validation_fraction": _Key(_NUM, 0.2),
        "patience": _Key((int,), 5),
        "imbalance": _Key((str,), "class_weight", IMBALANCE),
        "threshold_class": _Key((str,), ""),
        "bootstrap": _Key((int,), 1000),
        "seed": _Key((int,), 0),
    },
    "split": {
        "kind": _Key((str,), _REQUIRED, SPLITS),
        "train": _Key((str, list), [], items=str),
        "test": _Key((str, list), [], items=str),
        "n_splits": _Key((int,), 5),
        "shuffle": _Key((bool,), True),
        "groups": _Key((str,), "subject", ("subject", "record")),
        "guard_by": _Key((str,), "", ("", "subject", "record", "none")),
        "per_subject": _Key((bool,), False),
        "train_sessions": _Key((list,), ["T"], items=str),
        "test_sessions": _Key((list,), ["E"], items=str),
        "test_fraction": _Key(_NUM, 0.3),
        "gap": _Key((int,), 0),
        "allow_shared_groups": _Key((bool,), False),
        "note": _Key((str,), ""),
    },
    "evaluation": {
        "aami": _Key((bool,), False),
        "seizure_label": _Key((str,), ""),
    },
}

#: Keys of [windows] for each sampler (besides ``sampler`` and ``classes``).
SAMPLER_KEYS = {
    "beat": {"tmin": _Key(_NUM, -0.25), "tmax": _Key(_NUM, 0.45),
             "local_beats": _Key((int,), 10)},
    "sliding": {"length": _Key(_NUM, _REQUIRED), "stride": _Key(_NUM, 0),
                "rule": _Key((str, float), "majority"), "labels": _Key((dict,), {}),
                "default": _Key((str,), "background")},
    "event": {"tmin": _Key(_NUM, _REQUIRED), "tmax": _Key(_NUM, _REQUIRED),
              "labels": _Key((dict,), _REQUIRED), "marks": _Key((list,), [], items=str),
              "drop_marked": _Key((bool,), False)},
}


def _type_names(types):
    return " or ".join(dict.fromkeys({int: "integer", float: "number", str: "string",
                                      list: "list", bool: "true/false", dict: "table"}[t]
                                     for t in types))


def _check_value(source, where, spec, value):
    where = f"{source}: {where}"
    ok = isinstance(value, spec.types) and not (isinstance(value, bool) and bool not in spec.types)
    if not ok:
        raise RecipeError(f"{where} = {value!r}: expected a {_type_names(spec.types)}")
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and spec.items is not None:
        items = spec.items if isinstance(spec.items, tuple) else (spec.items,)
        bad = [v for v in value if not isinstance(v, items) or isinstance(v, bool)]
        if bad:
            raise RecipeError(f"{where}: items must be {_type_names(items)}s, got {bad!r}")
    if spec.choices is not None:
        bad = [v for v in values if v not in spec.choices]
        if bad:
            raise RecipeError(f"{where} = {value!r}: {bad[0]!r} is not allowed; "
                              f"allowed values: {', '.join(map(repr, spec.choices))}")


def _resolve_keys(source, section, keys, given, extra=None):
    """Check ``given`` against ``keys`` (and ``extra``, dynamic keys) and fill defaults."""
    extra = extra or {}
    unknown = set(given) - set(keys) - set(extra)
    if unknown:
        raise RecipeError(f"{source}: unknown key [{section}] {sorted(unknown)[0]}; "
                          f"allowed keys: {', '.join([*keys, *extra])}")
    out = {}
    for key, spec in keys.items():
        value = given.get(key, copy.deepcopy(spec.default))
        if value is None:
            raise RecipeError(f"{source}: [{section}] {key} is required")
        _check_value(source, f"[{section}] {key}", spec, value)
        out[key] = value
    for key, spec in extra.items():
        if key in given:
            _check_value(source, f"[{section}] {key}", spec, given[key])
            out[key] = given[key]
    return out


def _key_from_default(default):
    """A loose type check from a Python default: tuples are TOML lists, None is anything."""
    if default is None or default is inspect.Parameter.empty:
        return _Key((str, int, float, bool, list, dict), None)
    if isinstance(default, bool):
        return _Key((bool,), default)
    if isinstance(default, (int, float)):
        return _Key(_NUM, default)
    if isinstance(default, (tuple, list)):
        return _Key((list,), list(default))
    if isinstance(default, dict):
        return _Key((dict,), default)
    return _Key((type(default),), default)


def _load_options(source_name):
    """The keyword arguments of a source's ``load``: the [dataset] keys it adds."""
    from .datasets import SOURCES

    signature = inspect.signature(SOURCES[source_name].load)
    return {name: _key_from_default(p.default) for name, p in signature.parameters.items()
            if name not in ("self", "subjects", "records", "n_jobs", "channels", "exclude")
            and p.kind is p.KEYWORD_ONLY}


def model_class(name):
    """The estimator class of a recipe model name."""
    from . import models

    return getattr(models, MODELS[name][0])


def _model_options(name):
    params = model_class(name)().get_params()
    return {k: _key_from_default(v) for k, v in params.items() if k not in _MODEL_MANAGED}


def validate(recipe, source="<recipe>"):
    """Check a recipe dict and return it with defaults filled in.

    Raises
    ------
    RecipeError
        Naming the file, the key and the allowed keys or values.
    """
    from .datasets import SOURCES

    unknown = set(recipe) - set(SCHEMA)
    if unknown:
        raise RecipeError(f"{source}: unknown section [{sorted(unknown)[0]}]; "
                          f"allowed sections: {', '.join(SCHEMA)}")
    for section in SCHEMA:
        if not isinstance(recipe.get(section, {}), dict):
            raise RecipeError(f"{source}: [{section}] must be a table")
    given = {section: dict(recipe.get(section, {})) for section in SCHEMA}
    out = {}
    for section in ("study", "preprocessing", "features", "training", "split", "evaluation"):
        out[section] = _resolve_keys(source, section, SCHEMA[section], given[section])

    name = given["dataset"].get("source")
    if isinstance(name, str) and name not in SOURCES:
        raise RecipeError(f"{source}: [dataset] source = {name!r} is not a biosig source; "
                          f"allowed values: {', '.join(map(repr, SOURCES))}")
    extra = _load_options(name) if name in SOURCES else {}
    out["dataset"] = _resolve_keys(source, "dataset", SCHEMA["dataset"], given["dataset"], extra)

    windows = _resolve_keys(source, "windows", SCHEMA["windows"],
                            {k: v for k, v in given["windows"].items() if k in SCHEMA["windows"]})
    keys = SAMPLER_KEYS[windows["sampler"]]
    rest = {k: v for k, v in given["windows"].items() if k not in SCHEMA["windows"]}
    unknown = set(rest) - set(keys)
    if unknown:
        raise RecipeError(f"{source}: unknown key [windows] {sorted(unknown)[0]} for sampler "
                          f"{windows['sampler']!r}; allowed keys: "
                          f"{', '.join([*SCHEMA['windows'], *keys])}")
    out["windows"] = {**windows, **_resolve_keys(source, "windows", keys, rest)}

    model = _resolve_keys(source, "model", SCHEMA["model"],
                          {k: v for k, v in given["model"].items() if k == "name"})
    rest = {k: v for k, v in given["model"].items() if k != "name"}
    managed = sorted(set(rest) & _MODEL_MANAGED)
    if managed:
        raise RecipeError(f"{source}: [model] {managed[0]} is set by biosig; use [training] "
                          f"({', '.join(TRAINING_TO_MODEL)}, imbalance, seed)")
    out["model"] = {**model, **_resolve_keys(source, "model", {}, rest,
                                             _model_options(model["name"]))}
    _check_consistency(out, source)
    return out


def _check_consistency(recipe, source):
    """Checks across sections: input kinds, imbalance settings, split lists."""
    name = recipe["model"]["name"]
    f = recipe["features"]
    inputs = MODELS[name][1]
    if f["input"] not in inputs:
        raise RecipeError(f"{source}: [model] name = {name!r} does not take [features] input = "
                          f"{f['input']!r}; allowed models for it: "
                          f"{', '.join(repr(m) for m, (_, i) in MODELS.items() if f['input'] in i)}")
    if f["input"] == "features" and not f["extractors"]:
        raise RecipeError(f"{source}: [features] extractors is empty but input = 'features'; "
                          f"allowed values: {', '.join(map(repr, EXTRACTORS))}")
    if f["input"] != "features" and (f["extractors"] or f["steps"] != 1):
        raise RecipeError(f"{source}: [features] extractors and steps need input = 'features'")
    if f["steps"] < 1:
        raise RecipeError(f"{source}: [features] steps = {f['steps']}: must be 1 or more")
    sequence = name == "bilstm"
    if f["input"] == "features" and sequence != (f["steps"] > 1):
        raise RecipeError(
            f"{source}: [features] steps = {f['steps']}: 'bilstm' reads feature sequences "
            "(steps of 2 or more sub-windows per window); 'dbn' and 'sdae' read one feature "
            "vector per window (steps = 1)")
    if "rr" in f["tabular"] and recipe["windows"]["sampler"] != "beat":
        raise RecipeError(f"{source}: [features] tabular = ['rr'] needs [windows] sampler = 'beat'")
    if f["tabular"] and not (name == "cnn1d" or (f["input"] == "features" and f["steps"] == 1)):
        raise RecipeError(f"{source}: [features] tabular features are joined to the network by "
                          "'cnn1d', or to the feature vector of input = 'features'")
    imbalance = recipe["training"]["imbalance"]
    if imbalance in RESAMPLERS and (f["input"] != "features" or f["steps"] > 1):
        raise RecipeError(f"{source}: [training] imbalance = {imbalance!r} resamples feature "
                          f"vectors and needs [features] input = 'features', steps = 1; for {f['input']!r} "
                          "input allowed values: 'none', 'class_weight', 'focal', 'balanced_batches'")
    s = recipe["split"]
    if s["kind"] == "inter_patient" and not (s["train"] and s["test"]):
        raise RecipeError(f"{source}: [split] kind = 'inter_patient' needs train and test "
                          "(record lists, or the name of a list of the source such as 'DS1')")
    if s["kind"] != "inter_patient" and (s["train"] or s["test"]):
        raise RecipeError(f"{source}: [split] train/test are lists of kind = 'inter_patient'")
    if s["kind"] in ("stratified_kfold", "group_kfold") and s["n_splits"] < 2:
        raise RecipeError(f"{source}: [split] n_splits = {s['n_splits']}: must be 2 or more")
    if s["kind"] == "leave_one_seizure_out" and not recipe["evaluation"]["seizure_label"]:
        raise RecipeError(f"{source}: [split] kind = 'leave_one_seizure_out' needs "
                          "[evaluation] seizure_label (the label of seizure windows)")
    if not 0 < s["test_fraction"] < 1:
        raise RecipeError(f"{source}: [split] test_fraction = {s['test_fraction']}: must lie in (0, 1)")
    w = recipe["windows"]
    if w["sampler"] in ("beat", "event") and w["tmax"] <= w["tmin"]:
        raise RecipeError(f"{source}: [windows] tmax = {w['tmax']} must be after tmin = {w['tmin']}")
    if w["sampler"] == "sliding" and w["length"] <= 0:
        raise RecipeError(f"{source}: [windows] length = {w['length']}: must be positive")
    bad = {k: v for k, v in w.get("labels", {}).items() if not isinstance(v, str)}
    if bad:
        raise RecipeError(f"{source}: [windows] labels: values must be strings (the class "
                          f"names), got {bad!r}")


def parse_override(text):
    """Parse ``section.key=value`` (value in TOML syntax, or a bare string)."""
    if "=" not in text or "." not in text.split("=", 1)[0]:
        raise RecipeError(f"--set {text!r}: expected section.key=value, e.g. training.epochs=5")
    name, raw = text.split("=", 1)
    section, key = name.strip().split(".", 1)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return section, key, value


def load_recipe(path, overrides=()):
    """Read a recipe file, apply ``--set`` overrides, validate and fill defaults.

    Parameters
    ----------
    path : path-like
        The TOML recipe.
    overrides : list of str
        ``section.key=value`` strings.

    Returns
    -------
    recipe : dict
        Every section and key, resolved.
    """
    path = Path(path)
    if not path.is_file():
        raise RecipeError(f"{path}: recipe file not found")
    try:
        recipe = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise RecipeError(f"{path}: not valid TOML: {err}") from err
    for text in overrides:
        section, key, value = parse_override(text)
        recipe.setdefault(section, {})[key] = value
    recipe.setdefault("study", {}).setdefault("name", path.stem)
    return validate(recipe, str(path))
