"""``biosig explain`` on a small MIT-BIH run: its tested windows made again, figures, report."""

import base64
import json
import os
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

from biosig.cli import main

RECIPE = str(Path(__file__).parents[2] / "recipes" / "arrhythmia_mitbih.toml")


@pytest.fixture(scope="module")
def run(mitdb_dir, tmp_path_factory):
    """A run trained on record 101 (DS1), tested on 100 (DS2), with its window store kept."""
    root = tmp_path_factory.mktemp("explain")
    data = root / "data"
    (data / "mitdb").mkdir(parents=True)
    for record in ("100", "101"):
        for ext in ("hea", "dat", "atr"):
            source = mitdb_dir / f"{record}.{ext}"
            if not source.exists():
                pytest.skip(f"{source} is not in the data folder")
            (data / "mitdb" / source.name).symlink_to(source)
    cache, before = root / "cache", os.environ.get("BIOSIG_CACHE")
    os.environ["BIOSIG_CACHE"] = str(cache)
    try:
        code = main(["run", RECIPE, "--data-dir", str(data), "--partial", "--out",
                     str(root / "run"), "--quiet", "--set", "training.epochs=1",
                     "--set", "model.filters=[4]", "--set", "model.dense_units=4",
                     "--set", "training.bootstrap=0", "--set", "training.validation_fraction=0"])
    finally:
        os.environ.pop("BIOSIG_CACHE") if before is None else os.environ.update(
            BIOSIG_CACHE=before)
    assert code == 0
    return root / "run", data, cache


def _embedded(report, png):
    return base64.b64encode(png.read_bytes()).decode() in report


def test_explain_writes_figures_into_the_run_and_its_report(run, monkeypatch, capsys):
    out, data, cache = run
    monkeypatch.setenv("BIOSIG_CACHE", str(cache))  # the run's window store is read back
    assert main(["explain", str(out), "--n-windows", "3", "--steps", "8"]) == 0
    printed = capsys.readouterr().out
    png = out / "explain_integrated_gradients_beats.png"
    assert f"figure written to {png}" in printed and "of N 3, S 3 tested windows" in printed
    assert matplotlib.image.imread(png).shape[2] in (3, 4)
    report = (out / "report.html").read_text()
    assert "alt='explain_integrated_gradients_beats'" in report and _embedded(report, png)
    assert report.index("alt='confusion_matrix'") < report.index("alt='explain_")
    # no store in the cache: the windows are cut again from the records, the same
    monkeypatch.setenv("BIOSIG_CACHE", str(out.parent / "empty-cache"))
    assert main(["explain", str(out), "--method", "grad_cam", "--n-windows", "3",
                 "--data-dir", str(data)]) == 0
    cam = out / "explain_grad_cam_beats.png"
    report = (out / "report.html").read_text()
    assert _embedded(report, cam) and _embedded(report, png)  # both methods' figures
    assert not (out.parent / "empty-cache" / "windows").exists()  # no store written


def test_the_windows_made_again_are_those_the_fold_tested(run, monkeypatch):
    from biosig.inspection._explain import _sample, _tested_windows
    from biosig.study import load_recipe

    out, data, cache = run
    header = json.loads((out / "metrics.json").read_text())["header"]
    study = load_recipe(out / "recipe.toml")
    frame = pd.read_csv(out / "predictions.csv", dtype={"record": str, "subject": str})
    sample = _sample(frame, 4, 0)
    monkeypatch.setenv("BIOSIG_CACHE", str(cache))
    stored = _tested_windows(study, header, sample, data)
    monkeypatch.setenv("BIOSIG_CACHE", str(out.parent / "other-cache"))
    rebuilt = _tested_windows(study, header, sample, data)
    np.testing.assert_array_equal(stored.X, rebuilt.X)
    assert list(rebuilt.meta["record"]) == list(sample["record"])
    np.testing.assert_allclose(rebuilt.meta["onset"], sample["onset"])
    assert list(rebuilt.y) == list(sample["true"])


def test_explain_names_what_is_missing(run, tmp_path, capsys):
    out, _, _ = run
    assert main(["explain", str(tmp_path / "nowhere")]) == 2
    assert "nowhere: no such run folder" in capsys.readouterr().err
    assert main(["explain", str(tmp_path)]) == 2
    assert f"{tmp_path / 'metrics.json'}: not a biosig run folder" in capsys.readouterr().err
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("metrics.json", "predictions.csv", "recipe.toml"):
        (copy / name).write_bytes((out / name).read_bytes())
    assert main(["explain", str(copy)]) == 2
    assert f"{copy / 'model.keras'}: not in the run folder" in capsys.readouterr().err
    assert main(["explain", str(out), "--n-windows", "0"]) == 2
    assert "n_windows must be a positive integer" in capsys.readouterr().err
    assert main(["explain", str(out), "--method", "grad_cam", "--layer", "dense"]) == 2
    assert "Grad-CAM needs a 1-D or 2-D convolution map" in capsys.readouterr().err
