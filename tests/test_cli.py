import json
import os
from pathlib import Path

import pytest

from biosig.cli import main
from biosig.datasets import MITBIHArrhythmia

RECIPE = str(Path(__file__).parents[1] / "recipes" / "arrhythmia_mitbih.toml")
QUICK = ["--set", "training.epochs=3", "--set", "model.filters=[8, 16]",
         "--set", "training.bootstrap=200", "--quiet"]


# The reduced protocol of the partial-run test: records of each side with S, V and F beats.
TRAIN = ["101", "106", "208", "209"]
TEST = ["100", "105", "200", "233"]


def test_full_protocol_refuses_missing_records(mitdb_subset, tmp_path, capsys):
    ds = MITBIHArrhythmia
    data = mitdb_subset([r for r in ds.DS1 + ds.DS2 if r != "232"])
    code = main(["run", RECIPE, "--data-dir", str(data), "--out", str(tmp_path / "run")] + QUICK)
    err = capsys.readouterr().err
    assert code == 2
    assert "mitdb: 1 record(s) missing: 232." in err
    assert "--download" in err and "--partial" in err
    assert not (tmp_path / "run").exists()


def test_partial_run_writes_metrics_plots_and_report(mitdb_subset, tmp_path, capsys):
    data = mitdb_subset(TRAIN + TEST)
    out = tmp_path / "run"
    assert main(["run", RECIPE, "--data-dir", str(data), "--partial", "--out", str(out)] + QUICK) == 0
    assert "fold 1/1" not in capsys.readouterr().err  # --quiet: no progress bars
    names = {p.name for p in out.iterdir()}
    assert {"metrics.json", "recipe.toml", "confusion_matrix.png", "roc.png", "report.html",
            "predictions.csv", "model.keras", "results.csv", "precision_recall.png",
            "training_curves.png"} <= names
    result = json.loads((out / "metrics.json").read_text())
    header, metrics = result["header"], result["metrics"]
    ds = MITBIHArrhythmia
    assert header["reduced_protocol"] is True
    assert header["missing_subjects"] == [r for r in ds.DS1 + ds.DS2 if r not in TRAIN + TEST]
    assert header["train_records"] == TRAIN and header["test_records"] == TEST
    assert header["class_counts"]["test"]["N"] == metrics["per_class"]["N"]["support"]
    for label in ("N", "S", "V"):
        assert 0 <= metrics["per_class"][label]["f1"] <= 1
        assert 0 <= metrics["per_class"][label]["auc"] <= 1
    assert "SVEB" in metrics and "VEB" in metrics
    assert metrics["labels"] == ["N", "S", "V", "F"]  # the recipe leaves Q out
    ci = metrics["ci95"]["macro_f1"]
    assert ci["low"] <= ci["value"] <= ci["high"]
    assert set(metrics["ci95"]) >= {"macro_auc", "SVEB Se", "VEB +P"}
    import pandas as pd

    from biosig.models import load_estimator

    results = pd.read_csv(out / "results.csv")
    pooled = results.query("metric == 'macro_f1' and fold == 'all'")["value"].item()
    assert pooled == pytest.approx(metrics["macro_f1"])
    per_fold = results.query("metric == 'macro_f1' and fold == '0'")["value"].item()
    assert per_fold == pytest.approx(pooled)  # one fold: the fold is the whole test side
    trained = sorted(c for c, n in header["class_counts"]["train"].items() if n > 0)
    assert load_estimator(out / "model.keras").classes_.tolist() == trained
    report = (out / "report.html").read_text()
    assert "95 % confidence intervals" in report

    # the report can be written again from the folder, and runs compared
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").read_text() == report
    assert main(["compare", str(out), str(out)]) == 0
    assert ", ".join(TRAIN) in report and "Reduced protocol" in report
    assert "NaN" not in report.split("<h2>Figures")[0]  # base64 images may hold any letters
    assert (out / "roc.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["run", RECIPE, "--data-dir", str(data), "--partial", "--out", str(out)] + QUICK) == 2


def test_run_shows_one_bar_per_fold_and_no_backend_start_up_log(mitdb_subset, tmp_path):
    """In a fresh process, as a user runs it: TensorFlow's C++ start-up lines are hidden."""
    import subprocess
    import sys

    data = mitdb_subset(["101", "100"])
    args = [sys.executable, "-m", "biosig.cli", "run", RECIPE, "--data-dir", str(data),
            "--partial", "--set", "split.train=['101']", "--set", "split.test=['100']",
            "--set", "training.epochs=2", "--set", "model.filters=[4]",
            "--set", "training.bootstrap=20", "--set", "training.validation_fraction=0"]
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["KERAS_BACKEND"] = "tensorflow"
    quiet = subprocess.run(args + ["--out", str(tmp_path / "a")], capture_output=True,
                           text=True, env=env, timeout=300)
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    assert "cuda" not in quiet.stderr.lower() and "cpu_feature_guard" not in quiet.stderr
    assert "fold 1/1" in quiet.stderr and "2/2" in quiet.stderr and "loss=" in quiet.stderr


def test_download_without_network_says_so_in_one_sentence(tmp_path, capsys, monkeypatch):
    import types

    import pooch
    import requests

    from biosig.datasets import _download

    def offline(*args, **kwargs):
        raise requests.exceptions.ConnectionError(
            "HTTPSConnectionPool(host='physionet.org', port=443): Max retries exceeded")

    monkeypatch.setattr(_download, "get_version", offline)
    monkeypatch.setattr(pooch.HTTPDownloader, "__call__", offline)
    monkeypatch.setenv("BIOSIG_CACHE", str(tmp_path / "cache"))
    code = main(["datasets", "download", "mitdb", "--subjects", "100", "101",
                 "--data-dir", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "could not reach physionet.org" in err
    assert "6 file(s) are still missing (100.hea, 100.dat, 100.atr, 101.hea" in err
    assert "--data-dir" in err
    code = main(["run", RECIPE, "--data-dir", str(tmp_path), "--download",
                 "--out", str(tmp_path / "run")] + QUICK)
    err = capsys.readouterr().err.strip()
    assert code == 2 and "could not reach physionet.org" in err and "132 file(s)" in err
    assert not (tmp_path / "run").exists() and not list((tmp_path / "cache").rglob("*.dat"))
    # PhysioNet's index answers, its files do not: the same sentence, after pooch's retries
    monkeypatch.setattr(_download, "get_version", lambda db: "1.0.0")
    monkeypatch.setattr(pooch.core, "time", types.SimpleNamespace(sleep=lambda s: None))
    code = main(["datasets", "download", "mitdb", "--subjects", "100", "101",
                 "--data-dir", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "could not reach physionet.org" in err and "6 file(s) are still missing" in err
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_bad_recipe_fails_before_work(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(Path(RECIPE).read_text().replace("epochs = 30", "epochs = -1.5"))
    assert main(["run", str(bad), "--out", str(tmp_path / "run")]) == 2
    assert "bad.toml: [training] epochs = -1.5: expected a integer" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_split_errors_before_loading(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["run", RECIPE, "--data-dir", str(tmp_path), "--partial"]
    assert main(args + ["--set", "split.train=['100']", "--set", "split.test=['100', '103']"]) == 2
    assert "[split] on both sides: 100" in capsys.readouterr().err
    assert main(args + ["--set", "split.train='url'"]) == 2
    assert "split] train = 'url': mitdb has no such list" in capsys.readouterr().err


def test_empty_data_dir_names_the_folders(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # the default --out is runs/ under the working folder
    assert main(["run", RECIPE, "--data-dir", str(tmp_path), "--partial"] + QUICK) == 2
    assert str(tmp_path / "mitdb") in capsys.readouterr().err
    # a run that failed before any fit leaves nothing behind: no partial folder, no lock
    assert [p.name for p in (work / "runs").iterdir()] == []


def test_report_and_compare_name_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "not a biosig run folder" in capsys.readouterr().err
    assert main(["compare", str(tmp_path)]) == 2


def test_datasets_lists_every_source_with_what_is_here(data_dir, capsys):
    from biosig.datasets import SOURCES, get_source

    assert main(["datasets", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == set(SOURCES)
    mitdb = data_dir / "mitdb"
    complete = [r for r in MITBIHArrhythmia.RECORDS
                if all((mitdb / f"{r}.{ext}").exists() for ext in ("hea", "dat", "atr"))]
    assert f" {len(complete)}/48 " in rows["mitdb"]
    for name, row in rows.items():  # what is here is counted from the folder itself
        source = get_source(name, data_dir=data_dir, progress=False)
        complete = [s for s in source.subjects if not source.missing_files([s])]
        some = source.local_subjects(complete=False)
        here = f"{len(complete)}/{len(source.subjects)}"
        if set(some) - set(complete):
            here += f" (+{len(set(some) - set(complete))} partial)"
        assert f" {here} " in row + " ", (name, row)
    assert "EULA" in rows["deap"] and "ODC-BY 1.0" in rows["mitdb"]


def test_datasets_status_and_manual_download(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BIOSIG_CACHE", str(tmp_path))
    assert main(["datasets", "status", "eegmmidb", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    # No subject folder holds all 14 runs, so every one present is partly here.
    folders = sorted(p.name for p in (data_dir / "eegmmidb").glob("S[0-9][0-9][0-9]") if p.is_dir())
    assert f"partly here: {', '.join(folders[:8])}" in out and "complete here: -" in out
    assert len(folders) <= 8 or f"... ({len(folders)})" in out
    assert main(["datasets", "download", "deap", "--data-dir", str(tmp_path)]) == 2
    assert "EULA" in capsys.readouterr().err
    assert main(["datasets", "status", "nosuch"]) == 2
    assert "unknown dataset 'nosuch'" in capsys.readouterr().err
