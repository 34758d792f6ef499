"""Event-level metrics of seizure detection: sensitivity, false detections per hour, latency."""

import numpy as np
import pandas as pd

__all__ = ["seizure_event_counts", "seizure_event_metrics", "summarise_events"]


def _runs(flags):
    """(start, stop) index pairs of the runs of True in a boolean array."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return list(zip(change[::2], change[1::2]))


_ADDITIVE = ("n_seizures", "n_detected", "false_detections", "hours", "latency_sum")


def seizure_event_counts(meta, y_true, y_pred, *, window, positive="ictal"):
    """Count seizure events record by record; the sums behind :func:`seizure_event_metrics`.

    Parameters
    ----------
    meta, y_true, y_pred, window, positive
        As for :func:`seizure_event_metrics`.

    Returns
    -------
    counts : pandas.DataFrame
        One row per record (the index): ``n_seizures``, ``n_detected``,
        ``false_detections``, ``hours`` and ``latency_sum`` (seconds, over
        the detected seizures). Every column adds up across records, so a
        resample of records is a weighted sum of rows.
    latencies : list of float
        The latency of each detected seizure, records in order of appearance.
    """
    frame = pd.DataFrame({"record": np.asarray(meta["record"]), "onset": np.asarray(meta["onset"]),
                          "true": np.asarray(y_true) == positive,
                          "pred": np.asarray(y_pred) == positive})
    rows, latencies = {}, []
    for record, rec in frame.groupby("record", sort=False):
        rec = rec.sort_values("onset")
        onset, truth, pred = rec["onset"].to_numpy(), rec["true"].to_numpy(), rec["pred"].to_numpy()
        seizures = _runs(truth)
        found = []
        for a, b in seizures:
            hits = np.flatnonzero(pred[a:b])
            if hits.size:
                found.append(float(onset[a + hits[0]] - onset[a]))
        false = sum(not truth[a:b].any() for a, b in _runs(pred))
        rows[record] = (len(seizures), len(found), false,
                        (onset[-1] + window - onset[0]) / 3600.0, float(sum(found)))
        latencies += found
    counts = pd.DataFrame.from_dict(rows, orient="index", columns=list(_ADDITIVE), dtype=float)
    return counts, latencies


def summarise_events(sums):
    """Event metrics from summed counts (scalars, or arrays over resamples).

    Parameters
    ----------
    sums : dict
        The columns of :func:`seizure_event_counts`, summed over records.

    Returns
    -------
    metrics : dict
        ``event_sensitivity``, ``false_detections_per_hour`` and ``latency``;
        NaN where undefined.
    """
    def ratio(num, den):
        num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)

    return {"event_sensitivity": ratio(sums["n_detected"], sums["n_seizures"]),
            "false_detections_per_hour": ratio(sums["false_detections"], sums["hours"]),
            "latency": ratio(sums["latency_sum"], sums["n_detected"])}


def seizure_event_metrics(meta, y_true, y_pred, *, window, positive="ictal"):
    """Score seizure detection by events, as clinicians count them.

    Within each record, windows are put in time order; a seizure is a run of
    consecutive true ``positive`` windows, a detection a run of predicted
    ones. A seizure is detected when a detection overlaps it; the latency is
    the time from the seizure's first window to the first positive window
    that overlaps it. A detection overlapping no seizure is a false
    detection; their rate is per hour of recording (the span the windows
    cover).

    Parameters
    ----------
    meta : pandas.DataFrame
        ``Windows.meta``, with ``record`` and ``onset`` (seconds).
    y_true, y_pred : array-like, shape (n_windows,)
    window : float
        Window length in seconds.
    positive : str
        Seizure label.

    Returns
    -------
    metrics : dict
        ``n_seizures``, ``n_detected``, ``event_sensitivity``,
        ``false_detections``, ``hours``, ``false_detections_per_hour`` and
        ``latency`` (mean seconds over detected seizures; None when none is)
        plus ``latencies``.
    """
    counts, latencies = seizure_event_counts(meta, y_true, y_pred, window=window,
                                             positive=positive)
    sums = counts.sum()
    rates = {k: None if not np.isfinite(v) else float(v)
             for k, v in summarise_events(sums).items()}
    return {
        "n_seizures": int(sums["n_seizures"]), "n_detected": int(sums["n_detected"]),
        "event_sensitivity": rates["event_sensitivity"],
        "false_detections": int(sums["false_detections"]), "hours": float(sums["hours"]),
        "false_detections_per_hour": rates["false_detections_per_hour"],
        "latency": rates["latency"],
        "latencies": latencies,
    }
