"""EEGNet's first block as one layer, computed spatial filter first.

EEGNet (and EEG-TCNet and ATCNet after it) open with a temporal convolution
of every channel (``F1`` kernels), a batch norm, and a depthwise spatial
convolution (``D`` filters over all channels per temporal map). Written as
three layers, the temporal convolution and the batch norm run on a
(channels x time x F1) tensor: about 20 M multiply-adds per 64-channel,
480-sample window, most of a training step on a CPU.

The three maps are linear, so the same function is the spatial filters
applied first (``F1 * D`` maps, no channel axis left) and the temporal kernel
of each map after, with the batch norm's scale and shift carried through. Only
the batch-norm statistics in training need the temporal convolution's
output; its mean and variance are a linear and a quadratic form in the
kernel, whose coefficients (the input's windowed sums and lagged products)
are computed from the input directly. The weights, their shapes and
initialisations, the moving statistics and the outputs are those of the
three layers; the forward pass costs about 20x less. With few channels (a
single-channel Bonn segment), where spatial filtering first saves nothing,
the layer computes in the three layers' own order.
"""

import keras
import numpy as np
from keras import constraints, layers, ops

__all__ = []


def _diagonal_tables(K):
    """Index tables over a (K-1, 2K-2) Gram block: entry (lag, i) -> (i, i + lag)."""
    lag = np.arange(K)[:, None]
    i = np.arange(K - 1)[None, :]
    return (i * (2 * K - 2) + i + lag).astype("int32")


