"""Save a fitted classifier to one ``.keras`` file and load it back, on any backend."""

import importlib
import json
import os
import zipfile
from pathlib import Path

import keras
import numpy as np

__all__ = ["load_estimator", "save_estimator"]

_ENTRY = "biosig_estimator.json"
_ATTRIBUTES = ("window_shape_", "n_features_in_", "history_", "pretraining_errors_")


def _jsonable(value):
    try:
        json.dumps(value)
        return True
    except TypeError:
        return False


def save_estimator(estimator, path):
    """Write a fitted Keras-backed classifier to a ``.keras`` file.

    The file is Keras' own format (architecture, weights, optimizer state)
    with one more entry holding the estimator's class, parameters and learned
    attributes, so :func:`load_estimator` gives back an estimator that
    predicts identically, on any Keras backend. It is written under a
    temporary name and renamed when complete.

    Parameters
    ----------
    estimator : KerasWindowClassifier
        A fitted classifier (it has ``model_`` and ``classes_``).
    path : path-like
        Target file, ending in ``.keras``.

    Returns
    -------
    path : Path
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"{path}: the file name must end in .keras")
    if not hasattr(estimator, "model_"):
        raise ValueError(f"{type(estimator).__name__} is not fitted; nothing to save")
    params = {k: v for k, v in estimator.get_params(deep=False).items() if _jsonable(v)}
    dropped = sorted(set(estimator.get_params(deep=False)) - set(params))
    classes = np.asarray(estimator.classes_)
    state = {
        "class": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "params": params, "dropped_params": dropped,
        "classes": classes.tolist(), "classes_dtype": classes.dtype.str,
        "attributes": {a: getattr(estimator, a) for a in _ATTRIBUTES if hasattr(estimator, a)},
        "backend": keras.backend.backend(),
    }
    partial = path.with_name(f".{path.stem}.partial.keras")
    try:
        estimator.model_.save(partial)
        with zipfile.ZipFile(partial, "a") as zf:
            zf.writestr(_ENTRY, json.dumps(state))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def load_estimator(path):
    """Load a classifier saved by :func:`save_estimator`.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    estimator : KerasWindowClassifier
        Parameters that could not be stored (callbacks) are left at their
        defaults.
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            state = json.loads(zf.read(_ENTRY))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: not a biosig estimator file ({err})") from None
    module, _, name = state["class"].rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    params = dict(state["params"])
    for key in ("window_shape", "hidden_layer_sizes", "filters"):
        if isinstance(params.get(key), list):
            params[key] = tuple(params[key])
    estimator = cls(**params)
    estimator.classes_ = np.asarray(state["classes"], dtype=np.dtype(state["classes_dtype"]))
    for attr, value in state["attributes"].items():
        setattr(estimator, attr, tuple(value) if attr == "window_shape_" else value)
    from . import _layers  # noqa: F401  registers the custom layers

    estimator.model_ = keras.saving.load_model(path)
    return estimator
