import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits

from biosig.models import DBNClassifier


def test_pretrains_then_fine_tunes_on_held_out_groups():
    digits = load_digits()
    X, y = digits.data, digits.target
    groups = np.arange(len(y)) % 20
    train = groups < 15
    clf = DBNClassifier((64, 32), pretrain_epochs=5, epochs=30, random_state=0)
    assert clone(clf).get_params() == clf.get_params()
    clf.fit(X[train], y[train], groups[train])
    assert [r.n_components for r in clf.rbms_] == [64, 32]
    assert clf.rbms_[0].visible == "gaussian" and clf.rbms_[1].visible == "bernoulli"
    assert all(len(errors) == 5 for errors in clf.pretraining_errors_)
    # the fine-tuned first layer starts from the pretrained weights
    assert clf.model_.get_layer("rbm_0").get_weights()[0].shape == (64, 64)
    assert clf.score(X[~train], y[~train]) > 0.8
    proba = clf.predict_proba(X[~train][:5])
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    # fitted on feature vectors, it refuses another layout of the same numbers
    with pytest.raises(ValueError, match="X has 1 features, but DBNClassifier is expecting 64"):
        clf.predict(X.reshape(len(X), 1, 64))
