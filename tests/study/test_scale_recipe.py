"""[features] scale in the study engine: each subject's feature vectors scaled on its own
windows, a test subject's on its test windows, passed at predict time."""

import numpy as np
import pytest

from biosig.features import GroupScaler
from biosig.study import RecipeError
from biosig.study._execute import Job, run_job
from biosig.study._pipeline import WindowInfo, make_estimator
from biosig.study._plan import validate

RECIPE = {
    "study": {"name": "scaled"},
    "dataset": {"source": "mitdb"},
    "windows": {"sampler": "beat", "tmin": -0.1, "tmax": 0.1},
    "features": {"input": "features", "extractors": ["wavelet"], "wavelet_level": 2,
                 "scale": "subject"},
    "model": {"name": "dbn", "hidden_layer_sizes": [8], "pretrain_epochs": 1},
    "training": {"epochs": 2, "bootstrap": 10},
    "split": {"kind": "group_kfold", "n_splits": 2},
}


def _recipe(**sections):
    return validate({**RECIPE, **sections})


def test_recipe_keys_and_refusals():
    study = _recipe()
    assert _recipe(features={"input": "features", "extractors": ["wavelet"]}).features.scale == "none"
    pipeline = make_estimator(study, WindowInfo(360.0, ["MLII"], (1, 72)))
    assert [name for name, _ in pipeline.steps] == ["features", "scale", "model"]
    assert isinstance(pipeline.steps[1][1], GroupScaler)
    with pytest.raises(RecipeError, match=r"scale = 'subject' scales feature vectors: it needs "
                                          r"input = 'features' and steps = 1, not input = 'raw'"):
        _recipe(features={"scale": "subject"}, model={"name": "cnn1d"})
    with pytest.raises(RecipeError, match=r"\[features\] scale = 'subject' and \[training\] "
                                          "threshold_class cannot be combined"):
        _recipe(training={"threshold_class": "S"})
    with pytest.raises(RecipeError, match=r"scale = 'record': 'record' is not allowed"):
        _recipe(features={"input": "features", "extractors": ["wavelet"], "scale": "record"})


def test_a_test_subject_is_scaled_on_its_own_test_windows(tmp_path, monkeypatch, beat_store):
    windows = beat_store(tmp_path / "store")
    seen = []
    transform = GroupScaler.transform

    def spy(self, X, groups=None):
        seen.append((sorted(self.groups_), sorted(set(groups))))
        return transform(self, X, groups=groups)

    monkeypatch.setattr(GroupScaler, "transform", spy)
    subjects = np.asarray(windows.groups)
    train = np.flatnonzero(np.isin(subjects, ["100", "101"]))
    test = np.flatnonzero(np.isin(subjects, ["102", "103"]))
    (tmp_path / "run").mkdir()
    result = run_job(Job("fold-0", "fold 1/1", _recipe(), str(tmp_path / "store"), train, test,
                         save_model=False), tmp_path / "run", progress=False)
    # fitted on the training subjects; at predict time given the test subjects alone
    assert seen[0] == (["100", "101"], ["100", "101"])
    assert seen[-1] == (["100", "101"], ["102", "103"])
    assert result["proba"].shape == (len(test), 2)

