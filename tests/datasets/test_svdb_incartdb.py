"""The svdb and incartdb sources: real svdb record 800, incartdb records written in its layout."""

import re
from collections import Counter

import numpy as np
import pytest
import wfdb

import biosig.datasets._download as download
from biosig.datasets import (AAMI_EC57, SOURCES, INCART12LeadArrhythmia,
                             MITBIHSupraventricularArrhythmia, aami_class)

SVDB = MITBIHSupraventricularArrhythmia
INCART = INCART12LeadArrhythmia


def _aami_counts(symbols):
    classes = aami_class(symbols)
    return dict(Counter(c for c in classes if c is not None))


# -- record lists ---------------------------------------------------------
def test_record_lists_and_registry():
    assert len(SVDB.RECORDS) == len(set(SVDB.RECORDS)) == 78
    assert SVDB.RECORDS[:2] == ("800", "801") and SVDB.RECORDS[-1] == "894"
    assert {"812", "820", "829", "840"} <= set(SVDB.RECORDS)
    assert not {"813", "819", "830", "839", "895"} & set(SVDB.RECORDS)
    assert len(INCART.RECORDS) == len(set(INCART.RECORDS)) == 75
    assert INCART.RECORDS[0] == "I01" and INCART.RECORDS[-1] == "I75"
    assert SOURCES["svdb"] is SVDB and SOURCES["incartdb"] is INCART
    assert SVDB.SFREQ == 128.0 and INCART.SFREQ == 257.0
    assert INCART().check_subjects(["i1", 2, "I03"]) == ["I01", "I02", "I03"]
    with pytest.raises(ValueError, match="unknown subject id"):
        INCART().check_subjects(["I76"])
    with pytest.raises(ValueError, match="unknown subject id"):
        SVDB().check_subjects(["813"])


def test_every_wfdb_beat_symbol_has_an_aami_class():
    # The beat codes of wfdb's table: those svdb and incartdb can hold.
    beats = set("NLRBAaJSVrFejnE/fQ?")
    assert beats <= set(AAMI_EC57)


# -- svdb on the real record 800 -----------------------------------------
@pytest.fixture(scope="module")
def svdb_800(data_dir, tmp_path_factory):
    """A data folder holding links to svdb record 800 only."""
    root = tmp_path_factory.mktemp("svdb-800")
    (root / "svdb").mkdir()
    for ext in ("hea", "dat", "atr"):
        source = data_dir / "svdb" / f"800.{ext}"
        if not source.exists():
            pytest.skip(f"{source} is not in the data folder")
        (root / "svdb" / source.name).symlink_to(source)
    return root


@pytest.fixture(scope="module")
def record_800(svdb_800):
    return SVDB(svdb_800, progress=False).load_record("800")


def test_svdb_record_800(svdb_800, record_800):
    rec = record_800
    assert rec.sfreq == 128.0 and rec.n_samples == 230400
    assert rec.ch_names == ["ECG", "ECG-1"] and rec.ch_types == ["ecg", "ecg"]
    assert (rec.source, rec.record, rec.subject) == ("svdb", "800", "800")
    labels = np.asarray(rec.annotations.description)
    assert len(labels) == 1921 and int((labels == "S").sum()) == 30
    ann = wfdb.rdann(str(svdb_800 / "svdb" / "800"), "atr")
    np.testing.assert_array_equal(rec.annotation_samples(), ann.sample)
    assert _aami_counts(labels) == _aami_counts(ann.symbol)
    assert _aami_counts(labels) == {"N": 1846, "S": 30, "V": 6, "F": 1}
    # every other annotation is a noise or artefact mark, not a beat
    assert set(ann.symbol) - set(AAMI_EC57) == {"~", "|"}
    assert SVDB(svdb_800, progress=False).missing(["800", "801"]) == ["801"]


