"""Fetch missing dataset files into the cache with pooch: verified, then moved in atomically.

pooch downloads each file to a temporary file beside its target, checks the
known SHA-256 there, retries failed attempts and only then moves the file into
place, so a corrupt or interrupted download never enters the cache.
"""

import contextlib
import re
import shutil
import tempfile
import time
import urllib.parse
import zipfile
import zlib
from pathlib import Path

import pooch
import requests
from tqdm.auto import tqdm
from wfdb.io.download import get_version

__all__ = ["DownloadError", "fetch_archive", "fetch_physionet", "read_checksum_list"]

PHYSIONET_FILES = "https://physionet.org/files"
CHECKSUM_FILE = "SHA256SUMS.txt"
# Further attempts after a failed one (network error or checksum mismatch);
# pooch waits 1 s, then 2 s, ... between them.
RETRIES = 2
# The names pooch gives its temporary files (tempfile.NamedTemporaryFile).
_POOCH_TMP = re.compile(r"tmp[a-z0-9_]{8}")


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


def _read_checksums(path):
    """Read ``<sha256>  <relative path>`` lines (sha256sum's format) into a dict."""
    sums = {}
    for line in Path(path).read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.strip().lstrip("*").removeprefix("./")] = digest.lower()
    return sums


def read_checksum_list(name):
    """Return the shipped ``{relative path: sha256}`` list of a dataset without one online."""
    from importlib.resources import files

    return _read_checksums(files("biosig.datasets") / "checksums" / f"{name}.txt")


def _remove_stale_partials(folders, max_age_s=3600):
    """Remove what a killed download left behind: pooch's temporary files, our partial folders.

    A download in progress keeps writing, so only what has been untouched for
    ``max_age_s`` (a folder: none of its files either) is taken for a leftover.
    """
    now = time.time()
    for folder in folders:
        for path in Path(folder).glob("[.t]*"):
            try:
                if path.is_dir() and path.name.startswith(".partial-"):
                    newest = max(p.stat().st_mtime for p in [path, *path.rglob("*")])
                    if now - newest > max_age_s:
                        shutil.rmtree(path, ignore_errors=True)
                elif (path.is_file() and _POOCH_TMP.fullmatch(path.name)
                      and now - path.stat().st_mtime > max_age_s):
                    path.unlink(missing_ok=True)
            except FileNotFoundError:  # another process cleaned it first
                pass


