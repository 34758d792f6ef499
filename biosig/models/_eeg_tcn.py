"""EEG-TCNet (Ingolfsson et al. 2020) and ATCNet (Altaheri et al. 2022).

Both put a temporal convolutional network (TCN: dilated causal convolutions in
residual blocks, Bai et al. 2018) behind an EEGNet-style convolution block;
the two blocks are written once here and shared.
"""

from keras import constraints, layers

from ._base import TRAINING_PARAMS_DOC as _TRAINING_PARAMS
from ._base import KerasWindowClassifier
from ._temporal_spatial import TemporalSpatialConv

__all__ = ["ATCNetClassifier", "EEGTCNetClassifier"]


def _eegnet_block(signal, *, F1, D, kernel_length, kernel_length_2, pool_lengths, separable,
                  dropout):
    """EEGNet's two convolution blocks on (batch, time, channels) -> (batch, time', F1 * D).

    Temporal convolution (``F1`` kernels, no bias) -> batch norm -> depthwise
    spatial convolution over all channels (``D`` per temporal map, max-norm 1)
    -> batch norm -> ELU -> average pooling -> dropout -> separable (EEG-TCNet)
    or full (ATCNet) temporal convolution of ``F1 * D`` kernels ->
    batch norm -> ELU -> average pooling -> dropout; as in the authors' Keras
    code (``EEGNet`` / ``Conv_block``).
    """
    F2 = F1 * D
    x = TemporalSpatialConv(F1, kernel_length, D, name="temporal_spatial")(signal)
    x = layers.BatchNormalization(name="bn2")(x)
    x = layers.Activation("elu")(x)
    x = layers.AveragePooling2D((1, pool_lengths[0]), name="pool1")(x)
    x = layers.Dropout(dropout)(x)
    conv = layers.SeparableConv2D if separable else layers.Conv2D
    x = conv(F2, (1, kernel_length_2), padding="same", use_bias=False,
             name="separable_conv" if separable else "conv2")(x)
    x = layers.BatchNormalization(name="bn3")(x)
    x = layers.Activation("elu")(x)
    x = layers.AveragePooling2D((1, pool_lengths[1]), name="pool2")(x)
    x = layers.Dropout(dropout)(x)
    if x.shape[2] < 1:
        raise ValueError(f"the pools of {pool_lengths[0]} and {pool_lengths[1]} samples leave "
                         "no time step")
    return layers.Reshape((x.shape[2], F2), name="sequence")(x)


def _tcn(x, *, filters, kernel_size, depth, dropout, activation, name):
    """A TCN: ``depth`` residual blocks of two dilated causal convolutions (dilation 2**i).

    Each convolution -> batch norm -> activation -> dropout; the block's input
    (through a 1x1 convolution where its width differs from ``filters``) is
    added and the sum activated. As the authors' ``TCN_block`` (EEG-TCNet's,
    which ATCNet reuses): biased ``he_uniform`` convolutions.
    """
    for i in range(depth):
        y = x
        for j in (1, 2):
            y = layers.Conv1D(filters, kernel_size, dilation_rate=2 ** i, padding="causal",
                              kernel_initializer="he_uniform", name=f"{name}_block{i}_conv{j}")(y)
            y = layers.BatchNormalization(name=f"{name}_block{i}_bn{j}")(y)
            y = layers.Activation(activation)(y)
            y = layers.Dropout(dropout)(y)
        residual = x
        if x.shape[-1] != filters:
            residual = layers.Conv1D(filters, 1, name=f"{name}_block{i}_residual")(x)
        x = layers.Activation(activation)(layers.Add(name=f"{name}_block{i}_add")([y, residual]))
    return x


def _last_step(x, name):
    """(batch, time, features) -> (batch, features) of the last time step."""
    x = layers.Cropping1D((x.shape[1] - 1, 0), name=f"{name}_last")(x)
    return layers.Flatten(name=f"{name}_flat")(x)


def _max_norm_dense(n_classes, name):
    return layers.Dense(n_classes, kernel_constraint=constraints.MaxNorm(0.25), name=name)


