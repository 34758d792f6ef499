"""Every shipped recipe, end to end through ``biosig run``, on small settings.

Real data where the shared folder has it (MIT-BIH, Bonn); otherwise the
format-exact example files of :func:`biosig.datasets.write_example_data`.
"""

import importlib.metadata
import json
from pathlib import Path

import joblib
import keras
import numpy as np
import pandas as pd
import pytest

from biosig.cli import main
from biosig.datasets import write_example_data
from biosig.features import WaveletFeatures

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
    header, metrics, pred = _run("seizure_bonn", data_dir, tmp_path / "run", "split.n_splits=2",
                                 "training.epochs=4", "model.filters=[8, 16]")
    assert header["n_folds"] == 2 and len(header["folds"]) == 2
    assert len(pred) == 500 and pred["record"].is_unique  # one window per segment, tested once
    assert pred.groupby("true").size().to_dict() == {"ictal": 100, "interictal": 200, "normal": 200}
    assert any("no per-segment subject" in w for w in header["warnings"])
    assert any("Shared groups" in w for w in header["warnings"])
    assert metrics["accuracy"] > 0.5  # chance (the majority class) is 0.4
    ci = metrics["ci95"]["accuracy"]
    assert ci["low"] <= ci["value"] <= ci["high"]
    report = (tmp_path / "run" / "report.html").read_text()
    assert "Metrics per fold" in report
    # the releases the numbers were computed with, in the header and the report
    software = header["software"]
    assert software["keras"] == keras.__version__ == importlib.metadata.version("keras")
    backend = keras.backend.backend()
    assert software[backend] == importlib.metadata.version(backend)
    assert f"keras {keras.__version__}, numpy {np.__version__}" in report
    assert " cores" in software["cpu"]  # the processor: oneDNN picks kernels by it


def test_mitdb_dbn_with_smote_resamples_inside_the_training_side(mitdb_subset, tmp_path):
    # A reduced protocol on named records of each side, with S, V and F beats, on both
    # leads: the lower lead is V5 in record 100 and V1 in the others.
    data = mitdb_subset(["101", "106", "208", "209", "100", "105", "200", "233"])
    header, metrics, pred = _run("arrhythmia_mitbih_dbn", data, tmp_path / "run",
                                 "training.epochs=3", "model.pretrain_epochs=1",
                                 "training.imbalance='smote'", "training.ensemble=1",
                                 "dataset.channels=['MLII', 'V1|V2|V4|V5']", partial=True)
    assert header["train_records"] == ["101", "106", "208", "209"]
    assert set(pred["record"]) == set(header["test_records"]) == {"100", "105", "200", "233"}
    counts = header["class_counts"]["train"]
    assert counts["N"] > 10 * counts["S"]  # counts before resampling: SMOTE never wrote rows
    assert "SVEB" in metrics
    beat = np.zeros((2, 1, 252), np.float32)  # 0.7 s at 360 Hz
    n_wavelet = WaveletFeatures("db4", 4).fit(beat).transform(beat).shape[1]
    assert header["n_features"] == 2 * n_wavelet + 7  # wavelet features of each lead + RR
    assert any("2 channels x 252 samples" in line for line in header["protocol"])
    assert any(line.startswith("Imbalance: smote (SMOTE on the feature vectors of the training "
                               "part of each fit, after its early-stopping split")
               for line in header["protocol"])


def test_mitdb_dbn_s_threshold_tuned_out_of_fold_on_the_training_side(mitdb_subset, tmp_path):
    # An S threshold from the pooled out-of-fold probabilities of the DS1 records.
    data = mitdb_subset(["101", "106", "208", "209", "100", "105", "200", "233"])
    header, metrics, pred = _run("arrhythmia_mitbih_dbn", data, tmp_path / "run",
                                 "training.epochs=3", "model.pretrain_epochs=1",
                                 "training.threshold_class='S'", "training.threshold_cv=3",
                                 "training.ensemble=1",
                                 "features.tabular=['rr', 'beat_morphology']", partial=True)
    beat = np.zeros((2, 1, 252), np.float32)  # 0.7 s at 360 Hz
    n_wavelet = WaveletFeatures("db4", 4).fit(beat).transform(beat).shape[1]
    assert header["n_features"] == n_wavelet + 7 + 9  # RR (4 + 3 ratios), morphology (9)
    threshold = metrics["threshold"]
    assert threshold["class"] == "S" and list(threshold["per_fold"]) == ["0"]
    t = threshold["per_fold"]["0"]
    assert 0.0 < t < 1.0
    # S is called exactly where its probability reaches the tuned threshold
    np.testing.assert_array_equal(pred["pred"] == "S", pred["p_S"] >= t)
    assert any("out-of-fold probabilities of a 3-fold split" in line
               for line in header["protocol"])


