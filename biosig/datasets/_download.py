"""Fetch missing PhysioNet files into the cache: verified, then moved in atomically."""

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import urllib.parse

import wfdb
from tqdm.auto import tqdm
from wfdb.io import download as _wfdb_download
from wfdb.io.download import get_version

__all__ = ["DownloadError", "fetch_archive", "fetch_physionet", "read_checksum_list"]


class DownloadError(OSError):
    """The publisher's server could not be reached; nothing was written."""


def _unreachable(url, dataset, missing, err):
    """One sentence: the host tried, what is still missing, how to use a local copy."""
    host = urllib.parse.urlsplit(url).netloc or url
    shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
    reason = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
    return DownloadError(
        f"biosig could not reach {host} to download {dataset} ({reason}), so "
        f"{len(missing)} file(s) are still missing ({shown}); check the network, or copy "
        f"the files into DIR/{dataset}/ and pass --data-dir DIR (or set BIOSIG_DATA=DIR)")

CHECKSUM_FILE = "SHA256SUMS.txt"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fid:
        for block in iter(lambda: fid.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_checksums(path):
    sums = {}
    for line in Path(path).read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.strip().lstrip("*").removeprefix("./")] = digest.lower()
    return sums


def _remove_stale_partials(dest, max_age_s=3600):
    """Remove partial-download folders left by a killed process."""
    now = time.time()
    for folder in Path(dest).glob(".partial-*"):
        if now - folder.stat().st_mtime > max_age_s:
            shutil.rmtree(folder, ignore_errors=True)


