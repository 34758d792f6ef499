"""Nested selection: settings chosen on DS1 alone, DS2 scored once.

A spy on every row the fits and scores read shows that the selection never
reads a DS2 window.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from biosig.cli import main
from biosig.datasets import AAMI_EC57
from biosig.study import _execute

RECIPE = Path(__file__).parents[2] / "recipes" / "arrhythmia_mitbih.toml"
pytestmark = pytest.mark.slow

SELECTION = """
[selection]
inner = "group_kfold"
n_splits = 2
groups = "record"
scoring = "macro_f1"

[selection.grid]
"model.dropout" = [0.0, 0.5]
"windows.tmin" = [-1.0]  # both candidates cut wider beats than the recipe
"""


def _beats_that_fit(folder, records, tmin, tmax):
    """Beats of each AAMI class present whose [tmin, tmax] window lies in the record."""
    import wfdb

    labels = []
    for record in records:
        header = wfdb.rdheader(str(folder / record))
        ann = wfdb.rdann(str(folder / record), "atr")
        fits = ((ann.sample + tmin * header.fs >= 0)
                & (ann.sample + tmax * header.fs <= header.sig_len))
        labels += [AAMI_EC57.get(s) for s in np.asarray(ann.symbol)[fits]]
    counts = pd.Series(labels, dtype=object).value_counts()
    return {label: int(counts[label]) for label in "NSVF" if label in counts}


def test_selection_chooses_on_ds1_and_never_reads_ds2(mitdb_subset, tmp_path, monkeypatch):
    data = mitdb_subset(["101", "106", "100"])  # DS1: 101, 106; DS2: 100
    read = {}  # job key -> records of the rows it read
    model_view = _execute.model_view

    class Spy:
        def __init__(self, view, records, key):
            self.view, self.records, self.key = view, records, key

        def __getattr__(self, name):
            return getattr(self.view, name)

        def __getitem__(self, rows):
            read.setdefault(self.key, set()).update(self.records[rows])
            return self.view[rows]

    def run_job(job, *args, **kwargs):
        def spied(study, windows):
            records = windows.meta["record"].to_numpy().astype(str)
            return Spy(model_view(study, windows), records, job.key)

        monkeypatch.setattr(_execute, "model_view", spied)
        return run_one(job, *args, **kwargs)

    run_one = _execute.run_job
    monkeypatch.setattr(_execute, "run_job", run_job)
    recipe = tmp_path / "selected.toml"
    recipe.write_text(RECIPE.read_text() + SELECTION)
    out = tmp_path / "run"
    assert main(["run", str(recipe), "--data-dir", str(data), "--partial", "--out", str(out),
                 "--quiet", "--set", "training.epochs=1", "--set", "model.filters=[4]",
                 "--set", "training.bootstrap=20"]) == 0
    inner = {k: v for k, v in read.items() if k.startswith("inner-")}
    assert len(inner) == 2 * 2  # candidates x inner folds, each spied
    assert set().union(*inner.values()) == {"101", "106"}  # never 100
    assert read["fold-0"] == {"101", "106", "100"}  # the outer fit, then its one test
    header = json.loads((out / "metrics.json").read_text())["header"]
    assert header["fits"]["run"] == 2 * 2 + 1  # inner fits, then the one outer fit
    assert np.isin(header["test_records"], ["100"]).all()
    # One inner score per candidate; the best is chosen, said, and refitted.
    table = pd.read_csv(out / "selection.csv", dtype={"fold": str})
    assert len(table) == 2 and set(table["model.dropout"]) == {0.0, 0.5}
    best = table.loc[table["inner macro_f1"].idxmax()]
    assert table["chosen"].sum() == 1 and best["chosen"]
    assert header["selected"] == {"0": {"model.dropout": best["model.dropout"],
                                        "windows.tmin": -1.0}}
    # The counts are of the chosen candidate's windows: record 106's first beat
    # (0.98 s in) fits the recipe's -0.25 s but not -1.0 s.
    assert header["class_counts"]["train"] == _beats_that_fit(data / "mitdb", ["101", "106"],
                                                              -1.0, 0.45)
    assert header["class_counts"]["test"] == _beats_that_fit(data / "mitdb", ["100"], -1.0, 0.45)
    assert header["n_windows"] == sum(header["class_counts"]["train"].values()) \
        + header["n_tested"]
    assert any(line.startswith("Settings chosen on the training side only: 2 candidates")
               for line in header["protocol"])
    assert "Selection: inner scores" in (out / "report.html").read_text()


def test_header_counts_the_recipe_windows_when_folds_chose_different_ones():
    from biosig.study._runner import _counted_windows

    base, wide, crops = object(), object(), object()
    assert _counted_windows(base, {"0": base, "1": base}) == (base, "all windows")
    assert _counted_windows(base, {"0": wide, "1": wide}) == (wide, "all windows")
    assert _counted_windows(base, {"0": wide, "1": crops}) == (
        base, "all windows (the recipe's own)")
