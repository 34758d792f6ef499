"""Tabular features joined to the beat windows: RR intervals, their ratios and the rhythm."""

from pathlib import Path

import numpy as np
import pytest

from biosig.datasets import read_wfdb
from biosig.study import RecipeError, load_recipe
from biosig.study._inputs import RR_RHYTHM, rr_rhythm, tabular_features
from biosig.windows import BeatSampler

RECIPE = Path(__file__).parents[2] / "recipes" / "arrhythmia_mitbih.toml"


@pytest.fixture
def premature_beat(make_record):
    """A steady 1 s rhythm with one beat 0.4 s early (beat 5, an A) and its pause."""
    beats = [360 * k for k in range(1, 5)] + [1656, 2160] + [360 * k for k in range(7, 12)]
    symbols = ["N"] * 4 + ["A", "N"] + ["N"] * 5
    path, _ = make_record(n=4500, beats=beats, symbols=symbols)
    return BeatSampler(-0.25, 0.45, local_beats=4, progress=False).sample([read_wfdb(path)])


def test_rr_local_ratios_mark_the_premature_beat(premature_beat):
    study = load_recipe(RECIPE, ["features.tabular=['rr', 'rr_local_ratios']"])
    values, names = tabular_features(study, premature_beat)
    assert names[-3:] == ["rr_prev_over_local", "rr_next_over_local", "rr_next_over_prev"]
    assert values.shape == (len(premature_beat.y), 7 + 3) and values.dtype == np.float32
    meta = premature_beat.meta
    ratios = dict(zip(names, values.T))
    np.testing.assert_allclose(ratios["rr_prev_over_local"], meta["rr_prev"] / meta["rr_local"],
                               rtol=1e-6)
    np.testing.assert_allclose(ratios["rr_next_over_prev"], meta["rr_next"] / meta["rr_prev"],
                               rtol=1e-6)
    early = np.flatnonzero(premature_beat.y == "S").item()
    # 0.6 s after a 1 s beat, then a 1.4 s pause: the local mean of four intervals is 1 s
    assert ratios["rr_prev_over_local"][early] == pytest.approx(0.6)
    assert ratios["rr_next_over_local"][early] == pytest.approx(1.4)
    assert ratios["rr_next_over_prev"][early] == pytest.approx(1.4 / 0.6)
    steady = premature_beat.meta["sample"].to_numpy() < 1400
    np.testing.assert_allclose(ratios["rr_next_over_prev"][steady], 1.0, rtol=1e-6)


def test_rr_rhythm_tells_an_early_beat_in_a_steady_rhythm_from_an_irregular_rhythm(make_record):
    """A record with one beat 0.4 s early in a steady 1 s rhythm, and a record whose
    intervals are drawn uniformly from 0.5-1.1 s (as in atrial fibrillation), cut together:
    each is measured on its own beats."""
    steady = [360 * k for k in range(1, 5)] + [1656, 2160] + [360 * k for k in range(7, 12)]
    steady_path, _ = make_record("steady", n=4500, beats=steady,
                                 symbols=["N"] * 4 + ["A", "N"] + ["N"] * 5)
    rr = np.random.default_rng(1).uniform(0.5, 1.1, 30)
    irregular = np.round(360 * (0.5 + np.cumsum(rr))).astype(int)
    irregular_path, _ = make_record("irregular", n=int(irregular[-1]) + 360, beats=irregular,
                                    symbols=["N"] * len(irregular))
    sampler = BeatSampler(-0.25, 0.45, local_beats=4, progress=False)
    both = sampler.sample([read_wfdb(steady_path), read_wfdb(irregular_path)])
    study = load_recipe(RECIPE, ["features.tabular=['rr_rhythm']", "windows.local_beats=4"])
    values, names = tabular_features(study, both)
    assert names == list(RR_RHYTHM) and values.shape == (len(both.y), 3)
    irregularity, prematurity, ratio = values.T
    on_steady = both.meta["record"].to_numpy() == "steady"
    early = np.flatnonzero(both.y == "S").item()
    # over the 9 beats around it the median RR is 1 s and its median deviation 0: the
    # 0.6 s interval is 0.4 s early, 40 times the floor of 1 % of the median
    assert ratio[early] == pytest.approx(0.6)
    assert prematurity[early] == pytest.approx(40.0)
    np.testing.assert_allclose(irregularity[on_steady], 0.0, atol=1e-6)
    assert (irregularity[~on_steady] > 0.1).all()
    assert (np.abs(prematurity[~on_steady]) < 5).all()
    # the steady record's values do not depend on the record cut beside it
    alone, _ = tabular_features(study, sampler.sample([read_wfdb(steady_path)]))
    np.testing.assert_allclose(alone, values[on_steady], rtol=1e-6)


