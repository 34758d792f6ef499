"""The run folder: a lock per ``--out``, a partial folder that survives for ``--resume``,
the files a run writes, and the one report writer that ``biosig report`` shares."""

import fcntl
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["RunFolder", "compare_runs", "render_report"]

FIGURES = ("confusion_matrix.png", "roc.png", "precision_recall.png", "training_curves.png")
_PLAN = "plan.json"


class RunFolder:
    """Where one run writes: locked against other runs, built in a partial folder.

    The partial folder ``.<name>.partial`` beside ``out`` holds every
    finished job; it is renamed to ``out`` when the run is complete, so a
    failed run leaves no run folder, and the partial folder (hidden) lets
    ``resume=True`` carry on from the jobs already done. A run that fails
    before any job is done (missing data, a bad split) leaves nothing. A lock file
    ``.<name>.lock`` is held for the whole run: a second run with the same
    ``out`` stops at once and says so.

    Parameters
    ----------
    out : path-like
        The run folder to create.
    resume : bool
        Reuse the jobs of an interrupted run with the same plan.
    """

    def __init__(self, out, *, resume=False):
        self.out = Path(out)
        self.resume = resume
        self.partial = self.out.with_name(f".{self.out.name}.partial")
        self._lock_path = self.out.with_name(f".{self.out.name}.lock")
        self._lock = None
        self._publishing = False

    def __enter__(self):
        if self.out.exists() and any(self.out.iterdir()):
            raise FileExistsError(f"{self.out}: run folder exists and is not empty; choose "
                                  "another --out")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._lock = open(self._lock_path, "a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            self._lock = None
            raise FileExistsError(f"{self.out}: another biosig run is writing this folder "
                                  f"(it holds {self._lock_path}); wait for it or choose another "
                                  "--out") from None
        if self.partial.exists() and not self.resume:
            shutil.rmtree(self.partial)
        (self.partial / "jobs").mkdir(parents=True, exist_ok=True)
        return self

    def check_plan(self, plan):
        """Record the plan; on resume, refuse a partial run made by another plan."""
        path = self.partial / _PLAN
        text = json.dumps(plan, sort_keys=True, default=str)
        if path.exists() and self.resume and path.read_text() != text:
            raise ValueError(f"{self.partial}: the interrupted run was made with another recipe "
                             "or other data; remove that folder, or run without --resume")
        path.write_text(text)

    def publish(self):
        """Move the finished run into place (the partial folder's job files go)."""
        self._publishing = True  # from here on, a failure keeps the partial folder
        shutil.rmtree(self.partial / "jobs", ignore_errors=True)
        (self.partial / _PLAN).unlink(missing_ok=True)
        if self.out.exists():
            self.out.rmdir()
        os.replace(self.partial, self.out)

    def __exit__(self, *exc):
        # A run that failed before any job finished has nothing to resume: it leaves nothing.
        nothing_done = (exc[0] is not None and self._lock is not None
                        and not self._publishing
                        and not any((self.partial / "jobs").glob("*.npz")))
        if nothing_done:
            shutil.rmtree(self.partial, ignore_errors=True)
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            if exc[0] is None or nothing_done:
                self._lock_path.unlink(missing_ok=True)
        return False


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_outputs(folder, *, study, header, metrics, frame, classes, fold_rows, history, tables):
    """Write a run's files into ``folder``: recipe, predictions, results, figures, metrics, report."""
    import tomli_w

    from ..evaluation import (plot_confusion_matrix, plot_precision_recall, plot_roc,
                              plot_training_curves)
    import matplotlib.pyplot as plt  # after biosig.evaluation chose its backend

    folder = Path(folder)
    (folder / "recipe.toml").write_text(tomli_w.dumps(study.to_dict()), encoding="utf-8")
    frame.drop(columns=["unit"]).to_csv(folder / "predictions.csv", index=False)
    rows = [("all", "all", k, v) for k, v in metrics.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)]
    rows += [("all", label, k, v) for label, stats in metrics["per_class"].items()
             for k, v in stats.items()]
    rows += [("all", "all", f"{k} ci95_{side}", v[side]) for k, v in metrics["ci95"].items()
             for side in ("low", "high")]
    rows += [(r["fold"], "all", k, v) for r in fold_rows for k, v in r.items() if k != "fold"]
    rows += [("all", "all", k, v) for k, v in metrics.get("events", {}).items()
             if k != "latencies"]
    pd.DataFrame(rows, columns=["fold", "class", "metric", "value"]).to_csv(
        folder / "results.csv", index=False)
    y, proba = frame["true"].to_numpy(), frame[[f"p_{c}" for c in classes]].to_numpy()
    for name, fig in (("confusion_matrix.png", plot_confusion_matrix(metrics["confusion_matrix"],
                                                                     classes)),
                      ("roc.png", plot_roc(y, proba, np.asarray(classes))),
                      ("precision_recall.png", plot_precision_recall(y, proba, np.asarray(classes))),
                      ("training_curves.png", plot_training_curves(history))):
        fig.savefig(folder / name, dpi=120)
        plt.close(fig)
    (folder / "metrics.json").write_text(json.dumps(
        {"header": header, "metrics": metrics, "tables": {k: v.to_dict(orient="records")
                                                         for k, v in tables.items()}},
        indent=2, default=_json_default))
    render_report(folder)


