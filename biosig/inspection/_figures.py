"""Figures of attributions: EEG topographies and channel x time maps, ECG beats coloured by them.

Each takes attributions per class (``{label: array}``) and returns a
``matplotlib.figure.Figure`` built without pyplot, so it needs no display
and leaves no global state.
"""

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

__all__ = ["plot_beat_attribution", "plot_channel_time", "plot_feature_attribution", "plot_topomaps"]


def channel_time(attributions):
    """Mean absolute attribution of each channel and sample: (n, C, [S,] T) -> (C, T).

    Axes between channels and time (scalogram scales) are summed.
    """
    a = np.abs(np.asarray(attributions, dtype=np.float32))
    if a.ndim < 3:
        raise ValueError(f"expected attributions (n_windows, n_channels, n_times), got shape "
                         f"{a.shape}")
    a = a.mean(axis=0)
    return a.reshape(a.shape[0], -1, a.shape[-1]).sum(axis=1)


def _classes(attributions):
    if not attributions:
        raise ValueError("no class to draw: the attributions are empty")
    return list(attributions)


def _positions(ch_names, montage):
    """An EEG Info of the channels that have a position on ``montage``, and their indices."""
    import mne

    info = mne.create_info(list(ch_names), 100.0, "eeg")
    if montage is None:
        from ..datasets._montage import set_standard_montage

        set_standard_montage(info)
    else:
        info.set_montage(montage, on_missing="ignore", verbose=False)
    placed = [i for i, ch in enumerate(info["chs"])
              if np.isfinite(ch["loc"][:3]).all() and np.abs(ch["loc"][:3]).sum() > 0]
    return (mne.pick_info(info, placed) if placed else None), placed


def plot_topomaps(attributions, ch_names, *, montage=None, title=None):
    """Per-class scalp maps of the mean absolute attribution of each EEG channel.

    Parameters
    ----------
    attributions : dict of {label: ndarray, shape (n_windows, n_channels, ..., n_times)}
        Attributions of the windows of each class.
    ch_names : list of str
        Channel names, in the order of the channel axis.
    montage : str | mne.channels.DigMontage | None
        Electrode positions; MNE's template 10-05 positions when None
        (``standard_1005``, ``colin27_1005`` in recent MNE).
    title : str | None

    Returns
    -------
    fig : matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When fewer than three channels have a position on the montage
        (channel names that are not 10-05 electrodes, bipolar ECG leads).
    """
    import mne

    labels = _classes(attributions)
    ch_names = list(ch_names)
    values = {k: channel_time(v).mean(axis=1) for k, v in attributions.items()}
    if any(len(v) != len(ch_names) for v in values.values()):
        raise ValueError(f"{len(ch_names)} channel names for attributions of "
                         f"{len(next(iter(values.values())))} channels")
    info, placed = _positions(ch_names, montage)
    if len(placed) < 3:
        raise ValueError(f"no topographic map: {len(placed)} of the {len(ch_names)} channels "
                         f"({', '.join(ch_names[:6])}{', ...' if len(ch_names) > 6 else ''}) "
                         "have a position on the montage")
    top = max(float(v[placed].max()) for v in values.values()) or 1.0
    fig = Figure(figsize=(2.6 * len(labels) + 0.8, 3.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(labels)))
    for ax, label in zip(axes, labels):
        im, _ = mne.viz.plot_topomap(values[label][placed], info, axes=ax, show=False,
                                     cmap="Reds", vlim=(0, top), contours=4)
        ax.set_title(f"{label} (n={len(attributions[label])})")
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="mean |attribution|")
    fig.suptitle(title or "Channel attributions by class")
    return fig


