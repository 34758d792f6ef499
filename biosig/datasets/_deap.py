"""DEAP: EEG and peripheral signals of 32 subjects watching 40 music videos (Koelstra 2012)."""

import re

import mne
import numpy as np

from ._array_pickle import PickleError, load_array_dict
from ._edf import read_raw
from ._recording import Recording
from ._source import BaseSource

__all__ = ["DEAP"]

# Channel order of the preprocessed files (the dataset's description, Geneva order).
_CHANNELS = (
    "Fp1", "AF3", "F3", "F7", "FC5", "FC1", "C3", "T7", "CP5", "CP1", "P3", "P7", "PO3",
    "O1", "Oz", "Pz", "Fp2", "AF4", "Fz", "F4", "F8", "FC6", "FC2", "Cz", "C4", "T8",
    "CP6", "CP2", "P4", "P8", "PO4", "O2",
    "hEOG", "vEOG", "zEMG", "tEMG", "GSR", "Respiration", "Plethysmograph", "Temperature",
)
_TYPES = ["eeg"] * 32 + ["eog", "eog", "emg", "emg", "gsr", "resp", "bio", "temperature"]
_RATINGS = ("valence", "arousal", "dominance", "liking")


class DEAP(BaseSource):
    """DEAP: 32 subjects x 40 one-minute music-video trials, 32 EEG + 8 peripheral channels.

    Reads the preprocessed Python files ``data_preprocessed_python/sNN.dat``:
    pickled dicts with ``data`` (40 trials x 40 channels x 8064 samples at
    128 Hz: a 3 s pre-trial baseline, then 60 s of video) and ``labels`` (40
    x 4 self-assessment ratings from 1 to 9: valence, arousal, dominance,
    liking). Each trial is one :class:`Recording` (record ``"s01_t01"``) with
    a ``"baseline"`` annotation over the first 3 s and, over the video, one
    annotation per rating, ``"valence/high"`` or ``"valence/low"`` and so on:
    high when the rating exceeds ``threshold``. The ratings themselves are in
    ``metadata``. EEG, EOG and EMG are read as microvolts.

    :meth:`load_original` reads the 512 Hz BDF recordings of
    ``data_original/sNN.bdf`` through MNE.

    Parameters
    ----------
    data_dir : path-like | None
        Folder holding ``deap/data_preprocessed_python/s01.dat`` ...; defaults
        to ``BIOSIG_DATA``.
    download : bool
        DEAP is released only under a signed EULA, so a missing file raises
        an error saying where to apply and how to lay the files out.
    cache_dir : path-like | None
        Searched after the data folder.
    progress : bool
        Show progress bars.

    References
    ----------
    Koelstra S, Muehl C, Soleymani M, et al. DEAP: a database for emotion
    analysis using physiological signals. IEEE Trans Affect Comput 3(1):18-31
    (2012).
    """

    name = "deap"
    title = "DEAP (emotion, music videos)"
    version = "2012"
    url = "https://www.eecs.qmul.ac.uk/mmv/datasets/deap/"
    licence = "EULA (academic research only)"
    size = "3.2 GB preprocessed (32 x 99 MB)"
    access = "manual"
    subjects = tuple(f"s{n:02d}" for n in range(1, 33))
    SFREQ = 128.0
    BASELINE = 3.0
    SHAPE = (40, 40, 8064)
    #: Channels of the preprocessed files, in file order.
    CHANNELS = _CHANNELS
    #: The self-assessment ratings, in the order of the ``labels`` columns.
    RATINGS = _RATINGS

    def normalise_subject(self, subject):
        match = re.fullmatch(r"s?0*(\d+)", str(subject).strip(), re.IGNORECASE)
        if match is None:
            raise ValueError(subject)
        return f"s{int(match.group(1)):02d}"

    def subject_files(self, subject):
        return [f"data_preprocessed_python/{subject}.dat"]

    def manual_instructions(self):
        return (f"DEAP is released under an EULA: sign it at {self.url}download.html, and "
                f"unpack data_preprocessed_python.zip so that "
                f"<data_dir>/{self.name}/data_preprocessed_python/s01.dat exists "
                f"(and data_original/s01.bdf for the raw recordings)")

    def load(self, subjects=None, *, trials=None, threshold=5.0, n_jobs=1):
        """Load the preprocessed trials of several subjects.

        Parameters
        ----------
        subjects : list | None
            Subject numbers or ids (``1``, ``"s01"``); all 32 when None.
        trials : list of int | None
            Trial numbers 1 to 40 (video order of the file); all when None.
        threshold : float
            A rating above it is ``high``, at or below it ``low``.
        n_jobs : int
            Subjects read in parallel.

        Returns
        -------
        recordings : list of Recording
        """
        return super().load(subjects, trials=trials, threshold=threshold, n_jobs=n_jobs)

    def _load_subject(self, subject, trials=None, threshold=5.0):
        path = self.path(self.subject_files(subject)[0])
        data, labels = self.read_dat(path)
        trials = range(1, 41) if trials is None else [int(t) for t in trials]
        bad = [t for t in trials if not 1 <= t <= 40]
        if bad:
            raise ValueError(f"{self.name}: trials {bad} do not exist; trials are 1 to 40")
        info = mne.create_info(list(self.CHANNELS), self.SFREQ, _TYPES)
        scale = np.where(np.isin(_TYPES, ["eeg", "eog", "emg"]), 1e-6, 1.0)[:, None]
        out = []
        for t in trials:
            raw = mne.io.RawArray(data[t - 1] * scale, info, verbose=False)
            ratings = dict(zip(self.RATINGS, (float(v) for v in labels[t - 1])))
            video = raw.n_times / self.SFREQ - self.BASELINE
            desc = [f"{k}/{'high' if v > threshold else 'low'}" for k, v in ratings.items()]
            raw.set_annotations(mne.Annotations(
                [0.0] + [self.BASELINE] * len(desc), [self.BASELINE] + [video] * len(desc),
                ["baseline"] + desc))
            out.append(Recording(raw, subject=subject, record=f"{subject}_t{t:02d}",
                                 source=self.name,
                                 metadata={"trial": t, "threshold": threshold, **ratings}))
        return out

    def read_dat(self, path):
        """Read one ``sNN.dat`` file and check its layout.

        Returns
        -------
        data : ndarray, shape (40, 40, 8064)
        labels : ndarray, shape (40, 4)
        """
        try:
            with open(path, "rb") as fid:
                content = load_array_dict(fid.read())
        except PickleError as err:
            raise ValueError(f"{path}: not a DEAP preprocessed file: {err}") from None
        if not isinstance(content, dict) or not {"data", "labels"} <= set(content):
            raise ValueError(f"{path}: expected a dict with 'data' and 'labels'")
        data, labels = np.asarray(content["data"]), np.asarray(content["labels"])
        if data.shape != self.SHAPE:
            raise ValueError(f"{path}: 'data' has shape {data.shape}, expected {self.SHAPE} "
                             "(trials x channels x samples at 128 Hz)")
        if labels.shape != (self.SHAPE[0], len(self.RATINGS)):
            raise ValueError(f"{path}: 'labels' has shape {labels.shape}, expected (40, 4)")
        if np.nanmin(labels) < 1 or np.nanmax(labels) > 9:
            raise ValueError(f"{path}: ratings must lie in 1-9")
        return data, labels

    def load_original(self, subject):
        """Read one subject's original 512 Hz BDF recording (with its Status channel).

        Returns
        -------
        recording : Recording
        """
        (subject,) = self.check_subjects([subject])
        path = self.path(f"data_original/{subject}.bdf")
        return read_raw(path, subject=subject, record=f"{subject}_original", source=self.name)
