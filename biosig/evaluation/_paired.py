"""Paired statistics across test units: is one run better than another, subject by subject?

Each run's pooled metric hides how it varies over the test subjects (or, for
MIT-BIH-style runs, the test records). :func:`paired_comparison` scores every
test unit of every run, pairs the units, and for each pair of runs gives a
paired test (a sign-flip permutation test or the Wilcoxon signed-rank test),
the mean paired difference and a standardized one with bootstrap intervals
over units, and Holm-adjusted p-values over all pairs. Runs that do not test
the same units under the same protocol are refused, naming the difference.
"""

import json
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ._metrics import AAMI_ALIASES, classification_metrics

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["IncomparableRunsError", "PairedComparison", "holm", "metric_value",
           "paired_comparison", "paired_effect", "paired_test", "parse_metric", "plot_paired",
           "unit_scores"]

#: Metrics of :func:`classification_metrics` that are one number for all classes.
SCALAR_METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "weighted_f1", "kappa",
                  "macro_auc", "macro_pr_auc")
#: Per-class statistics, as ``"STAT:CLASS"`` (e.g. ``"f1:S"``).
CLASS_STATS = ("sensitivity", "ppv", "f1", "specificity", "auc", "pr_auc")
_AAMI_STATS = {"Se": "sensitivity", "+P": "ppv", "F1": "f1"}
_AAMI_LABELS = {alias: label for label, alias in AAMI_ALIASES.items()}
_TESTS = ("permutation", "wilcoxon")


class IncomparableRunsError(ValueError):
    """Runs that do not test the same units under the same protocol."""


def parse_metric(name):
    """What a metric name means: one number of all classes, or a statistic of one class.

    Parameters
    ----------
    name : str
        ``"accuracy"``, ``"macro_f1"``, ... (:data:`SCALAR_METRICS`);
        ``"STAT:CLASS"`` such as ``"f1:S"`` (STAT one of :data:`CLASS_STATS`);
        the AAMI names a run reports, ``"SVEB Se"``, ``"VEB +P"``, ``"SVEB F1"``;
        or ``"CLASS sensitivity"`` / ``"CLASS specificity"`` (``"ictal
        sensitivity"``).

    Returns
    -------
    label : str | None
        The class, or None for a metric of all classes.
    stat : str
        The key of :func:`classification_metrics` (or of its ``per_class``).

    Raises
    ------
    ValueError
        For a name of none of these forms.
    """
    if name in SCALAR_METRICS:
        return None, name
    if ":" in name:
        stat, label = name.split(":", 1)
        if stat in CLASS_STATS and label:
            return label, stat
    head, _, tail = name.rpartition(" ")
    if head in _AAMI_LABELS and tail in _AAMI_STATS:
        return _AAMI_LABELS[head], _AAMI_STATS[tail]
    if head and tail in ("sensitivity", "specificity"):
        return head, tail
    raise ValueError(f"unknown metric {name!r}; expected one of {', '.join(SCALAR_METRICS)}, "
                     f"'STAT:CLASS' with STAT one of {', '.join(CLASS_STATS)} (e.g. 'f1:S'), "
                     "an AAMI name ('SVEB F1', 'VEB +P') or 'CLASS sensitivity'")


def metric_value(metrics, name):
    """The value of a metric in a :func:`classification_metrics` result (None if undefined).

    Parameters
    ----------
    metrics : dict
    name : str
        See :func:`parse_metric`.

    Returns
    -------
    value : float | None
    """
    label, stat = parse_metric(name)
    if label is None:
        return metrics.get(stat)
    if label not in metrics["per_class"]:
        raise ValueError(f"metric {name!r}: class {label!r} is not one of the run's classes "
                         f"({', '.join(metrics['per_class'])})")
    return metrics["per_class"][label][stat]


