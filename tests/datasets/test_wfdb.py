import numpy as np
import pytest
import wfdb

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
    # the beats are kept beside the Raw, the rhythm change on it
    assert list(rec.raw.annotations.description) == ["+(AFIB"]
    np.testing.assert_allclose(rec.beats.onset, np.array(beats) / 360)
    assert list(rec.beats.symbol) == ["N", "V", "A", "N"]
    labels, samples = rec.annotation_onsets()
    assert list(labels) == ["+(AFIB", "N", "V", "A", "N"]
    np.testing.assert_array_equal(samples, [50] + beats)
    # at one onset, in MNE's order (by onset, then duration) in both ways of reading them
    rec.raw.annotations.append(400 / 360, 1.0, "~")
    assert list(rec.annotations.description) == list(rec.annotation_onsets()[0]) == [
        "+(AFIB", "N", "V", "~", "A", "N"]
    # they follow a resampling, and a copy
    rec.raw.resample(180, verbose=False)
    np.testing.assert_array_equal(rec.copy().annotation_onsets()[1],
                                  np.array([50, 100, 400, 400, 700, 1000]) // 2)


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
        read_wfdb(path, "atr")
    (tmp_path / "rec-0.atr").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match=r"present: rec-0\.atr"):
        read_wfdb(path, "atr")
    # by default the reference annotations are read only where the record has them
    assert len(read_wfdb(path).annotations) == 0


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
    with pytest.raises(ValueError, match=r"rec\.atr: annotations reach 13\.8889 s \(sample 5000 at 360 Hz\) but the "
                       r"record lasts 2\.77778 s"):
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


def _high_rate_record(folder, name="mf", fs=250, n=1000, spf=4):
    """A multi-frequency record (ECG at ``spf`` times the frame rate, RESP at it)."""
    t = np.arange(n * spf)
    ecg = np.round(1000 * np.sin(t / 20)).astype(np.int64)
    resp = np.round(500 * np.cos(np.arange(n) / 5)).astype(np.int64)
    rec = wfdb.Record(record_name=name, n_sig=2, fs=fs, sig_len=n,
                      file_name=[f"{name}.dat"] * 2, fmt=["16", "16"], samps_per_frame=[spf, 1],
                      adc_gain=[200.0, 100.0], baseline=[0, 0], units=["mV", "mV"],
                      sig_name=["ECG", "RESP"], adc_res=[16, 16], adc_zero=[0, 0],
                      block_size=[0, 0], e_d_signal=[ecg, resp],
                      init_value=[int(ecg[0]), int(resp[0])],
                      checksum=[int(ecg.sum()) % 65536, int(resp.sum()) % 65536],
                      comments=["Age: 54", "Sex: Male", "Dx: 164889003,59118001", "Rx: Unknown"])
    rec.wrsamp(expanded=True, write_dir=str(folder))
    return folder / name, ecg, resp


def test_annotations_at_the_high_rate_of_a_multi_frequency_record(tmp_path):
    path, ecg, resp = _high_rate_record(tmp_path)
    # beat annotations counted at the ECG's 1000 Hz, the record's frames at 250 Hz
    wfdb.wrann("mf", "atr", np.array([100, 2000, 3999]), symbol=["N", "V", "N"], fs=1000,
               write_dir=str(tmp_path))
    rec = read_wfdb(path)
    assert rec.sfreq == 250 and rec.n_samples == 1000
    np.testing.assert_allclose(rec.annotations.onset, [0.1, 2.0, 3.999])
    np.testing.assert_array_equal(rec.annotation_samples(), [25, 500, 1000])
    # the ECG is averaged within each frame, as wfdb.rdrecord smooths it
    np.testing.assert_allclose(rec.signal[0], ecg.reshape(-1, 4).mean(1) / 200 * 1e-3)
    np.testing.assert_allclose(rec.signal[1], resp / 100 * 1e-3)


def test_cinc_header_comments_become_metadata(tmp_path):
    path, _, _ = _high_rate_record(tmp_path)
    rec = read_wfdb(path)
    assert rec.metadata["Dx"] == "164889003,59118001"
    assert rec.metadata["Age"] == "54" and rec.metadata["Sex"] == "Male"
    assert rec.metadata["comments"] == ["Age: 54", "Sex: Male", "Dx: 164889003,59118001",
                                        "Rx: Unknown"]


def test_real_mitdb_header_comments_are_kept(mitdb_subset):
    rec = read_wfdb(mitdb_subset(["100"]) / "mitdb" / "100")
    assert rec.metadata["comments"] == ["69 M 1085 1629 x1", "Aldomet, Inderal"]


def test_annotation_at_the_last_sample_is_read(make_record):
    # a closing rhythm mark at sample == signal length, which wfdb reads too
    path, _ = make_record(n=1000, beats=[10, 500, 1000], symbols=["N", "N", "+"])
    rec = read_wfdb(path)
    np.testing.assert_array_equal(rec.annotation_samples(), [10, 500, 1000])


