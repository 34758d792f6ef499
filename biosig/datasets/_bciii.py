"""BCI Competition II, dataset III (Graz): left/right hand imagery from one subject, 3 channels."""

import mne
import numpy as np
import scipy.io

from ._montage import set_standard_montage
from ._recording import Recording
from ._source import BaseSource

__all__ = ["BCICompII3"]

_CLASSES = {1: "left_hand", 2: "right_hand"}


class BCICompII3(BaseSource):
    """BCI Competition II dataset III: 280 trials of 9 s, C3/Cz/C4 at 128 Hz.

    ``dataset_BCIcomp1.mat`` holds ``x_train`` and ``x_test`` (1152 samples x
    3 channels x 140 trials) and ``y_train`` (1 left, 2 right);
    ``labels_data_set_iii.mat`` holds the true ``y_test``. Each set becomes one
    :class:`Recording` (session ``"train"`` or ``"test"``) whose trials are laid
    end to end: every trial has a ``"trial_start"`` annotation (9 s), its cue at
    3 s (``"left_hand"``/``"right_hand"``, lasting the 6 s of imagery), and
    MNE's ``"BAD boundary"``/``"EDGE boundary"`` marks where trials join, so
    sliding windows can avoid crossing them.

    Parameters
    ----------
    data_dir : path-like | None
        Folder holding ``bci_ii_iii/dataset_BCIcomp1.mat`` and
        ``bci_ii_iii/labels_data_set_iii.mat``; defaults to ``BIOSIG_DATA``.
    download : bool
        The competition data need a form, so a missing file raises an error
        saying where to get it.
    cache_dir : path-like | None
        Searched after the data folder.
    progress : bool
        Show progress bars.

    References
    ----------
    Schloegl A. BCI Competition II, Data set III (Graz, 2003);
    Blankertz B et al. The BCI Competition 2003. IEEE Trans Biomed Eng
    51(6):1044-1051 (2004).
    """

    name = "bci_ii_iii"
    title = "BCI Competition II dataset III (Graz, left/right imagery)"
    version = "2003"
    url = "https://www.bbci.de/competition/ii/"
    licence = "research use (cite Blankertz 2004)"
    size = "3 MB (2 MAT files)"
    access = "manual"
    subjects = ("1",)
    sessions = ("train", "test")
    SFREQ = 128.0
    CH_NAMES = ("C3", "Cz", "C4")
    TRIAL_SAMPLES = 1152
    N_TRIALS = 140
    CUE = 3.0
    DATA_FILE = "dataset_BCIcomp1.mat"
    LABELS_FILE = "labels_data_set_iii.mat"

    def subject_files(self, subject, sessions=None, true_labels=True):
        sessions = self.sessions if sessions is None else sessions
        return [self.DATA_FILE] + ([self.LABELS_FILE] if true_labels and "test" in sessions else [])

    def _selection(self, kwargs):
        return {"sessions": kwargs.get("sessions"), "true_labels": kwargs.get("true_labels", True)}

    def manual_instructions(self):
        return (f"download {self.DATA_FILE} from {self.url} (data sets, Graz III) and "
                f"{self.LABELS_FILE} from its results page into <data_dir>/{self.name}/")

    def load(self, subjects=None, *, sessions=None, true_labels=True, n_jobs=1):
        """Load the training and/or test set.

        Parameters
        ----------
        subjects : list | None
            ``["1"]`` (the set has one subject) or None.
        sessions : list of {"train", "test"} | None
            Sets to load; both when None.
        true_labels : bool
            Label the test cues from ``labels_data_set_iii.mat`` (which must
            then be present); with False they are ``"unknown_cue"``.
        n_jobs : int
            Unused (one subject); kept for the common signature.

        Returns
        -------
        recordings : list of Recording
        """
        return super().load(subjects, sessions=sessions, true_labels=true_labels, n_jobs=n_jobs)

    def _load_subject(self, subject, sessions=None, true_labels=True):
        sessions = list(self.sessions if sessions is None else sessions)
        bad = [s for s in sessions if s not in self.sessions]
        if bad:
            raise ValueError(f"{self.name}: sessions {bad} do not exist; use train, test")
        path = self.path(self.DATA_FILE)
        try:
            mat = scipy.io.loadmat(path)
        except (ValueError, OSError) as err:
            raise ValueError(f"{path}: unreadable MAT file: {err}") from None
        out = []
        for session in sessions:
            x = self._array(mat, f"x_{session}", path)
            if session == "train":
                y, labels_path = self._labels(mat, "y_train", path), path
            elif true_labels:
                labels_path = self.path(self.LABELS_FILE)
                y = self._labels(scipy.io.loadmat(labels_path), "y_test", labels_path)
            else:
                y, labels_path = None, None
            out.append(self._recording(x, y, session, labels_path))
        return out

    def _array(self, mat, key, path):
        if key not in mat:
            raise ValueError(f"{path}: has no '{key}' (keys: {sorted(k for k in mat if k[0] != '_')})")
        x = np.asarray(mat[key], dtype=np.float64)
        expected = (self.TRIAL_SAMPLES, len(self.CH_NAMES), self.N_TRIALS)
        if x.shape != expected:
            raise ValueError(f"{path}: '{key}' has shape {x.shape}, expected {expected} "
                             "(samples x channels x trials)")
        return x

    def _labels(self, mat, key, path):
        if key not in mat:
            raise ValueError(f"{path}: has no '{key}'")
        y = np.asarray(mat[key]).ravel().astype(int)
        if y.size != self.N_TRIALS or not set(y) <= set(_CLASSES):
            raise ValueError(f"{path}: '{key}' must hold {self.N_TRIALS} labels in {{1, 2}}")
        return y

    def _recording(self, x, y, session, labels_path):
        n_samples, _, n_trials = x.shape
        data = x.transpose(1, 2, 0).reshape(len(self.CH_NAMES), n_trials * n_samples) * 1e-6
        info = mne.create_info(list(self.CH_NAMES), self.SFREQ, "eeg")
        raw = mne.io.RawArray(data, info, verbose=False)
        set_standard_montage(raw)
        trial = n_samples / self.SFREQ
        starts = np.arange(n_trials) * trial
        cues = ["unknown_cue"] * n_trials if y is None else [_CLASSES[c] for c in y]
        onset = np.concatenate([starts, starts + self.CUE, starts[1:], starts[1:]])
        duration = np.concatenate([np.full(n_trials, trial), np.full(n_trials, trial - self.CUE),
                                   np.zeros(2 * (n_trials - 1))])
        desc = (["trial_start"] * n_trials + cues + ["BAD boundary"] * (n_trials - 1)
                + ["EDGE boundary"] * (n_trials - 1))
        raw.set_annotations(mne.Annotations(onset, duration, desc))
        return Recording(raw, subject="1", record=f"graz_iii_{session}", session=session,
                         source=self.name,
                         metadata={"labels": None if labels_path is None else str(labels_path)})
