import keras
import numpy as np
import pandas as pd

from biosig.models import WindowBatches
from biosig.windows import Windows, read_windows, write_windows


def test_every_window_once_per_epoch_from_a_memory_map(tmp_path):
    n = 103
    X = np.arange(n * 2 * 8, dtype=np.float32).reshape(n, 2, 8)
    w = Windows(X, np.arange(n) % 2, np.zeros(n), pd.DataFrame({"record": ["r"] * n}),
                100.0, ["a", "b"])
    write_windows(w, tmp_path / "s")
    stored = read_windows(tmp_path / "s")
    batches = WindowBatches(stored.X, np.arange(n), batch_size=10, seed=0)
    assert len(batches) == 11
    for _ in range(2):
        seen = np.concatenate([batches[i][1] for i in range(len(batches))])
        assert sorted(seen) == list(range(n))
        xb, yb = batches[3]
        np.testing.assert_array_equal(xb, X[yb])
        batches.on_epoch_end()


def test_keras_trains_from_batches(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 1, 16)).astype(np.float32)
    y = (X[:, 0, 5] > 0).astype(int)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1, 16)), keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(WindowBatches(X, y, batch_size=32, seed=0), epochs=15, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    proba = model.predict(WindowBatches(X, batch_size=64, shuffle=False), verbose=0)
    assert proba.shape == (256, 2)
