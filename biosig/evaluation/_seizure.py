"""Event-level metrics of seizure detection: sensitivity, false detections per hour, latency."""

import numpy as np
import pandas as pd

__all__ = ["seizure_event_metrics"]


def _runs(flags):
    """(start, stop) index pairs of the runs of True in a boolean array."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return list(zip(change[::2], change[1::2]))


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
    frame = pd.DataFrame({"record": np.asarray(meta["record"]), "onset": np.asarray(meta["onset"]),
                          "true": np.asarray(y_true) == positive,
                          "pred": np.asarray(y_pred) == positive})
    n_seizures = detected = false = 0
    hours, latencies = 0.0, []
    for _, rec in frame.groupby("record", sort=False):
        rec = rec.sort_values("onset")
        onset, truth, pred = rec["onset"].to_numpy(), rec["true"].to_numpy(), rec["pred"].to_numpy()
        hours += (onset[-1] + window - onset[0]) / 3600.0
        seizures = _runs(truth)
        n_seizures += len(seizures)
        for a, b in seizures:
            hits = np.flatnonzero(pred[a:b])
            if hits.size:
                detected += 1
                latencies.append(float(onset[a + hits[0]] - onset[a]))
        for a, b in _runs(pred):
            if not truth[a:b].any():
                false += 1
    return {
        "n_seizures": n_seizures, "n_detected": detected,
        "event_sensitivity": detected / n_seizures if n_seizures else None,
        "false_detections": false, "hours": hours,
        "false_detections_per_hour": false / hours if hours else None,
        "latency": float(np.mean(latencies)) if latencies else None,
        "latencies": latencies,
    }
