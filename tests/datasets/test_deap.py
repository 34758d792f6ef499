import pickle

import numpy as np
import pytest

from biosig.datasets import DEAP
from biosig.windows import SlidingSampler


@pytest.fixture
def deap_dir(tmp_path):
    folder = tmp_path / "deap" / "data_preprocessed_python"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    data = rng.standard_normal((40, 40, 8064)).astype(np.float64)
    labels = rng.uniform(1, 9, (40, 4))
    labels[0] = [5.0, 5.01, 9.0, 1.0]
    with open(folder / "s07.dat", "wb") as fid:
        pickle.dump({"data": data, "labels": labels}, fid, protocol=2)
    return tmp_path, data, labels


def test_trials_channels_ratings_and_baseline(deap_dir):
    root, data, labels = deap_dir
    recs = DEAP(root, progress=False).load([7])
    assert len(recs) == 40
    rec = recs[0]
    assert (rec.record, rec.subject, rec.sfreq, rec.n_samples) == ("s07_t01", "s07", 128, 8064)
    assert rec.ch_names[:3] == ["Fp1", "AF3", "F3"] and rec.ch_names[31] == "O2"
    assert rec.ch_types[32:] == ["eog", "eog", "emg", "emg", "gsr", "resp", "bio", "temperature"]
    np.testing.assert_allclose(rec.signal[:32], data[0, :32] * 1e-6)
    np.testing.assert_allclose(rec.signal[36], data[0, 36])  # GSR kept in its own unit
    assert rec.metadata["valence"] == 5.0 and rec.metadata["arousal"] == 5.01
    ann = rec.annotations
    assert list(ann.description) == ["baseline", "valence/low", "arousal/high",
                                     "dominance/high", "liking/low"]
    np.testing.assert_allclose(ann.onset, [0, 3, 3, 3, 3])
    np.testing.assert_allclose(ann.duration, [3, 60, 60, 60, 60])
    high = [r.metadata["valence"] > 5 for r in recs]
    assert [("valence/high" in set(r.annotations.description)) for r in recs] == high


def test_threshold_and_trial_selection(deap_dir):
    root, _, labels = deap_dir
    recs = DEAP(root, progress=False).load(["s07"], trials=[1, 2], threshold=4.9)
    assert [r.record for r in recs] == ["s07_t01", "s07_t02"]
    assert "valence/high" in set(recs[0].annotations.description)
    w = SlidingSampler(4.0, labels={"arousal/high": "high", "arousal/low": "low"},
                       default="baseline", progress=False).sample(recs[:1])
    assert list(w.y[:1]) == ["baseline"] and set(w.y[1:]) == {"high"}
    assert len(w) == 8064 // 512


def test_eula_message_and_bad_files(deap_dir, tmp_path):
    root, data, labels = deap_dir
    with pytest.raises(FileNotFoundError, match=r"s01\.dat.*EULA.*data_preprocessed_python/s01\.dat"):
        DEAP(root, download=True, progress=False).load([1])
    folder = root / "deap" / "data_preprocessed_python"
    with open(folder / "s02.dat", "wb") as fid:
        pickle.dump({"data": data[:, :, :100], "labels": labels}, fid)
    with pytest.raises(ValueError, match=r"s02\.dat: 'data' has shape \(40, 40, 100\)"):
        DEAP(root, progress=False).load([2])

    class Payload:
        def __reduce__(self):
            return (print, ("this must never run",))

    with open(folder / "s03.dat", "wb") as fid:
        pickle.dump({"data": Payload(), "labels": labels}, fid)
    with pytest.raises(ValueError, match=r"s03\.dat: not a DEAP preprocessed file.*builtins\.print"):
        DEAP(root, progress=False).load([3])
    with pytest.raises(ValueError, match=r"unknown subject id\(s\) \[33\]"):
        DEAP(root, progress=False).load([33])


def test_original_bdf_reads_through_mne(data_dir, tmp_path):
    bdf = data_dir / "mne-testing-data" / "BDF" / "test_bdf_stim_channel.bdf"
    if not bdf.exists():
        pytest.skip("no BDF test file")
    (tmp_path / "deap" / "data_original").mkdir(parents=True)
    (tmp_path / "deap" / "data_original" / "s05.bdf").write_bytes(bdf.read_bytes())
    rec = DEAP(tmp_path, progress=False).load_original(5)
    assert rec.record == "s05_original" and "stim" in rec.ch_types


def _python2_pickle(arrays):
    """A dict of float64 arrays as Python 2's cPickle (protocol 2) wrote DEAP's files:
    keys, type strings and the raw data as 8-bit strings (BINSTRING), no memo."""
    import struct

    def short(text):
        return b"U" + bytes([len(text)]) + text

    out = bytearray(b"\x80\x02}(")
    for key, array in arrays.items():
        out += short(key.encode())
        out += b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85" + short(b"b")
        out += b"\x87R("  # TUPLE3, REDUCE, MARK (the array's state)
        out += b"K\x01(" + b"".join(b"J" + struct.pack("<i", n) for n in array.shape) + b"t"
        out += b"cnumpy\ndtype\n" + short(b"f8") + b"\x89\x88\x87R"
        out += b"(K\x03" + short(b"<") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
        raw = np.ascontiguousarray(array, "<f8").tobytes()
        out += b"\x89T" + struct.pack("<I", len(raw)) + raw + b"tb"
    return bytes(out + b"u.")


def test_a_python2_pickle_as_deap_was_written_reads(tmp_path):
    folder = tmp_path / "deap" / "data_preprocessed_python"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    data, labels = rng.standard_normal((40, 40, 8064)), rng.uniform(1, 9, (40, 4))
    content = _python2_pickle({"labels": labels, "data": data})
    assert pickle.loads(content, encoding="latin1")["labels"].tolist() == labels.tolist()
    (folder / "s05.dat").write_bytes(content)
    read, read_labels = DEAP(tmp_path, progress=False).read_dat(folder / "s05.dat")
    np.testing.assert_array_equal(read, data)
    np.testing.assert_array_equal(read_labels, labels)
    # bytes after the pickle, or a cut one, are named rather than read
    (folder / "s05.dat").write_bytes(content + b"\x00")
    with pytest.raises(ValueError, match=r"s05\.dat: not a DEAP preprocessed file: 1 bytes "
                                         r"after the pickle's end"):
        DEAP(tmp_path, progress=False).read_dat(folder / "s05.dat")
    (folder / "s05.dat").write_bytes(content[:100_000])
    with pytest.raises(ValueError, match=r"s05\.dat: not a DEAP preprocessed file"):
        DEAP(tmp_path, progress=False).read_dat(folder / "s05.dat")
