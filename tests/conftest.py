import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
import wfdb

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def data_dir():
    """The shared real-data folder, from BIOSIG_DATA."""
    value = os.environ.get("BIOSIG_DATA")
    if not value or not Path(value).is_dir():
        pytest.skip("BIOSIG_DATA is not set to the real-data folder")
    return Path(value)


@pytest.fixture(scope="session")
def mitdb_dir(data_dir):
    folder = data_dir / "mitdb"
    if not (folder / "100.hea").exists():
        pytest.skip(f"{folder} holds no MIT-BIH records")
    return folder


@pytest.fixture
def mitdb_subset(mitdb_dir, tmp_path):
    """A data folder holding links to the files of the named MIT-BIH records only.

    Runs that take "the records present" then read exactly these, however
    much the shared folder grows.
    """

    def make(records, root=None):
        root = root or tmp_path / "mitdb-subset"
        folder = root / "mitdb"
        folder.mkdir(parents=True)
        for record in records:
            for ext in ("hea", "dat", "atr"):
                source = mitdb_dir / f"{record}.{ext}"
                if not source.exists():
                    pytest.skip(f"{source} is not in the data folder")
                (folder / source.name).symlink_to(source)
        return root

    return make


@pytest.fixture
def make_record(tmp_path):
    """Write a small WFDB record (format 212, like MIT-BIH) with wfdb.wrsamp/wrann."""

    def make(name="rec", fs=360, n=3600, beats=None, symbols=None, aux=None, fmt="212",
             sig_name=("MLII", "V1"), folder=tmp_path):
        rng = np.random.default_rng(0)
        t = np.arange(n) / fs
        signal = np.stack([0.5 * np.sin(2 * np.pi * 1.2 * t) + 0.01 * rng.standard_normal(n),
                           0.3 * np.cos(2 * np.pi * 0.7 * t)], axis=1)[:, :len(sig_name)]
        wfdb.wrsamp(name, fs=fs, units=["mV"] * len(sig_name), sig_name=list(sig_name),
                    p_signal=signal, fmt=[fmt] * len(sig_name), adc_gain=[200.0] * len(sig_name),
                    baseline=[0] * len(sig_name), write_dir=str(folder))
        if beats is not None:
            order = np.argsort(beats, kind="stable")
            wfdb.wrann(name, "atr", np.asarray(beats)[order],
                       symbol=[symbols[i] for i in order],
                       aux_note=None if aux is None else [aux[i] for i in order],
                       write_dir=str(folder))
        record = wfdb.rdrecord(str(folder / name))
        return folder / name, record.p_signal

    return make


class FakeServer:
    """Stands in for the web behind pooch's HTTP downloader: serves bytes by URL.

    ``served`` lists the URLs asked for, in order. After ``cut_after(n)``, every
    request past the n-th writes half its file and then drops the connection,
    as a download killed half-way would.
    """

    def __init__(self):
        self.files = {}
        self.served = []
        self._cut = None

    def add(self, url, content):
        self.files[url] = content

    def physionet(self, db, version, files, corrupt=()):
        """Serve ``files`` ({relative path: local Path}) and their SHA256SUMS.txt.

        The files named in ``corrupt`` are served damaged, their listed hash
        being that of the good file.
        """
        base = f"https://physionet.org/files/{db}/{version}/"
        sums = []
        for rel, path in files.items():
            content = Path(path).read_bytes()
            sums.append(f"{hashlib.sha256(content).hexdigest()}  {rel}")
            self.add(base + rel, b"\x00\x01\x02" + content[3:] if rel in corrupt else content)
        self.add(base + "SHA256SUMS.txt", ("\n".join(sums) + "\n").encode())

    def cut_after(self, n):
        self._cut = n

    def __call__(self, url, output_file):
        import requests

        self.served.append(url)
        if url not in self.files:
            response = requests.Response()
            response.status_code, response.url = 404, url
            raise requests.HTTPError(f"404 Client Error: Not Found for url: {url}",
                                     response=response)
        content = self.files[url]
        if self._cut is not None and len(self.served) > self._cut:
            Path(output_file).write_bytes(content[: len(content) // 2])
            raise requests.exceptions.ConnectionError(
                "('Connection aborted.', RemoteDisconnected('Remote end closed connection'))")
        Path(output_file).write_bytes(content)


@pytest.fixture
def fake_server(monkeypatch):
    """Route pooch's HTTP downloads to a :class:`FakeServer`; pooch's retries do not wait."""
    import types

    import pooch

    server = FakeServer()
    monkeypatch.setattr(pooch.HTTPDownloader, "__call__",
                        lambda self, url, output_file, pup, check_only=False:
                        server(url, output_file))
    monkeypatch.setattr(pooch.core, "time", types.SimpleNamespace(sleep=lambda s: None))
    return server
