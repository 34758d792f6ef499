"""Small example files in each source's exact format, for trying recipes without the data.

CHB-MIT, the EEG Motor Movement/Imagery Database, BCI Competition IV 2a and
DEAP are large, or behind a form or an EULA. :func:`write_example_data`
writes a few subjects of one of them, laid out and encoded as the publisher
does (EDF+ with annotations, a CHB-MIT summary, GDF 2.20 with true-label
``.mat`` files, DEAP's pickled dicts), with a known effect planted in the
signals so that a model has something to find. They exercise the real
loaders end to end; numbers measured on them say nothing about the real data.
"""

import pickle
from pathlib import Path

import numpy as np
import scipy.io

from ._gdf_writer import write_gdf

__all__ = ["EXAMPLES", "write_example_data"]

# PhysioNet's labels for the 64 channels of eegmmidb, in file order.
_EEGMMI_LABELS = [
    "Fc5.", "Fc3.", "Fc1.", "Fcz.", "Fc2.", "Fc4.", "Fc6.", "C5..", "C3..", "C1..", "Cz..",
    "C2..", "C4..", "C6..", "Cp5.", "Cp3.", "Cp1.", "Cpz.", "Cp2.", "Cp4.", "Cp6.", "Fp1.",
    "Fpz.", "Fp2.", "Af7.", "Af3.", "Afz.", "Af4.", "Af8.", "F7..", "F5..", "F3..", "F1..",
    "Fz..", "F2..", "F4..", "F6..", "F8..", "Ft7.", "Ft8.", "T7..", "T8..", "T9..", "T10.",
    "Tp7.", "Tp8.", "P7..", "P5..", "P3..", "P1..", "Pz..", "P2..", "P4..", "P6..", "P8..",
    "Po7.", "Po3.", "Poz.", "Po4.", "Po8.", "O1..", "Oz..", "O2..", "Iz.."]
# The channel labels of the BCI IV 2a GDF files (22 EEG, 3 EOG).
_BCI2A_LABELS = (["EEG-Fz"] + [f"EEG-{i}" for i in range(6)] + ["EEG-C3", "EEG-6", "EEG-Cz",
                 "EEG-7", "EEG-C4"] + [f"EEG-{i}" for i in range(8, 15)]
                 + ["EEG-Pz", "EEG-15", "EEG-16", "EOG-left", "EOG-central", "EOG-right"])
_CHBMIT_CHANNELS = ["FP1-F7", "F7-T7", "T7-P7", "P7-O1", "FP2-F8", "F8-T8"]


def _noise(rng, n_channels, n_times, scale):
    """Background EEG: white noise smoothed into a 1/f-like spectrum."""
    white = rng.standard_normal((n_channels, n_times))
    kernel = np.exp(-np.arange(8) / 2.0)
    smooth = np.apply_along_axis(lambda x: np.convolve(x, kernel / kernel.sum(), "same"), 1, white)
    return scale * smooth / smooth.std()


def _write_edf(path, data_uv, sfreq, labels, annotations=(), physical=8092.0):
    from edfio import Edf, EdfAnnotation, EdfSignal

    signals = [EdfSignal(np.clip(x, -physical, physical), sampling_frequency=sfreq, label=label,
                         physical_dimension="uV", physical_range=(-physical, physical),
                         digital_range=(-32768, 32767))
               for x, label in zip(data_uv, labels)]
    Edf(signals, annotations=[EdfAnnotation(o, d, t) for o, d, t in annotations]).write(path)


def _eegmmidb(root, subjects, rng):
    """Runs 4, 8, 12 (imagined left/right fist): mu rhythm over C3/C4 suppressed
    contralaterally to the imagined fist (event-related desynchronisation)."""
    sfreq, n_times = 160, 20000
    c3, c4 = _EEGMMI_LABELS.index("C3.."), _EEGMMI_LABELS.index("C4..")
    t = np.arange(n_times) / sfreq
    for subject in subjects:
        folder = root / "eegmmidb" / subject
        folder.mkdir(parents=True, exist_ok=True)
        for run in (4, 8, 12):
            data = _noise(rng, 64, n_times, 15.0)
            mu = 12.0 * np.sin(2 * np.pi * 10.0 * t + rng.uniform(0, 2 * np.pi))
            gain = np.ones((2, n_times))
            annotations, onset = [], 0.0
            for k in range(15):
                annotations.append((onset, 4.2, "T0"))
                onset += 4.2
                target = "T1" if k % 2 == 0 else "T2"  # T1 left fist, T2 right fist
                a, b = int(onset * sfreq), int((onset + 4.1) * sfreq)
                gain[1 if target == "T1" else 0, a:b] = 0.2  # left fist: C4 desynchronises
                annotations.append((onset, 4.1, target))
                onset += 4.1
            data[c3] += gain[0] * mu
            data[c4] += gain[1] * mu
            _write_edf(folder / f"{subject}R{run:02d}.edf", data, sfreq, _EEGMMI_LABELS,
                       annotations)


