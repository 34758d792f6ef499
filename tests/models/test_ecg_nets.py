"""The residual-attention and multi-perspective ECG networks: their parameter counts,
a fit on tiny synthetic beats, the recipe names, and the same code on the other backends."""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from biosig.models import (
    MultiPerspectiveCNNClassifier,
    ResidualAttentionCNNClassifier,
    load_estimator,
    pack_inputs,
)
from biosig.study import RecipeError, load_recipe
from biosig.study._pipeline import WindowInfo, make_estimator

RECIPE = Path(__file__).parents[2] / "recipes" / "arrhythmia_mitbih.toml"


def _trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def _reference(clf, n_channels=1):
    """The network on the reference input: 252 samples (0.7 s at 360 Hz), 7 RR features
    (what ``tabular = ["rr"]`` gives: rr_prev, rr_next, rr_local, rr_record and the first
    three over rr_record), 4 classes (N, S, V, F)."""
    stats = {"signal": (np.zeros(n_channels), np.ones(n_channels)),
             "features": (np.zeros(7), np.ones(7))}
    model = clf._build((n_channels, 252), 7, 4, stats)
    keras.backend.clear_session()
    return model


def test_residual_attention_parameter_count():
    # Block (c_in -> f, kernel 7, SE ratio 4; convolutions without bias, BN = 2f trainable):
    #   conv a c_in*f*7 + bn 2f + conv b f*f*7 + bn 2f
    #   + SE dense f*(f/4) + f/4 + dense (f/4)*f + f + projection c_in*f + bn 2f
    #   1 -> 16:  112 + 32 + 1792 + 32 + 68 + 80 + 16 + 32          = 2,164
    #   16 -> 32: 3584 + 64 + 7168 + 64 + 264 + 288 + 512 + 64      = 12,008
    #   32 -> 64: 14336 + 128 + 28672 + 128 + 1040 + 1088 + 2048 + 128 = 47,568
    # temporal attention: 1x1 conv 64*32 + 32 = 2,080; score 32 + 1 = 33
    # head: dense (64 + 7 features)*64 + 64 = 4,608; softmax 64*4 + 4 = 260
    expected = 2164 + 12008 + 47568 + 2080 + 33 + 4608 + 260
    assert expected == 68721
    assert _trainable(_reference(ResidualAttentionCNNClassifier())) == expected


def test_multi_perspective_parameter_count():
    # A branch of kernel k on one lead, filters (16, 32), convolutions without bias:
    #   conv 1*16*k + bn 32 + conv 16*32*k + bn 64 = 528k + 96
    #   k = 3, 7, 15: 1,680 + 3,792 + 8,016 = 13,488
    # rhythm: dense 7*16 + 16 = 128
    # head: dense (3*32 + 16)*64 + 64 = 7,232; softmax 64*4 + 4 = 260
    expected = 13488 + 128 + 7232 + 260
    assert expected == 21108
    assert _trainable(_reference(MultiPerspectiveCNNClassifier())) == expected
    # With a context branch (kernel 7: 3,792), the dense layer takes 32 more inputs.
    with_context = expected + 3792 + 32 * 64
    assert with_context == 26948
    model = _reference(MultiPerspectiveCNNClassifier(beat_crop=(54, 198)))
    assert _trainable(model) == with_context
    assert model.get_layer("beat_crop").output.shape[1] == 144


