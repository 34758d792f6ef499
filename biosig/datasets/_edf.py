"""Read any EDF, BDF or GDF file (and, by extension, a WFDB record) into a Recording."""

from pathlib import Path

import mne

from ._header_checks import check_gdf, edf_header
from ._recording import Recording
from ._wfdb import read_wfdb

__all__ = ["read_annotations", "read_raw"]



def read_annotations(path):
    """Read the annotations of an EDF+/BDF+ file, annotation-only files included.

    Hypnograms and event files hold no signal (their record duration is 0);
    :func:`read_raw` refuses them and points here.

    Parameters
    ----------
    path : path-like
        An ``.edf`` or ``.bdf`` file.

    Returns
    -------
    annotations : mne.Annotations

    Raises
    ------
    ValueError
        When the header disagrees with the file or the annotations are unreadable.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: file is missing")
    if path.suffix.lower() not in (".edf", ".bdf"):
        raise ValueError(f"{path}: read_annotations reads EDF+ and BDF+ files")
    edf_header(path)
    try:
        return mne.read_annotations(path)
    except Exception as err:
        raise ValueError(f"{path}: unreadable EDF+ annotations: {err}") from err


def _set_gdf_events(raw, events):
    """Place GDF events by their table's rate (MNE counts them at the signals' rate, and
    drops those it then finds past the data)."""
    if events["n_events"]:
        raw.set_annotations(mne.Annotations(events["onset"], events["duration"],
                                            [str(t) for t in events["type"]],
                                            orig_time=raw.annotations.orig_time))


def _rescale_units(raw, scale):
    """Scale GDF channels whose unit MNE does not know (it reads them as dimensionless)."""
    factors = [scale.get(name, 1.0) for name in raw.ch_names]
    if all(f == 1 for f in factors):
        return
    raw.load_data()
    for name, factor in zip(raw.ch_names, factors):
        if factor != 1:
            raw.apply_function(lambda x, f=factor: x * f, picks=[name], channel_wise=False,
                               verbose=False)


_READERS = {".edf": mne.io.read_raw_edf, ".bdf": mne.io.read_raw_bdf,
            ".gdf": mne.io.read_raw_gdf}


def read_raw(path, *, subject=None, record=None, session=None, source=None,
             annotation="auto", **kwargs):
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
    annotation : "auto" | str | sequence of str | None
        WFDB only, as in :func:`read_wfdb`: by default the reference
        annotations (``atr``) when the record has them.
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
        When the format is unknown, the file is truncated or unreadable, its
        header disagrees with its size or gives no scale, or it holds
        annotations only (read those with :func:`read_annotations`).
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
    if suffix == ".gdf":
        events = check_gdf(path)
    elif edf_header(path)["annotation_only"]:
        raise ValueError(
            f"{path}: annotation-only {suffix[1:].upper()}+ file (no signal, "
            f"{len(read_annotations(path))} annotations); read it with "
            "biosig.datasets.read_annotations")
    kwargs.setdefault("preload", True)
    kwargs.setdefault("verbose", False)
    try:
        raw = _READERS[suffix](path, **kwargs)
    except Exception as err:
        raise ValueError(f"{path}: unreadable {suffix[1:].upper()} file: {err}") from err
    if suffix == ".gdf":
        _set_gdf_events(raw, events)
        _rescale_units(raw, events["unit_scale"])
    name = path.stem
    return Recording(raw, subject=subject or name, record=record or name, session=session,
                     source=source or suffix[1:])
