"""The Bonn University epilepsy EEG set (Andrzejak et al. 2001): sets Z, O, N, F, S."""

import re

import mne
import numpy as np

from ._download import fetch_archive, read_checksum_list
from ._recording import Recording
from ._source import BaseSource

__all__ = ["BonnEpilepsy"]

# One number per line, as the publisher wrote them (integers; a decimal is read too).
_NUMBER = re.compile(r"[ \t]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[ \t]*")

# Set -> (letter in the A-E naming, cohort, channel type, description).
_SETS = {
    "Z": ("A", "volunteers", "eeg", "healthy volunteers, surface EEG, eyes open"),
    "O": ("B", "volunteers", "eeg", "healthy volunteers, surface EEG, eyes closed"),
    "N": ("C", "patients", "seeg", "interictal, hippocampal formation opposite the focus"),
    "F": ("D", "patients", "seeg", "interictal, within the epileptogenic zone"),
    "S": ("E", "patients", "seeg", "ictal (seizure activity)"),
}
# The publisher's archives (Klinik fuer Epileptologie, Universitaetsklinikum Bonn).
_ARCHIVES = {
    "Z": "https://www.ukbonn.de/site/assets/files/21874/z.zip",
    "O": "https://www.ukbonn.de/site/assets/files/21872/o.zip",
    "N": "https://www.ukbonn.de/site/assets/files/21871/n.zip",
    "F": "https://www.ukbonn.de/site/assets/files/21870/f.zip",
    "S": "https://www.ukbonn.de/site/assets/files/21875/s.zip",
}


class BonnEpilepsy(BaseSource):
    """Bonn epilepsy EEG: 5 sets x 100 single-channel segments, 4097 samples at 173.61 Hz.

    Each segment (23.6 s) is one :class:`Recording` with record ``"Z001"``,
    ``session`` its set and one annotation spanning it whose description is the
    set letter (``"Z"``, ``"O"``, ``"N"``, ``"F"``, ``"S"``; A-E in the other
    naming, kept in ``metadata["alias"]``). Values are read as microvolts.

    The loading unit is the set: ``load(["Z", "S"])``; ``"A"``-``"E"`` are
    accepted too.

    Parameters
    ----------
    data_dir : path-like | None
        Folder holding ``bonn/Z/Z001.txt`` ...; defaults to ``BIOSIG_DATA``.
    download : bool
        Fetch missing sets from the publisher's archives into the cache; every
        file is checked against the SHA-256 list shipped with biosig.
    cache_dir : path-like | None
        Download cache; defaults to ``BIOSIG_CACHE`` or ``~/.cache/biosig``.
    progress : bool
        Show progress bars.

    Notes
    -----
    Subjects: Z and O come from the same 5 healthy volunteers, N, F and S from 5
    patients, but the publisher does not say which segment comes from whom.
    ``subject`` is therefore the cohort (``"volunteers"`` or ``"patients"``),
    which cannot keep one person's segments on one side of a split: any
    segment-level cross-validation on this set may share a subject between
    training and test, and reports must say so.

    References
    ----------
    Andrzejak RG, Lehnertz K, Mormann F, Rieke C, David P, Elger CE. Indications
    of nonlinear deterministic and finite-dimensional structures in time series
    of brain electrical activity. Phys Rev E 64:061907 (2001).
    """

    name = "bonn"
    title = "Bonn University epilepsy EEG (Andrzejak 2001)"
    version = "2001"
    url = "https://www.ukbonn.de/epileptologie/arbeitsgruppen/ag-lehnertz-neurophysik/downloads/"
    licence = "research use (cite Andrzejak 2001)"
    size = "8 MB (500 text files)"
    subjects = tuple(_SETS)
    SFREQ = 173.61
    N_SAMPLES = 4097
    SEGMENTS = 100
    #: Set -> its letter in the A-E naming.
    ALIASES = {k: v[0] for k, v in _SETS.items()}

    def normalise_subject(self, subject):
        key = str(subject).strip().upper()
        by_alias = {v: k for k, v in self.ALIASES.items()}
        return by_alias.get(key, key)

    def subject_files(self, subject):
        # N files are named *.TXT in the publisher's archive, the others *.txt.
        ext = "TXT" if subject == "N" else "txt"
        return [f"{subject}/{subject}{i:03d}.{ext}" for i in range(1, self.SEGMENTS + 1)]

    def find(self, relative):
        found = super().find(relative)
        if found is None:  # tolerate a copy whose extension case was changed
            stem, _, ext = str(relative).rpartition(".")
            other = f"{stem}.{ext.swapcase()}"
            found = super().find(other)
        return found

    def _fetch(self, files):
        checksums = read_checksum_list(self.name)
        fetched = []
        for set_name in dict.fromkeys(str(f).split("/")[0] for f in files):
            wanted = {rel: digest for rel, digest in checksums.items()
                      if rel.startswith(f"{set_name}/")}
            fetched += fetch_archive(_ARCHIVES[set_name], self.cache_path, wanted,
                                     progress=self.progress, dataset=self.name)
        return fetched

    def load(self, subjects=None, *, n_jobs=1):
        """Load whole sets.

        Parameters
        ----------
        subjects : list of str | None
            Sets, e.g. ``["Z", "O", "S"]`` or ``["A", "E"]``; all five when None.
        n_jobs : int
            Sets read in parallel.

        Returns
        -------
        recordings : list of Recording
            100 per set, in file order.
        """
        return super().load(subjects, n_jobs=n_jobs)

    def _load_subject(self, subject):
        return [self.read_segment(self.path(rel), subject) for rel in self.subject_files(subject)]

    def read_segment(self, path, set_name):
        """Read one segment file of set ``set_name`` into a Recording."""
        try:
            text = path.read_bytes().decode("ascii")
        except UnicodeDecodeError as err:
            raise ValueError(f"{path}: not a Bonn segment: byte {err.start} is not ASCII") from None
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the final newline
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        for number, line in enumerate(lines, 1):
            if not _NUMBER.fullmatch(line):
                raise ValueError(f"{path}: line {number} ({line[:20]!r}) is not one number: "
                                 "not a Bonn segment (one number per line)")
        values = np.array(lines, dtype=np.float64)
        if values.ndim != 1 or values.size != self.N_SAMPLES:
            raise ValueError(f"{path}: holds {values.size} samples; every Bonn segment has "
                             f"{self.N_SAMPLES} (23.6 s at {self.SFREQ} Hz)")
        alias, cohort, ch_type, state = _SETS[set_name]
        info = mne.create_info([set_name], self.SFREQ, [ch_type])
        raw = mne.io.RawArray(values[None] * 1e-6, info, verbose=False)
        raw.set_annotations(mne.Annotations([0.0], [values.size / self.SFREQ], [set_name]))
        return Recording(raw, subject=cohort, record=path.stem.upper(), session=set_name,
                         source=self.name,
                         metadata={"set": set_name, "alias": alias, "state": state})
