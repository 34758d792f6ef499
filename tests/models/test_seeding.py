import random

import numpy as np

from biosig.models import CNN1DClassifier
from biosig.models._seeding import seeded


def _fit(seed):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 1, 32)).astype("float32")
    y = np.arange(64) % 2
    X[y == 1, 0, 8:12] += 2
    return CNN1DClassifier(filters=(4,), dense_units=8, epochs=2, batch_size=16,
                           validation_fraction=0, random_state=seed, verbose=0).fit(X, y)


def test_fit_repeats_with_its_seed_and_leaves_the_global_generators_alone():
    random.seed(123)
    np.random.seed(123)
    expected = (random.random(), np.random.random())
    random.seed(123)
    np.random.seed(123)
    first = _fit(7)
    assert (random.random(), np.random.random()) == expected  # fit drew nothing from them
    second = _fit(7)
    for a, b in zip(first.model_.get_weights(), second.model_.get_weights()):
        np.testing.assert_array_equal(a, b)
    other = _fit(8)
    assert any(not np.array_equal(a, b) for a, b in
               zip(first.model_.get_weights(), other.model_.get_weights()))


def test_seeded_block_restores_state_even_on_error():
    np.random.seed(5)
    state = np.random.get_state()[1].copy()
    try:
        with seeded(1):
            np.random.random()
            raise RuntimeError
    except RuntimeError:
        pass
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_other_threads_drawing_from_random_do_not_change_a_seeded_fit():
    """A Dask worker's own threads draw from ``random`` (heartbeats, retries) during a fit."""
    import threading

    reference = _fit(3).model_.get_weights()
    stop = threading.Event()

    def draw():
        while not stop.is_set():
            random.random()

    noisy = threading.Thread(target=draw)
    noisy.start()
    try:
        weights = _fit(3).model_.get_weights()
    finally:
        stop.set()
        noisy.join()
    for a, b in zip(reference, weights):
        np.testing.assert_array_equal(a, b)
