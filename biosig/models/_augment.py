"""ECG augmentation as Keras layers: active in training only, so they run on the device.

This module also holds what every augmentation shares: the base layer, the
registry of names a recipe writes (:data:`AUGMENTATIONS`, which the EEG
augmentations of :mod:`biosig.models._eeg_augment` join) and the builder
:func:`augmentation_layers`.

Each layer takes a batch of windows laid out ``(batch, time, channels)`` (the
layout the networks use after their input permutation, standardised per
channel) and returns one of the same shape. At inference (``training`` false
or not given) every layer is the identity. Random draws come from a
:class:`keras.random.SeedGenerator`, so a seeded fit draws the same
augmentations on every run, and the code is ``keras.ops`` only: the same on
TensorFlow, JAX and PyTorch.
"""

import inspect
import math

import keras
from keras import ops

__all__ = ["AUGMENTATIONS", "AmplitudeScale", "BaselineWander", "GaussianNoiseSNR",
           "TimeWarp", "augmentation_layers", "check_augmentation", "register",
           "with_sfreq"]

#: Name (as a recipe writes it) -> layer class (or, for a batch-level
#: augmentation such as mixup, the class that draws the batches).
AUGMENTATIONS = {}


def register(name):
    """Class decorator: make an augmentation known to recipes under ``name``.

    A class with ``needs_sfreq = True`` is given the windows' sampling rate
    when its parameters lack one; a class that is not a Keras layer (mixup)
    acts on the training batches and lists its recipe parameters in
    ``augmentation_params``.
    """

    def add(cls):
        AUGMENTATIONS[name] = cls
        return cls

    return add


class _Augmentation(keras.layers.Layer):
    """Base: identity at inference, ``augment`` in training."""

    needs_sfreq = False

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=None):
        if not training:
            return x
        return self.augment(x)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}

    def _uniform(self, x, low, high, per_channel=False):
        shape = (ops.shape(x)[0], 1, ops.shape(x)[2] if per_channel else 1)
        return keras.random.uniform(shape, low, high, dtype=x.dtype, seed=self.seed_generator)


