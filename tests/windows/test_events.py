import mne
import numpy as np
import pytest

from biosig.datasets import Recording
from biosig.windows import EventSampler


def _recording(onsets, descriptions, sfreq=100.0, n=3000):
    data = np.arange(2 * n, dtype=float).reshape(2, n)
    raw = mne.io.RawArray(data, mne.create_info(["C3", "C4"], sfreq, "eeg"), verbose=False)
    raw.set_annotations(mne.Annotations(onsets, np.ones(len(onsets)), descriptions))
    return Recording(raw, subject="s1", record="r1")


def test_windows_start_at_tmin_and_keep_both_ends():
    rec = _recording([1.0, 5.0, 9.0, 29.5], ["T1", "T2", "T0", "T1"])
    w = EventSampler(-0.5, 1.0, {"T1": "left", "T2": "right"}, progress=False).sample([rec])
    # T0 is not asked for; the T1 at 29.5 s runs past the end and is dropped
    assert w.y.tolist() == ["left", "right"]
    assert w.X.shape == (2, 2, 151)
    np.testing.assert_array_equal(w.X[0, 0], np.arange(50, 201))
    np.testing.assert_array_equal(w.meta["sample"], [100, 500])
    assert w.meta["event"].tolist() == ["T1", "T2"]


def test_no_matching_event_is_an_error():
    rec = _recording([1.0], ["T0"])
    with pytest.raises(ValueError, match=r"no annotation named \['T1'\] in records r1"):
        EventSampler(0, 1, {"T1": "left"}, progress=False).sample([rec])


def test_real_eegmmidb_run(data_dir):
    path = data_dir / "eegmmidb" / "S001" / "S001R04.edf"
    if not path.exists():
        pytest.skip("eegmmidb S001R04 is not in the data folder")
    raw = mne.io.read_raw_edf(path, preload=True, verbose=False)
    rec = Recording(raw, subject="S001", record="S001R04", session="R04")
    w = EventSampler(0.0, 4.0, {"T1": "left", "T2": "right"}, progress=False).sample([rec])
    counts = {d: int((raw.annotations.description == d).sum()) for d in ("T1", "T2")}
    assert w.class_counts().to_dict() == {"left": counts["T1"], "right": counts["T2"]}
    assert w.X.shape[1:] == (64, 641)
    first = int(w.meta["sample"].iloc[0])
    np.testing.assert_allclose(w.X[0], raw.get_data()[:, first:first + 641], rtol=1e-6)


def test_beats_kept_beside_the_raw_are_events_too():
    # an annotated ECG: the beats in Recording.beats, a rhythm change on the Raw
    from biosig.datasets import BeatAnnotations

    rec = _recording([2.0], ["+(AFIB"])
    rec.beats = BeatAnnotations(np.array([1.0, 3.0, 5.0]), np.array(["N", "V", "N"], dtype=object))
    w = EventSampler(-0.1, 0.1, {"V": "ventricular", "+(AFIB": "rhythm"},
                     progress=False).sample([rec])
    assert w.meta["event"].tolist() == ["+(AFIB", "V"]
    np.testing.assert_array_equal(w.meta["sample"], [200, 300])
    np.testing.assert_array_equal(w.X[1, 0], np.arange(290, 311))


def test_crops_tile_each_event_window_and_share_its_trial():
    rec = _recording([1.0, 5.0], ["T1", "T2"])
    w = EventSampler(-0.5, 1.0, {"T1": "left", "T2": "right"}, crop=(1.0, 0.2),
                     progress=False).sample([rec])
    # 151 samples per event window; crops of 101 samples every 20: offsets 0, 20, 40
    assert w.X.shape == (6, 2, 101)
    assert w.y.tolist() == ["left"] * 3 + ["right"] * 3
    assert w.meta["trial"].tolist() == ["r1:100"] * 3 + ["r1:500"] * 3
    np.testing.assert_array_equal(w.meta["crop"], [0, 20, 40] * 2)
    np.testing.assert_array_equal(w.meta["sample"], [100, 120, 140, 500, 520, 540])
    for row in range(6):  # each crop starts tmin after its sample, as a whole window does
        start = int(w.meta["sample"].iloc[row]) - 50
        np.testing.assert_array_equal(w.X[row, 1], np.arange(3000 + start, 3000 + start + 101))
    whole = EventSampler(-0.5, 1.0, {"T1": "left"}, progress=False).sample([rec])
    assert whole.meta["trial"].tolist() == ["r1:100"] and whole.meta["crop"].tolist() == [0]


def test_crops_longer_than_the_window_are_refused():
    rec = _recording([1.0], ["T1"])
    with pytest.raises(ValueError, match=r"crops of 201 samples every 10 do not fit windows of "
                                         r"151 samples at 100 Hz"):
        EventSampler(-0.5, 1.0, {"T1": "left"}, crop=(2.0, 0.1), progress=False).sample([rec])
