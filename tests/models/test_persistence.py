import json
import os
import subprocess
import sys

import numpy as np
import pytest

from biosig.models import CNN1DClassifier, DBNClassifier, load_estimator, save_estimator

_LOAD_ELSEWHERE = """
import json, sys
import keras
import numpy as np
from biosig.models import load_estimator
clf = load_estimator(sys.argv[1])
X = np.load(sys.argv[2])
print(json.dumps({"backend": keras.backend.backend(), "proba": clf.predict_proba(X).tolist(),
                  "classes": clf.classes_.tolist()}))
"""


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((96, 2, 64)).astype(np.float32)
    y = np.array(["N", "V"])[np.arange(96) % 2]
    X[y == "V", 0, 20:40] += 2
    clf = CNN1DClassifier(filters=(8,), epochs=4, batch_size=16, random_state=0, verbose=0)
    clf.fit(X, y, groups=np.arange(96) // 12)
    return clf, X


def test_round_trip_keeps_parameters_attributes_and_predictions(fitted, tmp_path):
    clf, X = fitted
    path = clf.save(tmp_path / "beats.keras")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["beats.keras"]  # no partial left
    again = load_estimator(path)
    assert again.get_params() == clf.get_params()
    assert again.classes_.tolist() == ["N", "V"] and again.window_shape_ == (2, 64)
    assert again.history_ == clf.history_
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_model_saved_on_tensorflow_loads_on_another_backend(fitted, tmp_path, backend):
    pytest.importorskip(backend)
    clf, X = fitted
    clf.save(tmp_path / "beats.keras")
    np.save(tmp_path / "X.npy", X[:10])
    out = subprocess.run([sys.executable, "-c", _LOAD_ELSEWHERE, str(tmp_path / "beats.keras"),
                          str(tmp_path / "X.npy")], capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, KERAS_BACKEND=backend))
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["backend"] == backend and result["classes"] == ["N", "V"]
    np.testing.assert_allclose(result["proba"], clf.predict_proba(X[:10]), rtol=1e-4, atol=1e-5)


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="not fitted"):
        save_estimator(DBNClassifier(), tmp_path / "x.keras")
    with pytest.raises(ValueError, match=r"must end in \.keras"):
        save_estimator(DBNClassifier(), tmp_path / "x.h5")
    (tmp_path / "junk.keras").write_bytes(b"junk")
    with pytest.raises(ValueError, match=r"junk\.keras: not a biosig estimator file"):
        load_estimator(tmp_path / "junk.keras")