@register("amplitude")
@keras.saving.register_keras_serializable(package="biosig")
class AmplitudeScale(_Augmentation):
    """Multiply each window by a gain drawn uniformly from ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Range of the gain (1 leaves the window as it is).
    seed : int | None
    """

    def __init__(self, low=0.8, high=1.2, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.low, self.high = low, high

    def augment(self, x):
        return x * self._uniform(x, self.low, self.high)

    def get_config(self):
        return {**super().get_config(), "low": self.low, "high": self.high}


@register("noise")
@keras.saving.register_keras_serializable(package="biosig")
class GaussianNoiseSNR(_Augmentation):
    """Add white Gaussian noise at a signal-to-noise ratio, per window and channel.

    The noise variance is the window's own power (mean square over time)
    divided by ``10 ** (snr_db / 10)``.

    Parameters
    ----------
    snr_db : float
        Signal-to-noise ratio in decibels.
    seed : int | None
    """

    def __init__(self, snr_db=20.0, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.snr_db = snr_db

    def augment(self, x):
        power = ops.mean(ops.square(x), axis=1, keepdims=True)
        std = ops.sqrt(power / (10.0 ** (self.snr_db / 10.0)))
        noise = keras.random.normal(ops.shape(x), dtype=x.dtype, seed=self.seed_generator)
        return x + noise * std

    def get_config(self):
        return {**super().get_config(), "snr_db": self.snr_db}


@register("baseline_wander")
@keras.saving.register_keras_serializable(package="biosig")
class BaselineWander(_Augmentation):
    """Add a slow sinusoid, as respiration and electrode motion move an ECG's baseline.

    Each window and channel gets ``a * sin(2 pi f t + phase)`` with ``a``
    uniform in ``[0, amplitude]`` (in the window's units: standard deviations
    after the networks' standardisation), ``f`` uniform in ``[min_freq,
    max_freq]`` Hz and a uniform phase.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows.
    amplitude : float
    min_freq, max_freq : float
        Range of the wander's frequency (0.05–0.5 Hz: below the ECG's band).
    seed : int | None
    """

    needs_sfreq = True

    def __init__(self, sfreq, amplitude=0.5, min_freq=0.05, max_freq=0.5, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.sfreq, self.amplitude = sfreq, amplitude
        self.min_freq, self.max_freq = min_freq, max_freq

    def augment(self, x):
        t = ops.cast(ops.arange(ops.shape(x)[1]), x.dtype)[None, :, None] / self.sfreq
        a = self._uniform(x, 0.0, self.amplitude, per_channel=True)
        f = self._uniform(x, self.min_freq, self.max_freq, per_channel=True)
        phase = self._uniform(x, 0.0, 2 * math.pi, per_channel=True)
        return x + a * ops.sin(2 * math.pi * f * t + phase)

    def get_config(self):
        return {**super().get_config(), "sfreq": self.sfreq, "amplitude": self.amplitude,
                "min_freq": self.min_freq, "max_freq": self.max_freq}


@register("time_warp")
@keras.saving.register_keras_serializable(package="biosig")
class TimeWarp(_Augmentation):
    """Stretch each window about its centre and shift it, by linear interpolation.

    Output sample ``t`` reads the input at ``c + (t - c) / r - s``, with ``c``
    the centre, a stretch ``r`` uniform in ``[1 - max_stretch, 1 + max_stretch]``
    and a shift ``s`` uniform in ``[-max_shift, max_shift]`` samples; reads past
    either end take the end sample.

    Parameters
    ----------
    max_stretch : float
        Largest relative change of the time scale (0.05: ±5 %).
    max_shift : float
        Largest shift, in samples.
    seed : int | None
    """

    def __init__(self, max_stretch=0.05, max_shift=5.0, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        self.max_stretch, self.max_shift = max_stretch, max_shift

    def augment(self, x):
        n = ops.shape(x)[1]
        t = ops.cast(ops.arange(n), x.dtype)[None, :, None]
        centre = (ops.cast(n, x.dtype) - 1.0) / 2.0
        rate = self._uniform(x, 1.0 - self.max_stretch, 1.0 + self.max_stretch)
        shift = self._uniform(x, -self.max_shift, self.max_shift)
        source = ops.clip(centre + (t - centre) / rate - shift, 0.0, ops.cast(n, x.dtype) - 1.0)
        below = ops.floor(source)
        weight = source - below
        below = ops.cast(below, "int32")
        above = ops.minimum(below + 1, n - 1)
        channels = ops.shape(x)[2]
        below = ops.broadcast_to(below, (ops.shape(x)[0], n, channels))
        above = ops.broadcast_to(above, (ops.shape(x)[0], n, channels))
        return (ops.take_along_axis(x, below, axis=1) * (1.0 - weight)
                + ops.take_along_axis(x, above, axis=1) * weight)

    def get_config(self):
        return {**super().get_config(), "max_stretch": self.max_stretch,
                "max_shift": self.max_shift}


def _parameters(cls):
    """The parameters a recipe may give an augmentation."""
    listed = getattr(cls, "augmentation_params", None)
    if listed is not None:
        return tuple(listed)
    return tuple(p for p in inspect.signature(cls.__init__).parameters
                 if p not in ("self", "seed", "kwargs"))


def check_augmentation(spec):
    """Check the names and parameter names of ``{name: {parameter: value}}``.

    Values are checked when the layers are built (at ``fit``).

    Parameters
    ----------
    spec : dict | None

    Raises
    ------
    ValueError
        Naming the unknown augmentation or parameter and the known ones.
    TypeError
        When ``spec`` or an augmentation's parameters are not dicts.
    """
    if spec is None:
        return
    if not isinstance(spec, dict):
        raise TypeError(f"augmentation must be a table of name = {{parameter = value}}, "
                         f"got {spec!r}")
    for name, params in spec.items():
        if name not in AUGMENTATIONS:
            raise ValueError(f"unknown augmentation {name!r}; known: {', '.join(AUGMENTATIONS)}")
        if params is not None and not isinstance(params, dict):
            raise TypeError(f"augmentation {name}: expected a table of parameters, "
                             f"got {params!r}")
        allowed = _parameters(AUGMENTATIONS[name])
        unknown = sorted(set(params or {}) - set(allowed))
        if unknown:
            raise ValueError(f"augmentation {name}: unknown parameter {unknown[0]!r}; "
                             f"known: {', '.join(allowed)}")


def with_sfreq(spec, sfreq):
    """``spec`` with ``sfreq`` given to the augmentations that need one and lack it."""
    if not spec or sfreq is None:
        return spec
    return {name: ({**(params or {}), "sfreq": sfreq}
                   if getattr(AUGMENTATIONS.get(name), "needs_sfreq", False)
                   and "sfreq" not in (params or {}) else params)
            for name, params in spec.items()}


def augmentation_layers(spec, sfreq=None, seed=None):
    """Build augmentation layers from ``{name: {parameter: value}}``, in that order.

    Batch-level augmentations (``mixup``) are not layers and are left out:
    the estimator applies them where it draws its training batches.

    Parameters
    ----------
    spec : dict | None
        E.g. ``{"baseline_wander": {"amplitude": 0.3}, "noise": {"snr_db": 25}}``.
    sfreq : float | None
        Sampling rate, for the layers that need it (baseline wander,
        frequency shift).
    seed : int | None
        Seeds the layers (each its own offset of it).

    Returns
    -------
    layers : list of keras.layers.Layer

    Raises
    ------
    ValueError
        Naming an unknown augmentation or parameter.
    """
    check_augmentation(spec)
    built = []
    for k, (name, params) in enumerate(with_sfreq(spec or {}, sfreq).items()):
        cls = AUGMENTATIONS[name]
        if not issubclass(cls, _Augmentation):
            continue
        params = dict(params or {})
        if cls.needs_sfreq and params.get("sfreq") is None:
            raise ValueError(f"{name} needs the sampling rate (sfreq)")
        try:
            built.append(cls(seed=None if seed is None else seed + 1 + k,
                             name=f"augment_{name}", **params))
        except TypeError as err:
            raise ValueError(f"augmentation {name}: {err}") from None
    return built
