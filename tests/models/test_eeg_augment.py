"""EEG augmentation: the identity at inference, the stated statistics in training, mixup.

Every check runs on the session's backend. The random draws differ between
backends (each has its own generator), so what must agree is the transform
of given draws: :func:`test_the_backends_agree` checks each layer's
``apply`` against a NumPy/SciPy reference, its draws' ranges and the
identity at inference, here and, in one subprocess each, on the two other
backends (one small shape, so JAX compiles few kernels). Mixup draws with
NumPy, so it is the same everywhere.
"""

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from scipy.signal import hilbert

from biosig.models import (
    ChannelDropout,
    EEGNetClassifier,
    FrequencyShift,
    FTSurrogate,
    MixupBatches,
    SignFlip,
    TimeMask,
)

FS = 100.0
RECIPE = Path(__file__).resolve().parents[2] / "recipes" / "motor_imagery_eegmmi.toml"


def _trials(n=64, length=400, channels=4, seed=0):
    """Trials laid out (batch, time, channels): white noise, never exactly zero."""
    x = np.random.default_rng(seed).standard_normal((n, length, channels)) + 0.01
    return x.astype("float32")


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _run(layer, x, training=True):
    return _np(layer(keras.ops.convert_to_tensor(x), training=training))


LAYERS = [TimeMask(50, seed=1), ChannelDropout(0.3, seed=2), SignFlip(0.5, seed=3),
          FrequencyShift(FS, max_shift=2.0, seed=4), FTSurrogate(1.0, seed=5),
          FTSurrogate(0.5, channel_indep=True, seed=6)]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda l: f"{type(l).__name__}-{l.seed}")
def test_identity_at_inference_and_a_change_in_training(layer):
    x = _trials(n=16)
    np.testing.assert_array_equal(_run(layer, x, training=False), x)
    np.testing.assert_array_equal(_run(layer, x, training=None), x)
    out = _run(layer, x)
    assert out.shape == x.shape and out.dtype == np.float32 and not np.allclose(out, x)
    clone = type(layer).from_config(layer.get_config())  # serialisable, same parameters
    assert clone.get_config() == layer.get_config()


def test_time_mask_zeroes_one_span_of_mask_len_on_every_channel():
    x = _trials(n=256, length=400)
    out = _run(TimeMask(50, seed=1), x)
    zero = out == 0
    assert zero.mean() == pytest.approx(50 / 400)  # exactly mask_len per trial
    assert (zero == zero[:, :, :1]).all()  # the same span on every channel
    first = zero[:, :, 0].argmax(axis=1)
    for k in range(len(x)):  # one contiguous span, the rest untouched
        np.testing.assert_array_equal(np.flatnonzero(zero[k, :, 0]), first[k] + np.arange(50))
    np.testing.assert_array_equal(out[~zero], x[~zero])
    assert first.min() >= 0 and first.max() <= 350 and first.std() > 60  # spread over the window
    with pytest.raises(ValueError, match="exceeds"):
        _run(TimeMask(401), x[:2])


def test_channel_dropout_drops_whole_channels_at_rate_p():
    x = _trials(n=256, length=40, channels=16)
    out = _run(ChannelDropout(0.3, seed=2), x)
    dropped = (out == 0).all(axis=1)
    assert abs(dropped.mean() - 0.3) < 0.03
    kept = ~dropped[:, None, :].repeat(40, axis=1)
    np.testing.assert_array_equal(out[kept], x[kept])  # not rescaled
    np.testing.assert_array_equal(_run(ChannelDropout(1.0, seed=0), x), 0 * x)


def test_sign_flip_negates_whole_trials_at_rate_p():
    x = _trials(n=512, length=20)
    out = _run(SignFlip(0.3, seed=3), x)
    flipped = np.all(out == -x, axis=(1, 2))
    assert (flipped | np.all(out == x, axis=(1, 2))).all()
    assert abs(flipped.mean() - 0.3) < 0.05
    np.testing.assert_array_equal(_run(SignFlip(1.0), x), -x)


def test_frequency_shift_moves_the_peak_by_the_drawn_shift():
    t = np.arange(2000) / FS  # 20 s, a 0.05 Hz resolution
    x = np.repeat(np.sin(2 * np.pi * 10.0 * t)[None, :, None], 32, axis=0).astype("float32")
    x = np.concatenate([x, 0.5 * x], axis=2)  # two channels, one shift per trial
    layer = FrequencyShift(FS, max_shift=2.0, seed=4)
    tensor = keras.ops.convert_to_tensor(x)
    shift = _np(layer.draw(tensor))[:, 0, 0]
    assert np.abs(shift).max() <= 2.0 and shift.std() > 0.5
    out = _np(layer.apply(tensor, keras.ops.convert_to_tensor(shift[:, None, None])))
    freqs = np.fft.rfftfreq(len(t), 1 / FS)
    peak = freqs[np.abs(np.fft.rfft(out, axis=1)).argmax(axis=1)]  # (trials, channels)
    np.testing.assert_allclose(peak, np.repeat((10.0 + shift)[:, None], 2, axis=1), atol=0.06)
    np.testing.assert_allclose(_np(layer.apply(tensor, 0.0 * tensor[:, :1, :1])), x,
                               atol=2e-5)  # no shift, no change


