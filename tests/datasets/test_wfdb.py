import numpy as np
import pytest

from biosig.datasets import read_wfdb


def test_round_trip_signals_units_and_annotations(make_record):
    beats = [100, 400, 700, 1000]
    path, p_signal = make_record(beats=[50] + beats, symbols=["+", "N", "V", "A", "N"],
                                 aux=["(AFIB", "", "", "", ""])
    rec = read_wfdb(path)
    assert rec.ch_names == ["MLII", "V1"]
    assert rec.ch_types == ["ecg", "ecg"]
    assert rec.sfreq == 360
    # mV on disk, volts in the Recording (MNE's convention)
    np.testing.assert_allclose(rec.signal, p_signal.T * 1e-3, atol=1e-12)
    np.testing.assert_array_equal(rec.annotation_samples(), [50] + beats)
    assert list(rec.annotations.description) == ["+(AFIB", "N", "V", "A", "N"]
    assert rec.subject == rec.record == "rec"


def test_channel_selection_and_unknown_channel(make_record):
    path, _ = make_record()
    assert read_wfdb(path, annotation=None, channels=["V1"]).ch_names == ["V1"]
    with pytest.raises(ValueError, match=r"rec\.hea: no channel named \['V9'\]"):
        read_wfdb(path, annotation=None, channels=["V9"])


def test_header_without_sample_count_reads_length_from_file(make_record):
    path, p_signal = make_record(fmt="16")
    hea = path.with_suffix(".hea")
    first, *rest = hea.read_text().splitlines()
    hea.write_text("\n".join([" ".join(first.split()[:3])] + rest) + "\n")
    assert read_wfdb(path, annotation=None).n_samples == len(p_signal)


def test_missing_header(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothing\.hea: WFDB header is missing"):
        read_wfdb(tmp_path / "nothing")


def test_missing_annotation_names_file_and_alternatives(make_record, tmp_path):
    path, _ = make_record()
    with pytest.raises(FileNotFoundError, match=r"rec\.atr: annotation file is missing"):
        read_wfdb(path)
    (tmp_path / "rec-0.atr").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match=r"present: rec-0\.atr"):
        read_wfdb(path)


def test_missing_signal_file(make_record):
    path, _ = make_record(beats=[10], symbols=["N"])
    path.with_suffix(".dat").unlink()
    with pytest.raises(FileNotFoundError, match=r"rec\.dat: signal file named by rec\.hea is missing"):
        read_wfdb(path)


def test_truncated_dat(make_record):
    path, _ = make_record(beats=[10], symbols=["N"])
    dat = path.with_suffix(".dat")
    dat.write_bytes(dat.read_bytes()[:3000])
    with pytest.raises(ValueError, match=r"rec\.dat: truncated signal file: rec\.hea declares 3600 samples"):
        read_wfdb(path)


def test_header_sample_count_disagrees(make_record):
    path, _ = make_record(beats=[10], symbols=["N"])
    hea = path.with_suffix(".hea")
    lines = hea.read_text().splitlines()
    lines[0] = lines[0].replace(" 3600", " 3000")
    hea.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"declares 3000 samples.*disagrees with the data"):
        read_wfdb(path)


def test_annotation_beyond_record(make_record):
    path, _ = make_record(n=1000, beats=[10, 5000], symbols=["N", "N"])
    with pytest.raises(ValueError, match=r"rec\.atr: annotations reach sample 5000"):
        read_wfdb(path)


def test_format_16_and_other_rate(make_record):
    path, p_signal = make_record(fs=128, n=1280, fmt="16", sig_name=("ECG1",))
    rec = read_wfdb(path, annotation=None)
    assert rec.sfreq == 128 and rec.n_samples == 1280
    np.testing.assert_allclose(rec.signal[0], p_signal[:, 0] * 1e-3)


def test_real_svdb_record(data_dir):
    if not (data_dir / "svdb" / "800.atr").exists():
        pytest.skip("svdb record 800 is not in the data folder")
    rec = read_wfdb(data_dir / "svdb" / "800")
    assert rec.sfreq == 128
    assert len(rec.annotations) == 1921
    assert (rec.annotations.description == "S").sum() == 30
