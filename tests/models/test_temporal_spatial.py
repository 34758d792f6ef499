"""The fused EEGNet block is the three layers it replaces: outputs, statistics and one SGD step.

The reference is the block as the paper draws it (Keras' Conv2D ->
BatchNormalization -> depthwise spatial convolution as an EinsumDense), with
the same weights. Checked on this session's backend here and, on the two
smaller shapes (compiles dominate there), on the other two in one subprocess each.
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

_FAST_XLA = ("--xla_backend_optimization_level=0", "--xla_llvm_disable_expensive_passes=true",
             "--xla_cpu_use_fusion_emitters=false", "--xla_cpu_multi_thread_eigen=false")

# (batch, time, channels, kernel, F1, D): EEGNet at 160 Hz on 64 channels (spatial
# filter first), an odd kernel (spatial first), and windows shorter than the kernel
# on 3 channels (the layers' own order).
SHAPES = [(6, 480, 64, 80, 8, 2), (5, 50, 5, 7, 3, 1), (4, 30, 3, 64, 2, 3)]


def _pair(T, C, K, F, D, seed):
    from keras import layers

    from biosig.models._temporal_spatial import TemporalSpatialConv

    def net(block):
        inp = keras.Input((T, C))
        out = layers.Dense(2, activation="softmax")(layers.Flatten()(block(inp)))
        model = keras.Model(inp, out)
        model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
        return model

    def reference(inp):
        h = layers.Reshape((C, T, 1))(layers.Permute((2, 1))(inp))
        h = layers.Conv2D(F, (1, K), padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.EinsumDense("bctf,cfd->btfd", output_shape=(T, F, D))(h)
        return layers.Reshape((1, T, F * D))(h)

    ref, fused = net(reference), net(TemporalSpatialConv(F, K, D, max_norm=None))
    rng = np.random.default_rng(seed)
    conv, gamma, beta, mean, var, spatial, dense, bias = ref.get_weights()
    gamma, beta = rng.uniform(0.5, 1.5, F), rng.normal(size=F)
    mean, var = rng.normal(size=F), rng.uniform(0.5, 2.0, F)
    weights = [w.astype("float32") for w in (conv, gamma, beta, mean, var, spatial, dense, bias)]
    ref.set_weights(weights)
    # the fused layer lists its trainable weights first, as every Keras layer does
    fused.set_weights([weights[i] for i in (0, 1, 2, 5, 3, 4, 6, 7)])
    return ref, fused


def differences(shapes=SHAPES):
    """Largest |reference - fused| per shape: outputs, moving statistics, weights after a step."""
    from keras import ops

    def numpy(weights):
        return [ops.convert_to_numpy(w) for w in weights]

    out = {}
    for B, T, C, K, F, D in shapes:
        ref, fused = _pair(T, C, K, F, D, seed=T)
        rng = np.random.default_rng(K)
        x = (2.0 * rng.standard_normal((B, T, C)) + 0.5).astype("float32")
        y = np.arange(B) % 2
        row = {}
        for training in (False, True):
            a, b = (ops.convert_to_numpy(m(x, training=training)) for m in (ref, fused))
            row[f"output_{'train' if training else 'infer'}"] = float(np.abs(a - b).max())
        before = ops.convert_to_numpy(ref.layers[3].kernel)
        ref.train_on_batch(x, y)
        fused.train_on_batch(x, y)
        # conv, gamma, beta, moving mean and variance, spatial, dense kernel and bias
        r = numpy([ref.layers[3].kernel, *ref.layers[4].weights, ref.layers[5].kernel,
                   *ref.layers[-1].weights])
        block = fused.layers[1]
        f = numpy([block.temporal_kernel, block.gamma, block.beta, block.moving_mean,
                   block.moving_variance, block.spatial_kernel, *fused.layers[-1].weights])
        row["step"] = max(float(np.abs(a - b).max()) for a, b in zip(r, f))
        row["moved"] = float(np.abs(r[0] - before).max())  # the step did change the kernel
        row["spatial_first"] = bool(block._spatial_first)
        out[str((B, T, C, K, F, D))] = row
    return out


def _check(found, shapes=SHAPES):
    assert len(found) == len(shapes)
    # both orders of computation are checked: spatial filter first, and the layers' own
    assert {row["spatial_first"] for row in found.values()} == {True, False}
    for shape, row in found.items():
        assert row["moved"] > 1e-4, shape
        for key, value in row.items():
            if key not in ("moved", "spatial_first"):
                assert value < 2e-5, (shape, key, value)


def test_fused_block_is_the_three_layers():
    _check(differences())


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_fused_block_on_the_other_backends(backend):
    if backend == keras.backend.backend():
        pytest.skip("this session's backend is checked above")
    pytest.importorskip(backend)
    code = ("import json, sys; sys.path.insert(0, {!r}); import test_temporal_spatial as t; "
            "print(json.dumps(t.differences(t.SHAPES[1:])))").format(os.path.dirname(__file__))
    env = dict(os.environ, KERAS_BACKEND=backend, OMP_NUM_THREADS="1")
    if backend == "jax":  # XLA's CPU compiler at its lowest optimisation: compiles dominate
        env["XLA_FLAGS"] = " ".join([env.get("XLA_FLAGS", ""), *_FAST_XLA]).strip()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env=env, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    _check(json.loads(out.stdout.strip().splitlines()[-1]), SHAPES[1:])
