from pathlib import Path

import pytest

from biosig.models import DBNClassifier, EEGNetClassifier
from biosig.study import RecipeError, Study, load_recipe, parse_override
from biosig.study._models import MODELS
from biosig.study._pipeline import WindowInfo, check_model_fits, make_estimator
from biosig.study._samplers import SAMPLERS

RECIPES = Path(__file__).parents[2] / "recipes"
INFO = WindowInfo(128.0, ["ch0", "ch1"], (2, 512))


def _model(study):
    """The network at the end of a study's pipeline."""
    return make_estimator(study, INFO).steps[-1][1]
SHIPPED = sorted(RECIPES.glob("*.toml"))


def test_every_study_has_a_recipe():
    names = {p.stem for p in SHIPPED}
    assert names >= {"arrhythmia_mitbih", "arrhythmia_mitbih_dbn", "seizure_bonn", "seizure_chbmit",
                     "motor_imagery_eegmmi", "motor_imagery_bciiv2a", "emotion_deap"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_recipes_resolve_and_build(path):
    study = load_recipe(path)
    assert isinstance(study, Study) and study.name == path.stem
    model = _model(study)
    members = [m for _, m in model.estimators] if hasattr(model, "estimators") else [model]
    assert len(members) == study.training.ensemble
    for k, model in enumerate(members):  # an ensemble's members: seed, seed + 1, ...
        assert type(model).__name__ == MODELS[study.model.name].class_name
        if MODELS[study.model.name].network:  # the tangent-space model has no epochs
            assert model.epochs == study.training.epochs
        assert model.random_state == study.training.seed + k
    assert load_recipe(path).to_dict() == study.to_dict()  # the plan writes back as read


def test_shipped_values():
    study = load_recipe(RECIPES / "arrhythmia_mitbih.toml")
    assert study.split.kind == "inter_patient"
    assert study.split.allow_shared_groups  # 201/202: one patient
    assert (study.split.options["train"], study.split.options["test"]) == ("DS1", "DS2")
    assert study.windows.options["tmax"] == 0.45 and study.dataset.channels == ["MLII"]
    bonn = load_recipe(RECIPES / "seizure_bonn.toml")
    assert bonn.split.options["n_splits"] == 10 and "no per-segment subject" in bonn.split.note
    mi = load_recipe(RECIPES / "motor_imagery_eegmmi.toml")
    assert mi.dataset.load["runs"] == [4, 8, 12]  # a keyword of EEGMotorImagery.load
    assert isinstance(_model(mi), EEGNetClassifier) and _model(mi).kernel_length == 80


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
                                          r"allowed values: 'cnn1d', 'ra_cnn', 'mpcnn', 'eegnet'"):
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
                                          r"allowed models for it: 'cnn1d', 'ra_cnn', 'mpcnn', 'eegnet'"):
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


def test_feature_models_compute_features_in_the_pipeline_and_resample_inside_the_model(tmp_path):
    text = (BASE.replace('name = "cnn1d"', 'name = "dbn"')
            + "[features]\ninput = 'features'\nextractors = ['band_power']\n"
            + "[training]\nimbalance = 'smote'\n")
    pipeline = make_estimator(load_recipe(_write(tmp_path, text)), INFO)
    assert [name for name, _ in pipeline.steps] == ["features", "model"]
    model = pipeline.steps[1][1]
    # SMOTE runs in the model, on its training part after the early-stopping split.
    assert isinstance(model, DBNClassifier) and type(model.sampler).__name__ == "SMOTE"
    assert model.class_weight is None
    assert model.get_metadata_routing().fit.requests["groups"] is True


def test_model_that_does_not_fit_the_window_is_refused(tmp_path):
    study = load_recipe(RECIPES / "motor_imagery_eegmmi.toml", ["windows.tmax=0.1"])
    # 17 samples at 160 Hz: EEGNet's pools of 4 and 8 leave nothing.
    with pytest.raises(RecipeError, match=r"motor_imagery_eegmmi\.toml: \[model\] name = 'eegnet' "
                                          r"\(.*kernel_length = 80.*\) does not fit windows of 17 "
                                          r"samples x 64 channels from \[windows\] tmin/tmax"):
        check_model_fits(study, 64, 17)
    check_model_fits(load_recipe(RECIPES / "motor_imagery_eegmmi.toml"), 64, 481)


def test_overrides():
    assert parse_override("training.epochs=5") == ("training", "epochs", 5)
    assert parse_override("split.train=['101']") == ("split", "train", ["101"])
    assert parse_override("study.name=quick") == ("study", "name", "quick")
    assert parse_override('windows.labels={ "arousal/high" = "high" }') == (
        "windows", "labels", {"arousal/high": "high"})
    study = load_recipe(RECIPES / "arrhythmia_mitbih.toml", ["training.epochs=3"])
    assert study.training.epochs == 3
    assert study.override({"training.epochs": 5}).training.epochs == 5
    with pytest.raises(RecipeError, match="expected section.key=value"):
        parse_override("epochs=3")


