"""Check the annotation signal of an EDF+/BDF+ file against the EDF+ specification.

MNE parses time-stamped annotation lists (TALs) leniently: an onset without
its sign, a broken separator or stray bytes after the last TAL are skipped or
read as something else, and a record whose time-keeping TAL breaks the
continuity of an ``EDF+C`` file goes unnoticed. Each rule here is one sentence
of the EDF+ specification (Kemp & Olivan 2003, section 2.2).
"""

import re

import numpy as np

__all__ = []

# Onset: a sign, then a number; duration: a number without sign (EDF+ 2.2.4).
_TAL = re.compile(rb"([+-](?:\d+(?:\.\d*)?|\.\d+))(?:\x15(\d+(?:\.\d*)?|\.\d+))?\x14")


def _tals(chunk, path, record):
    """Yield (onset, duration, texts) of one record's annotation bytes; check the padding."""
    position, end = 0, len(chunk)
    while position < end and chunk[position] != 0:
        match = _TAL.match(chunk, position)
        if match is None:
            raise ValueError(f"{path}: data record {record}: malformed annotation list at "
                             f"byte {position} of the annotation signal "
                             f"({chunk[position:position + 12]!r})")
        close = chunk.find(b"\x14\x00", match.end() - 1)
        if close < 0:
            raise ValueError(f"{path}: data record {record}: an annotation list has no end "
                             "(\\x14\\x00)")
        if close < match.end():  # "+onset\x14\x00": a TAL needs one annotation at least
            raise ValueError(f"{path}: data record {record}: an annotation list at byte "
                             f"{position} holds no annotation")
        texts = chunk[match.end():close].split(b"\x14")
        if any(any(b < 32 for b in t) for t in texts):  # MNE drops or cuts such texts
            raise ValueError(f"{path}: data record {record}: an annotation holds a control "
                             "character")
        yield float(match.group(1)), match.group(2), texts
        position = close + 2
    if chunk[position:].strip(b"\x00"):
        raise ValueError(f"{path}: data record {record}: bytes after the last annotation list "
                         "of the annotation signal (it must be padded with zeros)")


def check_annotation_signal(path, header, memmap):
    """Check every data record's annotation signal of an EDF+/BDF+ file.

    Parameters
    ----------
    path : Path
    header : dict
        From ``edf_header``: ``labels``, ``samples``, ``record_s``,
        ``n_records``, ``continuous``, ``duration_s``.
    memmap : ndarray of uint8, shape (n_records, record_bytes)
        The data records.

    Raises
    ------
    ValueError
        When a TAL is malformed, padding holds data, a record's time stamp
        breaks the continuity of an ``EDF+C`` file, or an annotation reaches
        past the data.
    """
    labels, samples = header["labels"], header["samples"]
    width = header["sample_bytes"]
    channels = [i for i, label in enumerate(labels)
                if label in ("EDF Annotations", "BDF Annotations")]
    if not channels:
        raise ValueError(f"{path}: an EDF+/BDF+ file without an annotation signal")
    offsets = np.concatenate([[0], np.cumsum(samples)]) * width
    first = None
    for record in range(memmap.shape[0]):
        for k, channel in enumerate(channels):
            chunk = memmap[record, offsets[channel]:offsets[channel + 1]].tobytes()
            for n, (onset, duration, texts) in enumerate(_tals(chunk, path, record)):
                if k == 0 and n == 0:  # the time-keeping TAL starts with an empty annotation
                    if not texts or texts[0]:
                        raise ValueError(f"{path}: data record {record} does not start with "
                                         "its time-keeping annotation")
                    first = onset if first is None else first
                    expected = first + record * header["record_s"]
                    if header["continuous"] and abs(onset - expected) > 1e-6:
                        raise ValueError(f"{path}: data record {record} starts at {onset:g} s, "
                                         f"not {expected:g} s: an EDF+C file must be "
                                         "continuous")
                    continue
                if header["duration_s"] is not None and onset < (first or 0.0) - 1e-6:
                    raise ValueError(f"{path}: data record {record}: an annotation at "
                                     f"{onset:g} s, before the data start at {first or 0:g} s")
                stop = onset - (first or 0.0) + float(duration or 0)
                if header["duration_s"] is not None and stop > header["duration_s"] + 1e-6:
                    raise ValueError(f"{path}: data record {record}: an annotation at {onset:g} s"
                                     f" reaches {stop:g} s, past the {header['duration_s']:g} s"
                                     " of data")
