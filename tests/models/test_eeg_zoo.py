"""EEG-TCNet, ATCNet, EEG Conformer and Deep4Net: parameter counts and fits on all backends.

The counts are asserted for the BCI IV 2a setting (22 channels, 250 Hz,
4 classes) against numbers recorded from the authors' code (so the check runs
without braindecode) and, where braindecode is importable, against its
implementations. The fits are tiny (8 channels x 256 samples, few filters):
the session's backend here, each other backend in one subprocess for all four.
"""

import contextlib
import functools
import importlib.util
import json
import os
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest

from biosig.models import (
    ATCNetClassifier,
    Deep4NetClassifier,
    EEGConformerClassifier,
    EEGTCNetClassifier,
    load_estimator,
)
from biosig.models._temporal_spatial import TemporalSpatialConv

# Trainable parameters for 22 channels and 4 classes; windows of 1125 samples
# (4.5 s at 250 Hz), 1000 for the Conformer (the paper's 4 s windows).
REFERENCE = {
    # The authors' Keras code (iis-eth-zurich/eeg-tcnet, utils/models.py) at the
    # paper's setting (F1 8, KE 32, D 2, L 2, KT 4, FT 12): EEGNet blocks 1,200 +
    # TCN 2,844 (biased convolutions) + dense 52; the #params table of the
    # Altaheri/EEG-ATCNet README lists 4,096. Keras' summary adds the 176
    # batch-norm statistics: 4,272.
    "eeg_tcnet": (EEGTCNetClassifier, 1125, 4_096),
    # The authors' code (Altaheri/EEG-ATCNet, models.py, attention 'mha' and 5
    # windows as its training script; 113,732 in its README's #params table) =
    # braindecode's ATCNet: conv block 18,272 + 5 windows x (attention 2,192 +
    # TCN 16,768 + dense 132).
    "atcnet": (ATCNetClassifier, 1125, 113_732),
    # The authors' code (eeyhsong/EEG-Conformer, conformer.py, whose head reads
    # 2440 = 61 tokens x 40; its unused `clshead` left out) = braindecode's
    # EEGConformer: patch embedding 38,000 + 6 blocks x 19,720 + head 633,252.
    "eeg_conformer": (EEGConformerClassifier, 1000, 789_572),
    # Schirrmeister 2017 (Deep4) = braindecode's Deep4Net: blocks 14,075 + 12,600
    # + 50,200 + 200,400 + classifier over 9 steps 7,204.
    "deep4net": (Deep4NetClassifier, 1125, 284_479),
}

# braindecode's class, the biosig parameters that match its defaults, and
# biosig's count minus braindecode's at 22 x 1125, 4 classes.
BRAINDECODE = {
    # braindecode's default kernel is 64 (the paper's 32); its TCN convolutions
    # have no bias where the authors' have: 4 convolutions x 12 filters.
    "eeg_tcnet": ("EEGTCNet", {"kernel_length": 64}, 48),
    "atcnet": ("ATCNet", {}, 0),
    "eeg_conformer": ("EEGConformer", {}, 0),
    "deep4net": ("Deep4Net", {}, 0),
}

# Small enough for a fit of a second on 8 channels x 256 samples.
SMALL = {
    "eeg_tcnet": (EEGTCNetClassifier, dict(F1=4, kernel_length=16, tcn_filters=4)),
    "atcnet": (ATCNetClassifier, dict(F1=4, kernel_length=16, kernel_length_2=8, pool_length=4,
                                      pool_length_2=4, n_windows=2, attention_key_dim=4,
                                      tcn_depth=1, tcn_filters=8)),
    "eeg_conformer": (EEGConformerClassifier, dict(n_filters=8, kernel_length=13, pool_length=35,
                                                   pool_stride=14, depth=1, attention_heads=2,
                                                   head_units=(16, 8))),
    "deep4net": (Deep4NetClassifier, dict(n_filters=(4, 4, 8, 8), kernel_length=5)),
}


def _trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@functools.cache
def _reference_count(cls, n_samples, **params):
    """Trainable parameters and batch-norm statistics of the network for 22 channels x
    ``n_samples`` and 4 classes, built without a fit."""
    stats = {"signal": (np.zeros(22), np.ones(22))}
    network = cls(**params)._build((22, n_samples), 0, 4, stats)
    # the batch norms' moving statistics, the first one's inside the fused EEGNet block
    statistics = sum(int(np.prod(w.shape)) for layer in network.layers
                     if isinstance(layer, (keras.layers.BatchNormalization, TemporalSpatialConv))
                     for w in layer.non_trainable_weights)
    return _trainable(network), statistics