@pytest.mark.parametrize("length", [400, 401])
def test_ft_surrogate_keeps_the_amplitude_spectrum_and_draws_new_phases(length):
    x = _trials(n=32, length=length, channels=3)
    spectrum = np.fft.rfft(x, axis=1)
    for indep in (False, True):
        out = _run(FTSurrogate(1.0, channel_indep=indep, seed=5), x)
        new = np.fft.rfft(out, axis=1)
        np.testing.assert_allclose(np.abs(new), np.abs(spectrum),
                                   atol=2e-3 * np.abs(spectrum).max())
        turn = np.angle(new[:, 1:-1] / spectrum[:, 1:-1])  # (trials, bins, channels)
        assert np.abs(turn).mean() > 1.0  # the phases changed (uniform: pi / 2 on average)
        same = np.abs(np.angle(np.exp(1j * (turn - turn[..., :1])))) < 1e-2
        assert same.all() if not indep else same[..., 1:].mean() < 0.05



def test_mixup_mixes_trials_and_targets_alike():
    n = 64  # window k is the unit impulse at sample k, so a mix shows its parents and lambda
    X = np.eye(n, dtype="float32")[:, None, :]
    y = np.arange(n) % 3
    batches = MixupBatches(X, y, 32, n_classes=3, alpha=0.4, seed=0, drop_remainder=True)
    seen = 0
    for k in range(len(batches)):
        inputs, targets = batches[k]
        assert inputs.dtype == targets.dtype == np.float32 and targets.shape == (32, 3)
        np.testing.assert_allclose(targets.sum(axis=1), 1.0, rtol=1e-6)
        assert (targets >= 0).all()
        mix = inputs[:, 0, :]
        for row, target in zip(mix, targets):
            parents = np.flatnonzero(row)
            expected = np.zeros(3, dtype="float32")
            for p in parents:
                expected[y[p]] += row[p]
            np.testing.assert_allclose(target, expected, atol=1e-6)  # x and y mixed alike
            assert np.isclose(row.sum(), 1.0)
            seen += len(parents) == 2
        # the same batch on a second read: the draws depend on (seed, epoch, batch) only
        np.testing.assert_array_equal(batches[k][0], inputs)
    assert seen > 50
    lam = np.concatenate([batches[k][0].max(axis=2).ravel() for k in range(len(batches))])
    assert 0.5 < lam.mean() < 1.0  # the larger share of Beta(0.4, 0.4) pairs: about 0.82
    batches.on_epoch_end()
    assert not np.array_equal(batches[0][0], inputs) and not np.array_equal(batches[1][0], inputs)


def test_mixup_folds_the_class_weights_into_targets_and_sample_weights():
    n = 40
    X = np.eye(n, dtype="float32")[:, None, :]
    y = (np.arange(n) < 10).astype(int)  # class 1 rare
    w = np.array([0.5, 2.0], dtype="float32")
    inputs, targets, weight = MixupBatches(X, y, n, n_classes=2, alpha=1.0, class_weight=w,
                                           seed=1)[0]
    # weight * target = lam w_i e_i + (1 - lam) w_j e_j: the class-weighted mixup loss
    for row, target, s in zip(inputs[:, 0, :], targets, weight):
        expected = np.zeros(2)
        for p in np.flatnonzero(row):
            expected[y[p]] += row[p] * w[y[p]]
        np.testing.assert_allclose(s * target, expected, rtol=1e-5)
    unmixed = MixupBatches(X, y, n, n_classes=2, alpha=None, class_weight=w, shuffle=False)[0]
    np.testing.assert_array_equal(unmixed[0], X)
    np.testing.assert_array_equal(unmixed[1], np.eye(2)[y])
    np.testing.assert_array_equal(unmixed[2], w[y])
    with pytest.raises(ValueError, match="alpha must be > 0"):
        MixupBatches(X, y, 8, n_classes=2, alpha=0)


