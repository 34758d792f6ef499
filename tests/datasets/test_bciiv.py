import numpy as np
import pytest
import scipy.io

from biosig.datasets import BCICompIV2a, BCICompIV2b
from biosig.windows import EventSampler

from biosig.datasets._gdf_writer import write_gdf

CH_2A = ["EEG-Fz"] + [f"EEG-{i}" for i in range(6)] + ["EEG-C3", "EEG-6", "EEG-Cz", "EEG-7",
         "EEG-C4"] + [f"EEG-{i}" for i in range(8, 15)] + ["EEG-Pz", "EEG-15", "EEG-16",
         "EOG-left", "EOG-central", "EOG-right"]
CH_2B = ["EEG:C3", "EEG:Cz", "EEG:C4", "EOG:ch01", "EOG:ch02", "EOG:ch03"]
TRIAL = 8 * 250  # samples from one trial start to the next


def _session(path, ch_names, cues, rejected=(), sfreq=250):
    """A Graz session as the GDF event table carries it: run start, eye blocks, trials."""
    events = [(0, 32766, 0), (250, 276, 500), (1000, 277, 500)]
    first = 2000
    for k, cue in enumerate(cues):
        start = first + k * TRIAL
        events.append((start, 768, 1875))
        if k in rejected:
            events.append((start, 1023, 1875))
        events.append((start + 500, cue, 313))
    n_times = (first + len(cues) * TRIAL) // sfreq * sfreq + sfreq
    rng = np.random.default_rng(0)
    data = rng.uniform(-60, 60, (len(ch_names), n_times))
    return write_gdf(path, data, sfreq, ch_names, sorted(events))


@pytest.fixture
def real_labels(data_dir):
    path = data_dir / "bci_iv_2a" / "true_labels" / "A01E.mat"
    if not path.exists():
        pytest.skip("bci_iv_2a/true_labels/A01E.mat is absent")
    return path


def test_evaluation_session_takes_the_real_true_labels(tmp_path, data_dir, real_labels):
    folder = tmp_path / "bci_iv_2a"
    (folder / "true_labels").mkdir(parents=True)
    classes = scipy.io.loadmat(real_labels)["classlabel"].ravel()
    assert classes.size == 288 and np.bincount(classes)[1:].tolist() == [72] * 4
    (folder / "true_labels" / "A01E.mat").write_bytes(real_labels.read_bytes())
    data_uv = _session(folder / "A01E.gdf", CH_2A, [783] * 288, rejected=(5, 100))
    rec = BCICompIV2a(tmp_path, progress=False).load([1], sessions=["E"])[0]

    assert (rec.record, rec.subject, rec.session) == ("A01E", "A01", "E")
    assert rec.ch_names[:3] == ["Fz", "FC3", "FC1"] and rec.ch_names[21] == "POz"
    named = {"EEG-Fz": "Fz", "EEG-C3": "C3", "EEG-Cz": "Cz", "EEG-C4": "C4", "EEG-Pz": "Pz"}
    assert all(rec.ch_names[CH_2A.index(old)] == new for old, new in named.items())
    assert rec.ch_types == ["eeg"] * 22 + ["eog"] * 3
    np.testing.assert_allclose(rec.signal, data_uv * 1e-6, atol=1e-12)
    desc = rec.annotations.description
    cues = desc[np.isin(desc, ["left_hand", "right_hand", "feet", "tongue"])]
    names = np.array(["left_hand", "right_hand", "feet", "tongue"])[classes - 1]
    np.testing.assert_array_equal(cues, names)
    assert "unknown_cue" not in set(desc)
    assert {"new_run", "eyes_open", "eyes_closed", "trial_start"} <= set(desc)

    rejected = rec.annotations[desc == "rejected_trial"]
    assert len(rejected) == 2
    np.testing.assert_allclose(rejected.duration, TRIAL / 250)  # spans its whole trial

    w = EventSampler(0.0, 4.0, {n: n for n in ("left_hand", "right_hand", "feet", "tongue")},
                     channels="eeg", marks=["rejected_trial"], progress=False).sample([rec])
    assert w.X.shape == (288, 22, 1001)
    assert np.flatnonzero(w.meta["rejected_trial"]).tolist() == [5, 100]
    assert (w.meta.session == "E").all() and (w.groups == "A01").all()


def test_label_count_mismatch_and_missing_labels(tmp_path, real_labels):
    folder = tmp_path / "bci_iv_2a"
    (folder / "true_labels").mkdir(parents=True)
    (folder / "true_labels" / "A01E.mat").write_bytes(real_labels.read_bytes())
    _session(folder / "A01E.gdf", CH_2A, [783] * 10)
    ds = BCICompIV2a(tmp_path, progress=False)
    with pytest.raises(ValueError, match=r"A01E\.gdf holds 10 unknown cues but .*A01E\.mat gives 288"):
        ds.load([1], sessions=["E"])
    (folder / "true_labels" / "A01E.mat").unlink()
    with pytest.raises(FileNotFoundError, match=r"A01E\.gdf: the evaluation session's true labels"):
        ds.load_session(1, "E")
    rec = ds.load([1], sessions=["E"], true_labels=False)[0]
    assert list(rec.annotations.description).count("unknown_cue") == 10


def test_training_session_2b_and_its_channels(tmp_path):
    folder = tmp_path / "bci_iv_2b"
    folder.mkdir()
    cues = [769, 770, 770, 769, 769]
    _session(folder / "B0301T.gdf", CH_2B, cues, rejected=(2,))
    rec = BCICompIV2b(tmp_path, progress=False).load(["B03"], sessions=["01T"])[0]
    assert rec.ch_names == ["C3", "Cz", "C4", "EOG:ch01", "EOG:ch02", "EOG:ch03"]
    assert rec.ch_types == ["eeg"] * 3 + ["eog"] * 3
    desc = rec.annotations.description
    assert list(desc[np.isin(desc, ["left_hand", "right_hand"])]) == [
        "left_hand", "right_hand", "right_hand", "left_hand", "left_hand"]
    onsets = rec.annotations.onset[desc == "left_hand"]
    np.testing.assert_allclose(onsets, [10.0, 34.0, 42.0])
    # a labels file for a training session must agree with its cues
    scipy.io.savemat(folder / "B0301T.mat", {"classlabel": np.array([[1], [2], [2], [1], [2]])})
    with pytest.raises(ValueError, match=r"B0301T\.mat disagrees with the cues"):
        BCICompIV2b(tmp_path, progress=False).load_session(3, "01T")


def test_unknown_codes_wrong_rate_sessions_and_manual_download(tmp_path):
    folder = tmp_path / "bci_iv_2b"
    folder.mkdir()
    _session(folder / "B0101T.gdf", CH_2B, [769, 999])
    ds = BCICompIV2b(tmp_path, progress=False)
    with pytest.raises(ValueError, match=r"B0101T\.gdf: event codes \['999'\]"):
        ds.load([1], sessions=["01T"])
    _session(folder / "B0101T.gdf", CH_2B, [769], sfreq=200)
    with pytest.raises(ValueError, match=r"B0101T\.gdf: sampled at 200 Hz"):
        ds.load([1], sessions=["01T"])
    with pytest.raises(ValueError, match=r"sessions \['06E'\] do not exist"):
        ds.load([1], sessions=["06E"])
    with pytest.raises(FileNotFoundError, match=r"B0202T\.gdf.*agree-and-submit form"):
        BCICompIV2b(tmp_path, download=True, progress=False).load([2], sessions=["02T"])
