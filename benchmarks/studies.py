"""Run every recipe whose data is here and print one table beside the published anchors.

    BIOSIG_DATA=../shared/data python benchmarks/studies.py [--quick] [--only NAME ...]

A study runs on the real data in the data folder; one whose subjects are
partly here runs a reduced protocol, marked as such; one with no data is
listed as not run. Anchors are the published numbers with their protocol:
they are context, not a like-for-like comparison, unless the protocols match.
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).parents[1]
ANCHORS = {
    "arrhythmia_mitbih": "de Chazal 2004 (LDA, DS1->DS2): VEB Se 77.7 / +P 81.9, SVEB Se 75.9 / "
                         "+P 38.5; Niu 2020 (CNN): acc 96.4; Xu 2022: macro F1 ~ 0.6-0.7",
    "arrhythmia_mitbih_dbn": "as above (de Chazal 2004; Niu 2020; Xu 2022), DS1->DS2",
    "seizure_bonn": "Acharya 2018 (13-layer CNN, 10-fold, one set per class: Z normal, "
                    "N preictal, S seizure): acc 88.7",
    "seizure_chbmit": "Shoeb 2010 (patient-specific SVM): 96 % of seizures, 2 false "
                      "detections per 24 h, latency 4.6 s",
    "motor_imagery_eegmmi": "Wang 2020 (EEGNet, cross-subject, 2 classes): acc 82.4",
    "motor_imagery_bciiv2a": "ATCNet 81.1, EEG-TCNet 77.4 (acc, session T->E, 4 classes)",
    "emotion_deap": "Koelstra 2012 (single-subject, Gaussian NB): valence acc 57.6, F1 56.3",
    "emotion_deap_arousal": "Koelstra 2012 (single-subject): arousal acc 62.0, F1 58.3",
}
QUICK = {"training.epochs": 5, "training.bootstrap": 200, "model.pretrain_epochs": 2}


def _cell(ci):
    if ci is None or ci["value"] is None:
        return "-"
    if ci["low"] is None:
        return f"{ci['value']:.3f}"
    return f"{ci['value']:.3f} [{ci['low']:.3f}, {ci['high']:.3f}]"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("BIOSIG_DATA"))
    parser.add_argument("--quick", action="store_true", help="few epochs, 200 bootstrap resamples")
    parser.add_argument("--only", nargs="+", help="recipe names")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a key of every recipe run")
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("set BIOSIG_DATA or --data-dir")
    from biosig.study import MissingDataError, load_recipe, run_study

    rows = []
    for path in sorted((ROOT / "recipes").glob("*.toml")):
        if args.only and path.stem not in args.only:
            continue
        overrides = []
        if args.quick:
            tables = load_recipe(path).to_dict()
            overrides = [f"{k}={v}" for k, v in QUICK.items()
                         if k.split(".")[1] in tables[k.split(".")[0]]]
        recipe = load_recipe(path, overrides + args.overrides)
        started = time.perf_counter()
        row = {"study": path.stem, "anchor": ANCHORS.get(path.stem, "")}
        try:
            with tempfile.TemporaryDirectory() as tmp:
                out = run_study(recipe, data_dir=args.data_dir, out=Path(tmp) / "run",
                                 partial=True, progress=False)
                result = json.loads((out / "metrics.json").read_text())
        except MissingDataError as err:
            row.update(protocol="not run: data absent here", note=str(err).split(";")[0][:90])
            rows.append(row)
            continue
        except ValueError as err:  # e.g. one subject here, and a split that needs several
            row.update(protocol="not run: too little data here", note=str(err)[:90])
            rows.append(row)
            continue
        header, metrics = result["header"], result["metrics"]
        ci = metrics["ci95"]
        row.update(
            protocol=("reduced " if header["reduced_protocol"] else "") + header["split"]
            + f", {len(header['subjects'])} subj/rec, {header['n_folds']} fold(s)",
            accuracy=_cell(ci.get("accuracy")), macro_f1=_cell(ci.get("macro_f1")),
            extra="; ".join(f"{k} {_cell(ci[k])}" for k in ci
                            if k not in ("accuracy", "macro_f1", "balanced_accuracy", "kappa",
                                         "macro_auc")),
            wall_s=round(time.perf_counter() - started, 1))
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False), flush=True)
    table = pd.DataFrame(rows)
    print("\n" + table.to_markdown(index=False) if hasattr(table, "to_markdown") and _has_tabulate()
          else "\n" + table.to_string(index=False))


def _has_tabulate():
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
