"""The examples in the package's docstrings run and show what they print."""

import doctest
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "biosig"
MODULES = ["biosig.features._alignment", "biosig.features._beat_template",
           "biosig.features._group_scaling", "biosig.models._discriminant",
           "biosig.models._riemann"]


def test_every_module_with_an_example_is_listed():
    found = {".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
             for path in PACKAGE.rglob("*.py") if ">>> " in path.read_text()}
    assert found == set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0, f"{result.failed} examples failed"
