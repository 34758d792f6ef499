"""The St Petersburg INCART 12-lead Arrhythmia Database (PhysioNet ``incartdb`` 1.0.0)."""

import re

import wfdb

from ._beatdb import _BeatDatabase

__all__ = ["INCART12LeadArrhythmia"]

# The patient number in a header comment, e.g. "patient 1".
_PATIENT = re.compile(r"\bpatient\s*(?:no\.?|number|#)?\s*:?\s*(\d+)\b", re.IGNORECASE)


def _patient(comments):
    """Return ``"P<nn>"`` from the first comment naming a patient number 1-32, or None."""
    for line in comments or ():
        match = _PATIENT.search(line)
        if match and 1 <= int(match.group(1)) <= 32:
            return f"P{int(match.group(1)):02d}"
    return None


class INCART12LeadArrhythmia(_BeatDatabase):
    """St Petersburg INCART 12-lead Arrhythmia Database: 75 records at 257 Hz.

    Each record is 30 minutes long (462600 samples) of the 12 standard leads
    (I, II, III, aVR, aVL, aVF, V1-V6) in format 16, with gains between 250
    and 1100 ADC units per mV given by each header, and beat annotations
    (``.atr``) in the WFDB codes of the MIT-BIH databases, so
    :func:`~biosig.datasets.aami_class` groups them into the AAMI classes.

    Records are read from a local folder laid out as on PhysioNet
    (``<data_dir>/incartdb/I01.hea``, or ``<data_dir>/incartdb/1.0.0/I01.hea``),
    then from the download cache. Files are downloaded only when
    ``download=True`` and a record is missing; they land in
    ``<cache>/incartdb/1.0.0`` after their SHA-256 is verified against
    PhysioNet's ``SHA256SUMS.txt``. To test a model trained on mitdb at 360 Hz,
    load at that rate: ``INCART12LeadArrhythmia().load(["I01"], sfreq=360.0,
    channels=["II"])``.

    Parameters
    ----------
    data_dir : path-like | None
        Local data folder; defaults to the ``BIOSIG_DATA`` environment variable.
    download : bool
        Fetch missing records from PhysioNet into the cache.
    cache_dir : path-like | None
        Download cache; defaults to ``BIOSIG_CACHE`` or ``~/.cache/biosig``.
    progress : bool
        Show progress bars.

    Notes
    -----
    The 75 records were extracted from 32 Holter recordings of 32 patients, so
    several records can come from one patient. PhysioNet states that each
    header gives the patient number (1-32) of its source recording; biosig
    reads it from the header comments and gives such records subject
    ``"P01"``-``"P32"``. biosig ships no record-to-patient table: a record
    whose header is not here, or names no patient number, is its own subject
    (its record id). Split by patient only with all headers present.
    None of the patients had a pacemaker; the AAMI protocol excludes no record.

    References
    ----------
    Tihonenko V, Khaustov A, Ivanov S, Rivin A, Yakushenko E. St Petersburg
    INCART 12-lead Arrhythmia Database. PhysioNet (2008).
    doi:10.13026/C2V88N
    """

    name = "incartdb"
    title = "St Petersburg INCART 12-lead Arrhythmia Database"
    size = "833 MB (75 records)"

    #: All 75 record ids, I01-I75.
    RECORDS = tuple(f"I{r:02d}" for r in range(1, 76))
    subjects = RECORDS
    SFREQ = 257.0
    #: The 12 leads, in the order the headers list them.
    LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")

    def normalise_subject(self, subject):
        """Accept ``"I01"``, ``"i01"``, ``"I1"`` and ``1`` for record I01."""
        text = str(subject).strip()
        digits = text[1:] if text[:1] in ("I", "i") else text
        return f"I{int(digits):02d}" if digits.isdigit() else text

    def subject(self, record):
        """Return the patient of a record.

        ``"P<nn>"`` from the patient number in the record's header when a
        header is here and names one, else the record id.
        """
        (record,) = self.check_subjects([record])
        for folder in self.folders:
            if (folder / f"{record}.hea").exists():
                try:
                    comments = wfdb.rdheader(str(folder / record)).comments
                except Exception:  # a broken header is reported when the record is read
                    break
                return _patient(comments) or record
        return record

    def _subject_of(self, record, recording):
        return _patient(recording.metadata.get("comments")) or record
