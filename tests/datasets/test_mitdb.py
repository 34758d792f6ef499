import hashlib
import shutil

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
        read_wfdb(tmp_path / "100", "atr")


def _serve_mitdb(server, mitdb_dir, records=("100",), corrupt=()):
    server.physionet("mitdb", "1.0.0", {f"{r}.{ext}": mitdb_dir / f"{r}.{ext}"
                                        for r in records for ext in ("hea", "dat", "atr")},
                     corrupt=corrupt)


@pytest.fixture
def physionet_version(monkeypatch):
    monkeypatch.setattr(download, "get_version", lambda db: "1.0.0")


def _cache_files(cache):
    return sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*"))


def test_download_into_cache_verifies_and_then_loads(monkeypatch, physionet_version, mitdb_dir,
                                                     tmp_path, fake_server):
    _serve_mitdb(fake_server, mitdb_dir)
    ds = MITBIHArrhythmia(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache",
                          progress=False)
    rec = ds.load_record("100")
    cache = tmp_path / "cache" / "mitdb" / "1.0.0"
    assert _cache_files(cache) == ["100.atr", "100.dat", "100.hea"]
    assert rec.n_samples == 650000
    base = "https://physionet.org/files/mitdb/1.0.0/"
    assert fake_server.served == [base + f for f in ("SHA256SUMS.txt", "100.hea", "100.dat",
                                                      "100.atr")]
    assert ds.fetch(["100"]) == [] and len(fake_server.served) == 4  # nothing missing


class _Response:
    """What requests.get returns, for pooch's own HTTP downloader."""

    def __init__(self, content):
        self.content, self.headers = content, {"content-length": str(len(content))}

    def raise_for_status(self):
        pass

    def iter_content(self, chunk_size):
        return (self.content[i:i + chunk_size] for i in range(0, len(self.content), chunk_size))


