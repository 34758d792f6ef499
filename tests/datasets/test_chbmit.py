import numpy as np
import pytest
import wfdb
from edfio import Edf, EdfSignal

from biosig.datasets import CHBMIT, read_chbmit_summary
from biosig.windows import SlidingSampler

# The wording of chb01-chb10 and that of later cases (numbered seizures,
# "Channels changed:" blocks, no clock times in chb24).
OLD_WORDING = """Data Sampling Rate: 256 Hz
*************************

Channels in EDF Files:
**********************
Channel 1: FP1-F7
Channel 2: F7-T7
Channel 3: T8-P8
Channel 4: T8-P8


File Name: chb03_01.edf
File Start Time: 13:23:36
File End Time: 14:23:36
Number of Seizures in File: 1
Seizure Start Time: 12 seconds
Seizure End Time: 20 seconds

File Name: chb03_02.edf
File Start Time: 14:23:39
File End Time: 15:23:39
Number of Seizures in File: 0
"""
NEW_WORDING = """Data Sampling Rate: 256 Hz
*************************

Channels in EDF Files:
**********************
Channel 1: FP1-F7
Channel 2: F7-T7
Channel 3: -
Channel 4: T8-P8


File Name: chb24_01.edf
Number of Seizures in File: 2
Seizure 1 Start Time: 4 seconds
Seizure 1 End Time: 9 seconds
Seizure 2 Start Time:  21 seconds
Seizure 2 End Time:  27 seconds

Channels changed:
*****************
Channel 1: F7-T7
Channel 2: T8-P8
Channel 3: FZ-CZ

File Name: chb24_02.edf
Number of Seizures in File: 0
"""


def _write_edf(path, labels, seconds=30, sfreq=256):
    rng = np.random.default_rng(len(labels))
    signals = [EdfSignal(rng.uniform(-100, 100, seconds * sfreq), sampling_frequency=sfreq,
                         label=label, physical_dimension="uV", physical_range=(-200, 200))
               for label in labels]
    Edf(signals).write(path)


@pytest.fixture
def chbmit_tree(tmp_path):
    case = tmp_path / "chbmit" / "chb03"
    case.mkdir(parents=True)
    (case / "chb03-summary.txt").write_text(OLD_WORDING)
    _write_edf(case / "chb03_01.edf", ["FP1-F7", "F7-T7", "T8-P8", "T8-P8"])
    _write_edf(case / "chb03_02.edf", ["FP1-F7", "F7-T7", "T8-P8", "T8-P8"])
    case = tmp_path / "chbmit" / "chb24"
    case.mkdir(parents=True)
    (case / "chb24-summary.txt").write_text(NEW_WORDING)
    _write_edf(case / "chb24_01.edf", ["FP1-F7", "F7-T7", "-", "T8-P8"])
    _write_edf(case / "chb24_02.edf", ["F7-T7", "T8-P8", "FZ-CZ"])
    return tmp_path


def test_real_summary_matches_the_seizure_annotation_files(data_dir):
    folder = data_dir / "chbmit" / "chb01"
    if not (folder / "chb01-summary.txt").exists():
        pytest.skip("chbmit/chb01 is absent")
    sfreq, files = read_chbmit_summary(folder / "chb01-summary.txt")
    assert sfreq == 256 and len(files) == 42
    annotated = sorted(p.name.removesuffix(".seizures") for p in folder.glob("*.edf.seizures"))
    assert sorted(f.name for f in files if f.seizures) == annotated
    for entry in files:
        if not entry.seizures:
            continue
        ann = wfdb.rdann(str(folder / entry.name.removesuffix(".edf")), "edf.seizures")
        assert ann.symbol == ["[", "]"] * len(entry.seizures)
        np.testing.assert_array_equal(np.ravel(entry.seizures), ann.sample / ann.fs)
    assert files[0].channels[:2] == ["FP1-F7", "F7-T7"] and len(files[0].channels) == 23
    assert (files[2].start, files[2].end) == ("13:43:04", "14:43:04")


