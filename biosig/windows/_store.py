"""Windows on disk: a memory-mapped store, and a cache keyed by how it was made."""

import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .._config import get_cache_dir
from ._windows import Windows

__all__ = ["StoreError", "cached_windows", "read_windows", "write_windows"]

_ARRAYS = ("X", "y", "groups")
_MANIFEST = "manifest.json"


class StoreError(OSError):
    """A window store is incomplete, corrupt, or of another layout."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fid:
        for block in iter(lambda: fid.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


_HEADER_BYTES = 4096  # room for the .npy header of a store grown window by window


class _GrowingArray:
    """A ``.npy`` file whose rows are appended before their number is known.

    The data starts at a fixed offset; :meth:`close` writes a version 1.0
    header for the final shape, padded to that offset, as the ``.npy``
    format allows (its header is a dict padded with spaces and a newline).
    """

    def __init__(self, path):
        self.path = Path(path)
        self._file = open(self.path, "wb")
        self._file.write(b"\0" * _HEADER_BYTES)
        self.shape = None

    def append(self, rows):
        rows = np.ascontiguousarray(rows, dtype=np.float32)
        if self.shape is None:
            self.shape = (0, *rows.shape[1:])
        elif rows.shape[1:] != self.shape[1:]:
            raise ValueError(f"windows of shape {rows.shape[1:]} cannot join windows of shape "
                             f"{self.shape[1:]} in {self.path.parent}")
        self._file.write(rows.tobytes())
        self.shape = (self.shape[0] + len(rows), *self.shape[1:])

    def close(self):
        header = repr({"descr": np.dtype(np.float32).str, "fortran_order": False,
                       "shape": tuple(self.shape)})
        pad = _HEADER_BYTES - len(np.lib.format.MAGIC_PREFIX) - 4 - len(header) - 1
        self._file.seek(0)
        self._file.write(np.lib.format.magic(1, 0)
                         + np.uint16(len(header) + pad + 1).tobytes()
                         + header.encode("latin1") + b" " * pad + b"\n")
        self._file.close()


def write_windows(windows, path, *, key=None):
    """Write windows to a store folder, atomically; a corpus larger than RAM in parts.

    The store is a folder of NumPy ``.npy`` files (``X``, ``y``, ``groups``),
    ``meta.csv`` and a ``manifest.json`` holding shapes and SHA-256 sums. It
    is written under a temporary name beside ``path`` and renamed when
    complete. Given an iterable of Windows (one a recording, say), each part
    is appended to ``X.npy`` as it comes, so only one part is in memory.

    Plain ``.npy`` memory maps rather than Zarr: they need no extra
    dependency, a batch of windows is one slice of rows that the OS pages in
    on demand, and windows are read whole, so Zarr's chunking and
    compression would buy little for samplers' float32 rows.

    Parameters
    ----------
    windows : Windows | iterable of Windows
        All parts must share the sampling rate, channels and window shape.
    path : path-like
        The store folder; it must not exist.
    key : dict | None
        What the windows were made from, kept in the manifest.

    Returns
    -------
    path : Path
    """
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path}: window store exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=path.parent))
    try:
        _write_parts([windows] if isinstance(windows, Windows) else windows, tmp, key)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def _write_parts(parts, folder, key):
    X = _GrowingArray(folder / "X.npy")
    y, groups, meta, first = [], [], [], None
    try:
        for part in parts:
            if first is None:
                first = part
            elif part.sfreq != first.sfreq:
                record = part.meta["record"].iloc[0] if len(part) else "?"
                raise ValueError(f"record {record}: windows at {part.sfreq:g} Hz cannot join "
                                 f"windows at {first.sfreq:g} Hz; resample the recordings to "
                                 "one rate first")
            X.append(part.X)
            y.append(np.asarray(part.y).astype(str))
            groups.append(np.asarray(part.groups).astype(str))
            meta.append(part.meta)
    finally:
        if X.shape is None:
            X.shape = (0, 0, 0)
        X.close()
    if first is None:
        raise ValueError(f"{folder}: no windows to store")
    np.save(folder / "y.npy", np.concatenate(y))
    np.save(folder / "groups.npy", np.concatenate(groups))
    pd.concat(meta, ignore_index=True).to_csv(folder / "meta.csv", index=False)
    files = [f"{n}.npy" for n in _ARRAYS] + ["meta.csv"]
    manifest = {
        "biosig_version": _version(), "n_windows": X.shape[0],
        "window_shape": list(X.shape[1:]), "sfreq": first.sfreq,
        "ch_names": list(first.ch_names),
        "sha256": {f: _sha256(folder / f) for f in files},
        "size": {f: (folder / f).stat().st_size for f in files},
        "key": key,
    }
    (folder / _MANIFEST).write_text(json.dumps(manifest, indent=1, default=str))


def _is_int(value, low=0):
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _check_manifest(manifest, path):
    """Raise a StoreError naming what in the manifest is not what write_windows writes."""
    def bad(what):
        return StoreError(f"{path / _MANIFEST}: {what}")

    if not isinstance(manifest, dict):
        raise bad("not a JSON object")
    files = {f"{n}.npy" for n in _ARRAYS} | {"meta.csv"}
    for table in ("size", "sha256"):
        entries = manifest.get(table)
        if not isinstance(entries, dict) or set(entries) != files:
            raise bad(f"'{table}' must list exactly {sorted(files)}")
    if not all(_is_int(v) for v in manifest["size"].values()):
        raise bad("'size' holds a value that is not a byte count")
    if not all(isinstance(v, str) and len(v) == 64 for v in manifest["sha256"].values()):
        raise bad("'sha256' holds a value that is not a SHA-256 digest")
    shape = manifest.get("window_shape")
    if not _is_int(manifest.get("n_windows")) or not (
            isinstance(shape, list) and len(shape) == 2 and all(_is_int(v, 1) for v in shape)):
        raise bad(f"n_windows {manifest.get('n_windows')!r} and window_shape {shape!r} are "
                  "not a count and two positive lengths")
    sfreq = manifest.get("sfreq")
    if isinstance(sfreq, bool) or not isinstance(sfreq, (int, float)) or not (
            np.isfinite(sfreq) and sfreq > 0):
        raise bad(f"sfreq {sfreq!r} is not a positive rate")
    names = manifest.get("ch_names")  # [] for unnamed channels, as Windows allows
    if not (isinstance(names, list) and len(names) in (0, shape[0])
            and all(isinstance(n, str) and n for n in names)):
        raise bad(f"ch_names {names!r} do not name the {shape[0]} channels")


def read_windows(path, *, mmap=True, verify=True):
    """Open a window store.

    Parameters
    ----------
    path : path-like
    mmap : bool
        Memory-map ``X`` (read-only) instead of loading it.
    verify : bool
        Check every file's SHA-256 against the manifest (one sequential
        read); sizes and shapes are always checked.

    Returns
    -------
    windows : Windows

    Raises
    ------
    StoreError
        Naming the store and the file that is missing, truncated or altered.
    """
    path = Path(path)
    try:
        manifest = json.loads((path / _MANIFEST).read_text())
    except (OSError, ValueError) as err:
        raise StoreError(f"{path}: window store has no readable {_MANIFEST}: {err}") from err
    _check_manifest(manifest, path)
    for name, size in manifest["size"].items():
        file = path / name
        if not file.exists() or file.stat().st_size != size:
            raise StoreError(f"{file}: missing or of the wrong size in window store {path}")
        if verify and _sha256(file) != manifest["sha256"][name]:
            raise StoreError(f"{file}: content does not match the store's checksum")
    try:
        X = np.load(path / "X.npy", mmap_mode="r" if mmap else None)
        y, groups = (np.load(path / f"{n}.npy").astype(object) for n in ("y", "groups"))
        meta = pd.read_csv(path / "meta.csv", dtype={"record": str, "subject": str})
    except ValueError as err:
        raise StoreError(f"{path}: unreadable window store: {err}") from err
    if X.shape != (manifest["n_windows"], *manifest["window_shape"]):
        raise StoreError(f"{path}: X has shape {X.shape}, the manifest says "
                         f"{(manifest['n_windows'], *manifest['window_shape'])}")
    try:
        return Windows(X, y, groups, meta, float(manifest["sfreq"]), manifest["ch_names"])
    except ValueError as err:
        raise StoreError(f"{path}: inconsistent window store: {err}") from err


def _version():
    try:
        return importlib.metadata.version("biosig-dl")
    except importlib.metadata.PackageNotFoundError:  # a source tree that is not installed
        return "unknown"


def _key_folder(key, cache_dir):
    text = json.dumps({"biosig": _version(), **key}, sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()[:20]
    base = Path(cache_dir) if cache_dir is not None else get_cache_dir()
    return base / "windows" / digest


def cached_windows(key, build, *, cache_dir=None, verify=True):
    """Return the windows stored under ``key``, building and storing them on a miss.

    Parameters
    ----------
    key : dict
        Everything the windows depend on: source, subjects or records,
        preprocessing and sampler parameters. JSON-serialisable.
    build : callable
        Called with no argument on a miss; returns a Windows, or an iterable
        of Windows parts that are written one by one.
    cache_dir : path-like | None
        Defaults to ``BIOSIG_CACHE`` or ``~/.cache/biosig``.
    verify : bool
        Check the stored files' checksums on a hit.

    Returns
    -------
    windows : Windows
        ``X`` memory-mapped from the store.

    Notes
    -----
    A store that fails its checks is reported with a warning, deleted and
    rebuilt; it is never used. Each process builds under a name of its own
    and publishes with one atomic rename: when two build the same key at
    once, the second finds the first's store in place, discards its own and
    reads the first's.
    """
    folder = _key_folder(key, cache_dir)
    if folder.exists():
        try:
            return read_windows(folder, verify=verify)
        except StoreError as err:
            warnings.warn(f"rebuilding a corrupt window store: {err}", RuntimeWarning, stacklevel=2)
            shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))
    try:
        parts = build()
        _write_parts([parts] if isinstance(parts, Windows) else parts, tmp, key)
        try:
            os.replace(tmp, folder)
        except OSError:  # another process published this key first: use its store
            if not (folder / _MANIFEST).exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return read_windows(folder, verify=False)
