"""Euclidean alignment (He & Wu 2019): per subject, without labels, a test subject on its own."""

import numpy as np
import pytest

from biosig.features import EuclideanAlignment
from biosig.windows import WindowView


def _subjects(n_subjects=3, n_trials=30, n_channels=4, n_samples=128, seed=0):
    """Trials of subjects that differ by a random mixing of their channels."""
    rng = np.random.default_rng(seed)
    X, groups = [], []
    for s in range(n_subjects):
        mixing = rng.standard_normal((n_channels, n_channels)) + 2 * np.eye(n_channels)
        X.append(np.einsum("cd,ndt->nct", mixing,
                           rng.standard_normal((n_trials, n_channels, n_samples))))
        groups += [f"S{s}"] * n_trials
    return np.concatenate(X).astype(np.float32), np.array(groups)


def _mean_cov(X):
    X = np.asarray(X, np.float64)
    return np.einsum("nct,ndt->cd", X, X) / (X.shape[0] * X.shape[2])


def test_each_subject_aligned_on_the_identity():
    X, groups = _subjects()
    assert np.abs(_mean_cov(X[groups == "S0"]) - np.eye(4)).max() > 0.5  # not white before
    aligned = EuclideanAlignment().fit_transform(X, groups=groups)
    assert aligned.dtype == np.float32 and aligned.shape == X.shape
    for g in np.unique(groups):
        np.testing.assert_allclose(_mean_cov(aligned[groups == g]), np.eye(4), atol=1e-4)


def test_fitted_without_labels():
    X, groups = _subjects()
    y = np.tile(["left", "right"], len(X) // 2)
    plain = EuclideanAlignment().fit(X, groups=groups).transform(X, groups=groups)
    for labels in (y, np.random.default_rng(1).permutation(y)):
        np.testing.assert_array_equal(
            EuclideanAlignment().fit(X, labels, groups=groups).transform(X, groups=groups), plain)
    one = EuclideanAlignment().fit(X)  # y=None, no groups: all windows one group
    np.testing.assert_allclose(_mean_cov(one.transform(X)), np.eye(4), atol=1e-4)


def test_an_unseen_subject_is_aligned_on_its_own_trials_only():
    X, groups = _subjects(n_subjects=4)
    train, test = np.isin(groups, ["S0", "S1"]), np.isin(groups, ["S2", "S3"])
    aligner = EuclideanAlignment().fit(X[train], groups=groups[train])
    both = aligner.transform(X[test], groups=groups[test])
    s2 = groups[test] == "S2"
    alone = aligner.transform(X[test][s2], groups=groups[test][s2])
    np.testing.assert_array_equal(both[s2], alone)  # S3's trials do not change S2's
    np.testing.assert_array_equal(alone, EuclideanAlignment().fit_transform(
        X[groups == "S2"], groups=groups[groups == "S2"]))  # nor do the training subjects
    np.testing.assert_allclose(_mean_cov(both[~s2]), np.eye(4), atol=1e-4)
    # a subject seen in fit keeps its fitted reference, whatever trials come
    seen = aligner.transform(X[groups == "S0"][:5], groups=groups[groups == "S0"][:5])
    np.testing.assert_allclose(seen, aligner.transform(X[train], groups=groups[train])[:5],
                               rtol=1e-5, atol=1e-6)


def test_window_views_and_errors():
    X, groups = _subjects(n_subjects=2, n_trials=10)
    features = np.arange(len(X), dtype=np.float32)[:, None]
    view = WindowView(X, features=features, feature_names=["f"])[::2]
    out = EuclideanAlignment().fit_transform(view, groups=groups[::2])
    assert isinstance(out, WindowView) and out.feature_names == ["f"]
    np.testing.assert_array_equal(out.features, features[::2])
    np.testing.assert_allclose(np.asarray(out), EuclideanAlignment().fit_transform(
        X[::2], groups=groups[::2]), atol=1e-6)
    aligner = EuclideanAlignment().fit(X, groups=groups)
    with pytest.raises(ValueError, match="needs the group"):
        aligner.transform(X)
    with pytest.raises(ValueError, match="channels"):
        aligner.transform(X[:, :3], groups=groups)
    rank_deficient = X - X.mean(axis=1, keepdims=True)  # a common average reference
    with pytest.raises(ValueError, match="not positive definite"):
        EuclideanAlignment().fit(rank_deficient, groups=groups)
    assert np.isfinite(EuclideanAlignment(reg=1e-3).fit_transform(rank_deficient,
                                                                   groups=groups)).all()