def test_both_wordings_and_channel_changes_parse(chbmit_tree):
    _, old = read_chbmit_summary(chbmit_tree / "chbmit/chb03/chb03-summary.txt")
    assert [(f.name, f.seizures) for f in old] == [("chb03_01.edf", [(12.0, 20.0)]),
                                                   ("chb03_02.edf", [])]
    _, new = read_chbmit_summary(chbmit_tree / "chbmit/chb24/chb24-summary.txt")
    assert new[0].seizures == [(4.0, 9.0), (21.0, 27.0)]
    assert new[0].start is None
    assert new[0].channels == ["FP1-F7", "F7-T7", "-", "T8-P8"]
    assert new[1].channels == ["F7-T7", "T8-P8", "FZ-CZ"]


def test_load_puts_seizures_on_the_recordings(chbmit_tree):
    ds = CHBMIT(chbmit_tree, progress=False)
    recs = ds.load([3, "chb24"])
    assert [r.record for r in recs] == ["chb03_01", "chb03_02", "chb24_01", "chb24_02"]
    first = recs[0]
    assert first.sfreq == 256 and first.subject == "chb03"
    assert first.ch_names == ["FP1-F7", "F7-T7", "T8-P8-0", "T8-P8-1"]
    seizures = first.annotations[first.annotations.description == "seizure"]
    np.testing.assert_allclose([seizures.onset[0], seizures.duration[0]], [12.0, 8.0])
    assert list(recs[2].annotations.description).count("seizure") == 2
    assert recs[2].ch_names == ["FP1-F7", "F7-T7", "T8-P8"]  # the "-" placeholder is dropped
    assert "seizure" not in set(recs[3].annotations.description)


def test_common_channels_across_changing_montages(chbmit_tree):
    ds = CHBMIT(chbmit_tree, progress=False)
    assert ds.common_channels("chb24") == ["F7-T7", "T8-P8"]
    assert ds.common_channels("chb03") == ["FP1-F7", "F7-T7", "T8-P8"]
    recs = ds.load(["chb24"], channels="common")
    assert [r.ch_names for r in recs] == [["F7-T7", "T8-P8"]] * 2
    recs = ds.load(["chb03"], records=["chb03_02"], channels="common")
    assert recs[0].ch_names == ["FP1-F7", "F7-T7", "T8-P8"]  # first of the repeated channel
    with pytest.raises(ValueError, match=r"chb24_02\.edf: no channel \['FP1-F7'\]"):
        ds.load(["chb24"], channels=["FP1-F7"])


def test_seizure_windows_at_half_overlap(chbmit_tree):
    recs = CHBMIT(chbmit_tree, progress=False).load([3], records=["chb03_01"])
    w = SlidingSampler(4.0, 2.0, labels={"seizure": "ictal"}, default="interictal", rule=0.5,
                       progress=False).sample(recs)
    # seizure 12-20 s: windows starting 10..18 s overlap it by >= 2 s
    ictal = w.meta.onset[w.y == "ictal"].tolist()
    assert ictal == [10.0, 12.0, 14.0, 16.0, 18.0]
    assert set(w.groups) == {"chb03"} and (w.meta.record == "chb03_01").all()


def test_chb21_is_the_patient_of_chb01(tmp_path):
    case = tmp_path / "chbmit" / "chb21"
    case.mkdir(parents=True)
    (case / "chb21-summary.txt").write_text(OLD_WORDING.replace("chb03", "chb21"))
    for name in ("chb21_01.edf", "chb21_02.edf"):
        _write_edf(case / name, ["FP1-F7", "F7-T7"])
    recs = CHBMIT(tmp_path, progress=False).load([21])
    assert {r.subject for r in recs} == {"chb01"}
    assert CHBMIT().check_subjects([1, "21", "chb05", "chb01"]) == ["chb01", "chb21", "chb05"]


