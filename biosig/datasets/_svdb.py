"""The MIT-BIH Supraventricular Arrhythmia Database (PhysioNet ``svdb`` 1.0.0)."""

from ._beatdb import _BeatDatabase

__all__ = ["MITBIHSupraventricularArrhythmia"]


class MITBIHSupraventricularArrhythmia(_BeatDatabase):
    """MIT-BIH Supraventricular Arrhythmia Database: 78 two-lead ECG records at 128 Hz.

    Each record is 30 minutes long (230400 samples, format 212), with beat
    annotations (``.atr``) in the same WFDB codes as the MIT-BIH Arrhythmia
    Database, so :func:`~biosig.datasets.aami_class` groups them into the AAMI
    classes. The database supplements mitdb with supraventricular ectopy (S).

    Records are read from a local folder laid out as on PhysioNet
    (``<data_dir>/svdb/800.hea``, or ``<data_dir>/svdb/1.0.0/800.hea``), then
    from the download cache. Files are downloaded only when ``download=True``
    and a record is missing; they land in ``<cache>/svdb/1.0.0`` after their
    SHA-256 is verified against PhysioNet's ``SHA256SUMS.txt``. To test a model
    trained on mitdb at 360 Hz, load at that rate:
    ``MITBIHSupraventricularArrhythmia().load(["800"], sfreq=360.0)``.

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
    Both leads are named ``"ECG"`` in the headers (PhysioNet does not say
    which leads they are); the Recording names them ``"ECG"`` and ``"ECG-1"``.
    PhysioNet gives no patient identities, so each record is its own subject.
    No record is paced, and the AAMI protocol excludes none.

    References
    ----------
    Greenwald SD, Patil RS, Mark RG. Improved detection and classification of
    arrhythmias in noise-corrupted electrocardiograms using contextual
    information. Computers in Cardiology 1990:461-464.
    """

    name = "svdb"
    title = "MIT-BIH Supraventricular Arrhythmia Database"
    size = "54 MB (78 records)"

    #: All 78 record ids: 800-812, 820-829 and 840-894.
    RECORDS = tuple(str(r) for r in (*range(800, 813), *range(820, 830), *range(840, 895)))
    subjects = RECORDS
    SFREQ = 128.0
