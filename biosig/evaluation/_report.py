"""A self-contained HTML report of one run."""

import base64
import html
from pathlib import Path

import pandas as pd

__all__ = ["write_report"]

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}.warn{background:#fff4ce;border-left:4px solid #e0a800;padding:.6em 1em}
img{max-width:48%;margin-right:1%;vertical-align:top}img.wide{max-width:97%}
"""


def _is_wide(png):
    """Whether a PNG is a row of panels (wider than 1.6:1), shown at full width."""
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return height > 0 and width / height > 1.6


def _fmt(value):
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _run_value(name, metrics, intervals):
    """The run's value of a metric with its interval, as the report shows it."""
    from ._paired import metric_value

    if name in (intervals or {}):
        value, low, high = intervals[name]
        if value is not None and low is not None:
            return f"{value:.3f} [{low:.3f}, {high:.3f}]"
        return _fmt(value)
    if name in metrics.get("events", {}):
        return _fmt(metrics["events"][name])
    try:
        return _fmt(metric_value(metrics, name))
    except (ValueError, KeyError):
        return "not reported"


def _published(anchors, metrics, intervals, run_protocol):
    """The "Published results" section: each anchor beside the run's value, and the warnings."""
    run_protocol = run_protocol or {}
    split, reduced = run_protocol.get("split", ""), bool(run_protocol.get("reduced", False))
    rows, differ = [], {}
    for a in anchors:
        marks = []
        if bool(a.get("reduced", False)) != reduced:
            marks.append("reduced protocol" if reduced else "the anchor's reduced protocol")
            differ.setdefault("reduced", []).append(a["source"])
        if a.get("split") and split and a["split"] != split:
            marks.append(f"split {a['split']}")
            differ.setdefault(("split", a["split"]), []).append(a["source"])
        rows.append({"published by": a["source"], "protocol": a["protocol"],
                     "metric": a["metric"], "published": _fmt(float(a["value"])),
                     "this run": _run_value(a["metric"], metrics, intervals),
                     "protocols differ": ", ".join(marks) or "no",
                     "note": a.get("note", "")})
    here = f"split {split}, " if split else ""
    parts = ["<h2>Published results</h2>",
             f"<p>This run: {html.escape(here)}{'reduced' if reduced else 'full'} protocol. "
             "Published values are as their papers report them (fractions), beside this "
             "run's pooled value of the same metric with its 95 % interval.</p>"]
    for key, sources in differ.items():
        names = ", ".join(dict.fromkeys(sources))
        if key == "reduced":
            text = (f"Protocols differ: this run is a reduced protocol; {names} "
                    f"{'is' if len(set(sources)) == 1 else 'are'} on the full one."
                    if reduced else f"Protocols differ: {names} report a reduced protocol; "
                    "this run is the full one.")
        else:
            text = (f"Protocols differ: {names} used split {key[1]}, this run "
                    f"{split}.")
        parts.append(f"<p class='warn'>{html.escape(text)}</p>")
    parts.append(pd.DataFrame(rows).to_html(index=False, escape=True))
    return parts


def write_report(path, *, title, protocol, warnings, class_counts, metrics, figures,
                 intervals=None, interval_unit="records", tables=None, anchors=None,
                 run_protocol=None):
    """Write the run's HTML report.

    Parameters
    ----------
    path : path-like
        The HTML file to write.
    title : str
    protocol : list of str
        Sentences describing the protocol: which groups trained and which tested.
    warnings : list of str
        Shown first, in the header (e.g. a reduced protocol).
    class_counts : pandas.DataFrame
        Windows per class (rows) and split (columns).
    metrics : dict
        Output of :func:`classification_metrics`.
    figures : list of path-like
        PNG files embedded in the page; one wider than 1.6:1 (a row of
        panels, such as the training curves) spans the page's width so that
        its text is shown at the size of the others'.
    intervals : dict | None
        ``{metric: (value, low, high)}``: headline metrics with their
        confidence intervals, shown as a table.
    interval_unit : str
        What the bootstrap resampled, e.g. ``"records"`` or ``"subjects"``.
    tables : dict | None
        More tables, ``{heading: DataFrame}``, such as metrics per fold.
    anchors : list of dict | None
        Published results (a recipe's ``[[anchors]]``): ``source``,
        ``protocol``, ``metric``, ``value`` and optionally ``note``,
        ``split`` and ``reduced``; shown in a "Published results" table
        beside the run's value of each metric, with a warning where the
        protocols differ.
    run_protocol : dict | None
        ``{"split": kind, "reduced": bool}`` of this run, set against the
        anchors'.
    """
    columns = {"support": "support", "sensitivity": "Se (recall)", "ppv": "+P (precision)",
               "f1": "F1", "specificity": "Sp", "auc": "ROC-AUC"}
    rows = pd.DataFrame.from_dict(metrics["per_class"], orient="index", dtype=object)
    rows = rows[list(columns)].rename(columns=columns)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"]
    parts += [f"<p class='warn'>{html.escape(w)}</p>" for w in warnings]
    parts.append("<h2>Protocol</h2><ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in protocol) + "</ul>")
    parts.append("<h2>Class counts</h2>" + class_counts.to_html())
    parts.append("<h2>Metrics on the test side</h2>"
                 + rows.to_html(formatters={c: _fmt for c in rows.columns}, na_rep="–", escape=True))
    parts.append(f"<p>Macro F1 {_fmt(metrics['macro_f1'])} · macro ROC-AUC "
                 f"{_fmt(metrics['macro_auc'])} · accuracy {_fmt(metrics['accuracy'])}</p>")
    if intervals:
        table = pd.DataFrame([(name, _fmt(v), _fmt(lo), _fmt(hi)) for name, (v, lo, hi)
                              in intervals.items()],
                             columns=["metric", "value", "95 % CI low", "95 % CI high"])
        parts.append("<h2>Headline metrics with 95 % confidence intervals</h2>"
                     f"<p>Bootstrap over test {html.escape(interval_unit)}: whole "
                     f"{html.escape(interval_unit)} are resampled, not windows.</p>"
                     + table.to_html(index=False, na_rep="–", escape=True))
    if anchors:
        parts += _published(anchors, metrics, intervals, run_protocol)
    for heading, table in (tables or {}).items():
        parts.append(f"<h2>{html.escape(heading)}</h2>"
                     + table.to_html(index=False, na_rep="–", escape=True,
                                     float_format=lambda v: f"{v:.3f}"))
    parts.append("<h2>Figures</h2>")
    for fig in figures:
        png = Path(fig).read_bytes()
        data = base64.b64encode(png).decode()
        wide = " class='wide'" if _is_wide(png) else ""
        parts.append(f"<img{wide} alt='{html.escape(Path(fig).stem)}' "
                     f"src='data:image/png;base64,{data}'>")
    parts.append("</body></html>")
    Path(path).write_text("\n".join(parts), encoding="utf-8")
