import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
import wfdb

import biosig.datasets._download as download
from biosig.datasets import MITBIHArrhythmia, aami_class, read_wfdb

# Beats per record and per AAMI class, as published in PhysioNet's MIT-BIH
# Arrhythmia Database Directory (beat-type tables).
PUBLISHED = {
    "100": {"N": 2239, "S": 33, "V": 1},
    "101": {"N": 1860, "S": 3, "Q": 2},
    "103": {"N": 2082, "S": 2},
    "104": {"N": 163, "V": 2, "Q": 2064},
    "105": {"N": 2526, "V": 41, "Q": 5},
    "106": {"N": 1507, "V": 520},
    "107": {"V": 59, "Q": 2078},
    "108": {"N": 1740, "S": 4, "V": 17, "F": 2},
    "113": {"N": 1789, "S": 6},
    "208": {"N": 1586, "S": 2, "V": 992, "F": 373, "Q": 2},
}


def test_record_lists():
    ds = MITBIHArrhythmia
    assert len(ds.RECORDS) == len(set(ds.RECORDS)) == 48
    assert set(ds.PACED) == {"102", "104", "107", "217"}
    assert len(ds.DS1) == len(ds.DS2) == 22
    assert not set(ds.DS1) & set(ds.DS2)
    assert not (set(ds.DS1) | set(ds.DS2)) & set(ds.PACED)
    assert set(ds.DS1) | set(ds.DS2) | set(ds.PACED) == set(ds.RECORDS)


@pytest.mark.parametrize("record", sorted(PUBLISHED))
def test_beat_counts_match_annotation_files(data_dir, mitdb_dir, record):
    if not (mitdb_dir / f"{record}.atr").exists():
        pytest.skip(f"record {record} is not in the data folder")
    rec = MITBIHArrhythmia(data_dir, progress=False).load_record(record)
    classes = aami_class(rec.annotations.description)
    counts = {c: int((classes == c).sum()) for c in set(classes) - {None}}
    assert counts == PUBLISHED[record]
    ann = wfdb.rdann(str(mitdb_dir / record), "atr")
    np.testing.assert_array_equal(rec.annotation_samples(), ann.sample)


def test_missing_records_are_listed_with_the_way_to_get_them(mitdb_dir, tmp_path):
    # a mirror holding two complete records and one without annotations
    for name in ["100.hea", "100.dat", "100.atr", "101.hea", "101.dat", "101.atr", "103.hea", "103.dat"]:
        (tmp_path / "mitdb").mkdir(exist_ok=True)
        shutil.copy(mitdb_dir / name, tmp_path / "mitdb" / name)
    ds = MITBIHArrhythmia(tmp_path, cache_dir=tmp_path / "cache", progress=False)
    assert ds.missing(["100", "101", "103", "109"]) == ["103", "109"]
    with pytest.raises(FileNotFoundError, match=r"record\(s\) missing: 109.*--download"):
        ds.load_record("109")
    with pytest.raises(FileNotFoundError, match=r"103\.atr: annotation file is missing"):
        ds.load_record("103")
    with pytest.raises(ValueError, match="unknown subject id"):
        ds.missing(["999"])


def test_earlier_annotation_file_is_named(mitdb_dir, tmp_path):
    for ext in ("hea", "dat"):
        shutil.copy(mitdb_dir / f"100.{ext}", tmp_path / f"100.{ext}")
    shutil.copy(mitdb_dir / "100.atr", tmp_path / "100-0.atr")
    with pytest.raises(FileNotFoundError, match=r"100\.atr: annotation file is missing.*100-0\.atr"):
        read_wfdb(tmp_path / "100")


def _fake_physionet(mitdb_dir, corrupt=None, records=("100",)):
    """Stand in for wfdb.dl_files: serve the files of ``records`` from the real local copy."""

    def dl_files(db, dl_dir, files, keep_subdirs=True, overwrite=False):
        assert db == "mitdb"
        for name in files:
            target = Path(dl_dir) / name
            if name == "SHA256SUMS.txt":
                lines = [f"{_digest(mitdb_dir / f'{r}.{ext}')}  {r}.{ext}"
                         for r in records for ext in ("hea", "dat", "atr")]
                target.write_text("\n".join(lines))
                continue
            shutil.copy(mitdb_dir / name, target)
            if name == corrupt:
                with open(target, "r+b") as fid:
                    fid.write(b"\x00\x01\x02")
    return dl_files


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def physionet_version(monkeypatch):
    monkeypatch.setattr(download, "get_version", lambda db: "1.0.0")


def test_download_into_cache_verifies_and_then_loads(monkeypatch, physionet_version, mitdb_dir,
                                                     tmp_path):
    monkeypatch.setattr(wfdb, "dl_files", _fake_physionet(mitdb_dir))
    ds = MITBIHArrhythmia(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache",
                          progress=False)
    rec = ds.load_record("100")
    cache = tmp_path / "cache" / "mitdb" / "1.0.0"
    assert sorted(p.name for p in cache.iterdir()) == ["100.atr", "100.dat", "100.hea"]
    assert rec.n_samples == 650000


def test_other_physionet_version_is_refused(monkeypatch, mitdb_dir, tmp_path):
    monkeypatch.setattr(download, "get_version", lambda db: "1.1.0")
    monkeypatch.setattr(wfdb, "dl_files", _fake_physionet(mitdb_dir))
    ds = MITBIHArrhythmia(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache",
                          progress=False)
    with pytest.raises(OSError, match="PhysioNet serves mitdb 1.1.0, but biosig reads mitdb 1.0.0"):
        ds.load_record("100")


def test_corrupt_download_leaves_nothing_behind(monkeypatch, physionet_version, mitdb_dir,
                                                tmp_path):
    monkeypatch.setattr(wfdb, "dl_files", _fake_physionet(mitdb_dir, corrupt="100.dat"))
    ds = MITBIHArrhythmia(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache",
                          progress=False)
    with pytest.raises(OSError, match=r"mitdb/100\.dat: SHA-256 does not match"):
        ds.load_record("100")
    cache = tmp_path / "cache" / "mitdb" / "1.0.0"
    assert list(cache.iterdir()) == []
