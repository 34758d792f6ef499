"""R-peak detection and EC57 beat matching, on real MIT-BIH records and a record with known peaks."""

import numpy as np
import pytest
import wfdb

from biosig.datasets import AAMI_EC57, read_wfdb
from biosig.preprocessing import detect_r_peaks, match_beats
from biosig.windows import BeatSampler


def _reference_beats(rec):
    symbols = np.asarray(rec.annotations.description)
    return rec.annotation_samples()[np.isin(symbols, list(AAMI_EC57))]


def test_matching_is_one_to_one_within_150_ms():
    fs = 360
    reference = np.array([1000, 2000, 3000, 4000])
    # 54 samples = 150 ms matches; 55 does not; two detections near one beat: one matches
    detected = np.array([1054, 2055, 2990, 3000, 4500])
    match = match_beats(reference, detected, fs)
    assert match.true_positives == 2 and match.false_negatives == 2
    assert match.false_positives == 3
    np.testing.assert_array_equal(match.reference_of(), [0, -1, -1, 2, -1])
    assert match.sensitivity == 0.5 and match.positive_predictivity == 0.4
    empty = match_beats(reference, [], fs)
    assert empty.sensitivity == 0 and np.isnan(empty.positive_predictivity)


def _synthetic_ecg(folder, fs=250, seconds=60, seed=0):
    """An ECG-like lead: narrow QRS spikes at irregular known R peaks, baseline wander, noise."""
    rng = np.random.default_rng(seed)
    rr = rng.uniform(0.6, 1.1, int(seconds / 0.6))
    peaks = (np.cumsum(rr) * fs).astype(int)
    peaks = peaks[peaks < (seconds - 1) * fs]
    t = np.arange(seconds * fs)
    signal = 0.1 * np.sin(2 * np.pi * 0.3 * t / fs) + 0.02 * rng.standard_normal(len(t))
    for p in peaks:
        signal += 1.2 * np.exp(-0.5 * ((t - p) / (0.012 * fs)) ** 2)  # R wave
        signal -= 0.25 * np.exp(-0.5 * ((t - p - 0.04 * fs) / (0.015 * fs)) ** 2)  # S wave
        signal += 0.2 * np.exp(-0.5 * ((t - p - 0.25 * fs) / (0.05 * fs)) ** 2)  # T wave
    wfdb.wrsamp("synth", fs=fs, units=["mV"], sig_name=["ECG"], p_signal=signal[:, None],
                fmt=["16"], adc_gain=[1000.0], baseline=[0], write_dir=str(folder))
    return folder / "synth", peaks


def test_detection_finds_the_known_peaks_of_a_written_record(tmp_path):
    path, peaks = _synthetic_ecg(tmp_path)
    rec = read_wfdb(path)  # no annotation file: signals only
    detected = detect_r_peaks(rec)
    match = match_beats(peaks, detected, rec.sfreq)
    assert match.sensitivity == 1.0 and match.positive_predictivity == 1.0
    # on the R wave itself, not somewhere in the QRS: within 8 ms
    offsets = detected[match.matched_detected] - peaks[match.matched_reference]
    assert np.abs(offsets).max() <= 2


@pytest.mark.parametrize("record, floor", [("100", 0.999), ("203", 0.98)])
def test_detection_on_real_records_against_their_reference(mitdb_subset, record, floor):
    rec = read_wfdb(mitdb_subset([record]) / "mitdb" / record, channels=["MLII"])
    match = match_beats(_reference_beats(rec), detect_r_peaks(rec), rec.sfreq)
    # record 203 (multiform PVCs, noise) is among MIT-BIH's hardest for any detector
    assert match.sensitivity >= floor and match.positive_predictivity >= floor


def test_beat_windows_on_detected_peaks_take_the_reference_labels(mitdb_subset):
    rec = read_wfdb(mitdb_subset(["100"]) / "mitdb" / "100")
    annotated = BeatSampler(progress=False).sample([rec])
    sampler = BeatSampler(peaks="detected", progress=False)
    detected = sampler.sample([rec])
    counts = sampler.detection_["100"]
    assert counts["reference"] == len(_reference_beats(rec))
    assert counts["false_negatives"] + counts["false_positives"] <= 3
    # every window sits within 150 ms of the reference beat whose label it carries
    gap = np.abs(detected.meta["sample"] - detected.meta["reference_sample"]) / rec.sfreq
    assert gap.max() <= 0.150
    by_sample = dict(zip(annotated.meta["sample"], annotated.y))
    assert [by_sample[s] for s in detected.meta["reference_sample"]] == list(detected.y)
    assert {c: int((detected.y == c).sum()) for c in "NSV"} == \
        {c: int((annotated.y == c).sum()) for c in "NSV"}


def test_an_ecg_without_annotations_gives_unlabelled_beat_windows(tmp_path):
    path, peaks = _synthetic_ecg(tmp_path)
    windows = BeatSampler(peaks="detected", progress=False).sample([read_wfdb(path)])
    assert len(windows) >= len(peaks) - 2  # a beat at either end may not fit a window
    assert all(label is None for label in windows.y)
    with pytest.raises(ValueError, match="peaks must be 'annotated' or 'detected'"):
        BeatSampler(peaks="both", progress=False).sample([read_wfdb(path)])