class EEGTCNetClassifier(KerasWindowClassifier):
    __doc__ = """EEG-TCNet (Ingolfsson et al. 2020): EEGNet's convolutions, then a TCN.

    EEGNet's two blocks (``F1`` temporal filters of ``kernel_length``,
    depthwise spatial filters ``D`` per map, a separable convolution of
    ``F1 * D`` filters of 16, average pooling by 8 and 8) feed a TCN of
    ``tcn_depth`` residual blocks (dilations 1, 2, ...) of two causal
    convolutions of ``tcn_filters`` kernels of ``tcn_kernel_size``; a dense
    softmax (max-norm 0.25) reads the TCN's last time step. The defaults are
    the paper's for BCI IV 2a at 250 Hz (F1 8, KE 32, D 2, pe 0.2, L 2, KT 4,
    FT 12, pt 0.3, ELU) and the layers those of the authors' Keras code.

    For 22 channels x 1125 samples and 4 classes: 4,096 trainable parameters
    (Keras' summary also counts the 176 batch-norm statistics: 4,272).
    braindecode's ``EEGTCNet`` has 48 fewer at the same kernel length: its
    TCN convolutions have no bias, the authors' have (its default
    ``kern_length`` is 64, where this one has 4,352 and braindecode 4,304).

    Parameters
    ----------
    F1 : int
        Temporal filters.
    D : int
        Spatial filters per temporal filter.
    kernel_length : int
        Temporal kernel length in samples (the paper's 32 is for 250 Hz).
    eeg_dropout : float
        Dropout rate in the EEGNet blocks.
    tcn_depth : int
        Residual blocks of the TCN.
    tcn_kernel_size : int
        Kernel length of the TCN's convolutions.
    tcn_filters : int
        Filters of the TCN's convolutions.
    tcn_dropout : float
        Dropout rate in the TCN.
    activation : str
        The TCN's activation.
    augmentation : dict | None
        Augmentations in training only, in order, as ``{name: {parameter:
        value}}``: those of :class:`~biosig.models.EEGNetClassifier` (EEG and
        ECG layers, and ``mixup``), e.g. ``{"channel_dropout": {"p": 0.2}}``.
""" + _TRAINING_PARAMS + """
    References
    ----------
    Ingolfsson TM, Hersche M, Wang X, Kobayashi N, Cavigelli L, Benini L.
    EEG-TCNet: an accurate temporal convolutional network for embedded
    motor-imagery brain-machine interfaces. IEEE SMC 2020, 2958-2965.
    """

    window_shape = None

    def __init__(self, *, F1=8, D=2, kernel_length=32, eeg_dropout=0.2, tcn_depth=2,
                 tcn_kernel_size=4, tcn_filters=12, tcn_dropout=0.3, activation="elu",
                 epochs=300, batch_size=64, learning_rate=1e-3, validation_fraction=0.2,
                 patience=30, class_weight="balanced", loss=None, sampler=None, augmentation=None,
                 callbacks=None, random_state=None, verbose="auto"):
        self.F1 = F1
        self.D = D
        self.kernel_length = kernel_length
        self.eeg_dropout = eeg_dropout
        self.tcn_depth = tcn_depth
        self.tcn_kernel_size = tcn_kernel_size
        self.tcn_filters = tcn_filters
        self.tcn_dropout = tcn_dropout
        self.activation = activation
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
        x = _eegnet_block(signal, F1=self.F1, D=self.D, kernel_length=self.kernel_length,
                          kernel_length_2=16, pool_lengths=(8, 8), separable=True,
                          dropout=self.eeg_dropout)
        x = _tcn(x, filters=self.tcn_filters, kernel_size=self.tcn_kernel_size,
                 depth=self.tcn_depth, dropout=self.tcn_dropout, activation=self.activation,
                 name="tcn")
        x = _max_norm_dense(n_classes, "dense")(_last_step(x, "tcn"))
        return layers.Activation("softmax", dtype="float32", name="softmax")(x)


def _attention(x, *, heads, key_dim, dropout, name):
    """ATCNet's self-attention block: layer norm -> multi-head attention -> dropout 0.3, + input."""
    y = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_norm")(x)
    y = layers.MultiHeadAttention(heads, key_dim, dropout=dropout, name=f"{name}_mha")(y, y)
    y = layers.Dropout(0.3)(y)  # the authors' code adds it; the paper does not say
    return layers.Add(name=f"{name}_add")([x, y])


