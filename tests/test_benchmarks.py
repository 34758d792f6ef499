"""Every script in benchmarks/ runs to completion on its smallest configuration.

The benchmarks are run on purpose, at full size, and their numbers go to the
README; this smoke run keeps each of them importable and working, on the
backend the suite runs on, so that none rots between runs.
"""

import importlib.util
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
pytestmark = pytest.mark.slow

#: The smallest configuration of each benchmark; ``{data}`` is the real-data folder.
SMOKE = {
    # --detected is left out: it runs the same code on detected beats (tests/preprocessing).
    "arrhythmia_mitbih": ["--data-dir", "{data}", "--records", "101", "106", "100", "--epochs", "1",
                          "--repeat", "1", "--bootstrap", "20", "--detection",
                          "--detection-records", "100",
                          "--inner-folds", "2", "--set", "training.patience=1"],
    "bootstrap": ["--data-dir", "{data}", "--records", "100", "103", "--resamples", "50",
                  "--reference-resamples", "2"],
    "features": ["--windows", "64", "--loop-windows", "8", "--repeat", "1",
                 "--stream-windows", "512"],
    # A handful of mutated files per format, one worker, no example listing.
    "fuzz_readers": ["--data-dir", "{data}", "--cases", "5", "--jobs", "1", "--examples", "0"],
    "imbalance_mitbih": ["--data-dir", "{data}", "--records", "101", "100", "--epochs", "1",
                         "--bootstrap", "20", "--settings", "focal", "threshold"],
    # One model of each kind of fit: plain, pretrained, and the anomaly detector's own.
    "memory": ["--data-dir", "{data}", "--sizes", "2", "--epochs", "1", "--bootstrap", "10"],
    "models": ["--repeat", "1", "--epochs", "2", "--rbm-settings", "1", "--train-epochs", "1",
               "--scale", "0.05", "--backends", "tensorflow", "--skip-braindecode",
               "--models", "CNN1DClassifier", "DBNClassifier", "AutoencoderAnomalyDetector"],
    # The braindecode EEGNet peer on four named subjects (two per training side); the ATCNet
    # peer takes the same loop, and its biosig run (one more recipe run) costs the suite 45 s.
    "studies": ["--data-dir", "{data}", "--only", "seizure_bonn", "--quick",
                "--set", "split.n_splits=2", "--set", "training.epochs=1",
                "--set", "training.bootstrap=20",
                "--peers", "--peer-models", "eegnet", "--peer-subjects", "S002", "S003", "S004",
                "S005"],
}


def _load(name):
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_benchmark_has_a_smoke_configuration():
    # private helpers (_braindecode.py) are not benchmarks
    assert {p.stem for p in BENCHMARKS.glob("[!_]*.py")} == set(SMOKE)


@pytest.mark.parametrize("name", sorted(SMOKE))
def test_benchmark_runs_to_completion(name, data_dir, capsys):
    args = [a.replace("{data}", str(data_dir)) for a in SMOKE[name]]
    _load(name).main(args)
    out = capsys.readouterr().out
    assert out.strip(), f"benchmarks/{name}.py printed nothing"
    assert "failed" not in out.lower(), out[-2000:]


def test_studies_prints_the_chosen_candidate_beside_its_inner_score(tmp_path):
    # selection.csv as the study engine writes it: a candidate per row and outer fold
    (tmp_path / "selection.csv").write_text(
        "fold,training.threshold_class,inner f1:S,chosen\n0,,0.044,False\n0,S,0.050,True\n")
    line = _load("studies")._selection(tmp_path)
    assert line == "fold 0: training.threshold_class=S (inner f1:S 0.050; others 0.044)"
    assert _load("studies")._selection(tmp_path / "absent") == ""
