"""Paired statistics across test units (``biosig compare --stats``).

Run folders here are written directly in the layout ``biosig run`` writes
(``metrics.json`` with its header, ``predictions.csv`` one row per tested
window, ``recipe.toml``), which takes milliseconds instead of a training run.
"""

import json
import re

import numpy as np
import pandas as pd
import pytest
import tomli_w
from scipy import stats

from biosig.cli import main
from biosig.evaluation import (IncomparableRunsError, classification_metrics, holm,
                               paired_comparison, paired_effect, paired_test, parse_metric,
                               plot_paired, unit_scores)


def _write_run(folder, correct, *, unit="subject", classes=("left", "right"), per_unit=10,
               source="eegmmidb", split="group_kfold", reduced=False, n_folds=2, sampler="event"):
    """A run folder whose unit ``u`` has ``correct[u]`` of its ``per_unit`` windows right."""
    rows = []
    for k, (name, n_right) in enumerate(correct.items()):
        for j in range(per_unit):
            true = classes[j % len(classes)]
            pred = true if j < n_right else classes[(j + 1) % len(classes)]
            row = {"record": name if unit == "record" else f"{name}R01",
                   "subject": f"P{k:03d}" if unit == "record" else name, "onset": float(j),
                   "fold": str(k % n_folds), "true": true, "pred": pred}
            row.update({f"p_{c}": 0.8 if c == pred else 0.2 / (len(classes) - 1) for c in classes})
            rows.append(row)
    frame = pd.DataFrame(rows)
    folder.mkdir(parents=True)
    frame.to_csv(folder / "predictions.csv", index=False)
    metrics = classification_metrics(frame["true"], frame["pred"],
                                     frame[[f"p_{c}" for c in classes]].to_numpy(),
                                     labels=list(classes), classes=list(classes))
    metrics["ci95"] = {"accuracy": {"value": metrics["accuracy"], "low": 0.1, "high": 0.9},
                       "macro_f1": {"value": metrics["macro_f1"], "low": 0.1, "high": 0.9}}
    counts = frame["true"].value_counts().to_dict()
    header = {"study": folder.name, "source": source, "split": split,
              "reduced_protocol": reduced, "warnings": [], "protocol": ["synthetic"],
              "subjects": sorted(frame["subject"].unique()), "missing_subjects": [],
              "train_records": None, "test_records": None, "n_folds": n_folds, "folds": [],
              "interval_unit": f"{unit}s",
              "class_counts": {"train": counts, "test": counts},
              "n_windows": len(frame), "n_tested": len(frame), "n_features": 0,
              "imbalance": "none", "keras_backend": "tensorflow", "wall_time_s": 1.0}
    (folder / "metrics.json").write_text(json.dumps({"header": header, "metrics": metrics,
                                                     "tables": {}}))
    (folder / "recipe.toml").write_text(tomli_w.dumps({"windows": {"sampler": sampler}}))
    return folder


SUBJECTS = {f"S{i:03d}": 5 + i % 4 for i in range(1, 7)}


# ---- the tests against scipy --------------------------------------------------------------------

def test_exact_sign_flip_test_is_scipys_paired_permutation_test():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.5, 0.9, 9), rng.uniform(0.5, 0.9, 9)
    ours = paired_test(a, b)
    # the same test written as swapping the two runs within each pair, all 2**9 ways
    ref = stats.permutation_test((b, a), lambda x, y, axis: np.mean(x - y, axis=axis),
                                 permutation_type="samples", vectorized=True, n_resamples=np.inf)
    assert ours["exact"] and ours["pvalue"] == pytest.approx(ref.pvalue, abs=1e-12)
    assert ours["statistic"] == pytest.approx(np.mean(b - a))


def test_five_units_smallest_two_sided_p_is_two_in_thirty_two():
    a = np.array([0.6, 0.7, 0.5, 0.8, 0.65])
    result = paired_test(a, a + [0.1, 0.2, 0.05, 0.3, 0.15])  # every unit better in B
    assert result["exact"] and result["pvalue"] == pytest.approx(2 / 32)
    assert paired_test(a, a - 0.1)["pvalue"] == pytest.approx(2 / 32)  # symmetric