def test_a_fixed_split_reads_named_lists_inline_ids_or_a_file(tmp_path):
    from biosig.datasets import MITBIHArrhythmia
    from biosig.study._data import protocol_subjects

    (tmp_path / "train.txt").write_text("# DS1 subset\n101\n106  # a comment\n\n")
    text = (RECIPES / "arrhythmia_mitbih.toml").read_text()
    path = _write(tmp_path, text.replace('train = "DS1"', 'train = "train.txt"')
                  .replace('test = "DS2"', 'test = ["100", "103"]'))
    subjects, sides = protocol_subjects(MITBIHArrhythmia(tmp_path), load_recipe(path))
    assert sides == [["101", "106"], ["100", "103"]] and subjects == ["101", "106", "100", "103"]
    bad = _write(tmp_path, text.replace('train = "DS1"', 'train = "nofile.txt"'))
    with pytest.raises(RecipeError, match=r"\[split\] train = 'nofile.txt': no such file of ids"):
        protocol_subjects(MITBIHArrhythmia(tmp_path), load_recipe(bad))


def test_cross_source_needs_a_test_dataset_and_selection_a_grid(tmp_path):
    with pytest.raises(RecipeError, match=r"kind = 'cross_source' and a \[test_dataset\] go "
                                          "together"):
        load_recipe(_write(tmp_path, BASE.replace('"stratified_kfold"', '"cross_source"')))
    with pytest.raises(RecipeError, match=r"\[test_dataset\] source = 'nope' is not a biosig"):
        load_recipe(_write(tmp_path, BASE + "[test_dataset]\nsource = 'nope'\n"))
    with pytest.raises(RecipeError, match=r"\[selection\] needs either grid"):
        load_recipe(_write(tmp_path, BASE + "[selection]\nn_splits = 3\n"))
    with pytest.raises(RecipeError, match=r"\[model\] filterz"):  # candidates are checked too
        load_recipe(_write(tmp_path, BASE + "[selection.grid]\n'model.filterz' = [[4]]\n"))
    study = load_recipe(_write(tmp_path, BASE + "[selection.grid]\n'model.dropout' = [0.1, 0.2]"
                                                "\n'training.epochs' = [1, 2]\n"))
    assert len(study.selection.candidates) == 4
    assert study.selection.candidates[1] == {"model.dropout": 0.1, "training.epochs": 2}


def test_a_candidate_can_replace_the_whole_model_table(tmp_path):
    candidates = ("[selection]\ncandidates = [{'model.dropout' = 0.1}, "
                  "{model = {name = 'ra_cnn', filters = [8, 16]}}]\n")
    study = load_recipe(_write(tmp_path, BASE + candidates))
    other = study.override(study.selection.candidates[1])
    assert other.model.name == "ra_cnn" and other.model.params == {"filters": [8, 16]}
    # the other model's keys are checked against it, not against the first model's
    with pytest.raises(RecipeError, match=r"\[model\] units"):
        load_recipe(_write(tmp_path, BASE + candidates.replace("filters = [8, 16]", "units = [4]")))
    with pytest.raises(RecipeError, match=r"\[selection\] 'model': expected section.key"):
        load_recipe(_write(tmp_path, BASE + "[selection]\ncandidates = [{model = 3}]\n"))


def test_model_augmentation_takes_the_windows_rate():
    from biosig.study._pipeline import fitted_model

    study = load_recipe(RECIPES / "arrhythmia_mitbih.toml", [
        "model.augmentation={baseline_wander={amplitude=0.3}, noise={snr_db=25}}"])
    model = fitted_model(make_estimator(study, WindowInfo(360.0, ["MLII"], (1, 252))))
    assert model.augmentation == {"baseline_wander": {"amplitude": 0.3, "sfreq": 360.0},
                                  "noise": {"snr_db": 25}}


def test_crops_and_the_trial_vote_are_checked():
    eegmmi = RECIPES / "motor_imagery_eegmmi.toml"
    study = load_recipe(eegmmi, ["windows.tmax=4.0", "windows.crop_length=3.0",
                                 "windows.crop_stride=0.25", "evaluation.vote='trial'"])
    assert SAMPLERS["event"].n_samples(study.windows.options, 160.0) == 481
    line = SAMPLERS["event"].describe(study, (64, 481), 160.0)
    assert "each cut into 5 crops of 3 s every 0.25 s" in line
    with pytest.raises(RecipeError, match=r"crop_length = 5.0 and crop_stride = 0.25: crops "
                                          r"need a positive stride and a length of at most "
                                          r"tmax - tmin = 3 s"):
        load_recipe(eegmmi, ["windows.crop_length=5.0", "windows.crop_stride=0.25"])
    with pytest.raises(RecipeError, match="crop_stride = 0: crops need a positive stride"):
        load_recipe(eegmmi, ["windows.crop_length=2.0"])
    with pytest.raises(RecipeError, match="crop_stride = 0.5 without crop_length"):
        load_recipe(eegmmi, ["windows.crop_stride=0.5"])
    load_recipe(eegmmi, ["windows.tmin=0.1", "windows.tmax=0.3", "windows.crop_length=0.2",
                         "windows.crop_stride=0.1"])  # 0.3 - 0.1 is 0.19999... in floats
    with pytest.raises(RecipeError, match=r"crops of a trial overlap, so they must stay on one "
                                          r"side of every fold; \[split\] kind = "
                                          r"'stratified_kfold' splits windows"):
        load_recipe(eegmmi, ["windows.crop_length=2.0", "windows.crop_stride=0.5",
                             "split.kind='stratified_kfold'", "split.groups='record'"])
    with pytest.raises(RecipeError, match=r"marks \['trial'\]: these names are columns"):
        load_recipe(eegmmi, ["windows.marks=['trial']"])
    with pytest.raises(RecipeError, match=r"vote = 'trial' averages the crops of each event "
                                          r"window: it needs \[windows\] sampler = 'event'"):
        load_recipe(RECIPES / "seizure_bonn.toml", ["evaluation.vote='trial'"])
