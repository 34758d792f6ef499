"""A fixed slice of benchmarks/fuzz_readers.py: biosig's readers on mutated real files.

The seeds are cut-down copies of these real files (and files written the way
the dataset tests write them): mitdb/100, mitdb/201, svdb/800 (.hea, .dat,
.atr); eegmmidb/S001/S001R04.edf; mne-testing-data EDF/chtypes_edf.edf,
EDF/test_reduced.edf, EDF/test_utf8_annotations.edf,
BDF/test_bdf_stim_channel.bdf, GDF/test_1ch.gdf; chbmit/chb01/chb01-summary.txt;
bonn/Z/Z001.txt, O/O001.txt, N/N001.TXT, F/F001.txt, S/S001.txt.
"""

import importlib.util
from pathlib import Path

import pytest

CASES = 50  # per format: 500 cases in all, a few seconds on two cores
SEED = 0

#: Every format: its reader gives clear errors and faithful reads only (issue 17).
FORMATS = ("wfdb-hea", "wfdb-dat", "wfdb-atr", "edf", "bdf", "gdf", "chbmit", "deap", "bonn",
           "store")


def _load():
    path = Path(__file__).parents[1] / "benchmarks" / "fuzz_readers.py"
    spec = importlib.util.spec_from_file_location("benchmark_fuzz_readers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fuzzed(data_dir):
    fz = _load()
    seeds = fz.build_seeds(data_dir, fz.FORMATS)
    report = fz.fuzz(seeds, fz.FORMATS, cases=CASES, seed_value=SEED, jobs=1)
    return fz, seeds, report


def test_every_format_has_an_expectation(fuzzed):
    fz, _, _ = fuzzed
    assert set(FORMATS) == set(fz.FORMATS)


def test_seeds_name_the_real_files_and_read_faithfully(fuzzed):
    _, seeds, report = fuzzed
    names = {s.name for fmt in seeds for s in seeds[fmt]}
    for real in ("mitdb/100", "mitdb/201", "svdb/800", "eegmmidb/S001/S001R04.edf",
                 "EDF/chtypes_edf.edf", "EDF/test_reduced.edf", "EDF/test_utf8_annotations.edf",
                 "BDF/test_bdf_stim_channel.bdf", "GDF/test_1ch.gdf",
                 "chbmit/chb01/chb01-summary.txt", "bonn/Z/Z001.txt", "bonn/O/O001.txt",
                 "bonn/N/N001.TXT", "bonn/F/F001.txt", "bonn/S/S001.txt"):
        assert any(real in n for n in names), real
    unfaithful = [(fmt, s) for fmt, results in report["seeds"].items() for s in results
                  if s[1] != "faithful"]
    assert not unfaithful


@pytest.mark.parametrize("fmt", FORMATS)
def test_outcomes_within_what_is_known(fuzzed, fmt):
    fz, _, report = fuzzed
    counts = report["counts"][fmt]
    assert sum(counts.values()) == CASES
    bad = {cls for cls, n in counts.items() if n and cls not in fz.GOOD}
    assert not bad, fz.format_report(report, [fmt])
