"""Tabular features joined to the beat windows: RR intervals and their ratios."""

from pathlib import Path

import numpy as np
import pytest

from biosig.datasets import read_wfdb
from biosig.study import RecipeError, load_recipe
from biosig.study._inputs import tabular_features
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


def test_rr_local_ratios_need_beat_windows():
    recipe = Path(__file__).parents[2] / "recipes" / "seizure_bonn.toml"
    with pytest.raises(RecipeError, match="rr_local_ratios.*sampler = 'beat'"):
        load_recipe(recipe, ["features.tabular=['rr_local_ratios']"])