def test_rr_rhythm_takes_each_records_beats_in_time_order_over_its_window():
    """Rows shuffled, and two cohorts with a record of the same name: each record is
    read in sample order on its own; the window is 2 * half + 1 beats wide."""
    import pandas as pd

    rr = np.array([1.0] * 6 + [0.5] + [1.0] * 6)  # beat 6 is 0.5 s early
    steady = pd.DataFrame({"record": "100", "cohort": "train", "sample": np.arange(13) * 360,
                           "rr_prev": rr})
    other = steady.assign(cohort="test", rr_prev=rr * 0.8)
    meta = pd.concat([steady, other], ignore_index=True)
    order = np.random.default_rng(0).permutation(len(meta))
    values = rr_rhythm(meta.iloc[order].reset_index(drop=True), 2)
    back = np.empty_like(values)
    back[order] = values
    np.testing.assert_allclose(back[:13], rr_rhythm(steady, 2))
    np.testing.assert_allclose(back[13:], rr_rhythm(other.drop(columns="cohort"), 2))
    irregularity, prematurity, ratio = back[:13].T
    assert prematurity[6] == pytest.approx(50.0) and ratio[6] == pytest.approx(0.5)
    # two successive differences of 0.5 (into beat 6 and out of it) among five: median 0
    np.testing.assert_allclose(irregularity, 0.0, atol=1e-12)
    # three early beats in a row fill the middle of a 5-beat window, not of a 7-beat one
    run = pd.DataFrame({"record": "r", "sample": np.arange(13),
                        "rr_prev": [1.0] * 5 + [0.5] * 3 + [1.0] * 5})
    assert rr_rhythm(run, 2)[6, 2] == pytest.approx(1.0)  # median 0.5: no longer early
    assert rr_rhythm(run, 3)[6, 2] == pytest.approx(0.5)


def test_rr_local_ratios_need_beat_windows():
    recipe = Path(__file__).parents[2] / "recipes" / "seizure_bonn.toml"
    with pytest.raises(RecipeError, match="rr_local_ratios.*sampler = 'beat'"):
        load_recipe(recipe, ["features.tabular=['rr_local_ratios']"])


def test_beat_template_compares_each_record_with_its_own_median_beat(make_record):
    """Two written records cut into one set of windows: each record's beats are compared
    with that record's median beat alone."""
    beats = [360 * k for k in range(1, 12)]
    # the second record's beats sit 0.1 s later on the same signal: other windows
    paths = [make_record(name, n=4500, beats=[b + shift for b in beats], symbols=["N"] * 11)[0]
             for name, shift in (("first", 0), ("second", 36))]
    sampler = BeatSampler(-0.25, 0.45, progress=False)
    study = load_recipe(RECIPE, ["features.tabular=['rr', 'beat_template']"])
    values, names = tabular_features(study, sampler.sample([read_wfdb(p) for p in paths]))
    assert names[7:] == [f"{c}_{s}_{k}" for c in ("MLII", "V1") for s in ("p", "qrs", "t")
                         for k in ("correlation", "difference")]
    first, _ = tabular_features(study, sampler.sample([read_wfdb(paths[0])]))
    second, _ = tabular_features(study, sampler.sample([read_wfdb(paths[1])]))
    np.testing.assert_allclose(values, np.concatenate([first, second]), rtol=1e-6)
    assert not np.allclose(first[:, 7:], second[:, 7:], rtol=1e-3)
