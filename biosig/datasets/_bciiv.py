"""BCI Competition IV datasets 2a and 2b (Graz motor imagery, GDF)."""

import re

import mne
import numpy as np
import scipy.io

from ._edf import read_raw
from ._montage import set_standard_montage
from ._source import BaseSource

__all__ = ["BCI_IV_EVENTS", "BCICompIV2a", "BCICompIV2b"]

#: GDF event codes of the BCI Competition IV Graz data (the datasets' descriptions).
BCI_IV_EVENTS = {
    "276": "eyes_open",
    "277": "eyes_closed",
    "768": "trial_start",
    "769": "left_hand",
    "770": "right_hand",
    "771": "feet",
    "772": "tongue",
    "781": "feedback",
    "783": "unknown_cue",
    "1023": "rejected_trial",
    "1072": "eye_movements",
    "1077": "horizontal_eye_movement",
    "1078": "vertical_eye_movement",
    "1079": "eye_rotation",
    "1081": "eye_blinks",
    "32766": "new_run",
}
_CUES = ("left_hand", "right_hand", "feet", "tongue")
# The 22 EEG electrodes of dataset 2a in file order (its description, Fig. 2).
_2A_EEG = ("Fz", "FC3", "FC1", "FCz", "FC2", "FC4", "C5", "C3", "C1", "Cz", "C2", "C4",
           "C6", "CP3", "CP1", "CPz", "CP2", "CP4", "P1", "Pz", "P2", "POz")


def _replace_annotations(raw, *, duration=None, description=None):
    ann = raw.annotations
    raw.set_annotations(mne.Annotations(
        ann.onset, ann.duration if duration is None else duration,
        list(ann.description if description is None else description),
        orig_time=ann.orig_time, ch_names=ann.ch_names))


