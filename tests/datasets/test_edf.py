import mne
import numpy as np
import pytest
import wfdb

from biosig.datasets import read_raw

MNE_FILES = ["EDF/chtypes_edf.edf", "EDF/test_reduced.edf", "EDF/test_utf8_annotations.edf",
             "BDF/test_bdf_stim_channel.bdf", "GDF/test_1ch.gdf"]


@pytest.fixture(scope="module")
def mne_testing(data_dir):
    folder = data_dir / "mne-testing-data"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    return folder


@pytest.mark.parametrize("name", MNE_FILES)
def test_mne_test_files_load_as_mne_reads_them(mne_testing, name):
    path = mne_testing / name
    rec = read_raw(path)
    ref = mne.io.read_raw(path, preload=True, verbose=False)
    assert rec.source == path.suffix[1:] and rec.record == path.stem
    assert rec.ch_names == ref.ch_names and rec.sfreq == ref.info["sfreq"]
    np.testing.assert_array_equal(rec.signal, ref.get_data())
    assert list(rec.annotations.description) == list(ref.annotations.description)
    np.testing.assert_allclose(rec.annotations.onset, ref.annotations.onset)


def test_utf8_annotations_survive(mne_testing):
    rec = read_raw(mne_testing / "EDF/test_utf8_annotations.edf")
    assert "仰卧" in set(rec.annotations.description)


def _write_edf(path, sfreq=250.0, seconds=8, annotations=()):
    rng = np.random.default_rng(1)
    info = mne.create_info(["Fz", "Cz", "Pz"], sfreq, "eeg")
    raw = mne.io.RawArray(rng.uniform(-50e-6, 50e-6, (3, int(seconds * sfreq))), info,
                          verbose=False)
    if annotations:
        raw.set_annotations(mne.Annotations(*zip(*annotations)))
    mne.export.export_raw(path, raw, fmt="edf", overwrite=True, verbose=False)
    return raw


def test_edf_written_by_mne_round_trips(tmp_path):
    path = tmp_path / "sub-01.edf"
    raw = _write_edf(path, annotations=[(1.0, 2.0, "seizure"), (5.5, 0.0, "spike")])
    rec = read_raw(path, subject="01", session="night")
    assert (rec.subject, rec.session, rec.record) == ("01", "night", "sub-01")
    # EDF stores 16-bit integers: the error is at most one quantisation step
    step = (raw.get_data().max() - raw.get_data().min()) / 65535
    np.testing.assert_allclose(rec.signal, raw.get_data(), atol=2 * step)
    assert list(rec.annotations.description) == ["seizure", "spike"]
    np.testing.assert_allclose(rec.annotations.onset, [1.0, 5.5])
    np.testing.assert_allclose(rec.annotations.duration, [2.0, 0.0])


def test_truncated_edf_is_refused(tmp_path):
    path = tmp_path / "cut.edf"
    _write_edf(path)
    data = path.read_bytes()
    path.write_bytes(data[:-1000])
    with pytest.raises(ValueError, match=r"cut\.edf: truncated file: the header declares"):
        read_raw(path)


def test_bad_files_name_themselves(tmp_path):
    (tmp_path / "junk.edf").write_bytes(b"not an edf file at all" * 20)
    with pytest.raises(ValueError, match=r"junk\.edf: not a valid EDF/BDF header"):
        read_raw(tmp_path / "junk.edf")
    with pytest.raises(FileNotFoundError, match=r"absent\.bdf: file is missing"):
        read_raw(tmp_path / "absent.bdf")
    with pytest.raises(ValueError, match=r"unknown format '\.vhdr'"):
        read_raw(tmp_path / "x.vhdr")


def test_header_larger_than_the_file_is_refused(tmp_path):
    path = tmp_path / "short.bdf"
    header = bytearray(b" " * 256)
    header[184:192] = b"1024    "
    header[236:244] = b"1       "
    header[252:256] = b"3   "
    path.write_bytes(bytes(header))
    with pytest.raises(ValueError, match=r"short\.bdf: truncated header \(256 bytes, declares 1024\)"):
        read_raw(path)


def test_wfdb_record_at_128_hz_through_read_raw(data_dir):
    record = data_dir / "svdb" / "800"
    if not record.with_suffix(".hea").exists():
        pytest.skip("svdb/800 is absent")
    rec = read_raw(record.with_suffix(".hea"), annotation="atr")
    ann = wfdb.rdann(str(record), "atr")
    assert rec.sfreq == 128 and rec.source == "wfdb"
    np.testing.assert_array_equal(rec.annotation_samples(), ann.sample)
    assert (rec.annotations.description == "S").sum() == 30


def test_wfdb_with_two_annotation_files(make_record, tmp_path):
    path, _ = make_record(name="rec", fs=500, n=5000, beats=[400, 900, 1400], symbols=list("NVN"))
    wfdb.wrann("rec", "qrs", np.array([402, 903, 1398]), symbol=["N"] * 3, write_dir=str(tmp_path))
    rec = read_raw(path, annotation=["atr", "qrs"])
    assert rec.sfreq == 500
    by_desc = dict(zip(rec.annotations.description, rec.annotation_samples()))
    assert list(rec.annotations.description) == ["N", "qrs:N", "V", "qrs:N", "qrs:N", "N"]
    assert by_desc["V"] == 900
