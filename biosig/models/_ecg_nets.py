"""Stronger ECG beat networks: a residual CNN with attention (after RA-CNN) and a
multi-perspective CNN (after MPCNN).

Both take what :class:`~biosig.models.CNN1DClassifier` takes: beat windows of one
or more leads, optionally packed with tabular features (RR intervals,
morphology) by :func:`~biosig.models.pack_inputs`, and the same training-only
``augmentation``. Written with ``keras.layers`` only, so they run on the
TensorFlow, JAX and PyTorch backends.
"""

from keras import layers

from ._base import TRAINING_PARAMS_DOC as _TRAINING_PARAMS
from ._base import KerasWindowClassifier
from ._cnn1d import classifier_top, conv_block

__all__ = ["MultiPerspectiveCNNClassifier", "ResidualAttentionCNNClassifier"]

_AUGMENTATION_DOC = """
    augmentation : dict | None
        Augmentations of the standardised windows in training only, as for
        :class:`~biosig.models.CNN1DClassifier`, e.g. ``{"amplitude": {"low":
        0.9, "high": 1.1}, "noise": {"snr_db": 25}}``."""


def _squeeze_excite(x, ratio, name):
    """Channel attention (Hu et al. 2018): rescale each channel by a gate in (0, 1).

    The gate is a two-layer bottleneck (width ``channels // ratio``, at least
    1) over the channel means of the whole window.
    """
    channels = x.shape[-1]
    s = layers.GlobalAveragePooling1D(keepdims=True, name=f"{name}_squeeze")(x)
    s = layers.Dense(max(channels // ratio, 1), activation="relu", name=f"{name}_reduce")(s)
    s = layers.Dense(channels, activation="sigmoid", name=f"{name}_expand")(s)
    return layers.Multiply(name=f"{name}_scale")([x, s])


def _residual_block(x, filters, kernel_size, se_ratio, i):
    """conv-BN-ReLU → conv-BN → squeeze-excite, added to the (projected) input, ReLU."""
    shortcut = x
    if x.shape[-1] != filters:  # a 1×1 projection where the width changes
        shortcut = layers.Conv1D(filters, 1, use_bias=False, name=f"shortcut{i}")(x)
        shortcut = layers.BatchNormalization(momentum=0.9, name=f"shortcut_bn{i}")(shortcut)
    y = conv_block(x, filters, kernel_size, f"{i}a")
    y = layers.Conv1D(filters, kernel_size, padding="same", use_bias=False,
                      name=f"conv{i}b")(y)
    y = layers.BatchNormalization(momentum=0.9, name=f"bn{i}b")(y)
    y = _squeeze_excite(y, se_ratio, f"se{i}")
    y = layers.Add(name=f"add{i}")([shortcut, y])
    return layers.Activation("relu", name=f"relu{i}")(y)


def _attention_pool(x, units):
    """Additive temporal attention: a softmax over time of ``w · tanh(W x_t + b)``, and the
    weighted sum of the time steps, shape (batch, channels)."""
    score = layers.Conv1D(units, 1, activation="tanh", name="attention_hidden")(x)
    score = layers.Conv1D(1, 1, name="attention_score")(score)
    weights = layers.Softmax(axis=1, name="attention_weights")(score)
    pooled = layers.Dot(axes=1, name="attention_pool")([weights, x])  # (batch, 1, channels)
    return layers.Flatten(name="embedding")(pooled)


class ResidualAttentionCNNClassifier(KerasWindowClassifier):
    __doc__ = """Residual 1-D CNN with channel and temporal attention, in the spirit of RA-CNN.

    Follows Xu et al. (2022), whose residual attention CNN joins residual
    skip connections and attention and reached SVEB F1 82.8 % and VEB F1
    91.7 % on the inter-patient MIT-BIH protocol. Each stage is a residual
    block: Conv1D → BN → ReLU → Conv1D → BN → squeeze-and-excitation channel
    attention, added to the input (through a 1×1 convolution + BN where the
    width changes), ReLU, then max pooling. An additive temporal attention
    pooling (a softmax over time) weighs the time steps of the last stage
    into the embedding, which is joined by the standardised tabular features
    (e.g. RR intervals) before a dense layer and the softmax, as in
    :class:`~biosig.models.CNN1DClassifier`.

    Departures from the paper: its attention U-Net (RA-UNET, an
    encoder-decoder with attention and residual skips, whose output is
    joined to a residual block) is not built; the attention here is
    squeeze-and-excitation per block plus the temporal attention pooling,
    and the tabular features are this toolkit's addition. The layer sizes
    are biosig's, not the paper's.

    Trainable parameters with the defaults, for one lead × 252 samples
    (``tmin = -0.25``, ``tmax = 0.45`` at 360 Hz), the 7 features of
    ``tabular = ["rr"]`` and 4 classes: 68,721 (the count does not depend
    on the window length; a second lead adds 16 × 7 + 16 = 128).

    Parameters
    ----------
    window_shape : tuple of int | None
        ``(n_channels, n_samples)``; needed only when ``X`` is packed with
        :func:`~biosig.models.pack_inputs`.
    filters : tuple of int
        Filters of each residual block.
    kernel_size : int
        Kernel length of the block convolutions, in samples.
    pool_size : int
        Max-pooling factor after each block.
    se_ratio : int
        Bottleneck reduction of the squeeze-and-excitation gates.
    attention_units : int
        Width of the temporal attention's hidden layer.
    dense_units : int
        Width of the dense layer before the softmax.
    dropout : float
        Dropout rate before the dense layer and before the softmax.""" + _AUGMENTATION_DOC + (
        _TRAINING_PARAMS) + """
    References
    ----------
    Xu P, Liu H, Xie X, Zhou S, Shu M, Wang Y. Interpatient ECG arrhythmia
    detection by residual attention CNN. Comput Math Methods Med 2022:2323625
    (2022). doi:10.1155/2022/2323625

    Hu J, Shen L, Sun G. Squeeze-and-excitation networks. CVPR (2018).
    """

    def __init__(self, window_shape=None, *, filters=(16, 32, 64), kernel_size=7, pool_size=2,
                 se_ratio=4, attention_units=32, dense_units=64, dropout=0.3, epochs=30,
                 batch_size=128, learning_rate=1e-3, validation_fraction=0.2, patience=5,
                 class_weight="balanced", loss=None, sampler=None, augmentation=None,
                 callbacks=None, random_state=None, verbose="auto"):
        self.window_shape = window_shape
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.se_ratio = se_ratio
        self.attention_units = attention_units
        self.dense_units = dense_units
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
        x = signal
        for i, n_filters in enumerate(self.filters):
            x = _residual_block(x, n_filters, self.kernel_size, self.se_ratio, i)
            x = layers.MaxPooling1D(self.pool_size, padding="same", name=f"pool{i}")(x)
        x = _attention_pool(x, self.attention_units)
        return classifier_top(x, features, n_classes, self.dense_units, self.dropout)


def _branch(x, filters, kernel_size, pool_size, name):
    """A conv block per filter count (pooled between them), then global average pooling."""
    for j, n_filters in enumerate(filters):
        last = j == len(filters) - 1
        x = conv_block(x, n_filters, kernel_size, f"_{name}_{j}", None if last else pool_size)
    return layers.GlobalAveragePooling1D(name=f"gap_{name}")(x)


class MultiPerspectiveCNNClassifier(KerasWindowClassifier):
    __doc__ = """Multi-perspective, multi-scale 1-D CNN, in the spirit of MPCNN.

    Follows Niu et al. (2020), whose multi-perspective CNN looks at each
    heartbeat from several perspectives at once, morphology and rhythm
    jointly, and reached SVEB F1 76.6 % and VEB F1 89.7 % on the
    inter-patient MIT-BIH protocol. Here the perspectives are parallel
    branches, concatenated before a dense layer and the softmax:

    - the *beat*: the centre beat, cropped inside the network from the window
      by ``beat_crop`` (the whole window without it), seen by one branch per
      kernel size in ``kernel_sizes`` (multi-scale: narrow kernels for the
      QRS, wide ones for the P and T waves); each branch is conv-BN-ReLU
      blocks of ``filters``, max-pooled between them, then global average
      pooling;
    - the *context*, only with ``beat_crop``: the whole window, neighbouring
      beats included, average-pooled by ``context_pool`` and seen by one
      branch of ``context_kernel``; give the beat sampler a wider
      ``tmin``/``tmax`` to have neighbours in it;
    - the *rhythm*: the standardised tabular features (the RR intervals and
      their ratios to the record's or the local mean, morphology features),
      through a dense ReLU layer of ``rr_units`` (none with 0).

    Departures from the paper: its symbolic representation of the beat (a
    symbolisation of morphology and rhythm with baseline correction) is not
    implemented; the branches read the standardised raw window, and rhythm
    enters as the RR features. The layer sizes are biosig's, not the paper's.

    Trainable parameters with the defaults, for one lead × 252 samples
    (``tmin = -0.25``, ``tmax = 0.45`` at 360 Hz), the 7 features of
    ``tabular = ["rr"]`` and 4 classes: 21,108 (the count does not depend
    on the window length); with a context branch (``beat_crop`` set), 26,948.
    A second lead adds 16 per kernel tap of the first blocks: 16 × (3 + 7 +
    15) = 400, and 16 × 7 = 112 more with the context branch.

    Parameters
    ----------
    window_shape : tuple of int | None
        ``(n_channels, n_samples)``; needed only when ``X`` is packed with
        :func:`~biosig.models.pack_inputs`.
    beat_crop : (int, int) | None
        ``(start, stop)`` samples of the centre beat inside the window; None
        takes the whole window as the beat and builds no context branch.
        For a window from ``tmin`` and a beat from ``beat_tmin`` to
        ``beat_tmax`` (seconds from the R peak), ``start = round((beat_tmin
        - tmin) * sfreq)``, ``stop = round((beat_tmax - tmin) * sfreq)``.
    kernel_sizes : tuple of int
        Kernel length of each beat branch, in samples.
    filters : tuple of int
        Filters of the conv blocks of every branch.
    pool_size : int
        Max-pooling factor between the blocks of a branch.
    context_pool : int
        Average-pooling factor of the context before its branch.
    context_kernel : int
        Kernel length of the context branch, in samples after pooling.
    rr_units : int
        Width of the rhythm branch's dense layer; 0 joins the features as
        they are.
    dense_units : int
        Width of the dense layer before the softmax.
    dropout : float
        Dropout rate before the dense layer and before the softmax.""" + _AUGMENTATION_DOC + (
        _TRAINING_PARAMS) + """
    References
    ----------
    Niu J, Tang Y, Sun Z, Zhang W. Inter-patient ECG classification with
    symbolic representations and multi-perspective convolutional neural
    networks. IEEE J Biomed Health Inform (2020).
    doi:10.1109/JBHI.2019.2942938
    """

    def __init__(self, window_shape=None, *, beat_crop=None, kernel_sizes=(3, 7, 15),
                 filters=(16, 32), pool_size=2, context_pool=4, context_kernel=7, rr_units=16,
                 dense_units=64, dropout=0.3, epochs=30, batch_size=128, learning_rate=1e-3,
                 validation_fraction=0.2, patience=5, class_weight="balanced", loss=None,
                 sampler=None, augmentation=None, callbacks=None, random_state=None,
                 verbose="auto"):
        self.window_shape = window_shape
        self.beat_crop = beat_crop
        self.kernel_sizes = kernel_sizes
        self.filters = filters
        self.pool_size = pool_size
        self.context_pool = context_pool
        self.context_kernel = context_kernel
        self.rr_units = rr_units
        self.dense_units = dense_units
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
        n_samples = signal.shape[1]
        beat = signal
        if self.beat_crop is not None:
            start, stop = (int(v) for v in self.beat_crop)
            if not 0 <= start < stop <= n_samples:
                raise ValueError(f"beat_crop = {tuple(self.beat_crop)} does not lie inside a "
                                 f"window of {n_samples} samples")
            beat = layers.Cropping1D((start, n_samples - stop), name="beat_crop")(signal)
        perspectives = [_branch(beat, self.filters, k, self.pool_size, f"beat{b}")
                        for b, k in enumerate(self.kernel_sizes)]
        if self.beat_crop is not None:
            context = layers.AveragePooling1D(self.context_pool, padding="same",
                                              name="context_pool")(signal)
            perspectives.append(_branch(context, self.filters, self.context_kernel,
                                        self.pool_size, "context"))
        x = (perspectives[0] if len(perspectives) == 1 else
             layers.Concatenate(name="perspectives")(perspectives))
        if features is not None and self.rr_units:
            features = layers.Dense(self.rr_units, activation="relu", name="rr_dense")(features)
        return classifier_top(x, features, n_classes, self.dense_units, self.dropout)