class _BCICompIV(BaseSource):
    """Shared reading of the Graz GDF files and their true-label files."""

    version = "2008"
    url = "https://www.bbci.de/competition/iv/"
    licence = "research use (cite Tangermann 2012)"
    access = "manual"
    SFREQ = 250.0
    sessions = ()
    n_classes = 4
    labels_url = ""

    def normalise_subject(self, subject):
        match = re.fullmatch(rf"(?:{self.prefix})?0*(\d+)", str(subject).strip(), re.IGNORECASE)
        if match is None:
            raise ValueError(subject)
        return f"{self.prefix}{int(match.group(1)):02d}"

    def manual_instructions(self):
        return (f"the GDF files need the competition's agree-and-submit form at {self.url}; "
                f"unzip them into <data_dir>/{self.name}/, and the true labels "
                f"({self.labels_url}) into <data_dir>/{self.name}/true_labels/")

    def _sessions(self, sessions):
        sessions = self.sessions if sessions is None else [str(s) for s in sessions]
        bad = [s for s in sessions if s not in self.sessions]
        if bad:
            raise ValueError(f"{self.name}: sessions {bad} do not exist; sessions are "
                             f"{', '.join(self.sessions)}")
        return sessions

    def label_file(self, record):
        """Return the path of a record's true-label file, or None."""
        return self.find(f"true_labels/{record}.mat") or self.find(f"{record}.mat")

    def subject_files(self, subject, sessions=None, true_labels=True):
        files = []
        for session in self._sessions(sessions):
            record = f"{subject}{session}"
            files.append(f"{record}.gdf")
            if true_labels and session.endswith("E"):
                files.append(f"true_labels/{record}.mat")
        return files

    def find(self, relative):
        found = super().find(relative)
        if found is None and str(relative).startswith("true_labels/"):
            found = super().find(str(relative).removeprefix("true_labels/"))
        return found

    def _selection(self, kwargs):
        return {"sessions": kwargs.get("sessions"), "true_labels": kwargs.get("true_labels", True)}

    def load(self, subjects=None, *, sessions=None, true_labels=True, n_jobs=1):
        """Load sessions of several subjects.

        Parameters
        ----------
        subjects : list | None
            Subject numbers or ids; all nine when None.
        sessions : list of str | None
            Sessions to load; all when None.
        true_labels : bool
            Replace the evaluation sessions' ``unknown_cue`` events by the
            classes in their true-label ``.mat`` files, which must then be
            present. With False, evaluation cues stay ``unknown_cue``.
        n_jobs : int
            Subjects read in parallel.

        Returns
        -------
        recordings : list of Recording
            One per session, with ``session`` set and the GDF events named
            (:data:`BCI_IV_EVENTS`); ``metadata["labels"]`` holds the true
            labels' file when one was used.
        """
        return super().load(subjects, sessions=sessions, true_labels=true_labels, n_jobs=n_jobs)

    def _load_subject(self, subject, sessions=None, true_labels=True):
        return [self.load_session(subject, s, true_labels=true_labels)
                for s in self._sessions(sessions)]

    def load_session(self, subject, session, *, true_labels=True):
        """Load one session of one subject; see :meth:`load`."""
        (subject,) = self.check_subjects([subject])
        (session,) = self._sessions([session])
        record = f"{subject}{session}"
        path = self.path(f"{record}.gdf")
        rec = read_raw(path, subject=subject, record=record, session=session, source=self.name,
                       preload=self.preload)
        if rec.sfreq != self.SFREQ:
            raise ValueError(f"{path}: sampled at {rec.sfreq:g} Hz; {self.name} is "
                             f"{self.SFREQ:g} Hz")
        raw = rec.raw
        raw.set_channel_types({c: "eog" for c in raw.ch_names if c.upper().startswith("EOG")},
                              on_unit_change="ignore")
        raw.rename_channels(self._standard_names(raw.ch_names, path))
        set_standard_montage(raw)

        unknown = sorted(set(raw.annotations.description) - set(BCI_IV_EVENTS))
        if unknown:
            raise ValueError(f"{path}: event codes {unknown} are not BCI Competition IV codes")
        raw.annotations.rename({k: v for k, v in BCI_IV_EVENTS.items()
                                if k in set(raw.annotations.description)})
        self._span_rejected_trials(raw)
        labels_path = self.label_file(record) if true_labels else None
        if true_labels and session.endswith("E") and labels_path is None:
            raise FileNotFoundError(
                f"{path}: the evaluation session's true labels {record}.mat are missing "
                f"(searched true_labels/ and beside the GDF). {self.manual_instructions()}; "
                "or pass true_labels=False to keep its cues unknown")
        if labels_path is not None:
            self._apply_labels(raw, labels_path, path)
            rec.metadata["labels"] = str(labels_path)
        return rec

    def _standard_names(self, names, path):
        return {}

    def _span_rejected_trials(self, raw):
        """Make each rejected-trial mark span its trial, up to the next trial start."""
        ann = raw.annotations
        duration = ann.duration.copy()
        starts = np.sort(ann.onset[ann.description == "trial_start"])
        for i in np.flatnonzero(ann.description == "rejected_trial"):
            later = starts[starts > ann.onset[i] + 1e-6]
            duration[i] = (later[0] if later.size else raw.times[-1]) - ann.onset[i]
        _replace_annotations(raw, duration=duration)

    def _apply_labels(self, raw, labels_path, path):
        try:
            classes = np.asarray(scipy.io.loadmat(labels_path)["classlabel"]).ravel().astype(int)
        except (KeyError, ValueError, OSError) as err:
            raise ValueError(f"{labels_path}: not a true-label file (needs 'classlabel'): "
                             f"{err}") from None
        if classes.min() < 1 or classes.max() > self.n_classes:
            raise ValueError(f"{labels_path}: class labels must be 1..{self.n_classes}, "
                             f"found {sorted(set(classes))}")
        names = np.array(_CUES[:self.n_classes], dtype=object)[classes - 1]
        desc = raw.annotations.description.astype(object)
        unknown = np.flatnonzero(desc == "unknown_cue")
        known = np.flatnonzero(np.isin(desc, _CUES))
        if unknown.size:
            if unknown.size != classes.size:
                raise ValueError(f"{path} holds {unknown.size} unknown cues but "
                                 f"{labels_path} gives {classes.size} labels")
            desc[unknown] = names
            _replace_annotations(raw, description=desc)
        else:  # training session: the labels must agree with the cues
            if known.size != classes.size or (desc[known] != names).any():
                raise ValueError(f"{labels_path} disagrees with the cues in {path}")


