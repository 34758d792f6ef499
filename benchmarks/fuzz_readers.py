"""Fuzz biosig's file readers with mutated real files and classify every outcome.

For each format, seed files are mutated and read with biosig's **public**
reader in a forked worker process whose address space is capped (2 GiB by
default, ``--memory-limit``) and whose case is killed after ``--timeout``
seconds (30 s by default). Biosig is imported once in the parent; workers are
forked from it and each runs many cases, so a case costs milliseconds. A
worker that crashes or runs past the time limit is replaced and the harness
goes on.

Seeds are real files from the data folder (``--data-dir`` or ``BIOSIG_DATA``),
cut down to a few kilobytes, and, for formats with no real file here, files
written the way the tests write them (``tests/datasets/*.py``,
``biosig/datasets/_examples.py``, ``_gdf_writer.py``,
``biosig.windows.write_windows``):

wfdb-hea, wfdb-dat, wfdb-atr (``read_wfdb(record, "atr")``)
    The header, signal or annotation file of mitdb/100, mitdb/201 and svdb/800,
    cut to their first seconds (header checksums recomputed, the .atr cut
    after the last annotation kept), and of a record written by
    ``wfdb.wrsamp``/``wrann`` as tests/conftest.py does.
edf (``read_raw(path)``)
    eegmmidb S001R04, mne-testing-data chtypes_edf, test_reduced and
    test_utf8_annotations (a few channels and records each); EDF+ written by
    ``mne.export`` (tests/datasets/test_edf.py); a CHB-MIT file of
    ``write_example_data("chbmit")``; a plain EDF written by edfio.
bdf (``read_raw(path)``)
    mne-testing-data test_bdf_stim_channel (two cuts); a BDF+ copy of the
    eegmmidb seed ("BDF Annotations").
gdf (``read_raw(path)``)
    mne-testing-data test_1ch (GDF 2.10, float32); GDF 2.20 of
    ``_gdf_writer.write_gdf`` (int16, mode-3 event table).
chbmit (``read_chbmit_summary(path)``)
    chbmit/chb01/chb01-summary.txt; the two wordings of
    tests/datasets/test_chbmit.py; the example writer's summary.
deap (``DEAP(data_dir).read_dat(path)``)
    ``sNN.dat`` pickled as tests/datasets/test_deap.py does (protocol 2) and
    with protocol 4: 40 trials x 40 channels x 16 samples.
bonn (``BonnEpilepsy(data_dir).read_segment(path, set)``)
    bonn Z001, O001 (no final newline), N001.TXT, F001, S001.
store (``read_windows(path)``; any of its five files is mutated)
    ``write_windows`` stores of mitdb/100 beats (2 channels) and of Bonn Z001
    (1 channel).

The DEAP seed holds 16 samples per trial instead of 8064 (a 100 MB pickle per
case would make the run a thousand times slower); the reader is given
``SHAPE = (40, 40, 16)`` on its instance, which is the attribute its layout
check reads, and the pickle structure is the real one.

Mutations: bit flips, byte overwrites, truncation, appended bytes, zero
length, deleted and inserted bytes, deleted/duplicated/swapped/joined lines
(text formats), and edits of the format's own fields: numeric ASCII fields of
EDF/BDF headers and TAL numbers, GDF binary header, channel and event-table
fields, WFDB header tokens, WFDB annotation words, pickle opcode arguments,
manifest JSON values, numbers and keywords of text files. Half of the
position-based mutations land in the structural part of the file (headers,
pickle opcodes, annotation words). A case is reproducible from
``(--seed, format, case id)``.

Outcomes
--------
clear
    An exception whose message names the file (its path or file name, or the
    record/store folder for multi-file formats) and says something beyond it.
low-level
    Any other exception.
misread
    The read succeeds, but what it returns differs from the reference reading
    of the same bytes, or the reference finds the bytes are not a valid file
    (so a success cannot be faithful).
faithful
    The read succeeds and agrees with the reference.
crash, timeout, oom
    The worker died (signal or exit), ran past ``--timeout``, or the reader
    raised ``MemoryError`` under the address-space cap.

A further column, ``harness``, counts cases where the harness itself failed
(a bug here); it should stay at 0. Clear errors whose cause is a low-level
exception (``IndexError``, ``struct.error``, ...) wrapped with the file name
are counted as clear and listed apart as "clear (wraps low-level)": the
message names the file but may not say what is wrong with it.

Where the parent already maps more than the cap (an interpreter that
imported a deep-learning backend before running the harness), a worker may
map what the parent maps plus 1 GiB.

Reference readings
------------------
The reference reads the mutated bytes independently of the reader under test
and either returns what they hold or refuses them with a reason. Where the
mutation only changes sample payload of a format without a checksum, the
reference reads the changed values, so reading them is faithful; a success
returning fewer or more samples, other channels, rate, scaling or annotations
than the bytes hold is a misread.

WFDB (header, signal, annotation)
    Signals: ``wfdb.rdheader``/``wfdb.rdrecord(physical=False)`` on the
    mutated files, plus the header's own promises: the signal file's size must
    be what the header declares (one pad byte allowed for formats 212/310/311;
    whole frames when the length is omitted), every per-signal checksum
    (16-bit sum of the samples) and initial value must match the samples, one
    sample per frame, a finite positive rate. Physical values are
    ``(d - baseline) / gain`` with the spec's default gain 200 for a gain of 0,
    NaN for the format's invalid-sample value, times the unit's scale to volts
    (V, mV, uV, nV; case-insensitive; other units kept as they are). Channel
    names are the header's; repeated names may carry a suffix.
    Annotations: an independent parse of the MIT annotation format (16-bit
    words, code in the top 6 bits, time increment in the low 10; SKIP, NUM,
    SUB, CHN and AUX pseudo-codes), which must end with the end-of-file word
    (a file without it is truncated) and nothing but zero bytes may follow
    it. Codes 1-49 that WFDB defines are annotations; code-0
    words (NOTQRS) only advance the time; ``## `` notes at sample 0 are file
    definitions. Samples must lie inside the record. Labels follow
    ``read_wfdb``'s documented rule: the symbol, with a non-beat
    annotation's aux note appended.
EDF and BDF
    A numpy parse of the mutated bytes: numeric header fields must be ASCII
    numbers (integers where the spec says so; ``,`` accepted as the decimal
    point), the header size must be ``256 * (signals + 1)``, the file size
    exactly header + records x record size (``-1`` records: whole records
    inferred), digital and physical ranges non-degenerate, all data signals at
    one rate (a reader must not resample), EDF+/BDF+ files must have an
    annotation signal whose TALs parse strictly (onset, optional duration,
    UTF-8 texts, NUL padding) with one time-keeping TAL per record consistent
    with a continuous recording. Values are ``dig * cal + offset`` times the
    unit's scale (uV/µV 1e-6, mV 1e-3, V 1, nV 1e-9, else 1); channels named
    ``status`` or ``trigger`` are stim channels kept as integers masked to 17
    bits (MNE's documented reading, which ``read_raw`` promises). Annotation
    onsets count from the first record's time-keeping TAL; every annotation
    the TALs hold must be returned with its full duration.
GDF (1.x and 2.x)
    A numpy parse of the fixed and channel headers (header size
    ``256 * (channels + 1)``, positive record duration, known and uniform data
    types, non-degenerate ranges, one rate), the data records, and the event
    table after them (mode 1 or 3, positive rate, 1-based positions, no bytes
    after it). Units: GDF 2 unit codes with their decimal prefix (``4275``
    uV, ``4274`` mV, ``4256`` V, ...), GDF 1 unit text. Event onsets are
    ``(position - 1) / event-table rate``, durations ``max(duration, 1)``
    samples (one sample for mode 1, as MNE gives) and descriptions the type
    codes.
CHB-MIT summary
    A line grammar: every non-blank line is ``Data Sampling Rate: N Hz``,
    ``Channels in EDF Files:``/``Channels changed:``, ``Channel k: NAME``
    (numbered from 1 within its block), ``File Name: X.edf`` (each once),
    ``File Start/End Time: h:m:s``, ``Number of Seizures in File: n``,
    ``Seizure [k ]Start/End Time: x [seconds]`` or a ``*`` rule; key words in
    any case and spacing. Seizures alternate start/end inside a file, end
    after start, and their number matches the stated count.
DEAP
    The file must be exactly one pickle (``pickletools`` reaches STOP at the
    last byte); loaded with a standard unpickler allowing only NumPy arrays, it
    must be a dict with ``data`` (float, trials x 40 x samples) and ``labels``
    (trials x 4, finite, in 1-9); both arrays are compared bit for bit.
Bonn
    ASCII text, one decimal number per line (blank lines ignored), exactly
    4097 of them; values in microvolts.
Window store
    The manifest is parsed (``n_windows``, ``window_shape``, positive
    ``sfreq``, ``ch_names`` of the right length or none); every file the manifest
    lists must match its SHA-256 and size; ``X.npy`` float32 of the declared
    shape, ``y``/``groups`` of one entry per window, ``meta.csv`` with
    ``record``, ``subject`` and ``onset``. X, y, groups, meta, rate and
    channel names are compared.

Usage
-----
``python benchmarks/fuzz_readers.py --data-dir DATA --cases 5000 --jobs 2``
prints a table of counts per format and class and, for each class other than
clear and faithful, the commonest kinds of outcome with example case ids.
``--case edf:123`` reruns one case (same ``--seed``) and prints its mutation,
traceback and reference verdict, keeping its files.
"""

import argparse
import contextlib
import faulthandler
import io
import json
import math
import os
import pickle
import pickletools
import re
import resource
import selectors
import shutil
import signal
import struct
import sys
import tempfile
import time
import traceback
import warnings
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

FORMATS = ("wfdb-hea", "wfdb-dat", "wfdb-atr", "edf", "bdf", "gdf", "chbmit", "deap", "bonn",
           "store")
CLASSES = ("clear", "low-level", "misread", "faithful", "crash", "timeout", "oom", "harness")
#: Classes that the issue's goal allows (the rest should be 0).
GOOD = ("clear", "faithful")


class _Refusal(Exception):
    """The reference finds that the bytes are not a valid file of the format."""


class _Misread(Exception):
    """The reader's result differs from the reference reading."""


def _refuse(message):
    raise _Refusal(message)


# ---------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------

@dataclass
class Field:
    """A span of a seed file that a field edit may rewrite.

    ``kind`` is ``int``/``real`` (fixed-width ASCII number), ``text`` (fixed
    width ASCII text), ``token-int``/``token-real``/``token-word`` (a token of
    a text file, which may change length), ``digits`` (digits edited in
    place), ``json``, or a little-endian binary type (``u1`` ... ``f8``).
    """

    start: int
    stop: int
    kind: str
    name: str = ""


@dataclass
class Seed:
    """One seed: a file set, the file to mutate, and how to read it.

    Attributes
    ----------
    fmt : str
        The format key.
    name : str
        Where the seed comes from, for reports.
    files : dict of str to bytes
        Relative path -> content; all are written for each case.
    targets : tuple of (str, float)
        Files that may be mutated, with their weights.
    meta : dict
        What the reader and the reference need (record name, set, shape...).
    """

    fmt: str
    name: str
    files: dict
    targets: tuple
    meta: dict = field(default_factory=dict)
    _fields: dict = field(default_factory=dict, repr=False)
    _regions: dict = field(default_factory=dict, repr=False)

    def fields(self, target):
        if target not in self._fields:
            self._fields[target] = _FIELD_FINDERS[self.fmt](self, target)
        return self._fields[target]

    def regions(self, target):
        """Spans of ``target`` that are structure rather than sample payload."""
        if target not in self._regions:
            self._regions[target] = _REGION_FINDERS[self.fmt](self, target)
        return self._regions[target]

    def is_text(self, target):
        return target.endswith((".hea", ".txt", ".TXT", ".json", ".csv"))


def _tmp_root():
    """A scratch folder on tmpfs where there is one: cases write many small files."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="biosig-fuzz-", dir=base))


# -- WFDB -------------------------------------------------------------------

_WFDB_BYTES = {"8": Fraction(1), "16": Fraction(2), "24": Fraction(3), "32": Fraction(4),
               "61": Fraction(2), "80": Fraction(1), "160": Fraction(2),
               "212": Fraction(3, 2), "310": Fraction(4, 3), "311": Fraction(4, 3)}
# The value each format stores for an invalid sample (WFDB signal(5)).
_WFDB_INVALID = {"8": -128, "16": -32768, "24": -2 ** 23, "32": -2 ** 31, "61": -32768,
                 "80": -128, "160": -32768, "212": -2048, "310": -512, "311": -512}
_VOLTS = {"v": 1.0, "mv": 1e-3, "uv": 1e-6, "µv": 1e-6, "μv": 1e-6, "nv": 1e-9}


def _signed16(value):
    return (int(value) + 32768) % 65536 - 32768


def _cut_wfdb(folder, record, n_samples):
    """A real record cut to its first samples: real header text, real signal and annotation bytes.

    The header keeps its own tokens, with the length, initial values and
    checksums of the cut; the ``.atr`` is cut after the last annotation
    before ``n_samples`` and closed with the end-of-file word.
    """
    import wfdb

    hea = (folder / f"{record}.hea").read_text()
    rec = wfdb.rdrecord(str(folder / record), sampto=n_samples, physical=False)
    lines = hea.splitlines()
    first = lines[0].split()
    first[3] = str(n_samples)
    out = [" ".join(first)]
    k = 0
    for line in lines[1:]:
        if line.startswith("#") or not line.strip():
            out.append(line)
            continue
        tokens = line.split()
        d = rec.d_signal[:, k]
        tokens[5], tokens[6] = str(int(d[0])), str(_signed16(d.sum()))
        out.append(" ".join(tokens))
        k += 1
    assert set(rec.fmt) == {"212"} and rec.n_sig == 2, "cut supports two-signal format 212"
    dat = (folder / f"{record}.dat").read_bytes()[:3 * n_samples]
    atr = (folder / f"{record}.atr").read_bytes()
    end = _atr_cut_offset(atr, n_samples)
    return {f"{record}.hea": ("\n".join(out) + "\n").encode(), f"{record}.dat": dat,
            f"{record}.atr": atr[:end] + b"\0\0"}


def _atr_cut_offset(data, n_samples):
    """Byte offset just after the last annotation (with its modifiers) before ``n_samples``."""
    words = np.frombuffer(data[:len(data) // 2 * 2], "<u2").tolist()
    t, i, cut = 0, 0, 0
    while i < len(words):
        a, n = words[i] >> 10, words[i] & 0x3FF
        if a == 0 and n == 0:
            break
        if a == 59:
            t += _skip_interval(words[i + 1], words[i + 2])
            i += 3
            continue
        if a == 63:
            i += 1 + (n + 1) // 2
        elif a in (60, 61, 62):
            i += 1
        else:
            t += n
            if t >= n_samples:
                break
            i += 1
        cut = 2 * i
    return cut


def _skip_interval(high, low):
    value = (high << 16) | low
    return value - 2 ** 32 if value >= 2 ** 31 else value


def _wfdb_written(folder):
    """A record written as tests/conftest.py's ``make_record`` does (format 16, one lead)."""
    import wfdb

    fs, n = 500, 1500
    rng = np.random.default_rng(0)
    t = np.arange(n) / fs
    signal_ = (0.5 * np.sin(2 * np.pi * 1.2 * t) + 0.01 * rng.standard_normal(n))[:, None]
    wfdb.wrsamp("rec", fs=fs, units=["mV"], sig_name=["MLII"], p_signal=signal_, fmt=["16"],
                adc_gain=[200.0], baseline=[0], write_dir=str(folder))
    beats = np.array([100, 400, 700, 1000, 1300])
    wfdb.wrann("rec", "atr", beats, symbol=["+", "N", "V", "N", "N"],
               aux_note=["(N", "", "", "", ""], write_dir=str(folder))
    return {f"rec.{ext}": (folder / f"rec.{ext}").read_bytes() for ext in ("hea", "dat", "atr")}