def unit_scores(frame, *, unit, metric, labels):
    """One score per test unit: the metric of that unit's windows alone.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per tested window with columns ``true``, ``pred``,
        ``p_<class>`` and ``unit`` (as a run's ``predictions.csv``).
    unit : str
        The column naming each window's unit (``"subject"`` or ``"record"``).
    metric : str
        See :func:`parse_metric`.
    labels : list of str
        The run's classes.

    Returns
    -------
    scores : pandas.Series
        Indexed by unit, sorted; NaN where the metric is undefined for a unit
        (e.g. the F1 of a class the unit has no window of and that is never
        predicted there).
    """
    label, stat = parse_metric(metric)
    if label is not None and label not in labels:
        raise ValueError(f"metric {metric!r}: class {label!r} is not one of the run's classes "
                         f"({', '.join(labels)})")
    if stat == "accuracy":
        return (frame["true"] == frame["pred"]).groupby(frame[unit], sort=True).mean().astype(float)
    columns = [f"p_{c}" for c in labels]
    needs_score = stat in ("auc", "pr_auc", "macro_auc", "macro_pr_auc")
    out = {}
    for name, part in frame.groupby(unit, sort=True):
        score = part[columns].fillna(0.0).to_numpy(np.float64) if needs_score else None
        value = metric_value(classification_metrics(part["true"].to_numpy(),
                                                    part["pred"].to_numpy(), score,
                                                    labels=labels, classes=labels), metric)
        out[name] = np.nan if value is None else float(value)
    return pd.Series(out, dtype=float)


def _mean(x, axis=-1):
    return np.mean(x, axis=axis)


def paired_test(a, b, *, test="permutation", n_resamples=9999, exact_max=16, random_state=None):
    """A paired two-sided test of ``b - a`` over units.

    Parameters
    ----------
    a, b : array-like, shape (n_units,)
        The scores of two runs on the same units, in the same order.
    test : {"permutation", "wilcoxon"}
        ``"permutation"``: the sign-flip permutation test of the mean
        difference (:func:`scipy.stats.permutation_test` with
        ``permutation_type="samples"``), exact over all ``2**n`` sign flips
        when ``n <= exact_max``, else Monte Carlo with ``n_resamples`` flips.
        ``"wilcoxon"``: :func:`scipy.stats.wilcoxon` (zero differences
        dropped; exact for small ``n`` without zeros or ties, as scipy
        decides).
    n_resamples : int
        Monte Carlo sign flips when ``n > exact_max``.
    exact_max : int
        The largest ``n`` tested exactly by the permutation test.
    random_state : int | numpy.random.Generator | None
        Seeds the Monte Carlo sign flips.

    Returns
    -------
    result : dict
        ``statistic`` (the mean difference, or Wilcoxon's T), ``pvalue`` and
        ``exact`` (whether the p-value is exact).
    """
    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    if test not in _TESTS:
        raise ValueError(f"test = {test!r}: expected one of {', '.join(_TESTS)}")
    if d.size == 0:
        raise ValueError("no unit has a score in both runs")
    if test == "wilcoxon":
        if not np.any(d):
            return {"statistic": 0.0, "pvalue": 1.0, "exact": True}
        result = stats.wilcoxon(d)
        return {"statistic": float(result.statistic), "pvalue": float(result.pvalue),
                "exact": not hasattr(result, "zstatistic")}
    exact = d.size <= exact_max
    result = stats.permutation_test((d,), _mean, permutation_type="samples", vectorized=True,
                                    n_resamples=np.inf if exact else n_resamples,
                                    rng=np.random.default_rng(random_state))
    return {"statistic": float(result.statistic), "pvalue": float(result.pvalue), "exact": exact}


def _standardized(x, axis=-1):
    sd = np.std(x, axis=axis, ddof=1)
    spread = sd > 1e-12 * np.maximum(1.0, np.max(np.abs(x), axis=axis))  # not rounding noise
    return np.where(spread, np.mean(x, axis=axis) / np.where(spread, sd, 1.0), np.nan)