@contextlib.contextmanager
def _quiet_pooch():
    """Silence pooch's "Downloading file ..." lines: biosig shows progress bars instead."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        yield
    finally:
        logger.setLevel(level)


def _pooch(path, registry, *, base_url="", urls=None):
    """A :class:`pooch.Pooch` storing into ``path`` that retries failed downloads."""
    return pooch.create(path=path, base_url=base_url, registry=registry, urls=urls,
                        retry_if_failed=RETRIES)


def _fetch_file(pup, name, label, *, progress, leave=False):
    """Fetch ``name`` of ``pup`` with pooch's HTTP downloader and a byte progress bar.

    Returns the local path. A mismatch with the known hash (from
    ``SHA256SUMS.txt``) and an HTTP error status become OSErrors naming
    ``label``; other network errors (:class:`requests.RequestException`) are
    left to the caller, which knows what is still missing.
    """
    # pooch fills in a bar object of ours (total, update, close); total=1
    # until then, since a tqdm without a total has no truth value.
    bar = tqdm(total=1, desc=label, unit="B", unit_scale=True, leave=leave) if progress else False
    try:
        with _quiet_pooch():
            return pup.fetch(name, downloader=pooch.HTTPDownloader(progressbar=bar,
                                                                   chunk_size=1 << 16))
    except ValueError:  # pooch: the downloaded file's hash differs (it was deleted)
        raise OSError(f"{label}: SHA-256 does not match {CHECKSUM_FILE}; "
                      "the download is corrupt and was discarded") from None
    except requests.HTTPError as err:
        status = err.response.status_code if err.response is not None else "an error"
        raise OSError(f"{label}: the server answered {status} for {pup.get_url(name)}") from None
    finally:
        if bar is not False:  # (a bar whose total is 0 is falsy)
            bar.close()


def fetch_physionet(db, version, files, dest, *, groups=None, progress=True):
    """Download PhysioNet files that ``dest`` lacks, verifying their SHA-256.

    The database's ``SHA256SUMS.txt`` is fetched first (into a temporary
    folder; it is not itself hashed), then each missing file from
    ``https://physionet.org/files/<db>/<version>/<file>`` by :mod:`pooch`,
    which checks it against that list before moving it into ``dest``: a corrupt
    download never enters the cache, and no file there is ever partly written.
    Each file is moved in as soon as it is verified, so a download cut short
    keeps the files already fetched and the next call fetches only the rest.

    Parameters
    ----------
    db : str
        PhysioNet database slug, e.g. ``"mitdb"``.
    version : str
        The version the caller expects; when PhysioNet's latest differs, that
        is an error rather than a silent mix.
    files : list of str
        File names relative to the database folder.
    dest : path-like
        The cache folder of this database version.
    groups : list of list of str | None
        Files counted as one progress step (e.g. one record's header, signal
        and annotations). Defaults to one file a step.
    progress : bool
        Show progress bars (one for the database, one for the file in flight).

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
        match, the checksum list lacks it, or the server refuses it.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    wanted = [f for f in files if not (dest / f).exists()]
    if not wanted:
        return []
    _remove_stale_partials({(dest / f).parent for f in wanted})
    unit_is_file = groups is None
    groups = [[f for f in g if f in wanted] for g in (groups or [[f] for f in wanted])]
    groups = [g for g in groups if g]
    base_url = f"{PHYSIONET_FILES}/{db}/{version}/"

    try:
        served = get_version(db)
    except OSError as err:  # requests' and urllib's errors are OSErrors
        raise _unreachable(base_url, db, wanted, err) from None
    if served != version:
        raise OSError(f"PhysioNet serves {db} {served}, but biosig reads {db} {version}; "
                      f"download {version} by hand into the data folder")
    fetched = []
    try:
        with tempfile.TemporaryDirectory(prefix="biosig-") as tmp:
            listing = _pooch(tmp, {CHECKSUM_FILE: None}, base_url=base_url)
            sums = _read_checksums(_fetch_file(listing, CHECKSUM_FILE, f"{db}/{CHECKSUM_FILE}",
                                               progress=False))
        unlisted = [f for f in wanted if f not in sums]
        if unlisted:
            raise OSError(f"{db}/{unlisted[0]}: not listed in {CHECKSUM_FILE}, cannot verify it"
                          f" ({len(unlisted)} of the {len(wanted)} file(s) wanted are not)")
        pup = _pooch(dest, {f: f"sha256:{sums[f]}" for f in wanted}, base_url=base_url)
        for group in tqdm(groups, desc=f"download {db}", unit="file" if unit_is_file else "record",
                          disable=not progress):
            for name in group:
                fetched.append(Path(_fetch_file(pup, name, f"{db}/{name}", progress=progress)))
    except requests.RequestException as err:
        still = [f for f in wanted if not (dest / f).exists()]
        raise _unreachable(base_url, db, still, err) from None
    return fetched


def fetch_archive(url, dest, checksums, *, progress=True, dataset=None):
    """Download a zip archive and install the files of ``checksums`` it holds.

    :mod:`pooch` downloads the archive (retrying failed attempts) into a
    temporary folder beside ``dest`` and unzips it there; each wanted member is
    matched by file name (case-insensitive, any folder in the archive), checked
    against its SHA-256, and only when all are good moved into
    ``dest/<relative path>`` by atomic rename. The archive is then discarded.

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
        When the archive is corrupt or lacks a file, or a checksum differs.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials([dest])
    dataset = dataset or dest.parent.name
    name = Path(urllib.parse.urlsplit(url).path).name or "archive.zip"
    with tempfile.TemporaryDirectory(prefix=".partial-", dir=dest) as tmp:
        pup = _pooch(tmp, {name: None}, urls={name: url})  # no published hash of the archive
        try:
            archive = _fetch_file(pup, name, f"{dataset}/{name}", progress=progress, leave=True)
        except requests.RequestException as err:
            raise _unreachable(url, dataset, sorted(checksums), err) from None
        try:
            with _quiet_pooch():
                extracted = pooch.Unzip(extract_dir="files")(archive, "download", pup)
        except (zipfile.BadZipFile, zlib.error, EOFError) as err:
            raise OSError(f"{url}: corrupt archive ({err}); discarded") from None
        staged = _verified_members(extracted, Path(tmp) / "files", checksums, url)
        fetched = []
        for rel, part in staged.items():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            part.replace(dest / rel)
            fetched.append(dest / rel)
    return fetched


def _verified_members(extracted, root, checksums, url):
    """Map each file of ``checksums`` to its extracted copy, checking its SHA-256."""
    by_name = {}
    for path in map(Path, extracted):
        by_name.setdefault(path.name.lower(), []).append(path)
    staged = {}
    for rel, digest in checksums.items():
        found = by_name.get(Path(rel).name.lower(), [])
        if len(found) != 1:
            raise OSError(f"{url}: archive holds {len(found)} files named {Path(rel).name}, "
                          "expected one")
        if pooch.file_hash(str(found[0])) != digest:
            raise OSError(f"{url}: {found[0].relative_to(root).as_posix()} does not match its "
                          "SHA-256; the download is corrupt and was discarded")
        staged[rel] = found[0]
    return staged
