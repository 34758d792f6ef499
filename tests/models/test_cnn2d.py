import numpy as np
import pytest

from biosig.features import CWTScalogram
from biosig.models import CNN2DClassifier


def test_classifies_scalograms_of_two_rhythms():
    rng = np.random.default_rng(0)
    sfreq, n = 128.0, 160
    t = np.arange(256) / sfreq
    y = np.arange(n) % 2
    freq = np.where(y == 0, 8.0, 20.0)[:, None]
    X = 1.5 * np.sin(2 * np.pi * freq * t + rng.uniform(0, 6.3, (n, 1)))[:, None, :]
    X = (X + rng.standard_normal((n, 1, 256))).astype(np.float32)
    images = CWTScalogram(sfreq=sfreq, freqs=np.geomspace(4, 40, 16)).fit_transform(X)[..., ::8]
    assert images.ndim == 4
    groups = np.arange(n) // 16
    train = groups < 8
    clf = CNN2DClassifier(filters=(8, 16), epochs=30, batch_size=16, patience=10,
                          random_state=0, verbose=0)
    clf.fit(images[train], y[train], groups[train])
    assert clf.window_shape_ == images.shape[1:]
    assert clf.score(images[~train], y[~train]) > 0.9
    with pytest.raises(ValueError, match="expects images"):
        CNN2DClassifier(epochs=1, verbose=0).fit(X, y)