class BCICompIV2a(_BCICompIV):
    """BCI Competition IV 2a: 9 subjects, 4-class motor imagery, 22 EEG + 3 EOG at 250 Hz.

    Sessions ``"T"`` (training, cues 769-772) and ``"E"`` (evaluation, cue 783
    whose class is in ``true_labels/A0xE.mat``), 288 trials each. EOG channels
    have type ``"eog"``; EEG channels get their 10-20 names and the template
    montage. Trials marked 1023 (rejected by the organisers' artefact review)
    are kept, and their ``"rejected_trial"`` annotation spans the whole trial,
    so windows can flag or drop them.

    Parameters
    ----------
    data_dir : path-like | None
        Folder holding ``bci_iv_2a/A01T.gdf`` ... and
        ``bci_iv_2a/true_labels/A01E.mat``; defaults to ``BIOSIG_DATA``.
    download : bool
        The GDF files need a form on the competition site, so a missing file
        raises an error saying where to get it.
    cache_dir : path-like | None
        Searched after the data folder.
    progress : bool
        Show progress bars.

    References
    ----------
    Brunner C, Leeb R, Mueller-Putz GR, Schloegl A, Pfurtscheller G. BCI
    Competition 2008 - Graz data set A (2008).
    """

    name = "bci_iv_2a"
    title = "BCI Competition IV 2a (4-class motor imagery)"
    size = "420 MB (18 GDF files)"
    prefix = "A"
    subjects = tuple(f"A{n:02d}" for n in range(1, 10))
    sessions = ("T", "E")
    labels_url = "https://www.bbci.de/competition/iv/results/ds2a/true_labels.zip"

    def _standard_names(self, names, path):
        eeg = [n for n in names if n.upper().startswith("EEG")]
        if len(eeg) != len(_2A_EEG):
            raise ValueError(f"{path}: {len(eeg)} EEG channels; dataset 2a has {len(_2A_EEG)}")
        mapping = dict(zip(eeg, _2A_EEG))
        # the file names 5 electrodes itself (EEG-Fz, -C3, -Cz, -C4, -Pz); they must agree
        for old, new in mapping.items():
            label = old[4:]
            if not label.isdigit() and label.lower() != new.lower():
                raise ValueError(f"{path}: channel {old} sits where dataset 2a has {new}")
        return mapping


class BCICompIV2b(_BCICompIV):
    """BCI Competition IV 2b: 9 subjects, left/right hand imagery, C3/Cz/C4 + 3 EOG at 250 Hz.

    Five sessions: ``"01T"``, ``"02T"`` (screening), ``"03T"`` (smiley
    feedback) and the evaluation sessions ``"04E"``, ``"05E"`` whose cues
    (783) get their class from ``true_labels/B0x04E.mat``. Events are named as
    in :data:`BCI_IV_EVENTS`; rejected trials are kept and marked.

    Parameters
    ----------
    data_dir : path-like | None
        Folder holding ``bci_iv_2b/B0101T.gdf`` ...; defaults to ``BIOSIG_DATA``.
    download : bool
        The GDF files need a form on the competition site, so a missing file
        raises an error saying where to get it.
    cache_dir : path-like | None
        Searched after the data folder.
    progress : bool
        Show progress bars.

    References
    ----------
    Leeb R, Brunner C, Mueller-Putz GR, Schloegl A, Pfurtscheller G. BCI
    Competition 2008 - Graz data set B (2008).
    """

    name = "bci_iv_2b"
    title = "BCI Competition IV 2b (left/right hand imagery)"
    size = "900 MB (45 GDF files)"
    prefix = "B"
    subjects = tuple(f"B{n:02d}" for n in range(1, 10))
    sessions = ("01T", "02T", "03T", "04E", "05E")
    n_classes = 2
    labels_url = "https://www.bbci.de/competition/iv/results/ds2b/true_labels.zip"

    def _standard_names(self, names, path):
        return {n: n.split(":", 1)[1] for n in names
                if n.upper().startswith("EEG:") and ":" in n}
