import mne
import numpy as np
import pytest

from biosig.datasets import Recording
from biosig.windows import SlidingSampler


@pytest.fixture
def seizure_recording():
    sfreq, n = 100.0, 4000  # 40 s
    raw = mne.io.RawArray(np.random.default_rng(0).standard_normal((2, n)),
                          mne.create_info(["F7", "T7"], sfreq, "eeg"), verbose=False)
    raw.set_annotations(mne.Annotations([10.0, 30.0], [9.0, 0.0], ["seizure", "note"]))
    return Recording(raw, subject="p1", record="p1_01")


@pytest.mark.parametrize("rule,expected", [
    # windows of 4 s every 2 s start at 0, 2, ..., 36; the seizure covers [10, 19) s
    ("majority", {10, 12, 14, 16}),       # more than 2 s inside (8-12 s is exactly half)
    ("any", {8, 10, 12, 14, 16, 18}),     # 6-10 s touches nothing; 8-12 s does
    ("center", {8, 10, 12, 14, 16}),      # centre 10, 12, ..., 18 s (18 s is inside)
])
def test_label_rules(seizure_recording, rule, expected):
    w = SlidingSampler(4.0, 2.0, labels={"seizure": "ictal"}, rule=rule,
                       progress=False).sample([seizure_recording])
    assert len(w) == 19 and w.X.shape[1:] == (2, 400)
    ictal = set(np.rint(w.meta["onset"][w.y == "ictal"]).astype(int))
    assert ictal == expected
    assert set(w.y[w.y != "ictal"]) == {"background"}


def test_windows_and_coverage(seizure_recording):
    w = SlidingSampler(4.0, labels={"seizure": "ictal"}, progress=False).sample([seizure_recording])
    assert len(w) == 10  # no overlap by default
    data = seizure_recording.signal.astype(np.float32)
    np.testing.assert_array_equal(w.X[3], data[:, 1200:1600])
    np.testing.assert_allclose(w.meta["coverage"].to_numpy()[2:5], [0.5, 1.0, 0.75])
    assert w.y[2:5].tolist() == ["background", "ictal", "ictal"]  # 0.5 is not a majority


def test_errors(seizure_recording):
    with pytest.raises(ValueError, match="rule='most'; allowed: majority, any, center"):
        SlidingSampler(1.0, rule="most", progress=False).sample([seizure_recording])
    with pytest.raises(ValueError, match="shorter than the window"):
        SlidingSampler(100.0, progress=False).sample([seizure_recording])


def test_bad_spans_drop_windows_and_share_rule_is_checked():
    info = mne.create_info(["Cz"], 100.0, "eeg")
    raw = mne.io.RawArray(np.zeros((1, 1000)), info, verbose=False)
    raw.set_annotations(mne.Annotations([2.5, 6.0], [1.0, 0.0], ["BAD_muscle", "BAD boundary"]))
    rec = Recording(raw, subject="s", record="r")
    w = SlidingSampler(1.0, progress=False).sample([rec])
    # 2.5-3.5 s removes the windows at 2 and 3 s; the cut at 6 s removes none
    assert w.meta.onset.tolist() == [0.0, 1.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    kept = SlidingSampler(1.0, reject_by_annotation=False, progress=False).sample([rec])
    assert len(kept) == 10
    # stride 0.5 s: 2.0, 2.5, 3.0 overlap the span; 5.5 straddles the cut
    assert len(SlidingSampler(1.0, 0.5, progress=False).sample([rec])) == 19 - 3 - 1
    # a mark that ends before the recording starts covers nothing
    raw.set_annotations(None)
    raw.annotations.append([-3.0], [1.0], ["BAD_before"])
    assert len(SlidingSampler(1.0, progress=False).sample([rec])) == 10
    with pytest.raises(ValueError, match=r"rule=1.5 must lie in \(0, 1\]"):
        SlidingSampler(1.0, rule=1.5).sample([rec])
