"""Read any EDF, BDF or GDF file (and, by extension, a WFDB record) into a Recording."""

from pathlib import Path

import mne

from ._recording import Recording
from ._wfdb import read_wfdb

__all__ = ["read_raw"]

_READERS = {".edf": mne.io.read_raw_edf, ".bdf": mne.io.read_raw_bdf,
            ".gdf": mne.io.read_raw_gdf}
# Bytes per sample in the data records of each European Data Format.
_SAMPLE_BYTES = {".edf": 2, ".bdf": 3}


def _ascii_field(header, start, stop, path, what):
    text = header[start:stop].decode("ascii", errors="replace").strip()
    try:
        return int(float(text))
    except ValueError:
        raise ValueError(f"{path}: not a valid EDF/BDF header ({what} is {text!r})") from None


def _check_edf_size(path):
    """Raise a clear error when an EDF/BDF file holds fewer bytes than its header declares.

    MNE reads a truncated file with a warning and fewer records; a loader that
    promises what the publisher recorded must refuse it instead.

    Parameters
    ----------
    path : path-like
        An ``.edf`` or ``.bdf`` file.
    """
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as fid:
        fixed = fid.read(256)
        if len(fixed) < 256:
            raise ValueError(f"{path}: truncated header ({size} bytes; EDF needs at least 256)")
        n_signals = _ascii_field(fixed, 252, 256, path, "the number of signals")
        header_bytes = _ascii_field(fixed, 184, 192, path, "the header size")
        n_records = _ascii_field(fixed, 236, 244, path, "the number of data records")
        if header_bytes > size:
            raise ValueError(f"{path}: truncated header ({size} bytes, declares {header_bytes})")
        if header_bytes != 256 * (n_signals + 1):
            raise ValueError(f"{path}: header size {header_bytes} does not match "
                             f"{n_signals} signals")
        signal_header = fid.read(256 * n_signals)
        if len(signal_header) < 256 * n_signals:
            raise ValueError(f"{path}: truncated header ({size} bytes, declares {header_bytes})")
    offset = 216 * n_signals  # samples per record follow 216 bytes of text fields
    per_record = sum(_ascii_field(signal_header, offset + 8 * i, offset + 8 * i + 8, path,
                                  "a signal's samples per record") for i in range(n_signals))
    if n_records < 0:  # -1: unknown while recording; MNE infers it from the size
        return
    expected = header_bytes + n_records * per_record * _SAMPLE_BYTES[path.suffix.lower()]
    if size < expected:
        raise ValueError(f"{path}: truncated file: the header declares {n_records} data "
                         f"records ({expected} bytes) but the file holds {size} bytes")


def read_raw(path, *, subject=None, record=None, session=None, source=None,
             annotation=None, **kwargs):
    """Read one EDF, BDF, GDF file or WFDB record into a Recording.

    Parameters
    ----------
    path : path-like
        ``.edf``, ``.bdf``, ``.gdf``, or a WFDB ``.hea`` header (or record path
        without extension).
    subject, record, session : str | None
        Identity of the recording; both subject and record default to the file
        name without extension.
    source : str | None
        Name stored on the Recording; defaults to the format (``"edf"``, ...).
    annotation : str | sequence of str | None
        WFDB only: the annotation file extension(s) to read.
    **kwargs
        Passed to the MNE reader, e.g. ``eog=[...]``, ``misc=[...]`` or
        ``exclude=[...]``. Data are preloaded unless ``preload=False``.

    Returns
    -------
    recording : Recording
        Signals in volts as MNE reads them, with the file's annotations (EDF+
        annotations, the BDF/GDF event table as MNE maps it).

    Raises
    ------
    FileNotFoundError
        When the file is missing.
    ValueError
        When the format is unknown, or the file is truncated or unreadable.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in ("", ".hea", ".dat"):
        return read_wfdb(path, annotation, subject=subject, session=session,
                         source=source or "wfdb")
    if suffix not in _READERS:
        raise ValueError(f"{path}: unknown format {suffix!r}; biosig reads "
                         f"{', '.join(_READERS)} and WFDB records (.hea)")
    if not path.exists():
        raise FileNotFoundError(f"{path}: file is missing")
    if suffix in _SAMPLE_BYTES:
        _check_edf_size(path)
    kwargs.setdefault("preload", True)
    kwargs.setdefault("verbose", False)
    try:
        raw = _READERS[suffix](path, **kwargs)
    except Exception as err:
        raise ValueError(f"{path}: unreadable {suffix[1:].upper()} file: {err}") from err
    name = path.stem
    return Recording(raw, subject=subject or name, record=record or name, session=session,
                     source=source or suffix[1:])