def paired_effect(a, b, *, confidence_level=0.95, n_resamples=9999, random_state=None):
    """The mean paired difference ``b - a`` and Cohen's d_z, with bootstrap intervals over units.

    The intervals are percentile intervals of :func:`scipy.stats.bootstrap`
    (units drawn with replacement). d_z is the mean difference over the
    standard deviation of the differences (``ddof=1``); it is undefined
    (NaN) where the differences do not vary, and resamples whose differences
    do not vary are left out of its interval.

    Returns
    -------
    effect : dict
        ``mean``, ``mean_low``, ``mean_high``, ``dz``, ``dz_low``, ``dz_high``.
    """
    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    out = {"mean": float(np.mean(d)) if d.size else np.nan,
           "dz": float(_standardized(d)) if d.size > 1 else np.nan}
    rng = np.random.default_rng(random_state)
    for key, statistic in (("mean", _mean), ("dz", _standardized)):
        low = high = np.nan
        if d.size > 1 and np.ptp(d) > 0:
            with warnings.catch_warnings():  # a d_z resample without spread is NaN
                warnings.simplefilter("ignore", stats.DegenerateDataWarning)
                res = stats.bootstrap((d,), statistic, vectorized=True, method="percentile",
                                      confidence_level=confidence_level, n_resamples=n_resamples,
                                      rng=rng)
            low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
            values = res.bootstrap_distribution
            if key == "dz" and np.isfinite(values).any() and not np.isfinite([low, high]).all():
                tail = 50 * (1 - confidence_level)
                low, high = np.nanpercentile(values, [tail, 100 - tail]).tolist()
        elif d.size > 1 and key == "mean":  # every difference equal: so is every resample's mean
            low = high = out["mean"]
        out[f"{key}_low"], out[f"{key}_high"] = low, high
    return out


def holm(pvalues):
    """Holm's step-down adjustment of p-values for several tests (family-wise error rate).

    The i-th smallest of ``m`` p-values is multiplied by ``m - i + 1``
    (``i`` from 1), the products are made non-decreasing in that order and
    capped at 1. NaN p-values stay NaN and do not count in ``m``.

    Parameters
    ----------
    pvalues : array-like

    Returns
    -------
    adjusted : ndarray
    """
    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    m = order.size
    out[order] = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    return out


@dataclass(frozen=True)
class PairedComparison:
    """The result of :func:`paired_comparison`.

    Attributes
    ----------
    metric : str
    unit : str
        ``"subjects"`` or ``"records"``: what was scored and paired.
    test : str
    scores : pandas.DataFrame
        One row per unit, one column per run (NaN: undefined for that unit).
    pairs : pandas.DataFrame
        One row per pair of runs ``(A, B)``: ``n`` units scored in both,
        ``mean A``, ``mean B``, the mean difference ``B - A`` with its
        interval, ``d_z`` with its interval, ``p``, ``p Holm`` and ``exact``.
    confidence_level : float
    """

    metric: str
    unit: str
    test: str
    scores: pd.DataFrame
    pairs: pd.DataFrame
    confidence_level: float = 0.95

    def differences(self, a, b):
        """The per-unit differences ``b - a`` of two runs, units scored in both."""
        both = self.scores[[a, b]].dropna()
        return both[b] - both[a]


def _read_run(run):
    run = Path(run)
    path = run / "metrics.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: not a biosig run folder (no metrics.json)")
    try:
        result = json.loads(path.read_text())
        header, metrics = result["header"], result["metrics"]
    except (json.JSONDecodeError, KeyError) as err:
        raise ValueError(f"{path}: unreadable run metrics ({err})") from None
    if not (run / "predictions.csv").exists():
        raise FileNotFoundError(f"{run / 'predictions.csv'}: the run's predictions are missing")
    frame = pd.read_csv(run / "predictions.csv",
                        dtype={"record": str, "subject": str, "fold": str, "true": str,
                               "pred": str})
    sampler = None
    if (run / "recipe.toml").exists():
        try:
            sampler = tomllib.loads((run / "recipe.toml").read_text(encoding="utf-8")).get(
                "windows", {}).get("sampler")
        except tomllib.TOMLDecodeError:
            pass
    return {"header": header, "metrics": metrics, "frame": frame, "sampler": sampler}


