from pathlib import Path

import pytest

from biosig._recipe import RecipeError, load_recipe, parse_override

RECIPES = Path(__file__).parents[1] / "recipes"


def test_shipped_recipe_resolves():
    recipe = load_recipe(RECIPES / "arrhythmia_mitbih.toml")
    assert recipe["split"] == {"kind": "inter_patient", "train": "DS1", "test": "DS2",
                               "allow_shared_groups": True}  # 201/202: one patient
    assert recipe["training"]["imbalance"] == "class_weight"
    assert recipe["training"]["bootstrap"] == 1000
    assert recipe["model"]["name"] == "cnn1d"
    assert recipe["windows"]["tmax"] == 0.45


def test_imbalance_setting_lists_its_values(tmp_path):
    with pytest.raises(RecipeError, match=r"imbalance = 'smote'.*'none', 'class_weight', 'focal'"):
        load_recipe(RECIPES / "arrhythmia_mitbih.toml", ['training.imbalance="smote"'])


def _write(tmp_path, text):
    path = tmp_path / "r.toml"
    path.write_text(text)
    return path


def test_unknown_key_names_file_key_and_allowed(tmp_path):
    path = _write(tmp_path, "[model]\nname = 'cnn1d'\nfilterz = [8]\n")
    with pytest.raises(RecipeError, match=r"r\.toml: unknown key \[model\] filterz; allowed keys: name, filters"):
        load_recipe(path)


def test_wrong_type_and_choice(tmp_path):
    with pytest.raises(RecipeError, match=r"\[training\] epochs = 'ten': expected a integer"):
        load_recipe(_write(tmp_path, "[training]\nepochs = 'ten'\n"))
    with pytest.raises(RecipeError, match=r"\[model\] name = 'lstm': 'lstm' is not allowed; allowed values: 'cnn1d'"):
        load_recipe(_write(tmp_path, "[model]\nname = 'lstm'\n"))
    with pytest.raises(RecipeError, match=r"unknown section \[modle\]"):
        load_recipe(_write(tmp_path, "[modle]\nname = 'cnn1d'\n"))
    with pytest.raises(RecipeError, match="not valid TOML"):
        load_recipe(_write(tmp_path, "[model\n"))


def test_overrides():
    assert parse_override("training.epochs=5") == ("training", "epochs", 5)
    assert parse_override("split.train=['101']") == ("split", "train", ["101"])
    assert parse_override("study.name=quick") == ("study", "name", "quick")
    recipe = load_recipe(RECIPES / "arrhythmia_mitbih.toml", ["training.epochs=3"])
    assert recipe["training"]["epochs"] == 3
    with pytest.raises(RecipeError, match="expected section.key=value"):
        parse_override("epochs=3")