def plot_channel_time(attributions, ch_names, sfreq, *, tmin=0.0, title=None):
    """Per-class heat maps of the mean absolute attribution, channels x time.

    Parameters
    ----------
    attributions : dict of {label: ndarray, shape (n_windows, n_rows, ..., n_times)}
        Rows are channels (or one row, e.g. a 1-D Grad-CAM map).
    ch_names : list of str
        Row names; when their number differs from the rows', rows are numbered.
    sfreq : float
        Sampling rate, for the time axis.
    tmin : float
        Time of the first sample, in seconds (e.g. before the event).
    title : str | None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    labels = _classes(attributions)
    maps = {k: channel_time(v) for k, v in attributions.items()}
    n_rows, n_times = next(iter(maps.values())).shape
    names = list(ch_names) if len(ch_names) == n_rows else [str(i) for i in range(n_rows)]
    top = max(float(m.max()) for m in maps.values()) or 1.0
    height = min(9.0, 1.6 + 0.12 * n_rows)
    fig = Figure(figsize=(3.4 * len(labels) + 1.0, height), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(labels), sharey=True))
    extent = (tmin, tmin + n_times / sfreq, n_rows - 0.5, -0.5)
    for ax, label in zip(axes, labels):
        im = ax.imshow(maps[label], aspect="auto", cmap="magma", extent=extent,
                       norm=Normalize(0, top), interpolation="nearest")
        ax.set_title(f"{label} (n={len(attributions[label])})")
        ax.set_xlabel("time (s)")
    every = max(1, int(np.ceil(n_rows / 32)))
    axes[0].set_yticks(range(0, n_rows, every), names[::every], fontsize=6 if n_rows > 16 else 8)
    fig.colorbar(im, ax=list(axes), label="mean |attribution|")
    fig.suptitle(title or "Attributions over channels and time, by class")
    return fig


def plot_beat_attribution(windows, attributions, sfreq, *, tmin=0.0, ch_names=None, title=None):
    """Per-class average beat, drawn in the colour of its mean absolute attribution.

    Parameters
    ----------
    windows : dict of {label: ndarray, shape (n_windows, n_channels, n_times)}
        The beats of each class.
    attributions : dict of {label: ndarray, shape (n_windows, n_rows, ..., n_times)}
        Their attributions; one row (a 1-D Grad-CAM map) colours every lead.
    sfreq : float
    tmin : float
        Time of the first sample relative to the R peak, in seconds.
    ch_names : list of str | None
        Lead names.
    title : str | None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    labels = _classes(attributions)
    missing = [k for k in labels if k not in windows]
    if missing:
        raise ValueError(f"no beats for classes {missing}")
    n_leads = np.shape(windows[labels[0]])[1]
    ch_names = list(ch_names) if ch_names else [f"lead {i + 1}" for i in range(n_leads)]
    maps = {k: channel_time(v) for k, v in attributions.items()}
    top = max(float(m.max()) for m in maps.values()) or 1.0
    norm = Normalize(0, top)
    fig = Figure(figsize=(3.0 * len(labels) + 1.0, 2.2 * n_leads + 0.6), layout="constrained")
    axes = np.asarray(fig.subplots(n_leads, len(labels), sharex=True, squeeze=False))
    for j, label in enumerate(labels):
        beats = np.asarray(windows[label], dtype=np.float32)
        mean, spread = beats.mean(axis=0), beats.std(axis=0)
        t = tmin + np.arange(beats.shape[-1]) / sfreq
        for i in range(n_leads):
            ax = axes[i, j]
            weight = maps[label][i if len(maps[label]) == n_leads else 0]
            ax.fill_between(t, mean[i] - spread[i], mean[i] + spread[i], color="0.85", lw=0)
            points = np.stack([t, mean[i]], axis=1)
            segments = np.stack([points[:-1], points[1:]], axis=1)
            line = LineCollection(segments, cmap="plasma", norm=norm, linewidths=2.2)
            line.set_array((weight[:-1] + weight[1:]) / 2)
            ax.add_collection(line)
            ax.autoscale_view()
            ax.axvline(0.0, color="0.6", lw=0.6, ls=":")
            if i == 0:
                ax.set_title(f"{label} (n={len(beats)})")
            if j == 0:
                ax.set_ylabel(ch_names[i])
        axes[-1, j].set_xlabel("time from R peak (s)")
    fig.colorbar(line, ax=axes.ravel().tolist(), label="mean |attribution|")
    fig.suptitle(title or "Class-average beat (± 1 SD) coloured by attribution")
    return fig


def plot_feature_attribution(attributions, names, *, top=20, title=None):
    """Per-class bars of the features with the largest mean absolute attribution.

    Parameters
    ----------
    attributions : dict of {label: ndarray, shape (n_windows, n_features)}
    names : list of str
        Feature names.
    top : int
        Features shown: those with the largest attribution over all classes.
    title : str | None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    labels = _classes(attributions)
    means = {k: np.abs(np.asarray(v, np.float32)).reshape(len(v), -1).mean(axis=0)
             for k, v in attributions.items()}
    size = len(next(iter(means.values())))
    names = list(names) if names is not None and len(names) == size else [
        f"feature {i}" for i in range(size)]
    order = np.argsort(-sum(means.values()))[:top][::-1]
    fig = Figure(figsize=(3.0 * len(labels) + 2.0, 0.25 * len(order) + 1.4),
                 layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(labels), sharey=True))
    for ax, label in zip(axes, labels):
        ax.barh(np.arange(len(order)), means[label][order], color="tab:red")
        ax.set_title(f"{label} (n={len(attributions[label])})")
        ax.set_xlabel("mean |attribution|")
    axes[0].set_yticks(np.arange(len(order)), [names[i] for i in order], fontsize=7)
    fig.suptitle(title or "Feature attributions by class")
    return fig