def test_pooch_downloader_fills_the_progress_bars(monkeypatch, physionet_version, mitdb_dir,
                                                  tmp_path, capsys):
    import requests

    served = {"SHA256SUMS.txt": f"{_digest(mitdb_dir / '100.hea')}  100.hea\n".encode(),
              "100.hea": (mitdb_dir / "100.hea").read_bytes()}
    urls = []

    def get(url, timeout, stream):
        urls.append(url)
        return _Response(served[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(requests, "get", get)
    fetched = download.fetch_physionet("mitdb", "1.0.0", ["100.hea"], tmp_path, progress=True)
    assert fetched == [tmp_path / "100.hea"] and _cache_files(tmp_path) == ["100.hea"]
    assert urls == ["https://physionet.org/files/mitdb/1.0.0/SHA256SUMS.txt",
                    "https://physionet.org/files/mitdb/1.0.0/100.hea"]
    err = capsys.readouterr().err
    assert "download mitdb" in err and "1/1" in err and "Downloading file" not in err


def test_other_physionet_version_is_refused(monkeypatch, mitdb_dir, tmp_path, fake_server):
    monkeypatch.setattr(download, "get_version", lambda db: "1.1.0")
    _serve_mitdb(fake_server, mitdb_dir)
    ds = MITBIHArrhythmia(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache",
                          progress=False)
    with pytest.raises(OSError, match="PhysioNet serves mitdb 1.1.0, but biosig reads mitdb 1.0.0"):
        ds.load_record("100")
    assert fake_server.served == []


def test_corrupt_download_leaves_nothing_behind(monkeypatch, physionet_version, mitdb_dir,
                                                tmp_path, fake_server):
    _serve_mitdb(fake_server, mitdb_dir, corrupt={"100.dat"})
    ds = MITBIHArrhythmia(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache",
                          progress=False)
    with pytest.raises(OSError, match=r"mitdb/100\.dat: SHA-256 does not match SHA256SUMS\.txt"):
        ds.load_record("100")
    cache = tmp_path / "cache" / "mitdb" / "1.0.0"
    # the verified header stays; the corrupt signal, tried 1 + RETRIES times, does not
    assert _cache_files(cache) == ["100.hea"]
    dat = "https://physionet.org/files/mitdb/1.0.0/100.dat"
    assert fake_server.served.count(dat) == 1 + download.RETRIES
    assert not fake_server.served[-1].endswith("100.atr")  # stopped at the corrupt file


def test_unlisted_file_is_refused_before_any_download(physionet_version, mitdb_dir, tmp_path,
                                                      fake_server):
    fake_server.physionet("mitdb", "1.0.0", {"100.hea": mitdb_dir / "100.hea"})
    with pytest.raises(OSError, match=r"mitdb/100\.dat: not listed in SHA256SUMS\.txt, cannot "
                                      r"verify it \(1 of the 2 file\(s\) wanted are not\)"):
        download.fetch_physionet("mitdb", "1.0.0", ["100.hea", "100.dat"], tmp_path,
                                 progress=False)
    assert _cache_files(tmp_path) == [] and len(fake_server.served) == 1


def test_download_cut_short_resumes_with_what_is_missing(physionet_version, mitdb_dir, tmp_path,
                                                         fake_server):
    _serve_mitdb(fake_server, mitdb_dir, records=("100", "101"))
    files = [f"{r}.{ext}" for r in ("100", "101") for ext in ("hea", "dat", "atr")]
    fake_server.cut_after(3)  # the checksum list, 100.hea and 100.dat arrive; 100.atr is cut
    with pytest.raises(download.DownloadError,
                       match=r"could not reach physionet\.org.*4 file\(s\) are still missing "
                             r"\(100\.atr, 101\.hea, 101\.dat, 101\.atr\)"):
        download.fetch_physionet("mitdb", "1.0.0", files, tmp_path, progress=False)
    # no half-written file (nor pooch's temporary one) is left in the cache
    assert _cache_files(tmp_path) == ["100.dat", "100.hea"]
    assert (tmp_path / "100.dat").read_bytes() == (mitdb_dir / "100.dat").read_bytes()

    fake_server.cut_after(None)
    fake_server.served.clear()
    fetched = download.fetch_physionet("mitdb", "1.0.0", files, tmp_path, progress=False)
    base = "https://physionet.org/files/mitdb/1.0.0/"
    assert fake_server.served == [base + f for f in ("SHA256SUMS.txt", "100.atr", "101.hea",
                                                      "101.dat", "101.atr")]
    assert fetched == [tmp_path / f for f in ("100.atr", "101.hea", "101.dat", "101.atr")]
    assert _cache_files(tmp_path) == sorted(files)


def test_transient_failure_is_retried(physionet_version, mitdb_dir, tmp_path, fake_server,
                                      monkeypatch):
    _serve_mitdb(fake_server, mitdb_dir)
    fake_server.cut_after(2)  # 100.dat's first attempt fails, its retry succeeds
    attempts = []
    call = type(fake_server).__call__

    def flaky(self, url, output_file):
        attempts.append(url)
        if len(attempts) == 4:
            self.cut_after(None)
        return call(self, url, output_file)

    monkeypatch.setattr(type(fake_server), "__call__", flaky)
    download.fetch_physionet("mitdb", "1.0.0", ["100.hea", "100.dat", "100.atr"], tmp_path,
                             progress=False)
    assert _cache_files(tmp_path) == ["100.atr", "100.dat", "100.hea"]
    assert [u.rsplit("/", 1)[1] for u in attempts] == [
        "SHA256SUMS.txt", "100.hea", "100.dat", "100.dat", "100.atr"]


def test_stale_temporary_files_of_a_killed_download_are_removed(tmp_path):
    import os

    stale, fresh, data = tmp_path / "tmpab12cd_3", tmp_path / "tmpzz99yy00", tmp_path / "tmp.txt"
    for path in (stale, fresh, data):
        path.write_bytes(b"partial")
    for name in (".partial-old", ".partial-alive"):  # the archive downloads' folders
        (tmp_path / name).mkdir()
        (tmp_path / name / "tmpaaaaaaaa").write_bytes(b"partial")
    old = os.path.getmtime(stale) - 7200
    for path in (stale, data, tmp_path / ".partial-old", tmp_path / ".partial-old" / "tmpaaaaaaaa",
                 tmp_path / ".partial-alive"):
        os.utime(path, (old, old))
    download._remove_stale_partials([tmp_path])
    assert sorted(p.name for p in tmp_path.iterdir()) == [".partial-alive", "tmp.txt",
                                                          "tmpzz99yy00"]


def test_server_error_names_the_file(physionet_version, tmp_path, fake_server):
    fake_server.add("https://physionet.org/files/mitdb/1.0.0/SHA256SUMS.txt",
                    f"{'0' * 64}  100.hea\n".encode())
    with pytest.raises(OSError, match=r"mitdb/100\.hea: the server answered 404 for "
                                      r"https://physionet\.org/files/mitdb/1\.0\.0/100\.hea"):
        download.fetch_physionet("mitdb", "1.0.0", ["100.hea"], tmp_path, progress=False)
    assert _cache_files(tmp_path) == []


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_lead_alternatives_take_each_records_own_lead_other_than_mlii(data_dir, mitdb_dir):
    # 101's other lead is V1, 124's V4; 114 stores V5 above MLII; 102 has V5 and V2 and
    # no MLII, and the alternatives are tried in their order, so V2 wins
    cases = [(["MLII", "V1|V2|V4|V5"], "101", ["MLII", "V1"]),
             (["MLII", "V1|V2|V4|V5"], "114", ["MLII", "V5"]),
             (["MLII", "V1|V2|V4|V5"], "124", ["MLII", "V4"]),
             (["V1|V2|V4|V5"], "102", ["V2"])]
    missing = [r for _, r, _ in cases if not (mitdb_dir / f"{r}.atr").exists()]
    if missing:
        pytest.skip(f"records {missing} are not in the data folder")
    ds = MITBIHArrhythmia(data_dir, progress=False)
    for channels, record, stored in cases:
        rec = ds.load_record(record, channels=channels)
        assert rec.ch_names == channels, record
        ref = wfdb.rdrecord(str(mitdb_dir / record), physical=True)
        for i, lead in enumerate(stored):
            # biosig's signals are in volts, wfdb's in the header's mV
            np.testing.assert_allclose(rec.signal[i], ref.p_signal[:, ref.sig_name.index(lead)]
                                       / 1000, atol=1e-9, err_msg=f"{record} {lead}")
    with pytest.raises(ValueError, match=r"114\.hea: no channel named \['V3\|V6'\]"):
        ds.load_record("114", channels=["MLII", "V3|V6"])
    with pytest.raises(ValueError, match=r"114\.hea: .*pick the lead\(s\) \['MLII'\] more than"):
        ds.load_record("114", channels=["MLII", "V1 | MLII"])