def test_eegnet_fits_with_every_eeg_augmentation_and_recipes_check_the_names():
    from biosig import load_recipe
    from biosig.study._keys import RecipeError
    from biosig.study._pipeline import WindowInfo, fitted_model, make_estimator

    rng = np.random.default_rng(0)
    X = rng.standard_normal((48, 4, 64)).astype(np.float32)
    y = np.array(["left", "right", "right"] * 16)
    spec = {"time_mask": {"mask_len": 8}, "channel_dropout": {"p": 0.2},
            "sign_flip": {"p": 0.5}, "frequency_shift": {"sfreq": 64.0, "max_shift": 2.0},
            "ft_surrogate": {"phase_noise_magnitude": 0.5}, "mixup": {"alpha": 0.2}}
    model = EEGNetClassifier(F1=2, D=1, F2=2, kernel_length=8, epochs=2, batch_size=16,
                             validation_fraction=0.25, augmentation=spec, random_state=0,
                             verbose=0).fit(X, y, groups=np.arange(48) % 6)
    names = [layer.name for layer in model.model_.layers if layer.name.startswith("augment_")]
    assert names == [f"augment_{n}" for n in spec if n != "mixup"]
    assert model.model_.loss == "categorical_crossentropy" and len(model.history_["val_loss"]) == 2
    proba = model.predict_proba(X)
    np.testing.assert_array_equal(proba, model.predict_proba(X))  # no augmentation at inference
    with pytest.raises(ValueError, match="unknown augmentation 'jitter'"):
        EEGNetClassifier(augmentation={"jitter": {}}, epochs=1, verbose=0).fit(
            X, y, groups=np.arange(48) % 6)

    recipe = RECIPE
    override = "model.augmentation={frequency_shift={max_shift=1.5}, mixup={alpha=0.3}}"
    study = load_recipe(recipe, [override])
    built = fitted_model(make_estimator(study, WindowInfo(160.0, ["C3", "C4"], (2, 480))))
    assert built.augmentation == {"frequency_shift": {"max_shift": 1.5, "sfreq": 160.0},
                                  "mixup": {"alpha": 0.3}}
    with pytest.raises(RecipeError, match="unknown augmentation 'jitter'; known: .*time_mask"):
        load_recipe(recipe, ["model.augmentation={jitter={}}"])
    with pytest.raises(RecipeError, match="time_mask: unknown parameter 'length'"):
        load_recipe(recipe, ["model.augmentation={time_mask={length=10}}"])


def _analytic_shift(x, shift, n_fft):
    """SciPy's frequency shift: the analytic signal of the zero-padded window, turned."""
    n = x.shape[1]
    z = hilbert(np.pad(x, [(0, 0), (0, n_fft - n), (0, 0)]), axis=1)[:, :n]
    return np.real(z * np.exp(2j * np.pi * shift[:, None, None] * np.arange(n)[None, :, None]
                              / FS))


def _compiled(fn):
    """``fn`` as one compiled program on JAX, whose eager mode compiles every op apart."""
    if keras.backend.backend() != "jax":
        return fn
    import jax

    return jax.jit(fn)


def test_the_backends_agree():
    x = _trials(n=8, length=60, channels=3)
    tensor = keras.ops.convert_to_tensor(x)
    rng = np.random.default_rng(7)
    t = np.arange(60)[None, :, None]
    start = rng.integers(0, 60 - 10 + 1, (8, 1, 1)).astype("int32")
    keep = (rng.random((8, 1, 3)) > 0.5).astype("float32")
    sign = np.where(rng.random((8, 1, 1)) > 0.5, 1.0, -1.0).astype("float32")
    shift = rng.uniform(-2, 2, (8, 1, 1)).astype("float32")
    phase = rng.uniform(0, 2 * np.pi, (8, 1, 31)).astype("float32")
    phase[:, :, [0, -1]] = 0
    cases = [
        (TimeMask(10, seed=1), start, x * ~((t >= start) & (t < start + 10))),
        (ChannelDropout(0.5, seed=2), keep, x * keep),
        (SignFlip(0.5, seed=3), sign, x * sign),
        (FrequencyShift(FS, max_shift=2.0, seed=4), shift,  # padded to 64 samples
         _analytic_shift(x, shift[:, 0, 0], 64)),
        (FTSurrogate(1.0, seed=5), phase,
         np.fft.irfft(np.fft.rfft(x, axis=1) * np.exp(1j * np.moveaxis(phase, 1, 2)), n=60,
                      axis=1)),
    ]
    for layer, draw, expected in cases:  # training calls apply(x, draw(x)), checked in parts
        got = _np(_compiled(layer.apply)(tensor, keras.ops.convert_to_tensor(draw)))
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, atol=2e-4, err_msg=type(layer).__name__)
        np.testing.assert_array_equal(_run(layer, x, training=False), x)
    drawn = _np(cases[0][0].draw(tensor))
    assert drawn.min() >= 0 and drawn.max() <= 50 and drawn.shape == (8, 1, 1)
    assert np.abs(_np(cases[3][0].draw(tensor))).max() <= 2.0
    phases = _np(FTSurrogate(0.5, channel_indep=True, seed=6).draw(tensor))
    assert phases.shape == (8, 3, 31) and phases.max() < np.pi
    assert (phases[:, :, [0, -1]] == 0).all()  # the constant and the Nyquist bin stay real


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_the_same_checks_on_the_other_backends(backend):
    if backend == keras.backend.backend():
        pytest.skip("this session's backend runs the checks above")
    pytest.importorskip({"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[backend])
    # a bare interpreter rather than pytest: the child's imports are most of its time
    here = os.path.dirname(os.path.abspath(__file__))
    code = (f"import sys; sys.path.insert(0, {here!r}); import test_eeg_augment as t; "
            "t.test_the_backends_agree()")
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, KERAS_BACKEND=backend),
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
