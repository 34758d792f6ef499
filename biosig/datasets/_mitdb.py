"""The MIT-BIH Arrhythmia Database (PhysioNet ``mitdb`` 1.0.0)."""

from pathlib import Path

from joblib import Parallel, delayed
from tqdm.auto import tqdm

from .._config import get_cache_dir, get_data_dir
from ._download import fetch_physionet
from ._wfdb import read_wfdb

__all__ = ["MITBIHArrhythmia"]


class MITBIHArrhythmia:
    """MIT-BIH Arrhythmia Database: 48 two-lead ECG records at 360 Hz.

    Records are read from a local folder laid out as on PhysioNet
    (``<data_dir>/mitdb/100.hea``, or ``<data_dir>/mitdb/1.0.0/100.hea``), then
    from the download cache. Files are downloaded only when ``download=True``
    and a record is missing; they land in ``<cache>/physionet/mitdb/1.0.0``
    after their SHA-256 is verified.

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
    version = "1.0.0"
    url = "https://physionet.org/content/mitdb/1.0.0/"
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

    def __init__(self, data_dir=None, *, download=False, cache_dir=None, progress=True):
        self.data_dir = data_dir
        self.download = download
        self.cache_dir = cache_dir
        self.progress = progress

    @property
    def cache_path(self):
        """Path: the folder this database is downloaded into."""
        base = Path(self.cache_dir) if self.cache_dir is not None else get_cache_dir()
        return base / "physionet" / self.name / self.version

    @property
    def folders(self):
        """list of Path: the folders searched for records, in order."""
        folders = []
        data_dir = get_data_dir(self.data_dir)
        if data_dir is not None:
            folders += [data_dir / self.name, data_dir / self.name / self.version]
        return folders + [self.cache_path]

    def subject(self, record):
        """Return the patient id of a record."""
        return "201" if str(record) == "202" else str(record)

    def _check_records(self, records):
        records = [str(r) for r in records]
        unknown = [r for r in records if r not in self.RECORDS]
        if unknown:
            raise ValueError(f"{self.name}: unknown record ids {unknown}; "
                             f"the database has {', '.join(self.RECORDS)}")
        return records

    def _complete(self, folder, record):
        return all((folder / f"{record}.{ext}").exists() for ext in self.extensions)

    def find(self, record):
        """Return the path (without extension) of a complete local record, or None."""
        for folder in self.folders:
            if self._complete(folder, record):
                return folder / record
        return None

    def missing(self, records=None):
        """Return the ids among ``records`` (default: all 48) not complete locally."""
        records = self._check_records(self.RECORDS if records is None else records)
        return [r for r in records if self.find(r) is None]

    def fetch(self, records=None):
        """Download the missing ones among ``records`` into the cache.

        Returns
        -------
        fetched : list of Path
        """
        missing = self.missing(records)
        groups = [[f"{r}.{ext}" for ext in self.extensions] for r in missing]
        return fetch_physionet(self.name, self.version, [f for g in groups for f in g],
                               self.cache_path,
                               groups=groups, progress=self.progress)

    def missing_message(self, records):
        """Explain which records are missing and how to get them."""
        return (
            f"{self.name}: {len(records)} record(s) missing: {', '.join(records)}. "
            f"Searched {', '.join(str(f) for f in self.folders)}. Fetch them with "
            f"--download (biosig.datasets.MITBIHArrhythmia(download=True)) into the "
            f"cache, or mirror {self.url} into <data_dir>/{self.name}/."
        )

    def load(self, record, *, channels=None):
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
        (record,) = self._check_records([record])
        path = self.find(record)
        if path is None and self.download:
            self.fetch([record])
            path = self.find(record)
        if path is None:
            # Read from a partial local copy so the error names the missing file.
            partial = [f for f in self.folders if (f / f"{record}.hea").exists()]
            if partial:
                path = partial[0] / record
            else:
                raise FileNotFoundError(self.missing_message([record]))
        return read_wfdb(path, self.annotation, channels=channels,
                         subject=self.subject(record), source=self.name)

    def load_records(self, records, *, channels=None, n_jobs=1):
        """Load several records, in parallel with joblib when ``n_jobs != 1``.

        Returns
        -------
        recordings : list of Recording
        """
        records = self._check_records(records)
        if self.download:
            self.fetch(records)
        jobs = (delayed(self.load)(r, channels=channels) for r in records)
        out = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
        return list(tqdm(out, total=len(records), desc=f"load {self.name}",
                         unit="record", disable=not self.progress))
