"""PhysioNet EEG Motor Movement/Imagery Dataset (``eegmmidb`` 1.0.0)."""

import re

import mne

from ._edf import read_raw
from ._montage import set_standard_montage
from ._physionet import PhysioNetSource

__all__ = ["EEGMotorImagery"]

# What T0/T1/T2 mean in each run (the dataset description on PhysioNet).
_BASELINE = {1: "eyes_open", 2: "eyes_closed"}
_TASKS = {
    "movement/left_right_fist": (3, 7, 11),
    "imagery/left_right_fist": (4, 8, 12),
    "movement/fists_feet": (5, 9, 13),
    "imagery/fists_feet": (6, 10, 14),
}
_TARGETS = {"left_right_fist": ("left_fist", "right_fist"),
            "fists_feet": ("both_fists", "both_feet")}


def run_events(run):
    """Return what T0, T1 and T2 mean in one run of the dataset.

    Parameters
    ----------
    run : int
        Run number, 1 to 14.

    Returns
    -------
    mapping : dict
        Original description -> named event. Runs 1 and 2 are the eyes-open
        and eyes-closed baselines (T0 only). In task runs T0 is ``"rest"`` and
        T1/T2 are ``"<movement|imagery>/<target>"``, e.g.
        ``"imagery/left_fist"``; MNE's ``epochs["imagery"]`` selects by the tag.
    """
    run = int(run)
    if run in _BASELINE:
        return {"T0": _BASELINE[run]}
    for task, runs in _TASKS.items():
        if run in runs:
            kind, target = task.split("/")
            first, second = _TARGETS[target]
            return {"T0": "rest", "T1": f"{kind}/{first}", "T2": f"{kind}/{second}"}
    raise ValueError(f"eegmmidb: run {run} does not exist; runs are 1 to 14")


class EEGMotorImagery(PhysioNetSource):
    """EEG Motor Movement/Imagery: 109 subjects, 14 runs, 64-channel EDF+ at 160 Hz.

    Each run is one :class:`Recording` (record ``"S001R04"``, subject
    ``"S001"``) with the T0/T1/T2 annotations renamed to what they mean in that
    run (:func:`run_events`), channel names cleaned to the 10-10 names
    (``"Fc5."`` -> ``"FC5"``) and MNE's template 10-05 montage set.

    Parameters
    ----------
    data_dir : path-like | None
        Folder holding ``eegmmidb/S001/S001R01.edf`` ...; defaults to ``BIOSIG_DATA``.
    download : bool
        Fetch missing runs from PhysioNet (SHA-256 verified) into the cache.
    cache_dir : path-like | None
        Download cache; defaults to ``BIOSIG_CACHE`` or ``~/.cache/biosig``.
    progress : bool
        Show progress bars.

    Notes
    -----
    Studies commonly leave out subjects 88, 92, 100 and 104, whose runs differ
    in sampling rate or length from the rest. A run whose rate is not the
    expected ``sfreq`` fails with an error naming the file.

    References
    ----------
    Schalk G, McFarland DJ, Hinterberger T, Birbaumer N, Wolpaw JR. BCI2000: a
    general-purpose brain-computer interface system. IEEE Trans Biomed Eng
    51(6):1034-1043 (2004).
    """

    name = "eegmmidb"
    title = "EEG Motor Movement/Imagery Dataset"
    size = "~3.4 GB (1526 EDF files)"
    subjects = tuple(f"S{n:03d}" for n in range(1, 110))
    RUNS = tuple(range(1, 15))
    SFREQ = 160.0
    #: Runs of each task, e.g. ``TASK_RUNS["imagery/left_right_fist"] == (4, 8, 12)``.
    TASK_RUNS = dict(_TASKS)

    def normalise_subject(self, subject):
        match = re.fullmatch(r"S?0*(\d+)", str(subject).strip(), re.IGNORECASE)
        if match is None:
            raise ValueError(subject)
        return f"S{int(match.group(1)):03d}"

    def _runs(self, runs):
        runs = self.RUNS if runs is None else [int(r) for r in runs]
        bad = [r for r in runs if r not in self.RUNS]
        if bad:
            raise ValueError(f"eegmmidb: runs {bad} do not exist; runs are 1 to 14")
        return runs

    def subject_files(self, subject, runs=None):
        return [f"{subject}/{subject}R{r:02d}.edf" for r in self._runs(runs)]

    def _selection(self, kwargs):
        return {"runs": kwargs.get("runs")}

    def load(self, subjects=None, *, runs=None, sfreq=160.0, n_jobs=1):
        """Load runs of several subjects.

        Parameters
        ----------
        subjects : list of int or str | None
            Subject numbers or ids (``1`` or ``"S001"``); all 109 when None.
        runs : list of int | None
            Runs 1 to 14; all when None. ``EEGMotorImagery.TASK_RUNS`` names them.
        sfreq : float | None
            The sample rate every run must have; None accepts any.
        n_jobs : int
            Subjects read in parallel.

        Returns
        -------
        recordings : list of Recording
            One per run, ``session=None``; ``metadata`` holds ``run`` and ``task``.
        """
        return super().load(subjects, runs=runs, sfreq=sfreq, n_jobs=n_jobs)

    def _load_subject(self, subject, runs=None, sfreq=160.0):
        return [self.load_run(subject, run, sfreq=sfreq) for run in self._runs(runs)]

    def load_run(self, subject, run, *, sfreq=160.0):
        """Load one run of one subject; see :meth:`load`."""
        (subject,) = self.check_subjects([subject])
        (run,) = self._runs([run])
        path = self.path(self.subject_files(subject, [run])[0])
        rec = read_raw(path, subject=subject, record=path.stem, source=self.name,
                       preload=self.preload)
        if sfreq is not None and rec.sfreq != sfreq:
            raise ValueError(f"{path}: sampled at {rec.sfreq:g} Hz, expected {sfreq:g} Hz "
                             "(pass sfreq=None to accept it, then resample)")
        raw = rec.raw
        mne.datasets.eegbci.standardize(raw)
        set_standard_montage(raw)
        mapping = run_events(run)
        unknown = sorted(set(raw.annotations.description) - set(mapping))
        if unknown:
            raise ValueError(f"{path}: annotations {unknown} are not defined for run {run} "
                             f"(expected {sorted(mapping)})")
        present = set(raw.annotations.description)
        raw.annotations.rename({k: v for k, v in mapping.items() if k in present})
        task = next((t for t, rs in _TASKS.items() if run in rs), "baseline")
        rec.metadata.update(run=run, task=task)
        return rec