def test_empty_annotation_file_is_refused(make_record):
    path, _ = make_record()
    path.with_suffix(".atr").write_bytes(b"")
    with pytest.raises(ValueError, match=r"rec\.atr: empty annotation file"):
        read_wfdb(path)


def test_data_that_disagree_with_the_header_checksums_are_refused(make_record):
    path, _ = make_record(fmt="16")
    dat = path.with_suffix(".dat")
    data = bytearray(dat.read_bytes())
    data[2001] ^= 0x10  # one sample changed, the size kept
    dat.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"rec\.hea: signal \d \(\w+\): the data's checksum \d+ "
                                         r"differs from the header's \d+"):
        read_wfdb(path)


def test_wrong_initial_value_is_refused(make_record):
    path, _ = make_record(fmt="16", sig_name=("MLII",))
    hea = path.with_suffix(".hea")
    first, line = hea.read_text().splitlines()[:2]
    fields = line.split()
    fields[5] = str(int(fields[5]) + 7)  # the initial value
    hea.write_text(f"{first}\n{' '.join(fields)}\n")
    with pytest.raises(ValueError, match=r"rec\.hea: signal 1 \(MLII\) starts at -?\d+ but the "
                                         r"header's initial value is -?\d+"):
        read_wfdb(path)


def test_garbled_signal_line_is_refused(make_record):
    # a field lost from the signal line shifts the rest: gain, unit, checksum all wrong
    path, _ = make_record(fmt="16", sig_name=("MLII",))
    hea = path.with_suffix(".hea")
    first, line = hea.read_text().splitlines()[:2]
    fields = line.split()
    del fields[2]  # the gain
    hea.write_text(f"{first}\n{' '.join(fields)}\n")
    with pytest.raises(ValueError, match=r"rec\.hea: "):
        read_wfdb(path)


def _segment(folder, name, signal, sig_name):
    wfdb.wrsamp(name, fs=360, units=["mV"] * len(sig_name), sig_name=list(sig_name),
                p_signal=signal, fmt=["16"] * len(sig_name), adc_gain=[200.0] * len(sig_name),
                baseline=[0] * len(sig_name), write_dir=str(folder))


def test_fixed_layout_multi_segment_record(tmp_path):
    rng = np.random.default_rng(2)
    a, b = rng.uniform(-1, 1, (600, 2)).round(2), rng.uniform(-1, 1, (400, 2)).round(2)
    _segment(tmp_path, "msr_1", a, ("MLII", "V1"))
    _segment(tmp_path, "msr_2", b, ("MLII", "V1"))
    (tmp_path / "msr.hea").write_text("msr/2 2 360 1000\nmsr_1 600\nmsr_2 400\n")
    wfdb.wrann("msr", "atr", np.array([100, 700]), symbol=["N", "V"], write_dir=str(tmp_path))
    rec = read_wfdb(tmp_path / "msr")
    assert rec.ch_names == ["MLII", "V1"] and rec.n_samples == 1000
    np.testing.assert_allclose(rec.signal.T, np.vstack([a, b]) * 1e-3, atol=1e-9)
    assert list(rec.annotations.description) == ["N", "V"]
    # a segment whose data disagree with its own header is named
    dat = tmp_path / "msr_2.dat"
    data = bytearray(dat.read_bytes())
    data[11] ^= 0x01
    dat.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"msr_2\.hea: signal \d \(\w+\): the data's checksum"):
        read_wfdb(tmp_path / "msr")
    (tmp_path / "msr_2.hea").unlink()
    with pytest.raises(FileNotFoundError, match=r"msr_2\.hea: segment header named by msr\.hea"):
        read_wfdb(tmp_path / "msr")


def test_variable_layout_multi_segment_record(tmp_path):
    rng = np.random.default_rng(3)
    a, b = rng.uniform(-1, 1, (500, 2)).round(2), rng.uniform(-1, 1, (300, 1)).round(2)
    (tmp_path / "vsr_layout.hea").write_text(
        "vsr_layout 2 360 0\n~ 0 200/mV 16 0 0 0 0 MLII\n~ 0 200/mV 16 0 0 0 0 V1\n")
    _segment(tmp_path, "vsr_1", a, ("MLII", "V1"))
    _segment(tmp_path, "vsr_2", b, ("V1",))  # the second segment lost MLII
    (tmp_path / "vsr.hea").write_text(
        "vsr/4 2 360 1000\nvsr_layout 0\nvsr_1 500\n~ 200\nvsr_2 300\n")
    rec = read_wfdb(tmp_path / "vsr", annotation=None)
    assert rec.ch_names == ["MLII", "V1"] and rec.n_samples == 1000
    signal = rec.signal.T / 1e-3
    np.testing.assert_allclose(signal[:500], a, atol=1e-9)
    assert np.isnan(signal[500:700]).all()  # the gap
    assert np.isnan(signal[700:, 0]).all()
    np.testing.assert_allclose(signal[700:, 1], b[:, 0], atol=1e-9)
