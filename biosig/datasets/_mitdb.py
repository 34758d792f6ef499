"""The MIT-BIH Arrhythmia Database (PhysioNet ``mitdb`` 1.0.0)."""

from ._beatdb import _BeatDatabase

__all__ = ["MITBIHArrhythmia"]


class MITBIHArrhythmia(_BeatDatabase):
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
    # Every header names its two leads apart: wfdb reads only the leads asked for.
    unique_lead_names = True

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
