"""Read any WFDB record (header, signal files, annotations) into a Recording."""

import re
from fractions import Fraction
from pathlib import Path

import mne
import numpy as np
import wfdb

from ._aami import AAMI_EC57
from ._recording import Recording

__all__ = ["read_wfdb"]

# Bytes a sample takes in each WFDB storage format (the WFDB signal(5) spec).
# FLAC formats (508, 516, 524) are compressed and have no fixed size.
_BYTES_PER_SAMPLE = {
    "8": Fraction(1), "16": Fraction(2), "24": Fraction(3), "32": Fraction(4),
    "61": Fraction(2), "80": Fraction(1), "160": Fraction(2),
    "212": Fraction(3, 2), "310": Fraction(4, 3), "311": Fraction(4, 3),
}
_BEAT_SYMBOLS = frozenset(AAMI_EC57)
_TO_VOLTS = {"v": 1.0, "mv": 1e-3, "uv": 1e-6, "µv": 1e-6, "nv": 1e-9}
_ECG_NAME = re.compile(
    r"^(ML)?(I{1,3}|aV[RLF]|V[1-6]|D[1-3])$|ECG|EKG|^ML", re.IGNORECASE
)


def _channel_type(name, unit):
    if unit.lower() not in _TO_VOLTS:
        return "misc"
    if _ECG_NAME.search(name):
        return "ecg"
    return "misc"


def _unique(names):
    seen = {}
    out = []
    for name in names:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(name if n == 0 else f"{name}-{n}")
    return out


def _check_signal_files(header, folder, hea_path):
    """Raise a clear error when a signal file is missing or disagrees in size."""
    for file_name in dict.fromkeys(header.file_name):
        dat = folder / file_name
        if not dat.exists():
            raise FileNotFoundError(f"{dat}: signal file named by {hea_path.name} is missing")
        idx = [i for i, f in enumerate(header.file_name) if f == file_name]
        per_frame = sum(
            _BYTES_PER_SAMPLE.get(header.fmt[i], Fraction(0)) * (header.samps_per_frame[i] or 1)
            for i in idx
        )
        if per_frame == 0:  # compressed format: size is not fixed
            continue
        offset = header.byte_offset[idx[0]] or 0
        expected = offset + int(np.ceil(per_frame * header.sig_len))
        size = dat.stat().st_size
        if size < expected:
            held = int((size - offset) / per_frame)
            raise ValueError(
                f"{dat}: truncated signal file: {hea_path.name} declares "
                f"{header.sig_len} samples ({expected} bytes) but the file holds "
                f"{size} bytes, about {held} samples"
            )
        if size > expected + 1:  # one pad byte is allowed for odd 212/310 lengths
            raise ValueError(
                f"{dat}: {hea_path.name} declares {header.sig_len} samples "
                f"({expected} bytes) but the file holds {size} bytes: the header's "
                "sample count disagrees with the data"
            )


def _read_annotations(record_path, extension, sig_len):
    ann_path = Path(f"{record_path}.{extension}")
    if not ann_path.exists():
        others = sorted(p.name for p in ann_path.parent.glob(f"{ann_path.stem}*")
                        if p.suffix not in (".hea", ".dat"))
        hint = f" (annotation-like files present: {', '.join(others)})" if others else ""
        raise FileNotFoundError(f"{ann_path}: annotation file is missing{hint}")
    try:
        ann = wfdb.rdann(str(record_path), extension)
    except Exception as err:
        raise ValueError(f"{ann_path}: unreadable WFDB annotation file: {err}") from err
    sample = np.asarray(ann.sample, dtype=np.int64)
    if sample.size and (sample.min() < 0 or sample.max() >= sig_len):
        raise ValueError(
            f"{ann_path}: annotations reach sample {sample.max()} but the record "
            f"has {sig_len} samples"
        )
    return ann, sample


