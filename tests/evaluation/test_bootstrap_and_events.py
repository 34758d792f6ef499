import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, average_precision_score, balanced_accuracy_score, cohen_kappa_score, f1_score

from biosig.evaluation import (bootstrap_ci, bootstrap_metrics, classification_metrics,
                               seizure_event_counts, seizure_event_metrics)


def test_new_metrics_agree_with_sklearn():
    rng = np.random.default_rng(3)
    y = rng.choice(["N", "S", "V"], 300, p=[0.7, 0.2, 0.1])
    score = rng.dirichlet(np.ones(3), 300)
    pred = np.array(["N", "S", "V"])[score.argmax(axis=1)]
    m = classification_metrics(y, pred, score, labels=["N", "S", "V"], classes=["N", "S", "V"])
    assert m["weighted_f1"] == pytest.approx(f1_score(y, pred, average="weighted"))
    assert m["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, pred))
    assert m["kappa"] == pytest.approx(cohen_kappa_score(y, pred))
    for i, c in enumerate("NSV"):
        assert m["per_class"][c]["pr_auc"] == pytest.approx(average_precision_score(y == c, score[:, i]))
    assert m["macro_pr_auc"] == pytest.approx(np.mean([m["per_class"][c]["pr_auc"] for c in "NSV"]))


def test_bootstrap_by_group_covers_the_true_value_at_about_the_nominal_rate():
    """Simulated studies: 30 subjects whose accuracies vary; the truth is their mean."""
    rng = np.random.default_rng(0)
    truth = 0.8
    covered = []
    for _ in range(150):
        p = np.clip(rng.normal(truth, 0.08, 30), 0, 1)
        n = rng.integers(20, 60, 30)
        groups = np.repeat(np.arange(30), n)
        correct = rng.random(n.sum()) < np.repeat(p, n)
        y = np.ones(n.sum())
        pred = np.where(correct, 1, 0)
        # accuracy weights subjects by their window counts; the target is the
        # population accuracy, the mean of p weighted the same way in expectation
        low, high = bootstrap_metrics(y, pred, groups, n_resamples=300,
                                      random_state=rng.integers(1 << 30))["accuracy"]
        covered.append(low <= truth <= high)
    assert 0.88 <= np.mean(covered) <= 0.99


def test_bootstrap_by_window_would_be_too_narrow():
    rng = np.random.default_rng(1)
    p = np.repeat(rng.uniform(0.5, 1.0, 10), 100)
    pred = (rng.random(1000) < p).astype(int)
    y = np.ones(1000, int)
    metric = lambda t, q, s: accuracy_score(t, q)  # noqa: E731
    by_group = bootstrap_ci(metric, y, pred, np.repeat(np.arange(10), 100), random_state=0)
    by_window = bootstrap_ci(metric, y, pred, np.arange(1000), random_state=0)
    width = lambda ci: ci["value"][1] - ci["value"][0]  # noqa: E731
    assert width(by_group) > 2 * width(by_window)


def test_dict_metrics_and_undefined_values():
    y = np.array(["N"] * 50 + ["S"] * 2)
    groups = np.repeat(np.arange(26), 2)
    pred = np.array(["N"] * 52)
    cis = bootstrap_ci(lambda t, q, s: {"acc": float(np.mean(t == q)),
                                        "s_recall": None if not (t == "S").any()
                                        else float(np.mean(q[t == "S"] == "S")),
                                        "auc": None},
                       y, pred, groups, n_resamples=200, random_state=0)
    # S sits in one subject: resamples without it leave 100 % accuracy
    assert cis["acc"][0] < 50 / 52 and cis["acc"][1] == 1.0
    assert cis["s_recall"] == (0.0, 0.0)  # defined in the ~64 % of resamples holding it
    assert cis["auc"] == (None, None)


def test_seizure_events_sensitivity_false_detections_and_latency():
    onset = np.arange(0, 3600, 10.0)  # one hour of 10 s windows per record
    meta = pd.DataFrame({"record": ["r1"] * 360 + ["r2"] * 360, "onset": np.r_[onset, onset]})
    y = np.array(["interictal"] * 720, dtype=object)
    y[100:106] = "ictal"        # r1: seizure at 1000-1060 s
    y[360 + 200:360 + 203] = "ictal"  # r2: seizure at 2000-2030 s
    pred = np.array(["interictal"] * 720, dtype=object)
    pred[102:104] = "ictal"     # detected 20 s after onset
    pred[50] = "ictal"          # a false detection in r1
    pred[360 + 10:360 + 12] = "ictal"  # one more false detection (two windows, one event)
    m = seizure_event_metrics(meta, y, pred, window=10.0)
    assert (m["n_seizures"], m["n_detected"], m["false_detections"]) == (2, 1, 2)
    assert m["event_sensitivity"] == 0.5 and m["latency"] == 20.0
    assert m["hours"] == pytest.approx(2.0) and m["false_detections_per_hour"] == pytest.approx(1.0)


def _scored_windows(seed=3, n=2000, n_groups=9):
    """Four classes, rounded scores (ties), a group without S, a label outside ``labels``."""
    rng = np.random.default_rng(seed)
    labels = ["N", "S", "V", "F"]
    y = rng.choice(labels, n, p=[0.8, 0.1, 0.07, 0.03])
    groups = rng.integers(0, n_groups, n).astype(str)
    y[(groups == "2") & (y == "S")] = "N"
    score = rng.dirichlet(np.ones(4), n)
    score[np.arange(n), [labels.index(v) for v in y]] += rng.random(n)
    score = np.round(score / score.sum(axis=1, keepdims=True), 2)
    pred = np.array(labels, dtype=object)[score.argmax(axis=1)]
    pred[:5] = "Q"  # a prediction outside the reported labels counts against accuracy
    return y, pred, score, groups, labels


def test_resampled_sums_give_the_intervals_of_recomputing_every_resample():
    y, pred, score, groups, labels = _scored_windows()
    names = ["accuracy", "balanced_accuracy", "kappa", "macro_f1", "weighted_f1", "macro_auc",
             "macro_pr_auc"]
    stats = ["sensitivity", "ppv", "f1", "specificity", "auc", "pr_auc"]

    def recompute(t, q, s):
        m = classification_metrics(t, q, s, labels=labels, classes=labels)
        out = {k: m[k] for k in names}
        out.update({f"{c} {k}": m["per_class"][c][k] for c in labels for k in stats})
        return out

    slow = bootstrap_ci(recompute, y, pred, groups, score, n_resamples=60, random_state=7)
    fast = bootstrap_metrics(y, pred, groups, score, labels=labels, classes=labels,
                             n_resamples=60, random_state=7)
    for k in names:
        np.testing.assert_allclose(fast[k], slow[k], rtol=0, atol=1e-9, err_msg=k)
    for c in labels:
        for k in stats:
            np.testing.assert_allclose(fast["per_class"][c][k], slow[f"{c} {k}"], rtol=0,
                                       atol=1e-9, err_msg=f"{c} {k}")
    assert fast["accuracy"][1] < 1 and fast["macro_auc"][0] > 0.5


def test_event_intervals_count_a_record_drawn_twice_twice():
    onset = np.arange(0, 600, 10.0)
    records = np.repeat(["r1", "r2", "r3"], len(onset))
    meta = pd.DataFrame({"record": records, "onset": np.tile(onset, 3)})
    y = np.array(["interictal"] * len(records), dtype=object)
    pred = y.copy()
    y[10:13] = "ictal"           # r1: one seizure, found 10 s late
    pred[11:13] = "ictal"
    y[60 + 30:60 + 33] = "ictal"  # r2: one seizure, missed; r3: none
    pred[120 + 5] = "ictal"      # r3: one false detection
    counts, latencies = seizure_event_counts(meta, y, pred, window=10.0)
    assert counts.loc["r1"].tolist() == [1, 1, 0, pytest.approx(600 / 3600), 10.0]
    assert counts.loc["r3", "false_detections"] == 1 and latencies == [10.0]
    ci = bootstrap_metrics(y, pred, records, events=counts, n_resamples=400, random_state=0)
    # Sensitivity is 0, 1/2 or 1 depending on which seizure records are drawn.
    assert ci["events"]["event_sensitivity"] == (0.0, 1.0)
    low, high = ci["events"]["false_detections_per_hour"]
    assert low == 0.0 and high == pytest.approx(3 / (3 * 600 / 3600))  # r3 drawn three times
