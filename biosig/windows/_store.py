"""Windows on disk: a memory-mapped store, and a cache keyed by how it was made."""

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
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


def write_windows(windows, path, *, key=None):
    """Write windows to a store folder, atomically.

    The store is a folder of NumPy ``.npy`` files (``X``, ``y``, ``groups``),
    ``meta.csv`` and a ``manifest.json`` holding shapes and SHA-256 sums. It
    is written under a temporary name beside ``path`` and renamed when
    complete.

    Plain ``.npy`` memory maps rather than Zarr: they need no extra
    dependency, a batch of windows is one slice of rows that the OS pages in
    on demand, and windows are read whole, so Zarr's chunking and
    compression would buy little for samplers' float32 rows.

    Parameters
    ----------
    windows : Windows
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
        arrays = {"X": np.asarray(windows.X, dtype=np.float32),
                  "y": np.asarray(windows.y).astype(str),
                  "groups": np.asarray(windows.groups).astype(str)}
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array)
        windows.meta.to_csv(tmp / "meta.csv", index=False)
        files = [f"{n}.npy" for n in _ARRAYS] + ["meta.csv"]
        manifest = {
            "biosig_version": __version__, "n_windows": len(windows),
            "window_shape": list(windows.X.shape[1:]), "sfreq": windows.sfreq,
            "ch_names": list(windows.ch_names),
            "sha256": {f: _sha256(tmp / f) for f in files},
            "size": {f: (tmp / f).stat().st_size for f in files},
            "key": key,
        }
        (tmp / _MANIFEST).write_text(json.dumps(manifest, indent=1))
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


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
    return Windows(X, y, groups, meta, manifest["sfreq"], manifest["ch_names"])


def _key_folder(key, cache_dir):
    text = json.dumps({"biosig": __version__, **key}, sort_keys=True, default=str)
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
        Called with no argument on a miss; returns a Windows.
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
    rebuilt; it is never used.
    """
    folder = _key_folder(key, cache_dir)
    if folder.exists():
        try:
            return read_windows(folder, verify=verify)
        except StoreError as err:
            warnings.warn(f"rebuilding a corrupt window store: {err}", RuntimeWarning, stacklevel=2)
            shutil.rmtree(folder)
    write_windows(build(), folder, key=key)
    return read_windows(folder, verify=False)
