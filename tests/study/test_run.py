"""Every shipped recipe, end to end through ``biosig run``, on small settings.

Real data where the shared folder has it (MIT-BIH, Bonn); otherwise the
format-exact example files of :func:`biosig.datasets.write_example_data`.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from biosig.cli import main
from biosig.datasets import write_example_data

RECIPES = Path(__file__).parents[2] / "recipes"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    root = tmp_path_factory.mktemp("examples")
    write_example_data("chbmit", root)
    write_example_data("eegmmidb", root)
    write_example_data("bci_iv_2a", root)
    write_example_data("deap", root, subjects=["s01", "s02"])
    return root


def _run(recipe, data_dir, out, *settings, partial=False):
    args = ["run", str(RECIPES / f"{recipe}.toml"), "--data-dir", str(data_dir), "--out", str(out),
            "--quiet", "--set", "training.bootstrap=100"]
    for s in settings:
        args += ["--set", s]
    code = main(args + (["--partial"] if partial else []))
    assert code == 0
    result = json.loads((out / "metrics.json").read_text())
    return result["header"], result["metrics"], pd.read_csv(
        out / "predictions.csv", dtype={"fold": str, "record": str, "subject": str})


def test_bonn_stratified_folds_test_every_segment_once(data_dir, tmp_path):
    if not (data_dir / "bonn").is_dir():
        pytest.skip("no Bonn data here")
    header, metrics, pred = _run("seizure_bonn", data_dir, tmp_path / "run", "split.n_splits=3",
                                 "training.epochs=4", "model.filters=[8, 16]")
    assert header["n_folds"] == 3 and len(header["folds"]) == 3
    assert len(pred) == 500 and pred["record"].is_unique  # one window per segment, tested once
    assert pred.groupby("true").size().to_dict() == {"ictal": 100, "interictal": 200, "normal": 200}
    assert any("no per-segment subject" in w for w in header["warnings"])
    assert any("Shared groups" in w for w in header["warnings"])
    assert metrics["accuracy"] > 0.5  # chance (the majority class) is 0.4
    ci = metrics["ci95"]["accuracy"]
    assert ci["low"] <= ci["value"] <= ci["high"]
    assert "Metrics per fold" in (tmp_path / "run" / "report.html").read_text()


def test_mitdb_dbn_with_smote_resamples_inside_the_training_side(mitdb_subset, tmp_path):
    # A reduced protocol on named records of each side, with S, V and F beats.
    data = mitdb_subset(["101", "106", "208", "209", "100", "105", "200", "233"])
    header, metrics, pred = _run("arrhythmia_mitbih_dbn", data, tmp_path / "run",
                                 "training.epochs=3", "model.pretrain_epochs=1",
                                 "training.imbalance='smote'", partial=True)
    assert header["train_records"] == ["101", "106", "208", "209"]
    assert set(pred["record"]) == set(header["test_records"]) == {"100", "105", "200", "233"}
    counts = header["class_counts"]["train"]
    assert counts["N"] > 10 * counts["S"]  # counts before resampling: SMOTE never wrote rows
    assert "SVEB" in metrics and header["n_features"] > 7  # wavelet features + RR
    assert any(line.startswith("Imbalance: smote (SMOTE on the feature vectors of the training "
                               "part of each fit, after its early-stopping split")
               for line in header["protocol"])


def test_chbmit_patient_specific_event_metrics(examples, tmp_path):
    header, metrics, pred = _run("seizure_chbmit", examples, tmp_path / "run", "training.epochs=4")
    # Leave one seizure record out: the two files with a seizure are tested, chb01_02 never.
    assert header["n_folds"] == 2
    assert set(pred["record"]) == {"chb01_01", "chb01_03"}
    assert pred.groupby("fold")["record"].nunique().eq(1).all()
    events = metrics["events"]
    assert events["n_seizures"] == 2
    assert events["event_sensitivity"] >= 0.5  # a 150 uV 3 Hz seizure against 30 uV noise
    assert events["hours"] == pytest.approx(2 * 299 / 3600, rel=0.02)
    assert {"event_sensitivity", "false_detections_per_hour", "latency"} <= set(metrics["ci95"])
    report = (tmp_path / "run" / "report.html").read_text()
    assert "Seizure events" in report and "Leave one seizure record out" in report


def test_eegmmi_group_kfold_keeps_subjects_apart(examples, tmp_path):
    header, metrics, pred = _run("motor_imagery_eegmmi", examples, tmp_path / "run",
                                 "training.epochs=3", "split.n_splits=2",
                                 "dataset.subjects=['S001', 'S002', 'S003', 'S004']")
    assert header["n_folds"] == 2
    assert pred.groupby("subject")["fold"].nunique().eq(1).all()  # a subject is tested once
    assert len(pred) == 4 * 3 * 15 and set(pred["true"]) == {"left", "right"}
    assert header["interval_unit"] == "subjects"


def test_bciiv2a_session_transfer_per_subject(examples, tmp_path):
    header, metrics, pred = _run("motor_imagery_bciiv2a", examples, tmp_path / "run",
                                 "training.epochs=3", partial=True)
    assert header["n_folds"] == 2 and set(pred["fold"]) == {"A01", "A02"}
    assert pred["record"].str.endswith("E").all()  # only evaluation sessions are tested
    assert pred.groupby("fold")["subject"].nunique().eq(1).all()
    assert (pred["fold"] == pred["subject"]).all()
    assert len(pred) == 2 * 48 and any("Reduced protocol" in w for w in header["warnings"])


def test_deap_leave_one_subject_out_on_de_features(examples, tmp_path):
    header, metrics, pred = _run("emotion_deap", examples, tmp_path / "run", "training.epochs=3",
                                 "model.pretrain_epochs=1", "dataset.subjects=['s01', 's02']",
                                 f"dataset.trials={list(range(1, 11))}")
    assert header["n_folds"] == 2
    assert sorted(pred.groupby("fold")["subject"].unique().map(tuple)) == [("s01",), ("s02",)]
    # Windows start at 0, 4, ..., 56 s of each 63 s trial; the first is mostly the
    # 3 s baseline, which carries no label, so 14 of the 15 are kept.
    assert len(pred) == 2 * 10 * 14
    assert header["n_features"] == 32 * 4  # DE of 4 bands on 32 EEG channels
    proba = pred[["p_low", "p_high"]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)


def test_arousal_is_one_override_away(examples, tmp_path):
    header, _, pred = _run("emotion_deap_arousal", examples, tmp_path / "run", "training.epochs=2",
                           "model.pretrain_epochs=1", "dataset.subjects=['s01', 's02']",
                           f"dataset.trials={list(range(1, 11))}", "training.bootstrap=0")
    assert header["study"] == "emotion_deap_arousal" and set(pred["true"]) == {"low", "high"}
