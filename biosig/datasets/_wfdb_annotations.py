"""Read a WFDB annotation file (MIT format), checked word by word, in one pass.

An MIT annotation file is a stream of little-endian 16-bit words: a 6-bit
code and a 10-bit value (WFDB's annotation(5)). Codes 1-49 are annotations
whose value is the time since the previous one; SKIP (59) adds the signed
32-bit interval held in the next two words; NUM, SUB and CHN (60-62) modify
the annotation before them; AUX (63) gives it a note of ``value`` bytes
padded to whole words; a zero word ends the file. :func:`wfdb.rdann` decodes
the same stream annotation by annotation in Python objects, about 20x slower
on MIT-BIH. Files that define their own time resolution or label codes (NOTE
annotations at sample 0) are left to it.
"""

from pathlib import Path

import numpy as np
import wfdb
from wfdb.io.annotation import ann_label_table

__all__ = []

_EOF, _NOTE, _SKIP, _AUX = 0, 22, 59, 63
_MODIFIERS = frozenset({60, 61, 62, 63})  # NUM, SUB, CHN, AUX
#: WFDB's standard label of each code; codes it leaves undefined are absent.
_SYMBOLS = {int(c): s for c, s in zip(ann_label_table.label_store, ann_label_table.symbol)}


def _decode_words(ann_path, data):
    """Walk the words of an annotation file; return its (sample, code, aux) lists.

    Raises ValueError on a file cut short, with bytes after its end mark, a
    modifier before any annotation, or two notes for one annotation (which
    wfdb reads as if the file were whole, or misaligns).
    """
    if len(data) % 2:
        raise ValueError(f"{ann_path}: {len(data)} bytes, not whole 16-bit annotation words "
                         "(a truncated file?)")
    words = np.frombuffer(data, "<u2")
    codes, values = (words >> 10).tolist(), (words & 0x3FF).tolist()
    samples, labels, notes = [], [], []
    time, i, n = 0, 0, len(words)
    while i < n:
        code, value = codes[i], values[i]
        if code == _EOF and value == 0:
            if i != n - 1:
                raise ValueError(f"{ann_path}: {2 * (n - 1 - i)} bytes follow the end-of-file "
                                 "mark")
            return samples, labels, notes
        if code == _SKIP:  # the interval: high word first, then low (PDP-11 order)
            if i + 2 >= n:
                break
            interval = (int(words[i + 1]) << 16) | int(words[i + 2])
            time += interval - (1 << 32) if interval >= 1 << 31 else interval
            i += 3
        elif code in _MODIFIERS:
            if not labels:
                raise ValueError(f"{ann_path}: modifier code {code} before any annotation")
            if code == _AUX:
                if value > 255:  # one byte holds a note's length (WFDB's writers, wfdb.rdann)
                    raise ValueError(f"{ann_path}: a note (AUX) of {value} bytes at word {i}; "
                                     "notes hold at most 255")
                end = i + 1 + (value + 1) // 2
                if end >= n:
                    break
                if notes[-1] is not None:
                    raise ValueError(f"{ann_path}: two notes (AUX) for the annotation at "
                                     f"sample {samples[-1]}")
                notes[-1] = data[2 * (i + 1):2 * (i + 1) + value].decode("latin-1")
                i = end
            else:
                i += 1
        else:
            time += value
            samples.append(time)
            labels.append(code)
            notes.append(None)
            i += 1
    raise ValueError(f"{ann_path}: no end-of-file mark: the annotation file is truncated")


def read_mit_annotations(record_path, extension, fs):
    """Read one annotation file of a record.

    Parameters
    ----------
    record_path : Path
        The record's path without extension.
    extension : str
        The annotator, e.g. ``"atr"``.
    fs : float
        The record's frame rate, which the annotation times count in unless the
        file defines its own resolution.

    Returns
    -------
    sample : ndarray of int64
        Each annotation's time in samples at ``fs_``.
    symbol : list of str
        Each annotation's label (WFDB's standard table, or the file's own).
    aux : list of str
        Each annotation's note, ``""`` where it has none.
    fs_ : float
        The rate the samples count in.

    Raises
    ------
    ValueError
        Naming the file, when it is damaged (see :func:`_decode_words`), holds
        codes with no label, or defines what ``wfdb.rdann`` cannot read.
    """
    ann_path = Path(f"{record_path}.{extension}")
    samples, codes, notes = _decode_words(ann_path, ann_path.read_bytes())
    if any(c == _NOTE and s == 0 for c, s in zip(codes, samples)):  # the file's definitions
        try:
            ann = wfdb.rdann(str(record_path), extension)
        except Exception as err:
            raise ValueError(f"{ann_path}: unreadable WFDB annotation file: {err}") from err
        return (np.asarray(ann.sample, dtype=np.int64), list(ann.symbol),
                list(ann.aux_note or [""] * len(ann.sample)), ann.fs)
    keep = [k for k, c in enumerate(codes) if c]  # code 0 (NOTQRS) only moves the time
    undefined = sorted({codes[k] for k in keep if codes[k] not in _SYMBOLS})
    if undefined:
        raise ValueError(f"{ann_path}: annotation codes {undefined} with no label (neither "
                         "standard nor defined in the file)")
    return (np.array([samples[k] for k in keep], dtype=np.int64),
            [_SYMBOLS[codes[k]] for k in keep], [notes[k] or "" for k in keep], fs)
