"""Attributions of the saved networks of a folder, on the Keras backend of this process.

Run as ``python _backend_child.py FOLDER OUT.npz`` by test_backends.py, one
process per backend. Each ``NAME.keras`` is loaded as a plain Keras model
(no optimizer to rebuild) and fed ``NAME.npz``'s inputs as a dict.
"""

import sys
from pathlib import Path

import numpy as np

NO_CONV = ("bilstm", "dbn")


def attributions(model, X, name):
    """{name/method: ndarray} of one model (classifier or keras.Model) on its inputs."""
    from biosig.inspection import grad_cam, integrated_gradients, saliency

    n = len(X["signal"]) if isinstance(X, dict) else len(X)
    target = np.arange(n) % 2  # given: no forward pass to choose them
    if hasattr(model, "classes_"):
        target = model.classes_[target]
    out = {f"{name}/saliency": saliency(model, X, target, batch_size=16),
           f"{name}/ig": integrated_gradients(model, X, target, steps=4, batch_size=16)}
    if name not in NO_CONV:
        out[f"{name}/grad_cam"] = grad_cam(model, X, target=target, batch_size=16)
    return out


def main(folder, out):
    import keras

    from biosig.models import _layers  # noqa: F401  registers biosig's layers

    found = {}
    for path in sorted(Path(folder).glob("*.keras")):
        model = keras.saving.load_model(path, compile=False)
        with np.load(path.with_suffix(".npz")) as inputs:
            found.update(attributions(model, dict(inputs), path.stem))
    np.savez(out, **found)


if __name__ == "__main__":
    main(*sys.argv[1:3])