def _wfdb_seeds(data_dir, work):
    seeds = []
    cuts = [("mitdb", "100", 2000), ("mitdb", "201", 2400), ("svdb", "800", 1024)]
    for db, record, n in cuts:
        files = _cut_wfdb(data_dir / db, record, n)
        seeds.append((f"{db}/{record} (first {n} samples)", record, files))
    folder = work / "wfdb-written"
    folder.mkdir()
    seeds.append(("wfdb.wrsamp/wrann record (tests/conftest.py)", "rec", _wfdb_written(folder)))
    out = []
    for fmt, ext in (("wfdb-hea", "hea"), ("wfdb-dat", "dat"), ("wfdb-atr", "atr")):
        for name, record, files in seeds:
            out.append(Seed(fmt, name, dict(files), ((f"{record}.{ext}", 1.0),),
                            {"record": record}))
    return out


# -- EDF / BDF --------------------------------------------------------------

_EDF_SIGNAL_FIELDS = (("label", 16, "text"), ("transducer", 80, "text"),
                      ("physdim", 8, "text"), ("pmin", 8, "real"), ("pmax", 8, "real"),
                      ("dmin", 8, "int"), ("dmax", 8, "int"), ("prefilter", 80, "text"),
                      ("spr", 8, "int"), ("reserved", 32, "text"))
_EDF_FIXED_FIELDS = (("version", 0, 8, "text"), ("patient", 8, 88, "text"),
                     ("recording", 88, 168, "text"), ("startdate", 168, 176, "text"),
                     ("starttime", 176, 184, "text"), ("header bytes", 184, 192, "int"),
                     ("reserved", 192, 236, "text"), ("records", 236, 244, "int"),
                     ("duration", 244, 252, "real"), ("signals", 252, 256, "int"))
_TAL_LABELS = ("EDF Annotations", "BDF Annotations")


def _edf_layout(data, bps):
    """Header numbers of a valid EDF/BDF seed (not for mutated bytes)."""
    ns, hb, nrec = int(data[252:256]), int(data[184:192]), int(data[236:244])
    offsets, off = {}, 256
    for name, width, _ in _EDF_SIGNAL_FIELDS:
        offsets[name] = off
        off += width * ns

    def get(name, i, width):
        start = offsets[name] + i * width
        return data[start:start + width]

    labels = [get("label", i, 16).strip().decode("latin-1") for i in range(ns)]
    spr = [int(get("spr", i, 8)) for i in range(ns)]
    return {"ns": ns, "hb": hb, "nrec": nrec, "spr": spr, "labels": labels,
            "offsets": offsets, "record": sum(spr) * bps, "bps": bps}


def _split_tals(area):
    """The TALs of one record's annotation bytes, as byte strings (valid seeds only)."""
    tals, p = [], 0
    while p < len(area) and area[p] != 0:
        end = area.index(b"\0", p)
        tals.append(area[p:end + 1])
        p = end + 1
    return tals


def _tal_end(tal):
    head = tal.split(b"\x14")[0]
    onset, _, dur = head.partition(b"\x15")
    return float(onset) + (float(dur) if dur else 0.0)


def _cut_edf(data, keep, n_records, bps=2, keep_tal=None):
    """Keep signals ``keep`` (indices) and the first records; optionally drop TALs.

    ``keep_tal(tal_bytes) -> bool`` decides which TALs of the annotation
    signal stay (the time-keeping TAL always does); the rest of the area is
    zero-filled.
    """
    lay = _edf_layout(data, bps)
    ns = lay["ns"]
    fixed = bytearray(data[:256])
    fixed[184:192] = f"{256 * (len(keep) + 1):<8}".encode()
    fixed[236:244] = f"{n_records:<8}".encode()
    fixed[252:256] = f"{len(keep):<4}".encode()
    sig = b""
    for name, width, _ in _EDF_SIGNAL_FIELDS:
        block = data[lay["offsets"][name]:lay["offsets"][name] + width * ns]
        sig += b"".join(block[i * width:(i + 1) * width] for i in keep)
    starts = np.concatenate([[0], np.cumsum(lay["spr"])]) * bps
    records = []
    for r in range(n_records):
        rec = data[lay["hb"] + r * lay["record"]:lay["hb"] + (r + 1) * lay["record"]]
        for i in keep:
            chunk = rec[starts[i]:starts[i + 1]]
            if keep_tal is not None and lay["labels"][i] in _TAL_LABELS:
                tals = _split_tals(chunk)
                kept = b"".join([tals[0]] + [t for t in tals[1:] if keep_tal(t)])
                chunk = kept + b"\0" * (len(chunk) - len(kept))
            records.append(chunk)
    return bytes(fixed) + sig + b"".join(records)


def _edf_to_bdf(data):
    """The same recording as BDF+: 24-bit samples, a "BDF Annotations" signal."""
    lay = _edf_layout(data, 2)
    ns = lay["ns"]
    spr_bdf = [math.ceil(2 * s / 3) if lab in _TAL_LABELS else s
               for s, lab in zip(lay["spr"], lay["labels"])]
    fixed = bytearray(data[:256])
    fixed[0:8] = b"\xffBIOSEMI"
    fixed[192:236] = b"BDF+C".ljust(44)
    sig = bytearray(data[256:lay["hb"]])
    for i in range(ns):
        if lay["labels"][i] in _TAL_LABELS:
            off = lay["offsets"]["label"] - 256 + 16 * i
            sig[off:off + 16] = b"BDF Annotations".ljust(16)
        off = lay["offsets"]["spr"] - 256 + 8 * i
        sig[off:off + 8] = f"{spr_bdf[i]:<8}".encode()
    starts = np.concatenate([[0], np.cumsum(lay["spr"])]) * 2
    records = []
    for r in range(lay["nrec"]):
        rec = data[lay["hb"] + r * lay["record"]:lay["hb"] + (r + 1) * lay["record"]]
        for i in range(ns):
            chunk = rec[starts[i]:starts[i + 1]]
            if lay["labels"][i] in _TAL_LABELS:
                records.append(chunk.ljust(3 * spr_bdf[i], b"\0"))
            else:
                v = np.frombuffer(chunk, "<i2").astype("<i4")
                records.append(v.view(np.uint8).reshape(-1, 4)[:, :3].tobytes())
    return bytes(fixed) + bytes(sig) + b"".join(records)


def _edf_seeds(data_dir, work):
    import mne
    from edfio import Edf, EdfSignal

    from biosig.datasets import write_example_data

    mne_dir = data_dir / "mne-testing-data"
    seeds = []

    def add(name, content, file_name):
        seeds.append(Seed("edf", name, {file_name: content}, ((file_name, 1.0),)))

    eeg = (data_dir / "eegmmidb/S001/S001R04.edf").read_bytes()
    lay = _edf_layout(eeg, 2)
    keep = [lay["labels"].index(c) for c in ("C3..", "C4..", "Cz..", "Fp1.")]
    keep.append(lay["labels"].index("EDF Annotations"))
    eeg_cut = _cut_edf(eeg, keep, 13, keep_tal=lambda t: _tal_end(t) <= 13)
    add("eegmmidb/S001/S001R04.edf (4 channels, 13 s)", eeg_cut, "S001R04.edf")

    utf8 = (mne_dir / "EDF/test_utf8_annotations.edf").read_bytes()
    lay = _edf_layout(utf8, 2)
    add("mne-testing-data EDF/test_utf8_annotations.edf (4 channels)",
        _cut_edf(utf8, [0, 1, 2, 3, lay["labels"].index("EDF Annotations")], 10),
        "test_utf8_annotations.edf")

    chtypes = (mne_dir / "EDF/chtypes_edf.edf").read_bytes()
    lay = _edf_layout(chtypes, 2)
    names = ("EEG Fp1-Ref", "POL E", "ECG ECG1", "SaO2 X9", "POL DC01", "EDF Annotations")
    add("mne-testing-data EDF/chtypes_edf.edf (5 channels, 3 s)",
        _cut_edf(chtypes, [lay["labels"].index(c) for c in names], 3), "chtypes_edf.edf")

    reduced = (mne_dir / "EDF/test_reduced.edf").read_bytes()
    lay = _edf_layout(reduced, 2)
    top = max(s for s, lab in zip(lay["spr"], lay["labels"]) if lab not in _TAL_LABELS)
    keep = [i for i, s in enumerate(lay["spr"]) if s == top][:3]
    keep.append(lay["labels"].index("EDF Annotations"))
    add(f"mne-testing-data EDF/test_reduced.edf ({len(keep) - 1} channels at {top} Hz, 3 s)",
        _cut_edf(reduced, keep, 3, keep_tal=lambda t: _tal_end(t) <= 3), "test_reduced.edf")

    # EDF+ as tests/datasets/test_edf.py writes it (mne.export).
    rng = np.random.default_rng(1)
    info = mne.create_info(["Fz", "Cz", "Pz"], 250.0, "eeg")
    raw = mne.io.RawArray(rng.uniform(-50e-6, 50e-6, (3, 1000)), info, verbose=False)
    raw.set_annotations(mne.Annotations([1.0, 2.5], [1.0, 0.0], ["seizure", "spike"]))
    path = work / "sub-01.edf"
    mne.export.export_raw(path, raw, fmt="edf", overwrite=True, verbose=False)
    add("mne.export EDF+ (tests/datasets/test_edf.py)", path.read_bytes(), "sub-01.edf")

    # CHB-MIT as write_example_data writes it (edfio), cut to 2 s.
    example = work / "example"
    write_example_data("chbmit", example)
    chb = (example / "chbmit/chb01/chb01_01.edf").read_bytes()
    lay = _edf_layout(chb, 2)
    add("write_example_data('chbmit') chb01_01.edf (2 s)",
        _cut_edf(chb, list(range(lay["ns"])), 2), "chb01_01.edf")

    # Plain EDF with repeated and placeholder labels, as test_chbmit.py writes them.
    sigs = [EdfSignal(np.sin(np.arange(512) / (5 + i)) * 300, sampling_frequency=256, label=lab,
                      physical_dimension="uV", physical_range=(-800, 800),
                      digital_range=(-32768, 32767))
            for i, lab in enumerate(["FP1-F7", "T8-P8", "T8-P8", "-"])]
    path = work / "chb03_01.edf"
    Edf(sigs).write(path)
    add("edfio plain EDF, repeated labels (tests/datasets/test_chbmit.py)", path.read_bytes(),
        "chb03_01.edf")
    return seeds, eeg_cut


def _bdf_seeds(data_dir, eeg_cut):
    bdf = (data_dir / "mne-testing-data/BDF/test_bdf_stim_channel.bdf").read_bytes()
    seeds = [
        Seed("bdf", "mne-testing-data BDF/test_bdf_stim_channel.bdf (3 s)",
             {"test_bdf_stim_channel.bdf": _cut_edf(bdf, [0, 1, 2, 3], 3, bps=3)},
             (("test_bdf_stim_channel.bdf", 1.0),)),
        Seed("bdf", "mne-testing-data BDF/test_bdf_stim_channel.bdf (C3 and Status, 2 s)",
             {"s05.bdf": _cut_edf(bdf, [0, 3], 2, bps=3)}, (("s05.bdf", 1.0),)),
        Seed("bdf", "BDF+ copy of the eegmmidb S001R04 seed", {"S001R04.bdf": _edf_to_bdf(eeg_cut)},
             (("S001R04.bdf", 1.0),)),
    ]
    return seeds


# -- GDF --------------------------------------------------------------------

def _gdf_seeds(data_dir, work):
    from biosig.datasets._gdf_writer import write_gdf

    real = bytearray((data_dir / "mne-testing-data/GDF/test_1ch.gdf").read_bytes())
    # 4500 records of one float32 sample: keep 300 (no event table follows).
    hb = struct.unpack_from("<H", real, 184)[0] * 256
    struct.pack_into("<q", real, 236, 300)
    real = bytes(real[:hb + 300 * 4])
    labels = ["EEG-Fz", "EEG-C3", "EEG-Cz", "EOG-left"]
    rng = np.random.default_rng(2)
    data = np.clip(rng.normal(0, 20, (4, 500)), -99, 99)
    events = [(0, 32766, 0), (250, 276, 100), (300, 768, 150), (350, 769, 100)]
    path = work / "A01T.gdf"
    write_gdf(path, data, 250, labels, events)
    return [Seed("gdf", "mne-testing-data GDF/test_1ch.gdf (GDF 2.10, first 2 s)",
                 {"test_1ch.gdf": real}, (("test_1ch.gdf", 1.0),)),
            Seed("gdf", "_gdf_writer.write_gdf GDF 2.20, 4 channels, mode-3 events",
                 {"A01T.gdf": path.read_bytes()}, (("A01T.gdf", 1.0),))]


