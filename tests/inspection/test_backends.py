"""Attributions of every network of the zoo on this backend, and the same on TensorFlow, JAX
and PyTorch.

Tiny networks are built and saved on this session's backend (``epochs=0``:
the fit builds the network and trains nothing, the weights are the seeded
initial ones), and their saliency, integrated gradients and Grad-CAM are
computed through the classifiers. A process per other backend loads two
of them as plain Keras models (between them: 1-D and 2-D convolutions,
batch norm, pooling, einsum spatial filters, biosig's own layers, tabular
features beside the signal), computes the same on the same windows, and
the maps are compared.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np

from biosig.models import (
    BiLSTMClassifier,
    CNN1DClassifier,
    CNN2DClassifier,
    CNNLSTMClassifier,
    DBNClassifier,
    EEGNetClassifier,
    ShallowConvNetClassifier,
    pack_inputs,
)

CHILD = Path(__file__).with_name("_backend_child.py")
ACROSS = ("cnn1d", "shallow")  # compared across backends: each costs a load per backend
FIT = {"epochs": 0, "batch_size": 16, "validation_fraction": 0, "random_state": 0,
       "verbose": 0}


def _networks():
    """name -> (classifier, window shape); cnn1d also reads two tabular features."""
    return {
        "cnn1d": (CNN1DClassifier((3, 64), filters=(4,), dense_units=4, **FIT), (3, 64)),
        "cnn2d": (CNN2DClassifier((4,), dense_units=4, **FIT), (3, 8, 16)),
        "eegnet": (EEGNetClassifier(F1=2, D=1, F2=2, kernel_length=8, **FIT), (3, 64)),
        "shallow": (ShallowConvNetClassifier(n_filters=3, kernel_length=5, pool_length=8,
                                             pool_stride=4, **FIT), (3, 64)),
        "bilstm": (BiLSTMClassifier((3,), **FIT), (3, 12)),
        "cnnlstm": (CNNLSTMClassifier((3,), units=(3,), **FIT), (3, 64)),
        "dbn": (DBNClassifier((6,), pretrain_epochs=1, **FIT), (3, 8)),
    }


def _child():
    spec = importlib.util.spec_from_file_location("_backend_child", CHILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_three_backends_give_the_same_attributions(tmp_path):
    rng = np.random.default_rng(0)
    y = np.array(["a", "b"] * 12)
    fitted = {}
    for name, (model, shape) in _networks().items():
        windows = rng.standard_normal((len(y) + 3, *shape)).astype(np.float32)
        X, inputs = windows, {"signal": windows[-3:]}
        if name == "cnn1d":  # windows packed with RR-like features
            features = rng.standard_normal((len(windows), 2)).astype(np.float32)
            X, inputs["features"] = pack_inputs(windows, features), features[-3:]
        fitted[name] = model.fit(X[:-3], y), X[-3:]
        if name in ACROSS:
            model.model_.save(tmp_path / f"{name}.keras")
            np.savez(tmp_path / f"{name}.npz", **inputs)
    others = [b for b in ("tensorflow", "jax", "torch") if b != keras.backend.backend()
              and importlib.util.find_spec(b) is not None]
    assert others, "no other Keras backend is installed"
    # XLA compiles tiny graphs faster unoptimised; the numbers are the same to float32 rounding
    xla = f"{os.environ.get('XLA_FLAGS', '')} --xla_backend_optimization_level=0".strip()
    children = {b: subprocess.Popen(  # at once: each mostly waits on its imports
        [sys.executable, str(CHILD), str(tmp_path), str(tmp_path / f"{b}.npz")],
        env=dict(os.environ, KERAS_BACKEND=b, XLA_FLAGS=xla), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True) for b in others}
    child = _child()
    ours = {}
    for name, (model, X) in fitted.items():
        ours.update(child.attributions(model, X, name))
    assert len(ours) == 7 * 2 + 5
    for key, value in ours.items():
        assert np.isfinite(value).all() and np.abs(value).max() > 0, key
    shapes = {k: v.shape for k, v in ours.items()}
    assert shapes["cnn2d/ig"] == (3, 3, 8, 16) and shapes["cnn2d/grad_cam"] == (3, 8, 16)
    assert shapes["shallow/grad_cam"] == (3, 3, 64)  # a row per EEG channel
    assert shapes["eegnet/grad_cam"] == shapes["cnnlstm/grad_cam"] == (3, 1, 64)
    for backend, process in children.items():
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, f"{backend}: {err[-3000:]}"
        with np.load(tmp_path / f"{backend}.npz") as theirs:
            assert sorted(theirs.files) == sorted(k for k in ours if k.split("/")[0] in ACROSS)
            for key in theirs.files:
                np.testing.assert_allclose(theirs[key], ours[key], rtol=0,
                                           atol=2e-3 * np.abs(ours[key]).max(),
                                           err_msg=f"{key} on {backend}")
