"""EDF, BDF and GDF files whose headers disagree with their data, written in the real formats."""

import mne
import numpy as np
import pytest

from biosig.datasets import read_annotations, read_raw
from biosig.datasets._gdf_writer import write_gdf


def _write_edf(path, sfreq=256.0, seconds=4):
    rng = np.random.default_rng(4)
    info = mne.create_info(["Fz", "Cz"], sfreq, "eeg")
    raw = mne.io.RawArray(rng.uniform(-50e-6, 50e-6, (2, int(seconds * sfreq))), info,
                          verbose=False)
    mne.export.export_raw(path, raw, fmt="edf", overwrite=True, verbose=False)
    return path.read_bytes()


def _edit_signal_field(data, offset, width, signal, value, n_signals):
    """Overwrite one ASCII field of one signal in an EDF signal header."""
    data = bytearray(data)
    start = 256 + offset * n_signals + width * signal
    data[start:start + width] = str(value).ljust(width).encode()
    return bytes(data)


def _n_signals(data):
    return int(data[252:256])


def test_edf_longer_than_its_header_declares_is_refused(tmp_path):
    path = tmp_path / "long.edf"
    data = _write_edf(path)
    path.write_bytes(data + data[-1024:])
    with pytest.raises(ValueError, match=r"long\.edf: the header declares \d+ data records of "
                                         r"\d+ bytes \(\d+ bytes in all\) but the file holds"):
        read_raw(path)


def test_fewer_samples_per_record_than_the_file_holds_is_refused(tmp_path):
    path = tmp_path / "misaligned.edf"
    data = _write_edf(path)
    n = _n_signals(data)
    samples = int(data[256 + 216 * n:256 + 216 * n + 8])
    path.write_bytes(_edit_signal_field(data, 216, 8, 0, samples - 16, n))
    with pytest.raises(ValueError, match=r"misaligned\.edf: the header declares"):
        read_raw(path)


def test_signal_without_a_physical_range_is_refused(tmp_path):
    path = tmp_path / "flat.edf"
    data = _write_edf(path)
    n = _n_signals(data)
    physical_min = data[256 + 104 * n:256 + 104 * n + 8].decode().strip()
    path.write_bytes(_edit_signal_field(data, 112, 8, 1, physical_min, n))
    with pytest.raises(ValueError, match=r"flat\.edf: signal 2 \('Cz'\): physical minimum and "
                                         r"maximum are both"):
        read_raw(path)


def _annotation_only_edf(path, annotations):
    """An EDF+ annotation file as hypnograms are stored: one record of duration 0."""
    tals = b"+0\x14\x14\x00" + b"".join(
        f"+{onset:g}\x15{duration:g}\x14{text}\x14\x00".encode() for onset, duration, text in
        annotations)
    n_samples = (len(tals) + 1) // 2 + 8
    tals = tals.ljust(2 * n_samples, b"\x00")
    fixed = (b"0".ljust(8) + b"X X X X".ljust(80) + b"Startdate X X X X".ljust(80)
             + b"01.01.01" + b"00.00.00" + b"512".ljust(8) + b"EDF+C".ljust(44)
             + b"1".ljust(8) + b"0".ljust(8) + b"1".ljust(4))
    signal = (b"EDF Annotations".ljust(16) + b"".ljust(80) + b"".ljust(8) + b"-1".ljust(8)
              + b"1".ljust(8) + b"-32768".ljust(8) + b"32767".ljust(8) + b"".ljust(80)
              + str(n_samples).encode().ljust(8) + b"".ljust(32))
    assert len(fixed) == len(signal) == 256
    path.write_bytes(fixed + signal + tals)


def test_annotation_only_edf_is_read_as_annotations_and_refused_as_signals(tmp_path):
    path = tmp_path / "SC4001EC-Hypnogram.edf"
    stages = [(30.0 * i, 30.0, f"Sleep stage {'W12R'[i % 4]}") for i in range(154)]
    _annotation_only_edf(path, stages)
    annotations = read_annotations(path)
    assert len(annotations) == 154
    np.testing.assert_allclose(annotations.onset, [s[0] for s in stages])
    assert list(annotations.description) == [s[2] for s in stages]
    with pytest.raises(ValueError, match=r"Hypnogram\.edf: annotation-only EDF\+ file \(no "
                                         r"signal, 154 annotations\); read it with "
                                         r"biosig\.datasets\.read_annotations"):
        read_raw(path)


def _gdf(path, n_events=3, sfreq=250, seconds=4):
    rng = np.random.default_rng(5)
    data = rng.uniform(-50, 50, (2, sfreq * seconds))
    events = [(100 * (k + 1), 769 + k, 50) for k in range(n_events)]
    write_gdf(path, data, sfreq, ["C3", "C4"], events)
    return path.read_bytes()


def _data_end(data):
    n_signals = int(np.frombuffer(data, "<u2", 1, 252)[0])
    n_records = int(np.frombuffer(data, "<i8", 1, 236)[0])
    samples = np.frombuffer(data, "<i4", n_signals, 256 + 216 * n_signals)
    return 256 * (n_signals + 1) + n_records * int(samples.sum()) * 2


def _set_records(data, n_records):
    data = bytearray(data)
    data[236:244] = np.int64(n_records).tobytes()
    return bytes(data)