def test_svdb_resampled_to_the_mitdb_rate(svdb_800, record_800):
    (rec,) = SVDB(svdb_800, progress=False).load(["800"], sfreq=360.0)
    assert rec.sfreq == 360.0 and rec.n_samples == 230400 * 360 // 128
    np.testing.assert_allclose(rec.annotations.onset, record_800.annotations.onset)
    ann = wfdb.rdann(str(svdb_800 / "svdb" / "800"), "atr")
    np.testing.assert_array_equal(rec.annotation_samples(),
                                  np.round(ann.sample * 360 / 128).astype(np.int64))
    # every 16th stored sample falls on the new grid (360/128 = 45/16)
    old, new = record_800.signal[:, ::16], rec.signal[:, ::45]
    for lead in range(2):
        assert np.corrcoef(old[lead], new[lead])[0, 1] > 0.99
    (one,) = SVDB(svdb_800, progress=False).load(["800"], channels=["ECG-1"], sfreq=360)
    assert one.ch_names == ["ECG-1"] and one.n_samples == rec.n_samples
    np.testing.assert_allclose(one.signal[0], rec.signal[1])


def test_bad_rate_and_channel_are_refused(svdb_800):
    ds = SVDB(svdb_800, progress=False)
    with pytest.raises(ValueError, match="svdb: sfreq must be a positive rate in Hz"):
        ds.load_record("800", sfreq=0)
    with pytest.raises(ValueError, match=r"800\.hea: no channel named \['MLII'\]"):
        ds.load_record("800", channels=["MLII"])


