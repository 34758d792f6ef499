import numpy as np
import pytest

from biosig.models import BiLSTMClassifier, CNNLSTMClassifier


def _order_task(n=192, steps=64, seed=0):
    """Both classes hold the same two bumps; only their order in time differs."""
    rng = np.random.default_rng(seed)
    X = 0.3 * rng.standard_normal((n, 2, steps))
    y = np.arange(n) % 2
    first, second = rng.integers(4, 24, n), rng.integers(36, 56, n)
    for i in range(n):
        a, b = (first[i], second[i]) if y[i] else (second[i], first[i])
        X[i, 0, a:a + 4] += 2.0   # channel 0 bump
        X[i, 1, b:b + 4] += 2.0   # channel 1 bump
    return X.astype(np.float32), y, np.arange(n) // 16


@pytest.mark.parametrize("cls, params", [
    (BiLSTMClassifier, dict(units=(16,), epochs=40, learning_rate=5e-3)),
    (CNNLSTMClassifier, dict(filters=(16,), pool_size=2, units=(16,), epochs=40,
                             learning_rate=5e-3)),
])
def test_learns_which_event_comes_first(cls, params):
    X, y, groups = _order_task()
    train = groups < 9
    clf = cls(**params, batch_size=32, patience=10, random_state=0, verbose=0)
    clf.fit(X[train], y[train], groups[train])
    assert clf.score(X[~train], y[~train]) > 0.85
    # the bump energies are equal in both classes: order is the only cue
    assert np.allclose(X[y == 0].var(), X[y == 1].var(), rtol=0.05)