def fetch_physionet(db, version, files, dest, *, groups=None, progress=True):
    """Download PhysioNet files that ``dest`` lacks, verifying their SHA-256.

    Files are fetched with :func:`wfdb.dl_files` into a temporary folder beside
    ``dest``, checked against the database's ``SHA256SUMS.txt``, and only then
    moved into ``dest`` one by one with an atomic rename: a corrupt download
    never enters the cache, and no file there is ever partly written.
    Temporary folders of a killed download are removed by the next call.

    Parameters
    ----------
    db : str
        PhysioNet database slug, e.g. ``"mitdb"``.
    version : str
        The version the caller expects; :func:`wfdb.dl_files` serves the
        latest, so a mismatch is an error rather than a silent mix.
    files : list of str
        File names relative to the database folder.
    dest : path-like
        The cache folder of this database version.
    groups : list of list of str | None
        Files fetched together, one progress step each (e.g. one record's
        header, signal and annotations). Defaults to one file a step.
    progress : bool
        Show a progress bar.

    Returns
    -------
    fetched : list of Path
        The files that were downloaded.

    Raises
    ------
    DownloadError
        When PhysioNet cannot be reached.
    OSError
        When PhysioNet serves another version, a file's checksum does not
        match, or the checksum list lacks it.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(dest)
    wanted = [f for f in files if not (dest / f).exists()]
    if not wanted:
        return []
    groups = groups or [[f] for f in wanted]
    groups = [[f for f in g if f in wanted] for g in groups]
    groups = [g for g in groups if g]

    try:
        served = get_version(db)
    except OSError as err:  # requests' and urllib's errors are OSErrors
        raise _unreachable(_wfdb_download.PN_CONTENT_URL, db, wanted, err) from None
    if served != version:
        raise OSError(f"PhysioNet serves {db} {served}, but biosig reads {db} {version}; "
                      f"download {version} by hand into the data folder")
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=dest))
    try:
        try:
            wfdb.dl_files(db, str(tmp), [CHECKSUM_FILE], keep_subdirs=True)
            sums = _read_checksums(tmp / CHECKSUM_FILE)
            for group in tqdm(groups, desc=f"download {db}", unit="record", disable=not progress):
                wfdb.dl_files(db, str(tmp), group, keep_subdirs=True)
                os.utime(tmp)  # alive: not a stale partial for other processes
        except OSError as err:
            raise _unreachable(_wfdb_download.PN_CONTENT_URL, db, wanted, err) from None
        fetched = []
        for name in wanted:
            part = tmp / name
            if name not in sums:
                raise OSError(f"{db}/{name}: not listed in {CHECKSUM_FILE}, cannot verify it")
            if not part.exists():
                raise OSError(f"{db}/{name}: download produced no file")
            if _sha256(part) != sums[name]:
                raise OSError(f"{db}/{name}: SHA-256 does not match {CHECKSUM_FILE}; "
                              "the download is corrupt and was discarded")
        for name in wanted:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / name, dest / name)
            fetched.append(dest / name)
        return fetched
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_checksum_list(name):
    """Return the shipped ``{relative path: sha256}`` list of a dataset without one online."""
    from importlib.resources import files

    return _read_checksums(files("biosig.datasets") / "checksums" / f"{name}.txt")


def fetch_archive(url, dest, checksums, *, progress=True, dataset=None):
    """Download a zip archive and install the files of ``checksums`` it holds.

    The archive is streamed into a temporary folder beside ``dest``; each
    wanted member is matched by file name (case-insensitive, any folder in the
    archive), checked against its SHA-256, and only then moved into
    ``dest/<relative path>`` by atomic rename.

    Parameters
    ----------
    url : str
        The publisher's archive.
    dest : path-like
        The dataset's cache folder.
    checksums : dict
        Relative path -> SHA-256 of every file to install from this archive.
    progress : bool
        Show a download progress bar.
    dataset : str | None
        The dataset's name, for messages (default: the folder above ``dest``).

    Returns
    -------
    fetched : list of Path

    Raises
    ------
    DownloadError
        When the server cannot be reached.
    OSError
        When the archive lacks a file, or a checksum differs.
    """
    import urllib.request
    import zipfile
    import zlib

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(dest)
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=dest))
    try:
        archive = tmp / "archive.zip"
        try:
            with urllib.request.urlopen(url, timeout=60) as response, open(archive, "wb") as out:
                total = int(response.headers.get("Content-Length") or 0) or None
                with tqdm(total=total, unit="B", unit_scale=True, desc=f"download {url}",
                          disable=not progress) as bar:
                    for block in iter(lambda: response.read(1 << 20), b""):
                        out.write(block)
                        bar.update(len(block))
                        os.utime(tmp)  # alive: not a stale partial for other processes
        except OSError as err:
            raise _unreachable(url, dataset or Path(dest).parent.name, sorted(checksums),
                               err) from None
        try:
            zf = zipfile.ZipFile(archive)
        except zipfile.BadZipFile as err:
            raise OSError(f"{url}: not a valid zip archive ({err}); discarded") from err
        with zf:
            try:
                staged = _extract_verified(zf, checksums, tmp / "files", url)
            except (zipfile.BadZipFile, zlib.error, EOFError) as err:
                raise OSError(f"{url}: corrupt archive ({err}); discarded") from err
        fetched = []
        for rel, part in staged.items():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, dest / rel)
            fetched.append(dest / rel)
        return fetched
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _extract_verified(zf, checksums, folder, url):
    """Extract the members named in ``checksums`` into ``folder``, checking each SHA-256."""
    members = {}
    for m in zf.namelist():
        if not m.endswith("/"):
            members.setdefault(Path(m).name.lower(), []).append(m)
    staged = {}
    for rel, digest in checksums.items():
        found = members.get(Path(rel).name.lower(), [])
        if len(found) != 1:
            raise OSError(f"{url}: archive holds {len(found)} files named {Path(rel).name}, "
                          "expected one")
        (member,) = found
        part = folder / rel
        part.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(member) as src, open(part, "wb") as out:
            shutil.copyfileobj(src, out)
        if _sha256(part) != digest:
            raise OSError(f"{url}: {member} does not match its SHA-256; "
                          "the download is corrupt and was discarded")
        staged[rel] = part
    return staged
