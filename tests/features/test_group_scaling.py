import numpy as np
import pytest

from biosig.features import GroupScaler


def _subjects(rng, n=60):
    """Three subjects whose features sit at their own offsets and spreads."""
    X = np.concatenate([rng.normal(loc, scale, (n, 3))
                        for loc, scale in ((0.0, 1.0), (5.0, 3.0), (-2.0, 0.5))])
    return X, np.repeat(["A", "B", "C"], n)


def test_each_subject_on_its_own_median_and_iqr():
    X, groups = _subjects(np.random.default_rng(0))
    out = GroupScaler().fit_transform(X, groups=groups)
    assert out.dtype == np.float32
    for g in "ABC":
        rows = out[groups == g]
        np.testing.assert_allclose(np.median(rows, axis=0), 0, atol=1e-6)
        q1, q3 = np.percentile(rows, [25, 75], axis=0)
        np.testing.assert_allclose(q3 - q1, 1, rtol=1e-5)
    standard = GroupScaler("standard").fit_transform(X, groups=groups)
    for g in "ABC":
        np.testing.assert_allclose(standard[groups == g].mean(axis=0), 0, atol=1e-5)
        np.testing.assert_allclose(standard[groups == g].std(axis=0), 1, rtol=1e-5)


def test_labels_are_not_used():
    X, groups = _subjects(np.random.default_rng(1))
    y = np.random.default_rng(2).integers(0, 2, len(X))
    np.testing.assert_array_equal(GroupScaler().fit_transform(X, y, groups=groups),
                                  GroupScaler().fit_transform(X, groups=groups))


def test_an_unseen_subject_is_scaled_on_its_own_windows_only():
    X, groups = _subjects(np.random.default_rng(3))
    train, test = groups != "C", groups == "C"
    scaler = GroupScaler().fit(X[train], groups=groups[train])
    assert list(scaler.groups_) == ["A", "B"]
    alone = scaler.transform(X[test], groups=groups[test])
    np.testing.assert_allclose(alone, GroupScaler().fit_transform(X[test], groups=groups[test]))
    # with other subjects in the same call, its result does not change
    together = scaler.transform(X, groups=groups)
    np.testing.assert_array_equal(together[test], alone)
    # a subject seen in fit keeps its fitted statistics, even from a few windows
    few = scaler.transform(X[:5], groups=groups[:5])
    np.testing.assert_allclose(few, together[:5])


def test_refusals():
    X, groups = _subjects(np.random.default_rng(4))
    with pytest.raises(ValueError, match="needs the subject"):
        GroupScaler().fit(X)
    with pytest.raises(ValueError, match="10 groups for 180 windows"):
        GroupScaler().fit(X, groups=groups[:10])
    with pytest.raises(ValueError, match="method must be one of"):
        GroupScaler("minmax").fit(X, groups=groups)
    with pytest.raises(ValueError, match="fitted on 3 features, got 2"):
        GroupScaler().fit(X, groups=groups).transform(X[:, :2], groups=groups)
