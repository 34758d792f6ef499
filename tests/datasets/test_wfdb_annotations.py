import numpy as np
import pytest
import wfdb

from biosig.datasets._wfdb_annotations import read_mit_annotations


def _same_as_wfdb(record_path, extension="atr"):
    sample, symbol, aux, fs = read_mit_annotations(record_path, extension, 360.0)
    ann = wfdb.rdann(str(record_path), extension)
    np.testing.assert_array_equal(sample, ann.sample)
    assert symbol == list(ann.symbol)
    assert aux == list(ann.aux_note)
    return sample, symbol, aux


def _words(path):
    return np.frombuffer(path.read_bytes(), "<u2")


@pytest.mark.parametrize("record", ["100", "207", "232"])
def test_real_mitdb_files_read_as_wfdb_reads_them(mitdb_dir, record):
    path = mitdb_dir / record
    sample, symbol, aux = _same_as_wfdb(path)
    assert len(sample) > 1000
    if record == "232":  # pauses of over 1023 samples are stored with SKIP words
        assert (_words(path.with_suffix(".atr")) >> 10 == 59).any()
    if record == "207":  # rhythm and signal-quality notes
        assert any(note.startswith("(VFL") for note in aux)


def test_real_svdb_file_reads_as_wfdb_reads_it(data_dir):
    path = data_dir / "svdb" / "800"
    if not path.with_suffix(".atr").exists():
        pytest.skip("svdb/800 is absent")
    sample, symbol, _ = _same_as_wfdb(path)
    assert symbol.count("S") == 30


def test_every_modifier_skip_and_note_as_wfdb(tmp_path):
    # gaps past 1023 samples (SKIP), subtypes, channels, numbers and notes
    samples = np.array([5, 900, 3000, 3001, 70000, 70010])
    wfdb.wrann("w", "atr", samples, symbol=["N", "+", "V", "~", "A", "|"],
               subtype=np.array([0, 0, 3, 1, 0, 2]), chan=np.array([0, 0, 1, 1, 0, 0]),
               num=np.array([0, 0, 0, 5, 0, 0]), aux_note=["", "(AFIB", "", "", "", "tick"],
               write_dir=str(tmp_path))
    sample, symbol, aux = _same_as_wfdb(tmp_path / "w")
    np.testing.assert_array_equal(sample, samples)
    assert symbol == ["N", "+", "V", "~", "A", "|"]
    assert aux == ["", "(AFIB", "", "", "", "tick"]


def _write_words(path, words, tail=b""):
    path.write_bytes(np.asarray(words, dtype="<u2").tobytes() + tail)


def _word(code, value):
    return (code << 10) | value


def test_notqrs_and_a_negative_skip_move_the_time_only(tmp_path):
    # N at 10; NOTQRS (code 0) at 30 is not an annotation; SKIP -25 then V at +5
    skip = (-25) & 0xFFFFFFFF
    words = [_word(1, 10), _word(0, 20), _word(59, 0), skip >> 16, skip & 0xFFFF,
             _word(5, 5), 0]
    _write_words(tmp_path / "n.atr", words)
    sample, symbol, aux, _ = read_mit_annotations(tmp_path / "n", "atr", 360.0)
    np.testing.assert_array_equal(sample, [10, 10])
    assert symbol == ["N", "V"] and aux == ["", ""]


@pytest.mark.parametrize("words, tail, message", [
    ([_word(1, 10), _word(1, 20)], b"", r"no end-of-file mark"),
    ([_word(1, 10), _word(59, 0), 0], b"", r"no end-of-file mark"),
    ([_word(1, 10), _word(63, 6), 0x4128], b"", r"no end-of-file mark"),
    ([_word(1, 10), 0], b"\x00", r"5 bytes, not whole 16-bit annotation words"),
    ([_word(1, 10), 0, _word(1, 3), 0], b"", r"4 bytes follow the end-of-file mark"),
    ([_word(63, 2), 0x4128, _word(1, 10), 0], b"", r"modifier code 63 before any annotation"),
    ([_word(1, 10), _word(63, 1), 0x0041, _word(63, 1), 0x0042, 0], b"",
     r"two notes \(AUX\) for the annotation at sample 10"),
    ([_word(45, 10), 0], b"", r"annotation codes \[45\] with no label"),
    ([_word(1, 10), _word(63, 259)] + [0x4141] * 130 + [0], b"",
     r"a note \(AUX\) of 259 bytes at word 1; notes hold at most 255"),
])
def test_damaged_files_are_refused_by_name(tmp_path, words, tail, message):
    _write_words(tmp_path / "bad.atr", words, tail)
    with pytest.raises(ValueError, match=r"bad\.atr: " + message):
        read_mit_annotations(tmp_path / "bad", "atr", 360.0)


def test_a_file_defining_its_resolution_is_read_by_wfdb(tmp_path):
    wfdb.wrann("hr", "atr", np.array([100, 2000]), symbol=["N", "V"], fs=1000,
               write_dir=str(tmp_path))
    sample, symbol, aux, fs = read_mit_annotations(tmp_path / "hr", "atr", 250.0)
    np.testing.assert_array_equal(sample, [100, 2000])
    assert symbol == ["N", "V"] and fs == 1000
