from pathlib import Path

import pytest

from biosig._recipe import MODELS, RecipeError, load_recipe, parse_override
from biosig._study import check_model_fits, make_estimator
from biosig.models import DBNClassifier, EEGNetClassifier

RECIPES = Path(__file__).parents[1] / "recipes"
SHIPPED = sorted(RECIPES.glob("*.toml"))


def test_every_study_has_a_recipe():
    names = {p.stem for p in SHIPPED}
    assert names >= {"arrhythmia_mitbih", "arrhythmia_mitbih_dbn", "seizure_bonn", "seizure_chbmit",
                     "motor_imagery_eegmmi", "motor_imagery_bciiv2a", "emotion_deap"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_recipes_resolve_and_build(path):
    recipe = load_recipe(path)
    assert recipe["study"]["name"] == path.stem
    model = make_estimator(recipe)
    assert type(model).__name__ == MODELS[recipe["model"]["name"]][0]
    assert model.epochs == recipe["training"]["epochs"]
    assert model.random_state == recipe["training"]["seed"]


def test_shipped_values():
    recipe = load_recipe(RECIPES / "arrhythmia_mitbih.toml")
    assert recipe["split"]["kind"] == "inter_patient"
    assert recipe["split"]["allow_shared_groups"]  # 201/202: one patient
    assert (recipe["split"]["train"], recipe["split"]["test"]) == ("DS1", "DS2")
    assert recipe["windows"]["tmax"] == 0.45 and recipe["dataset"]["channels"] == ["MLII"]
    bonn = load_recipe(RECIPES / "seizure_bonn.toml")
    assert bonn["split"]["n_splits"] == 10 and "no per-segment subject" in bonn["split"]["note"]
    mi = load_recipe(RECIPES / "motor_imagery_eegmmi.toml")
    assert mi["dataset"]["runs"] == [4, 8, 12]  # a keyword of EEGMotorImagery.load
    assert isinstance(make_estimator(mi), EEGNetClassifier)
    assert make_estimator(mi).kernel_length == 80


def _write(tmp_path, text):
    path = tmp_path / "r.toml"
    path.write_text(text)
    return path


BASE = """
[dataset]
source = "bonn"
[windows]
sampler = "sliding"
length = 4.0
labels = { S = "ictal" }
default = "other"
[model]
name = "cnn1d"
[split]
kind = "stratified_kfold"
"""


def test_unknown_keys_name_file_section_and_allowed(tmp_path):
    with pytest.raises(RecipeError, match=r"r\.toml: unknown key \[model\] filterz; allowed "
                                          r"keys: .*filters"):
        load_recipe(_write(tmp_path, BASE.replace('name = "cnn1d"', 'name = "cnn1d"\nfilterz = [8]')))
    with pytest.raises(RecipeError, match=r"unknown key \[windows\] tmin for sampler 'sliding'; "
                                          r"allowed keys: sampler, classes, length, stride"):
        load_recipe(_write(tmp_path, BASE.replace("length = 4.0", "length = 4.0\ntmin = 0")))
    with pytest.raises(RecipeError, match=r"unknown key \[dataset\] runs; allowed keys: source, "
                                          r"subjects, channels, exclude"):
        load_recipe(_write(tmp_path, BASE.replace('source = "bonn"', 'source = "bonn"\nruns = [4]')))
    with pytest.raises(RecipeError, match=r"unknown section \[modle\]"):
        load_recipe(_write(tmp_path, BASE + "[modle]\nname = 'cnn1d'\n"))


def test_wrong_type_and_choice(tmp_path):
    with pytest.raises(RecipeError, match=r"\[training\] epochs = 'ten': expected a integer"):
        load_recipe(_write(tmp_path, BASE + "[training]\nepochs = 'ten'\n"))
    with pytest.raises(RecipeError, match=r"\[model\] name = 'lstm': 'lstm' is not allowed; "
                                          r"allowed values: 'cnn1d', 'eegnet'"):
        load_recipe(_write(tmp_path, BASE.replace('"cnn1d"', '"lstm"')))
    with pytest.raises(RecipeError, match=r"\[model\] kernel_size = 'wide': expected a integer or number"):
        load_recipe(_write(tmp_path, BASE.replace('name = "cnn1d"', 'name = "cnn1d"\nkernel_size = "wide"')))
    with pytest.raises(RecipeError, match=r"\[dataset\] source = 'physionet' is not a biosig source; "
                                          r"allowed values: 'mitdb'"):
        load_recipe(_write(tmp_path, BASE.replace('"bonn"', '"physionet"')))
    with pytest.raises(RecipeError, match="not valid TOML"):
        load_recipe(_write(tmp_path, "[model\n"))
    with pytest.raises(RecipeError, match=r"\[model\] epochs is set by biosig; use \[training\]"):
        load_recipe(_write(tmp_path, BASE.replace('name = "cnn1d"', 'name = "cnn1d"\nepochs = 3')))


def test_cross_section_checks(tmp_path):
    with pytest.raises(RecipeError, match=r"'dbn' does not take \[features\] input = 'raw'; "
                                          r"allowed models for it: 'cnn1d', 'eegnet'"):
        load_recipe(_write(tmp_path, BASE.replace('"cnn1d"', '"dbn"')))
    with pytest.raises(RecipeError, match=r"imbalance = 'smote' resamples feature vectors and needs "
                                          r"\[features\] input = 'features'"):
        load_recipe(_write(tmp_path, BASE + "[training]\nimbalance = 'smote'\n"))
    with pytest.raises(RecipeError, match=r"'inter_patient' needs train and test"):
        load_recipe(_write(tmp_path, BASE.replace('"stratified_kfold"', '"inter_patient"')))
    with pytest.raises(RecipeError, match=r"leave_one_seizure_out' needs \[evaluation\] seizure_label"):
        load_recipe(_write(tmp_path, BASE.replace('"stratified_kfold"', '"leave_one_seizure_out"')))
    with pytest.raises(RecipeError, match=r"steps = 1: 'bilstm' reads feature sequences"):
        load_recipe(_write(tmp_path, BASE.replace('name = "cnn1d"', 'name = "bilstm"')
                           + "[features]\ninput = 'features'\nextractors = ['hjorth']\n"))


def test_feature_models_resample_through_an_imblearn_pipeline(tmp_path):
    text = (BASE.replace('name = "cnn1d"', 'name = "dbn"')
            + "[features]\ninput = 'features'\nextractors = ['band_power']\n"
            + "[training]\nimbalance = 'smote'\n")
    model = make_estimator(load_recipe(_write(tmp_path, text)))
    assert [name for name, _ in model.steps] == ["resample", "model"]
    assert type(model.steps[0][1]).__name__ == "SMOTE"
    assert isinstance(model.steps[1][1], DBNClassifier) and model.steps[1][1].class_weight is None


def test_model_that_does_not_fit_the_window_is_refused(tmp_path):
    recipe = load_recipe(RECIPES / "motor_imagery_eegmmi.toml", ["windows.tmax=0.1"])
    # 17 samples at 160 Hz: EEGNet's pools of 4 and 8 leave nothing.
    with pytest.raises(RecipeError, match=r"motor_imagery_eegmmi\.toml: \[model\] name = 'eegnet' "
                                          r"\(.*kernel_length = 80.*\) does not fit windows of 17 "
                                          r"samples x 64 channels from \[windows\] tmin/tmax"):
        check_model_fits(recipe, "recipes/motor_imagery_eegmmi.toml", 64, 17)
    check_model_fits(load_recipe(RECIPES / "motor_imagery_eegmmi.toml"), "x", 64, 481)


def test_overrides():
    assert parse_override("training.epochs=5") == ("training", "epochs", 5)
    assert parse_override("split.train=['101']") == ("split", "train", ["101"])
    assert parse_override("study.name=quick") == ("study", "name", "quick")
    assert parse_override('windows.labels={ "arousal/high" = "high" }') == (
        "windows", "labels", {"arousal/high": "high"})
    recipe = load_recipe(RECIPES / "arrhythmia_mitbih.toml", ["training.epochs=3"])
    assert recipe["training"]["epochs"] == 3
    with pytest.raises(RecipeError, match="expected section.key=value"):
        parse_override("epochs=3")
