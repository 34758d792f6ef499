"""MIT-BIH inter-patient benchmark: accuracy beside the published figures, and load speed.

Run on purpose, not in the unit tests::

    python benchmarks/arrhythmia_mitbih.py --data-dir DIR [--epochs N] [--backend jax]

1. Times loading plus beat segmentation of the records present (biosig's
   loader and BeatSampler, sequential and with joblib) against a plain loop of
   ``wfdb.rdrecord``/``wfdb.rdann`` calls cutting the same windows, in the same
   run, and checks both give the same windows; then the cached reload (the
   window store a second run of a study reads), its windows read into memory,
   against the cold load and store.
2. QRS detection (``--detection``): GQRS and XQRS on lead MLII of every
   MIT-BIH record present (48 when all are), matched beat by beat to the
   reference beats within 150 ms (ANSI/AAMI EC57), pooled Se and +P.
3. Runs ``recipes/arrhythmia_mitbih.toml`` (``--recipe``: another of
   ``recipes/``, e.g. ``arrhythmia_mitbih_dbn``) on the DS1/DS2 records present
   (reduced protocol when some are missing) and prints per-class Se, +P and F1
   beside the published full-DS2 figures; with ``--detected`` also on beats
   cut at the detected R peaks (``windows.peaks = "detected"``). Beside the
   DS2 score, the same recipe's score in a patient-grouped cross-validation
   inside DS1 (``--inner-folds``, DS2 unread): the estimate a choice made on
   DS1 would rest on, so that one which does not transfer shows.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = {  # inter-patient, full DS2
    "de Chazal 2004": {"S": {"sensitivity": 75.9, "ppv": 38.5}, "V": {"sensitivity": 77.7, "ppv": 81.9}},
    "Niu 2020 (MPCNN)": {"S": {"f1": 76.6}, "V": {"f1": 89.7}},
    "Wang 2023 (IraNet)": {"S": {"sensitivity": 73.9, "ppv": 75.6, "f1": 74.7},
                           "V": {"sensitivity": 95.8, "ppv": 85.0, "f1": 90.1}},
    "Xu 2022 (RA-CNN)": {"S": {"f1": 82.8}, "V": {"f1": 91.7}},
}


def _plain_loop(folder, records, before, after):
    """The baseline: rdrecord/rdann per record, a Python loop over beats."""
    import wfdb

    from biosig.datasets import AAMI_EC57

    windows, rr_prev = [], []
    for record in records:
        sig = wfdb.rdrecord(str(folder / record), channel_names=["MLII"]).p_signal[:, 0]
        ann = wfdb.rdann(str(folder / record), "atr")
        beats = [(s, sym) for s, sym in zip(ann.sample, ann.symbol) if sym in AAMI_EC57]
        for i, (s, _) in enumerate(beats):
            if s - before >= 0 and s + after <= len(sig):
                windows.append(sig[s - before:s + after])
                prev = beats[i - 1][0] if i > 0 else None
                rr_prev.append((s - prev) / 360 if prev is not None else (beats[1][0] - s) / 360)
    return np.array(windows), np.array(rr_prev)


def _biosig(data_dir, records, n_jobs):
    from biosig.datasets import MITBIHArrhythmia
    from biosig.windows import BeatSampler

    recs = MITBIHArrhythmia(data_dir, progress=False).load(records, channels=["MLII"],
                                                                   n_jobs=n_jobs)
    return BeatSampler(-0.25, 0.45, progress=False).sample(recs)


def _best_of(repeat, fn):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def bench_loading(data_dir, records, repeat):
    folder = Path(data_dir) / "mitdb"
    t_loop, (ref_X, ref_rr) = _best_of(repeat, lambda: _plain_loop(folder, records, 90, 162))
    t_seq, w = _best_of(repeat, lambda: _biosig(data_dir, records, 1))
    t_par, _ = _best_of(repeat, lambda: _biosig(data_dir, records, 2))
    # Same windows (ours in volts, float32) and the same previous-RR feature.
    np.testing.assert_allclose(w.X[:, 0] * 1e3, ref_X, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w.meta["rr_prev"], ref_rr)
    t_cold, t_warm = _cached_reload(data_dir, records, repeat, w)
    n = len(w)
    print(f"\n## Load + beat segmentation, {len(records)} records, {n} beats (best of {repeat})")
    print(f"{'method':52s} {'seconds':>8s} {'beats/s':>10s} {'vs loop':>8s}")
    for name, t in [("plain loop: wfdb.rdrecord/rdann + per-beat slicing", t_loop),
                    ("biosig, n_jobs=1", t_seq), ("biosig, n_jobs=2", t_par),
                    ("biosig, cold: load, segment and store", t_cold),
                    ("biosig, cached reload (store read into memory)", t_warm)]:
        print(f"{name:52s} {t:8.2f} {n / t:10.0f} {t_loop / t:7.2f}×")
    print(f"cached reload: {t_cold / t_warm:.0f}× faster than the cold load and store")
    return {"records": len(records), "beats": n, "loop_s": t_loop, "biosig_s": t_seq,
            "biosig_n_jobs2_s": t_par, "cold_store_s": t_cold, "cached_reload_s": t_warm}


def _cached_reload(data_dir, records, repeat, reference):
    """Seconds to build and store the windows (a cache miss), and to read them back (a hit)."""
    from biosig.windows import cached_windows

    key = {"benchmark": "arrhythmia_mitbih", "records": list(records)}
    colds, warms = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            start = time.perf_counter()
            cached_windows(key, lambda: _biosig(data_dir, records, 1), cache_dir=cache)
            colds.append(time.perf_counter() - start)
            start = time.perf_counter()
            hit = cached_windows(key, lambda: None, cache_dir=cache)
            X = np.array(hit.X)  # read, not only mapped
            warms.append(time.perf_counter() - start)
            np.testing.assert_array_equal(X, reference.X)
    return min(colds), min(warms)


def bench_detection(data_dir, records):
    from biosig.datasets import AAMI_EC57, MITBIHArrhythmia
    from biosig.preprocessing import detect_r_peaks, match_beats

    source = MITBIHArrhythmia(data_dir, progress=False)
    totals = {d: {"tp": 0, "fn": 0, "fp": 0, "s": 0.0} for d in ("gqrs", "xqrs")}
    per_record = {}
    for record in records:
        rec = source.load_record(record)
        lead = "MLII" if "MLII" in rec.ch_names else rec.ch_names[0]
        symbols, samples = rec.annotation_onsets()
        reference = samples[np.isin(symbols.astype(str), list(AAMI_EC57))]
        for detector, total in totals.items():
            start = time.perf_counter()
            peaks = detect_r_peaks(rec, lead, detector=detector)
            total["s"] += time.perf_counter() - start
            match = match_beats(reference, peaks, rec.sfreq)
            total["tp"] += match.true_positives
            total["fn"] += match.false_negatives
            total["fp"] += match.false_positives
            per_record.setdefault(record, {})[detector] = [match.sensitivity,
                                                           match.positive_predictivity]
    print(f"\n## QRS detection, {len(records)} MIT-BIH records, lead MLII (or the first), "
          "EC57 matching within 150 ms")
    print(f"{'detector':10s} {'beats':>8s} {'TP':>8s} {'FN':>6s} {'FP':>6s} {'Se %':>7s} "
          f"{'+P %':>7s} {'s/record':>9s}")
    for detector, t in totals.items():
        n = t["tp"] + t["fn"]
        print(f"{detector:10s} {n:8d} {t['tp']:8d} {t['fn']:6d} {t['fp']:6d} "
              f"{100 * t['tp'] / n:7.2f} {100 * t['tp'] / (t['tp'] + t['fp']):7.2f} "
              f"{t['s'] / len(records):9.2f}")
    worst = sorted(per_record, key=lambda r: per_record[r]["gqrs"][0])[:3]
    print("lowest GQRS Se: " + ", ".join(f"{r} {100 * per_record[r]['gqrs'][0]:.1f} %"
                                         for r in worst))
    return {"totals": totals, "per_record": per_record}


def _pct(value):
    return "–" if value is None else f"{100 * value:.1f}"


def _rows(name, m):
    return [[name, label, str(c["support"]), _pct(c["sensitivity"]), _pct(c["ppv"]),
             _pct(c["f1"]), "–" if c["auc"] is None else f"{c['auc']:.3f}"]
            for label, c in ((label, m["per_class"][label]) for label in m["labels"])]


def bench_accuracy(data_dir, epochs, markdown, records=None, bootstrap=None, peaks="annotated",
                   inner=None, seed=None, recipe_name="arrhythmia_mitbih", settings=()):
    from biosig.datasets import MITBIHArrhythmia
    from biosig.study import load_recipe, run_study

    overrides = [*settings, *([f"training.epochs={epochs}"] if epochs else [])]
    overrides.append(f"windows.peaks='{peaks}'")
    if seed is not None:
        overrides.append(f"training.seed={seed}")
    if bootstrap is not None:
        overrides.append(f"training.bootstrap={bootstrap}")
    if records:  # a reduced protocol on named records of each side
        overrides += [f"split.train={[r for r in MITBIHArrhythmia.DS1 if r in records]}",
                      f"split.test={[r for r in MITBIHArrhythmia.DS2 if r in records]}"]
    recipe = load_recipe(ROOT / "recipes" / f"{recipe_name}.toml", overrides)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = run_study(recipe, data_dir=data_dir, out=Path(tmp) / "run", partial=True,
                         progress=False)
        wall = time.perf_counter() - start
        result = json.loads((out / "metrics.json").read_text())
    header, m = result["header"], result["metrics"]
    reduced = header["reduced_protocol"] or len(header["test_records"]) < len(MITBIHArrhythmia.DS2)
    print(f"\n## {recipe_name}: accuracy on {peaks} beats, DS1 → DS2 "
          f"({'REDUCED: ' if reduced else ''}"
          f"train {', '.join(header['train_records'])}; test {', '.join(header['test_records'])})")
    print(f"backend {header['keras_backend']}, {header['epochs_trained']} epochs, {wall:.0f} s")
    rows = _rows(f"biosig ({'reduced' if reduced else 'full'} DS2)", m)
    if inner is not None:  # the training side's own estimate, beside what DS2 gave
        rows += _rows(f"biosig inner DS1 ({inner['n_folds']}-fold{', reduced' if reduced else ''})",
                      inner["metrics"])
    for paper, classes in PUBLISHED.items():
        for label, vals in classes.items():
            rows.append([f"{paper} (full DS2)", label, "", *(f"{vals[k]:.1f}" if k in vals else "–"
                                                            for k in ("sensitivity", "ppv", "f1")), "–"])
    head = ["", "class", "n test", "Se %", "+P %", "F1 %", "ROC-AUC"]
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        print(f"{head[0]:32s} {head[1]:>5s} {head[2]:>7s} {head[3]:>6s} {head[4]:>6s} {head[5]:>6s} {head[6]:>8s}")
        for r in rows:
            print(f"{r[0]:32s} {r[1]:>5s} {r[2]:>7s} {r[3]:>6s} {r[4]:>6s} {r[5]:>6s} {r[6]:>8s}")
    print(f"macro F1 {_pct(m['macro_f1'])} %, macro ROC-AUC {m['macro_auc']:.3f}")
    return {"metrics": m, "header": header, "wall_s": wall}


def bench_inner(data_dir, epochs, n_folds, records=None, bootstrap=None,
                recipe_name="arrhythmia_mitbih", settings=()):
    """The recipe's score in a patient-grouped cross-validation on DS1 alone (DS2 unread)."""
    import tomli_w

    from biosig.datasets import MITBIHArrhythmia
    from biosig.study import load_recipe, run_study

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    ds1 = [r for r in MITBIHArrhythmia.DS1 if not records or r in records]
    recipe = tomllib.loads((ROOT / "recipes" / f"{recipe_name}.toml").read_text())
    recipe["dataset"]["subjects"] = ds1
    recipe["split"] = {"kind": "group_kfold", "n_splits": n_folds, "shuffle": True,
                       "groups": "record", "guard_by": "subject"}  # 201/202: 202 is DS2
    overrides = [*settings, *([f"training.epochs={epochs}"] if epochs else [])]
    if bootstrap is not None:
        overrides.append(f"training.bootstrap={bootstrap}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{recipe_name}_inner.toml"
        path.write_text(tomli_w.dumps(recipe))
        start = time.perf_counter()
        out = run_study(load_recipe(path, overrides), data_dir=data_dir, out=Path(tmp) / "run",
                        partial=True, progress=False)
        wall = time.perf_counter() - start
        result = json.loads((out / "metrics.json").read_text())
    header, m = result["header"], result["metrics"]
    print(f"\n## Inner score: group {n_folds}-fold by patient on the {len(ds1)} DS1 records "
          f"({wall:.0f} s; DS2 not read), macro F1 {_pct(m['macro_f1'])} %"
          + (f"; settings {', '.join(settings)}" if settings else ""))
    for r in _rows(recipe_name, m):
        print(f"{r[0]:32s} {r[1]:>5s} {r[2]:>7s} Se {r[3]:>6s} +P {r[4]:>6s} F1 {r[5]:>6s}")
    return {"metrics": m, "header": header, "wall_s": wall, "n_folds": n_folds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("BIOSIG_DATA"),
                        help="data folder (default: $BIOSIG_DATA)")
    parser.add_argument("--recipe", default="arrhythmia_mitbih",
                        help="the recipe of recipes/ to score (default: arrhythmia_mitbih)")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="KEY=VALUE", help="override a key of the recipe, e.g. "
                                                  "training.ensemble=1")
    parser.add_argument("--epochs", type=int, default=None, help="override training.epochs")
    parser.add_argument("--repeat", type=int, default=3, help="timing repeats (best is kept)")
    parser.add_argument("--backend", choices=("tensorflow", "jax", "torch"))
    parser.add_argument("--markdown", action="store_true", help="print the accuracy table as Markdown")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--inner-only", action="store_true",
                        help="only the inner DS1 score (DS2 is not read): compare settings on "
                             "the training side")
    parser.add_argument("--records", nargs="+",
                        help="DS1/DS2 records to use (default: every one here; fewer is a "
                             "reduced protocol)")
    parser.add_argument("--bootstrap", type=int, help="override training.bootstrap")
    parser.add_argument("--detection", action="store_true",
                        help="QRS detection figures on every MIT-BIH record present")
    parser.add_argument("--detection-records", nargs="+", metavar="ID",
                        help="the records of --detection (default: every MIT-BIH record here)")
    parser.add_argument("--detected", action="store_true",
                        help="also run the recipe on beats at detected R peaks")
    parser.add_argument("--skip-loading", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="*", default=[],
                        help="also run the recipe with these seeds and print the spread")
    parser.add_argument("--inner-folds", type=int, default=4,
                        help="patient-grouped folds of the inner DS1 score (0: skip it)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("give --data-dir or set BIOSIG_DATA")
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    sys.path.insert(0, str(ROOT))
    from biosig.datasets import MITBIHArrhythmia

    ds = MITBIHArrhythmia(args.data_dir, progress=False)
    split = list(ds.DS1) + list(ds.DS2)
    if args.records:
        split = [r for r in split if r in args.records]
    present = [r for r in split if r not in ds.missing(split)]
    results = {}
    if not args.skip_loading:
        results["loading"] = bench_loading(args.data_dir, present, args.repeat)
    if args.detection:
        chosen = args.detection_records or args.records
        every = [r for r in ds.RECORDS if not chosen or r in chosen]
        results["detection"] = bench_detection(args.data_dir,
                                               [r for r in every if r not in ds.missing(every)])
    if args.inner_only:
        args.skip_accuracy = True
        results["inner_ds1"] = bench_inner(args.data_dir, args.epochs, args.inner_folds or 4,
                                           args.records, args.bootstrap, args.recipe,
                                           args.settings)
    if not args.skip_accuracy and args.inner_folds:
        results["inner_ds1"] = bench_inner(args.data_dir, args.epochs, args.inner_folds,
                                           args.records, args.bootstrap, args.recipe,
                                           args.settings)
    if not args.skip_accuracy:
        results["accuracy"] = bench_accuracy(args.data_dir, args.epochs, args.markdown,
                                             args.records, args.bootstrap,
                                             inner=results.get("inner_ds1"),
                                             recipe_name=args.recipe, settings=args.settings)
        if args.detected:
            results["accuracy_detected"] = bench_accuracy(
                args.data_dir, args.epochs, args.markdown, args.records, args.bootstrap,
                peaks="detected", recipe_name=args.recipe, settings=args.settings)
    if not args.skip_accuracy and args.seeds:
        results["seeds"] = bench_seeds(args, results["accuracy"])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


def bench_seeds(args, shipped):
    """The shipped recipe's DS2 figures over several seeds: their mean, spread and range."""
    from biosig.study import load_recipe

    shipped_seed = load_recipe(ROOT / "recipes" / f"{args.recipe}.toml").training.seed
    runs = {shipped_seed: shipped["metrics"]}
    for seed in args.seeds:
        if seed not in runs:
            runs[seed] = bench_accuracy(args.data_dir, args.epochs, False, args.records,
                                        args.bootstrap, seed=seed,
                                        recipe_name=args.recipe,
                                        settings=args.settings)["metrics"]
    rows = {"SVEB Se": [m["per_class"]["S"]["sensitivity"] for m in runs.values()],
            "SVEB +P": [m["per_class"]["S"]["ppv"] for m in runs.values()],
            "SVEB F1": [m["per_class"]["S"]["f1"] for m in runs.values()],
            "VEB F1": [m["per_class"]["V"]["f1"] for m in runs.values()],
            "macro F1": [m["macro_f1"] for m in runs.values()]}
    print(f"\n## Spread over seeds {', '.join(map(str, runs))} (DS2, same settings)")
    print(f"{'':10s} {'mean %':>7s} {'sd':>6s} {'min':>6s} {'max':>6s}")
    for name, values in rows.items():
        v = 100 * np.array([np.nan if x is None else x for x in values], float)
        print(f"{name:10s} {np.nanmean(v):7.1f} {np.nanstd(v, ddof=1):6.1f} "
              f"{np.nanmin(v):6.1f} {np.nanmax(v):6.1f}")
    return {str(k): v for k, v in rows.items()} | {"seeds": list(runs)}


if __name__ == "__main__":
    main()
