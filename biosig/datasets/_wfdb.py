"""Read any WFDB record (header, signal files, annotations) into a Recording."""

import re
from fractions import Fraction
from pathlib import Path

import mne
import numpy as np
import wfdb

from ._aami import AAMI_EC57
from ._recording import BeatAnnotations, Recording
from ._wfdb_annotations import read_mit_annotations

__all__ = ["read_wfdb"]

# Bytes a sample takes in each WFDB storage format (the WFDB signal(5) spec).
# FLAC formats (508, 516, 524) are compressed and have no fixed size.
_BYTES_PER_SAMPLE = {
    "8": Fraction(1), "16": Fraction(2), "24": Fraction(3), "32": Fraction(4),
    "61": Fraction(2), "80": Fraction(1), "160": Fraction(2),
    "212": Fraction(3, 2), "310": Fraction(4, 3), "311": Fraction(4, 3),
}
#: Every storage format of the WFDB signal(5) spec, FLAC ones included.
_FORMATS = frozenset(_BYTES_PER_SAMPLE) | {"508", "516", "524"}
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
        packed = any(header.fmt[i] in ("212", "310", "311") for i in idx)
        if size > expected + packed:  # a pad byte may end odd 212/310/311 lengths
            raise ValueError(
                f"{dat}: {hea_path.name} declares {header.sig_len} samples "
                f"({expected} bytes) but the file holds {size} bytes: the header's "
                "sample count disagrees with the data"
            )


def _check_fields(header, hea_path):
    """Refuse signal lines whose fields cannot be right (a garbled or shifted line)."""
    described = len(header.sig_name or [])
    if described != header.n_sig:
        raise ValueError(f"{hea_path}: the record line declares {header.n_sig} signals but "
                         f"{described} signal lines follow")
    unknown = sorted(set(header.fmt or []) - _FORMATS)
    if unknown:
        raise ValueError(f"{hea_path}: unknown WFDB storage format(s) {unknown}")
    for i, name in enumerate(header.sig_name):
        if not name:
            raise ValueError(f"{hea_path}: signal {i + 1} has no name (a truncated signal "
                             "line?)")
        gain = header.adc_gain[i]
        if gain is None or not (np.isfinite(gain) and gain > 0):
            raise ValueError(f"{hea_path}: signal {i + 1} ({name!r}) has ADC gain {gain}")
        for what, text in (("name", name or ""), ("unit", (header.units or [None] * described)[i]
                                                   or "")):
            if not text.isprintable():
                raise ValueError(f"{hea_path}: signal {i + 1} has an unprintable {what} "
                                 f"{text!r}")


def _check_checksums(rec, hea_path):
    """Compare the header's initial value and checksum of each signal with the data."""
    signals = rec.e_d_signal if rec.e_d_signal is not None else list(rec.d_signal.T)
    for i, samples in enumerate(signals):
        name = rec.sig_name[i]
        first = rec.init_value[i] if rec.init_value else None
        if first is not None and len(samples) and int(samples[0]) != first:
            raise ValueError(f"{hea_path}: signal {i + 1} ({name}) starts at {int(samples[0])} "
                             f"but the header's initial value is {first}: the header does "
                             "not describe this signal file")
        checksum = rec.checksum[i] if rec.checksum else None
        if checksum is not None and (int(np.sum(samples, dtype=np.int64)) - checksum) % 65536:
            raise ValueError(f"{hea_path}: signal {i + 1} ({name}): the data's checksum "
                             f"{int(np.sum(samples, dtype=np.int64)) % 65536} differs from the "
                             f"header's {checksum % 65536}: the signal file is corrupt or "
                             "belongs to another header")


def _read_checked(record_path, header, hea_path, channels):
    """Read one single-segment record as stored, after checking it against its header."""
    _check_fields(header, hea_path)
    if header.sig_len:  # else wfdb infers the length from the file size
        _check_signal_files(header, record_path.parent, hea_path)
    try:
        rec = wfdb.rdrecord(str(record_path), physical=False, smooth_frames=False,
                            channel_names=channels)
    except Exception as err:
        raise ValueError(f"{record_path}.dat: unreadable WFDB signal: {err}") from err
    _check_checksums(rec, hea_path)
    return rec


def _frame_rate(signals, samps_per_frame):
    """Average each signal's samples within a frame: one value per frame, as wfdb does."""
    return np.column_stack([s.reshape(-1, n).mean(axis=1) if n > 1 else s
                            for s, n in zip(signals, samps_per_frame)])