# -- CHB-MIT summaries ------------------------------------------------------

# The wordings of tests/datasets/test_chbmit.py (chb01-chb10, and later cases).
_OLD_WORDING = """Data Sampling Rate: 256 Hz
*************************

Channels in EDF Files:
**********************
Channel 1: FP1-F7
Channel 2: F7-T7
Channel 3: T8-P8
Channel 4: T8-P8


File Name: chb03_01.edf
File Start Time: 13:23:36
File End Time: 14:23:36
Number of Seizures in File: 1
Seizure Start Time: 12 seconds
Seizure End Time: 20 seconds

File Name: chb03_02.edf
File Start Time: 14:23:39
File End Time: 15:23:39
Number of Seizures in File: 0
"""
_NEW_WORDING = """Data Sampling Rate: 256 Hz
*************************

Channels in EDF Files:
**********************
Channel 1: FP1-F7
Channel 2: F7-T7
Channel 3: -
Channel 4: T8-P8


File Name: chb24_01.edf
Number of Seizures in File: 2
Seizure 1 Start Time: 4 seconds
Seizure 1 End Time: 9 seconds
Seizure 2 Start Time:  21 seconds
Seizure 2 End Time:  27 seconds

Channels changed:
*****************
Channel 1: F7-T7
Channel 2: T8-P8
Channel 3: FZ-CZ

File Name: chb24_02.edf
Number of Seizures in File: 0
"""


def _chbmit_seeds(data_dir, work):
    real = (data_dir / "chbmit/chb01/chb01-summary.txt").read_bytes()
    example = (work / "example/chbmit/chb01/chb01-summary.txt").read_bytes()
    return [Seed("chbmit", "chbmit/chb01/chb01-summary.txt", {"chb01-summary.txt": real},
                 (("chb01-summary.txt", 1.0),)),
            Seed("chbmit", "chb03 wording (tests/datasets/test_chbmit.py)",
                 {"chb03-summary.txt": _OLD_WORDING.encode()}, (("chb03-summary.txt", 1.0),)),
            Seed("chbmit", "chb24 wording (tests/datasets/test_chbmit.py)",
                 {"chb24-summary.txt": _NEW_WORDING.encode()}, (("chb24-summary.txt", 1.0),)),
            Seed("chbmit", "write_example_data('chbmit') summary",
                 {"chb02-summary.txt": example.replace(b"chb01", b"chb02")},
                 (("chb02-summary.txt", 1.0),))]


# -- DEAP -------------------------------------------------------------------

DEAP_SHAPE = (40, 40, 16)


def _deap_seeds():
    rng = np.random.default_rng(3)
    seeds = []
    for protocol, name in ((2, "s01.dat"), (4, "s02.dat")):
        data = rng.standard_normal(DEAP_SHAPE) * 10.0
        labels = rng.uniform(1, 9, (DEAP_SHAPE[0], 4)).round(2)
        content = pickle.dumps({"data": data, "labels": labels}, protocol=protocol)
        seeds.append(Seed("deap", f"pickle protocol {protocol} (tests/datasets/test_deap.py)",
                          {name: content}, ((name, 1.0),), {"shape": DEAP_SHAPE}))
    return seeds


# -- Bonn -------------------------------------------------------------------

def _bonn_seeds(data_dir):
    seeds = []
    for rel in ("Z/Z001.txt", "O/O001.txt", "N/N001.TXT", "F/F001.txt", "S/S001.txt"):
        path = data_dir / "bonn" / rel
        seeds.append(Seed("bonn", f"bonn/{rel}", {path.name: path.read_bytes()},
                          ((path.name, 1.0),), {"set": rel[0]}))
    return seeds


# -- Window stores ----------------------------------------------------------

_STORE_FILES = ("X.npy", "y.npy", "groups.npy", "meta.csv")


def _store_seeds(data_dir, work):
    import pandas as pd
    import wfdb

    from biosig.windows import Windows, write_windows

    out = []
    rec = wfdb.rdrecord(str(data_dir / "mitdb/100"), sampto=2000)
    beats = [77, 370, 662, 946, 1231, 1515]
    X = np.stack([rec.p_signal[b - 36:b + 36].T for b in beats]).astype(np.float32) * 1e-3
    meta = pd.DataFrame({"record": ["100"] * 6, "subject": ["100"] * 6,
                         "onset": [(b - 36) / 360 for b in beats], "label": list("NNNVNN")})
    win = Windows(X, np.array(list("NNNVNN")), np.array(["100"] * 6), meta, 360.0,
                  ["MLII", "V5"])
    out.append(("mitdb/100: 6 beats x 2 leads x 72 samples", win, {"source": "mitdb"}))
    values = np.loadtxt(data_dir / "bonn/Z/Z001.txt")[:512].reshape(4, 1, 128) * 1e-6
    meta = pd.DataFrame({"record": ["Z001"] * 4, "subject": ["volunteers"] * 4,
                         "onset": np.arange(4) * 128 / 173.61})
    win = Windows(values.astype(np.float32), np.array(["Z"] * 4), np.array(["volunteers"] * 4),
                  meta, 173.61, ["Z"])
    out.append(("bonn/Z/Z001.txt: 4 windows x 1 channel x 128 samples", win, {"source": "bonn"}))
    seeds = []
    for k, (name, win, key) in enumerate(out):
        path = write_windows(win, work / f"store{k}", key=key)
        files = {f"store/{p.name}": p.read_bytes() for p in sorted(path.iterdir())}
        targets = (("store/manifest.json", 0.4), ("store/X.npy", 0.3), ("store/y.npy", 0.1),
                   ("store/groups.npy", 0.1), ("store/meta.csv", 0.1))
        seeds.append(Seed("store", name, files, targets))
    return seeds