def test_gdf_claiming_more_records_than_it_holds_is_refused(tmp_path):
    path = tmp_path / "A01T.gdf"
    path.write_bytes(_set_records(_gdf(path), 10**12))  # would allocate terabytes
    with pytest.raises(ValueError, match=r"A01T\.gdf: truncated file: the header declares "
                                         r"1000000000000 records"):
        read_raw(path)


def test_gdf_claiming_fewer_records_than_it_holds_is_refused(tmp_path):
    path = tmp_path / "A01T.gdf"
    path.write_bytes(_set_records(_gdf(path), 3))
    with pytest.raises(ValueError, match=r"A01T\.gdf: event table mode \d+ is not 1 or 3 \(is "
                                         r"the record count of 3 right\?\)"):
        read_raw(path)


def test_gdf_with_a_truncated_event_table_is_refused(tmp_path):
    path = tmp_path / "A01T.gdf"
    path.write_bytes(_gdf(path)[:-5])
    with pytest.raises(ValueError, match=r"A01T\.gdf: the event table declares 3 events \(44 "
                                         r"bytes\) but 39 bytes follow"):
        read_raw(path)


def test_gdf_without_an_event_table_reads_no_events(tmp_path):
    path = tmp_path / "A01T.gdf"
    data = _gdf(path)
    path.write_bytes(data[:_data_end(data)])
    rec = read_raw(path)
    assert len(rec.annotations) == 0 and rec.n_samples == 1000


def test_gdf_events_counted_at_another_rate_are_placed_by_it(tmp_path):
    path = tmp_path / "A01T.gdf"
    data = bytearray(_gdf(path))
    assert list(read_raw(path).annotations.onset) == [0.4, 0.8, 1.2]
    end = _data_end(data)
    data[end + 4:end + 8] = np.float32(500).tobytes()  # positions at 500 Hz, signals at 250
    path.write_bytes(bytes(data))
    rec = read_raw(path)
    np.testing.assert_allclose(rec.annotations.onset, [0.2, 0.4, 0.6])
    np.testing.assert_allclose(rec.annotations.duration, [0.1] * 3)


def test_gdf_event_outside_the_data_is_refused(tmp_path):
    path = tmp_path / "A01T.gdf"
    data = bytearray(_gdf(path))
    end = _data_end(data)
    data[end + 8:end + 12] = np.uint32(10**6).tobytes()
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"A01T\.gdf: event 1 \(position 1000000, duration "
                                         r"50\) reaches past the 4 s of data"):
        read_raw(path)


def test_gdf_with_another_version_string_is_refused(tmp_path):
    path = tmp_path / "A01T.gdf"
    data = bytearray(_gdf(path))
    data[0:8] = b"GDX 2.20"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"A01T\.gdf: not a GDF file \(version field"):
        read_raw(path)


def test_gdf_channels_in_a_unit_mne_does_not_know_are_scaled_to_volts(tmp_path):
    path = tmp_path / "A01T.gdf"
    data = bytearray(_gdf(path))
    microvolts = read_raw(path).signal
    n_signals = 2
    data[256 + 102 * n_signals:256 + 102 * n_signals + 2] = np.uint16(4276).tobytes()  # nV
    path.write_bytes(bytes(data))
    rec = read_raw(path)
    np.testing.assert_allclose(rec.signal[0], microvolts[0] * 1e-3)
    np.testing.assert_allclose(rec.signal[1], microvolts[1])


def _edf_plus(path):
    rng = np.random.default_rng(6)
    info = mne.create_info(["Fz", "Cz"], 100.0, "eeg")
    raw = mne.io.RawArray(rng.uniform(-50e-6, 50e-6, (2, 400)), info, verbose=False)
    raw.set_annotations(mne.Annotations([1.0], [0.5], ["T1"]))
    mne.export.export_raw(path, raw, fmt="edf", overwrite=True, verbose=False)
    return path.read_bytes()


@pytest.mark.parametrize("edit, message", [
    ((b"+1\x150.5\x14T1", b"1\x15\x300.5\x14T1"), r"malformed annotation list"),
    ((b"+1\x150.5\x14T1", b"+1\x159.5\x14T1"), r"an annotation at 1 s reaches 10.5 s, past the "
                                                r"4 s of data"),
    ((b"+2\x14\x14\x00", b"+7\x14\x14\x00"), r"data record 2 starts at 7 s, not 2 s: an EDF\+C "
                                             r"file must be continuous"),
])
def test_edf_plus_annotation_lists_are_checked(tmp_path, edit, message):
    path = tmp_path / "tal.edf"
    data = _edf_plus(path)
    assert data.count(edit[0]) == 1
    path.write_bytes(data.replace(*edit))
    with pytest.raises(ValueError, match=r"tal\.edf: .*" + message):
        read_raw(path)


def test_edf_plus_padding_must_be_zeros(tmp_path):
    path = tmp_path / "tal.edf"
    data = bytearray(_edf_plus(path))
    end = data.index(b"+0\x14\x14\x00") + 5  # record 0's time-keeping TAL, then padding
    data[end + 3] = ord("x")
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"tal\.edf: data record 0: bytes after the last "
                                         r"annotation list"):
        read_raw(path)
