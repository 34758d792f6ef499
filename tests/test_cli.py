import json
from pathlib import Path

import pytest

from biosig.cli import main
from biosig.datasets import MITBIHArrhythmia

RECIPE = str(Path(__file__).parents[1] / "recipes" / "arrhythmia_mitbih.toml")
QUICK = ["--set", "training.epochs=3", "--set", "model.filters=[8, 16]",
         "--set", "training.bootstrap=200", "--quiet"]


def test_full_protocol_refuses_missing_records(data_dir, tmp_path, capsys):
    ds = MITBIHArrhythmia(data_dir)
    missing = ds.missing(ds.DS1 + ds.DS2)
    if not missing:
        pytest.skip("the data folder holds every DS1/DS2 record")
    code = main(["run", RECIPE, "--data-dir", str(data_dir), "--out", str(tmp_path / "run")] + QUICK)
    err = capsys.readouterr().err
    assert code == 2
    assert f"record(s) missing: {', '.join(missing)}" in err
    assert "--download" in err and "--partial" in err
    assert not (tmp_path / "run").exists()


def test_partial_run_writes_metrics_plots_and_report(data_dir, tmp_path):
    out = tmp_path / "run"
    assert main(["run", RECIPE, "--data-dir", str(data_dir), "--partial", "--out", str(out)] + QUICK) == 0
    names = {p.name for p in out.iterdir()}
    assert {"metrics.json", "recipe.toml", "confusion_matrix.png", "roc.png", "report.html",
            "predictions.csv", "model.keras", "results.csv", "precision_recall.png",
            "training_curves.png"} <= names
    result = json.loads((out / "metrics.json").read_text())
    header, metrics = result["header"], result["metrics"]
    ds = MITBIHArrhythmia(data_dir)
    missing = ds.missing(ds.DS1 + ds.DS2)
    assert header["reduced_protocol"] is bool(missing)
    assert header["missing_subjects"] == missing
    assert header["train_records"] == [r for r in ds.DS1 if r not in missing]
    assert header["test_records"] == [r for r in ds.DS2 if r not in missing]
    assert not set(header["train_records"]) & set(header["test_records"])
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
    assert ", ".join(header["train_records"]) in report
    assert ("Reduced protocol" in report) is bool(missing)
    assert "NaN" not in report.split("<h2>Figures")[0]  # base64 images may hold any letters
    assert (out / "roc.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["run", RECIPE, "--data-dir", str(data_dir), "--partial", "--out", str(out)] + QUICK) == 2


def test_bad_recipe_fails_before_work(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(Path(RECIPE).read_text().replace("epochs = 30", "epochs = -1.5"))
    assert main(["run", str(bad), "--out", str(tmp_path / "run")]) == 2
    assert "bad.toml: [training] epochs = -1.5: expected a integer" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_split_errors_before_loading(tmp_path, capsys):
    args = ["run", RECIPE, "--data-dir", str(tmp_path), "--partial"]
    assert main(args + ["--set", "split.train=['100']", "--set", "split.test=['100', '103']"]) == 2
    assert "[split] on both sides: 100" in capsys.readouterr().err
    assert main(args + ["--set", "split.train='url'"]) == 2
    assert "split] train = 'url': mitdb has no such list" in capsys.readouterr().err


def test_empty_data_dir_names_the_folders(tmp_path, capsys):
    assert main(["run", RECIPE, "--data-dir", str(tmp_path), "--partial"] + QUICK) == 2
    assert str(tmp_path / "mitdb") in capsys.readouterr().err


def test_report_and_compare_name_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "not a biosig run folder" in capsys.readouterr().err
    assert main(["compare", str(tmp_path)]) == 2


def test_datasets_lists_every_source_with_what_is_here(data_dir, capsys):
    from biosig.datasets import SOURCES

    assert main(["datasets", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == set(SOURCES)
    assert " 5/5 " in rows["bonn"] and "0/109 (+1 partial)" in rows["eegmmidb"]
    assert "EULA" in rows["deap"] and "ODC-BY 1.0" in rows["mitdb"]


def test_datasets_status_and_manual_download(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BIOSIG_CACHE", str(tmp_path))
    assert main(["datasets", "status", "eegmmidb", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "partly here: S001" in out and "complete here: -" in out
    assert main(["datasets", "download", "deap", "--data-dir", str(tmp_path)]) == 2
    assert "EULA" in capsys.readouterr().err
    assert main(["datasets", "status", "nosuch"]) == 2
    assert "unknown dataset 'nosuch'" in capsys.readouterr().err