@keras.saving.register_keras_serializable(package="biosig")
class TemporalSpatialConv(layers.Layer):
    """Temporal convolution -> batch norm -> depthwise spatial convolution, fused.

    Takes (batch, time, channels) and returns (batch, 1, time, filters *
    depth_multiplier), the layout of EEGNet's ``Conv2D(F1, (1, K), "same",
    use_bias=False)`` -> ``BatchNormalization()`` -> depthwise
    ``(channels, 1)`` convolution (no bias, max-norm on each spatial filter),
    with the same weights: ``temporal_kernel`` (1, K, 1, F1), ``gamma``,
    ``beta``, ``moving_mean``, ``moving_variance`` (F1,) and
    ``spatial_kernel`` (channels, F1, D).

    Parameters
    ----------
    filters : int
        Temporal kernels (``F1``).
    kernel_length : int
        Samples per temporal kernel; "same" padding as Keras pads it
        (``(K - 1) // 2`` zeros before).
    depth_multiplier : int
        Spatial filters per temporal map (``D``).
    max_norm : float | None
        Max-norm of each spatial filter (over channels).
    momentum, epsilon : float
        Of the batch norm, as ``keras.layers.BatchNormalization``.
    """

    def __init__(self, filters, kernel_length, depth_multiplier, *, max_norm=1.0,
                 momentum=0.99, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_length = kernel_length
        self.depth_multiplier = depth_multiplier
        self.max_norm = max_norm
        self.momentum = momentum
        self.epsilon = epsilon

    def build(self, input_shape):
        K, F, D, C = self.kernel_length, self.filters, self.depth_multiplier, input_shape[-1]
        self.temporal_kernel = self.add_weight(name="temporal_kernel", shape=(1, K, 1, F),
                                               initializer="glorot_uniform")
        self.gamma = self.add_weight(name="gamma", shape=(F,), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(F,), initializer="zeros")
        self.moving_mean = self.add_weight(name="moving_mean", shape=(F,), initializer="zeros",
                                           trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=(F,),
                                               initializer="ones", trainable=False)
        constraint = None if self.max_norm is None else constraints.MaxNorm(self.max_norm, axis=0)
        self.spatial_kernel = self.add_weight(name="spatial_kernel", shape=(C, F, D),
                                              initializer="glorot_uniform", constraint=constraint)
        # R[k, k'] = A[|k-k'|] - head[lag, min] - tail[lag, min], as flat indices.
        k = np.arange(K)
        lag = np.abs(k[:, None] - k[None, :])
        first = np.minimum(k[:, None], k[None, :])
        self._lag_index = lag.astype("int32")
        self._table_index = (lag * K + first).astype("int32")
        self._diagonal = _diagonal_tables(K)
        # Spatial filter first where it saves multiply-adds by 2x or more (many channels):
        # K per sample and channel for each kernel, against K per map plus the spatial
        # filter's C per map. With few channels (one, on Bonn) the layers' own order is
        # cheaper, and its few ops cost less per step.
        self._spatial_first = C * K >= 2 * (D * K + C * D)

    def _moments(self, x, kernel):
        """Batch mean and (biased) variance of the temporal convolution's output, per kernel."""
        K = self.kernel_length
        time, channels = x.shape[1], x.shape[2]
        left = (K - 1) // 2
        n = ops.cast(ops.shape(x)[0] * channels * time, x.dtype)
        # The padded signal, with K extra zeros so that every lag stays in range.
        xp = ops.pad(x, [(0, 0), (left, K - 1 - left + K), (0, 0)])
        # Mean: the kernel against the sums of the input over each kernel tap's window.
        total = ops.cumsum(ops.sum(xp, axis=(0, 2)))
        total = ops.concatenate([ops.zeros((1,), x.dtype), total])
        window_sum = total[time:time + K] - total[:K]
        mean = ops.matmul(window_sum[None, :], kernel)[0] / n
        # Second moment: kernel' R kernel, R[k, k'] the lag-|k-k'| product summed over
        # the output window; the full-signal lagged sums by FFT, less the edges.
        size = 1 << int(np.ceil(np.log2(time + K)))
        real, imag = ops.rfft(ops.transpose(x, (0, 2, 1)), fft_length=size)
        power = ops.sum(real * real + imag * imag, axis=(0, 1))
        lagged = ops.irfft((power, ops.zeros_like(power)), fft_length=size)[:K]
        head = ops.einsum("bic,bjc->ij", xp[:, :K - 1], xp[:, :2 * K - 2])
        tail = ops.einsum("bic,bjc->ij", xp[:, time:time + K - 1], xp[:, time:time + 2 * K - 2])
        head = ops.take(ops.reshape(head, (-1,)), self._diagonal)          # (lag, position)
        tail = ops.take(ops.reshape(tail, (-1,)), self._diagonal)
        zero = ops.zeros((K, 1), x.dtype)
        before = ops.concatenate([zero, ops.cumsum(head, axis=1)], axis=1)[:, :K]
        after = ops.flip(ops.cumsum(ops.flip(tail, axis=1), axis=1), axis=1)
        after = ops.concatenate([after, zero], axis=1)[:, :K]
        products = (ops.take(lagged, self._lag_index)
                    - ops.take(ops.reshape(before, (-1,)), self._table_index)
                    - ops.take(ops.reshape(after, (-1,)), self._table_index))
        square = ops.einsum("kf,kj,jf->f", kernel, products, kernel) / n
        return mean, ops.maximum(square - mean * mean, 0.0)

    def _update(self, mean, variance):
        self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(self.moving_variance * self.momentum
                                    + variance * (1.0 - self.momentum))

    def _statistics(self, training, batch_moments):
        """The batch norm's mean and variance: ``batch_moments()`` in training (updating
        the moving ones), else the moving ones."""
        if not training:
            return self.moving_mean, self.moving_variance
        mean, variance = batch_moments()
        self._update(mean, variance)
        return mean, variance

    def _direct(self, x, kernel, training):
        """The three layers in their own order, for few channels (where that is cheaper)."""
        K, F, D = self.kernel_length, self.filters, self.depth_multiplier
        time, channels = x.shape[1], x.shape[2]
        left = (K - 1) // 2
        rows = ops.reshape(ops.transpose(x, (0, 2, 1)), (-1, time, 1))
        rows = ops.pad(rows, [(0, 0), (left, K - 1 - left), (0, 0)])
        y = ops.conv(rows, kernel[:, None, :], strides=1, padding="valid")
        y = ops.reshape(y, (-1, channels, time, F))

        def batch_moments():
            stats = ops.cast(y, "float32")
            mean = ops.mean(stats, axis=(0, 1, 2))
            return mean, ops.mean(ops.square(stats - mean), axis=(0, 1, 2))

        mean, variance = self._statistics(training, batch_moments)
        scale = self.gamma * ops.rsqrt(variance + self.epsilon)
        y = y * ops.cast(scale, x.dtype) + ops.cast(self.beta - scale * mean, x.dtype)
        y = ops.einsum("bctf,cfd->btfd", y, ops.cast(self.spatial_kernel, x.dtype))
        return ops.reshape(y, (-1, time, F * D))

    def call(self, x, training=None):
        K, F, D = self.kernel_length, self.filters, self.depth_multiplier
        x = ops.cast(x, self.compute_dtype)
        kernel = ops.cast(self.temporal_kernel[0, :, 0, :], x.dtype)       # (K, F1)
        if not self._spatial_first:
            return ops.expand_dims(self._direct(x, kernel, training), 1)
        mean, variance = self._statistics(training, lambda: self._moments(
            ops.cast(x, "float32"), ops.cast(kernel, "float32")))
        scale = self.gamma * ops.rsqrt(variance + self.epsilon)
        shift = self.beta - scale * mean
        spatial = ops.cast(ops.reshape(self.spatial_kernel, (x.shape[-1], F * D)), x.dtype)
        maps = ops.matmul(x, spatial)                                      # (batch, time, F1*D)
        left = (K - 1) // 2
        maps = ops.pad(maps, [(0, 0), (left, K - 1 - left), (0, 0)])
        taps = ops.repeat(kernel, D, axis=1)[:, :, None]                   # (K, F1*D, 1)
        y = ops.depthwise_conv(maps, taps, strides=1, padding="valid")
        gain = ops.cast(ops.repeat(scale, D), x.dtype)
        # The shift passes through the spatial filter as shift times its sum.
        offset = ops.repeat(shift, D) * ops.reshape(ops.sum(self.spatial_kernel, axis=0), (-1,))
        offset = ops.cast(offset, x.dtype)
        y = y * gain + offset
        return ops.expand_dims(y, 1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1, input_shape[1], self.filters * self.depth_multiplier)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_length": self.kernel_length,
                "depth_multiplier": self.depth_multiplier, "max_norm": self.max_norm,
                "momentum": self.momentum, "epsilon": self.epsilon}