def _read(run):
    run = Path(run)
    path = run / "metrics.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: not a biosig run folder (no metrics.json)")
    try:
        result = json.loads(path.read_text())
        return result["header"], result["metrics"], result.get("tables", {})
    except (json.JSONDecodeError, KeyError) as err:
        raise ValueError(f"{path}: unreadable run metrics ({err})") from None


def _anchors(run):
    """The ``[[anchors]]`` of the run's ``recipe.toml`` (none when the folder has no recipe)."""
    from ._keys import loads
    from ._plan import anchors_of

    path = Path(run) / "recipe.toml"
    if not path.exists():
        return ()
    return anchors_of(loads(path.read_text(encoding="utf-8"), path).get("anchors", []), str(path))


def render_report(run):
    """Write ``report.html`` of a run folder from its metrics and figures.

    The run writes its report this way, and ``biosig report RUN_DIR`` (and
    ``biosig explain``, whose ``explain_*.png`` figures follow the run's)
    writes it again: one writer, one page. The ``[[anchors]]`` of the
    folder's ``recipe.toml`` are shown beside the run's values.

    Returns
    -------
    path : Path
    """
    from ..evaluation import write_report

    run = Path(run)
    header, metrics, tables = _read(run)
    anchors = _anchors(run)
    counts = pd.DataFrame(header["class_counts"])
    intervals = {k: (v["value"], v["low"], v["high"]) for k, v in metrics.get("ci95", {}).items()}
    path = run / "report.html"
    partial = run / ".report.html.partial"
    write_report(partial, title=f"biosig run: {header['study']}", protocol=header["protocol"],
                 warnings=header["warnings"], class_counts=counts, metrics=metrics,
                 figures=[run / f for f in FIGURES if (run / f).exists()]
                 + sorted(run.glob("explain_*.png")),  # biosig explain's
                 intervals=intervals,
                 interval_unit=header.get("interval_unit", "records"),
                 tables={k: pd.DataFrame(v) for k, v in tables.items()},
                 anchors=[a.to_dict() for a in anchors],
                 run_protocol={"split": header.get("split", ""),
                               "reduced": bool(header.get("reduced_protocol"))})
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
        header, metrics, _ = _read(run)
        row = {"run": Path(run).name, "study": header["study"],
               "split": header.get("split", "inter_patient"),
               "protocol": "reduced" if header.get("reduced_protocol") else "full",
               "imbalance": header.get("imbalance"), "backend": header.get("keras_backend")}
        row.update({name: _cell(metrics, name) for name in metrics.get("ci95", {})})
        row["wall s"] = header.get("wall_time_s")
        rows.append(row)
    return pd.DataFrame(rows)