def _ids(ids, limit=8):
    ids = sorted(ids)
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _check_comparable(names, runs):
    """Raise IncomparableRunsError naming the first difference between the first run and another."""
    first, a = names[0], runs[0]
    for name, b in zip(names[1:], runs[1:]):
        ha, hb = a["header"], b["header"]
        checks = (
            (ha.get("source"), hb.get("source"),
             f"run {first} tests source {ha.get('source')}, run {name} {hb.get('source')}"),
            (ha.get("split"), hb.get("split"),
             f"run {first} uses split {ha.get('split')!r}, run {name} {hb.get('split')!r}"),
            (bool(ha.get("reduced_protocol")), bool(hb.get("reduced_protocol")),
             f"run {first} is a {'reduced' if ha.get('reduced_protocol') else 'full'} protocol, "
             f"run {name} {'reduced' if hb.get('reduced_protocol') else 'full'}"),
            (ha.get("n_folds"), hb.get("n_folds"),
             f"run {first} has {ha.get('n_folds')} folds, run {name} {hb.get('n_folds')}"),
            (sorted(a["metrics"]["labels"]), sorted(b["metrics"]["labels"]),
             f"run {first} classifies {', '.join(a['metrics']['labels'])}, run {name} "
             f"{', '.join(b['metrics']['labels'])}"),
            (ha.get("interval_unit"), hb.get("interval_unit"),
             f"run {first} scores {ha.get('interval_unit')}, run {name} "
             f"{hb.get('interval_unit')}"),
        )
        for left, right, message in checks:
            if left != right:
                raise IncomparableRunsError(f"runs not comparable: {message}")
        unit = ha.get("interval_unit", "records")
        column = unit.rstrip("s")
        ua, ub = set(a["frame"][column]), set(b["frame"][column])
        for x, y, nx, ny in ((ub, ua, name, first), (ua, ub, first, name)):
            if x - y:
                raise IncomparableRunsError(
                    f"runs not comparable: run {nx} tests {unit} {_ids(x - y)} that run {ny} "
                    "does not test")


def _names(runs):
    names = [Path(r).name or str(r) for r in runs]
    if len(set(names)) < len(names):
        names = [f"{n} #{i + 1}" for i, n in enumerate(names)]
    return names


def paired_comparison(runs, *, metric=None, test="permutation", n_resamples=9999, exact_max=16,
                      confidence_level=0.95, random_state=0):
    """Paired statistics of a metric across the test units of two or more run folders.

    Parameters
    ----------
    runs : list of path-like
        Run folders written by ``biosig run`` (``metrics.json`` and
        ``predictions.csv``), at least two.
    metric : str | None
        See :func:`parse_metric`. None: ``"macro_f1"`` for beat
        classification (``[windows] sampler = "beat"``, the ECG recipes),
        ``"accuracy"`` otherwise (EEG).
    test : {"permutation", "wilcoxon"}
        See :func:`paired_test`.
    n_resamples : int
        Monte Carlo sign flips (when there are more than ``exact_max``
        units) and bootstrap resamples of the effect intervals.
    exact_max : int
        The largest number of units tested exactly (all ``2**n`` sign flips).
    confidence_level : float
    random_state : int | None
        Seeds the Monte Carlo test and the bootstraps.

    Returns
    -------
    comparison : PairedComparison
        Every pair of runs ``(A, B)``, A listed before B; differences are
        ``B - A``, p-values Holm-adjusted over the pairs.

    Raises
    ------
    IncomparableRunsError
        When the runs differ in source, split kind, full or reduced
        protocol, number of folds, classes, unit, or test units; the message
        names the difference.
    """
    if len(runs) < 2:
        raise ValueError("paired statistics need two or more run folders")
    read = [_read_run(r) for r in runs]
    names = _names(runs)
    _check_comparable(names, read)
    unit = read[0]["header"].get("interval_unit", "records")
    column = unit.rstrip("s")
    if metric is None:
        metric = "macro_f1" if read[0]["sampler"] == "beat" else "accuracy"
    scores = pd.DataFrame({name: unit_scores(r["frame"], unit=column, metric=metric,
                                             labels=r["metrics"]["labels"])
                           for name, r in zip(names, read)})
    scores.index.name = column
    rng = np.random.default_rng(random_state)
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            both = scores[[a, b]].dropna()
            if both.empty:
                raise ValueError(f"{metric}: no {column} has a score in both runs {a} and {b}")
            result = paired_test(both[a], both[b], test=test, n_resamples=n_resamples,
                                 exact_max=exact_max, random_state=rng)
            effect = paired_effect(both[a], both[b], confidence_level=confidence_level,
                                   n_resamples=n_resamples, random_state=rng)
            rows.append({"A": a, "B": b, "n": len(both), "dropped": len(scores) - len(both),
                         "mean A": both[a].mean(), "mean B": both[b].mean(),
                         "B - A": effect["mean"], "low": effect["mean_low"],
                         "high": effect["mean_high"], "d_z": effect["dz"],
                         "d_z low": effect["dz_low"], "d_z high": effect["dz_high"],
                         "test": test, "p": result["pvalue"], "exact": result["exact"]})
    pairs = pd.DataFrame(rows)
    pairs.insert(pairs.columns.get_loc("exact"), "p Holm", holm(pairs["p"]))
    return PairedComparison(metric=metric, unit=unit, test=test, scores=scores, pairs=pairs,
                            confidence_level=confidence_level)


