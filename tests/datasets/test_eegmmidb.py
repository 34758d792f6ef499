import mne
import numpy as np
import pytest
import wfdb

from biosig.datasets import EEGMotorImagery, run_events

EXPECTED = {
    3: {"T1": "movement/left_fist", "T2": "movement/right_fist"},
    4: {"T1": "imagery/left_fist", "T2": "imagery/right_fist"},
    5: {"T1": "movement/both_fists", "T2": "movement/both_feet"},
    6: {"T1": "imagery/both_fists", "T2": "imagery/both_feet"},
}


@pytest.fixture(scope="module")
def eegmmidb_dir(data_dir):
    folder = data_dir / "eegmmidb" / "S001"
    if not (folder / "S001R03.edf").exists():
        pytest.skip(f"{folder} holds no runs")
    return folder


def test_run_mapping_follows_the_dataset_description():
    for run in range(3, 15):
        base = 3 + (run - 3) % 4
        assert run_events(run) == {"T0": "rest", **EXPECTED[base]}
    assert run_events(1) == {"T0": "eyes_open"} and run_events(2) == {"T0": "eyes_closed"}
    with pytest.raises(ValueError, match="run 15 does not exist"):
        run_events(15)


def test_runs_give_exactly_the_events_of_their_annotation_files(data_dir, eegmmidb_dir):
    recs = EEGMotorImagery(data_dir, progress=False).load([1], runs=range(3, 15))
    assert [r.metadata["run"] for r in recs] == list(range(3, 15))
    for rec in recs:
        run = rec.metadata["run"]
        ann = wfdb.rdann(str(eegmmidb_dir / rec.record), "edf.event")
        codes = [note.split()[0] for note in ann.aux_note]
        expected = [run_events(run)[c] for c in codes]
        # wfdb.rdann drops the file's first entry, T0 at sample 0
        assert rec.annotation_samples()[0] == 0
        assert rec.annotations.description[0] == "rest"
        np.testing.assert_array_equal(rec.annotation_samples()[1:], ann.sample)
        assert list(rec.annotations.description[1:]) == expected
        durations = [float(note.split("duration:")[1]) for note in ann.aux_note]
        np.testing.assert_allclose(rec.annotations.duration[1:], durations, atol=1e-6)
        assert (rec.subject, rec.session, rec.sfreq) == ("S001", None, 160.0)


def test_channels_are_10_10_names_with_positions(data_dir, eegmmidb_dir):
    rec = EEGMotorImagery(data_dir, progress=False).load_run("S001", 4)
    assert len(rec.ch_names) == 64
    assert {"FC5", "C3", "Cz", "C4", "Fp1", "Iz", "T9", "AFz"} <= set(rec.ch_names)
    assert not any(name.endswith(".") for name in rec.ch_names)
    positions = np.array([ch["loc"][:3] for ch in rec.raw.info["chs"]])
    assert np.isfinite(positions).all() and (np.linalg.norm(positions, axis=1) > 0).all()
    assert rec.metadata["task"] == "imagery/left_right_fist"


def test_subject_ids_and_errors(tmp_path):
    ds = EEGMotorImagery(tmp_path, cache_dir=tmp_path / "cache", progress=False)
    assert ds.check_subjects([1, "S002", "s010", "109"]) == ["S001", "S002", "S010", "S109"]
    with pytest.raises(ValueError, match=r"unknown subject id\(s\) \[110\]"):
        ds.load([110])
    with pytest.raises(FileNotFoundError, match=r"S001/S001R04\.edf.*download=True"):
        ds.load([1], runs=[4])
    with pytest.raises(ValueError, match="runs \\[0\\] do not exist"):
        ds.load([1], runs=[0])


def test_wrong_sample_rate_names_the_file(tmp_path):
    folder = tmp_path / "eegmmidb" / "S002"
    folder.mkdir(parents=True)
    info = mne.create_info(["Fc5.", "C3..", "Cz.."], 128.0, "eeg")
    raw = mne.io.RawArray(np.zeros((3, 128 * 4)), info, verbose=False)
    raw.set_annotations(mne.Annotations([0.0, 2.0], [2.0, 2.0], ["T0", "T1"]))
    mne.export.export_raw(folder / "S002R04.edf", raw, fmt="edf", verbose=False)
    ds = EEGMotorImagery(tmp_path, progress=False)
    with pytest.raises(ValueError, match=r"S002R04\.edf: sampled at 128 Hz, expected 160 Hz"):
        ds.load([2], runs=[4])
    rec = ds.load([2], runs=[4], sfreq=None)[0]
    assert rec.ch_names == ["FC5", "C3", "Cz"]
    assert list(rec.annotations.description) == ["rest", "imagery/left_fist"]


def test_download_fetches_only_missing_runs_into_the_cache(eegmmidb_dir, tmp_path, monkeypatch,
                                                           fake_server):
    import shutil

    import biosig.datasets._download as download

    fake_server.physionet("eegmmidb", "1.0.0", {f"S001/S001R{run:02d}.edf":
                                                eegmmidb_dir / f"S001R{run:02d}.edf"
                                                for run in (4, 8, 12)})
    monkeypatch.setattr(download, "get_version", lambda db: "1.0.0")
    local = tmp_path / "data" / "eegmmidb" / "S001"
    local.mkdir(parents=True)
    shutil.copy(eegmmidb_dir / "S001R04.edf", local)
    ds = EEGMotorImagery(tmp_path / "data", download=True, cache_dir=tmp_path / "cache",
                         progress=False)
    recs = ds.load([1], runs=[4, 8, 12])
    base = "https://physionet.org/files/eegmmidb/1.0.0/"
    assert fake_server.served == [base + "SHA256SUMS.txt", base + "S001/S001R08.edf",
                                  base + "S001/S001R12.edf"]
    assert sorted(p.name for p in (ds.cache_path / "S001").iterdir()) == [
        "S001R08.edf", "S001R12.edf"]
    assert [r.record for r in recs] == ["S001R04", "S001R08", "S001R12"]
