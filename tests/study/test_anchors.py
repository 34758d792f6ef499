"""``[[anchors]]``: published results in a recipe, checked, and shown in the run's report."""

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import tomli_w

from biosig.evaluation import classification_metrics
from biosig.study import Anchor, RecipeError, load_recipe, render_report, validate
from biosig.study._score import HEADLINE

RECIPES = Path(__file__).parents[2] / "recipes"

BASE = """
[dataset]
source = "bonn"
[windows]
sampler = "sliding"
length = 23.5
labels = { Z = "normal", S = "ictal" }
classes = ["normal", "ictal"]
[model]
name = "cnn1d"
[split]
kind = "stratified_kfold"
"""

ANCHORS = """
[[anchors]]
source = "Acharya 2018, 13-layer CNN"
protocol = "10-fold, Z vs S"
metric = "accuracy"
value = 0.887
[[anchors]]
source = "Other 2021"
protocol = "leave one subject out"
metric = "f1:ictal"
value = 0.9
split = "leave_one_group_out"
note = "another split"
"""


def _recipe(tmp_path, text):
    path = tmp_path / "r.toml"
    path.write_text(text)
    return path


def test_anchors_round_trip_through_the_recipe(tmp_path):
    study = load_recipe(_recipe(tmp_path, BASE + ANCHORS))
    assert study.anchors == (
        Anchor("Acharya 2018, 13-layer CNN", "10-fold, Z vs S", "accuracy", 0.887),
        Anchor("Other 2021", "leave one subject out", "f1:ictal", 0.9, note="another split",
               split="leave_one_group_out"))
    table = study.to_dict()
    assert table["anchors"][1] == {"source": "Other 2021", "protocol": "leave one subject out",
                                   "metric": "f1:ictal", "value": 0.9, "note": "another split",
                                   "split": "leave_one_group_out", "reduced": False}
    again = tmp_path / "again.toml"
    again.write_text(tomli_w.dumps(table))  # as the run folder's recipe.toml is written
    assert load_recipe(again).anchors == study.anchors
    assert validate(table).to_dict() == table
    assert load_recipe(_recipe(tmp_path, BASE)).anchors == ()
    assert "anchors" not in load_recipe(_recipe(tmp_path, BASE)).to_dict()


@pytest.mark.parametrize("change, message", [
    ('value = 88.7', "[[anchors]] #1 value = 88.7: accuracy must be in [0, 1]; anchors are "
                     "fractions as the run reports them: write 0.887, not 88.7"),
    ('value = "high"', "[[anchors]] #1: [[anchors]] value = 'high': expected a"),
    ('reduce = true', "[[anchors]] #1: unknown key [[anchors]] reduce; allowed keys: source, "
                      "protocol, metric, value, note, split, reduced"),
    ('metric = "f1:S"', "[[anchors]] #1 metric = 'f1:S': class 'S' is not one of the recipe's "
                        "classes (normal, ictal)"),
    ('metric = "auroc"', "[[anchors]] #1 metric = 'auroc': unknown metric 'auroc'"),
    ('metric = "event_sensitivity"', "event metrics need [evaluation] seizure_label"),
])
def test_a_bad_anchor_is_refused_naming_the_key(tmp_path, change, message):
    key = change.split(" =")[0]
    lines = [line for line in ANCHORS.splitlines()[:6] if not line.startswith(f"{key} =")]
    with pytest.raises(RecipeError, match=re.escape(message)):
        load_recipe(_recipe(tmp_path, BASE + "\n".join(lines + [change]) + "\n"))


def test_anchor_without_its_source_or_set_on_the_command_line(tmp_path):
    text = BASE + "[[anchors]]\nprotocol = 'x'\nmetric = 'accuracy'\nvalue = 0.5\n"
    with pytest.raises(RecipeError, match=r"\[\[anchors\]\] #1: \[\[anchors\]\] source is required"):
        load_recipe(_recipe(tmp_path, text))
    with pytest.raises(RecipeError, match="anchors must be an array of tables"):
        load_recipe(_recipe(tmp_path, "anchors = 3\n" + BASE))
    with pytest.raises(RecipeError, match=r"\[\[anchors\]\] are set in the recipe file"):
        load_recipe(_recipe(tmp_path, BASE), ["anchors.value=0.5"])


