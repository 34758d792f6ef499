"""Saliency, integrated gradients and Grad-CAM: exact on a linear model, complete, and
pointing at the channel and time span that hold the class."""

import keras
import numpy as np
import pytest

from biosig.inspection import class_scores, grad_cam, integrated_gradients, saliency
from biosig.models import CNN1DClassifier

SPAN = slice(48, 80)  # a quarter of the 128 samples, in channel 1 of 2: 1/8 of the input


@pytest.fixture(scope="module")
def located():
    """A small CNN fitted where class "burst" is a burst in channel 1, samples 48-80, over noise."""
    rng = np.random.default_rng(0)
    n = 160
    X = 0.03 * rng.standard_normal((n, 2, 128)).astype(np.float32)
    y = np.array(["quiet", "burst"] * (n // 2))
    t = np.arange(SPAN.stop - SPAN.start)
    burst = np.sin(2 * np.pi * t / 8) * np.hanning(len(t))
    X[y == "burst", 1, SPAN] += burst.astype(np.float32)
    model = CNN1DClassifier(filters=(8,), kernel_size=7, dense_units=8, dropout=0.0, epochs=12,
                            learning_rate=0.01, batch_size=32, validation_fraction=0,
                            random_state=0, verbose=0)
    model.fit(X, y)
    test = 0.03 * rng.standard_normal((16, 2, 128)).astype(np.float32)
    test[::2, 1, SPAN] += burst.astype(np.float32)
    assert (model.predict(test) == np.array(["burst", "quiet"] * 8)).all()
    return model, test[::2]


def _share(maps, region):
    mass = np.abs(maps)
    return mass[region].sum() / mass.sum()


def test_attributions_fall_in_the_channel_and_span_of_the_class(located):
    model, X = located
    ig = integrated_gradients(model, X, "burst", steps=32)
    assert ig.shape == X.shape and ig.dtype == np.float32
    assert _share(ig, (slice(None), 1, SPAN)) > 0.5  # on 1/8 of the input
    # plain gradients spread over every position a pooled network reads, and less here
    assert _share(saliency(model, X, "burst"), (slice(None), 1, SPAN)) > 1 / 8
    cam = grad_cam(model, X, target="burst")  # 1-D convolutions: one row
    assert cam.shape == (len(X), 1, 128) and (cam >= 0).all()
    assert _share(cam, (slice(None), 0, SPAN)) > 0.5  # on 1/4 of the time axis


def test_integrated_gradients_are_complete(located):
    model, X = located
    baseline = np.zeros_like(X)
    ig = integrated_gradients(model, X, "burst", baseline=baseline, steps=256)
    k = list(model.classes_).index("burst")
    change = class_scores(model, X)[:, k] - class_scores(model, baseline)[:, k]
    assert np.abs(change).min() > 0.5  # a real change of the logit, not rounding
    np.testing.assert_allclose(ig.reshape(len(X), -1).sum(axis=1), change, rtol=0.01)
    # the probability is a score too: its attributions sum to the change in probability
    p = integrated_gradients(model, X[:3], "burst", steps=256, score="probability")
    change = (class_scores(model, X[:3], score="probability")[:, k]
              - class_scores(model, baseline[:3], score="probability")[:, k])
    np.testing.assert_allclose(p.reshape(3, -1).sum(axis=1), change, rtol=0.01, atol=1e-4)


def test_a_linear_model_has_exact_attributions():
    rng = np.random.default_rng(1)
    inputs = keras.Input((2, 5))
    flat = keras.layers.Flatten()(inputs)
    dense = keras.layers.Dense(3, activation="softmax")
    model = keras.Model(inputs, dense(flat))
    W, b = (ops_value(w) for w in (dense.kernel, dense.bias))
    X = rng.standard_normal((4, 2, 5)).astype(np.float32)
    target = np.array([0, 2, 1, 2])
    np.testing.assert_allclose(class_scores(model, X), X.reshape(4, -1) @ W + b, rtol=1e-5,
                               atol=1e-6)
    slopes = W[:, target].T.reshape(4, 2, 5)
    np.testing.assert_allclose(saliency(model, X, target), slopes, rtol=1e-5)
    np.testing.assert_allclose(integrated_gradients(model, X, target, steps=3), X * slopes,
                               rtol=1e-4, atol=1e-6)
    base = np.full((2, 5), 0.5, np.float32)  # one baseline for every window
    np.testing.assert_allclose(integrated_gradients(model, X, target, baseline=base, steps=3),
                               (X - base) * slopes, rtol=1e-4, atol=1e-6)
    # None explains the predicted class; batches smaller than the windows give the same
    predicted = np.argmax(X.reshape(4, -1) @ W + b, axis=1)
    np.testing.assert_allclose(saliency(model, X, batch_size=3),
                               W[:, predicted].T.reshape(4, 2, 5), rtol=1e-5)
    proba = class_scores(model, X, score="probability")
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


def test_grad_cam_of_a_layer_that_a_residual_path_passes_by():
    # logits = W' mean_t(conv(x) + skip(x)) + b: d logit_k / d conv[t, f] = W[f, k] / T
    inputs = keras.Input((3, 16))
    x = keras.layers.Permute((2, 1))(inputs)
    conv = keras.layers.Conv1D(4, 3, padding="same", name="conv")
    skip = keras.layers.Conv1D(4, 1, name="skip")(x)
    h = keras.layers.GlobalAveragePooling1D()(keras.layers.Add()([conv(x), skip]))
    dense = keras.layers.Dense(2)
    model = keras.Model(inputs, keras.layers.Activation("softmax")(dense(h)))
    X = np.random.default_rng(2).standard_normal((3, 3, 16)).astype(np.float32)
    maps = ops_value(keras.Model(inputs, conv.output)(X))  # (3, 16, 4)
    W = ops_value(dense.kernel)
    expected = np.maximum((maps * W[:, 1] / 16).sum(axis=-1), 0)[:, None, :]
    np.testing.assert_allclose(grad_cam(model, X, "conv", target=1), expected, rtol=1e-4,
                               atol=1e-7)
    # the logit of a softmax Activation is its input
    np.testing.assert_allclose(class_scores(model, X), ops_value(keras.Model(inputs, dense.output)(X)),
                               rtol=1e-5, atol=1e-6)


def ops_value(variable):
    return keras.ops.convert_to_numpy(variable)


def test_bad_input_is_refused_with_a_reason(located):
    model, X = located
    with pytest.raises(ValueError, match=r"target names classes \['noise'\]"):
        saliency(model, X, "noise")
    with pytest.raises(ValueError, match="one per window"):
        saliency(model, X, ["burst", "quiet"])
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        integrated_gradients(model, X, steps=0)
    with pytest.raises(ValueError, match="does not broadcast"):
        integrated_gradients(model, X, baseline=np.zeros(7))
    with pytest.raises(ValueError, match="score must be 'logit' or 'probability'"):
        saliency(model, X, score="softmax")
    with pytest.raises(ValueError, match="fitted on windows of shape"):
        saliency(model, X[:, :, :64])
    with pytest.raises(ValueError, match="has no layer 'conv9'; its convolutions: \\['conv0'\\]"):
        grad_cam(model, X, "conv9")
    with pytest.raises(ValueError, match="not a fitted Keras classifier"):
        saliency(CNN1DClassifier(), X)
    with pytest.raises(TypeError, match="a keras.Model, got str"):
        saliency("model.keras", X)
    dense = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match="no convolution layer for Grad-CAM"):
        grad_cam(dense, np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"class indices in \[0, 2\)"):
        saliency(dense, np.zeros((2, 4), np.float32), target=2)
