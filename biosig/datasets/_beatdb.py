"""What the PhysioNet beat-annotated ECG databases share: records, reading, resampling."""

import numbers

import numpy as np

from ._physionet import PhysioNetSource
from ._wfdb import read_wfdb

__all__ = []


class _BeatDatabase(PhysioNetSource):
    """A PhysioNet database of WFDB records (``.hea``, ``.dat``, ``.atr``), one a subject id.

    The loading unit is the record: ``subjects`` holds the record ids and
    :meth:`subject` gives the patient a record comes from. Subclasses set
    ``name``, ``title``, ``size``, ``RECORDS`` (and ``subjects = RECORDS``) and
    ``SFREQ``, and may override :meth:`subject`.
    """

    annotation = "atr"
    extensions = ("hea", "dat", "atr")
    RECORDS = ()
    #: The sampling rate the records are stored at, in Hz.
    SFREQ = None
    #: Whether every header names its leads apart, so that wfdb can read only
    #: the leads asked for; else all are read and picked by unique names.
    unique_lead_names = False

    def subject(self, record):
        """Return the patient id of a record (by default the record itself)."""
        return str(record)

    def subject_files(self, subject):
        return [f"{subject}.{ext}" for ext in self.extensions]

    def find_record(self, record):
        """Return the path (without extension) of a complete local record, or None."""
        for folder in self.folders:
            if all((folder / f).exists() for f in self.subject_files(record)):
                return folder / record
        return None

    def missing(self, records=None):
        """Return the ids among ``records`` (default: all) not complete locally."""
        return [r for r in self.check_subjects(records) if self.find_record(r) is None]

    def missing_message(self, records):
        """Explain which records are missing and how to get them."""
        records = list(dict.fromkeys(str(r).split(".")[0] for r in records))
        return (
            f"{self.name}: {len(records)} record(s) missing: {', '.join(records)}. "
            f"Searched {', '.join(str(f) for f in self.folders)}. Fetch them with "
            f"--download (biosig.datasets.{type(self).__name__}(download=True)) into the "
            f"cache, or mirror {self.url} into <data_dir>/{self.name}/."
        )

    def load(self, records=None, *, channels=None, sfreq=None, n_jobs=1):
        """Load several records, in parallel with joblib when ``n_jobs != 1``.

        Parameters
        ----------
        records : list of str | None
            Record ids; all when None.
        channels : list of str | None
            Leads to read, by their names in the Recording; all when None.
        sfreq : float | None
            Resample to this rate in Hz (e.g. 360.0, MIT-BIH's); the stored
            rate when None.
        n_jobs : int
            Records read in parallel.

        Returns
        -------
        recordings : list of Recording
        """
        sfreq = self._check_sfreq(sfreq)  # before any download
        return super().load(records, channels=channels, sfreq=sfreq, n_jobs=n_jobs)

    def _load_subject(self, record, channels=None, sfreq=None):
        return [self.load_record(record, channels=channels, sfreq=sfreq)]

    def load_record(self, record, *, channels=None, sfreq=None):
        """Load one record with its reference beat annotations (``Recording.beats``).

        Parameters
        ----------
        record : str
            Record id.
        channels : list of str | None
            Leads to keep, in this order, by their names in the Recording
            (repeated header names get ``-1``, ``-2``, ... appended); all when
            None. An entry ``"V1|V2|V4|V5"`` keeps the first of those leads
            the record has, in that order, and names it by the whole entry, so
            that records whose second lead differs (MIT-BIH's lead other than
            MLII is V1 in most records, V2, V4 or V5 in a few) give windows with
            the same channel names.
        sfreq : float | None
            Resample the signals to this rate in Hz with
            :meth:`mne.io.Raw.resample`. Annotation and beat onsets (seconds)
            are kept, so :meth:`Recording.annotation_onsets` gives indices at
            the new rate. None keeps the stored rate.

        Returns
        -------
        recording : Recording
        """
        sfreq = self._check_sfreq(sfreq)
        (record,) = self.check_subjects([record])
        path = self.find_record(record)
        if path is None and self.download:
            self.fetch([record])
            path = self.find_record(record)
        if path is None:
            # Read from a partial local copy so the error names the missing file.
            partial = [f for f in self.folders if (f / f"{record}.hea").exists()]
            if partial:
                path = partial[0] / record
            else:
                raise FileNotFoundError(self.missing_message([record]))
        if channels is not None:
            channels = [channels] if isinstance(channels, str) else list(channels)
        # Where a header may repeat a name (svdb's two leads are both "ECG"), all
        # leads are read and picked by their unique names.
        direct = (channels is not None and self.unique_lead_names
                  and not any("|" in c for c in channels))
        rec = read_wfdb(path, self.annotation, source=self.name,
                        channels=channels if direct else None)
        rec.subject = self._subject_of(record, rec)
        if channels is not None and not direct:
            picks, names = _resolve_leads(channels, rec.ch_names, path)
            rec.raw.pick(picks)
            rec.raw.rename_channels(dict(zip(picks, names)))
        if sfreq is not None and sfreq != rec.sfreq:
            rec.raw.resample(sfreq, verbose=False)
        return rec

    def _subject_of(self, record, recording):
        """The subject of a record just read (hook for mappings given by the header)."""
        return self.subject(record)

    def _check_sfreq(self, sfreq):
        if sfreq is None:
            return None
        if (isinstance(sfreq, bool) or not isinstance(sfreq, numbers.Real)
                or not (np.isfinite(sfreq) and sfreq > 0)):
            raise ValueError(f"{self.name}: sfreq must be a positive rate in Hz, got {sfreq!r}")
        return float(sfreq)


def _resolve_leads(channels, available, path):
    """The leads to pick for ``channels`` and the names to give them.

    An entry ``"A|B"`` takes the first of A and B in ``available`` and is
    named ``"A|B"``; a plain name is itself.
    """
    picks, missing = [], []
    for entry in channels:
        found = next((name for name in map(str.strip, entry.split("|")) if name in available),
                     None)
        if found is None:
            missing.append(entry)
        picks.append(found)
    if missing:
        raise ValueError(f"{path}.hea: no channel named {missing}; channels are {available}")
    if len(set(picks)) < len(picks):
        raise ValueError(f"{path}.hea: channels {channels} pick the lead(s) "
                         f"{sorted({p for p in picks if picks.count(p) > 1})} more than once")
    return picks, list(channels)
