"""EEG augmentation: Keras layers active in training only, and mixup of the training batches.

The layers follow the definitions of braindecode's transforms (Rommel et al.
2022) and the conventions of :mod:`biosig.models._augment`: they take the
standardised windows laid out ``(batch, time, channels)``, are the identity
at inference, draw from a seeded :class:`keras.random.SeedGenerator` and are
written with ``keras.ops`` only, so they run inside the compiled training
step on TensorFlow, JAX and PyTorch, on the device. Each splits its work into
``draw`` (the random parameters of a batch) and ``apply`` (the deterministic
transform of those), so a test can check the transform against the draw.

Mixup changes the targets, so it is not a layer: :class:`MixupBatches` mixes
the training batches as they are read (NumPy, seeded, float32).

References
----------
Rommel C, Paillard J, Moreau T, Gramfort A. Data augmentation for
learning predictive models on EEG: a systematic comparison. J Neural Eng
19(6):066020 (2022).
"""

import math

import keras
import numpy as np
from keras import ops

from ._augment import _Augmentation, register
from ._batches import WindowBatches

__all__ = ["ChannelDropout", "FTSurrogate", "FrequencyShift", "MixupBatches", "SignFlip",
           "TimeMask"]


def _probability(name, p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {p}")
    return float(p)


class _EEGAugmentation(_Augmentation):
    """``augment`` is ``apply(x, draw(x))``."""

    def augment(self, x):
        return self.apply(x, self.draw(x))

    def _time_length(self, x):
        n = x.shape[1]
        if n is None:
            raise ValueError(f"{type(self).__name__} needs windows of a known length")
        return int(n)


@register("time_mask")
@keras.saving.register_keras_serializable(package="biosig")
class TimeMask(_EEGAugmentation):
    """Zero one random span of ``mask_len`` samples of each trial, on every channel.

    braindecode's ``SmoothTimeMask``, with sharp edges: the span starts at a
    sample drawn uniformly from ``0 .. n_samples - mask_len``.

    Parameters
    ----------
    mask_len : int
        Length of the span, in samples.
    seed : int | None
    """

    def __init__(self, mask_len=100, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        if int(mask_len) != mask_len or mask_len < 0:
            raise ValueError(f"mask_len must be a whole number of samples, got {mask_len}")
        self.mask_len = int(mask_len)

    def draw(self, x):
        """The first masked sample of each trial, shape (batch, 1, 1), int32."""
        n = self._time_length(x)
        if self.mask_len > n:
            raise ValueError(f"mask_len={self.mask_len} exceeds the window's {n} samples")
        return keras.random.randint((ops.shape(x)[0], 1, 1), 0, n - self.mask_len + 1,
                                    dtype="int32", seed=self.seed_generator)

    def apply(self, x, start):
        t = ops.arange(self._time_length(x), dtype="int32")[None, :, None]
        keep = ops.logical_or(t < start, t >= start + self.mask_len)
        return x * ops.cast(keep, x.dtype)

    def get_config(self):
        return {**super().get_config(), "mask_len": self.mask_len}


@register("channel_dropout")
@keras.saving.register_keras_serializable(package="biosig")
class ChannelDropout(_EEGAugmentation):
    """Zero each channel of each trial with probability ``p`` (braindecode's ``ChannelsDropout``).

    The kept channels are not rescaled.

    Parameters
    ----------
    p : float
        Probability of dropping a channel.
    seed : int | None
    """

    def __init__(self, p=0.2, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.p = _probability("p", p)

    def draw(self, x):
        """Which channels are kept, shape (batch, 1, channels), in ``x``'s dtype (1 or 0)."""
        u = self._uniform(x, 0.0, 1.0, per_channel=True)
        return ops.cast(u >= self.p, x.dtype)

    def apply(self, x, keep):
        return x * keep

    def get_config(self):
        return {**super().get_config(), "p": self.p}


@register("sign_flip")
@keras.saving.register_keras_serializable(package="biosig")
class SignFlip(_EEGAugmentation):
    """With probability ``p``, negate the whole trial (braindecode's ``SignFlip``).

    Parameters
    ----------
    p : float
        Probability of flipping a trial.
    seed : int | None
    """

    def __init__(self, p=0.5, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.p = _probability("p", p)

    def draw(self, x):
        """The sign of each trial, shape (batch, 1, 1): -1 or 1."""
        return 1.0 - 2.0 * ops.cast(self._uniform(x, 0.0, 1.0) < self.p, x.dtype)

    def apply(self, x, sign):
        return x * sign

    def get_config(self):
        return {**super().get_config(), "p": self.p}


def _time_first(x):
    """(batch, time, channels) in float32 -> (batch, channels, time), for the FFTs."""
    return ops.transpose(ops.cast(x, "float32"), (0, 2, 1))


@register("frequency_shift")
@keras.saving.register_keras_serializable(package="biosig")
class FrequencyShift(_EEGAugmentation):
    """Shift the spectrum of each trial by ``df`` Hz drawn uniformly in ``[-max_shift, max_shift]``.

    braindecode's ``FrequencyShift``: the analytic signal ``z`` of each
    channel (its FFT with the negative frequencies removed, the window
    zero-padded to a power of two) is multiplied by ``exp(2i pi df t)`` and
    its real part kept, so a component at ``f`` Hz moves to ``f + df``. All
    channels of a trial share its ``df``.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows, in Hz.
    max_shift : float
        Largest shift, in Hz.
    seed : int | None
    """

    needs_sfreq = True

    def __init__(self, sfreq, max_shift=2.0, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        if sfreq is None or sfreq <= 0 or max_shift < 0:
            raise ValueError(f"frequency_shift needs sfreq > 0 and max_shift >= 0, got "
                             f"sfreq={sfreq}, max_shift={max_shift}")
        self.sfreq, self.max_shift = float(sfreq), float(max_shift)

    def draw(self, x):
        """The shift of each trial in Hz, shape (batch, 1, 1)."""
        return self._uniform(x, -self.max_shift, self.max_shift)

    def apply(self, x, shift):
        n = self._time_length(x)
        n_fft = 2 ** math.ceil(math.log2(max(n, 1)))
        z = ops.pad(_time_first(x), [(0, 0), (0, 0), (0, n_fft - n)])
        # the analytic signal's spectrum: the positive frequencies doubled, the negative dropped
        h = np.zeros(n_fft, dtype="float32")
        h[0] = 1.0
        h[1:(n_fft + 1) // 2] = 2.0
        if n_fft % 2 == 0:
            h[n_fft // 2] = 1.0
        real, imag = ops.fft((z, ops.zeros_like(z)))
        h = ops.convert_to_tensor(h)
        # keras.ops has no ifft: ifft(Z) = conj(fft(conj(Z))) / n_fft
        real, imag = ops.fft((real * h, -imag * h))
        real, imag = real[..., :n] / n_fft, -imag[..., :n] / n_fft
        t = ops.arange(n, dtype="float32") / self.sfreq
        phase = 2.0 * math.pi * ops.cast(shift, "float32") * t  # (batch, 1, n)
        out = real * ops.cos(phase) - imag * ops.sin(phase)
        return ops.cast(ops.transpose(out, (0, 2, 1)), x.dtype)

    def get_config(self):
        return {**super().get_config(), "sfreq": self.sfreq, "max_shift": self.max_shift}


@register("ft_surrogate")
@keras.saving.register_keras_serializable(package="biosig")
class FTSurrogate(_EEGAugmentation):
    """Fourier-transform surrogate: random phases for each trial's spectrum, the same magnitude.

    braindecode's ``FTSurrogate``: every frequency bin but the constant and
    (for an even length) the Nyquist one is turned by a phase drawn
    uniformly in ``[0, 2 pi * phase_noise_magnitude)``; the inverse real FFT
    gives a real window with the amplitude spectrum of the original.

    Parameters
    ----------
    phase_noise_magnitude : float
        Share of the full turn the phases are drawn from, in [0, 1].
    channel_indep : bool
        Draw the phases per channel (True) or once per trial for all its
        channels (False, which keeps the cross-channel phase relations).
    seed : int | None
    """

    def __init__(self, phase_noise_magnitude=1.0, channel_indep=False, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.phase_noise_magnitude = _probability("phase_noise_magnitude",
                                                  phase_noise_magnitude)
        self.channel_indep = bool(channel_indep)

    def draw(self, x):
        """The phase of each bin, shape (batch, channels or 1, n_samples // 2 + 1), radians."""
        n = self._time_length(x)
        bins = n // 2 + 1
        channels = ops.shape(x)[2] if self.channel_indep else 1
        u = keras.random.uniform((ops.shape(x)[0], channels, bins), 0.0, 1.0, dtype="float32",
                                 seed=self.seed_generator)
        fixed = np.ones(bins, dtype="float32")
        fixed[0] = 0.0
        if n % 2 == 0:
            fixed[-1] = 0.0
        return u * ops.convert_to_tensor(fixed * 2.0 * math.pi * self.phase_noise_magnitude)

    def apply(self, x, phase):
        n = self._time_length(x)
        real, imag = ops.rfft(_time_first(x))
        cos, sin = ops.cos(phase), ops.sin(phase)
        out = ops.irfft((real * cos - imag * sin, real * sin + imag * cos), fft_length=n)
        return ops.cast(ops.transpose(out, (0, 2, 1)), x.dtype)

    def get_config(self):
        return {**super().get_config(), "phase_noise_magnitude": self.phase_noise_magnitude,
                "channel_indep": self.channel_indep}


@register("mixup")
class MixupBatches(WindowBatches):
    """Training batches mixed pairwise (mixup, Zhang et al. 2018), with soft targets.

    Each window ``i`` of a batch is mixed with a partner ``j`` of the same
    batch (a random permutation of it, so of the training side only):
    ``x = lam x_i + (1 - lam) x_j`` with ``lam ~ Beta(alpha, alpha)`` drawn per
    window; tabular features are mixed alike. The targets are one-hot rows
    mixed likewise, for a categorical loss.

    Class weights act as in an unmixed fit: each window's loss is
    ``lam w_i CE(y_i) + (1 - lam) w_j CE(y_j)``, which is the cross-entropy
    against the target ``(lam w_i e_i + (1 - lam) w_j e_j) / s`` times the
    sample weight ``s = lam w_i + (1 - lam) w_j``. So with class weights the
    target is still a convex mixture summing to 1, leaning to the
    heavier class; without them it is ``lam e_i + (1 - lam) e_j``. The same
    holds for a focal loss, which is linear in the target.

    The draws of batch ``k`` of epoch ``e`` come from a generator seeded by
    ``(seed, e, k)``, so they do not depend on the order Keras reads the
    batches in. With ``alpha=None`` nothing is mixed: the batches carry
    one-hot targets (and the class weight of each window as its sample
    weight), for the validation side of a mixup fit.

    Parameters
    ----------
    X : ndarray | WindowView
        As :class:`WindowBatches`.
    y : ndarray of int, shape (n_windows,)
        Class indices.
    batch_size : int
    n_classes : int
        Width of the targets.
    alpha : float | None
        Parameter of the Beta distribution (0.2 to 0.4 in the paper); None
        for one-hot, unmixed batches.
    class_weight : array-like, shape (n_classes,) | None
        Weight of each class, folded in as above; None weighs all alike
        (the batches then carry no sample weights).
    seed : int | None
        Seed of the shuffling and of the mixing.
    **kwargs
        The other parameters of :class:`WindowBatches` (``positions``,
        ``shuffle``, ``sampler``, ``drop_remainder``, ...), but
        ``sample_weight``.

    References
    ----------
    Zhang H, Cisse M, Dauphin YN, Lopez-Paz D. mixup: beyond empirical risk
    minimization. ICLR (2018).
    """

    #: The parameters a recipe's ``mixup = {...}`` may give.
    augmentation_params = ("alpha",)

    def __init__(self, X, y, batch_size=256, *, n_classes, alpha=0.2, class_weight=None,
                 seed=None, **kwargs):
        if alpha is not None and not alpha > 0:
            raise ValueError(f"mixup alpha must be > 0, got {alpha}")
        if "sample_weight" in kwargs:
            raise ValueError("MixupBatches weighs windows by class_weight, not sample_weight")
        self.n_classes, self.alpha = int(n_classes), alpha
        self.class_weight = (None if class_weight is None
                             else np.asarray(class_weight, dtype=np.float32))
        self._mix_seed = np.random.SeedSequence(seed).entropy
        self._epoch = -1  # on_epoch_end, called once by WindowBatches' __init__, makes it 0
        super().__init__(X, y, batch_size, seed=seed, **kwargs)

    def __getitem__(self, index):
        inputs, labels = super().__getitem__(index)
        n = len(labels)
        targets = np.eye(self.n_classes, dtype=np.float32)[labels]
        weight = (np.ones(n, np.float32) if self.class_weight is None
                  else self.class_weight[labels])
        if self.alpha is not None:
            rng = np.random.default_rng([self._mix_seed, self._epoch, index])
            lam = rng.beta(self.alpha, self.alpha, size=n).astype(np.float32)
            partner = rng.permutation(n)

            def mix(a):
                shape = (n,) + (1,) * (a.ndim - 1)
                return (lam.reshape(shape) * a
                        + (1.0 - lam.reshape(shape)) * a[partner]).astype(np.float32)

            inputs = ({k: mix(v) for k, v in inputs.items()} if isinstance(inputs, dict)
                      else mix(inputs))
            share = lam * weight, (1.0 - lam) * weight[partner]
            targets = share[0][:, None] * targets + share[1][:, None] * targets[partner]
            weight = share[0] + share[1]
            targets = targets / weight[:, None]
        if self.class_weight is None:
            return inputs, targets
        return inputs, targets, weight

    def on_epoch_end(self):
        self._epoch += 1
        super().on_epoch_end()
