import numpy as np

from biosig.datasets import BonnEpilepsy
from biosig.preprocessing import bandpass, map_recordings


def test_parallel_preprocessing_equals_the_sequential_result(data_dir):
    recs = BonnEpilepsy(data_dir, progress=False).load(["S"])[:6]
    one = map_recordings(bandpass, recs, n_jobs=1, progress=False, l_freq=0.5, h_freq=40.0)
    two = map_recordings(bandpass, recs, n_jobs=2, progress=False, l_freq=0.5, h_freq=40.0)
    assert [r.record for r in two] == [r.record for r in recs]
    for a, b, raw in zip(one, two, recs):
        np.testing.assert_array_equal(a.signal, b.signal)
        assert not np.allclose(a.signal, raw.signal)  # the filter did act
        assert b.subject == raw.subject and b.session == raw.session
