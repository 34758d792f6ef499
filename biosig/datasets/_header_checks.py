"""Check EDF, BDF and GDF headers against their files before MNE reads them.

MNE trusts a header: a lying record count reads misaligned data or past the
end, a zero physical range reads as zeros, a garbled GDF field allocates
without bound. Each check here reads only the headers (and the GDF event
table's few header bytes), compares every size with the file's, and raises
``ValueError("FILE: what is wrong")``.
"""

import re
from pathlib import Path

import numpy as np

from ._edf_annotations import check_annotation_signal

__all__ = []

# Bytes per sample in the data records of EDF and BDF.
_EDF_SAMPLE_BYTES = {".edf": 2, ".bdf": 3}
_ANNOTATION_LABELS = ("EDF Annotations", "BDF Annotations")
# Bytes per sample of each GDF data type code that MNE reads (GDF 2.x spec, table 3).
_GDF_TYPE_BYTES = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 8, 8: 8, 16: 4, 17: 8}
_GDF_VERSION = re.compile(rb"^GDF [12]\.[0-9]{2}$")


def _fail(path, what):
    return ValueError(f"{path}: {what}")


def _read_exactly(fid, n, path, size, what):
    data = fid.read(n)
    if len(data) < n:
        raise _fail(path, f"truncated {what} ({size} bytes in the file)")
    return data


# ASCII numbers as the EDF specification writes them (Python's float() takes more).
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _ascii_number(text, path, what, kind=int):
    value = text.decode("ascii", errors="replace").rstrip(" ")
    pattern = _INTEGER if kind is int else _DECIMAL
    if not pattern.fullmatch(value.lstrip(" ")) or not np.isfinite(float(value)):
        raise _fail(path, f"not a valid EDF/BDF header ({what} is {value!r})")
    return kind(value) if kind is int else float(value)