@pytest.mark.parametrize("text, message", [
    ("File Name: a.edf\nNumber of Seizures in File: 2\nSeizure Start Time: 5 seconds\n"
     "Seizure End Time: 9 seconds\n", "states 2 seizure"),
    ("File Name: a.edf\nSeizure 1 Start Time: 5 seconds\n", "has no end"),
    ("File Name: a.edf\nSeizure Start Time: 9 seconds\nSeizure End Time: 5 seconds\n",
     "before its start"),
    ("Seizure Start Time: 9 seconds\n", "before any 'File Name:'"),
    ("", "no 'File Name:' line: an empty or truncated CHB-MIT summary"),
    ("Data Sampling Rate: 256 Hz\n\nChannels in EDF Files:\nChannel 1: FP1-F7\n",
     "no 'File Name:' line"),
    ("File Name: a.edf\nFile Start Time: 11:42:54\nFile End Time: 12:42:54\n",
     "a.edf has no 'Number of Seizures in File' line"),
    ("Channels in EDF Files:\nChannel F7-T7\n", "line 2: 'Channel F7-T7' is not a line of a "
                                                "CHB-MIT summary"),
    ("Channels in EDF Files:\nChannel 2: F7-T7\n", "line 2: channel line out of place"),
    ("File Name: a.edf\nNumber of Seizures in File: 0\nFile Name: a.edf\n"
     "Number of Seizures in File: 0\n", "line 3: a.edf listed twice"),
    ("File Name: a.edf\nNumber of Seizures in File: 1\nSeizure 2 Start Time: 5 seconds\n",
     "seizure 2 where 1 is due"),
])
def test_malformed_summaries_name_file_and_problem(tmp_path, text, message):
    path = tmp_path / "chb09-summary.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=f"chb09-summary.txt.*{message}"):
        read_chbmit_summary(path)


def test_seizure_past_the_file_end_and_wrong_rate(chbmit_tree):
    case = chbmit_tree / "chbmit" / "chb03"
    (case / "chb03-summary.txt").write_text(OLD_WORDING.replace("20 seconds", "45 seconds"))
    ds = CHBMIT(chbmit_tree, progress=False)
    with pytest.raises(ValueError, match=r"chb03_01\.edf: the summary places a seizure at 12-45 s"):
        ds.load([3])
    (case / "chb03-summary.txt").write_text(OLD_WORDING)
    _write_edf(case / "chb03_02.edf", ["FP1-F7"], sfreq=128)
    with pytest.raises(ValueError, match=r"chb03_02\.edf: sampled at 128 Hz"):
        ds.load([3])


def test_download_fetches_only_the_chosen_records(chbmit_tree, tmp_path, monkeypatch,
                                                  fake_server):
    import biosig.datasets._download as download

    ds = CHBMIT(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache", progress=False)
    source = chbmit_tree / "chbmit"
    fake_server.physionet("chbmit", ds.version, {p.relative_to(source).as_posix(): p
                                                 for p in source.rglob("*") if p.is_file()})
    monkeypatch.setattr(download, "get_version", lambda db: ds.version)
    assert ds.status()["partial"] == [] and fake_server.served == []  # listing never downloads
    recs = ds.load([3], records=["chb03_02"])
    base = f"https://physionet.org/files/chbmit/{ds.version}/"
    fetched = [u.removeprefix(base) for u in fake_server.served if not u.endswith("SUMS.txt")]
    assert fetched == ["chb03/chb03-summary.txt", "chb03/chb03_02.edf"]
    assert sorted(p.name for p in (ds.cache_path / "chb03").iterdir()) == [
        "chb03-summary.txt", "chb03_02.edf"]
    assert [r.record for r in recs] == ["chb03_02"]
    with pytest.raises(ValueError, match=r"chb03's summary lists no record \['chb03_07'\]"):
        ds.load([3], records=["chb03_07"])


def test_missing_edf_is_named(data_dir, tmp_path):
    if not (data_dir / "chbmit" / "chb01" / "chb01-summary.txt").exists():
        pytest.skip("chbmit/chb01 is absent")
    ds = CHBMIT(data_dir, cache_dir=tmp_path, progress=False)
    assert len(ds.missing_files([1])) == 42
    with pytest.raises(FileNotFoundError, match=r"chb01/chb01_03\.edf.*download=True"):
        ds.load([1], records=["chb01_03"])