# -- svdb download through the fake server --------------------------------
def test_svdb_download_into_cache(monkeypatch, data_dir, svdb_800, tmp_path, fake_server):
    monkeypatch.setattr(download, "get_version", lambda db: "1.0.0")
    fake_server.physionet("svdb", "1.0.0", {f"800.{ext}": svdb_800 / "svdb" / f"800.{ext}"
                                            for ext in ("hea", "dat", "atr")})
    ds = SVDB(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache", progress=False)
    rec = ds.load_record("800")
    cache = tmp_path / "cache" / "svdb" / "1.0.0"
    assert sorted(p.name for p in cache.iterdir()) == ["800.atr", "800.dat", "800.hea"]
    base = "https://physionet.org/files/svdb/1.0.0/"
    assert fake_server.served == [base + f for f in ("SHA256SUMS.txt", "800.hea", "800.dat",
                                                      "800.atr")]
    assert rec.n_samples == 230400 and len(rec.annotations) == 1921
    assert ds.fetch(["800"]) == [] and len(fake_server.served) == 4


# -- incartdb on records written in its layout ----------------------------
# A header as PhysioNet's I01.hea: format 16, 257 Hz, one gain for the 12
# leads and no units field (WFDB's default, mV), then the comment lines with
# age, sex, diagnoses, the patient number and the ECG's features.
COMMENTS = ["<age>: 65 <sex>: F <diagnoses> Coronary artery disease, arterial hypertension",
            "patient 1", "PVCs, noise"]
BEATS = [(60, "N"), (260, "N"), (420, "V"), (660, "A"), (860, "N"), (1000, "F")]


def _write_incart(folder, name, *, gain=306, seconds=4, comments=COMMENTS):
    """Write an incartdb record (12 leads, 257 Hz, format 16) and its atr beat annotations."""
    fs, n = 257, 257 * seconds
    t = np.arange(n) / fs
    rng = np.random.default_rng(int(name[1:]))
    signal = np.stack([(0.2 + 0.05 * k) * np.sin(2 * np.pi * 1.1 * t + k)
                       + 0.01 * rng.standard_normal(n) for k in range(12)], axis=1)
    wfdb.wrsamp(name, fs=fs, units=["mV"] * 12, sig_name=list(INCART.LEADS), p_signal=signal,
                fmt=["16"] * 12, adc_gain=[float(gain)] * 12, baseline=[0] * 12,
                comments=comments, write_dir=str(folder))
    hea = folder / f"{name}.hea"
    # wfdb writes "306.0(0)/mV"; PhysioNet's headers give the bare gain
    hea.write_text(re.sub(r"(\d+)\.0\(0\)/mV", r"\1", hea.read_text()))
    samples = np.array([s for s, _ in BEATS if s < n] + [n - 1])
    symbols = [sym for s, sym in BEATS if s < n] + ["+"]
    wfdb.wrann(name, "atr", samples, symbol=symbols,
               aux_note=[""] * (len(symbols) - 1) + ["(N"], fs=fs, write_dir=str(folder))
    return wfdb.rdrecord(str(folder / name))


@pytest.fixture
def incart_dir(tmp_path):
    folder = tmp_path / "data" / "incartdb"
    folder.mkdir(parents=True)
    written = {name: _write_incart(folder, name) for name in ("I01", "I02")}
    return tmp_path / "data", written


def test_incart_header_layout(incart_dir):
    root, _ = incart_dir
    lines = (root / "incartdb" / "I01.hea").read_text().splitlines()
    assert lines[0] == "I01 12 257 1028"
    assert re.fullmatch(r"I01\.dat 16 306 16 0 -?\d+ -?\d+ 0 I", lines[1])
    assert lines[12].endswith(" V6") and lines[13:] == [f"# {c}" for c in COMMENTS]


def test_incart_records_read_through_the_source(incart_dir):
    root, written = incart_dir
    ds = INCART(root, cache_dir=root / "cache", progress=False)
    assert ds.missing() == [r for r in INCART.RECORDS if r not in ("I01", "I02")]
    recs = ds.load(["I01", "I02"])
    for rec in recs:
        assert rec.sfreq == 257.0 and rec.n_samples == 1028
        assert rec.ch_names == list(INCART.LEADS) and set(rec.ch_types) == {"ecg"}
        # stored in mV, read in volts
        np.testing.assert_allclose(rec.signal, written[rec.record].p_signal.T * 1e-3)
        ann = wfdb.rdann(str(root / "incartdb" / rec.record), "atr")
        np.testing.assert_array_equal(rec.annotation_samples(), ann.sample)
        assert _aami_counts(rec.annotations.description) == _aami_counts(ann.symbol) == {
            "N": 3, "V": 1, "S": 1, "F": 1}
        assert rec.annotations.description[-1] == "+(N"
        assert rec.metadata["comments"] == COMMENTS
    # both headers name patient 1: one subject for the two records
    assert [r.subject for r in recs] == ["P01", "P01"] and ds.subject("I02") == "P01"
    (two,) = ds.load(["I01"], channels=["II", "V1"])
    assert two.ch_names == ["II", "V1"]
    np.testing.assert_allclose(two.signal, written["I01"].p_signal[:, [1, 6]].T * 1e-3)


def test_incart_subject_without_a_patient_number(tmp_path):
    folder = tmp_path / "incartdb"
    folder.mkdir()
    _write_incart(folder, "I05", comments=["<age>: 51 <sex>: F "])
    ds = INCART(tmp_path, cache_dir=tmp_path / "cache", progress=False)
    assert ds.load_record("I05").subject == "I05" and ds.subject("I05") == "I05"
    assert ds.subject("I06") == "I06"  # no header here


def test_incart_missing_record_message(incart_dir):
    root, _ = incart_dir
    ds = INCART(root, cache_dir=root / "cache", progress=False)
    with pytest.raises(FileNotFoundError,
                       match=r"incartdb: 1 record\(s\) missing: I03\. Searched .*--download "
                             r"\(biosig\.datasets\.INCART12LeadArrhythmia\(download=True\)\).*"
                             r"physionet\.org/content/incartdb/1\.0\.0/"):
        ds.load_record("I03")
    (root / "incartdb" / "I02.atr").unlink()
    with pytest.raises(FileNotFoundError, match=r"I02\.atr: annotation file is missing"):
        ds.load_record("I02")


def test_incart_resampled_to_the_mitdb_rate(incart_dir):
    root, _ = incart_dir
    ds = INCART(root, cache_dir=root / "cache", progress=False)
    stored = ds.load_record("I01")
    rec = ds.load_record("I01", sfreq=360.0, channels=["II"])
    assert rec.sfreq == 360.0 and rec.n_samples == 4 * 360 and rec.ch_names == ["II"]
    np.testing.assert_allclose(rec.annotations.onset, stored.annotations.onset)
    ann = wfdb.rdann(str(root / "incartdb" / "I01"), "atr")
    np.testing.assert_array_equal(rec.annotation_samples(),
                                  np.round(ann.sample * 360 / 257).astype(np.int64))
    # the waveform is kept: the resampled lead at the stored times, away from the edges
    t_old, t_new = np.arange(1028) / 257, np.arange(1440) / 360
    inner = slice(50, -50)
    np.testing.assert_allclose(np.interp(t_old, t_new, rec.signal[0])[inner],
                               stored.signal[1][inner], atol=0.1 * np.ptp(stored.signal[1]))
