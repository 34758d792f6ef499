import numpy as np
import pandas as pd
import pytest

from biosig.windows import StoreError, Windows, cached_windows, read_windows, write_windows


def _windows(n=50):
    rng = np.random.default_rng(0)
    meta = pd.DataFrame({"record": [f"{100 + i % 3}" for i in range(n)],
                         "subject": "s", "onset": np.arange(n) * 0.5})
    return Windows(rng.standard_normal((n, 2, 32)).astype(np.float32),
                   np.array(["N", "V"] * (n // 2), dtype=object),
                   np.array(["s"] * n, dtype=object), meta, 360.0, ["MLII", "V1"])


def test_round_trip_memory_mapped(tmp_path):
    w = _windows()
    write_windows(w, tmp_path / "store")
    back = read_windows(tmp_path / "store")
    assert isinstance(back.X, np.memmap) and not back.X.flags.writeable
    np.testing.assert_array_equal(back.X, w.X)
    assert back.y.tolist() == w.y.tolist() and back.groups.tolist() == w.groups.tolist()
    assert back.meta["record"].tolist() == w.meta["record"].tolist()  # ids stay strings
    assert back.sfreq == 360.0 and back.ch_names == ["MLII", "V1"]
    with pytest.raises(FileExistsError):
        write_windows(w, tmp_path / "store")
    assert [p.name for p in tmp_path.iterdir()] == ["store"]  # no partial folder left


def test_cache_hit_skips_the_work(tmp_path):
    calls = []

    def build():
        calls.append(1)
        return _windows()

    key = {"source": "mitdb", "records": ["100"], "tmin": -0.25}
    first = cached_windows(key, build, cache_dir=tmp_path)
    second = cached_windows(key, build, cache_dir=tmp_path)
    assert len(calls) == 1
    np.testing.assert_array_equal(first.X, second.X)
    cached_windows({**key, "tmin": -0.3}, build, cache_dir=tmp_path)
    assert len(calls) == 2  # another parameter, another store


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_corrupt_store_is_rebuilt_not_reused(tmp_path, damage):
    key = {"source": "test"}
    cached_windows(key, _windows, cache_dir=tmp_path)
    (store,) = (tmp_path / "windows").iterdir()
    x = store / "X.npy"
    if damage == "truncate":
        x.write_bytes(x.read_bytes()[:-100])
    elif damage == "flip":
        data = bytearray(x.read_bytes())
        data[-5] ^= 0xFF
        x.write_bytes(bytes(data))
    else:
        x.unlink()
    with pytest.raises(StoreError, match=r"X\.npy"):
        read_windows(store)
    rebuilt = []
    with pytest.warns(RuntimeWarning, match="rebuilding a corrupt window store"):
        w = cached_windows(key, lambda: rebuilt.append(1) or _windows(), cache_dir=tmp_path)
    assert rebuilt == [1]
    np.testing.assert_array_equal(w.X, _windows().X)


def test_two_builders_of_one_key_share_the_first_store(tmp_path):
    """Both build at once; the second to finish finds the first's store and reads it."""
    import threading
    import time

    started = threading.Barrier(2)
    results, errors = [], []

    def build(seed):
        def make():
            started.wait()
            time.sleep(0.2 * seed)  # the first finishes first
            w = _windows()
            w.X[:] = seed
            return w
        return make

    def worker(seed):
        try:
            results.append((seed, cached_windows({"source": "race"}, build(seed),
                                                 cache_dir=tmp_path)))
        except Exception as err:  # pragma: no cover - the failure this test guards against
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    (store,) = (tmp_path / "windows").iterdir()  # one store, no partial folder left
    assert [p.name for p in (tmp_path / "windows").iterdir()] == [store.name]
    assert all(np.all(np.asarray(w.X) == 1) for _, w in results)  # both read the winner's


def test_stores_grow_part_by_part(tmp_path):
    parts = [_windows(10), _windows(6)]
    write_windows(iter(parts), tmp_path / "store")
    back = read_windows(tmp_path / "store")
    np.testing.assert_array_equal(back.X, np.concatenate([p.X for p in parts]))
    assert len(back.meta) == 16 and back.y.tolist() == [*parts[0].y, *parts[1].y]


@pytest.mark.parametrize("field, value, message", [
    ("sfreq", -360.0, r"sfreq -360\.0 is not a positive rate"),
    ("ch_names", ["MLII"], r"ch_names \['MLII'\] do not name the 2 channels"),
    ("size", None, r"'size' must list exactly"),
    ("n_windows", True, r"n_windows True and window_shape"),
])
def test_a_manifest_that_write_windows_would_not_write_is_refused(tmp_path, field, value,
                                                                   message):
    import json

    write_windows(_windows(), tmp_path / "store")
    manifest = tmp_path / "store" / "manifest.json"
    content = json.loads(manifest.read_text())
    content[field] = value
    manifest.write_text(json.dumps(content))
    with pytest.raises(StoreError, match=r"store/manifest\.json: " + message):
        read_windows(tmp_path / "store")


def test_windows_without_channel_names_round_trip(tmp_path):
    w = _windows()
    write_windows(Windows(w.X, w.y, w.groups, w.meta, w.sfreq), tmp_path / "store")
    assert read_windows(tmp_path / "store").ch_names == []