def _read_segments(record_path, header, hea_path, channels):
    """Check every segment of a multi-segment record, then read it joined as wfdb joins it."""
    for name, length in zip(header.seg_name, header.seg_len):
        if name == "~":  # a gap: no file
            continue
        seg_path = record_path.parent / name
        seg_hea = Path(f"{seg_path}.hea")
        if not seg_hea.exists():
            raise FileNotFoundError(f"{seg_hea}: segment header named by {hea_path.name} "
                                    "is missing")
        try:
            seg = wfdb.rdheader(str(seg_path))
        except Exception as err:
            raise ValueError(f"{seg_hea}: unreadable WFDB header: {err}") from err
        if seg.sig_len != length and length:
            raise ValueError(f"{seg_hea}: {hea_path.name} gives the segment {length} samples, "
                             f"its header {seg.sig_len}")
        if seg.n_sig and seg.sig_len:  # the layout segment of a variable layout holds none
            _read_checked(seg_path, seg, seg_hea, None)
    try:
        rec = wfdb.rdrecord(str(record_path), m2s=True, channel_names=channels,
                            return_res=64)
    except Exception as err:
        raise ValueError(f"{hea_path}: unreadable multi-segment record: {err}") from err
    return rec.sig_name, rec.units, rec.fs, rec.sig_len, rec.p_signal


def _header_metadata(comments):
    """Return the header's comment lines, and the ``key: value`` pairs among them."""
    metadata = {"comments": list(comments)}
    for line in comments:
        key, sep, value = line.partition(":")
        if sep and 0 < len(key.strip()) <= 40:
            metadata.setdefault(key.strip(), value.strip())
    return metadata


def _read_annotations(record_path, extension, fs, duration_s):
    """Read one annotation file; return its labels, notes and onsets in seconds."""
    ann_path = Path(f"{record_path}.{extension}")
    if not ann_path.exists():
        others = sorted(p.name for p in ann_path.parent.glob(f"{ann_path.stem}*")
                        if p.suffix not in (".hea", ".dat"))
        hint = f" (annotation-like files present: {', '.join(others)})" if others else ""
        raise FileNotFoundError(f"{ann_path}: annotation file is missing{hint}")
    if ann_path.stat().st_size == 0:
        raise ValueError(f"{ann_path}: empty annotation file (a WFDB annotation file with no "
                         "annotation still holds its end mark)")
    sample, symbol, aux, fs = read_mit_annotations(record_path, extension, fs)
    if any(not isinstance(s, str) for s in symbol):
        raise ValueError(f"{ann_path}: annotation codes with no label (neither standard nor "
                         "defined in the file)")
    fs = float(fs or 0)
    if not (np.isfinite(fs) and fs > 0):
        raise ValueError(f"{ann_path}: annotation sampling frequency is {fs}")
    onset = sample / fs  # the file's rate: e.g. a high-rate signal's
    # The last onset may equal the duration: a closing mark after the last sample.
    if onset.size and (onset.min() < 0 or onset.max() > duration_s + 1e-9):
        raise ValueError(
            f"{ann_path}: annotations reach {onset.max():.6g} s (sample {sample.max()} "
            f"at {fs:g} Hz) but the record lasts {duration_s:.6g} s")
    return symbol, [(a or "").rstrip("\x00") for a in aux], onset