def test_mitdb_lda_chooses_leads_and_features_on_the_training_side(mitdb_subset, tmp_path):
    # de Chazal's classifier: two of the recipe's eight feature sets (one lead with every
    # tabular feature, both leads with RR alone) fitted on inner folds of the DS1 records.
    data = mitdb_subset(["101", "106", "208", "209", "100", "105", "200", "233"])
    out = tmp_path / "run"
    header, metrics, pred = _run(
        "arrhythmia_mitbih_lda", data, out,
        "selection.candidates=[{ 'features.tabular' = ['rr', 'rr_local_ratios', "
        "'beat_morphology'] }, { 'dataset.channels' = ['MLII', 'V1|V2|V4|V5'] }]", partial=True)
    assert header["train_records"] == ["101", "106", "208", "209"]
    assert set(pred["record"]) == set(header["test_records"]) == {"100", "105", "200", "233"}
    assert header["fits"]["run"] == 2 * 3 + 1  # candidates x inner folds, then the outer fit
    table = pd.read_csv(out / "selection.csv")
    assert len(table) == 2 and table["chosen"].sum() == 1
    best = table.loc[table["inner f1:S"].idxmax()]
    assert best["chosen"]
    beat = np.zeros((2, 1, 252), np.float32)  # 0.7 s at 360 Hz
    n_wavelet = WaveletFeatures("db4", 4).fit(beat).transform(beat).shape[1]
    one_lead = best["candidate"] == 0
    # RR (7), the local ratios (3), morphology (9); or each lead's wavelet features and RR
    assert header["n_features"] == (n_wavelet + 7 + 3 + 9 if one_lead else 2 * n_wavelet + 7)
    assert any(line.startswith("Model: lda (linear discriminants on the feature vectors")
               for line in header["protocol"])
    proba = pred[[f"p_{c}" for c in ("F", "N", "S", "V")]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    model = joblib.load(out / "model.joblib")
    assert model.priors_ == pytest.approx([0.25] * 4)  # class_weight: equal priors
    assert "SVEB" in metrics and "VEB" in metrics


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


def test_bonn_sub_windows_voted_per_segment(data_dir, tmp_path):
    """Real Bonn Z and S: 15 windows of 512 samples per segment, one vote per segment,
    a segment's windows on one side of every fold."""
    if not (data_dir / "bonn").is_dir():
        pytest.skip("no Bonn data here")
    header, metrics, pred = _run("seizure_bonn_voted", data_dir, tmp_path / "run",
                                 "split.n_splits=2", "training.epochs=1", "model.filters=[4, 8]",
                                 "training.ensemble=1", "dataset.subjects=['Z', 'S']")
    assert len(pred) == 200 and pred["record"].is_unique  # one row per segment
    assert (pred["n_windows"] == 15).all()
    assert pred.groupby("true").size().to_dict() == {"ictal": 100, "normal": 100}
    assert pred.groupby("fold")["true"].value_counts().eq(50).all()  # stratified
    counts = header["class_counts"]
    assert sum(counts["all windows"].values()) == 15 * 200
    assert sum(counts["tested"].values()) == 200
    assert any("windows are averaged" in line for line in header["protocol"])


def test_eegmmi_group_kfold_keeps_subjects_apart(examples, tmp_path):
    header, metrics, pred = _run("motor_imagery_eegmmi", examples, tmp_path / "run",
                                 "training.epochs=3", "split.n_splits=2",
                                 "dataset.subjects=['S001', 'S002', 'S003', 'S004']")
    assert header["n_folds"] == 2
    assert pred.groupby("subject")["fold"].nunique().eq(1).all()  # a subject is tested once
    assert len(pred) == 4 * 3 * 15 and set(pred["true"]) == {"left", "right"}
    assert header["interval_unit"] == "subjects"


def test_eegmmi_four_classes_on_the_subjects_with_feet_runs(data_dir, tmp_path):
    """Real S001 and S004, the two subjects here with runs 6, 10 and 14: left fist, right
    fist, both feet and rest, as the EDF+ annotations count them; both fists left out."""
    import mne

    subjects = ["S001", "S004"]
    if any(not (data_dir / "eegmmidb" / s / f"{s}R06.edf").exists() for s in subjects):
        pytest.skip("eegmmidb S001 and S004 runs 6, 10, 14 are not here")
    header, metrics, pred = _run("motor_imagery_eegmmi_4class", data_dir, tmp_path / "run",
                                 "training.epochs=1", "split.n_splits=2", "model.F1=4",
                                 "model.D=1", "model.F2=4", f"dataset.subjects={subjects}")
    expected = {"left": 0, "right": 0, "feet": 0, "rest": 0}
    for s in subjects:
        for run in (4, 6, 8, 10, 12, 14):
            path = data_dir / "eegmmidb" / s / f"{s}R{run:02d}.edf"
            found = list(mne.io.read_raw_edf(path, verbose="error").annotations.description)
            expected["rest"] += found.count("T0")
            if run in (4, 8, 12):
                expected["left"] += found.count("T1")
                expected["right"] += found.count("T2")
            else:  # T1 is both fists, not a class here
                expected["feet"] += found.count("T2")
    assert pred["true"].value_counts().to_dict() == expected
    assert header["n_folds"] == 2 and pred.groupby("subject")["fold"].nunique().eq(1).all()
    assert set(metrics["per_class"]) == set(expected)


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


def test_named_cohorts_of_eegmmidb_subjects(data_dir, tmp_path):
    """Train on S001-S003, test once on S004-S005: split, guard and bootstrap by subject."""
    subjects = [f"S00{i}" for i in range(1, 6)]
    if any(not (data_dir / "eegmmidb" / s / f"{s}R04.edf").exists() for s in subjects):
        pytest.skip("eegmmidb S001-S005 are not all here")
    recipe = tmp_path / "cohorts.toml"
    recipe.write_text((RECIPES / "motor_imagery_eegmmi.toml").read_text().replace(
        'kind = "group_kfold"\nn_splits = 5',
        'kind = "inter_patient"\ntrain = ["S001", "S002", "S003"]\ntest = ["S004", "S005"]'))
    out = tmp_path / "run"
    assert main(["run", str(recipe), "--data-dir", str(data_dir), "--out", str(out), "--quiet",
                 "--set", "training.bootstrap=100", "--set", "training.epochs=1",
                 "--set", "model.F1=4", "--set", "model.D=1", "--set", "model.F2=4"]) == 0
    header = json.loads((out / "metrics.json").read_text())["header"]
    pred = pd.read_csv(out / "predictions.csv")
    assert header["train_records"] == ["S001", "S002", "S003"]
    assert header["test_records"] == ["S004", "S005"]
    assert set(pred["subject"]) == {"S004", "S005"} and header["n_folds"] == 1
    assert header["interval_unit"] == "subjects"
    assert header["class_counts"]["train"]["left"] + header["class_counts"]["train"]["right"] \
        == 3 * 3 * 15  # three runs of 15 cues for each training subject
    assert any("Inter-patient split by subject" in line for line in header["protocol"])
    assert any("Leakage guard: checked that no subject" in line for line in header["protocol"])


def test_cross_source_trains_on_one_folder_and_tests_once_on_another(tmp_path):
    """[test_dataset]: the same source in another folder; its windows join the same store."""
    train, test = tmp_path / "site_a", tmp_path / "site_b"
    write_example_data("eegmmidb", train, subjects=["S001", "S002", "S003"])
    write_example_data("eegmmidb", test, subjects=["S004", "S005"], seed=1)
    recipe = tmp_path / "cross.toml"
    recipe.write_text((RECIPES / "motor_imagery_eegmmi.toml").read_text().replace(
        'kind = "group_kfold"', 'kind = "cross_source"').replace("n_splits = 5\n", "")
        + '\n[test_dataset]\nsource = "eegmmidb"\nsubjects = ["S004", "S005"]\n'
        'runs = [4, 8, 12]\ndata_dir = "site_b"\n')
    out = tmp_path / "run"
    assert main(["run", str(recipe), "--data-dir", str(train), "--out", str(out), "--quiet",
                 "--set", "training.epochs=2", "--set", "training.bootstrap=50",
                 "--set", "dataset.subjects=['S001', 'S002', 'S003']"]) == 0
    result = json.loads((out / "metrics.json").read_text())
    header = result["header"]
    pred = pd.read_csv(out / "predictions.csv")
    assert header["train_records"] == ["S001", "S002", "S003"]
    assert header["test_records"] == ["S004", "S005"] and set(pred["subject"]) == {"S004", "S005"}
    assert len(pred) == 2 * 3 * 15 and header["interval_unit"] == "subjects"
    assert any(line.startswith("Cross-source: trained on every window of [dataset] eegmmidb")
               for line in header["protocol"])


def test_test_recordings_take_the_training_channels_and_rate():
    import mne

    from biosig.datasets import Recording
    from biosig.study._data import _match

    info = mne.create_info(["C4", "C3", "Cz"], 128.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).standard_normal((3, 1280)), info,
                          verbose=False)
    rec = _match(Recording(raw, subject="x", record="x1"), {"ch_names": ["C3", "C4"],
                                                              "sfreq": 160.0})
    assert rec.ch_names == ["C3", "C4"] and rec.sfreq == 160.0 and rec.n_samples == 1600
    with pytest.raises(ValueError, match=r"record x1 of the test dataset has no channel \['Fz'\]"):
        _match(Recording(raw.copy(), subject="x", record="x1"), {"ch_names": ["Fz"],
                                                                 "sfreq": 128.0})


