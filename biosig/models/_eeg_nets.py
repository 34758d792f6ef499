"""EEGNet (Lawhern et al. 2018) and ShallowConvNet (Schirrmeister et al. 2017)."""

import math

from keras import constraints, layers

from ._base import TRAINING_PARAMS_DOC as _TRAINING_PARAMS
from ._base import KerasWindowClassifier
from ._layers import SafeLog, Square
from ._temporal_spatial import TemporalSpatialConv

__all__ = ["EEGNetClassifier", "ShallowConvNetClassifier"]



def _eeg_image(signal, n_channels):
    """(batch, samples, channels) -> (batch, channels, samples, 1), as the papers lay it out."""
    x = layers.Permute((2, 1), name="channels_first")(signal)
    return layers.Reshape((n_channels, -1, 1), name="eeg_image")(x)


def _spatial(x, equation, maps, name, constraint=None):
    """A convolution whose kernel spans all EEG channels at one time step, as one einsum.

    ``x`` is (batch, channels, time, features); the result is (batch, 1, time,
    prod(maps)), the layout of the papers' (channels, 1) convolution. The
    maths and the parameters are the same; written as a tensor contraction it
    avoids the convolution kernels, whose gradients are slow on some backends
    for a kernel this tall (about 10x on JAX's CPU).
    """
    time = x.shape[2]
    x = layers.EinsumDense(equation, output_shape=(time, *maps), kernel_constraint=constraint,
                           name=name)(x)
    return layers.Reshape((1, time, math.prod(maps)), name=f"{name}_image")(x)


class EEGNetClassifier(KerasWindowClassifier):
    __doc__ = """EEGNet-8,2 (Lawhern et al. 2018), Table 2 of the paper.

    Temporal convolution (``F1`` filters of ``kernel_length``) -> batch norm ->
    depthwise spatial convolution over all channels (depth ``D``, max-norm 1)
    -> batch norm -> ELU -> average pooling (1, 4) -> dropout -> separable
    convolution (``F2`` filters of 16) -> batch norm -> ELU -> average pooling
    (1, 8) -> dropout -> dense softmax (max-norm 0.25). The paper's kernel
    length 64 is for 128 Hz; use about half the sampling rate. The first
    three layers are one ``TemporalSpatialConv`` layer, which computes the
    same function with the same weights spatial filter first (about 5x
    faster to train on a CPU).

    Parameters
    ----------
    F1 : int
        Temporal filters.
    D : int
        Spatial filters per temporal filter.
    F2 : int
        Pointwise filters (the paper uses ``F1 * D``).
    kernel_length : int
        Temporal kernel length in samples.
    dropout : float
        Dropout rate (0.5 within-subject, 0.25 cross-subject in the paper).
    augmentation : dict | None
        Augmentations in training only, in order, as ``{name: {parameter:
        value}}``: ``time_mask`` (:class:`~biosig.models.TimeMask`),
        ``channel_dropout`` (:class:`~biosig.models.ChannelDropout`),
        ``sign_flip`` (:class:`~biosig.models.SignFlip`),
        ``frequency_shift`` (:class:`~biosig.models.FrequencyShift`, with
        ``sfreq``), ``ft_surrogate`` (:class:`~biosig.models.FTSurrogate`),
        the ECG ones of :class:`~biosig.models.CNN1DClassifier`, and
        ``mixup = {"alpha": 0.2}`` (:class:`~biosig.models.MixupBatches`:
        the training batches are mixed and the loss takes soft targets),
        e.g. ``{"frequency_shift": {"sfreq": 160, "max_shift": 2},
        "channel_dropout": {"p": 0.2}, "mixup": {"alpha": 0.2}}``. With
        mixup the loss is the categorical cross-entropy (``loss="focal"``:
        Keras' ``CategoricalFocalCrossentropy``; a loss object must take
        targets of shape (batch, n_classes)) and the class weights are folded
        into the mixed targets and sample weights.
""" + _TRAINING_PARAMS + """
    References
    ----------
    Lawhern VJ, Solon AJ, Waytowich NR, Gordon SM, Hung CP, Lance BJ. EEGNet: a
    compact convolutional neural network for EEG-based brain-computer
    interfaces. J Neural Eng 15(5):056013 (2018).
    """

    window_shape = None

    def __init__(self, *, F1=8, D=2, F2=16, kernel_length=64, dropout=0.25, epochs=300,
                 batch_size=64, learning_rate=1e-3, validation_fraction=0.2, patience=30,
                 class_weight="balanced", loss=None,
                 sampler=None, augmentation=None, callbacks=None, random_state=None,
                 verbose="auto"):
        self.F1 = F1
        self.D = D
        self.F2 = F2
        self.kernel_length = kernel_length
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.class_weight = class_weight
        self.loss = loss
        self.sampler = sampler
        self.augmentation = augmentation
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose

    def _build_head(self, signal, features, n_classes):
        # Temporal conv -> batch norm -> depthwise spatial conv (D per map, max-norm 1),
        # as one layer that applies the spatial filters first.
        x = TemporalSpatialConv(self.F1, self.kernel_length, self.D,
                                name="temporal_spatial")(signal)
        x = layers.BatchNormalization(name="bn2")(x)
        x = layers.Activation("elu")(x)
        x = layers.AveragePooling2D((1, 4), name="pool1")(x)
        x = layers.Dropout(self.dropout)(x)
        x = layers.SeparableConv2D(self.F2, (1, 16), padding="same", use_bias=False,
                                   name="separable_conv")(x)
        x = layers.BatchNormalization(name="bn3")(x)
        x = layers.Activation("elu")(x)
        x = layers.AveragePooling2D((1, 8), name="pool2")(x)
        x = layers.Dropout(self.dropout)(x)
        x = layers.Flatten()(x)
        return layers.Dense(n_classes, activation="softmax", dtype="float32",
                            kernel_constraint=constraints.MaxNorm(0.25), name="softmax")(x)


