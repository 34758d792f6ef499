"""Record bootstrap on the full MIT-BIH DS2 test side: per-group sums against recomputing.

Run on purpose, not in the unit tests::

    python benchmarks/bootstrap.py --data-dir DIR [--resamples 1000] [--predictions RUN/predictions.csv]

The test side is the 22 DS2 records of de Chazal et al. (2004): every beat of
their reference annotations in the AAMI classes N, S, V and F (Q left out, as
the arrhythmia recipe does). Without ``--predictions`` the class
probabilities are those of a simulated classifier (right class boosted, a
per-record bias, rounded to float32 so that ties occur as they do in real
softmax outputs); with it, a run folder's ``predictions.csv`` is used as is.

Two implementations compute 95 % intervals of the arrhythmia run's headline
metrics (accuracy, balanced accuracy, macro F1, macro ROC-AUC, kappa, SVEB and
VEB Se and +P) over resamples of whole records:

- ``recompute``: the implementation biosig shipped before, kept here verbatim
  as the baseline: each resample concatenates the windows of the drawn
  records and calls :func:`classification_metrics` on them. It is slow, so it
  runs ``--reference-resamples`` resamples and its rate is per resample.
- ``sums``: :func:`biosig.evaluation.bootstrap_metrics`, which builds
  per-record confusion matrices and ranked-pair counts once and makes every
  resample a weighted sum. It runs all ``--resamples``, preparation included.

Both see the same draws (the same seed), so their per-resample values must
agree: to 1e-9 on Se, +P, F1, accuracy, balanced accuracy and kappa, to 1e-3
on the AUCs. The script prints the time of each, the ratio of their rates
(target >= 45x), the time of 1,000 resamples (target <= 10 s) and the
largest difference per metric.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DS2 = ("100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210", "212",
       "213", "214", "219", "221", "222", "228", "231", "232", "233", "234")
CLASSES = ["N", "S", "V", "F"]
EXACT = ("accuracy", "balanced_accuracy", "macro_f1", "kappa", "SVEB Se", "SVEB +P", "VEB Se",
         "VEB +P", "SVEB F1", "VEB F1")
AUCS = ("macro_auc",)


def load_test_side(data_dir, records, seed=0):
    """Labels and records of every DS2 beat, and simulated class probabilities."""
    import wfdb

    from biosig.datasets import AAMI_EC57

    labels, owner = [], []
    for record in records:
        ann = wfdb.rdann(str(Path(data_dir) / "mitdb" / record), "atr")
        beats = [AAMI_EC57[s] for s in ann.symbol if AAMI_EC57.get(s) in CLASSES]
        labels += beats
        owner += [record] * len(beats)
    y, groups = np.array(labels), np.array(owner)
    rng = np.random.default_rng(seed)
    bias = rng.normal(0, 0.8, (len(records), len(CLASSES)))[np.unique(groups, return_inverse=True)[1]]
    logits = 2.5 * (y[:, None] == np.array(CLASSES)) + bias + rng.normal(0, 1.0, (len(y), 4))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, groups, proba.astype(np.float32).astype(np.float64)


def load_predictions(path):
    import pandas as pd

    frame = pd.read_csv(path, dtype={"record": str})
    columns = [f"p_{c}" for c in CLASSES if f"p_{c}" in frame]
    return frame["true"].to_numpy(str), frame["record"].to_numpy(str), frame[columns].to_numpy()


def _headline(metrics):
    out = {k: metrics[k] for k in ("accuracy", "balanced_accuracy", "macro_f1", "macro_auc",
                                   "kappa")}
    for label, alias in (("S", "SVEB"), ("V", "VEB")):
        c = metrics["per_class"][label]
        out[f"{alias} Se"], out[f"{alias} +P"], out[f"{alias} F1"] = (
            c["sensitivity"], c["ppv"], c["f1"])
    return out


def recompute(y, pred, proba, groups, n_resamples, seed):
    """The previous implementation: every resample recomputes its metrics from windows."""
    from sklearn.utils import check_random_state

    from biosig.evaluation import classification_metrics

    rng = check_random_state(seed)
    names, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(names))]
    rows = []
    for _ in range(n_resamples):
        chosen = rng.randint(0, len(names), len(names))
        index = np.concatenate([members[g] for g in chosen])
        rows.append(_headline(classification_metrics(y[index], pred[index], proba[index],
                                                     labels=CLASSES, classes=CLASSES)))
    return rows


def sums(y, pred, proba, groups, n_resamples, seed):
    """Per-record sums: the intervals, as a run computes them."""
    from biosig.evaluation import bootstrap_metrics

    return bootstrap_metrics(y, pred, groups, proba, labels=CLASSES, classes=CLASSES,
                             n_resamples=n_resamples, random_state=seed, pr_auc=False)


def resampled_values(y, pred, proba, groups, n_resamples, seed):
    """The headline value of each resample, from the same per-record sums."""
    from biosig.evaluation import group_resamples
    from biosig.evaluation._group_statistics import GroupStatistics

    names, inverse = np.unique(groups, return_inverse=True)
    stats = GroupStatistics(y, pred, inverse, len(names), proba, labels=CLASSES, classes=CLASSES)
    return _headline(stats.metrics(group_resamples(len(names), n_resamples, seed)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("BIOSIG_DATA"))
    parser.add_argument("--records", nargs="+", default=list(DS2), help="test records (default DS2)")
    parser.add_argument("--predictions", help="a run's predictions.csv instead of simulated ones")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--reference-resamples", type=int, default=20,
                        help="resamples given to the slow baseline (its rate is per resample)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.predictions:
        y, groups, proba = load_predictions(args.predictions)
        source = args.predictions
    else:
        if not args.data_dir:
            parser.error("give --data-dir or set BIOSIG_DATA (or --predictions)")
        y, groups, proba = load_test_side(args.data_dir, args.records, args.seed)
        source = "simulated probabilities on the reference beats"
    pred = np.array(CLASSES)[proba.argmax(axis=1)]
    print(f"{len(y)} beats in {len(set(groups))} records ({source}); classes "
          + ", ".join(f"{c} {np.sum(y == c)}" for c in CLASSES))

    start = time.perf_counter()
    reference = recompute(y, pred, proba, groups, args.reference_resamples, args.seed)
    t_ref = time.perf_counter() - start
    start = time.perf_counter()
    ci = sums(y, pred, proba, groups, args.resamples, args.seed)
    t_new = time.perf_counter() - start
    values = resampled_values(y, pred, proba, groups, args.reference_resamples, args.seed)

    rate_ref, rate_new = args.reference_resamples / t_ref, args.resamples / t_new
    print(f"\n{'implementation':40s} {'resamples':>9s} {'seconds':>8s} {'resamples/s':>12s}")
    print(f"{'recompute from windows (before)':40s} {args.reference_resamples:9d} {t_ref:8.2f} "
          f"{rate_ref:12.1f}")
    print(f"{'per-record sums (bootstrap_metrics)':40s} {args.resamples:9d} {t_new:8.2f} "
          f"{rate_new:12.1f}")
    print(f"ratio {rate_new / rate_ref:.0f}x (target >= 45x); {1000 / rate_new:.2f} s per 1,000 "
          "resamples (target <= 10 s)")

    print(f"\nlargest difference over the {args.reference_resamples} shared resamples:")
    worst = {}
    for name in EXACT + AUCS:
        ref = np.array([np.nan if r[name] is None else r[name] for r in reference])
        new = values[name]
        if not np.array_equal(np.isnan(ref), np.isnan(new)):
            raise AssertionError(f"{name}: defined in different resamples")
        worst[name] = float(np.nanmax(np.abs(ref - new), initial=0.0))
        tol = 1e-3 if name in AUCS else 1e-9
        print(f"  {name:18s} {worst[name]:.1e} (tolerance {tol:g})")
        if worst[name] > tol:
            raise AssertionError(f"{name}: the two implementations differ by {worst[name]:.2e}")
    print("\n95 % intervals (per-record sums):")
    for name, label, stat in (("macro_f1", None, None), ("macro_auc", None, None),
                              ("SVEB Se", "S", "sensitivity"), ("VEB +P", "V", "ppv")):
        low, high = ci["per_class"][label][stat] if label else ci[name]
        print(f"  {name:10s} [{low:.4f}, {high:.4f}]")
    return {"ratio": rate_new / rate_ref, "seconds_per_1000": 1000 / rate_new, "worst": worst}


if __name__ == "__main__":
    main()