def read_wfdb(record_path, annotation="atr", *, channels=None, subject=None,
              session=None, source="wfdb"):
    """Read a WFDB record and, optionally, one of its annotation files.

    Parameters
    ----------
    record_path : path-like
        The record's path without extension, e.g. ``data/mitdb/100``.
    annotation : str | sequence of str | None
        Annotation file extension (``"atr"``, ``"ecg"``, ``"qrs"``, ...), several
        of them, or None to read the signals only. Labels from the first file
        are kept bare; those of later files are prefixed with their extension
        (``"qrs:N"``), so reference and detector annotations stay apart.
    channels : list of str | None
        Channel names to read; all channels when None.
    subject, session : str | None
        Identity of the recording; the subject defaults to the record name.
    source : str
        Name stored on the Recording.

    Returns
    -------
    recording : Recording
        Signals in volts (channels whose units are not a voltage are kept as
        they are, with type ``"misc"``). Each annotation becomes an MNE
        annotation whose description is the WFDB symbol. A non-beat annotation with an
        ``aux_note`` has it appended: ``"+(AFIB"`` marks the start of atrial
        fibrillation, ``"~"`` noise, ``"|"`` an isolated artefact.

    Raises
    ------
    FileNotFoundError
        When the header, a signal file or the annotation file is missing.
    ValueError
        When a file is unreadable, truncated, or disagrees with the header.
    """
    record_path = Path(record_path)
    if record_path.suffix in (".hea", ".dat"):
        record_path = record_path.with_suffix("")
    hea_path = Path(f"{record_path}.hea")
    if not hea_path.exists():
        raise FileNotFoundError(f"{hea_path}: WFDB header is missing")
    try:
        header = wfdb.rdheader(str(record_path))
    except Exception as err:
        raise ValueError(f"{hea_path}: unreadable WFDB header: {err}") from err
    if isinstance(header, wfdb.MultiRecord):
        raise ValueError(f"{hea_path}: multi-segment WFDB records are not supported; "
                         "read each segment's record instead")
    if not header.n_sig:
        raise ValueError(f"{hea_path}: header declares no signals")
    if header.sig_len:  # else wfdb infers the length from the file size
        _check_signal_files(header, record_path.parent, hea_path)
    if channels is not None:
        missing = [c for c in channels if c not in header.sig_name]
        if missing:
            raise ValueError(
                f"{hea_path}: no channel named {missing}; channels are {header.sig_name}"
            )
    try:
        rec = wfdb.rdrecord(str(record_path), channel_names=channels)
    except Exception as err:
        raise ValueError(f"{record_path}.dat: unreadable WFDB signal: {err}") from err

    units = [u or "" for u in rec.units]
    scale = np.array([_TO_VOLTS.get(u.lower(), 1.0) for u in units])
    ch_types = [_channel_type(n, u) for n, u in zip(rec.sig_name, units)]
    info = mne.create_info(_unique(rec.sig_name), float(rec.fs), ch_types)
    raw = mne.io.RawArray(rec.p_signal.T * scale[:, None], info, verbose=False)

    extensions = [annotation] if isinstance(annotation, str) else list(annotation or [])
    for k, extension in enumerate(extensions):
        ann, sample = _read_annotations(record_path, extension, rec.sig_len)
        aux = [(a or "").rstrip("\x00") for a in (ann.aux_note or [""] * len(sample))]
        # A non-beat annotation carries its note in the label ("+(AFIB" starts
        # atrial fibrillation); beat labels stay the bare symbol.
        labels = [sym + note if note and sym not in _BEAT_SYMBOLS else sym
                  for sym, note in zip(ann.symbol, aux)]
        if k:
            labels = [f"{extension}:{label}" for label in labels]
        # Appending in place skips set_annotations' per-annotation copy and crop
        # (7x faster on MIT-BIH); _read_annotations has checked the range.
        raw.annotations.append(sample / rec.fs, 0.0, labels)
    return Recording(raw, subject=subject or record_path.name, record=record_path.name,
                     session=session, source=source)
