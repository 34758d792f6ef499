import shutil

import numpy as np
import pytest
import wfdb

from biosig.datasets import MITBIHArrhythmia, aami_class

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
    rec = MITBIHArrhythmia(data_dir, progress=False).load(record)
    classes = aami_class(rec.annotations.description)
    counts = {c: int((classes == c).sum()) for c in set(classes) - {None}}
    assert counts == PUBLISHED[record]
    ann = wfdb.rdann(str(mitdb_dir / record), "atr")
    np.testing.assert_array_equal(rec.annotation_samples(), ann.sample)


def test_missing_records_are_listed_with_the_way_to_get_them(data_dir, tmp_path):
    ds = MITBIHArrhythmia(data_dir, cache_dir=tmp_path, progress=False)
    missing = ds.missing(ds.DS1)
    assert "109" in missing and "101" not in missing
    assert "119" in missing  # signals without .atr are incomplete
    with pytest.raises(FileNotFoundError, match=r"record\(s\) missing: 109.*--download"):
        ds.load("109")
    with pytest.raises(FileNotFoundError, match=r"119\.atr: annotation file is missing"):
        ds.load("119")
    with pytest.raises(ValueError, match="unknown record ids"):
        ds.missing(["999"])


def test_paced_record_102_has_only_the_earlier_annotation_file(data_dir):
    with pytest.raises(FileNotFoundError, match=r"102-0\.atr"):
        MITBIHArrhythmia(data_dir, progress=False).load("102")


def _fake_physionet(mitdb_dir, corrupt=None):
    """Stand in for wfdb.dl_files: serve files from the real local copy."""

    def dl_files(db, dl_dir, files, keep_subdirs=True, overwrite=False):
        assert db == "mitdb"
        for name in files:
            if name == "SHA256SUMS.txt":
                lines = [f"{_digest(p)}  {p.name}" for p in sorted(mitdb_dir.iterdir())]
                (dl_dir_path := __import__("pathlib").Path(dl_dir)).joinpath(name).write_text("\n".join(lines))
                continue
            target = __import__("pathlib").Path(dl_dir) / name
            shutil.copy(mitdb_dir / name, target)
            if name == corrupt:
                with open(target, "r+b") as fid:
                    fid.write(b"\x00\x01\x02")
    return dl_files


def _digest(path):
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_download_into_cache_verifies_and_then_loads(monkeypatch, mitdb_dir, tmp_path):
    monkeypatch.setattr(wfdb, "dl_files", _fake_physionet(mitdb_dir))
    ds = MITBIHArrhythmia(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache",
                          progress=False)
    rec = ds.load("100")
    cache = tmp_path / "cache" / "physionet" / "mitdb" / "1.0.0"
    assert sorted(p.name for p in cache.iterdir()) == ["100.atr", "100.dat", "100.hea"]
    assert rec.n_samples == 650000


def test_corrupt_download_leaves_nothing_behind(monkeypatch, mitdb_dir, tmp_path):
    monkeypatch.setattr(wfdb, "dl_files", _fake_physionet(mitdb_dir, corrupt="100.dat"))
    ds = MITBIHArrhythmia(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache",
                          progress=False)
    with pytest.raises(OSError, match=r"mitdb/100\.dat: SHA-256 does not match"):
        ds.load("100")
    cache = tmp_path / "cache" / "physionet" / "mitdb" / "1.0.0"
    assert list(cache.iterdir()) == []
