"""ECG augmentation layers: the identity at inference, their stated statistics in training.

The checks run on the backend of the session and, in a subprocess each, on
the two others, so the layers behave alike on TensorFlow, JAX and PyTorch.
"""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from biosig.models import (
    AmplitudeScale,
    BaselineWander,
    CNN1DClassifier,
    GaussianNoiseSNR,
    TimeWarp,
)

FS = 360.0


def _beats(n=64, length=720, channels=2, seed=0):
    """Windows laid out (batch, time, channels): a sinusoid plus noise, unit power or so."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) / FS
    x = np.sin(2 * np.pi * 1.3 * t)[None, :, None] + 0.1 * rng.standard_normal((n, length, channels))
    return x.astype("float32")


def _run(layer, x, training=True):
    return keras.ops.convert_to_numpy(layer(keras.ops.convert_to_tensor(x), training=training))


LAYERS = [AmplitudeScale(0.7, 1.3, seed=1), GaussianNoiseSNR(20.0, seed=2),
          BaselineWander(FS, amplitude=0.5, seed=3), TimeWarp(0.1, 8.0, seed=4)]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda l: type(l).__name__)
def test_identity_at_inference_and_a_change_in_training(layer):
    x = _beats()
    np.testing.assert_array_equal(_run(layer, x, training=False), x)
    np.testing.assert_array_equal(_run(layer, x, training=None), x)
    out = _run(layer, x)
    assert out.shape == x.shape and out.dtype == np.float32 and not np.allclose(out, x)


def test_amplitude_scale_is_one_gain_per_window_within_its_range():
    x = _beats()
    gain = _run(AmplitudeScale(0.7, 1.3, seed=1), x) / x
    per_window = gain.reshape(len(x), -1)
    np.testing.assert_allclose(per_window, np.broadcast_to(per_window[:, :1], per_window.shape),
                               rtol=1e-4)
    assert per_window.min() >= 0.7 and per_window.max() <= 1.3
    assert per_window[:, 0].std() > 0.1  # the gains differ between windows


def test_noise_has_the_stated_snr():
    x = _beats(n=128, length=3600)
    noise = _run(GaussianNoiseSNR(20.0, seed=2), x) - x
    snr = 10 * np.log10((x ** 2).mean(axis=1) / (noise ** 2).mean(axis=1))
    assert abs(snr.mean() - 20.0) < 0.1 and snr.std() < 0.5


def test_baseline_wander_is_slow_and_bounded():
    x = _beats(n=32, length=7200)  # 20 s: a 0.05 Hz wander shows a full turn's share
    wander = _run(BaselineWander(FS, amplitude=0.5, min_freq=0.1, max_freq=0.4, seed=3), x) - x
    assert np.abs(wander).max() <= 0.5 + 1e-5
    spectrum = np.abs(np.fft.rfft(wander, axis=1))
    peak = np.fft.rfftfreq(wander.shape[1], 1 / FS)[spectrum.argmax(axis=1)]
    assert peak.max() <= 0.45  # below the ECG's band


def test_time_warp_stretches_and_shifts_within_its_range():
    ramp = np.tile(np.arange(1000, dtype="float32")[None, :, None], (64, 1, 1))
    out = _run(TimeWarp(0.1, 8.0, seed=4), ramp)
    middle = out[:, 300:700, 0]
    slope = np.diff(middle, axis=1).mean(axis=1)  # 1 / stretch
    assert slope.min() >= 1 / 1.1 - 1e-4 and slope.max() <= 1 / 0.9 + 1e-4
    centre = out[:, 499:501, 0].mean(axis=1) - 499.5  # the shift, at the centre
    assert np.abs(centre).max() <= 8.0 + 1e-3 and centre.std() > 1
    assert out.min() >= 0 and out.max() <= 999  # reads past the ends take the end sample


def test_a_network_with_augmentation_predicts_as_without_it():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 1, 64)).astype(np.float32)
    y = np.array(["a", "b"] * 30)
    spec = {"amplitude": {"low": 0.9, "high": 1.1}, "noise": {"snr_db": 25},
            "baseline_wander": {"sfreq": 360.0}, "time_warp": {}}
    model = CNN1DClassifier(filters=(4,), dense_units=4, epochs=1, validation_fraction=0,
                            augmentation=spec, random_state=0, verbose=0).fit(X, y)
    names = [layer.name for layer in model.model_.layers]
    assert [n for n in names if n.startswith("augment_")] == [
        "augment_amplitude", "augment_noise", "augment_baseline_wander", "augment_time_warp"]
    # inference skips the augmentation: the same input gives the same output
    np.testing.assert_array_equal(model.predict_proba(X), model.predict_proba(X))
    with pytest.raises(ValueError, match="unknown augmentation 'jitter'"):
        CNN1DClassifier(augmentation={"jitter": {}}, epochs=1, verbose=0).fit(X, y)


@pytest.mark.skipif(os.environ.get("BIOSIG_AUGMENT_CHILD") == "1", reason="in the child")
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_the_same_checks_on_the_other_backends(backend):
    if backend == keras.backend.backend():
        pytest.skip("this session's backend runs the checks above")
    pytest.importorskip({"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[backend])
    out = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider", "-p",
         "no:xdist", "-o", "addopts=", "-k", "not network"],
        env=dict(os.environ, KERAS_BACKEND=backend, BIOSIG_AUGMENT_CHILD="1"),
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-1500:]