SENSORIMOTOR = ("['FC5', 'FC3', 'FC1', 'FCz', 'FC2', 'FC4', 'FC6', 'C5', 'C3', 'C1', 'Cz', "
                "'C2', 'C4', 'C6', 'CP5', 'CP3', 'CP1', 'CPz', 'CP2', 'CP4', 'CP6']")


def test_eegmmi_cropped_trials_are_voted_once(examples, tmp_path, monkeypatch):
    """motor_imagery_eegmmi_cropped with one candidate forced: 5 crops of 3 s per 4 s trial
    on the 21 sensorimotor channels. Every fit, inner or outer, reads the candidate's crops,
    not the recipe's own windows; each trial is tested once from its crops' mean
    probabilities; ``explain`` cuts windows as the chosen candidate did."""
    from biosig.inspection import explain_run
    from biosig.study import _execute
    from biosig.windows import read_windows

    seen = {}  # job key -> the number of windows in the store it read
    run_one = _execute.run_job

    def spy(job, *args, **kwargs):
        seen[job.key] = len(read_windows(job.store, verify=False).y)
        return run_one(job, *args, **kwargs)

    monkeypatch.setattr(_execute, "run_job", spy)
    header, metrics, pred = _run("motor_imagery_eegmmi_cropped", examples, tmp_path / "run",
                                 "training.epochs=1", "split.n_splits=2",
                                 "selection.candidates=[{'windows.tmax'=4.0, "
                                 "'windows.crop_length'=3.0, 'windows.crop_stride'=0.25, "
                                 f"'dataset.channels'={SENSORIMOTOR}}}]",
                                 "selection.n_splits=2", "model.F1=4", "model.D=1", "model.F2=4",
                                 "model.kernel_length=16",
                                 "dataset.subjects=['S001', 'S002', 'S003', 'S004']")
    assert sorted(seen) == ["fold-0", "fold-1"] + [f"inner-{f}-c0-{k}" for f in (0, 1)
                                                   for k in (0, 1)]
    assert set(seen.values()) == {5 * 4 * 3 * 15}  # every fit read the crops
    assert len(pred) == 4 * 3 * 15 and pred["trial"].is_unique  # one row per trial
    assert (pred["n_windows"] == 5).all()
    assert pred.groupby("subject")["fold"].nunique().eq(1).all()
    assert sum(header["class_counts"]["tested"].values()) == 4 * 3 * 15
    said = next(line for line in header["protocol"] if line.startswith("Settings chosen"))
    assert "each cut into 5 crops of 3 s every 0.25 s (cropped training)" in said
    assert "21 channels x 481 samples" in said
    assert any(line.startswith("Each test trial is scored once") for line in header["protocol"])
    # the saved model reads 21 channels: explain must cut the chosen candidate's windows
    result = explain_run(tmp_path / "run", method="saliency", n_windows=2, data_dir=examples,
                         random_state=0)
    assert "explain_saliency_channels_time.png" in [p.name for p in result["figures"]]