def _beats(n=128, n_samples=64, seed=0):
    """Two leads; class 'V' beats are wide and negative, 'N' narrow and positive;
    three RR-like features, the first one informative."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_samples) - n_samples // 2
    y = np.where(np.arange(n) % 3 == 0, "V", "N")
    narrow, wide = np.exp(-(t / 3.0) ** 2), -np.exp(-(t / 10.0) ** 2)
    X = 0.2 * rng.standard_normal((n, 2, n_samples))
    X += np.where(y[:, None, None] == "V", wide, narrow) * [[1.0], [0.5]]
    F = rng.standard_normal((n, 3))
    F[:, 0] += np.where(y == "V", -1.0, 0.0)
    return X.astype("float32"), y, F.astype("float32")


@pytest.mark.parametrize("make", [
    lambda: ResidualAttentionCNNClassifier(window_shape=(2, 64), filters=(8,),
                                           attention_units=8, dense_units=16),
    lambda: MultiPerspectiveCNNClassifier(window_shape=(2, 64), beat_crop=(16, 48),
                                          kernel_sizes=(3, 9), filters=(8,), dense_units=16),
], ids=["ra_cnn", "mpcnn"])
def test_fits_and_predicts_tiny_beats(make, tmp_path):
    X, y, F = _beats()
    # Batches of 16 divide both parts, so no step is traced twice for a short batch.
    clf = make().set_params(epochs=3, batch_size=16, learning_rate=3e-3,
                            validation_fraction=0, random_state=0, verbose=0)
    packed = pack_inputs(X, F)
    clf.fit(packed[:96], y[:96])
    assert clf.model_.get_layer("join_features") is not None
    proba = clf.predict_proba(packed[96:])
    assert proba.shape == (32, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert (clf.predict(packed[96:]) == y[96:]).mean() > 0.75  # a third are 'V'
    back = load_estimator(clf.save(tmp_path / "m.keras"))
    np.testing.assert_allclose(back.predict_proba(packed[96:]), proba, rtol=1e-4, atol=1e-5)


def test_a_beat_crop_outside_the_window_is_refused():
    X, y, _ = _beats(32)
    clf = MultiPerspectiveCNNClassifier(beat_crop=(40, 120), filters=(4,), epochs=1,
                                        validation_fraction=0, verbose=0)
    with pytest.raises(ValueError, match=r"cannot be built on windows of shape \(2, 64\): "
                                         r"beat_crop = \(40, 120\) does not lie inside"):
        clf.fit(X, y)


def test_recipe_names_load_with_overrides(tmp_path):
    info = WindowInfo(360.0, ["MLII"], (1, 252))
    study = load_recipe(RECIPE, ["model.name=ra_cnn", "model.filters=[8, 16]",
                                 "model.se_ratio=2", "model.augmentation={noise={snr_db=25}}"])
    clf = make_estimator(study, info).steps[-1][1]
    assert isinstance(clf, ResidualAttentionCNNClassifier)
    assert list(clf.filters) == [8, 16] and clf.se_ratio == 2 and clf.kernel_size == 7
    assert clf.augmentation == {"noise": {"snr_db": 25}}
    assert clf.epochs == study.training.epochs and clf.random_state == study.training.seed
    # The shipped [model] table has cnn1d's kernel_size, which mpcnn does not take.
    with pytest.raises(RecipeError, match=r"unknown key \[model\] kernel_size"):
        load_recipe(RECIPE, ["model.name=mpcnn"])
    # A wider window holds the neighbouring beats; the model crops the centre beat.
    text = RECIPE.read_text()
    model = text[text.index("[model]"):text.index("[training]")]
    path = tmp_path / "mpcnn.toml"
    path.write_text(text.replace(model, '[model]\nname = "cnn1d"\n\n'))
    study = load_recipe(path, ["model.name=mpcnn", "windows.tmin=-1.0", "windows.tmax=1.2",
                               "model.beat_crop=[270, 522]", "model.kernel_sizes=[5, 11]"])
    clf = make_estimator(study, WindowInfo(360.0, ["MLII"], (1, 792))).steps[-1][1]
    assert isinstance(clf, MultiPerspectiveCNNClassifier)
    assert list(clf.beat_crop) == [270, 522] and list(clf.kernel_sizes) == [5, 11]
    assert study.features.tabular == ["rr"]


_OTHER_BACKEND = """
import json, numpy as np, keras
from biosig.models import MultiPerspectiveCNNClassifier, ResidualAttentionCNNClassifier
rng = np.random.default_rng(0)
t = np.arange(64) - 32
y = np.arange(96) % 2
X = 0.2 * rng.standard_normal((96, 1, 64)) + np.where(y[:, None, None] == 1,
    -np.exp(-(t / 10.0) ** 2), np.exp(-(t / 3.0) ** 2))
X = X.astype("float32")
common = dict(epochs=3, batch_size=16, learning_rate=3e-3, validation_fraction=0,
              random_state=0, verbose=0)
result = {"backend": keras.backend.backend()}
for name, clf in [
        ("ra_cnn", ResidualAttentionCNNClassifier(filters=(8,), attention_units=8, **common)),
        ("mpcnn", MultiPerspectiveCNNClassifier(beat_crop=(16, 48), kernel_sizes=(3, 9),
                                                filters=(8,), **common))]:
    clf.fit(X, y)
    proba = clf.predict_proba(X)
    result[name] = {"acc": float((proba.argmax(1) == y).mean()),
                    "sum": float(np.abs(proba.sum(1) - 1).max())}
print(json.dumps(result))
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_both_models_on_the_other_backends(backend):
    if backend == keras.backend.backend():
        pytest.skip("this session's backend runs the tests above")
    pytest.importorskip({"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[backend])
    # One intra-op thread: for nets this small, more threads only spin. XLA's
    # unoptimised CPU code compiles in about half the time.
    env = dict(os.environ, KERAS_BACKEND=backend, OMP_NUM_THREADS="1")
    env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_backend_optimization_level=0").strip()
    out = subprocess.run([sys.executable, "-c", _OTHER_BACKEND], check=False, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["backend"] == backend
    for name in ("ra_cnn", "mpcnn"):
        assert result[name]["sum"] < 1e-5, result
        assert result[name]["acc"] > 0.8, result
