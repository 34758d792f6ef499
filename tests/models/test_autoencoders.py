import keras
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score

from biosig.models import AutoencoderAnomalyDetector, StackedDenoisingAutoencoderClassifier


def test_sdae_pretrains_each_layer_then_classifies_held_out_groups():
    digits = load_digits()
    X, y = digits.data, digits.target
    groups = np.arange(len(y)) % 20
    train = groups < 15
    clf = StackedDenoisingAutoencoderClassifier((64, 32), pretrain_epochs=8, epochs=30,
                                                random_state=0)
    clf.fit(X[train], y[train], groups[train])
    assert [w.shape for w, _ in clf.encoders_] == [(64, 64), (64, 32)]
    for errors in clf.pretraining_errors_:
        assert errors[-1] < errors[0]  # each denoising autoencoder learns
    np.testing.assert_allclose(clf.model_.get_layer("encoder_1").get_weights()[0].shape, (64, 32))
    assert clf.score(X[~train], y[~train]) > 0.85


def _beats(n, rng, anomalous=False):
    t = np.linspace(0, 1, 128)
    X = np.exp(-0.5 * ((t - 0.4) / 0.02) ** 2) - 0.2 * np.exp(-0.5 * ((t - 0.7) / 0.06) ** 2)
    X = np.tile(X, (n, 1)) * rng.uniform(0.9, 1.1, (n, 1))
    if anomalous:  # a wide, inverted complex
        X = -np.exp(-0.5 * ((t - 0.45) / 0.08) ** 2) * rng.uniform(0.6, 1.0, (n, 1))
    return (X + 0.02 * rng.standard_normal(X.shape))[:, None, :].astype(np.float32)


def test_anomaly_detector_trained_on_normal_beats_only():
    rng = np.random.default_rng(0)
    normal = _beats(400, rng)
    groups = np.arange(400) // 40
    epochs = []
    seen = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: epochs.append(epoch))
    det = AutoencoderAnomalyDetector((32, 8), quantile=0.95, epochs=60, callbacks=[seen],
                                     random_state=0)
    det.fit(normal, groups=groups)
    assert len(epochs) == len(det.history_["loss"])  # the callback saw every epoch
    held_out, odd = _beats(200, rng), _beats(50, rng, anomalous=True)
    scores = np.concatenate([det.score_samples(held_out), det.score_samples(odd)])
    truth = np.r_[np.zeros(200), np.ones(50)]
    assert roc_auc_score(truth, -scores) > 0.99
    assert (det.predict(odd) == -1).mean() > 0.95
    # about 1 - quantile of new normal beats are flagged
    assert (det.predict(held_out) == -1).mean() < 0.15
    np.testing.assert_allclose(det.decision_function(odd), det.score_samples(odd) + det.threshold_)
