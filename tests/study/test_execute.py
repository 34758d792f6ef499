"""Fits as jobs: in parallel, on a Dask cluster, resumed after a kill, one run per folder."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from biosig.cli import main
from biosig.study import load_recipe
from biosig.study._run_folder import RunFolder

RECIPE = str(Path(__file__).parents[2] / "recipes" / "seizure_bonn.toml")
pytestmark = pytest.mark.slow


def _small(n_splits):
    """Bonn Z (healthy) against S (seizure), a small network, a few epochs."""
    return ["--set", "dataset.subjects=['Z', 'S']", "--set", "windows.classes=['normal', 'ictal']",
            "--set", "model.filters=[8, 8]", "--set", "training.epochs=2",
            "--set", "training.bootstrap=50", "--set", f"split.n_splits={n_splits}", "--quiet"]


@pytest.fixture(scope="module")
def bonn(data_dir):
    if not (data_dir / "bonn" / "Z").is_dir():
        pytest.skip("no Bonn data here")
    return data_dir


@pytest.fixture(scope="module")
def serial(bonn, tmp_path_factory):
    """The uninterrupted serial 3-fold run the Dask and resumed runs must reproduce."""
    return _run(bonn, tmp_path_factory.mktemp("serial") / "run", 3)


def _run(data_dir, out, n_splits, *extra):
    assert main(["run", RECIPE, "--data-dir", str(data_dir), "--out", str(out),
                 *_small(n_splits), *extra]) == 0
    result = json.loads((out / "metrics.json").read_text())
    return result["header"], result["metrics"], pd.read_csv(out / "predictions.csv")


def _same_results(a, b):
    (_, ma, pa), (_, mb, pb) = a, b
    pd.testing.assert_frame_equal(pa, pb, check_exact=False, atol=1e-5)
    for key in ("accuracy", "macro_f1", "kappa", "macro_auc"):
        assert ma[key] == pytest.approx(mb[key], abs=1e-9)


def test_a_dask_cluster_gives_the_serial_metrics(bonn, serial, tmp_path):
    pytest.importorskip("dask.distributed")
    import dask
    from dask.distributed import LocalCluster

    # Dask's nanny gives workers one BLAS/OpenMP thread; with the threads this process
    # has, TensorFlow sums in the same order, and the fits are identical.
    with dask.config.set({"distributed.nanny.pre-spawn-environ": {}}), \
            LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                         dashboard_address=None) as cluster:
        on_cluster = _run(bonn, tmp_path / "dask", 3, "--scheduler", cluster.scheduler_address)
    assert on_cluster[0]["scheduler"] == cluster.scheduler_address
    assert on_cluster[0]["fits"] == {"run": 3, "resumed": 0}
    _same_results(serial, on_cluster)


def test_resume_after_a_kill_fits_only_the_missing_folds(bonn, serial, tmp_path, monkeypatch):
    monkeypatch.setenv("BIOSIG_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "run"
    args = [sys.executable, "-m", "biosig.cli", "run", RECIPE, "--data-dir", str(bonn),
            "--out", str(out), *_small(3)]
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    jobs = out.with_name(".run.partial") / "jobs"
    deadline = time.monotonic() + 300
    while not list(jobs.glob("fold-*.npz")):
        assert child.poll() is None, child.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "no fold finished in time"
        time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stderr.close()
    done = len(list(jobs.glob("fold-*.npz")))
    assert 1 <= done < 3 and not out.exists()

    resumed = _run(bonn, out, 3, "--resume")
    assert resumed[0]["fits"] == {"run": 3 - done, "resumed": done}
    assert not out.with_name(".run.partial").exists()
    _same_results(serial, resumed)


def test_resume_refuses_a_partial_run_of_another_recipe(bonn, tmp_path, capsys):
    out = tmp_path / "run"
    partial = out.with_name(".run.partial")
    (partial / "jobs").mkdir(parents=True)
    (partial / "plan.json").write_text("{}")
    assert main(["run", RECIPE, "--data-dir", str(bonn), "--out", str(out), *_small(3),
                 "--resume"]) == 2
    assert "made with another recipe or other data" in capsys.readouterr().err


def test_a_second_run_on_the_same_folder_stops_at_once(tmp_path, capsys):
    out = tmp_path / "run"
    with RunFolder(out):
        assert main(["run", RECIPE, "--data-dir", str(tmp_path), "--out", str(out),
                     *_small(3)]) == 2
    assert "another biosig run is writing this folder" in capsys.readouterr().err
    assert (out.with_name(".run.partial") / "jobs").is_dir()  # the first run's, untouched


def test_a_failure_before_any_fit_leaves_nothing_one_while_publishing_keeps_the_run(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(RuntimeError), RunFolder(out):
        raise RuntimeError("no data")
    assert list(tmp_path.iterdir()) == []  # no partial folder, no lock
    with pytest.raises(OSError), RunFolder(out) as folder:
        (folder.partial / "metrics.json").write_text("{}")
        (out / "stray").mkdir(parents=True)  # put there while the run went on
        folder.publish()
    assert (folder.partial / "metrics.json").is_file()  # the finished run is not lost


def test_inner_selection_jobs_read_only_the_training_side():
    from dataclasses import replace

    from biosig.study._execute import Candidate, inner_jobs
    from biosig.study._plan import Selection
    from biosig.study._splits import Fold
    from biosig.windows import Windows

    study = replace(load_recipe(RECIPE), selection=Selection(
        [{"training.epochs": 1}, {"training.epochs": 2}], n_splits=3))
    n = 60
    meta = pd.DataFrame({"record": [f"r{i // 4}" for i in range(n)], "subject": "s",
                         "onset": np.arange(n) * 1.0})
    windows = Windows(np.zeros((n, 1, 8), np.float32), np.array(["a", "b"] * 30, dtype=object),
                      np.array(["s"] * n, dtype=object), meta, 100.0, ["x"])
    folds = [Fold("0", np.arange(0, 40), np.arange(40, 60)),
             Fold("1", np.arange(20, 60), np.arange(0, 20))]
    candidates = [Candidate(c, study.override(c), windows, "store")
                  for c in study.selection.candidates]
    jobs = inner_jobs(study, candidates, windows, folds)
    assert len(jobs) == 2 * 2 * 3  # folds x candidates x inner folds
    records = meta["record"].to_numpy()
    for job in jobs:
        fold = folds[int(job.key.split("-")[1])]
        assert set(job.train) | set(job.test) <= set(fold.train)  # never a test row
        assert not set(records[job.train]) & set(records[job.test])  # split by record
        assert job.study.training.epochs == int(job.key.split("-c")[1][0]) + 1