def edf_header(path):
    """Return the fields of an EDF/BDF header that sizes and scaling depend on.

    Parameters
    ----------
    path : path-like
        An ``.edf`` or ``.bdf`` file.

    Returns
    -------
    header : dict
        ``labels``, ``n_records``, ``record_s``, ``samples`` (per record, per
        signal), ``header_bytes``, ``annotation_only`` (every signal is an
        EDF+/BDF+ annotation channel).

    Raises
    ------
    ValueError
        When a field is unreadable or disagrees with the file's size.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise _fail(path, "empty file")
    with open(path, "rb") as fid:
        fixed = _read_exactly(fid, 256, path, size, "header")
        n_signals = _ascii_number(fixed[252:256], path, "the number of signals")
        header_bytes = _ascii_number(fixed[184:192], path, "the header size")
        if header_bytes > size:
            raise _fail(path, f"truncated header ({size} bytes, declares {header_bytes})")
        if n_signals < 1:
            raise _fail(path, f"the header declares {n_signals} signals")
        if header_bytes != 256 * (n_signals + 1):
            raise _fail(path, f"header size {header_bytes} does not match {n_signals} signals "
                              f"(expected {256 * (n_signals + 1)})")
        n_records = _ascii_number(fixed[236:244], path, "the number of data records")
        record_s = _ascii_number(fixed[244:252], path, "the record duration", float)
        signals = _read_exactly(fid, 256 * n_signals, path, size, "signal header")

    def column(offset, width, what, kind=int):
        start = offset * n_signals
        return [_ascii_number(signals[start + width * i:start + width * (i + 1)], path,
                              f"signal {i + 1}'s {what}", kind) for i in range(n_signals)]

    labels = [signals[16 * i:16 * (i + 1)].decode("latin-1").strip() for i in range(n_signals)]
    for i in range(n_signals):
        for what, start, width in (("label", 0, 16), ("physical dimension", 96, 8)):
            field = signals[start * n_signals + width * i:start * n_signals + width * (i + 1)]
            if any(b < 32 or b == 127 for b in field):
                raise _fail(path, f"signal {i + 1}'s {what} {field!r} holds control "
                                  "characters")
    physical_min = column(104, 8, "physical minimum", float)
    physical_max = column(112, 8, "physical maximum", float)
    digital_min = column(120, 8, "digital minimum")
    digital_max = column(128, 8, "digital maximum")
    samples = column(216, 8, "samples per record")
    annotation_only = all(label in _ANNOTATION_LABELS for label in labels)
    for i, label in enumerate(labels):
        if samples[i] < 1:
            raise _fail(path, f"signal {i + 1} ({label!r}) has {samples[i]} samples per record")
        if label in _ANNOTATION_LABELS:
            continue
        if digital_max[i] <= digital_min[i]:
            raise _fail(path, f"signal {i + 1} ({label!r}): digital maximum {digital_max[i]} "
                              f"is not above its minimum {digital_min[i]}")
        if physical_max[i] == physical_min[i]:
            raise _fail(path, f"signal {i + 1} ({label!r}): physical minimum and maximum are "
                              f"both {physical_min[i]}, so its scale is undefined")
    if record_s < 0 or (record_s == 0 and not annotation_only):
        raise _fail(path, f"record duration is {record_s} s")
    if n_records != -1:  # -1: unknown while recording; MNE infers it from the size
        if n_records < 1:
            raise _fail(path, f"the header declares {n_records} data records")
        record_bytes = sum(samples) * _EDF_SAMPLE_BYTES[path.suffix.lower()]
        expected = header_bytes + n_records * record_bytes
        if size != expected:
            held = (size - header_bytes) / record_bytes
            what = "truncated file: " if size < expected else ""
            raise _fail(path, f"{what}the header declares {n_records} data records of "
                              f"{record_bytes} bytes ({expected} bytes in all) but the file "
                              f"holds {size} bytes, {held:.6g} records")
    header = {"labels": labels, "n_records": n_records, "record_s": record_s,
              "samples": samples, "header_bytes": header_bytes,
              "annotation_only": annotation_only}
    reserved = fixed[192:236]
    has_annotations = any(label in _ANNOTATION_LABELS for label in labels)
    if (reserved[:4] in (b"EDF+", b"BDF+") or has_annotations) and n_records > 0:
        width = _EDF_SAMPLE_BYTES[path.suffix.lower()]
        header.update(sample_bytes=width, continuous=reserved[:5] in (b"EDF+C", b"BDF+C"),
                      duration_s=None if annotation_only or reserved[:5] not in (
                          b"EDF+C", b"BDF+C") else n_records * record_s)
        records = np.memmap(path, np.uint8, "r", header_bytes,
                            (n_records, sum(samples) * width))
        check_annotation_signal(path, header, records)
        del records
    return header


# ISO/IEEE 11073 decimal prefixes of GDF 2 unit codes (the low five bits).
_GDF_PREFIX = {0: 1.0, 1: 1e1, 2: 1e2, 3: 1e3, 4: 1e6, 5: 1e9, 6: 1e12, 7: 1e15, 8: 1e18,
               16: 1e-1, 17: 1e-2, 18: 1e-3, 19: 1e-6, 20: 1e-9, 21: 1e-12, 22: 1e-15,
               23: 1e-18}
_GDF_VOLT = 4256  # the volt's unit code, prefix bits zero


def _gdf_unit_scale(path, signals, n_signals, gdf1):
    """Per signal, the factor that turns MNE's scaling into volts (1 where MNE is right).

    MNE knows microvolts, millivolts and dimensionless codes, and reads any
    other unit as dimensionless; a nanovolt or volt channel would come out
    scaled by a power of ten without a word.
    """
    scale = np.ones(n_signals)
    if gdf1:
        for i in range(n_signals):
            unit = signals[96 * n_signals + 8 * i:96 * n_signals + 8 * (i + 1)]
            unit = unit.split(b"\0")[0].decode("latin-1").strip()
            mne_factor = 1e-6 if unit[:2] == "uV" else 1.0
            true = {"uV": 1e-6, "mV": 1e-3, "V": 1.0, "nV": 1e-9}.get(unit[:2].strip(),
                                                                    mne_factor)
            scale[i] = true / mne_factor
        return scale
    codes = np.frombuffer(signals, "<u2", n_signals, 102 * n_signals)
    for i, code in enumerate(codes.tolist()):
        if code & 0xFFE0 != _GDF_VOLT:
            continue  # not a voltage: kept in its own unit, as MNE keeps it
        prefix = code & 0x1F
        if prefix not in _GDF_PREFIX:
            raise _fail(path, f"signal {i + 1}: unit code {code} has no decimal prefix "
                              f"{prefix}")
        mne_factor = {4275: 1e-6, 4274: 1e-3}.get(code, 1.0)
        scale[i] = _GDF_PREFIX[prefix] / mne_factor
    return scale


def check_gdf(path):
    """Check a GDF 1.x/2.x file's structure and sizes before MNE reads it.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    events : dict
        ``n_events`` (entries of the event table), ``event_sfreq`` (the rate
        its positions count in; MNE assumes the signals' rate), ``sfreq``
        (the highest signal rate), ``unit_scale`` (signal label -> the
        factor that corrects MNE's scaling to volts), and the events'
        ``onset`` and ``duration`` in seconds and ``type`` codes.

    Raises
    ------
    ValueError
        When the version, a field, the data size or the event table disagree
        with the file, or the file uses a layout MNE cannot read.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise _fail(path, "empty file")
    with open(path, "rb") as fid:
        fixed = _read_exactly(fid, 256, path, size, "header")
        version = fixed[:8]
        if not _GDF_VERSION.match(version):
            raise _fail(path, f"not a GDF file (version field {version!r})")
        gdf1 = float(version[4:]) < 1.9
        if gdf1:
            header_bytes = int(np.frombuffer(fixed, "<i8", 1, 184)[0])
            n_signals = int(np.frombuffer(fixed, "<u4", 1, 252)[0])
        else:
            header_bytes = int(np.frombuffer(fixed, "<u2", 1, 184)[0]) * 256
            n_signals = int(np.frombuffer(fixed, "<u2", 1, 252)[0])
        n_records = int(np.frombuffer(fixed, "<i8", 1, 236)[0])
        numerator, denominator = (int(v) for v in np.frombuffer(fixed, "<u4", 2, 244))
        if n_signals < 1:
            raise _fail(path, f"the header declares {n_signals} signals")
        if header_bytes != 256 * (n_signals + 1):
            raise _fail(path, f"header size {header_bytes} does not match {n_signals} signals "
                              f"(expected {256 * (n_signals + 1)}; a GDF 2 tag-length-value "
                              "header is not read)")
        if header_bytes > size:
            raise _fail(path, f"truncated header: it declares {header_bytes} bytes, the file "
                              f"holds {size}")
        signals = _read_exactly(fid, 256 * n_signals, path, size, "signal header")
    if numerator == 0 or denominator == 0:
        raise _fail(path, f"record duration is {numerator}/{denominator} s")
    if n_records < 1:
        raise _fail(path, f"the header declares {n_records} data records")

    def column(offset, dtype):
        return np.frombuffer(signals, dtype, n_signals, offset * n_signals)

    samples = column(216, "<i4")
    types = column(220, "<i4")
    physical = column(104, "<f8"), column(112, "<f8")
    digital = (column(120, "<i8"), column(128, "<i8")) if gdf1 else \
        (column(120, "<f8"), column(128, "<f8"))
    for i in range(n_signals):
        if int(types[i]) not in _GDF_TYPE_BYTES:
            raise _fail(path, f"signal {i + 1} has unknown data type {int(types[i])}")
        if samples[i] < 1:
            raise _fail(path, f"signal {i + 1} has {int(samples[i])} samples per record")
        low, high = float(physical[0][i]), float(physical[1][i])
        if not (np.isfinite(low) and np.isfinite(high)) or low == high:
            raise _fail(path, f"signal {i + 1}: physical range [{low}, {high}] gives no scale")
        if not (np.isfinite(float(digital[0][i])) and np.isfinite(float(digital[1][i]))):
            raise _fail(path, f"signal {i + 1}: digital range [{digital[0][i]}, "
                              f"{digital[1][i]}] is not finite")
        if not float(digital[1][i]) > float(digital[0][i]):
            raise _fail(path, f"signal {i + 1}: digital maximum {digital[1][i]} is not above "
                              f"its minimum {digital[0][i]}")
    if len(set(types.tolist())) > 1:
        raise _fail(path, f"signals of different data types ({sorted(set(types.tolist()))}) "
                          "are not read (MNE reads every signal as the first one's)")
    labels = [signals[16 * i:16 * (i + 1)].split(b"\0")[0].decode("latin-1").strip()
              for i in range(n_signals)]
    unit_scale = dict(zip(labels, _gdf_unit_scale(path, signals, n_signals, gdf1).tolist()))
    record_bytes = int(sum(int(n) * _GDF_TYPE_BYTES[int(t)] for n, t in zip(samples, types)))
    data_end = header_bytes + n_records * record_bytes
    if data_end > size:
        raise _fail(path, f"truncated file: the header declares {n_records} records of "
                          f"{record_bytes} bytes ({data_end} bytes in all) but the file holds "
                          f"{size} bytes, {(size - header_bytes) / record_bytes:.6g} records")
    if data_end == size:
        if gdf1:  # GDF 2 may end with its data; MNE reads a GDF 1 event table regardless
            raise _fail(path, "no event table after the data (the file ends where the "
                              f"{n_records} declared records end)")
        return {"n_events": 0, "event_sfreq": float(samples.max()) * denominator / numerator,
                "sfreq": float(samples.max()) * denominator / numerator,
                "unit_scale": unit_scale, "onset": np.zeros(0), "duration": np.zeros(0),
                "type": np.zeros(0, np.int64)}
    with open(path, "rb") as fid:
        fid.seek(data_end)
        table = fid.read(8)
    if len(table) < 8:
        raise _fail(path, f"truncated event table ({size - data_end} bytes after the data)")
    mode = table[0]
    if mode not in (1, 3):
        raise _fail(path, f"event table mode {mode} is not 1 or 3 (is the record count of "
                          f"{n_records} right?)")
    if gdf1:
        event_sfreq = float(int.from_bytes(table[1:4], "little"))
        n_events = int(np.frombuffer(table, "<u4", 1, 4)[0])
    else:
        n_events = int.from_bytes(table[1:4], "little")
        event_sfreq = float(np.frombuffer(table, "<f4", 1, 4)[0])
    duration = numerator / denominator
    sfreq = float(samples.max()) / duration
    if not np.isfinite(event_sfreq) or event_sfreq <= 0 or np.signbit(event_sfreq):
        raise _fail(path, f"event table rate is {event_sfreq} Hz")
    table_bytes = 8 + n_events * (6 if mode == 1 else 12)
    if data_end + table_bytes != size:
        raise _fail(path, f"the event table declares {n_events} events ({table_bytes} bytes) "
                          f"but {size - data_end} bytes follow the {n_records} declared "
                          "records")
    with open(path, "rb") as fid:
        fid.seek(data_end + 8)
        positions = np.fromfile(fid, "<u4", n_events).astype(np.int64)
        types = np.fromfile(fid, "<u2", n_events).astype(np.int64)
        if mode == 3:  # channels (u2) come before the durations
            fid.seek(data_end + 8 + 8 * n_events)
            durations = np.fromfile(fid, "<u4", n_events).astype(np.int64)
        else:  # one sample each, as MNE gives them
            durations = np.ones(n_events, np.int64)
    durations = np.maximum(durations, 1)  # at least one sample, as MNE reads them
    last = n_records * duration * event_sfreq + 1  # positions are 1-based
    outside = (positions < 1) | (positions + durations > last)
    if outside.any():
        k = int(np.flatnonzero(outside)[0])
        raise _fail(path, f"event {k + 1} (position {int(positions[k])}, duration "
                          f"{int(durations[k])}) reaches past the {n_records * duration:g} s "
                          f"of data ({event_sfreq:g} Hz positions)")
    return {"n_events": n_events, "event_sfreq": event_sfreq, "sfreq": sfreq,
            "unit_scale": unit_scale, "onset": (positions - 1) / event_sfreq,
            "duration": durations / event_sfreq, "type": types}
