import inspect
import re

import pytest

import biosig.models as models

ESTIMATORS = [getattr(models, n) for n in models.__all__
              if inspect.isclass(getattr(models, n)) and hasattr(getattr(models, n), "get_params")]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_parameter_is_documented(cls):
    doc = cls.__doc__ or ""
    params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    documented = {name.strip() for names in re.findall(r"\n    ([\w, ]+) :", doc)
                  for name in names.split(",")}
    missing = [p for p in params if p not in documented]
    assert not missing, f"{cls.__name__} does not document {missing}"
    assert "Attributes" in doc
