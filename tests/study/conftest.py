import numpy as np
import pandas as pd
import pytest

from biosig.windows import Windows, write_windows


@pytest.fixture
def beat_store():
    """Write a store of synthetic beats of four subjects; return its Windows."""
    return _store


def _store(path, n_subjects=4, n_beats=40, n_samples=72):
    """Beats whose amplitude and offset differ by subject; class V: a wider, larger beat."""
    rng = np.random.default_rng(0)
    t = np.linspace(-1, 1, n_samples)
    X, y, subjects = [], [], []
    for s in range(n_subjects):
        labels = np.tile(["N", "N", "N", "V"], n_beats // 4)
        width = np.where(labels == "V", 0.4, 0.1)[:, None]
        beats = np.exp(-(t / width) ** 2) * np.where(labels == "V", 1.5, 1.0)[:, None]
        gain, offset = 1 + 2 * s, 0.5 * s
        X.append(gain * beats + offset + 0.02 * rng.standard_normal(beats.shape))
        y.append(labels)
        subjects += [f"{100 + s}"] * n_beats
    subjects = np.array(subjects)
    meta = pd.DataFrame({"record": subjects, "subject": subjects,
                         "onset": np.arange(len(subjects), dtype=float)})
    windows = Windows(np.concatenate(X)[:, None].astype(np.float32), np.concatenate(y), subjects,
                      meta, 360.0, ["MLII"])
    write_windows(windows, path)
    return windows
