"""[features] align and the tangent-space model in the study engine: a test subject is aligned
on its own test windows, passed at predict time."""

import numpy as np
import pandas as pd
import pytest

from biosig.features import EuclideanAlignment
from biosig.models import TangentSpaceClassifier
from biosig.study import RecipeError
from biosig.study._execute import Job, run_job
from biosig.study._pipeline import WindowInfo, check_model_fits, make_estimator
from biosig.study._plan import validate
from biosig.windows import Windows, write_windows

RECIPE = {
    "study": {"name": "aligned"},
    "dataset": {"source": "eegmmidb", "runs": [4, 8, 12]},
    "windows": {"sampler": "event", "tmin": 0.0, "tmax": 1.0,
                "labels": {"imagery/left_fist": "left", "imagery/right_fist": "right"}},
    "features": {"align": "euclidean"},
    "model": {"name": "tangent_space"},
    "training": {"bootstrap": 10},
    "split": {"kind": "group_kfold", "n_splits": 2},
}


def _recipe(**sections):
    return validate({**RECIPE, **sections})


def _store(path, n_subjects=4, n_trials=24, n_channels=4, n_samples=100):
    """Subjects whose channels are mixed differently; class right: more power on channel 0."""
    rng = np.random.default_rng(0)
    X, y, subjects = [], [], []
    for s in range(n_subjects):
        trials = rng.standard_normal((n_trials, n_channels, n_samples))
        labels = np.tile(["left", "right"], n_trials // 2)
        trials[labels == "right", 0] *= 2.0
        mixing = rng.standard_normal((n_channels, n_channels)) + 2 * np.eye(n_channels)
        X.append(np.einsum("cd,ndt->nct", mixing, trials))
        y.append(labels)
        subjects += [f"S{s:03d}"] * n_trials
    subjects = np.array(subjects)
    meta = pd.DataFrame({"record": subjects, "subject": subjects,
                         "onset": np.arange(len(subjects), dtype=float)})
    windows = Windows(np.concatenate(X).astype(np.float32), np.concatenate(y), subjects, meta,
                      160.0, [f"C{c}" for c in range(n_channels)])
    write_windows(windows, path)
    return windows


def test_recipe_keys_and_refusals():
    study = _recipe()
    assert study.features.align == "euclidean" and _recipe(features={}).features.align == "none"
    pipeline = make_estimator(study, WindowInfo(160.0, ["a"] * 4, (4, 100)))
    assert [name for name, _ in pipeline.steps] == ["align", "model"]
    assert isinstance(pipeline.steps[1][1], TangentSpaceClassifier)
    assert pipeline.steps[1][1].class_weight == "balanced"  # [training] imbalance's default
    check_model_fits(study, 4, 100)  # not a network: nothing to build
    with pytest.raises(RecipeError, match=r"\[features\] align = 'riemann': 'riemann' is not "
                                          r"allowed; allowed values: 'none', 'euclidean'"):
        _recipe(features={"align": "riemann"})
    with pytest.raises(RecipeError, match=r"imbalance = 'focal' sets the model's loss, which "
                                          r"\[model\] name = 'tangent_space' does not have"):
        _recipe(training={"imbalance": "focal"})
    with pytest.raises(RecipeError, match="threshold_class cannot be combined"):
        _recipe(training={"threshold_class": "left"})
    with pytest.raises(RecipeError, match=r"unknown key \[model\] epochz"):
        _recipe(model={"name": "tangent_space", "epochz": 3})


def test_a_test_subject_is_aligned_on_its_own_test_windows(tmp_path):
    windows = _store(tmp_path / "store")
    study = _recipe(model={"name": "tangent_space", "C": 10.0})
    subjects = np.asarray(windows.groups)
    train = np.flatnonzero(np.isin(subjects, ["S000", "S001"]))
    test = np.flatnonzero(np.isin(subjects, ["S002", "S003"]))
    (tmp_path / "run").mkdir()
    result = run_job(Job("fold-0", "fold 1/1", study, str(tmp_path / "store"), train, test,
                         save_model=True), tmp_path / "run", progress=False)
    # the pipeline by hand: each test subject aligned alone, on its own windows only
    X, y = np.asarray(windows.X), np.asarray(windows.y)
    model = TangentSpaceClassifier(C=10.0, class_weight="balanced").fit(
        EuclideanAlignment().fit_transform(X[train], groups=subjects[train]), y[train])
    by_hand = np.concatenate([model.predict_proba(EuclideanAlignment().fit_transform(X[rows]))
                              for rows in (test[subjects[test] == s] for s in ("S002", "S003"))])
    np.testing.assert_allclose(result["proba"], by_hand, atol=1e-9)
    assert (result["pred"] == y[test]).mean() > 0.8  # aligned across subjects: well above chance
    assert (tmp_path / "run" / "model.joblib").exists()
