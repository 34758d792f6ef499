"""The MIT-BIH Arrhythmia Database (PhysioNet ``mitdb`` 1.0.0)."""

from ._physionet import PhysioNetSource
from ._wfdb import read_wfdb

__all__ = ["MITBIHArrhythmia"]


class MITBIHArrhythmia(PhysioNetSource):
    """MIT-BIH Arrhythmia Database: 48 two-lead ECG records at 360 Hz.

    Records are read from a local folder laid out as on PhysioNet
    (``<data_dir>/mitdb/100.hea``, or ``<data_dir>/mitdb/1.0.0/100.hea``), then
    from the download cache. Files are downloaded only when ``download=True``
    and a record is missing; they land in ``<cache>/mitdb/1.0.0`` after their
    SHA-256 is verified. The loading unit is the record:
    ``MITBIHArrhythmia().load(["100", "101"])``.

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
    Records 201 and 202 come from the same patient (PhysioNet's record
    descriptions); both are given subject ``"201"``. De Chazal's DS1/DS2 lists
    place them on different sides, as published.

    References
    ----------
    Moody GB, Mark RG. The impact of the MIT-BIH Arrhythmia Database. IEEE Eng
    Med Biol 20(3):45-50 (2001).
    de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats
    using ECG morphology and heartbeat interval features. IEEE Trans Biomed Eng
    51(7):1196-1206 (2004).
    """

    name = "mitdb"
    title = "MIT-BIH Arrhythmia Database"
    size = "104 MB (48 records)"
    annotation = "atr"
    extensions = ("hea", "dat", "atr")

    #: All 48 record ids.
    RECORDS = (
        "100", "101", "102", "103", "104", "105", "106", "107", "108", "109",
        "111", "112", "113", "114", "115", "116", "117", "118", "119",
        "121", "122", "123", "124",
        "200", "201", "202", "203", "205", "207", "208", "209", "210",
        "212", "213", "214", "215", "217", "219", "220", "221", "222", "223",
        "228", "230", "231", "232", "233", "234",
    )
    subjects = RECORDS
    SFREQ = 360.0
    #: Records with paced rhythm, excluded from the AAMI protocol.
    PACED = ("102", "104", "107", "217")
    #: De Chazal 2004 training set.
    DS1 = (
        "101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122",
        "124", "201", "203", "205", "207", "208", "209", "215", "220", "223", "230",
    )
    #: De Chazal 2004 test set.
    DS2 = (
        "100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210",
        "212", "213", "214", "219", "221", "222", "228", "231", "232", "233", "234",
    )

    def subject(self, record):
        """Return the patient id of a record."""
        return "201" if str(record) == "202" else str(record)

    def subject_files(self, subject):
        return [f"{subject}.{ext}" for ext in self.extensions]

    def find_record(self, record):
        """Return the path (without extension) of a complete local record, or None."""
        for folder in self.folders:
            if all((folder / f).exists() for f in self.subject_files(record)):
                return folder / record
        return None

    def missing(self, records=None):
        """Return the ids among ``records`` (default: all 48) not complete locally."""
        return [r for r in self.check_subjects(records) if self.find_record(r) is None]

    def missing_message(self, records):
        """Explain which records are missing and how to get them."""
        records = list(dict.fromkeys(str(r).split(".")[0] for r in records))
        return (
            f"{self.name}: {len(records)} record(s) missing: {', '.join(records)}. "
            f"Searched {', '.join(str(f) for f in self.folders)}. Fetch them with "
            f"--download (biosig.datasets.MITBIHArrhythmia(download=True)) into the "
            f"cache, or mirror {self.url} into <data_dir>/{self.name}/."
        )

    def load(self, records=None, *, channels=None, n_jobs=1):
        """Load several records, in parallel with joblib when ``n_jobs != 1``.

        Parameters
        ----------
        records : list of str | None
            Record ids; all 48 when None.
        channels : list of str | None
            Leads to read, e.g. ``["MLII"]``; all when None.
        n_jobs : int
            Records read in parallel.

        Returns
        -------
        recordings : list of Recording
        """
        return super().load(records, channels=channels, n_jobs=n_jobs)

    def _load_subject(self, record, channels=None):
        return [self.load_record(record, channels=channels)]

    def load_record(self, record, *, channels=None):
        """Load one record with its reference beat annotations.

        Parameters
        ----------
        record : str
            Record id, e.g. ``"100"``.
        channels : list of str | None
            Leads to read, e.g. ``["MLII"]``; all when None.

        Returns
        -------
        recording : Recording
        """
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
        return read_wfdb(path, self.annotation, channels=channels,
                         subject=self.subject(record), source=self.name)
