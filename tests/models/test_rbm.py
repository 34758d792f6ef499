import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.neural_network import BernoulliRBM

from biosig.models import RBM


@pytest.fixture(scope="module")
def binary_digits():
    return (load_digits().data / 16.0 > 0.5).astype(np.float32)


def _reconstruction_error(model, X):
    h = 1 / (1 + np.exp(-(X @ model.components_.T + model.intercept_hidden_)))
    v = 1 / (1 + np.exp(-(h @ model.components_ + model.intercept_visible_)))
    return float(np.mean((X - v) ** 2))


def test_matches_sklearn_bernoulli_rbm_with_the_same_hyper_parameters(binary_digits):
    hp = dict(n_components=64, learning_rate=0.06, batch_size=10, n_iter=10, random_state=0)
    reference = BernoulliRBM(**hp).fit(binary_digits)
    ours = RBM(**hp, persistent=True, k=1).fit(binary_digits)
    ref_error = _reconstruction_error(reference, binary_digits)
    # the per-epoch error is measured during the epoch, so it trails the final one a little
    assert ours.reconstruction_error_[-1] == pytest.approx(
        _reconstruction_error(ours, binary_digits), rel=0.1)
    assert ours.reconstruction_error_[-1] < ours.reconstruction_error_[0]
    # both learn: far below the error of a machine that has not trained
    untrained = clone(ours).set_params(n_iter=0).fit(binary_digits)
    assert ours.reconstruction_error(binary_digits) < 0.6 * untrained.reconstruction_error(binary_digits)
    # and land within noise of each other (seeds differ, the algorithm is the same)
    assert ours.reconstruction_error(binary_digits) == pytest.approx(ref_error, rel=0.2)
    pl_ref = reference.score_samples(binary_digits).mean()
    pl_ours = ours.score_samples(binary_digits, random_state=0).mean()
    assert pl_ours == pytest.approx(pl_ref, rel=0.1)
    assert ours.transform(binary_digits).shape == (len(binary_digits), 64)


def test_cd_k_and_gaussian_units_reduce_the_error(binary_digits):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, 12)).astype(np.float32)
    X[:, 6:] = X[:, :6] + 0.1 * rng.standard_normal((600, 6))  # correlated halves
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    rbm = RBM(16, visible="gaussian", k=2, persistent=False, learning_rate=0.05,
              batch_size=20, n_iter=10, random_state=0).fit(X)
    assert len(rbm.reconstruction_error_) == 10
    # an untrained machine reconstructs standardised data with error ~1 (its variance)
    untrained = clone(rbm).set_params(n_iter=0).fit(X)
    assert untrained.reconstruction_error(X) == pytest.approx(1.0, abs=0.05)
    assert rbm.reconstruction_error_[-1] < 0.8
    assert rbm.reconstruction_error(X) < 0.8


def test_input_checks(binary_digits):
    with pytest.raises(ValueError, match=r"need input in \[0, 1\]"):
        RBM(8).fit(binary_digits * 2)
    with pytest.raises(ValueError, match="visible='poisson'"):
        RBM(8, visible="poisson").fit(binary_digits)


_ON_JAX = """
import json
import keras
import numpy as np
from sklearn.datasets import load_digits
from biosig.models import RBM
X = (load_digits().data / 16.0 > 0.5).astype("float32")
rbm = RBM(64, learning_rate=0.06, batch_size=10, n_iter=10, random_state=0).fit(X)
print(json.dumps({"backend": keras.backend.backend(), "error": rbm.reconstruction_error(X)}))
"""


def test_pretraining_runs_on_jax(binary_digits):
    import json
    import os
    import subprocess
    import sys

    pytest.importorskip("jax")
    out = subprocess.run([sys.executable, "-c", _ON_JAX], capture_output=True, text=True,
                         env=dict(os.environ, KERAS_BACKEND="jax"), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    reference = BernoulliRBM(64, learning_rate=0.06, batch_size=10, n_iter=10,
                             random_state=0).fit(binary_digits)
    assert result["backend"] == "jax"
    assert result["error"] == pytest.approx(_reconstruction_error(reference, binary_digits), rel=0.2)