def read_wfdb(record_path, annotation="auto", *, channels=None, subject=None,
              session=None, source="wfdb"):
    """Read a WFDB record and, optionally, its annotation files.

    Parameters
    ----------
    record_path : path-like
        The record's path without extension, e.g. ``data/mitdb/100``.
        Multi-segment records (fixed or variable layout) are read joined into
        one, with NaN where a segment lacks a signal.
    annotation : "auto" | str | sequence of str | None
        ``"auto"`` (default) reads the reference annotations ``atr`` when the
        record has that file, and none otherwise. An extension (``"atr"``,
        ``"ecg"``, ``"qrs"``, ...), or several, must exist. None reads the
        signals only. Labels from the first file are kept bare; those of later
        files are prefixed with their extension (``"qrs:N"``), so reference and
        detector annotations stay apart.
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
        they are, with type ``"misc"``), at the record's frame rate (signals
        with several samples per frame are averaged within it, as
        :func:`wfdb.rdrecord` does). Annotations are placed by the annotation
        file's own sampling frequency and labelled by their WFDB symbol. Beat
        annotations (the symbols of :data:`AAMI_EC57`) are kept apart from the
        ``Raw`` in ``beats`` (a record holds thousands: as MNE annotations
        they would cost more than reading the file); the others (rhythm,
        noise, signal quality, ...) are MNE annotations of ``raw``, a note
        appended: ``"+(AFIB"`` marks the start of atrial fibrillation, ``"~"``
        noise, ``"|"`` an isolated artefact. ``Recording.annotations`` holds
        both. ``metadata`` holds the header's comment lines (``"comments"``)
        and their ``key: value`` pairs (CinC's ``Age``, ``Sex``, ``Dx``; PTB's
        clinical summary).

    Raises
    ------
    FileNotFoundError
        When the header, a segment, a signal file or a named annotation file is
        missing.
    ValueError
        When a file is unreadable, truncated, or disagrees with the header
        (sizes, initial values, checksums).
    """
    record_path = Path(record_path)
    if record_path.suffix in (".hea", ".dat"):
        record_path = record_path.with_suffix("")
    hea_path = Path(f"{record_path}.hea")
    if not hea_path.exists():
        raise FileNotFoundError(f"{hea_path}: WFDB header is missing")
    if not hea_path.read_bytes().strip():
        raise ValueError(f"{hea_path}: empty WFDB header")
    try:
        header = wfdb.rdheader(str(record_path))
    except Exception as err:
        raise ValueError(f"{hea_path}: unreadable WFDB header: {err}") from err
    if not header.n_sig:
        raise ValueError(f"{hea_path}: header declares no signals")
    if not (np.isfinite(header.fs) and header.fs > 0):
        raise ValueError(f"{hea_path}: sampling frequency is {header.fs}")
    if channels is not None:
        names = (_segment_names(record_path, header)
                 if isinstance(header, wfdb.MultiRecord) else header.sig_name)
        missing = [c for c in channels if c not in (names or [])]
        if missing:
            raise ValueError(f"{hea_path}: no channel named {missing}; channels are {names}")
    if isinstance(header, wfdb.MultiRecord):
        names, units, fs, sig_len, p_signal = _read_segments(record_path, header, hea_path,
                                                             channels)
    else:
        rec = _read_checked(record_path, header, hea_path, channels)
        names, units, fs, sig_len = rec.sig_name, rec.units, rec.fs, rec.sig_len
        p_signal = _frame_rate(rec.dac(expanded=True, return_res=64), rec.samps_per_frame)

    units = [u or "" for u in units]
    scale = np.array([_TO_VOLTS.get(u.lower(), 1.0) for u in units])
    ch_types = [_channel_type(n, u) for n, u in zip(names, units)]
    info = mne.create_info(_unique(names), float(fs), ch_types)
    raw = mne.io.RawArray(p_signal.T * scale[:, None], info, verbose=False)

    if annotation == "auto":
        annotation = "atr" if Path(f"{record_path}.atr").exists() else None
    extensions = [annotation] if isinstance(annotation, str) else list(annotation or [])
    beat_onsets, beat_labels = [], []
    for k, extension in enumerate(extensions):
        symbols, aux, onset = _read_annotations(record_path, extension, fs, sig_len / fs)
        is_beat = np.array([sym in _BEAT_SYMBOLS for sym in symbols], dtype=bool)
        # A non-beat annotation carries its note in the label ("+(AFIB" starts
        # atrial fibrillation); beat labels stay the bare symbol.
        labels = np.array([sym + note if note and not beat else sym
                           for sym, note, beat in zip(symbols, aux, is_beat)], dtype=object)
        if k:
            labels = np.array([f"{extension}:{label}" for label in labels], dtype=object)
        beat_onsets.append(onset[is_beat])
        beat_labels.append(labels[is_beat])
        if not is_beat.all():
            # Appending in place skips set_annotations' per-annotation copy and
            # crop; _read_annotations has checked the range.
            raw.annotations.append(onset[~is_beat], 0.0, labels[~is_beat].astype(str))
    beats = None
    if extensions:
        onset = np.concatenate(beat_onsets)
        order = np.argsort(onset, kind="stable")  # in time, as MNE orders annotations
        beats = BeatAnnotations(onset[order], np.concatenate(beat_labels)[order])
    return Recording(raw, subject=subject or record_path.name, record=record_path.name,
                     session=session, source=source, beats=beats,
                     metadata=_header_metadata(header.comments or []))


def _segment_names(record_path, header):
    """Signal names of a multi-segment record: its layout segment's, or its first segment's."""
    first = next((name for name in header.seg_name if name != "~"), None)
    if first is None:
        return []
    try:
        return wfdb.rdheader(str(record_path.parent / first)).sig_name or []
    except Exception:  # a missing or broken segment is reported when it is read
        return []
