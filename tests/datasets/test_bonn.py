import io
import shutil
import zipfile

import numpy as np
import pytest

from biosig.datasets import BonnEpilepsy
from biosig.windows import SlidingSampler


@pytest.fixture(scope="module")
def bonn_dir(data_dir):
    if not (data_dir / "bonn" / "Z").is_dir():
        pytest.skip("bonn is absent")
    return data_dir


def test_all_500_segments(bonn_dir):
    recs = BonnEpilepsy(bonn_dir, progress=False).load()
    assert len(recs) == 500
    assert {r.n_samples for r in recs} == {4097} and {r.sfreq for r in recs} == {173.61}
    by_set = {s: [r for r in recs if r.session == s] for s in "ZONFS"}
    assert {s: len(v) for s, v in by_set.items()} == dict.fromkeys("ZONFS", 100)
    assert [r.record for r in by_set["N"][:2]] == ["N001", "N002"]
    assert {r.subject for r in by_set["Z"] + by_set["O"]} == {"volunteers"}
    assert {r.subject for r in by_set["N"] + by_set["F"] + by_set["S"]} == {"patients"}
    assert by_set["Z"][0].ch_types == ["eeg"] and by_set["S"][0].ch_types == ["seeg"]
    first = np.loadtxt(bonn_dir / "bonn" / "S" / "S001.txt")
    np.testing.assert_allclose(by_set["S"][0].signal[0], first * 1e-6)
    assert list(by_set["F"][3].annotations.description) == ["F"]


def test_aliases_and_windows(bonn_dir):
    recs = BonnEpilepsy(bonn_dir, progress=False).load(["A", "E"])
    assert {r.session for r in recs} == {"Z", "S"}
    assert recs[0].metadata["alias"] == "A"
    w = SlidingSampler(1.0, labels={"Z": "healthy", "S": "ictal"}, progress=False).sample(recs)
    assert len(w) == 200 * 23 and set(w.y) == {"healthy", "ictal"}


def test_malformed_segment_is_named(bonn_dir, tmp_path):
    folder = tmp_path / "bonn" / "O"
    folder.mkdir(parents=True)
    for i in range(1, 101):
        shutil.copy(bonn_dir / "bonn" / "O" / f"O{i:03d}.txt", folder)
    lines = (folder / "O042.txt").read_text().splitlines()
    (folder / "O042.txt").write_text("\n".join(lines[:4000]))
    with pytest.raises(ValueError, match=r"O042\.txt: holds 4000 samples; every Bonn segment has 4097"):
        BonnEpilepsy(tmp_path, progress=False).load(["O"])
    lines[17] = "inf"
    (folder / "O042.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"O042\.txt: line 18 \('inf'\) is not one number"):
        BonnEpilepsy(tmp_path, progress=False).load(["O"])


def _zip_of(folder):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, p.name)
    return buf.getvalue()


def test_download_verifies_every_file(bonn_dir, tmp_path, fake_server):
    s_zip, z_zip = ("https://www.ukbonn.de/site/assets/files/21875/s.zip",
                    "https://www.ukbonn.de/site/assets/files/21874/z.zip")
    fake_server.add(s_zip, _zip_of(bonn_dir / "bonn" / "S"))
    ds = BonnEpilepsy(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache",
                      progress=False)
    recs = ds.load(["S"])
    assert fake_server.served == [s_zip]
    assert len(recs) == 100 and len(list((ds.cache_path / "S").iterdir())) == 100
    assert sorted(p.name for p in ds.cache_path.iterdir()) == ["S"]  # the archive is gone

    fake_server.add(z_zip, _zip_of(bonn_dir / "bonn" / "Z").replace(b"\n12\n", b"\n13\n", 1))
    with pytest.raises(OSError, match="z.zip: corrupt archive"):
        ds.load(["Z"])
    fake_server.add(z_zip, b"<html>moved</html>")
    with pytest.raises(OSError, match="z.zip: corrupt archive"):
        ds.load(["Z"])
    altered = tmp_path / "altered"
    shutil.copytree(bonn_dir / "bonn" / "Z", altered)
    (altered / "Z050.txt").write_text("0\n" * 4097)
    fake_server.add(z_zip, _zip_of(altered))
    with pytest.raises(OSError, match="z.zip: Z050.txt does not match its SHA-256"):
        ds.load(["Z"])
    (altered / "Z050.txt").unlink()
    fake_server.add(z_zip, _zip_of(altered))
    with pytest.raises(OSError, match="z.zip: archive holds 0 files named Z050.txt"):
        ds.load(["Z"])
    # nothing of set Z, nor any temporary file, entered the cache
    assert sorted(p.relative_to(ds.cache_path).as_posix()
                  for p in ds.cache_path.rglob("*")) == ["S"] + [f"S/S{i:03d}.txt"
                                                             for i in range(1, 101)]


def test_archive_server_unreachable_says_so(tmp_path, fake_server):
    fake_server.add("https://www.ukbonn.de/site/assets/files/21872/o.zip", b"PK...")
    fake_server.cut_after(0)
    ds = BonnEpilepsy(tmp_path / "empty", download=True, cache_dir=tmp_path / "cache",
                      progress=False)
    with pytest.raises(OSError, match=r"could not reach www\.ukbonn\.de to download bonn .*"
                                      r"100 file\(s\) are still missing \(O/O001\.txt"):
        ds.load(["O"])
    assert len(fake_server.served) == 3  # one attempt and two retries
    assert list(ds.cache_path.iterdir()) == []
    fake_server.files.clear()
    with pytest.raises(OSError, match=r"bonn/o\.zip: the server answered 404 for https://"):
        ds.load(["O"])