def build_seeds(data_dir, formats=FORMATS):
    """Build the seeds of the formats asked for.

    Parameters
    ----------
    data_dir : path-like
        The real-data folder.
    formats : sequence of str

    Returns
    -------
    seeds : dict of str to list of Seed
    """
    data_dir = Path(data_dir)
    work = _tmp_root()
    out = {}
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            if any(f.startswith("wfdb") for f in formats):
                for seed in _wfdb_seeds(data_dir, work):
                    out.setdefault(seed.fmt, []).append(seed)
            edf, eeg_cut = _edf_seeds(data_dir, work)
            out["edf"] = edf
            out["bdf"] = _bdf_seeds(data_dir, eeg_cut)
            out["gdf"] = _gdf_seeds(data_dir, work)
            out["chbmit"] = _chbmit_seeds(data_dir, work)
            out["deap"] = _deap_seeds()
            out["bonn"] = _bonn_seeds(data_dir)
            out["store"] = _store_seeds(data_dir, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {f: out[f] for f in formats}


# ---------------------------------------------------------------------------
# Fields and structural regions of each format
# ---------------------------------------------------------------------------

def _edf_fields(seed, target):
    data = seed.files[target]
    bps = 3 if target.lower().endswith(".bdf") else 2
    lay = _edf_layout(data, bps)
    fields = [Field(a, b, kind, name) for name, a, b, kind in _EDF_FIXED_FIELDS]
    for name, width, kind in _EDF_SIGNAL_FIELDS:
        for i in range(lay["ns"]):
            start = lay["offsets"][name] + i * width
            fields.append(Field(start, start + width, kind, f"{name}[{i}]"))
    # Numbers inside the TALs, edited in place.
    for a, b in _edf_tal_spans(data, lay):
        for m in re.finditer(rb"[+-]?\d+(\.\d+)?", data[a:b]):
            fields.append(Field(a + m.start(), a + m.end(), "digits", "TAL number"))
    return fields


def _edf_tal_spans(data, lay):
    bps = lay["bps"]
    starts = np.concatenate([[0], np.cumsum(lay["spr"])]) * bps
    spans = []
    for i, lab in enumerate(lay["labels"]):
        if lab in _TAL_LABELS:
            for r in range(lay["nrec"]):
                base = lay["hb"] + r * lay["record"]
                spans.append((base + int(starts[i]), base + int(starts[i + 1])))
    return spans


def _edf_regions(seed, target):
    data = seed.files[target]
    lay = _edf_layout(data, 3 if target.lower().endswith(".bdf") else 2)
    return [(0, lay["hb"])] + _edf_tal_spans(data, lay)


_GDF2_CHANNEL = (("label", 0, 16, "text"), ("physdim code", 102, 104, "u2"),
                 ("pmin", 104, 112, "f8"), ("pmax", 112, 120, "f8"), ("dmin", 120, 128, "f8"),
                 ("dmax", 128, 136, "f8"), ("spr", 216, 220, "u4"), ("type", 220, 224, "u4"))
_GDF2_WIDTHS = (16, 80, 6, 2, 8, 8, 8, 8, 68, 4, 4, 4, 4, 4, 12, 20)


def _gdf_layout(data):
    """Offsets of a valid GDF 2 seed's fields (not for mutated bytes)."""
    ns = struct.unpack_from("<H", data, 252)[0]
    hb = struct.unpack_from("<H", data, 184)[0] * 256
    nrec = struct.unpack_from("<q", data, 236)[0]
    # The channel header stores each field for all channels in turn.
    starts = np.concatenate([[0], np.cumsum(_GDF2_WIDTHS)])
    offsets = {}
    for name, a, _, _ in _GDF2_CHANNEL:
        k = int(np.searchsorted(starts, a))
        offsets[name] = 256 + int(starts[k]) * ns
    spr = [struct.unpack_from("<I", data, offsets["spr"] + 4 * i)[0] for i in range(ns)]
    types = [struct.unpack_from("<I", data, offsets["type"] + 4 * i)[0] for i in range(ns)]
    size = {3: 2, 16: 4, 17: 8}
    data_end = hb + nrec * sum(s * size[t] for s, t in zip(spr, types))
    return {"ns": ns, "hb": hb, "nrec": nrec, "offsets": offsets, "data_end": data_end}


def _gdf_fields(seed, target):
    data = seed.files[target]
    lay = _gdf_layout(data)
    fields = [Field(0, 8, "text", "version"), Field(184, 186, "u2", "header blocks"),
              Field(236, 244, "i8", "records"), Field(244, 248, "u4", "duration numerator"),
              Field(248, 252, "u4", "duration denominator"), Field(252, 254, "u2", "channels")]
    for name, a, b, kind in _GDF2_CHANNEL:
        width = b - a
        for i in range(lay["ns"]):
            start = lay["offsets"][name] + i * width
            fields.append(Field(start, start + width, kind, f"{name}[{i}]"))
    e = lay["data_end"]
    if len(data) > e:
        n = int.from_bytes(data[e + 1:e + 4], "little")
        fields += [Field(e, e + 1, "u1", "event mode"), Field(e + 1, e + 4, "u3", "events"),
                   Field(e + 4, e + 8, "f4", "event rate")]
        mode = data[e]
        widths = (4, 2, 2, 4) if mode == 3 else (4, 2)
        off = e + 8
        for what, width in zip(("position", "type", "channel", "duration"), widths):
            kind = {4: "u4", 2: "u2"}[width]
            fields += [Field(off + k * width, off + (k + 1) * width, kind, f"event {what}")
                       for k in range(n)]
            off += n * width
    return fields


def _gdf_regions(seed, target):
    data = seed.files[target]
    lay = _gdf_layout(data)
    return [(0, lay["hb"]), (lay["data_end"], len(data))]


def _hea_fields(data):
    fields = []
    pos = 0
    for line in data.splitlines(keepends=True):
        if not line.startswith(b"#"):
            for m in re.finditer(rb"\S+", line):
                fields.append(Field(pos + m.start(), pos + m.end(), "token-word", "header token"))
                for n in re.finditer(rb"[+-]?\d+(\.\d+)?", m.group()):
                    a = pos + m.start() + n.start()
                    fields.append(Field(a, a + len(n.group()), "token-real", "header number"))
        pos += len(line)
    return fields


def _atr_fields(data):
    end = len(data) - 2  # keep the end-of-file word out of the way of most edits
    return [Field(i, i + 2, "annword", "annotation word") for i in range(0, max(end, 0), 2)]


def _wfdb_fields(seed, target):
    data = seed.files[target]
    if target.endswith(".hea"):
        return _hea_fields(data)
    if target.endswith(".atr"):
        return _atr_fields(data)
    frame = 3 if b" 212 " in seed.files[f"{seed.meta['record']}.hea"] else 2
    return [Field(i, i + frame, "frame", "sample frame") for i in range(0, len(data), frame)]


def _wfdb_regions(seed, target):
    data = seed.files[target]
    if target.endswith(".dat"):
        return [(0, min(len(data), 24))]
    return [(0, len(data))]


def _text_number_fields(data, kind="token-real"):
    return [Field(m.start(), m.end(), kind, "number")
            for m in re.finditer(rb"[+-]?\d+(\.\d+)?", data)]


def _chbmit_fields(seed, target):
    data = seed.files[target]
    words = [Field(m.start(), m.end(), "token-word", "key word")
             for m in re.finditer(rb"[A-Za-z]+", data)]
    return _text_number_fields(data) + words


def _bonn_fields(seed, target):
    return _text_number_fields(seed.files[target], "token-int")


def _deap_fields(seed, target):
    data = seed.files[target]
    fields = []
    for op, arg, pos in pickletools.genops(data):
        fields.append(Field(pos, pos + 1, "opcode", op.name))
        width = {"BININT1": 1, "BININT2": 2, "BININT": 4, "BINPUT": 1, "BINGET": 1,
                 "LONG_BINPUT": 4, "LONG_BINGET": 4, "PROTO": 1, "FRAME": 8}.get(op.name)
        if width:
            kind = {1: "u1", 2: "u2", 4: "i4", 8: "u8"}[width]
            fields.append(Field(pos + 1, pos + 1 + width, kind, f"{op.name} argument"))
        length = {"SHORT_BINUNICODE": 1, "BINUNICODE": 4, "SHORT_BINBYTES": 1, "BINBYTES": 4,
                  "SHORT_BINSTRING": 1, "BINSTRING": 4, "BINBYTES8": 8,
                  "BINUNICODE8": 8}.get(op.name)
        if length:
            kind = {1: "u1", 4: "u4", 8: "u8"}[length]
            fields.append(Field(pos + 1, pos + 1 + length, kind, f"{op.name} length"))
            body = len(arg) if isinstance(arg, bytes) else len(arg.encode("utf-8", "surrogatepass"))
            if body <= 32:
                a = pos + 1 + length
                fields.append(Field(a, a + body, "text", f"{op.name} text"))
    return fields


def _deap_regions(seed, target):
    data = seed.files[target]
    spans, last = [], 0
    for op, arg, pos in pickletools.genops(data):
        if isinstance(arg, (bytes, str)) and len(arg) > 64:
            # Width of the length prefix (pickletools' codes for counted arguments).
            head = {-2: 1, -3: 4, -4: 4, -5: 8}.get(op.arg.n, 0)
            spans.append((last, pos + 1 + head))
            size = len(arg) if isinstance(arg, bytes) else len(arg.encode("utf-8", "surrogatepass"))
            last = pos + 1 + head + size
    spans.append((last, len(data)))
    return spans


def _store_fields(seed, target):
    data = seed.files[target]
    if target.endswith(".json"):
        return [Field(0, len(data), "json", "manifest")]
    if target.endswith(".npy"):
        end = data.index(b"}") + 1
        return [Field(m.start(), m.end(), "digits", "npy header number")
                for m in re.finditer(rb"\d+", data[:end])] + [Field(0, 8, "text", "npy magic")]
    return _text_number_fields(data)


def _store_regions(seed, target):
    data = seed.files[target]
    if target.endswith(".npy"):
        return [(0, data.index(b"}") + 1)]
    return [(0, len(data))]


def _all_text_regions(seed, target):
    return [(0, len(seed.files[target]))]


_FIELD_FINDERS = {"wfdb-hea": _wfdb_fields, "wfdb-dat": _wfdb_fields, "wfdb-atr": _wfdb_fields,
                  "edf": _edf_fields, "bdf": _edf_fields, "gdf": _gdf_fields,
                  "chbmit": _chbmit_fields, "deap": _deap_fields, "bonn": _bonn_fields,
                  "store": _store_fields}
_REGION_FINDERS = {"wfdb-hea": _wfdb_regions, "wfdb-dat": _wfdb_regions,
                   "wfdb-atr": _wfdb_regions, "edf": _edf_regions, "bdf": _edf_regions,
                   "gdf": _gdf_regions, "chbmit": _all_text_regions, "deap": _deap_regions,
                   "bonn": _all_text_regions, "store": _store_regions}


# ---------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------

_SPECIAL_BYTES = (0x00, 0xFF, 0x20, ord("0"), ord("9"), ord("-"), ord("."), ord("\n"), 0x80,
                  0x7F, ord("+"), 0x14, 0x15)


def _pick(rng, items, weights=None):
    if weights is not None:
        p = np.asarray(weights, float)
        return items[int(rng.choice(len(items), p=p / p.sum()))]
    return items[int(rng.integers(len(items)))]


def _position(rng, data, regions):
    """A byte position: half the time inside the structural regions."""
    n = len(data)
    spans = [(a, min(b, n)) for a, b in regions if a < min(b, n)]
    if spans and rng.random() < 0.5:
        sizes = np.array([b - a for a, b in spans], float)
        a, b = spans[int(rng.choice(len(spans), p=sizes / sizes.sum()))]
        return int(rng.integers(a, b))
    return int(rng.integers(n))


def _int_variants(rng, v):
    v = int(v)
    return [0, 1, -1, v + 1, v - 1, 2 * v, v // 2, -v, 10 * v, v // 10, 10 * v + 7,
            2 ** 31 - 1, 2 ** 31, 2 ** 32 + v, 10 ** 12, 99999999,
            int(rng.integers(0, 2 * abs(v) + 3))]


def _number_text_variants(rng, text, integer):
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = 0.0
    out = [str(x) for x in _int_variants(rng, value if math.isfinite(value) else 0)]
    out += ["", " ", "abc", "1x", "x1", "--1", "1.5", "2.0", "1e3", "1e-3", "nan", "inf", "-0",
            text + "0", text[:-1], " " + text, "+" + text, "1 0", text.replace(".", ","),
            text + ".", "0x10", "1_0", "\u0661\u0662", text + "\0", "\0" + text]
    if not integer:
        out += [repr(value * 1.5), repr(value / 3), repr(-value), "1e308", "1e-320"]
    return out


def _word_variants(rng, word):
    w = word.decode("latin-1")
    out = ["", w + w, w.upper(), w.lower(), w.swapcase(), w[1:], w[:-1], w + "x",
           "x" + w, w[::-1], w + " ", w.replace(w[:1], " ", 1) if w else "x"]
    if len(w) > 1:
        k = int(rng.integers(len(w) - 1))
        out.append(w[:k] + w[k + 1] + w[k] + w[k + 2:])
        out.append(w[:k] + " " + w[k:])
    return [s.encode("latin-1", "replace") for s in out]


_BINARY = {"u1": ("<B", 8, False), "u2": ("<H", 16, False), "u3": (None, 24, False),
           "u4": ("<I", 32, False), "i4": ("<i", 32, True), "i8": ("<q", 64, True),
           "u8": ("<Q", 64, False), "f4": ("<f", 0, None), "f8": ("<d", 0, None)}


def _binary_edit(rng, raw, kind):
    fmt, bits, signed = _BINARY[kind]
    if kind in ("f4", "f8"):
        v = struct.unpack(fmt, raw)[0]
        choices = [0.0, -0.0, 1.0, -v, 2 * v, v / 2, math.nan, math.inf, -math.inf, 1e300,
                   1e-300, v + 1e-3 * (abs(v) or 1), 3.4e38, v * 1e6, v * 1e-6]
        new = _pick(rng, choices)
        if kind == "f4":
            with np.errstate(over="ignore"):
                return np.float32(new).tobytes()
        return struct.pack(fmt, new)
    v = int.from_bytes(raw, "little", signed=bool(signed))
    new = _pick(rng, _int_variants(rng, v) + [2 ** (bits - 1), 2 ** bits - 1, 2 ** (bits - 1) - 1])
    return (new % 2 ** bits).to_bytes(bits // 8, "little")


def _annword_edit(rng, raw):
    w = int.from_bytes(raw, "little")
    a, n = w >> 10, w & 0x3FF
    choices = [(int(rng.integers(64)), n), (a, int(rng.integers(1024))), (0, 0), (0, n),
               (59, n), (63, n), (a, 0), (a, 1023), (int(rng.choice([15, 17, 42, 49, 50, 58])), n),
               (60, n), (61, n), (62, n), (a, n + 1), (a, max(n - 1, 0))]
    a, n = _pick(rng, choices)
    return ((a << 10) | (n & 0x3FF)).to_bytes(2, "little")


def _json_edit(rng, raw):
    """Edit one value, key or element of a JSON document; returns new bytes and a description."""
    doc = json.loads(raw)
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + (i,))

    walk(doc, ())
    path = _pick(rng, paths[1:])
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    value = parent[key]
    op = _pick(rng, ["value", "value", "value", "delete", "type", "rename", "duplicate"])
    if op == "delete":
        del parent[key]
    elif op == "type":
        parent[key] = _pick(rng, [None, "x", [value], {"v": value}, True, str(value), 0])
    elif op == "rename" and isinstance(parent, dict):
        parent[str(key)[:-1] + "x"] = parent.pop(key)
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(key, value)
    elif isinstance(value, bool) or value is None:
        parent[key] = _pick(rng, [True, False, None, 1])
    elif isinstance(value, (int, float)):
        parent[key] = _pick(rng, [0, -1, 1, value + 1, value - 1, value * 2, -value, 1e300,
                                  value / 2, 10 ** 12, 0.5])
    elif isinstance(value, str):
        s = value
        k = int(rng.integers(max(len(s), 1)))
        parent[key] = _pick(rng, ["", s[:k] + chr(int(rng.integers(32, 127))) + s[k + 1:],
                                  s[:-1], s + s, s.upper(), "0" * len(s)])
    else:
        op = "delete"
        del parent[key]
    text = json.dumps(doc, indent=1, default=str)
    return text.encode(), f"json {op} at {'/'.join(map(str, path))}"


def _field_edit(rng, data, seed, target):
    fields = seed.fields(target)
    if not fields:
        return _op_overwrite(rng, data, seed, target)
    f = _pick(rng, fields)
    raw = bytes(data[f.start:f.stop])
    width = f.stop - f.start
    if f.kind == "json":
        try:
            new, what = _json_edit(rng, bytes(data))
        except ValueError:
            return _op_flip(rng, data, seed, target)
        data[:] = new
        return what
    if f.kind in ("int", "real"):
        text = raw.decode("latin-1").strip()
        new = _pick(rng, _number_text_variants(rng, text, f.kind == "int"))
        new = new.encode("utf-8")[:width].ljust(width)
    elif f.kind == "text":
        choices = [b"", raw[::-1], bytes(width), raw.upper(), raw.lower(), b"\xb5" + raw[1:],
                   raw[:1] + b"\0" + raw[2:], b" " + raw[:-1], raw.replace(b" ", b"\0")]
        new = _pick(rng, choices)[:width].ljust(width)
    elif f.kind in ("token-int", "token-real"):
        text = raw.decode("latin-1")
        new = _pick(rng, _number_text_variants(rng, text, f.kind == "token-int")).encode("utf-8")
    elif f.kind == "token-word":
        new = _pick(rng, _word_variants(rng, raw))
    elif f.kind == "digits":
        choices = [bytes(rng.integers(48, 58, width).astype(np.uint8)),
                   raw.replace(b"+", b"-") if b"+" in raw else b"-" + raw[1:],
                   raw.replace(b".", b","), raw[:-1] + b" ", b"9" * width]
        new = _pick(rng, choices)[:width].ljust(width, b"0")
    elif f.kind == "annword":
        new = _annword_edit(rng, raw)
    elif f.kind == "frame":
        new = _pick(rng, [bytes(width), b"\xff" * width, b"\x00\x08\x80"[:width],
                          bytes(rng.integers(0, 256, width).astype(np.uint8))])
    elif f.kind == "opcode":
        new = bytes([_pick(rng, [o.code.encode("latin-1")[0] for o in pickletools.opcodes])])
    elif f.kind == "u3":
        v = int.from_bytes(raw, "little")
        new = (_pick(rng, _int_variants(rng, v)) % 2 ** 24).to_bytes(3, "little")
    else:
        new = _binary_edit(rng, raw, f.kind)
    data[f.start:f.stop] = new
    return f"field {f.name}@{f.start} {raw!r} -> {new!r}"


def _op_flip(rng, data, seed, target):
    if not data:
        return "flip (empty file)"
    n = _pick(rng, [1, 1, 1, 1, 2, 3, 8])
    done = []
    for _ in range(n):
        pos = _position(rng, data, seed.regions(target))
        bit = int(rng.integers(8))
        data[pos] ^= 1 << bit
        done.append(f"{pos}.{bit}")
    return "flip " + ",".join(done)


def _op_overwrite(rng, data, seed, target):
    if not data:
        return "overwrite (empty file)"
    pos = _position(rng, data, seed.regions(target))
    n = min(int(rng.integers(1, 5)), len(data) - pos)
    if rng.random() < 0.5:
        new = bytes([_pick(rng, _SPECIAL_BYTES)] * n)
    else:
        new = bytes(rng.integers(0, 256, n).astype(np.uint8))
    data[pos:pos + n] = new
    return f"overwrite {pos} {new!r}"


def _boundaries(seed, target):
    regions = seed.regions(target)
    return sorted({b for span in regions for b in span})


def _op_truncate(rng, data, seed, target):
    n = len(data)
    if n == 0:
        return "truncate (empty file)"
    how = _pick(rng, ["anywhere", "structure", "boundary", "last"])
    if how == "boundary":
        new = _pick(rng, _boundaries(seed, target)) + int(rng.integers(-3, 4))
    elif how == "structure":
        new = _position(rng, data, seed.regions(target))
    elif how == "last":
        new = n - int(rng.integers(1, 4))
    else:
        new = int(rng.integers(n))
    new = int(min(max(new, 0), n - 1))
    del data[new:]
    return f"truncate to {new}"


def _op_extend(rng, data, seed, target):
    how = _pick(rng, ["zeros", "random", "tail", "copy", "text"])
    n = int(_pick(rng, [1, 2, 3, 4, 16, 256, int(rng.integers(1, 4096))]))
    if how == "zeros":
        extra = bytes(n)
    elif how == "random":
        extra = bytes(rng.integers(0, 256, n).astype(np.uint8))
    elif how == "tail":
        extra = bytes(data[-n:]) if data else b"x"
    elif how == "copy":
        extra = bytes(data)
    else:
        extra = _pick(rng, [b"\n", b"12\n", b"\nFile Name: x.edf\n", b"garbage line\n", b"\0\0",
                            b"-5\n1e3\n", b" ", b"\r\n"])
    data.extend(extra)
    return f"extend {how} +{len(extra)}"


def _op_zero(rng, data, seed, target):
    del data[:]
    return "zero length"


def _op_delete(rng, data, seed, target):
    if not data:
        return "delete (empty file)"
    pos = _position(rng, data, seed.regions(target))
    n = int(_pick(rng, [1, 1, 2, 3, 4, 8, 16, int(rng.integers(1, 512))]))
    del data[pos:pos + n]
    return f"delete {pos}+{n}"


def _op_insert(rng, data, seed, target):
    pos = _position(rng, data, seed.regions(target)) if data else 0
    n = int(_pick(rng, [1, 1, 2, 3, 4, 8, 16]))
    if rng.random() < 0.5:
        new = bytes([_pick(rng, _SPECIAL_BYTES)] * n)
    else:
        new = bytes(rng.integers(0, 256, n).astype(np.uint8))
    data[pos:pos] = new
    return f"insert {pos} {new!r}"


def _op_lines(rng, data, seed, target):
    lines = bytes(data).splitlines(keepends=True)
    if len(lines) < 2:
        return _op_delete(rng, data, seed, target)
    k = int(rng.integers(len(lines)))
    how = _pick(rng, ["delete", "delete", "duplicate", "swap", "blank", "join", "move"])
    if how == "delete":
        del lines[k]
    elif how == "duplicate":
        lines.insert(k, lines[k])
    elif how == "swap" and k + 1 < len(lines):
        lines[k], lines[k + 1] = lines[k + 1], lines[k]
    elif how == "blank":
        lines[k] = b"\n"
    elif how == "join" and k + 1 < len(lines):
        lines[k:k + 2] = [lines[k].rstrip(b"\r\n") + lines[k + 1]]
    else:
        how = "move"
        lines.insert(int(rng.integers(len(lines))), lines.pop(k))
    data[:] = b"".join(lines)
    return f"line {how} {k}"


_BINARY_OPS = {_field_edit: 0.30, _op_flip: 0.22, _op_overwrite: 0.12, _op_truncate: 0.10,
               _op_extend: 0.08, _op_delete: 0.07, _op_insert: 0.06, _op_zero: 0.02}
_TEXT_OPS = {_field_edit: 0.30, _op_lines: 0.16, _op_flip: 0.15, _op_overwrite: 0.09,
             _op_truncate: 0.08, _op_extend: 0.07, _op_delete: 0.06, _op_insert: 0.07,
             _op_zero: 0.02}


def make_case(seeds, fmt, seed_value, case_id):
    """The files of one case: a seed, mutated reproducibly.

    Parameters
    ----------
    seeds : list of Seed
        The seeds of ``fmt``.
    fmt : str
    seed_value : int
        The run's ``--seed``.
    case_id : int
        The case number; ``-1`` is the first seed unchanged, ``-2`` the
        second, ... (the seed check).

    Returns
    -------
    seed : Seed
    files : dict of str to bytes
    target : str
        The mutated file.
    mutation : str
        What was done, for reports.
    """
    if case_id < 0:
        seed = seeds[-case_id - 1]
        return seed, dict(seed.files), seed.targets[0][0], "none (seed)"
    rng = np.random.default_rng([seed_value, zlib.crc32(fmt.encode()), case_id])
    seed = _pick(rng, seeds)
    targets, weights = zip(*seed.targets)
    target = _pick(rng, list(targets), weights)
    ops = _TEXT_OPS if seed.is_text(target) else _BINARY_OPS
    n_ops = _pick(rng, [1, 2, 3], [0.85, 0.12, 0.03])
    chosen = [_pick(rng, list(ops), list(ops.values())) for _ in range(n_ops)]
    # A field edit reads offsets of the seed: it goes first, once.
    chosen = sorted(chosen, key=lambda op: op is not _field_edit)
    chosen = chosen[:1] + [op for op in chosen[1:] if op is not _field_edit]
    data = bytearray(seed.files[target])
    done = [op(rng, data, seed, target) for op in chosen]
    files = dict(seed.files)
    files[target] = bytes(data)
    return seed, files, target, f"{seed.name}: {target}: " + "; ".join(done)


# ---------------------------------------------------------------------------
# Reference readings
# ---------------------------------------------------------------------------

_INT = re.compile(r"[+-]?\d+")
_REAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _ascii_number(raw, what, integer=False):
    """A space-padded ASCII number of a fixed-width header field, or a refusal."""
    try:
        text = raw.decode("ascii").strip(" ")
    except UnicodeDecodeError:
        _refuse(f"{what} {raw!r} is not ASCII")
    if integer:
        if not _INT.fullmatch(text):
            _refuse(f"{what} {raw!r} is not an integer")
        return int(text)
    text = text.replace(",", ".", 1) if text.count(",") == 1 and "." not in text else text
    if not _REAL.fullmatch(text):
        _refuse(f"{what} {raw!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        _refuse(f"{what} {raw!r} is not finite")
    return value


_STIM_NAMES = ("status", "trigger")
_EDF_UNITS = {"uV": 1e-6, "µV": 1e-6, "\u03bcV": 1e-6, "\x83\xcaV": 1e-6, "mV": 1e-3, "V": 1.0,
              "nV": 1e-9}
_TAL_ONSET = re.compile(rb"[+-]\d+(\.\d*)?")
_TAL_DURATION = re.compile(rb"\d+(\.\d*)?")


def _parse_tal_area(area, r, first_signal):
    """The TALs of one record's annotation bytes: [(onset, duration, [texts])]."""
    tals, p = [], 0
    while p < len(area) and area[p] != 0:
        end = area.find(b"\0", p)
        if end < 0:
            _refuse(f"record {r}: TAL without its closing NUL")
        tal = area[p:end]
        if not tal.endswith(b"\x14"):
            _refuse(f"record {r}: TAL {tal[:40]!r} does not end with 0x14")
        head, *texts = tal[:-1].split(b"\x14")
        onset, sep, duration = head.partition(b"\x15")
        if not _TAL_ONSET.fullmatch(onset):
            _refuse(f"record {r}: TAL onset {onset!r} is not a number")
        if sep and not _TAL_DURATION.fullmatch(duration):
            _refuse(f"record {r}: TAL duration {duration!r} is not a number")
        try:
            texts = [t.decode("utf-8") for t in texts]
        except UnicodeDecodeError:
            _refuse(f"record {r}: TAL text is not UTF-8")
        tals.append((float(onset), float(duration) if sep else None, texts))
        p = end + 1
    if any(area[p:]):
        _refuse(f"record {r}: non-zero bytes after the TALs of the annotation signal")
    if first_signal and (not tals or tals[0][2][:1] != [""]):
        _refuse(f"record {r}: no time-keeping TAL")
    return tals


def _edf_reference(path):
    """Read an EDF/BDF file from its bytes (see the module docstring)."""
    bdf = path.suffix.lower() == ".bdf"
    bps = 3 if bdf else 2
    data = path.read_bytes()
    if len(data) < 256:
        _refuse(f"{len(data)} bytes: shorter than the fixed header")
    hb = _ascii_number(data[184:192], "header size", True)
    nrec = _ascii_number(data[236:244], "number of records", True)
    duration = _ascii_number(data[244:252], "record duration")
    ns = _ascii_number(data[252:256], "number of signals", True)
    if ns < 1:
        _refuse(f"{ns} signals")
    if hb != 256 * (ns + 1):
        _refuse(f"header size {hb} for {ns} signals")
    if len(data) < hb:
        _refuse("file shorter than its header")
    offsets, off = {}, 256
    for name, width, _ in _EDF_SIGNAL_FIELDS:
        offsets[name] = off
        off += width * ns

    def get(name, i, width=8):
        return data[offsets[name] + i * width:offsets[name] + (i + 1) * width]

    labels = [get("label", i, 16).strip().decode("latin-1") for i in range(ns)]
    spr = [_ascii_number(get("spr", i), f"samples per record of signal {i}", True)
           for i in range(ns)]
    if any(s < 1 for s in spr):
        _refuse(f"samples per record {spr}")
    record = sum(spr) * bps
    if nrec == -1:
        if (len(data) - hb) % record:
            _refuse("unknown number of records and a partial record")
        nrec = (len(data) - hb) // record
    if nrec < 0:
        _refuse(f"{nrec} records")
    if len(data) != hb + nrec * record:
        _refuse(f"file holds {len(data)} bytes; the header declares {hb + nrec * record}")
    tal = [i for i, lab in enumerate(labels) if lab in _TAL_LABELS]
    sigs = [i for i in range(ns) if i not in tal]
    plus = data[192:197] in (b"EDF+C", b"EDF+D", b"BDF+C", b"BDF+D")
    if plus and not tal:
        _refuse("EDF+/BDF+ file without an annotation signal")
    if not sigs:
        _refuse("no data signal")
    if duration <= 0:
        _refuse(f"record duration {duration}")
    if len({spr[i] for i in sigs}) > 1:
        _refuse(f"signals at different rates {[spr[i] for i in sigs]}: a reader would resample")
    starts = np.concatenate([[0], np.cumsum(spr)]) * bps
    raw = np.frombuffer(data, np.uint8, offset=hb).reshape(nrec, record)
    out, steps = [], []
    for i in sigs:
        block = raw[:, starts[i]:starts[i + 1]].reshape(-1)
        if bdf:
            b = block.reshape(-1, 3).astype(np.int32)
            dig = (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8
        else:
            dig = block.view("<i2")
        pmin = _ascii_number(get("pmin", i), f"physical minimum of signal {i}")
        pmax = _ascii_number(get("pmax", i), f"physical maximum of signal {i}")
        dmin = _ascii_number(get("dmin", i), f"digital minimum of signal {i}", True)
        dmax = _ascii_number(get("dmax", i), f"digital maximum of signal {i}", True)
        if dmax == dmin or pmax == pmin:
            _refuse(f"signal {i}: degenerate range {pmin}..{pmax} / {dmin}..{dmax}")
        cal = (pmax - pmin) / (dmax - dmin)
        offset = pmin - dmin * cal
        unit = get("physdim", i).strip().decode("latin-1")
        if labels[i].lower() in _STIM_NAMES:
            cal, offset = (1.0, 0.0) if bdf else (cal, offset)
            values = np.bitwise_and((dig * cal + offset).astype(int), 2 ** 17 - 1).astype(float)
            steps.append(0.5)
        else:
            scale = _EDF_UNITS.get(unit, 1.0)
            values = dig * cal
            values += offset
            values *= scale
            steps.append(abs(cal * scale))
        out.append(values)
    annotations = []
    if tal:
        area = [raw[:, starts[i]:starts[i + 1]] for i in tal]
        tk0 = None
        for r in range(nrec):
            for k, a in enumerate(area):
                tals = _parse_tal_area(a[r].tobytes(), r, k == 0)
                if k == 0:
                    tk = tals[0][0]
                    tk0 = tk if tk0 is None else tk0
                    if abs(tk - tk0 - r * duration) > 1e-6:
                        _refuse(f"record {r} starts at {tk} s, not {tk0 + r * duration} s: "
                                "the recording is not continuous")
                for j, (onset, dur, texts) in enumerate(tals):
                    skip = 1 if (k == 0 and j == 0) else 0
                    for text in texts[skip:]:
                        if text:
                            annotations.append((onset, dur or 0.0, text))
        names = set(labels[i] for i in sigs)
        annotations = [(o - tk0, d, t.split("@@")[0] if "@@" in t and t.split("@@")[1] in names
                        else t) for o, d, t in annotations]
    return {"names": [labels[i] for i in sigs], "sfreq": spr[sigs[0]] / duration,
            "n_times": nrec * spr[sigs[0]], "data": np.array(out), "steps": steps,
            "annotations": annotations}


# GDF 2 decimal prefixes of unit codes (ISO/IEEE 11073-10101).
_GDF_PREFIX = {0: 1.0, 1: 1e1, 2: 1e2, 3: 1e3, 4: 1e6, 5: 1e9, 6: 1e12, 7: 1e15, 8: 1e18,
               9: 1e21, 10: 1e24, 16: 1e-1, 17: 1e-2, 18: 1e-3, 19: 1e-6, 20: 1e-9, 21: 1e-12,
               22: 1e-15, 23: 1e-18, 24: 1e-21, 25: 1e-24}
_GDF_TYPES = {1: "<i1", 2: "<u1", 3: "<i2", 4: "<u2", 5: "<i4", 6: "<u4", 7: "<i8", 8: "<u8",
              16: "<f4", 17: "<f8"}


def _gdf_reference(path):
    """Read a GDF 1.x or 2.x file from its bytes (see the module docstring)."""
    data = path.read_bytes()
    if len(data) < 256:
        _refuse("shorter than the fixed header")
    m = re.fullmatch(rb"GDF ([12])\.(\d\d)", data[:8])
    if not m:
        _refuse(f"version {data[:8]!r}")
    version = float(f"{m.group(1).decode()}.{m.group(2).decode()}")
    v2 = version >= 1.9
    if v2:
        hb = struct.unpack_from("<H", data, 184)[0] * 256
        ns = struct.unpack_from("<H", data, 252)[0]
    else:
        hb = struct.unpack_from("<q", data, 184)[0]
        ns = struct.unpack_from("<I", data, 252)[0]
    nrec = struct.unpack_from("<q", data, 236)[0]
    num, den = struct.unpack_from("<II", data, 244)
    if ns < 1 or hb != 256 * (ns + 1):
        _refuse(f"header size {hb} for {ns} channels")
    if len(data) < hb:
        _refuse("file shorter than its header")
    if nrec < 0:
        _refuse(f"{nrec} records")
    if num == 0 or den == 0:
        _refuse(f"record duration {num}/{den}")
    duration = num / den
    base = 256

    def column(width, offset, fmt):
        start = base + offset * ns
        return [struct.unpack_from(fmt, data, start + i * width)[0] if fmt else
                data[start + i * width:start + (i + 1) * width] for i in range(ns)]

    labels = [b.decode("latin-1").split("\0")[0].strip() for b in column(16, 0, None)]
    if v2:
        codes = column(2, 102, "<H")
        pmin, pmax = column(8, 104, "<d"), column(8, 112, "<d")
        dmin, dmax = column(8, 120, "<d"), column(8, 128, "<d")
        spr, types = column(4, 216, "<I"), column(4, 220, "<I")
        scales = []
        for c in codes:
            if c & 0xFFE0 == 4256:
                if c & 0x1F not in _GDF_PREFIX:
                    _refuse(f"unit code {c}: undefined decimal prefix")
                scales.append(_GDF_PREFIX[c & 0x1F])
            else:
                scales.append(1.0)
    else:
        units = [b.decode("latin-1").split("\0")[0].strip() for b in column(8, 96, None)]
        pmin, pmax = column(8, 104, "<d"), column(8, 112, "<d")
        dmin, dmax = column(8, 120, "<q"), column(8, 128, "<q")
        spr, types = column(4, 216, "<I"), column(4, 220, "<I")
        scales = [_EDF_UNITS.get(u, 1.0) for u in units]
    if any(t not in _GDF_TYPES for t in types) or len(set(types)) > 1:
        _refuse(f"data types {types}")
    if any(s < 1 for s in spr) or len(set(spr)) > 1:
        _refuse(f"samples per record {spr}: a reader would resample or fail")
    dtype = np.dtype(_GDF_TYPES[types[0]])
    record = sum(spr) * dtype.itemsize
    end = hb + nrec * record
    if len(data) < end:
        _refuse(f"file holds {len(data)} bytes; the data records need {end}")
    values = np.frombuffer(data, dtype, count=nrec * sum(spr), offset=hb)
    values = values.reshape(nrec, ns, spr[0]).transpose(1, 0, 2).reshape(ns, -1)
    out, steps = [], []
    for i in range(ns):
        lo, hi, dlo, dhi = pmin[i], pmax[i], dmin[i], dmax[i]
        if not all(map(math.isfinite, (lo, hi, dlo, dhi))) or hi == lo or dhi == dlo:
            _refuse(f"channel {i}: degenerate range {lo}..{hi} / {dlo}..{dhi}")
        cal = (hi - lo) / (dhi - dlo)
        offset = lo - dlo * cal
        scale = scales[i] if labels[i].lower() not in _STIM_NAMES else 1.0
        v = values[i].astype(np.float64) * cal
        v += offset
        v *= scale
        out.append(v)
        steps.append(abs(cal * scale) if dtype.kind in "iu" else 0.0)
    sfreq = spr[0] / duration
    annotations = []
    rest = data[end:]
    if rest:
        if len(rest) < 8:
            _refuse("truncated event table")
        mode = rest[0]
        if v2 and version >= 1.94:
            n_ev = int.from_bytes(rest[1:4], "little")
            ev_rate = struct.unpack_from("<f", rest, 4)[0]
        else:
            ev_rate = float(int.from_bytes(rest[1:4], "little"))
            n_ev = struct.unpack_from("<I", rest, 4)[0]
        if mode not in (1, 3):
            _refuse(f"event table mode {mode}")
        entry = 12 if mode == 3 else 6
        if len(rest) != 8 + n_ev * entry:
            _refuse(f"event table of {n_ev} events in {len(rest)} bytes")
        if not (math.isfinite(ev_rate) and ev_rate > 0):
            _refuse(f"event table rate {ev_rate}")
        pos = np.frombuffer(rest, "<u4", n_ev, 8).astype(np.int64)
        typ = np.frombuffer(rest, "<u2", n_ev, 8 + 4 * n_ev)
        dur = (np.frombuffer(rest, "<u4", n_ev, 8 + 8 * n_ev) if mode == 3
               else np.ones(n_ev, np.uint32))
        if (pos < 1).any():
            _refuse("event position 0 (positions are 1-based)")
        annotations = [((p - 1) / ev_rate, max(int(d), 1) / ev_rate, str(int(t)))
                       for p, t, d in zip(pos, typ, dur)]
    return {"names": labels, "sfreq": sfreq, "n_times": nrec * spr[0], "data": np.array(out),
            "steps": steps, "annotations": annotations}


def _label_table():
    from wfdb.io.annotation import ann_label_table

    return {int(c): s for c, s in zip(ann_label_table.label_store, ann_label_table.symbol)
            if s.strip()}


def _parse_atr(data, sig_len, fs):
    """An independent reading of a WFDB (MIT format) annotation file: [(sample, label)]."""
    from biosig.datasets import AAMI_EC57

    if len(data) % 2:
        _refuse("annotation file of an odd number of bytes")
    words = np.frombuffer(data, "<u2").tolist()
    anns, t, i = [], 0, 0
    while True:
        if i >= len(words):
            _refuse("annotation file without its end-of-file word (truncated)")
        a, n = words[i] >> 10, words[i] & 0x3FF
        if a == 0 and n == 0:
            if any(words[i + 1:]):
                _refuse(f"{2 * (len(words) - i - 1)} bytes after the end-of-file word")
            break
        if a == 59:
            if i + 2 >= len(words):
                _refuse("truncated SKIP")
            t += _skip_interval(words[i + 1], words[i + 2])
            i += 3
            continue
        if a in (60, 61, 62, 63) and not anns:
            _refuse(f"modifier code {a} before any annotation")
        if a == 63:
            nwords = (n + 1) // 2
            if i + 1 + nwords >= len(words):
                _refuse("AUX field runs past the end")
            if anns[-1][2] is not None:
                _refuse("two AUX fields for one annotation")
            anns[-1][2] = data[2 * (i + 1):2 * (i + 1) + n].decode("latin-1")
            i += 1 + nwords
            continue
        if a not in (60, 61, 62):
            t += n
            anns.append([t, a, None])
        i += 1
    table = _label_table()
    out = []
    for sample, code, aux in anns:
        aux = (aux or "").rstrip("\0")
        if code == 0:
            continue  # NOTQRS: not an annotation
        if code == 22 and sample == 0 and aux.startswith("## "):
            m = re.match(r"## time resolution: ([\d.]+)", aux)
            if m and float(m.group(1)) != fs:
                _refuse(f"annotation time resolution {m.group(1)} differs from the record's {fs}")
            if aux.startswith("## annotation type definitions"):
                _refuse("custom annotation codes")
            continue
        if code not in table:
            _refuse(f"annotation code {code} is not defined")
        # sample == sig_len: a closing mark after the last sample, which wfdb reads too
        if not 0 <= sample <= sig_len:
            _refuse(f"annotation at sample {sample} outside the record ({sig_len} samples)")
        sym = table[code]
        out.append((sample, sym + aux if aux and sym not in AAMI_EC57 else sym))
    return out


def _wfdb_reference(record):
    """Read a WFDB record from its mutated files (see the module docstring)."""
    import wfdb

    try:
        header = wfdb.rdheader(str(record))
    except Exception as err:
        _refuse(f"wfdb.rdheader: {type(err).__name__}: {err}")
    if isinstance(header, wfdb.MultiRecord) or not header.n_sig:
        _refuse("no signals, or a multi-segment record")
    if any(s not in (1, None) for s in header.samps_per_frame):
        _refuse(f"samples per frame {header.samps_per_frame}: a reader returns frame averages")
    if header.fs is None or not math.isfinite(header.fs) or header.fs <= 0:
        _refuse(f"sampling rate {header.fs}")
    folder = record.parent
    for file_name in dict.fromkeys(header.file_name):
        idx = [i for i, f in enumerate(header.file_name) if f == file_name]
        if any(header.fmt[i] not in _WFDB_BYTES for i in idx):
            _refuse(f"format {[header.fmt[i] for i in idx]}")
        per_frame = sum(_WFDB_BYTES[header.fmt[i]] for i in idx)
        offset = header.byte_offset[idx[0]] or 0
        path = folder / file_name
        if not path.is_file():
            _refuse(f"signal file {file_name} is missing")
        size = path.stat().st_size
        pad = 1 if header.fmt[idx[0]] in ("212", "310", "311") else 0
        if header.sig_len is not None:
            expected = offset + math.ceil(per_frame * header.sig_len)
            if not expected <= size <= expected + pad:
                _refuse(f"{file_name} holds {size} bytes; the header declares {expected}")
        elif (size - offset) % per_frame and (size - offset - pad) % per_frame:
            _refuse(f"{file_name} holds a partial frame")
    try:
        rec = wfdb.rdrecord(str(record), physical=False)
    except Exception as err:
        _refuse(f"wfdb.rdrecord: {type(err).__name__}: {err}")
    d = np.asarray(rec.d_signal, np.int64).reshape(rec.sig_len, rec.n_sig)
    for i in range(rec.n_sig):
        if header.checksum[i] is not None and (int(d[:, i].sum()) - header.checksum[i]) % 65536:
            _refuse(f"signal {i}: the samples do not match the header's checksum")
        if header.init_value[i] is not None and len(d) and d[0, i] != header.init_value[i]:
            _refuse(f"signal {i}: the first sample does not match the header's initial value")
    gains = np.array([g if g else 200.0 for g in rec.adc_gain], float)
    if not np.isfinite(gains).all():
        _refuse(f"gains {rec.adc_gain}")
    p = (d - np.asarray(rec.baseline, float)) / gains
    for i, f in enumerate(rec.fmt):
        p[d[:, i] == _WFDB_INVALID[f], i] = np.nan
    scale = np.array([_VOLTS.get((u or "").lower(), 1.0) for u in rec.units])
    atr = Path(f"{record}.atr")
    ann = _parse_atr(atr.read_bytes(), rec.sig_len, rec.fs)
    return {"names": list(rec.sig_name), "sfreq": float(rec.fs), "n_times": rec.sig_len,
            "data": (p * scale).T, "steps": list(np.abs(scale / gains)),
            "ann_samples": ann}


def _compare_recording(rec, ref):
    """Raise _Misread where a Recording differs from a reference reading."""
    names = rec.ch_names
    want = ref["names"]
    if len(names) != len(want):
        raise _Misread(f"channels {names} instead of {want}")
    counts = Counter(want)
    for got, w in zip(names, want):
        if (counts[w] == 1 and got != w) or not got.startswith(w):
            raise _Misread(f"channels {names} instead of {want}")
    if not math.isclose(rec.sfreq, ref["sfreq"], rel_tol=1e-9):
        raise _Misread(f"rate {rec.sfreq} Hz instead of {ref['sfreq']} Hz")
    if rec.n_samples != ref["n_times"]:
        raise _Misread(f"{rec.n_samples} samples instead of {ref['n_times']}")
    got, want_data = rec.signal, ref["data"]
    for i, step in enumerate(ref["steps"]):
        if not np.allclose(got[i], want_data[i], rtol=1e-9, atol=1e-3 * step, equal_nan=True):
            bad = int(np.flatnonzero(~np.isclose(got[i], want_data[i], rtol=1e-9,
                                                 atol=1e-3 * step, equal_nan=True))[0])
            raise _Misread(f"channel {names[i]} sample {bad}: {got[i][bad]!r} instead of "
                           f"{want_data[i][bad]!r}")
    if "ann_samples" in ref:
        got_ann = sorted(zip(rec.annotation_samples().tolist(),
                             [str(d) for d in rec.annotations.description]))
        want_ann = sorted(ref["ann_samples"])
        if got_ann != want_ann:
            raise _Misread(f"annotations differ: {_diff(got_ann, want_ann)}")
        return
    a = rec.annotations
    got_ann = sorted(zip(np.round(a.onset, 6).tolist(), np.round(a.duration, 6).tolist(),
                         [str(d) for d in a.description]))
    want_ann = sorted((round(o, 6), round(d, 6), t) for o, d, t in ref["annotations"])
    if len(got_ann) != len(want_ann) or any(
            g[2] != w[2] or abs(g[0] - w[0]) > 1e-5 or abs(g[1] - w[1]) > 1e-5
            for g, w in zip(got_ann, want_ann)):
        raise _Misread(f"annotations differ: {_diff(got_ann, want_ann)}")


def _diff(got, want):
    extra = [g for g in got if g not in want][:3]
    missing = [w for w in want if w not in got][:3]
    return f"{len(got)} instead of {len(want)}; extra {extra}, missing {missing}"


_CHB_NUMBER = r"(\d+(?:\.\d+)?)"
_CHB_LINES = [
    ("rate", re.compile(r"data\s+sampling\s+rate\s*:\s*" + _CHB_NUMBER + r"\s*hz", re.I)),
    ("channels", re.compile(r"channels\s+(in\s+edf\s+files|changed)\s*:", re.I)),
    ("channel", re.compile(r"channel\s+(\d+)\s*:\s*(\S*)", re.I)),
    ("file", re.compile(r"file\s+name\s*:\s*(\S+\.edf)", re.I)),
    ("clock", re.compile(r"file\s+(start|end)\s+time\s*:\s*(\d+):(\d+):(\d+)", re.I)),
    ("count", re.compile(r"number\s+of\s+seizures\s+in\s+file\s*:\s*(\d+)", re.I)),
    ("seizure", re.compile(r"seizure\s*(\d+)?\s+(start|end)\s+time\s*:\s*" + _CHB_NUMBER
                           + r"(\s*seconds)?", re.I)),
    ("rule", re.compile(r"\*+")),
]


def _chbmit_reference(path):
    """Parse a CHB-MIT summary by its line grammar.

    Returns ``(sfreq, [[name, channels, seizures, start, end], ...])``.
    """
    try:
        text = path.read_bytes().decode("ascii")
    except UnicodeDecodeError:
        _refuse("not ASCII text")
    sfreq, channels, files, names = None, [], [], set()
    in_block, current, pending, count = False, None, None, {}

    def close():
        if current is None:
            return
        if pending is not None:
            _refuse(f"{current[0]}: seizure without an end")
        if current[0] in count and count[current[0]] != len(current[2]):
            _refuse(f"{current[0]}: count {count[current[0]]} but {len(current[2])} seizures")

    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        kind = m = None
        for kind, pattern in _CHB_LINES:
            m = pattern.fullmatch(line)
            if m:
                break
        if m is None:
            _refuse(f"line {lineno} {line!r} is not a summary line")
        if kind == "rule":
            continue
        if kind == "channel":
            if not in_block or int(m.group(1)) != len(channels) + 1:
                _refuse(f"line {lineno}: channel line out of place or out of order")
            channels.append(m.group(2))
            continue
        in_block = False
        if kind == "rate":
            value = float(m.group(1))
            if sfreq is not None and value != sfreq:
                _refuse(f"line {lineno}: a second sampling rate")
            sfreq = value
        elif kind == "channels":
            in_block, channels = True, []
        elif kind == "file":
            close()
            name = m.group(1)
            if name in names:
                _refuse(f"line {lineno}: {name} listed twice")
            names.add(name)
            current = [name, list(channels), [], None, None]
            pending = None
            files.append(current)
        elif current is None:
            _refuse(f"line {lineno}: {kind} line before any file")
        elif kind == "clock":
            slot = 3 if m.group(1).lower() == "start" else 4
            if current[slot] is not None:
                _refuse(f"line {lineno}: a second clock time")
            current[slot] = ":".join(g.zfill(2) for g in m.groups()[1:])
        elif kind == "count":
            if current[0] in count:
                _refuse(f"line {lineno}: a second seizure count")
            count[current[0]] = int(m.group(1))
        else:  # seizure
            number, which, value = m.group(1), m.group(2).lower(), float(m.group(3))
            expected = len(current[2]) + 1
            if number is not None and int(number) != expected:
                _refuse(f"line {lineno}: seizure {number} where {expected} is due")
            if which == "start":
                if pending is not None:
                    _refuse(f"line {lineno}: a start without the previous end")
                pending = value
            else:
                if pending is None or value <= pending:
                    _refuse(f"line {lineno}: an end without a start, or before it")
                current[2].append((pending, value))
                pending = None
    close()
    return sfreq, files


def _compare_chbmit(result, ref):
    sfreq, files = result
    want_sfreq, want = ref
    if sfreq != want_sfreq:
        raise _Misread(f"sampling rate {sfreq} instead of {want_sfreq}")
    got = [[f.name, list(f.channels), [tuple(s) for s in f.seizures], f.start, f.end]
           for f in files]
    if got != want:
        for g, w in zip(got + [None] * len(want), want + [None] * len(got)):
            if g != w:
                raise _Misread(f"{len(got)} files instead of {len(want)}; first difference: "
                               f"{g} instead of {w}")


class _ArraysOnly(pickle.Unpickler):
    """A standard unpickler that builds NumPy arrays and nothing else."""

    def find_class(self, module, name):
        if name in ("_reconstruct", "scalar", "ndarray", "dtype", "encode") and module in (
                "numpy.core.multiarray", "numpy._core.multiarray", "numpy", "_codecs"):
            return super().find_class(module, name)
        _refuse(f"pickle refers to {module}.{name}")


def _deap_reference(path, shape):
    data = path.read_bytes()
    try:
        last = None
        for op, _, pos in pickletools.genops(data):
            last = (op.name, pos)
    except Exception as err:
        _refuse(f"not a pickle: {err}")
    if last is None or last[0] != "STOP" or last[1] != len(data) - 1:
        _refuse("bytes after the pickle's STOP, or no STOP")
    try:
        content = _ArraysOnly(io.BytesIO(data), encoding="latin1").load()
    except _Refusal:
        raise
    except Exception as err:
        _refuse(f"unpickling: {type(err).__name__}: {err}")
    if not isinstance(content, dict) or not {"data", "labels"} <= set(content):
        _refuse("not a dict with data and labels")
    x, labels = content["data"], content["labels"]
    if not isinstance(x, np.ndarray) or x.shape != shape or x.dtype.kind != "f":
        _refuse(f"data {getattr(x, 'shape', type(x))} {getattr(x, 'dtype', '')}")
    if not isinstance(labels, np.ndarray) or labels.shape != (shape[0], 4):
        _refuse(f"labels {getattr(labels, 'shape', type(labels))}")
    if labels.dtype.kind not in "fiu" or not np.isfinite(labels).all() or (
            labels < 1).any() or (labels > 9).any():
        _refuse("ratings outside 1-9 or not finite")
    return x, labels


def _same_array(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def _bonn_reference(path):
    try:
        text = path.read_bytes().decode("ascii")
    except UnicodeDecodeError:
        _refuse("not ASCII text")
    values = []
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r").strip(" \t")
        if not line:
            continue
        if not _REAL.fullmatch(line):
            _refuse(f"line {lineno} {line!r} is not one number")
        values.append(float(line))
    if len(values) != 4097:
        _refuse(f"{len(values)} samples")
    return np.array(values)


def _store_reference(path):
    import pandas as pd

    try:
        manifest = json.loads((path / "manifest.json").read_bytes().decode("utf-8"))
    except (OSError, ValueError) as err:
        _refuse(f"manifest: {err}")
    if not isinstance(manifest, dict):
        _refuse("manifest is not an object")

    def integral(v):
        return (isinstance(v, int) and not isinstance(v, bool)) or (
            isinstance(v, float) and v.is_integer())

    n, shape = manifest.get("n_windows"), manifest.get("window_shape")
    sfreq, ch_names = manifest.get("sfreq"), manifest.get("ch_names")
    if not integral(n) or n < 0:
        _refuse(f"n_windows {n!r}")
    if not isinstance(shape, list) or len(shape) != 2 or not all(integral(s) and s >= 0
                                                                 for s in shape):
        _refuse(f"window_shape {shape!r}")
    if isinstance(sfreq, bool) or not isinstance(sfreq, (int, float)) or not (
            math.isfinite(sfreq) and sfreq > 0):
        _refuse(f"sfreq {sfreq!r}")
    # no names at all is a store of unnamed channels, as Windows allows
    if not isinstance(ch_names, list) or not all(isinstance(c, str) and c for c in ch_names) or (
            ch_names and len(ch_names) != shape[0]):
        _refuse(f"ch_names {ch_names!r}")
    sums, sizes = manifest.get("sha256"), manifest.get("size")
    if not isinstance(sums, dict) or not isinstance(sizes, dict):
        _refuse("sha256/size are not objects")
    import hashlib

    for name in _STORE_FILES:
        file = path / name
        if not file.is_file():
            _refuse(f"{name} is missing")
        content = file.read_bytes()
        if name in sums and hashlib.sha256(content).hexdigest() != sums[name]:
            _refuse(f"{name} does not match its checksum")
        if name in sizes and len(content) != sizes[name]:
            _refuse(f"{name} is not of its size")
    try:
        X = np.load(path / "X.npy", allow_pickle=False)
        y = np.load(path / "y.npy", allow_pickle=False)
        groups = np.load(path / "groups.npy", allow_pickle=False)
        meta = pd.read_csv(path / "meta.csv", dtype={"record": str, "subject": str})
    except Exception as err:
        _refuse(f"arrays: {type(err).__name__}: {err}")
    if X.dtype != np.float32 or X.shape != (int(n), *map(int, shape)):
        _refuse(f"X {X.dtype} {X.shape}")
    if y.ndim != 1 or groups.ndim != 1 or len(y) != n or len(groups) != n or len(meta) != n:
        _refuse("y, groups or meta not of one entry per window")
    if not {"record", "subject", "onset"} <= set(meta.columns):
        _refuse("meta without record, subject and onset")
    return {"X": X, "y": y.astype(str).tolist(), "groups": groups.astype(str).tolist(),
            "meta": meta, "sfreq": sfreq, "ch_names": ch_names}


def _compare_store(win, ref):
    if not _same_array(np.asarray(win.X), ref["X"]):
        raise _Misread(f"X {np.asarray(win.X).shape} differs from the stored windows")
    if [str(v) for v in win.y] != ref["y"] or [str(v) for v in win.groups] != ref["groups"]:
        raise _Misread("y or groups differ")
    if not win.meta.equals(ref["meta"]):
        raise _Misread("meta differs")
    if win.sfreq != ref["sfreq"] or not isinstance(win.sfreq, (int, float)):
        raise _Misread(f"sfreq {win.sfreq!r} instead of {ref['sfreq']!r}")
    if list(win.ch_names) != ref["ch_names"]:
        raise _Misread(f"channels {win.ch_names!r} instead of {ref['ch_names']!r}")


# ---------------------------------------------------------------------------
# Readers under test, and how each format is checked
# ---------------------------------------------------------------------------

def _names(seed, folder, target):
    """What a clear message may name: the file, or the record or store folder."""
    if seed.fmt.startswith("wfdb"):
        return [str(folder / seed.meta["record"])] + list(seed.files)
    if seed.fmt == "store":
        return [str(folder / "store")]
    return [str(folder / target), Path(target).name]


def _read(seed, folder, target):
    """Call the public reader on a case's files."""
    fmt = seed.fmt
    path = folder / target
    if fmt.startswith("wfdb"):
        from biosig.datasets import read_wfdb

        return read_wfdb(folder / seed.meta["record"], "atr")
    if fmt in ("edf", "bdf", "gdf"):
        from biosig.datasets import read_raw

        return read_raw(path)
    if fmt == "chbmit":
        from biosig.datasets import read_chbmit_summary

        return read_chbmit_summary(path)
    if fmt == "deap":
        from biosig.datasets import DEAP

        deap = DEAP(data_dir=folder, progress=False)
        deap.SHAPE = seed.meta["shape"]  # the layout check reads it (see the docstring)
        return deap.read_dat(path)
    if fmt == "bonn":
        from biosig.datasets import BonnEpilepsy

        return BonnEpilepsy(data_dir=folder, progress=False).read_segment(path, seed.meta["set"])
    from biosig.windows import read_windows

    return read_windows(folder / "store")


def _check(seed, folder, target, result):
    """Compare a successful read with the reference; raise _Misread or _Refusal."""
    fmt = seed.fmt
    if fmt.startswith("wfdb"):
        _compare_recording(result, _wfdb_reference(folder / seed.meta["record"]))
    elif fmt in ("edf", "bdf"):
        _compare_recording(result, _edf_reference(folder / target))
    elif fmt == "gdf":
        _compare_recording(result, _gdf_reference(folder / target))
    elif fmt == "chbmit":
        _compare_chbmit(result, _chbmit_reference(folder / target))
    elif fmt == "deap":
        x, labels = _deap_reference(folder / target, seed.meta["shape"])
        if not (_same_array(result[0], x) and _same_array(result[1], labels)):
            raise _Misread("data or labels differ from the pickle's arrays")
    elif fmt == "bonn":
        values = _bonn_reference(folder / target)
        rec = result
        if rec.ch_names != [seed.meta["set"]] or rec.sfreq != 173.61:
            raise _Misread(f"channels {rec.ch_names} at {rec.sfreq} Hz")
        if not _same_array(rec.signal[0], values * 1e-6):
            raise _Misread(f"{rec.n_samples} samples differ from the file's numbers")
    else:
        _compare_store(result, _store_reference(folder / "store"))


def _names_file(message, names):
    """Does the message name the file and say something beyond the name?"""
    if not any(n and n in message for n in names):
        return False
    rest = message
    for n in sorted(names, key=len, reverse=True):
        rest = rest.replace(n, "")
    return len(re.findall(r"[A-Za-z]", rest)) >= 6


def run_case(seeds, fmt, seed_value, case_id, folder, verbose=False):
    """Run one case in this process and classify it.

    Parameters
    ----------
    seeds : list of Seed
    fmt : str
    seed_value, case_id : int
        See :func:`make_case`.
    folder : Path
        An empty folder for the case's files.
    verbose : bool
        Print the mutation, the reader's traceback and the reference's verdict.

    Returns
    -------
    result : dict
        ``cls`` (one of CLASSES), ``type``, ``message``, ``mutation``,
        ``warnings``, ``cause``.
    """
    seed, files, target, mutation = make_case(seeds, fmt, seed_value, case_id)
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    out = {"mutation": mutation, "type": "", "message": "", "warnings": [], "cause": ""}
    if verbose:
        print(f"case {fmt}:{case_id}: {mutation}", flush=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = _read(seed, folder, target)
        except MemoryError as err:
            out.update(cls="oom", type=type(err).__name__, message=str(err)[:300])
            return out
        except Exception as err:
            message = str(err)
            clear = _names_file(message, _names(seed, folder, target))
            cause = err.__cause__ or err.__context__
            out.update(cls="clear" if clear else "low-level", type=type(err).__name__,
                       message=message.replace(str(folder) + "/", "")[:300],
                       cause=type(cause).__name__ if cause is not None else "")
            if verbose:
                traceback.print_exc()
            return out
        finally:
            out["warnings"] = sorted({str(w.message)[:120] for w in caught})[:3]
    try:
        _check(seed, folder, target, result)
    except _Refusal as err:
        out.update(cls="misread", type="reference refuses",
                   message=f"read succeeded; the reference refuses the bytes: {err}"[:300])
    except _Misread as err:
        out.update(cls="misread", type="differs", message=str(err)[:300])
    except Exception as err:
        out.update(cls="harness", type=type(err).__name__, message=str(err)[:300])
        if verbose:
            traceback.print_exc()
    else:
        out["cls"] = "faithful"
    if verbose:
        print(f"the reader returned {type(result).__name__}: {_summary(result)}")
    return out


def _summary(result):
    if isinstance(result, tuple):
        return ", ".join(_summary(r) for r in result)
    if isinstance(result, np.ndarray):
        return f"array {result.dtype} {result.shape}"
    if isinstance(result, list):
        return f"list of {len(result)}"
    return repr(result)[:300]


# ---------------------------------------------------------------------------
# Forked workers
# ---------------------------------------------------------------------------

def _address_limit(cap):
    """The address-space cap of a worker: ``cap``, or what the parent maps plus 1 GiB if more."""
    try:
        with open("/proc/self/status") as fid:
            vm = next(int(line.split()[1]) * 1024 for line in fid if line.startswith("VmSize"))
    except (OSError, StopIteration):
        vm = 0
    return max(cap, vm + (1 << 30))


def _limit_memory(limit):
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    limit = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _write_all(fd, payload):
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd, n):
    chunks = b""
    while len(chunks) < n:
        chunk = os.read(fd, n - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return chunks


class _Worker:
    """A forked process that runs cases sent to it, one at a time."""

    def __init__(self, tasks, seeds, seed_value, root, mem_limit, others):
        self.task_r, self.task_w = os.pipe()
        self.res_r, self.res_w = os.pipe()
        self.folder = Path(tempfile.mkdtemp(prefix="w", dir=root))
        self.pid = os.fork()
        if self.pid == 0:  # the worker
            code = 1
            try:
                for w in others:
                    for fd in (w.task_w, w.res_r):
                        os.close(fd)
                os.close(self.task_w)
                os.close(self.res_r)
                self._serve(tasks, seeds, seed_value, mem_limit)
                code = 0
            finally:
                os._exit(code)
        os.close(self.task_r)
        os.close(self.res_w)
        self.buffer, self.task, self.deadline, self.done = b"", None, None, 0

    def _serve(self, tasks, seeds, seed_value, mem_limit):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        faulthandler.disable()  # a crash is reported by the parent, not dumped on its terminal
        _limit_memory(mem_limit)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        while True:
            head = _read_exact(self.task_r, 8)
            if head is None:
                return
            index = int.from_bytes(head, "little", signed=True)
            if index < 0:
                return
            fmt, case_id = tasks[index]
            case = self.folder / "case"
            shutil.rmtree(case, ignore_errors=True)
            case.mkdir()
            try:
                result = run_case(seeds[fmt], fmt, seed_value, case_id, case)
            except MemoryError:
                result = {"cls": "oom", "type": "MemoryError", "message": "in the harness",
                          "mutation": "", "warnings": [], "cause": ""}
            except Exception as err:
                result = {"cls": "harness", "type": type(err).__name__, "message": str(err)[:300],
                          "mutation": "", "warnings": [], "cause": ""}
            shutil.rmtree(case, ignore_errors=True)
            payload = pickle.dumps(result)
            _write_all(self.res_w, len(payload).to_bytes(8, "little") + payload)

    def send(self, index, timeout):
        self.task = index
        self.deadline = time.monotonic() + timeout
        _write_all(self.task_w, int(index).to_bytes(8, "little", signed=True))

    def close(self, kill=False):
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        else:
            with contextlib.suppress(OSError):
                _write_all(self.task_w, (-1).to_bytes(8, "little", signed=True))
        for fd in (self.task_w, self.res_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        _, status = os.waitpid(self.pid, 0)
        shutil.rmtree(self.folder, ignore_errors=True)
        return status


def _death(status):
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"killed by {signal.Signals(sig).name}"
    return f"exited with status {os.WEXITSTATUS(status)}"


def run_tasks(tasks, seeds, seed_value, *, jobs=2, timeout=30.0, memory_limit=2 << 30,
              recycle=400):
    """Run cases in forked workers; yield ``(index, result)`` as they finish.

    Parameters
    ----------
    tasks : list of (str, int)
        (format, case id) pairs.
    seeds : dict of str to list of Seed
    seed_value : int
    jobs : int
        Workers running at once.
    timeout : float
        Seconds a case may take before its worker is killed.
    memory_limit : int
        Address-space cap of each worker, in bytes (see :func:`_address_limit`).
    recycle : int
        Cases after which a worker is replaced by a fresh fork.
    """
    root = _tmp_root()
    limit = _address_limit(memory_limit)
    sys.stdout.flush()
    sys.stderr.flush()
    pending = list(range(len(tasks)))[::-1]
    workers, sel = [], selectors.DefaultSelector()

    def spawn():
        w = _Worker(tasks, seeds, seed_value, root, limit, workers)
        workers.append(w)
        sel.register(w.res_r, selectors.EVENT_READ, w)
        return w

    def retire(w, kill=False):
        sel.unregister(w.res_r)
        workers.remove(w)
        return w.close(kill)

    def feed(w):
        if pending:
            w.send(pending.pop(), timeout)
        else:
            retire(w)

    try:
        for _ in range(max(1, min(jobs, len(tasks)))):
            feed(spawn())
        while workers:
            now = time.monotonic()
            wait = max(0.0, min(w.deadline for w in workers) - now)
            events = sel.select(timeout=wait)
            for key, _ in events:
                w = key.data
                chunk = os.read(w.res_r, 1 << 16)
                if not chunk:  # the worker died during its case
                    index = w.task
                    status = retire(w, kill=True)
                    yield index, {"cls": "crash", "type": "worker died",
                                  "message": _death(status), "mutation": "", "warnings": [],
                                  "cause": ""}
                    if pending:
                        feed(spawn())
                    continue
                w.buffer += chunk
                while len(w.buffer) >= 8:
                    size = int.from_bytes(w.buffer[:8], "little")
                    if len(w.buffer) < 8 + size:
                        break
                    result = pickle.loads(w.buffer[8:8 + size])
                    w.buffer = w.buffer[8 + size:]
                    index, w.done = w.task, w.done + 1
                    yield index, result
                    if w.done >= recycle and pending:
                        retire(w)
                        feed(spawn())
                    else:
                        feed(w)
            now = time.monotonic()
            for w in [w for w in workers if w.deadline <= now and w.task is not None]:
                index = w.task
                retire(w, kill=True)
                yield index, {"cls": "timeout", "type": "timeout",
                              "message": f"no result after {timeout:g} s", "mutation": "",
                              "warnings": [], "cause": ""}
                if pending:
                    feed(spawn())
    finally:
        for w in list(workers):
            retire(w, kill=True)
        sel.close()
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------------------
# Running, reporting
# ---------------------------------------------------------------------------

def _signature(result):
    """What kind of outcome a result is, with numbers and names left out."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", result["message"])
    message = re.sub(r"[-+]?\d[\d.e+-]*", "N", message)
    return f"{result['type']}: {message[:110]}"


def fuzz(seeds, formats, *, cases=5000, seed_value=0, jobs=2, timeout=30.0,
         memory_limit=2 << 30, progress=None):
    """Run the seed check and ``cases`` mutated cases of each format.

    Parameters
    ----------
    seeds : dict of str to list of Seed
        From :func:`build_seeds`.
    formats : sequence of str
    cases : int
        Cases per format.
    seed_value : int
    jobs, timeout, memory_limit
        See :func:`run_tasks`.
    progress : callable | None
        Called with a line of text after each format's cases are done.

    Returns
    -------
    report : dict
        ``counts`` (format -> class -> count), ``examples`` (format -> class
        -> signature -> [count, case ids, first result]), ``seeds`` (format ->
        [(seed name, class, message)]), ``seconds`` (format -> wall time).
    """
    tasks = [(f, -(k + 1)) for f in formats for k in range(len(seeds[f]))]
    tasks += [(f, i) for f in formats for i in range(cases)]
    counts = {f: Counter() for f in formats}
    examples = {f: defaultdict(dict) for f in formats}
    seed_results = {f: [] for f in formats}
    remaining = Counter(f for f, _ in tasks)
    started, seconds = time.monotonic(), {}
    for index, result in run_tasks(tasks, seeds, seed_value, jobs=jobs, timeout=timeout,
                                   memory_limit=memory_limit):
        fmt, case_id = tasks[index]
        remaining[fmt] -= 1
        if not result["mutation"]:  # the worker died: say what the case was
            result["mutation"] = make_case(seeds[fmt], fmt, seed_value, case_id)[3]
        if case_id < 0:
            seed_results[fmt].append((seeds[fmt][-case_id - 1].name, result["cls"],
                                      result["message"]))
        else:
            counts[fmt][result["cls"]] += 1
            if result["cls"] not in GOOD or result["cause"] in _LOW_LEVEL_CAUSES:
                cls = result["cls"] if result["cls"] not in GOOD else "clear (wraps low-level)"
                entry = examples[fmt][cls].setdefault(_signature(result), [0, [], result])
                entry[0] += 1
                if len(entry[1]) < 3:
                    entry[1].append(case_id)
        if remaining[fmt] == 0:
            seconds[fmt] = time.monotonic() - started
            if progress is not None:
                c = counts[fmt]
                progress(f"{fmt}: {sum(c.values())} cases, " + ", ".join(
                    f"{k} {c[k]}" for k in CLASSES if c[k]))
    return {"counts": {f: dict(counts[f]) for f in formats}, "examples": examples,
            "seeds": seed_results, "seconds": seconds}


# Exceptions that a clear message may wrap but that still hint at a missing check.
_LOW_LEVEL_CAUSES = ("IndexError", "KeyError", "error", "TypeError", "AttributeError",
                     "ZeroDivisionError", "OverflowError", "AssertionError", "UnboundLocalError",
                     "RecursionError")


def format_report(report, formats, *, examples=3):
    """The counts table, seed check and example outcomes, as text."""
    lines = []
    head = f"{'format':<10}" + "".join(f"{c:>10}" for c in ("cases",) + CLASSES)
    lines += [head, "-" * len(head)]
    total = Counter()
    for f in formats:
        c = report["counts"][f]
        total.update(c)
        lines.append(f"{f:<10}{sum(c.values()):>10}" + "".join(f"{c.get(k, 0):>10}"
                                                              for k in CLASSES))
    lines.append(f"{'all':<10}{sum(total.values()):>10}" + "".join(f"{total.get(k, 0):>10}"
                                                                  for k in CLASSES))
    bad_seeds = [(f, s) for f in formats for s in report["seeds"][f] if s[1] != "faithful"]
    n_seeds = sum(len(report["seeds"][f]) for f in formats)
    lines.append("")
    if bad_seeds:
        lines.append(f"seed check: {len(bad_seeds)} of {n_seeds} unmutated seeds not read "
                     "faithfully:")
        lines += [f"  {f}: {name}: {cls}: {msg}" for f, (name, cls, msg) in bad_seeds]
    else:
        lines.append(f"seed check: all {n_seeds} unmutated seeds read faithfully")
    clean = [f for f in formats if not any(report["counts"][f].get(k) for k in CLASSES
                                           if k not in GOOD)]
    lines.append(f"formats meeting the goal (only clear errors and faithful reads): "
                 f"{', '.join(clean) or 'none'}")
    if examples:
        for f in formats:
            for cls, sigs in report["examples"][f].items():
                lines.append(f"\n{f} / {cls}: {sum(v[0] for v in sigs.values())} cases")
                ranked = sorted(sigs.items(), key=lambda kv: -kv[1][0])
                for sig, (n, ids, first) in ranked[:examples + 2]:
                    ids = " ".join(f"{f}:{i}" for i in ids)
                    lines.append(f"  {n:>5} x {first['type']}: {first['message'][:160]}")
                    lines.append(f"          cases {ids}; e.g. {first['mutation'][:120]}")
                    if first["warnings"]:
                        lines.append(f"          warned: {'; '.join(first['warnings'])[:160]}")
                if len(ranked) > examples + 2:
                    rest = sum(v[0] for _, v in ranked[examples + 2:])
                    lines.append(f"  ... {len(ranked) - examples - 2} more kinds ({rest} cases)")
    return "\n".join(lines)


def _parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=5000, help="cases per format")
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--seed", type=int, default=0, help="seed of the mutations")
    parser.add_argument("--data-dir", default=os.environ.get("BIOSIG_DATA"),
                        help="the real-data folder (default: BIOSIG_DATA)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--json", type=Path, help="write the counts and examples here")
    parser.add_argument("--case", help="rerun one case, FORMAT:ID, and print its traceback")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per case")
    parser.add_argument("--memory-limit", type=float, default=2.0,
                        help="address space of a worker, GiB")
    parser.add_argument("--examples", type=int, default=3,
                        help="kinds of outcome listed per format and class (0: none)")
    args = parser.parse_args(argv)
    if not args.data_dir or not Path(args.data_dir).is_dir():
        parser.error("give the real-data folder with --data-dir or BIOSIG_DATA")
    return args


def _rerun(args, seeds):
    fmt, _, case_id = args.case.partition(":")
    if fmt not in FORMATS or not case_id.lstrip("-").isdigit():
        raise SystemExit(f"--case takes FORMAT:ID with FORMAT one of {', '.join(FORMATS)}")
    folder = _tmp_root()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            _limit_memory(_address_limit(int(args.memory_limit * 2 ** 30)))
            faulthandler.enable()  # a crash prints the Python stack
            signal.alarm(int(math.ceil(args.timeout)))
            result = run_case(seeds[fmt], fmt, args.seed, int(case_id), folder, verbose=True)
            print(f"class: {result['cls']}" + (f" ({result['type']}: {result['message']})"
                                               if result["cls"] != "faithful" else ""))
            if result["warnings"]:
                print(f"warnings: {result['warnings']}")
            code = 0
        finally:
            sys.stdout.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if status:
        alarm = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM
        print(f"class: {'timeout' if alarm else 'crash'} ({_death(status)})")
    print(f"the case's files are kept in {folder}")


def main(argv=None):
    """Build the seeds, run the cases, print the table; return the report."""
    args = _parse_args(argv)
    started = time.monotonic()
    formats = list(dict.fromkeys(args.formats))
    if args.case:
        formats = [args.case.partition(":")[0]]
    seeds = build_seeds(args.data_dir, formats)
    if args.case:
        _rerun(args, seeds)
        return None
    n_seeds = sum(len(seeds[f]) for f in formats)
    print(f"fuzzing {', '.join(formats)}: {args.cases} cases each, {n_seeds} seeds, seed "
          f"{args.seed}, {args.jobs} worker(s), {args.timeout:g} s and "
          f"{args.memory_limit:g} GiB per case", flush=True)
    report = fuzz(seeds, formats, cases=args.cases, seed_value=args.seed, jobs=args.jobs,
                  timeout=args.timeout, memory_limit=int(args.memory_limit * 2 ** 30),
                  progress=lambda line: print(line, flush=True))
    elapsed = time.monotonic() - started
    print()
    print(format_report(report, formats, examples=args.examples))
    n = sum(sum(c.values()) for c in report["counts"].values())
    print(f"\n{n} cases in {elapsed:.1f} s ({1000 * elapsed / max(n, 1):.1f} ms a case "
          f"with {args.jobs} worker(s))")
    if args.json:
        args.json.write_text(json.dumps({
            "seed": args.seed, "cases": args.cases, "seconds": round(elapsed, 1),
            "counts": report["counts"], "seeds": report["seeds"],
            "examples": {f: {cls: [{"count": n, "cases": ids, "type": r["type"],
                                    "message": r["message"], "mutation": r["mutation"]}
                                   for n, ids, r in sigs.values()]
                             for cls, sigs in report["examples"][f].items()}
                         for f in formats},
        }, indent=1))
    return report


if __name__ == "__main__":
    main()
