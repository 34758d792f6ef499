"""Each imbalance setting of the arrhythmia recipe under one split, in one table.

Runs ``recipes/arrhythmia_mitbih.toml`` on the MIT-BIH records present (the
reduced protocol when DS1/DS2 are incomplete) once per setting of
``training.imbalance`` (and once with the S-class threshold tuned), and prints
per-class F1, macro F1 and the AAMI SVEB/VEB sensitivity and positive
predictivity with 95 % bootstrap intervals over test records.

Run: ``python benchmarks/imbalance_mitbih.py --data-dir DIR [--epochs 30]``.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

RECIPE = Path(__file__).parents[1] / "recipes" / "arrhythmia_mitbih.toml"
SETTINGS = {
    "none": ("none", []),
    "class_weight": ("class_weight", []),
    "focal": ("focal", []),
    "balanced_batches": ("balanced_batches", []),
    "threshold": ("class_weight + S threshold", ["training.threshold_class=\"S\""]),
}


def _pct(value):
    return "–" if value is None else f"{100 * value:.1f}"


def _with_ci(metrics, name):
    ci = metrics["ci95"].get(name)
    if ci is None or ci["value"] is None:
        return "–"
    low = "–" if ci["low"] is None else f"{100 * ci['low']:.0f}"
    high = "–" if ci["high"] is None else f"{100 * ci['high']:.0f}"
    return f"{100 * ci['value']:.1f} [{low}, {high}]"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("BIOSIG_DATA"))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--records", nargs="+",
                        help="DS1/DS2 records to use (default: every one here; fewer is a "
                             "reduced protocol)")
    parser.add_argument("--bootstrap", type=int, help="override training.bootstrap")
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS),
                        help="the settings to run (default: all)")
    args = parser.parse_args(argv)
    from biosig.datasets import MITBIHArrhythmia

    common = [f"training.epochs={args.epochs}"]
    if args.bootstrap is not None:
        common.append(f"training.bootstrap={args.bootstrap}")
    if args.records:
        common += [f"split.train={[r for r in MITBIHArrhythmia.DS1 if r in args.records]}",
                   f"split.test={[r for r in MITBIHArrhythmia.DS2 if r in args.records]}"]
    from biosig.study import load_recipe, run_study

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, extra in (SETTINGS[key] for key in args.settings):
            imbalance = name.split(" ")[0]
            overrides = [f"training.imbalance=\"{imbalance}\"", *common, *extra]
            recipe = load_recipe(RECIPE, overrides)
            out = run_study(recipe, data_dir=args.data_dir,
                             out=Path(tmp) / imbalance.replace(" ", "_") / str(len(rows)),
                             partial=True, progress=False)
            result = json.loads((out / "metrics.json").read_text())
            rows.append((name, result))
    header = rows[0][1]["header"]
    print(f"train records: {', '.join(header['train_records'])}; "
          f"test records: {', '.join(header['test_records'])}"
          + ("  (REDUCED protocol)" if header["reduced_protocol"] else ""))
    labels = rows[0][1]["metrics"]["labels"]
    columns = ([f"F1 {c}" for c in labels]
               + ["macro F1 [95% CI]", "SVEB Se", "SVEB +P", "VEB Se", "VEB +P"])
    print("| setting | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, result in rows:
        m = result["metrics"]
        cells = [_pct(m["per_class"][c]["f1"]) for c in labels]
        cells += [_with_ci(m, "macro_f1"), _with_ci(m, "SVEB Se"), _with_ci(m, "SVEB +P"),
                  _with_ci(m, "VEB Se"), _with_ci(m, "VEB +P")]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
