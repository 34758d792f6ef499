"""Recipe files: load a TOML study description, check it, fill in defaults."""

import copy
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["RecipeError", "load_recipe", "parse_override"]


class RecipeError(ValueError):
    """A recipe names an unknown key, has a value of the wrong type, or an unknown choice."""


@dataclass(frozen=True)
class _Key:
    types: tuple
    default: object
    choices: tuple = None
    items: type = None


_NUM = (int, float)
SCHEMA = {
    "study": {
        "name": _Key((str,), None),
        "description": _Key((str,), ""),
    },
    "dataset": {
        "source": _Key((str,), "mitdb", ("mitdb",)),
        "channels": _Key((list,), ["MLII"], items=str),
    },
    "split": {
        "kind": _Key((str,), "inter_patient", ("inter_patient",)),
        "train": _Key((str, list), "DS1", items=str),
        "test": _Key((str, list), "DS2", items=str),
        "allow_shared_groups": _Key((bool,), False),
    },
    "preprocessing": {
        "bandpass": _Key((bool,), True),
        "l_freq": _Key(_NUM, 0.5),
        "h_freq": _Key(_NUM, 40.0),
    },
    "windows": {
        "sampler": _Key((str,), "beat", ("beat",)),
        "tmin": _Key(_NUM, -0.25),
        "tmax": _Key(_NUM, 0.45),
        "local_beats": _Key((int,), 10),
        "classes": _Key((list,), ["N", "S", "V", "F", "Q"], ("N", "S", "V", "F", "Q"), items=str),
    },
    "features": {
        "tabular": _Key((list,), ["rr"], ("rr", "wavelet", "spectral"), items=str),
        "wavelet": _Key((str,), "db4"),
        "wavelet_level": _Key((int,), 4),
        "spectral_bands": _Key((dict,), {"low": [0.5, 5.0], "mid": [5.0, 15.0], "high": [15.0, 40.0]}),
    },
    "model": {
        "name": _Key((str,), "cnn1d", ("cnn1d",)),
        "filters": _Key((list,), [16, 32, 64], items=int),
        "kernel_size": _Key((int,), 7),
        "pool_size": _Key((int,), 2),
        "dense_units": _Key((int,), 64),
        "dropout": _Key(_NUM, 0.3),
    },
    "training": {
        "epochs": _Key((int,), 30),
        "batch_size": _Key((int,), 256),
        "learning_rate": _Key(_NUM, 1e-3),
        "validation_fraction": _Key(_NUM, 0.2),
        "patience": _Key((int,), 5),
        "imbalance": _Key((str,), "class_weight",
                          ("none", "class_weight", "focal", "balanced_batches")),
        "threshold_class": _Key((str,), ""),
        "bootstrap": _Key((int,), 1000),
        "seed": _Key((int,), 0),
    },
}


def _type_names(types):
    return " or ".join({int: "integer", float: "number", str: "string", list: "list",
                        bool: "true/false", dict: "table"}[t] for t in types)


def _check_value(source, section, key, spec, value):
    where = f"{source}: [{section}] {key}"
    ok = isinstance(value, spec.types) and not (isinstance(value, bool) and bool not in spec.types)
    if not ok:
        raise RecipeError(f"{where} = {value!r}: expected a {_type_names(spec.types)}")
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and spec.items is not None:
        bad = [v for v in value if not isinstance(v, spec.items) or isinstance(v, bool)]
        if bad:
            raise RecipeError(f"{where}: items must be {_type_names((spec.items,))}s, got {bad!r}")
    if spec.choices is not None:
        bad = [v for v in values if v not in spec.choices]
        if bad:
            raise RecipeError(f"{where} = {value!r}: {bad[0]!r} is not allowed; "
                              f"allowed values: {', '.join(map(repr, spec.choices))}")


def validate(recipe, source="<recipe>"):
    """Check a recipe dict against the schema and return it with defaults filled in.

    Raises
    ------
    RecipeError
        Naming the file, the key and the allowed keys or values.
    """
    unknown = set(recipe) - set(SCHEMA)
    if unknown:
        raise RecipeError(f"{source}: unknown section [{sorted(unknown)[0]}]; "
                          f"allowed sections: {', '.join(SCHEMA)}")
    resolved = {}
    for section, keys in SCHEMA.items():
        given = recipe.get(section, {})
        if not isinstance(given, dict):
            raise RecipeError(f"{source}: [{section}] must be a table")
        extra = set(given) - set(keys)
        if extra:
            raise RecipeError(f"{source}: unknown key [{section}] {sorted(extra)[0]}; "
                              f"allowed keys: {', '.join(keys)}")
        resolved[section] = {}
        for key, spec in keys.items():
            value = given.get(key, copy.deepcopy(spec.default))
            if value is None:
                raise RecipeError(f"{source}: [{section}] {key} is required")
            _check_value(source, section, key, spec, value)
            resolved[section][key] = value
    return resolved


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
        Every section and key of the schema, resolved.
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