def test_monte_carlo_beyond_exact_max_is_seeded_and_matches_scipy():
    rng = np.random.default_rng(2)
    a, b = rng.uniform(0.4, 0.9, 30), rng.uniform(0.45, 0.95, 30)
    ours = paired_test(a, b, n_resamples=2000, random_state=7)
    ref = stats.permutation_test((b - a,), lambda x, axis: np.mean(x, axis=axis),
                                 permutation_type="samples", vectorized=True, n_resamples=2000,
                                 rng=np.random.default_rng(7))
    assert not ours["exact"] and ours["pvalue"] == pytest.approx(ref.pvalue)
    assert paired_test(a, b, n_resamples=2000, random_state=7) == ours


def test_wilcoxon_is_scipys():
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.4, 0.9, 12), rng.uniform(0.45, 0.95, 12)
    ours, ref = paired_test(a, b, test="wilcoxon"), stats.wilcoxon(b, a)
    assert ours["pvalue"] == pytest.approx(ref.pvalue) and ours["statistic"] == ref.statistic
    assert ours["exact"]  # 12 distinct non-zero differences: scipy's exact distribution
    assert paired_test(a, a, test="wilcoxon")["pvalue"] == 1.0
    with pytest.raises(ValueError, match="expected one of permutation, wilcoxon"):
        paired_test(a, b, test="t")


def test_holm_against_a_hand_worked_example():
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> 0.06 (monotone)
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.4, 0.5]) == pytest.approx([0.8, 0.8])  # 0.4 x 2 = 0.8; 0.5 x 1 -> 0.8
    assert holm([0.3, 0.9, 0.6]).max() == 1.0
    out = holm([0.02, np.nan, 0.04])  # NaN left out of m
    assert np.isnan(out[1]) and out[[0, 2]] == pytest.approx([0.04, 0.04])
    assert holm([0.03]) == pytest.approx([0.03])


def test_effect_size_and_its_bootstrap_interval():
    rng = np.random.default_rng(4)
    a = rng.uniform(0.5, 0.8, 20)
    b = a + rng.normal(0.05, 0.03, 20)
    d = b - a
    effect = paired_effect(a, b, n_resamples=2000, random_state=0)
    assert effect["mean"] == pytest.approx(d.mean())
    assert effect["dz"] == pytest.approx(d.mean() / d.std(ddof=1))
    ref = stats.bootstrap((d,), np.mean, method="percentile", n_resamples=2000,
                          rng=np.random.default_rng(0)).confidence_interval
    assert (effect["mean_low"], effect["mean_high"]) == pytest.approx((ref.low, ref.high))
    assert effect["mean_low"] < effect["mean"] < effect["mean_high"]
    assert effect["dz_low"] < effect["dz"] < effect["dz_high"]
    constant = paired_effect(a, a + 0.1)
    assert constant["mean_low"] == constant["mean_high"] == pytest.approx(0.1)
    assert np.isnan(constant["dz"])  # no spread: d_z undefined


# ---- run folders ------------------------------------------------------------------------------

def test_unit_scores_are_each_units_own_metric(tmp_path):
    run = _write_run(tmp_path / "a", {"100": 7, "101": 10, "105": 3}, unit="record",
                     classes=("N", "S", "V"), source="mitdb", split="inter_patient", n_folds=1,
                     sampler="beat")
    frame = pd.read_csv(run / "predictions.csv", dtype={"record": str})
    f1 = unit_scores(frame, unit="record", metric="macro_f1", labels=["N", "S", "V"])
    for record, part in frame.groupby("record"):
        assert f1[record] == pytest.approx(classification_metrics(
            part["true"], part["pred"], labels=["N", "S", "V"])["macro_f1"])
    acc = unit_scores(frame, unit="record", metric="accuracy", labels=["N", "S", "V"])
    assert acc.to_dict() == {"100": 0.7, "101": 1.0, "105": 0.3}
    assert parse_metric("SVEB F1") == ("S", "f1") and parse_metric("f1:V") == ("V", "f1")
    with pytest.raises(ValueError, match="class 'Q' is not one of the run's classes"):
        unit_scores(frame, unit="record", metric="f1:Q", labels=["N", "S", "V"])