def _chbmit(root, subjects, rng):
    """Three 5-minute files per case, two with a 3 Hz high-amplitude seizure."""
    sfreq, seconds = 256, 300
    seizures = {1: [(100, 140)], 2: [], 3: [(60, 100)]}
    for subject in subjects:
        folder = root / "chbmit" / subject
        folder.mkdir(parents=True, exist_ok=True)
        lines = [f"Data Sampling Rate: {sfreq} Hz", "*" * 25, "", "Channels in EDF Files:",
                 "*" * 22] + [f"Channel {i}: {c}" for i, c in enumerate(_CHBMIT_CHANNELS, 1)]
        lines.append("")
        t = np.arange(seconds * sfreq) / sfreq
        for n, spans in seizures.items():
            name = f"{subject}_{n:02d}.edf"
            data = _noise(rng, len(_CHBMIT_CHANNELS), t.size, 30.0)
            for start, end in spans:
                inside = (t >= start) & (t < end)
                data[:, inside] += 150.0 * np.sign(np.sin(2 * np.pi * 3.0 * t[inside]))
            _write_edf(folder / name, data, sfreq, _CHBMIT_CHANNELS, physical=800.0)
            hour = 10 + n
            lines += ["", f"File Name: {name}", f"File Start Time: {hour}:00:00",
                      f"File End Time: {hour}:05:00", f"Number of Seizures in File: {len(spans)}"]
            for start, end in spans:
                lines += [f"Seizure Start Time: {start} seconds", f"Seizure End Time: {end} seconds"]
        (folder / f"{subject}-summary.txt").write_text("\n".join(lines) + "\n")


def _bci_iv_2a(root, subjects, rng, n_trials=48):
    """Sessions T and E; each class raises a 12 Hz rhythm over its own channels."""
    sfreq, trial = 250, 8 * 250
    folder = root / "bci_iv_2a"
    (folder / "true_labels").mkdir(parents=True, exist_ok=True)
    # Left central, right central, midline, frontocentral channels.
    sites = {769: [7, 8], 770: [11, 12], 771: [9, 14], 772: [1, 3]}
    for subject in subjects:
        for session in ("T", "E"):
            cues = rng.permutation(np.repeat(list(sites), n_trials // 4))
            first = 2000
            n_times = (first + len(cues) * trial) // sfreq * sfreq + sfreq
            data = _noise(rng, len(_BCI2A_LABELS), n_times, 8.0)
            events = [(0, 32766, 0), (250, 276, 500), (1000, 277, 500)]
            t = np.arange(n_times) / sfreq
            for k, cue in enumerate(cues):
                start = first + k * trial
                events.append((start, 768, 1875))
                events.append((start + 500, int(cue) if session == "T" else 783, 313))
                a, b = start + 500, start + 1500
                data[sites[cue], a:b] += 15.0 * np.sin(2 * np.pi * 12.0 * t[a:b])
            write_gdf(folder / f"{subject}{session}.gdf", np.clip(data, -99, 99), sfreq,
                      _BCI2A_LABELS, sorted(events))
            if session == "E":
                scipy.io.savemat(folder / "true_labels" / f"{subject}E.mat",
                                 {"classlabel": (cues - 768).astype(np.uint8)[:, None]})


def _deap(root, subjects, rng):
    """40 trials of 63 s at 128 Hz; frontal alpha grows with valence, beta with arousal."""
    folder = root / "deap" / "data_preprocessed_python"
    folder.mkdir(parents=True, exist_ok=True)
    t = np.arange(8064) / 128.0
    frontal = [1, 2, 17, 19]  # AF3, F3, AF4, F4
    central = [5, 6, 23, 24]  # FC1, C3, Cz, C4
    for subject in subjects:
        labels = rng.uniform(1, 9, (40, 4)).round(2)
        data = np.empty((40, 40, 8064))
        for k in range(40):
            trial = _noise(rng, 40, t.size, 10.0)
            trial[frontal] += (labels[k, 0] > 5) * 8.0 * np.sin(2 * np.pi * 10.0 * t)
            trial[central] += (labels[k, 1] > 5) * 6.0 * np.sin(2 * np.pi * 20.0 * t)
            data[k] = trial
        with open(folder / f"{subject}.dat", "wb") as fid:
            pickle.dump({"data": data, "labels": labels}, fid, protocol=2)


#: Source name -> (writer, default subjects).
EXAMPLES = {
    "eegmmidb": (_eegmmidb, ("S001", "S002", "S003", "S004")),
    "chbmit": (_chbmit, ("chb01",)),
    "bci_iv_2a": (_bci_iv_2a, ("A01", "A02")),
    "deap": (_deap, ("s01", "s02", "s03")),
}


def write_example_data(name, folder, *, subjects=None, seed=0):
    """Write example files of one source, in its exact format, under ``folder``.

    Parameters
    ----------
    name : {"eegmmidb", "chbmit", "bci_iv_2a", "deap"}
        The source.
    folder : path-like
        Data folder to write into; the source's own folder is created in it
        (``folder/chbmit/chb01/...``), so it can be passed as ``data_dir``.
    subjects : list of str | None
        Subject ids of the source; a few by default.
    seed : int
        Seed of the signals and labels.

    Returns
    -------
    folder : Path
        The data folder.
    """
    from ._registry import get_source

    if name not in EXAMPLES:
        raise ValueError(f"no example data for {name!r}; available: {', '.join(EXAMPLES)}")
    writer, default = EXAMPLES[name]
    source = get_source(name, data_dir=folder, progress=False)
    subjects = source.check_subjects(list(subjects or default))
    folder = Path(folder)
    writer(folder, subjects, np.random.default_rng(seed))
    return folder
