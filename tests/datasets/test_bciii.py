import numpy as np
import pytest
import scipy.io

from biosig.datasets import BCICompII3
from biosig.windows import EventSampler, SlidingSampler


@pytest.fixture
def graz(tmp_path):
    """dataset_BCIcomp1.mat and labels_data_set_iii.mat in the competition's layout."""
    folder = tmp_path / "bci_ii_iii"
    folder.mkdir()
    rng = np.random.default_rng(0)
    x_train = rng.standard_normal((1152, 3, 140))
    x_test = rng.standard_normal((1152, 3, 140))
    y_train = rng.integers(1, 3, (140, 1)).astype(np.uint8)
    y_test = rng.integers(1, 3, (140, 1)).astype(np.uint8)
    scipy.io.savemat(folder / "dataset_BCIcomp1.mat",
                     {"x_train": x_train, "y_train": y_train, "x_test": x_test})
    scipy.io.savemat(folder / "labels_data_set_iii.mat", {"y_test": y_test})
    return tmp_path, x_train, y_train.ravel(), x_test, y_test.ravel()


def test_trials_cues_and_labels(graz):
    root, x_train, y_train, x_test, y_test = graz
    train, test = BCICompII3(root, progress=False).load()
    assert (train.session, test.session) == ("train", "test")
    assert train.ch_names == ["C3", "Cz", "C4"] and train.sfreq == 128
    assert train.n_samples == 140 * 1152
    # trial 7, channel Cz, sample 100 sits at 7 * 1152 + 100
    assert train.signal[1, 7 * 1152 + 100] == pytest.approx(x_train[100, 1, 7] * 1e-6)
    names = {1: "left_hand", 2: "right_hand"}
    for rec, y in ((train, y_train), (test, y_test)):
        ann = rec.annotations
        cues = ann[np.isin(ann.description, ["left_hand", "right_hand"])]
        assert list(cues.description) == [names[c] for c in y]
        np.testing.assert_allclose(cues.onset, np.arange(140) * 9.0 + 3.0)
        assert (ann.description == "BAD boundary").sum() == 139

    w = EventSampler(0.5, 2.5, {"left_hand": "L", "right_hand": "R"}, progress=False).sample([test])
    assert w.X.shape == (140, 3, 257)
    assert list(w.y) == ["L" if c == 1 else "R" for c in y_test]
    start = 3 * 128 + 64
    np.testing.assert_allclose(w.X[3], x_test[start:start + 257, :, 3].T * 1e-6, rtol=1e-6)

    # sliding windows never straddle two trials
    s = SlidingSampler(2.0, 1.0, progress=False).sample([train])
    first = s.meta["sample"].to_numpy()
    assert ((first // 1152) == ((first + 255) // 1152)).all()
    assert len(s) == 140 * 8


def test_layout_errors_name_the_file(graz):
    root, x_train, y_train, *_ = graz
    (root / "bci_ii_iii" / "labels_data_set_iii.mat").unlink()
    with pytest.raises(FileNotFoundError, match=r"labels_data_set_iii\.mat.*bbci\.de"):
        BCICompII3(root, progress=False).load(sessions=["test"])
    test = BCICompII3(root, progress=False).load(sessions=["test"], true_labels=False)[0]
    assert list(test.annotations.description).count("unknown_cue") == 140
    path = root / "bci_ii_iii" / "dataset_BCIcomp1.mat"
    scipy.io.savemat(path, {"x_train": x_train[:, :2], "y_train": y_train[:, None]})
    with pytest.raises(ValueError, match=r"dataset_BCIcomp1\.mat: 'x_train' has shape \(1152, 2, 140\)"):
        BCICompII3(root, progress=False).load(sessions=["train"])
