import json
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_validate

from biosig.evaluation import InterPatientSplit
from biosig.models import CNN1DClassifier, EEGNetClassifier, pack_inputs


def _task(n=480, seed=0):
    """Class 'b' windows carry a bump on channel 0; a tabular feature is noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2, 96)).astype(np.float32)
    y = np.where(rng.random(n) < 0.3, "b", "a")
    X[y == "b", 0, 40:52] += 3.0
    groups = np.repeat([f"r{i}" for i in range(8)], n // 8)
    return X, y, groups, rng.standard_normal((n, 3))


def _clf(**kw):
    params = dict(filters=(8, 16), epochs=12, batch_size=32, random_state=0, verbose=0)
    params.update(kw)
    return CNN1DClassifier(**params)


def test_learns_from_windows_and_packed_features():
    X, y, groups, F = _task()
    clf = _clf(window_shape=(2, 96)).fit(pack_inputs(X[:400], F[:400]), y[:400], groups=groups[:400])
    assert clf.model_.get_layer("join_features") is not None
    proba = clf.predict_proba(pack_inputs(X[400:], F[400:]))
    assert proba.shape == (80, 2)
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    assert (clf.predict(pack_inputs(X[400:], F[400:])) == y[400:]).mean() > 0.9
    assert set(clf.classes_) == {"a", "b"}
    assert len(clf.history_["val_loss"]) >= 1


def test_rows_of_a_2d_array_are_single_channel_windows():
    X, y, groups, _ = _task(160)
    rows = _clf(epochs=1, validation_fraction=0).fit(X[:, 0], y)
    windows = _clf(epochs=1, validation_fraction=0).fit(X[:, :1], y)
    assert rows.window_shape_ == windows.window_shape_ == (1, 96)
    assert rows.n_features_in_ == 96 and windows.n_features_in_ == 1  # X.shape[1], as sklearn
    np.testing.assert_allclose(rows.predict_proba(X[:, 0]), windows.predict_proba(X[:, :1]),
                               rtol=1e-5, atol=1e-6)


def test_a_network_too_big_for_its_windows_is_refused_by_name():
    X, y, _, _ = _task(64)
    with pytest.raises(ValueError, match=r"EEGNetClassifier cannot be built on windows of shape "
                                         r"\(2, 20\)"):
        EEGNetClassifier(epochs=1, verbose=0).fit(X[..., :20], y)


def test_validation_split_holds_out_whole_groups():
    _, y, groups, _ = _task()
    clf = _clf(validation_fraction=0.25)
    train, val = clf._validation_split(np.unique(y, return_inverse=True)[1], groups)
    assert not set(groups[train]) & set(groups[val])
    assert len(set(groups[val])) == 2


def test_without_groups_warns():
    X, y, _, _ = _task(160)
    with pytest.warns(UserWarning, match="validation split is taken by window"):
        _clf(epochs=1).fit(X, y)


def test_callbacks_pass_through_and_tensorboard_logs_on_request(tmp_path):
    import keras

    X, y, groups, _ = _task(160)
    seen = []
    epochs = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    board = keras.callbacks.TensorBoard(log_dir=str(tmp_path / "logs"))
    _clf(epochs=2, callbacks=[epochs, board]).fit(X, y, groups=groups)
    assert seen == [0, 1]
    assert list((tmp_path / "logs" / "train").glob("events.out.tfevents.*"))


def test_seed_repeats_on_cpu():
    X, y, groups, _ = _task(160)
    p1 = _clf(epochs=2).fit(X, y, groups=groups).predict_proba(X)
    p2 = _clf(epochs=2).fit(X, y, groups=groups).predict_proba(X)
    np.testing.assert_allclose(p1, p2, rtol=1e-5, atol=1e-6)


def test_sklearn_contract():
    X, y, groups, _ = _task(160)
    clf = _clf(epochs=1)
    assert clone(clf).get_params() == clf.get_params()
    assert clf.set_params(dropout=0.1).dropout == 0.1
    cv = InterPatientSplit(["r0", "r1", "r2", "r3", "r4", "r5"], ["r6", "r7"])
    scores = cross_validate(clf, X, y, groups=groups, cv=cv, params={"groups": groups},
                            scoring="balanced_accuracy")
    assert scores["test_score"].shape == (1,)


def test_input_errors():
    X, y, _, _ = _task(64)
    with pytest.raises(ValueError, match="NaN"):
        _clf().fit(np.where(np.arange(96) == 5, np.nan, X), y)
    with pytest.raises(ValueError, match=r"cannot be built on windows of shape \(2, 96, 1, 1\)"):
        _clf().fit(X[..., None, None], y)
    fitted = _clf(epochs=1, validation_fraction=0).fit(X, y)
    with pytest.raises(ValueError, match=r"fitted on windows of shape \(2, 96\), got \(2, 95\)"):
        fitted.predict(X[..., :95])
    with pytest.raises(ValueError, match="X has 3 features, but CNN1DClassifier is expecting 2"):
        fitted.predict(X[:, [0, 1, 1]])
    with pytest.raises(ValueError, match="at least two classes to train, got 1 class"):
        _clf().fit(X, np.zeros(64))
    with pytest.raises(ValueError, match="do not match window_shape"):
        _clf(window_shape=(3, 96)).fit(X, y)
    with pytest.raises(ValueError, match=r"class_weight names classes absent from y: \['z'\]"):
        _clf(class_weight={"z": 2.0}).fit(X, y)


_OTHER_BACKEND = """
import json, numpy as np, keras
from biosig.models import CNN1DClassifier
rng = np.random.default_rng(0)
X = rng.standard_normal((96, 1, 64)).astype("float32"); y = np.arange(96) % 2
X[y == 1, 0, 20:30] += 3
clf = CNN1DClassifier(filters=(8,), epochs=8, batch_size=16, random_state=0, verbose=0)
clf.fit(X, y, groups=np.arange(96) // 12)
print(json.dumps({"backend": keras.backend.backend(), "acc": float((clf.predict(X) == y).mean())}))
"""


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_same_code_on_another_backend(backend):
    pytest.importorskip(backend)
    env = dict(os.environ, KERAS_BACKEND=backend)
    out = subprocess.run([sys.executable, "-c", _OTHER_BACKEND], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["backend"] == backend
    assert result["acc"] > 0.9


def test_mixed_precision_policy_keeps_float32_probabilities():
    import keras

    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 1, 64)).astype("float32")
    y = np.arange(64) % 2
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        clf = CNN1DClassifier(filters=(8,), epochs=1, batch_size=16, validation_fraction=0,
                              random_state=0, verbose=0).fit(X, y)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert clf.model_.get_layer("conv0").compute_dtype == "bfloat16"
    assert clf.model_.get_layer("softmax").compute_dtype == "float32"
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
