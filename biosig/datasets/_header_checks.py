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

__all__ = []

# Bytes per sample in the data records of EDF and BDF.
_EDF_SAMPLE_BYTES = {".edf": 2, ".bdf": 3}
_ANNOTATION_LABELS = ("EDF Annotations", "BDF Annotations")
# Bytes per sample of each GDF data type code that MNE reads (GDF 2.x spec, table 3).
_GDF_TYPE_BYTES = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 8, 8: 8, 16: 4, 17: 8}
_GDF_VERSION = re.compile(rb"^GDF [0-9]\.[0-9]{2}$")


def _fail(path, what):
    return ValueError(f"{path}: {what}")


def _read_exactly(fid, n, path, size, what):
    data = fid.read(n)
    if len(data) < n:
        raise _fail(path, f"truncated {what} ({size} bytes in the file)")
    return data


def _ascii_number(text, path, what, kind=int):
    value = text.decode("ascii", errors="replace").strip()
    try:
        number = float(value)
    except ValueError:
        raise _fail(path, f"not a valid EDF/BDF header ({what} is {value!r})") from None
    if not np.isfinite(number) or (kind is int and number != int(number)):
        raise _fail(path, f"not a valid EDF/BDF header ({what} is {value!r})")
    return kind(number)


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
    return {"labels": labels, "n_records": n_records, "record_s": record_s,
            "samples": samples, "header_bytes": header_bytes,
            "annotation_only": annotation_only}


def check_gdf(path):
    """Check a GDF 1.x/2.x file's structure and sizes before MNE reads it.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    events : dict
        ``n_events`` (entries of the event table), ``event_sfreq`` (the rate
        its positions count in; MNE assumes the signals' rate) and ``sfreq``
        (the highest signal rate).

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
        if not float(digital[1][i]) > float(digital[0][i]):
            raise _fail(path, f"signal {i + 1}: digital maximum {digital[1][i]} is not above "
                              f"its minimum {digital[0][i]}")
    widths = {_GDF_TYPE_BYTES[int(t)] for t in types}
    if len(widths) > 1:
        raise _fail(path, "signals of different sample sizes are not read (MNE reads one)")
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
                "sfreq": float(samples.max()) * denominator / numerator}
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
    if not np.isfinite(event_sfreq) or event_sfreq < 0:
        raise _fail(path, f"event table rate is {event_sfreq} Hz")
    event_sfreq = event_sfreq or sfreq  # 0: not given, the signals' rate
    table_bytes = 8 + n_events * (6 if mode == 1 else 12)
    if data_end + table_bytes != size:
        raise _fail(path, f"the event table declares {n_events} events ({table_bytes} bytes) "
                          f"but {size - data_end} bytes follow the {n_records} declared "
                          "records")
    with open(path, "rb") as fid:
        fid.seek(data_end + 8)
        positions = np.fromfile(fid, "<u4", n_events)
    last = n_records * duration * event_sfreq + 1  # positions are 1-based
    outside = (positions < 1) | (positions > last)
    if outside.any():
        raise _fail(path, f"an event lies at position {int(positions[outside][0])}, outside "
                          f"the {n_records * duration:g} s of data ({event_sfreq:g} Hz "
                          "positions)")
    return {"n_events": n_events, "event_sfreq": event_sfreq, "sfreq": sfreq}
