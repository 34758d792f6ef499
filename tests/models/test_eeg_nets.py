import numpy as np
import pytest

from biosig.models import EEGNetClassifier, ShallowConvNetClassifier, load_estimator


def _trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def _motor_imagery(n=160, channels=8, samples=256, sfreq=128.0, seed=0):
    """Left/right trials: a 10 Hz rhythm that drops on the opposite side (ERD)."""
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / sfreq
    y = np.arange(n) % 2
    X = rng.standard_normal((n, channels, samples))
    mu = np.sin(2 * np.pi * 10 * t + rng.uniform(0, 2 * np.pi, (n, 1)))
    X[:, 2] += np.where(y[:, None] == 0, 0.5, 2.5) * mu  # "C3"
    X[:, 5] += np.where(y[:, None] == 0, 2.5, 0.5) * mu  # "C4"
    return X.astype(np.float32), y, np.arange(n) // 20


def test_eegnet_layers_follow_the_paper():
    X, y, groups = _motor_imagery(n=40, channels=22, samples=256)
    y = np.arange(40) % 4
    clf = EEGNetClassifier(epochs=1, validation_fraction=0, random_state=0, verbose=0).fit(X, y)
    # Lawhern 2018, Table 2, EEGNet-8,2 with C=22, T=256, N=4
    c, t, n = 22, 256, 4
    expected = 8 * 64 + 2 * 8 + c * 16 + 2 * 16 + 16 * 16 + 16 * 16 + 2 * 16 + 16 * (t // 32) * n + n
    assert _trainable(clf.model_) == expected
    names = [layer.name for layer in clf.model_.layers]
    assert names.index("temporal_spatial") < names.index("bn2") < names.index("separable_conv")
    shapes = {w.path.split("/")[-1]: tuple(w.shape) for w in clf.model_.get_layer("temporal_spatial").weights}
    assert shapes == {"temporal_kernel": (1, 64, 1, 8), "gamma": (8,), "beta": (8,),
                      "moving_mean": (8,), "moving_variance": (8,), "spatial_kernel": (c, 8, 2)}


def test_shallow_convnet_layers_follow_the_paper():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 22, 1000)).astype(np.float32)
    y = np.arange(8) % 4
    clf = ShallowConvNetClassifier(epochs=1, validation_fraction=0, random_state=0, verbose=0)
    clf.fit(X, y)
    n_pool = (1000 - 25 + 1 - 75) // 15 + 1
    expected = 40 * 25 + 40 + 40 * 40 * 22 + 2 * 40 + 40 * n_pool * 4 + 4
    assert _trainable(clf.model_) == expected


@pytest.mark.parametrize("cls, params", [
    (EEGNetClassifier, dict(kernel_length=32, epochs=25, batch_size=16, learning_rate=3e-3)),
    (ShallowConvNetClassifier, dict(kernel_length=13, pool_length=35, pool_stride=7, epochs=15,
                                    batch_size=16)),
])
def test_learns_lateralised_rhythms_on_held_out_groups(cls, params, tmp_path):
    X, y, groups = _motor_imagery()
    train = groups < 6
    clf = cls(**params, patience=10, random_state=0, verbose=0).fit(X[train], y[train], groups[train])
    assert clf.score(X[~train], y[~train]) > 0.8
    # a saved estimator predicts the same after loading (custom layers included)
    clf.save(tmp_path / "net.keras")
    again = load_estimator(tmp_path / "net.keras")
    assert type(again) is cls and again.get_params()["epochs"] == params["epochs"]
    np.testing.assert_allclose(again.predict_proba(X[~train]), clf.predict_proba(X[~train]),
                               rtol=1e-5, atol=1e-6)
