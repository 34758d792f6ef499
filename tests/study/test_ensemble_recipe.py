"""[training] ensemble: N networks from consecutive seeds, their probabilities averaged."""

from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn import config_context
from sklearn.ensemble import VotingClassifier
from sklearn.utils.metadata_routing import get_routing_for_object

from biosig.models import CNN1DClassifier
from biosig.study import RecipeError, load_recipe
from biosig.study._execute import Job, run_job
from biosig.study._pipeline import WindowInfo, check_model_fits, make_estimator
from biosig.study._plan import validate

RECIPES = Path(__file__).parents[2] / "recipes"
RECIPE = {
    "study": {"name": "ensemble"},
    "dataset": {"source": "mitdb"},
    "windows": {"sampler": "beat", "tmin": -0.1, "tmax": 0.1},
    "model": {"name": "cnn1d", "filters": [4], "kernel_size": 5, "dense_units": 8},
    "training": {"epochs": 2, "bootstrap": 10, "seed": 3, "ensemble": 2},
    "split": {"kind": "group_kfold", "n_splits": 2},
}


def _recipe(**sections):
    return validate({**RECIPE, **sections})


def test_recipe_keys_and_refusals():
    study = _recipe()
    assert _recipe(training={}).training.ensemble == 1
    model = make_estimator(study, WindowInfo(360.0, ["MLII"], (1, 72))).steps[-1][1]
    assert isinstance(model, VotingClassifier) and model.voting == "soft"
    assert [(name, m.random_state) for name, m in model.estimators] == [("seed_3", 3),
                                                                         ("seed_4", 4)]
    with config_context(enable_metadata_routing=True):  # each member splits by groups
        assert get_routing_for_object(model).consumes("fit", ["groups"]) == {"groups"}
    check_model_fits(study, 1, 72)  # the members' network fits the windows
    eegnet = load_recipe(RECIPES / "motor_imagery_eegmmi.toml",
                         ["windows.tmax=0.1", "training.ensemble=2"])
    with pytest.raises(RecipeError, match=r"'eegnet' .* does not fit windows of 17 samples"):
        check_model_fits(eegnet, 64, 17)  # EEGNet's pools of 4 and 8 leave nothing
    with pytest.raises(RecipeError, match=r"ensemble = 0: an ensemble is of 1 or more networks"):
        _recipe(training={"ensemble": 0})
    with pytest.raises(RecipeError, match=r"'tangent_space' is not a network"):
        validate({**RECIPE, "dataset": {"source": "eegmmidb"},
                  "windows": {"sampler": "event", "tmin": 0.0, "tmax": 1.0,
                              "labels": {"T1": "left", "T2": "right"}},
                  "model": {"name": "tangent_space"}, "training": {"ensemble": 3}})


def test_the_members_probabilities_are_averaged(tmp_path, beat_store):
    windows = beat_store(tmp_path / "store")
    subjects = np.asarray(windows.groups)
    train = np.flatnonzero(np.isin(subjects, ["100", "101", "102"]))
    test = np.flatnonzero(subjects == "103")
    (tmp_path / "run").mkdir()
    result = run_job(Job("fold-0", "fold 1/1", _recipe(), str(tmp_path / "store"), train, test,
                         save_model=True), tmp_path / "run", progress=False)
    ensemble = joblib.load(tmp_path / "run" / "model.joblib")
    members = ensemble.estimators_
    assert len(members) == 2 and all(isinstance(m, CNN1DClassifier) for m in members)
    X = np.asarray(windows.X)[test]
    probas = [m.predict_proba(X) for m in members]
    assert not np.allclose(probas[0], probas[1])  # two seeds, two networks
    np.testing.assert_allclose(result["proba"], np.mean(probas, axis=0), atol=1e-6)
    assert set(result["history"]) >= {"loss", "val_loss"}  # the first member's curves