def plot_paired(comparison, *, max_labels=60):
    """A meta-analysis-style figure: one row per unit, the mean effect at the bottom.

    One panel per pair of runs: each unit's difference ``B - A`` as a dot
    on its own row, a line at zero, and at the bottom the mean difference
    with its bootstrap interval, the p-value and the Holm-adjusted p-value
    (as MOABB's meta-analysis plot shows one row per dataset).

    Parameters
    ----------
    comparison : PairedComparison
    max_labels : int
        With more units than this, rows are not labelled.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    from . import _plots  # noqa: F401  (chooses the Agg backend)
    import matplotlib.pyplot as plt

    pairs = comparison.pairs
    n_units = len(comparison.scores)
    height = min(12.0, 1.4 + 0.22 * (min(n_units, 80) + 2))
    fig, axes = plt.subplots(1, len(pairs), figsize=(max(4.8, 4.2 * len(pairs)), height),
                             layout="constrained", squeeze=False, sharey=True)
    units = list(comparison.scores.index)
    y = np.arange(len(units), 0, -1, dtype=float) + 1  # top to bottom; the mean at y = 0
    for ax, (_, row) in zip(axes[0], pairs.iterrows()):
        d = comparison.scores[row["B"]] - comparison.scores[row["A"]]
        ax.axvline(0.0, color="0.6", lw=1)
        ax.scatter(d.to_numpy(), y, s=14 if n_units <= max_labels else 6, color="tab:blue",
                   zorder=3)
        ax.axhline(1.0, color="0.8", lw=0.8)
        err = [[row["B - A"] - row["low"]], [row["high"] - row["B - A"]]] if np.isfinite(
            row["low"]) else None
        ax.errorbar([row["B - A"]], [0.0], xerr=err, fmt="D", color="black", ms=7, capsize=4,
                    zorder=4)
        ax.set_title(f"{row['B']} − {row['A']}\n{comparison.test} p = {row['p']:.3g}, "
                     f"Holm p = {row['p Holm']:.3g} (n = {row['n']})", fontsize=9)
        ax.set_xlabel(f"{comparison.metric}: difference per {comparison.unit.rstrip('s')}")
    level = round(100 * comparison.confidence_level)
    if n_units <= max_labels:
        axes[0][0].set_yticks([0.0, *y], [f"mean [{level} % CI]", *map(str, units)], fontsize=8)
    else:
        axes[0][0].set_yticks([0.0], [f"mean [{level} % CI]"])
        axes[0][0].set_ylabel(f"{n_units} {comparison.unit}, one row each")
    axes[0][0].set_ylim(-1.0, len(units) + 2.0)
    return fig


def plot_name(metric):
    """The default file name of the paired plot of a metric: ``compare-<metric>.png``."""
    return f"compare-{re.sub(r'[^A-Za-z0-9_.-]+', '_', metric).strip('_')}.png"
