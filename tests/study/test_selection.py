"""Nested selection: settings chosen on the training side, the test side scored once."""

import json
from pathlib import Path

import pandas as pd
import pytest

from biosig.cli import main

RECIPE = Path(__file__).parents[2] / "recipes" / "seizure_bonn.toml"
pytestmark = pytest.mark.slow

SELECTION = """
[selection]
inner = "group_kfold"
n_splits = 2
groups = "record"
scoring = "balanced_accuracy"

[selection.grid]
"model.dropout" = [0.0, 0.5]
"""


def test_selection_chooses_on_inner_folds_and_records_their_scores(data_dir, tmp_path):
    if not (data_dir / "bonn" / "Z").is_dir():
        pytest.skip("no Bonn data here")
    recipe = tmp_path / "bonn_selected.toml"
    recipe.write_text(RECIPE.read_text() + SELECTION)
    out = tmp_path / "run"
    # Two fits at a time, in joblib's worker processes.
    assert main(["run", str(recipe), "--data-dir", str(data_dir), "--out", str(out), "--quiet",
                 "--n-jobs", "2",
                 "--set", "dataset.subjects=['Z', 'S']",
                 "--set", "windows.classes=['normal', 'ictal']", "--set", "model.filters=[4]",
                 "--set", "training.epochs=1", "--set", "training.bootstrap=20",
                 "--set", "split.n_splits=2"]) == 0
    header = json.loads((out / "metrics.json").read_text())["header"]
    table = pd.read_csv(out / "selection.csv", dtype={"fold": str})
    assert len(table) == 2 * 2 and set(table["model.dropout"]) == {0.0, 0.5}
    assert table.groupby("fold")["chosen"].sum().eq(1).all()  # one choice per fold
    best = table.loc[table.groupby("fold")["inner balanced_accuracy"].idxmax()]
    assert best["chosen"].all()
    assert header["selected"] == {row["fold"]: {"model.dropout": row["model.dropout"]}
                                  for _, row in best.iterrows()}
    assert header["fits"]["run"] == 2 * 2 * 2 + 2  # inner fits, then one per outer fold
    assert any(line.startswith("Settings chosen on the training side only: 2 candidates")
               for line in header["protocol"])
    assert "Selection: inner scores" in (out / "report.html").read_text()