class ATCNetClassifier(KerasWindowClassifier):
    __doc__ = """ATCNet (Altaheri et al. 2022): convolution, sliding windows, attention, TCN.

    A convolution block (EEGNet's, with a full temporal convolution of 16 in
    place of the separable one, average pooling by ``pool_length`` and
    ``pool_length_2``) gives a sequence of ``F1 * D`` features; ``n_windows``
    windows slide over it, each of the sequence's length minus
    ``n_windows - 1``. Every window has its own multi-head self-attention
    block (layer norm, ``attention_heads`` heads of ``attention_key_dim``,
    residual), its own TCN (``tcn_depth`` residual blocks of causal
    convolutions, ``tcn_filters`` kernels of ``tcn_kernel_size``) and, with
    ``fuse="average"``, its own dense layer (max-norm 0.25) on the TCN's last
    step; the windows' outputs are averaged before the softmax
    (``fuse="concat"``: one dense layer on the concatenated last steps).
    The defaults are the paper's (and the authors' code's) for BCI IV 2a at
    250 Hz, which braindecode's ``ATCNet`` defaults also follow. The authors'
    later code adds L2 penalties on the kernels (braindecode's
    ``source_optimizer_param_groups``); they are not applied here.

    For 22 channels x 1125 samples and 4 classes: 113,732 trainable
    parameters, as braindecode's ``ATCNet``.

    Parameters
    ----------
    F1 : int
        Temporal filters of the convolution block.
    D : int
        Spatial filters per temporal filter.
    kernel_length : int
        First temporal kernel length in samples (64 at 250 Hz).
    kernel_length_2 : int
        Second temporal kernel length.
    pool_length, pool_length_2 : int
        Average-pooling factors after the spatial and second temporal
        convolutions (8 and 7: 1125 samples become 20 steps).
    conv_dropout : float
        Dropout rate in the convolution block.
    n_windows : int
        Sliding windows.
    attention_heads : int
        Attention heads.
    attention_key_dim : int
        Size of each head's queries and keys.
    attention_dropout : float
        Dropout rate of the attention weights.
    tcn_depth : int
        Residual blocks of each TCN.
    tcn_kernel_size : int
        Kernel length of the TCN's convolutions.
    tcn_filters : int
        Filters of the TCN's convolutions.
    tcn_dropout : float
        Dropout rate in the TCNs.
    activation : str
        The TCNs' activation.
    fuse : "average" | "concat"
        How the windows are combined.
    augmentation : dict | None
        Augmentations in training only, in order, as ``{name: {parameter:
        value}}``: those of :class:`~biosig.models.EEGNetClassifier` (EEG and
        ECG layers, and ``mixup``), e.g. ``{"channel_dropout": {"p": 0.2}}``.
""" + _TRAINING_PARAMS + """
    References
    ----------
    Altaheri H, Muhammad G, Alsulaiman M. Physics-informed attention temporal
    convolutional network for EEG-based motor imagery classification. IEEE
    Trans Ind Inform 19(2):2249-2258 (2023; online 2022).
    """

    window_shape = None

    def __init__(self, *, F1=16, D=2, kernel_length=64, kernel_length_2=16, pool_length=8,
                 pool_length_2=7, conv_dropout=0.3, n_windows=5, attention_heads=2,
                 attention_key_dim=8, attention_dropout=0.5, tcn_depth=2, tcn_kernel_size=4,
                 tcn_filters=32, tcn_dropout=0.3, activation="elu", fuse="average", epochs=300,
                 batch_size=64, learning_rate=1e-3, validation_fraction=0.2, patience=30,
                 class_weight="balanced", loss=None, sampler=None, augmentation=None,
                 callbacks=None, random_state=None, verbose="auto"):
        self.F1 = F1
        self.D = D
        self.kernel_length = kernel_length
        self.kernel_length_2 = kernel_length_2
        self.pool_length = pool_length
        self.pool_length_2 = pool_length_2
        self.conv_dropout = conv_dropout
        self.n_windows = n_windows
        self.attention_heads = attention_heads
        self.attention_key_dim = attention_key_dim
        self.attention_dropout = attention_dropout
        self.tcn_depth = tcn_depth
        self.tcn_kernel_size = tcn_kernel_size
        self.tcn_filters = tcn_filters
        self.tcn_dropout = tcn_dropout
        self.activation = activation
        self.fuse = fuse
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
        if self.fuse not in ("average", "concat"):
            raise ValueError(f"fuse must be 'average' or 'concat', got {self.fuse!r}")
        x = _eegnet_block(signal, F1=self.F1, D=self.D, kernel_length=self.kernel_length,
                          kernel_length_2=self.kernel_length_2,
                          pool_lengths=(self.pool_length, self.pool_length_2), separable=False,
                          dropout=self.conv_dropout)
        steps, n = x.shape[1], self.n_windows
        if not 1 <= n <= steps:
            raise ValueError(f"{n} sliding windows need at least {n} steps after pooling, got "
                             f"{steps}")
        outputs = []
        for i in range(n):
            w = layers.Cropping1D((i, n - 1 - i), name=f"window{i}")(x)
            w = _attention(w, heads=self.attention_heads, key_dim=self.attention_key_dim,
                           dropout=self.attention_dropout, name=f"window{i}_attention")
            w = _tcn(w, filters=self.tcn_filters, kernel_size=self.tcn_kernel_size,
                     depth=self.tcn_depth, dropout=self.tcn_dropout, activation=self.activation,
                     name=f"window{i}_tcn")
            w = _last_step(w, f"window{i}")
            outputs.append(_max_norm_dense(n_classes, f"window{i}_dense")(w)
                           if self.fuse == "average" else w)
        if self.fuse == "concat":
            x = outputs[0] if n == 1 else layers.Concatenate(name="windows")(outputs)
            x = _max_norm_dense(n_classes, "dense")(x)
        else:
            x = outputs[0] if n == 1 else layers.Average(name="windows")(outputs)
        return layers.Activation("softmax", dtype="float32", name="softmax")(x)
