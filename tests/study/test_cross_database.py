"""A model trained on MIT-BIH records, tested once on another database (svdb)."""

import json
from pathlib import Path

import pandas as pd
import pytest

from biosig.cli import main

RECIPE = Path(__file__).parents[2] / "recipes" / "arrhythmia_mitbih_to_svdb.toml"
pytestmark = pytest.mark.slow


def test_mitdb_records_train_and_the_real_svdb_800_tests(mitdb_subset, data_dir, tmp_path):
    svdb = data_dir / "svdb"
    if not (svdb / "800.atr").exists():
        pytest.skip(f"{svdb} lacks record 800")
    root = mitdb_subset(["101", "208"])
    (root / "svdb").mkdir()
    for ext in ("hea", "dat", "atr"):
        (root / "svdb" / f"800.{ext}").symlink_to(svdb / f"800.{ext}")
    out = tmp_path / "run"
    assert main(["run", str(RECIPE), "--data-dir", str(root), "--out", str(out), "--quiet",
                 "--partial", "--set", "dataset.subjects=['101', '208']",
                 "--set", "training.epochs=1", "--set", "model.filters=[8]",
                 "--set", "training.bootstrap=20"]) == 0
    header = json.loads((out / "metrics.json").read_text())["header"]
    pred = pd.read_csv(out / "predictions.csv", dtype={"record": str, "subject": str})
    assert header["train_records"] == ["101", "208"] and header["test_records"] == ["800"]
    assert set(pred["record"]) == {"800"}  # only svdb is tested, once
    # 800's 30 minutes at 128 Hz were resampled to the training rate: the same beat
    # windows (252 samples at 360 Hz), one per annotated AAMI beat of N, S, V, F.
    assert header["class_counts"]["test"] == {"N": 1846, "S": 30, "V": 6, "F": 1}
    assert header["reduced_protocol"] and "77 of the 80" in header["warnings"][0]
    assert any("[test_dataset] svdb" in line for line in header["protocol"])


def test_a_rename_of_an_absent_lead_names_the_record(mitdb_subset, data_dir, tmp_path, capsys):
    svdb = data_dir / "svdb"
    if not (svdb / "800.atr").exists():
        pytest.skip(f"{svdb} lacks record 800")
    root = mitdb_subset(["101", "208"])
    (root / "svdb").mkdir()
    for ext in ("hea", "dat", "atr"):
        (root / "svdb" / f"800.{ext}").symlink_to(svdb / f"800.{ext}")
    recipe = tmp_path / "bad.toml"
    recipe.write_text(RECIPE.read_text().replace('rename = { "ECG" = "MLII" }',
                                                 'rename = { "V5" = "MLII" }'))
    code = main(["run", str(recipe), "--data-dir", str(root), "--out", str(tmp_path / "run"),
                 "--quiet", "--partial", "--set", "dataset.subjects=['101', '208']",
                 "--set", "training.epochs=1"])
    assert code == 2
    assert "record 800: rename names channels ['V5'] that are not in the file" in \
        capsys.readouterr().err
    assert not (tmp_path / "run").exists()