class ShallowConvNetClassifier(KerasWindowClassifier):
    __doc__ = """Shallow ConvNet (Schirrmeister et al. 2017), the FBCSP-inspired network.

    Temporal convolution (40 filters of 25 samples) -> spatial convolution
    over all channels (40 filters, no bias) -> batch norm -> square -> average
    pooling (75 samples, stride 15) -> log -> dropout 0.5 -> dense softmax.
    The kernel and pool sizes are the paper's for 250 Hz.

    Parameters
    ----------
    n_filters : int
        Temporal and spatial filters.
    kernel_length : int
        Temporal kernel length in samples.
    pool_length, pool_stride : int
        Mean-pooling window and stride in samples.
    dropout : float
        Dropout rate before the classifier.
    augmentation : dict | None
        Augmentations in training only, in order, as ``{name: {parameter:
        value}}``: ``time_mask`` (:class:`~biosig.models.TimeMask`),
        ``channel_dropout`` (:class:`~biosig.models.ChannelDropout`),
        ``sign_flip`` (:class:`~biosig.models.SignFlip`),
        ``frequency_shift`` (:class:`~biosig.models.FrequencyShift`, with
        ``sfreq``), ``ft_surrogate`` (:class:`~biosig.models.FTSurrogate`),
        the ECG ones of :class:`~biosig.models.CNN1DClassifier`, and
        ``mixup = {"alpha": 0.2}`` (:class:`~biosig.models.MixupBatches`:
        the training batches are mixed and the loss takes soft targets),
        e.g. ``{"frequency_shift": {"sfreq": 160, "max_shift": 2},
        "channel_dropout": {"p": 0.2}, "mixup": {"alpha": 0.2}}``. With
        mixup the loss is the categorical cross-entropy (``loss="focal"``:
        Keras' ``CategoricalFocalCrossentropy``; a loss object must take
        targets of shape (batch, n_classes)) and the class weights are folded
        into the mixed targets and sample weights.
""" + _TRAINING_PARAMS + """
    References
    ----------
    Schirrmeister RT, Springenberg JT, Fiederer LDJ, et al. Deep learning with
    convolutional neural networks for EEG decoding and visualization. Hum Brain
    Mapp 38(11):5391-5420 (2017).
    """

    window_shape = None

    def __init__(self, *, n_filters=40, kernel_length=25, pool_length=75, pool_stride=15,
                 dropout=0.5, epochs=300, batch_size=64, learning_rate=1e-3,
                 validation_fraction=0.2, patience=30, class_weight="balanced", loss=None,
                 sampler=None, augmentation=None, callbacks=None,
                 random_state=None, verbose="auto"):
        self.n_filters = n_filters
        self.kernel_length = kernel_length
        self.pool_length = pool_length
        self.pool_stride = pool_stride
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.class_weight = class_weight
        self.loss = loss
        self.sampler = sampler
        self.augmentation = augmentation
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose

    def _build_head(self, signal, features, n_classes):
        n_channels = signal.shape[-1]
        x = _eeg_image(signal, n_channels)
        x = layers.Conv2D(self.n_filters, (1, self.kernel_length), name="temporal_conv")(x)
        x = _spatial(x, "bctf,cfg->btg", (self.n_filters,), "spatial_conv")
        x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name="bn")(x)
        x = Square(name="square")(x)
        x = layers.AveragePooling2D((1, self.pool_length), strides=(1, self.pool_stride),
                                    name="mean_pool")(x)
        x = SafeLog(name="log")(x)
        x = layers.Dropout(self.dropout)(x)
        x = layers.Flatten()(x)
        return layers.Dense(n_classes, activation="softmax", dtype="float32", name="softmax")(x)
