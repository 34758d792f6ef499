import numpy as np
import pytest

from biosig.datasets import AAMI_EC57, MITBIHArrhythmia, read_wfdb
from biosig.windows import RR_FEATURES, BeatSampler, Windows


@pytest.fixture
def beats_record(make_record):
    beats = [30, 400, 760, 1100, 1500, 1900, 3590]
    symbols = ["N", "N", "V", "A", "N", "F", "N"]
    path, _ = make_record(beats=[200] + beats, symbols=["+"] + symbols)
    return read_wfdb(path), np.array(beats), np.array(symbols)


def test_windows_are_centred_on_r_peaks(beats_record):
    rec, beats, _ = beats_record
    w = BeatSampler(-0.1, 0.2, progress=False).sample([rec])
    # 36 samples before, 72 after; beats at 30 and 3590 run off the record
    assert w.X.shape == (5, 2, 108) and w.X.dtype == np.float32
    np.testing.assert_array_equal(w.meta["sample"], beats[1:-1])
    signal = rec.signal.astype(np.float32)
    for i, s in enumerate(beats[1:-1]):
        np.testing.assert_array_equal(w.X[i], signal[:, s - 36:s + 72])
    assert w.y.tolist() == ["N", "V", "S", "N", "F"]
    assert set(w.groups) == {"rec"}


@pytest.mark.parametrize("local_beats,before,after", [(3, 2, 1), (4, 2, 2), (10, 5, 5)])
def test_rr_features(beats_record, local_beats, before, after):
    rec, beats, _ = beats_record
    w = BeatSampler(-0.1, 0.2, local_beats=local_beats, progress=False).sample([rec])
    rr = np.diff(beats) / 360  # the "+" rhythm annotation is not a beat
    np.testing.assert_allclose(w.meta["rr_prev"], rr[:-1])
    np.testing.assert_allclose(w.meta["rr_next"], rr[1:])
    # beat i: intervals i-before .. i+after-1 (interval j joins beats j and j+1)
    local = [rr[max(i - before, 0):min(i + after, len(rr))].mean() for i in range(1, 6)]
    np.testing.assert_allclose(w.meta["rr_local"], local)
    np.testing.assert_allclose(w.meta["rr_record"], rr.mean())
    assert set(RR_FEATURES) <= set(w.meta.columns)


def test_custom_labels_keep_rr_over_all_beats(beats_record):
    rec, _, _ = beats_record
    w = BeatSampler(-0.1, 0.2, labels={"N": "N", "V": "V"}, progress=False).sample([rec])
    assert w.y.tolist() == ["N", "V", "N"]
    # the A beat at 1100 is not a window but still ends the V beat's next RR
    assert w.meta.loc[w.y == "V", "rr_next"].item() == pytest.approx((1100 - 760) / 360)


def test_channels_and_errors(beats_record):
    rec, _, _ = beats_record
    assert BeatSampler(channels=["V1"], progress=False).sample([rec]).ch_names == ["V1"]
    with pytest.raises(ValueError, match=r"record rec: no channel \['MLIII'\]"):
        BeatSampler(channels=["MLIII"], progress=False).sample([rec])
    with pytest.raises(ValueError, match="must exceed tmin"):
        BeatSampler(0.2, 0.1, progress=False).sample([rec])


def test_windows_subset_and_concat_checks(beats_record):
    rec, _, _ = beats_record
    w = BeatSampler(-0.1, 0.2, progress=False).sample([rec])
    sub = w[w.y == "N"]
    assert len(sub) == 2 and (sub.y == "N").all()
    other = BeatSampler(-0.1, 0.3, progress=False).sample([rec])
    with pytest.raises(ValueError, match="record rec: windows of shape"):
        Windows.concat([w, other])


def test_real_records(data_dir):
    ds = MITBIHArrhythmia(data_dir, progress=False)
    recs = ds.load(["100", "208"], channels=["MLII"], n_jobs=2)
    w = BeatSampler(progress=False).sample(recs)
    # every annotated beat but those within 0.25 s / 0.45 s of either end
    for rec, n_beats in zip(recs, (2273, 2955)):
        is_beat = np.isin(rec.annotations.description, list(AAMI_EC57))
        samples = rec.annotation_samples()[is_beat]
        inside = ((samples - 90 >= 0) & (samples + 162 <= rec.n_samples)).sum()
        assert len(samples) == n_beats
        assert (w.meta["record"] == rec.record).sum() == inside
    assert w.class_counts()["V"] == 1 + 992