def test_shipped_recipes_carry_the_readme_anchors_in_metrics_the_run_reports():
    mitbih = load_recipe(RECIPES / "arrhythmia_mitbih.toml")
    by = {(a.source.split(",")[0], a.metric): a for a in mitbih.anchors}
    assert by[("de Chazal 2004", "SVEB Se")].value == 0.759
    assert by[("de Chazal 2004", "VEB +P")].value == 0.819
    assert by[("Niu 2020", "SVEB F1")].value == 0.766 and by[("Xu 2022", "VEB F1")].value == 0.917
    assert by[("Wang 2023", "SVEB F1")].value == 0.747
    assert {a.split for a in mitbih.anchors} == {"inter_patient"}
    # the names a beat run reports with AAMI statistics (_score.headline / metrics.json ci95)
    aami = {f"{alias} {stat}" for alias in ("SVEB", "VEB") for stat in ("Se", "+P", "F1")}
    assert {a.metric for a in mitbih.anchors} <= aami
    assert load_recipe(RECIPES / "arrhythmia_mitbih_dbn.toml").anchors == mitbih.anchors
    bonn = load_recipe(RECIPES / "seizure_bonn.toml").anchors
    assert [a.value for a in bonn] == [0.967, 0.981, 0.887]
    assert load_recipe(RECIPES / "motor_imagery_eegmmi.toml").anchors[0].value == 0.824
    for path in sorted(RECIPES.glob("*.toml")):
        for anchor in load_recipe(path).anchors:
            assert anchor.metric in HEADLINE or anchor.metric in aami or anchor.metric in (
                "event_sensitivity", "false_detections_per_hour"), (path.name, anchor.metric)


def _run_folder(folder, *, reduced, anchors):
    """A run folder in the runner's layout, with the recipe's anchors in its recipe.toml."""
    frame = pd.DataFrame({"true": ["normal", "ictal"] * 10,
                          "pred": ["normal", "ictal"] * 8 + ["ictal", "normal"] * 2})
    metrics = classification_metrics(frame["true"], frame["pred"], labels=["normal", "ictal"])
    metrics["ci95"] = {"accuracy": {"value": metrics["accuracy"], "low": 0.6, "high": 0.95}}
    counts = frame["true"].value_counts().to_dict()
    header = {"study": "bonn", "source": "bonn", "split": "stratified_kfold",
              "reduced_protocol": reduced, "warnings": [], "protocol": ["synthetic"],
              "interval_unit": "records", "class_counts": {"train": counts, "test": counts}}
    folder.mkdir()
    (folder / "metrics.json").write_text(json.dumps({"header": header, "metrics": metrics}))
    (folder / "recipe.toml").write_text(tomli_w.dumps({"anchors": anchors}))
    return folder


def test_report_shows_published_results_and_warns_where_protocols_differ(tmp_path):
    study = load_recipe(_recipe(tmp_path, BASE + ANCHORS))
    run = _run_folder(tmp_path / "run", reduced=True,
                      anchors=[a.to_dict() for a in study.anchors])
    section = render_report(run).read_text().split("<h2>Published results</h2>")[1]
    section = section.split("<h2>")[0]
    assert "Acharya 2018, 13-layer CNN" in section and "0.887" in section
    assert "0.800 [0.600, 0.950]" in section  # the run's accuracy beside it, with its interval
    assert "10-fold, Z vs S" in section and "split stratified_kfold, reduced protocol" in section
    assert ("Protocols differ: this run is a reduced protocol; Acharya 2018, 13-layer CNN, "
            "Other 2021 are on the full one.") in section
    assert ("Protocols differ: Other 2021 used split leave_one_group_out, this run "
            "stratified_kfold.") in section
    full = _run_folder(tmp_path / "full", reduced=False,
                       anchors=[study.anchors[0].to_dict()])
    page = render_report(full).read_text()
    assert "Published results" in page and "Protocols differ" not in page
    (full / "recipe.toml").write_text("")
    assert "Published results" not in render_report(full).read_text()