def _windows(n=32, channels=8, samples=256, seed=0):
    """Two classes: a 10 Hz rhythm on channel 2 or on channel 5."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.standard_normal((n, channels, samples))
    rhythm = np.sin(2 * np.pi * 10 * np.arange(samples) / 128.0)
    X[y == 0, 2] += 2 * rhythm
    X[y == 1, 5] += 2 * rhythm
    return X.astype(np.float32), np.where(y == 0, "left", "right")


@pytest.mark.parametrize("name", REFERENCE)
def test_parameter_counts_as_recorded(name):
    cls, n_samples, expected = REFERENCE[name]
    assert _reference_count(cls, n_samples)[0] == expected


def test_eeg_tcnet_total_with_batch_norm_statistics():
    trainable, statistics = _reference_count(EEGTCNetClassifier, 1125)
    assert trainable + statistics == 4_272  # Keras' "Total params" of the authors' code


def _braindecode_models():
    """``braindecode.models``, or a skip; imported as the benchmarks import it
    (``benchmarks/_braindecode.py``: a torchaudio stand-in where torchaudio cannot load)."""
    pytest.importorskip("torch")
    if importlib.util.find_spec("braindecode") is None:
        pytest.skip("braindecode is not installed")
    path = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "_braindecode.py")
    spec = importlib.util.spec_from_file_location("_benchmarks_braindecode", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        return module.import_braindecode().models
    except ImportError as err:
        pytest.skip(f"braindecode does not import: {err}")


def test_parameter_counts_match_braindecode():
    models = _braindecode_models()
    for name, (bd_name, params, difference) in BRAINDECODE.items():
        reference = getattr(models, bd_name)(n_chans=22, n_outputs=4, n_times=1125, sfreq=250.0)
        theirs = sum(p.numel() for p in reference.parameters() if p.requires_grad)
        ours = _reference_count(REFERENCE[name][0], 1125, **params)[0]
        assert ours - theirs == difference, (name, ours, theirs)


_FAST_XLA = ("--xla_backend_optimization_level=0", "--xla_llvm_disable_expensive_passes=true",
             "--xla_cpu_use_fusion_emitters=false", "--xla_cpu_parallel_codegen_split_count=1",
             "--xla_cpu_multi_thread_eigen=false")

_FIT = """
import json, sys
import numpy as np
sys.path.insert(0, {tests!r})
from test_eeg_zoo import SMALL, _windows, _trainable
X, y = _windows()
out = {{}}
for name, (cls, params) in SMALL.items():
    clf = cls(**params, epochs=2, batch_size=16, validation_fraction=0, random_state=0,
              verbose=0).fit(X, y)
    proba = clf.predict_proba(X[:5])
    out[name] = {{"params": _trainable(clf.model_), "proba": proba.tolist(),
                  "pred": clf.predict(X[:5]).tolist(), "epochs": len(clf.history_["loss"])}}
print(json.dumps(out))
"""


def _check_fits(result, expected_params=None):
    for name, r in result.items():
        proba = np.asarray(r["proba"])
        assert proba.shape == (5, 2) and np.isfinite(proba).all(), name
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
        assert set(r["pred"]) <= {"left", "right"} and r["epochs"] == 2
        if expected_params is not None:
            assert r["params"] == expected_params[name], name


@contextlib.contextmanager
def _eager_training_on_tensorflow():
    """Train steps run eagerly on TensorFlow; predictions stay compiled.

    TensorFlow traces a network's first train step twice (its optimizer's
    and metrics' variables are made in the first trace): some 20 s for these
    four, most of this file's budget. Their forward pass is still traced, by
    ``predict``; the JAX child compiles both.
    """
    if keras.backend.backend() != "tensorflow":
        yield
        return
    import tensorflow as tf

    before = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        with warnings.catch_warnings():  # tf.data's functions stay traced, which is fine
            warnings.filterwarnings("ignore", message="Even though the `tf.config.experimental")
            yield
    finally:
        tf.config.run_functions_eagerly(before)


def _fit_here():
    X, y = _windows()
    result, fitted = {}, {}
    for name, (cls, params) in SMALL.items():
        with _eager_training_on_tensorflow():
            clf = cls(**params, epochs=2, batch_size=16, validation_fraction=0, random_state=0,
                      verbose=0).fit(X, y)
        fitted[name] = clf
        result[name] = {"params": _trainable(clf.model_), "proba": clf.predict_proba(X[:5]),
                        "pred": list(clf.predict(X[:5])), "epochs": len(clf.history_["loss"])}
    return X, result, fitted


@pytest.fixture(scope="module")
def fitted_here():
    return _fit_here()


def test_each_model_fits_and_predicts(fitted_here):
    _, result, _ = fitted_here
    _check_fits(result)


def test_a_saved_atcnet_predicts_the_same(fitted_here, tmp_path):
    X, _, fitted = fitted_here
    clf = fitted["atcnet"]  # attention, window crops and the average: all serialisable
    clf.save(tmp_path / "atcnet.keras")
    again = load_estimator(tmp_path / "atcnet.keras")
    assert type(again) is ATCNetClassifier and again.n_windows == 2
    np.testing.assert_allclose(again.predict_proba(X[:5]), clf.predict_proba(X[:5]),
                               rtol=1e-5, atol=1e-6)


def test_windows_too_short_are_refused():
    X, y = _windows(samples=64)
    with pytest.raises(ValueError, match="cannot be built on windows of shape"):
        ATCNetClassifier(epochs=1, validation_fraction=0, verbose=0).fit(X, y)


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_the_same_fits_on_the_other_backends(backend, fitted_here):
    if backend == keras.backend.backend():
        pytest.skip("this session's backend fits above")
    pytest.importorskip(backend)
    code = _FIT.format(tests=os.path.dirname(__file__))
    # one thread: these networks are too small to gain from more, which only cost CPU time
    env = dict(os.environ, KERAS_BACKEND=backend, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    run = functools.partial(subprocess.run, [sys.executable, "-c", code], capture_output=True,
                            text=True, timeout=300, check=False)
    if backend == "jax":
        # XLA's CPU compiler at its lowest optimisation, without fusion emitters: the
        # same programs, compiled several times faster (compiles dominate these fits)
        fast = dict(env, XLA_FLAGS=" ".join([env.get("XLA_FLAGS", ""), *_FAST_XLA]).strip())
        out = run(env=fast)
        if out.returncode != 0 and "Unknown flag in XLA_FLAGS" in out.stderr:
            out = run(env=env)  # an XLA without one of these flags
    else:
        out = run(env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    _, here, _ = fitted_here
    # the same networks: the same parameter counts on every backend
    _check_fits(json.loads(out.stdout.strip().splitlines()[-1]),
                {name: r["params"] for name, r in here.items()})
