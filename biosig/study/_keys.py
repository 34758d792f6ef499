"""Recipe keys: a type, a default and allowed values; checked with the file and key named."""

import copy
import inspect
import sys
from dataclasses import dataclass

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["RecipeError"]


class RecipeError(ValueError):
    """A recipe names an unknown key, has a value of the wrong type, or an unknown choice."""


@dataclass(frozen=True)
class Key:
    """One recipe key: accepted TOML types, default (None: required), choices, list item types."""

    types: tuple
    default: object = None
    choices: tuple = None
    items: object = None
    required: bool = False


NUM = (int, float)
ANY = (str, int, float, bool, list, dict)


def required(types, choices=None, items=None):
    """A key without default."""
    return Key(types, None, choices, items, required=True)


def _type_names(types):
    return " or ".join(dict.fromkeys({int: "integer", float: "number", str: "string",
                                      list: "list", bool: "true/false", dict: "table"}[t]
                                     for t in types))


def check_value(source, where, spec, value):
    """Raise a RecipeError naming ``source`` and ``where`` when ``value`` does not fit ``spec``."""
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


def resolve(source, section, keys, given, extra=None, *, context=""):
    """Check ``given`` against ``keys`` (and the optional ``extra`` keys); fill defaults.

    Parameters
    ----------
    source : str
        The recipe file, for messages.
    section : str
        The section name, e.g. ``"windows"``.
    keys : dict of Key
        Keys that always have a value (their default when absent).
    given : dict
        The section as written.
    extra : dict of Key | None
        Keys kept only when given (a source's or an estimator's keyword arguments).
    context : str
        Said after the unknown key, e.g. ``" for sampler 'beat'"``.

    Returns
    -------
    values : dict
    """
    extra = extra or {}
    unknown = set(given) - set(keys) - set(extra)
    if unknown:
        raise RecipeError(f"{source}: unknown key [{section}] {sorted(unknown)[0]}{context}; "
                          f"allowed keys: {', '.join([*keys, *extra])}")
    out = {}
    for key, spec in keys.items():
        if key not in given and spec.required:
            raise RecipeError(f"{source}: [{section}] {key} is required")
        value = given.get(key, copy.deepcopy(spec.default))
        check_value(source, f"[{section}] {key}", spec, value)
        out[key] = value
    for key, spec in extra.items():
        if key in given:
            check_value(source, f"[{section}] {key}", spec, given[key])
            out[key] = given[key]
    return out


def key_from_default(default):
    """A loose Key from a Python default: tuples are TOML lists, None accepts anything."""
    if default is None or default is inspect.Parameter.empty:
        return Key(ANY, None)
    if isinstance(default, bool):
        return Key((bool,), default)
    if isinstance(default, (int, float)):
        return Key(NUM, default)
    if isinstance(default, (tuple, list)):
        return Key((list,), list(default))
    if isinstance(default, dict):
        return Key((dict,), default)
    return Key((type(default),), default)


def parse_override(text):
    """Parse ``section.key=value`` (value in TOML syntax, or a bare string).

    Returns
    -------
    section, key, value
    """
    if "=" not in text or "." not in text.split("=", 1)[0]:
        raise RecipeError(f"--set {text!r}: expected section.key=value, e.g. training.epochs=5")
    name, raw = text.split("=", 1)
    section, key = name.strip().split(".", 1)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return section, key, value


def loads(text, path):
    """Parse TOML text, naming the file on error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RecipeError(f"{path}: not valid TOML: {err}") from err
