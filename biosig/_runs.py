"""Reading run folders back: re-render a report, compare several runs."""

import json
from pathlib import Path

import pandas as pd

from .evaluation import write_report

__all__ = ["compare_runs", "render_report"]

_FIGURES = ("confusion_matrix.png", "roc.png", "precision_recall.png", "training_curves.png")


def _read(run):
    run = Path(run)
    path = run / "metrics.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: not a biosig run folder (no metrics.json)")
    try:
        result = json.loads(path.read_text())
        return result["header"], result["metrics"]
    except (json.JSONDecodeError, KeyError) as err:
        raise ValueError(f"{path}: unreadable run metrics ({err})") from None


def render_report(run):
    """Write ``report.html`` of a run folder again from its metrics and figures.

    Returns
    -------
    path : Path
    """
    run = Path(run)
    header, metrics = _read(run)
    counts = pd.DataFrame(header["class_counts"])
    intervals = {k: (v["value"], v["low"], v["high"]) for k, v in metrics.get("ci95", {}).items()}
    path = run / "report.html"
    partial = run / ".report.html.partial"
    tables = {}
    if len(header.get("folds", [])) > 1:
        tables["Metrics per fold"] = pd.DataFrame(header["folds"])
    if "events" in metrics:
        tables["Seizure events"] = pd.DataFrame([{k: v for k, v in metrics["events"].items()
                                                  if k != "latencies"}])
    write_report(partial, title=f"biosig run: {header['study']}", protocol=header["protocol"],
                 warnings=header["warnings"], class_counts=counts, metrics=metrics,
                 figures=[run / f for f in _FIGURES if (run / f).exists()], intervals=intervals,
                 interval_unit=header.get("interval_unit", "records"), tables=tables)
    partial.replace(path)
    return path


def _cell(metrics, name):
    ci = metrics.get("ci95", {}).get(name)
    if ci is None or ci["value"] is None:
        return None
    if ci["low"] is None:
        return f"{ci['value']:.3f}"
    return f"{ci['value']:.3f} [{ci['low']:.3f}, {ci['high']:.3f}]"


def compare_runs(runs):
    """One row per run: its study, protocol and headline metrics with their intervals.

    Returns
    -------
    table : pandas.DataFrame
    """
    rows = []
    for run in runs:
        header, metrics = _read(run)
        recipe = (Path(run) / "recipe.toml").read_text() if (Path(run) / "recipe.toml").exists() else ""
        imbalance = next((line.split("=", 1)[1].strip().strip('"') for line in recipe.splitlines()
                          if line.startswith("imbalance")), None)
        row = {"run": Path(run).name, "study": header["study"],
               "split": header.get("split", "inter_patient"),
               "protocol": "reduced" if header.get("reduced_protocol") else "full",
               "imbalance": imbalance, "backend": header.get("keras_backend")}
        row.update({name: _cell(metrics, name) for name in metrics.get("ci95", {})})
        row["wall s"] = header.get("wall_time_s")
        rows.append(row)
    return pd.DataFrame(rows)