def test_paired_comparison_of_three_runs(tmp_path):
    a = _write_run(tmp_path / "a", SUBJECTS)
    b = _write_run(tmp_path / "b", {s: min(10, n + 2) for s, n in SUBJECTS.items()})
    c = _write_run(tmp_path / "c", {s: n - (i % 2) for i, (s, n) in enumerate(SUBJECTS.items())})
    result = paired_comparison([a, b, c])
    assert result.metric == "accuracy" and result.unit == "subjects"  # EEG default
    assert list(result.scores.index) == sorted(SUBJECTS)
    assert result.scores["a"].to_dict() == {s: n / 10 for s, n in SUBJECTS.items()}
    pairs = result.pairs.set_index(["A", "B"])
    assert list(pairs.index) == [("a", "b"), ("a", "c"), ("b", "c")]
    ab = pairs.loc[("a", "b")]
    assert ab["n"] == 6 and ab["exact"] and ab["B - A"] == pytest.approx(
        (result.scores["b"] - result.scores["a"]).mean())
    assert ab["p"] == pytest.approx(paired_test(result.scores["a"], result.scores["b"])["pvalue"])
    assert ab["p"] == pytest.approx(2 / 64)  # all six subjects better in b: exact floor
    assert pairs["p Holm"].to_numpy() == pytest.approx(holm(pairs["p"]))
    wilcoxon = paired_comparison([a, b], test="wilcoxon").pairs.iloc[0]
    assert wilcoxon["p"] == pytest.approx(stats.wilcoxon(result.scores["b"],
                                                         result.scores["a"]).pvalue)
    fig = plot_paired(result)
    assert len(fig.axes) == 3


def test_beat_runs_default_to_macro_f1_over_records(tmp_path):
    records = {"100": 8, "103": 6, "105": 9}
    kw = dict(unit="record", classes=("N", "S", "V"), source="mitdb", split="inter_patient",
              n_folds=1, sampler="beat")
    a, b = _write_run(tmp_path / "a", records, **kw), _write_run(tmp_path / "b", records, **kw)
    result = paired_comparison([a, b])
    assert result.metric == "macro_f1" and result.unit == "records"
    assert result.pairs.iloc[0]["p"] == 1.0 and result.pairs.iloc[0]["B - A"] == 0.0


@pytest.mark.parametrize("change, message", [
    (dict(correct={**SUBJECTS, "S007": 5}), "run b tests subjects S007 that run a does not test"),
    (dict(correct={s: n for s, n in SUBJECTS.items() if s not in ("S004", "S005")}),
     "run a tests subjects S004, S005 that run b does not test"),
    (dict(reduced=True), "run a is a full protocol, run b reduced"),
    (dict(split="leave_one_group_out"), "run a uses split 'group_kfold', run b "
                                        "'leave_one_group_out'"),
    (dict(classes=("left", "right", "feet")), "run a classifies left, right, run b left, right, "
                                              "feet"),
    (dict(n_folds=5), "run a has 2 folds, run b 5"),
    (dict(unit="record"), "run a scores subjects, run b records"),
    (dict(source="bci_iv_2a"), "run a tests source eegmmidb, run b bci_iv_2a"),
])
def test_runs_that_differ_are_refused_naming_the_difference(tmp_path, change, message):
    a = _write_run(tmp_path / "a", SUBJECTS)
    b = _write_run(tmp_path / "b", **{"correct": SUBJECTS, **change})
    with pytest.raises(IncomparableRunsError, match=re.escape(message)):
        paired_comparison([a, b])


def test_cli_compare_stats_prints_the_pairs_and_writes_the_plot(tmp_path, capsys, monkeypatch):
    a = _write_run(tmp_path / "a", SUBJECTS)
    b = _write_run(tmp_path / "b", {s: min(10, n + 2) for s, n in SUBJECTS.items()})
    plot = tmp_path / "out" / "paired.png"
    plot.parent.mkdir()
    assert main(["compare", str(a), str(b), "--stats", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "accuracy per subject, paired over subjects" in out and "p Holm" in out
    assert "0.03125" in out  # 2/64: all six subjects better in b, exact
    assert plot.read_bytes()[:4] == b"\x89PNG"
    monkeypatch.chdir(tmp_path)  # default: compare-<metric>.png in the current folder
    assert main(["compare", str(a), str(b), "--stats", "--metric", "balanced_accuracy",
                 "--test", "wilcoxon"]) == 0
    assert (tmp_path / "compare-balanced_accuracy.png").exists()
    assert "wilcoxon" in capsys.readouterr().out
    c = _write_run(tmp_path / "c", SUBJECTS, reduced=True)
    assert main(["compare", str(a), str(c), "--stats"]) == 2
    assert "run a is a full protocol, run c reduced" in capsys.readouterr().err
    assert main(["compare", str(a), str(b), "--metric", "kappa"]) == 2  # --metric needs --stats
    assert "go with --stats" in capsys.readouterr().err
