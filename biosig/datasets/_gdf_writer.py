"""Write GDF 2.20 files as the Graz BCI recordings are laid out (Schloegl's GDF spec)."""

import numpy as np

_UNIT_UV = 4275  # ISO/IEEE 11073 code of microvolts


def _text(value, size):
    raw = value.encode("latin-1")[:size]
    return raw + b" " * (size - len(raw))


def write_gdf(path, data_uv, sfreq, ch_names, events):
    """Write signals and an event table in GDF 2.20, int16 samples, one second per record.

    Parameters
    ----------
    path : path-like
    data_uv : ndarray, shape (n_channels, n_samples)
        Signals in microvolts, within +-100 uV; the length must fill whole records.
    sfreq : int
    ch_names : list of str
    events : list of tuple
        (sample, type code, duration in samples), with 0-based samples.
    """
    n_ch, n_times = data_uv.shape
    sfreq = int(sfreq)
    assert n_times % sfreq == 0
    n_records = n_times // sfreq
    fixed = bytearray(256)
    fixed[0:8] = b"GDF 2.20"
    fixed[8:74] = _text("X X", 66)
    fixed[88:152] = _text("biosig", 64)
    fixed[184:186] = np.uint16(n_ch + 1).tobytes()
    fixed[236:244] = np.int64(n_records).tobytes()
    fixed[244:252] = np.array([1, 1], np.uint32).tobytes()  # 1 s per record
    fixed[252:254] = np.uint16(n_ch).tobytes()

    def block(values, dtype):
        return np.asarray(values, dtype=dtype).tobytes()

    variable = b"".join([
        b"".join(_text(n, 16) for n in ch_names),
        b" " * 80 * n_ch,  # transducer
        b" " * 6 * n_ch,  # physical dimension, obsolete
        block([_UNIT_UV] * n_ch, "<u2"),
        block([-100.0] * n_ch, "<f8"), block([100.0] * n_ch, "<f8"),
        block([-32768.0] * n_ch, "<f8"), block([32767.0] * n_ch, "<f8"),
        b"\0" * 68 * n_ch,
        block([100.0] * n_ch, "<f4"), block([0.5] * n_ch, "<f4"), block([50.0] * n_ch, "<f4"),
        block([sfreq] * n_ch, "<i4"),
        block([3] * n_ch, "<i4"),  # GDF type 3: int16
        b"\0" * 12 * n_ch,  # sensor positions
        b"\0" * 20 * n_ch,  # impedance and reserved
    ])
    assert len(variable) == 256 * n_ch
    digital = np.round((data_uv + 100.0) / 200.0 * 65535.0 - 32768.0)
    digital = np.clip(digital, -32768, 32767).astype("<i2")
    records = digital.reshape(n_ch, n_records, sfreq).transpose(1, 0, 2)

    pos = np.array([e[0] + 1 for e in events], "<u4")  # GDF positions are 1-based
    typ = np.array([e[1] for e in events], "<u2")
    dur = np.array([e[2] for e in events], "<u4")
    n_ev = len(events)
    table = (bytes([3]) + n_ev.to_bytes(3, "little") + np.float32(sfreq).tobytes()
             + pos.tobytes() + typ.tobytes() + np.zeros(n_ev, "<u2").tobytes() + dur.tobytes())
    with open(path, "wb") as fid:
        fid.write(bytes(fixed) + variable + records.tobytes() + table)
    return (digital.astype(float) + 32768.0) / 65535.0 * 200.0 - 100.0
