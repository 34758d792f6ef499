import numpy as np
import pytest

from biosig.training import class_weights


def test_balanced_weights_equalise_class_totals():
    y = np.array(["N"] * 90 + ["S"] * 9 + ["V"] * 1)
    w = class_weights(y)
    totals = {c: w[c] * (y == c).sum() for c in w}
    assert totals["N"] == pytest.approx(totals["S"]) == pytest.approx(totals["V"])
    assert w["V"] == pytest.approx(100 / 3)


def test_given_and_none():
    y = [0, 0, 1, 2]
    assert class_weights(y, None) == {0: 1.0, 1: 1.0, 2: 1.0}
    assert class_weights(y, {1: 5.0}) == {0: 1.0, 1: 5.0, 2: 1.0}
    with pytest.raises(ValueError, match="absent from y"):
        class_weights(y, {7: 2.0})
    with pytest.raises(ValueError, match="must be 'balanced'"):
        class_weights(y, "sqrt")
