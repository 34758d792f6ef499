"""Deep ConvNet (Schirrmeister et al. 2017) and EEG Conformer (Song et al. 2022).

Both open with ShallowConvNet's split first layer: a temporal convolution,
then a spatial one over all channels, which is written once here.
"""

from keras import layers

from ._base import TRAINING_PARAMS_DOC as _TRAINING_PARAMS
from ._base import KerasWindowClassifier
from ._eeg_nets import _eeg_image

__all__ = ["Deep4NetClassifier", "EEGConformerClassifier"]


def _temporal_spatial(signal, filters, kernel_length, *, spatial_bias):
    """(batch, time, channels) -> (batch, time', filters): temporal then spatial convolution.

    The temporal convolution (``filters`` kernels of ``kernel_length``, with
    bias) runs on every channel alone; the spatial one mixes all channels and
    temporal maps at each step, written as one einsum (the parameters of a
    (channels, 1) convolution, without its slow gradients; see
    ``_eeg_nets._spatial``).
    """
    n_channels = signal.shape[-1]
    x = _eeg_image(signal, n_channels)
    x = layers.Conv2D(filters, (1, kernel_length), name="temporal_conv")(x)
    if x.shape[2] < 1:
        raise ValueError(f"a temporal kernel of {kernel_length} samples is longer than the window")
    return layers.EinsumDense("bctf,cfg->btg", output_shape=(x.shape[2], filters),
                              bias_axes="g" if spatial_bias else None, name="spatial_conv")(x)


def _torch_batch_norm(name):
    """Batch norm with PyTorch's defaults (momentum 0.1, eps 1e-5), as both papers' code."""
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)


class Deep4NetClassifier(KerasWindowClassifier):
    __doc__ = """Deep ConvNet (Schirrmeister et al. 2017): four convolution-max-pooling blocks.

    Block 1: temporal convolution (``n_filters[0]`` kernels of
    ``kernel_length``) -> spatial convolution over all channels
    (``n_filters[0]``, no bias) -> batch norm -> ELU -> max pooling
    (``pool_length``, stride ``pool_stride``). Blocks 2-4: dropout ->
    convolution (``n_filters[i]`` of ``kernel_length``, no bias) -> batch
    norm -> ELU -> max pooling. Then a dense softmax over the flattened maps
    (the paper's final convolution spanning the remaining steps). The
    defaults are the paper's (25, 50, 100, 200 filters of 10, pooling 3/3,
    dropout 0.5, batch norm, ELU) and braindecode's ``Deep4Net`` defaults.

    For 22 channels x 1125 samples and 4 classes: 284,479 trainable
    parameters, as braindecode's ``Deep4Net`` (282,879 at 1000 samples).

    Parameters
    ----------
    n_filters : tuple of 4 int
        Filters of the four blocks (the first for both of block 1's
        convolutions).
    kernel_length : int
        Temporal kernel length of every convolution, in samples.
    pool_length, pool_stride : int
        Max-pooling window and stride in samples.
    dropout : float
        Dropout rate before the convolutions of blocks 2-4.
    augmentation : dict | None
        Augmentations in training only, in order, as ``{name: {parameter:
        value}}``: those of :class:`~biosig.models.EEGNetClassifier` (EEG and
        ECG layers, and ``mixup``), e.g. ``{"channel_dropout": {"p": 0.2}}``.
""" + _TRAINING_PARAMS + """
    References
    ----------
    Schirrmeister RT, Springenberg JT, Fiederer LDJ, et al. Deep learning with
    convolutional neural networks for EEG decoding and visualization. Hum Brain
    Mapp 38(11):5391-5420 (2017).
    """

    window_shape = None

    def __init__(self, *, n_filters=(25, 50, 100, 200), kernel_length=10, pool_length=3,
                 pool_stride=3, dropout=0.5, epochs=300, batch_size=64, learning_rate=1e-3,
                 validation_fraction=0.2, patience=30, class_weight="balanced", loss=None,
                 sampler=None, augmentation=None, callbacks=None, random_state=None,
                 verbose="auto"):
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
        filters = [int(f) for f in self.n_filters]
        if len(filters) != 4:
            raise ValueError(f"n_filters must give the 4 blocks' filters, got {self.n_filters!r}")
        x = _temporal_spatial(signal, filters[0], self.kernel_length, spatial_bias=False)
        for i, f in enumerate(filters, start=1):
            if i > 1:
                x = layers.Dropout(self.dropout)(x)
                x = layers.Conv1D(f, self.kernel_length, use_bias=False, name=f"conv{i}")(x)
            x = _torch_batch_norm(f"bn{i}")(x)
            x = layers.Activation("elu")(x)
            x = layers.MaxPooling1D(self.pool_length, self.pool_stride, name=f"pool{i}")(x)
        x = layers.Flatten()(x)
        return layers.Dense(n_classes, activation="softmax", dtype="float32", name="softmax")(x)


def _encoder_block(x, *, heads, dropout, expansion, name):
    """A pre-norm transformer block.

    Layer norm -> multi-head self-attention -> dropout, plus the input; layer
    norm -> dense (GELU) -> dropout -> dense -> dropout, plus the input.
    """
    width = x.shape[-1]
    y = layers.LayerNormalization(epsilon=1e-5, name=f"{name}_norm1")(x)
    y = layers.MultiHeadAttention(heads, width // heads, dropout=dropout, name=f"{name}_mha")(y, y)
    x = layers.Add()([x, layers.Dropout(dropout)(y)])
    y = layers.LayerNormalization(epsilon=1e-5, name=f"{name}_norm2")(x)
    y = layers.Dense(expansion * width, activation="gelu", name=f"{name}_mlp1")(y)
    y = layers.Dropout(dropout)(y)
    y = layers.Dense(width, name=f"{name}_mlp2")(y)
    return layers.Add()([x, layers.Dropout(dropout)(y)])


class EEGConformerClassifier(KerasWindowClassifier):
    __doc__ = """EEG Conformer (Song et al. 2022): convolution tokens, a transformer, an MLP head.

    Patch embedding as ShallowConvNet: temporal convolution (``n_filters``
    kernels of ``kernel_length``) -> spatial convolution over all channels
    -> batch norm -> ELU -> average pooling (``pool_length``, stride
    ``pool_stride``) -> dropout -> a 1x1 projection, giving one token of
    ``n_filters`` per pooled step. Then ``depth`` pre-norm transformer blocks
    (``attention_heads`` heads, feed-forward ``forward_expansion`` times
    wider with GELU, dropout ``attention_dropout``), and the classifier head
    on the flattened tokens: dense 256 (ELU, dropout 0.5) -> dense 32 (ELU,
    dropout 0.3) -> softmax. The defaults are the paper's and the authors'
    code's for BCI IV 2a (which braindecode's ``EEGConformer`` defaults
    follow); the paper's windows are 4 s (1000 samples at 250 Hz).
    Attention is scaled by the square root of the head size, as in Vaswani
    et al. and braindecode (the authors' code divides by that of
    ``n_filters``). The authors train with Adam at 2e-4 (betas 0.5, 0.999)
    on batches of 72 with segment-and-recombine augmentation; the training
    defaults here are biosig's, as for the other networks.

    For 22 channels x 1000 samples and 4 classes: 789,572 trainable
    parameters (871,492 at 1125), as braindecode's ``EEGConformer``.

    Parameters
    ----------
    n_filters : int
        Convolution filters, the token width.
    kernel_length : int
        Temporal kernel length in samples.
    pool_length, pool_stride : int
        Average-pooling window and stride in samples.
    dropout : float
        Dropout rate of the patch embedding.
    depth : int
        Transformer blocks.
    attention_heads : int
        Attention heads (they divide ``n_filters``).
    attention_dropout : float
        Dropout rate of the attention weights and of the transformer blocks.
    forward_expansion : int
        Width of each block's feed-forward layer, in multiples of ``n_filters``.
    head_units : tuple of int
        Widths of the classifier head's hidden layers.
    head_dropout : tuple of float
        Dropout rate after each of them.
    augmentation : dict | None
        Augmentations in training only, in order, as ``{name: {parameter:
        value}}``: those of :class:`~biosig.models.EEGNetClassifier` (EEG and
        ECG layers, and ``mixup``), e.g. ``{"channel_dropout": {"p": 0.2}}``.
""" + _TRAINING_PARAMS + """
    References
    ----------
    Song Y, Zheng Q, Liu B, Gao X. EEG Conformer: convolutional transformer
    for EEG decoding and visualization. IEEE Trans Neural Syst Rehabil Eng
    31:710-719 (2023; online 2022).
    """

    window_shape = None

    def __init__(self, *, n_filters=40, kernel_length=25, pool_length=75, pool_stride=15,
                 dropout=0.5, depth=6, attention_heads=10, attention_dropout=0.5,
                 forward_expansion=4, head_units=(256, 32), head_dropout=(0.5, 0.3), epochs=300,
                 batch_size=64, learning_rate=1e-3, validation_fraction=0.2, patience=30,
                 class_weight="balanced", loss=None, sampler=None, augmentation=None,
                 callbacks=None, random_state=None, verbose="auto"):
        self.n_filters = n_filters
        self.kernel_length = kernel_length
        self.pool_length = pool_length
        self.pool_stride = pool_stride
        self.dropout = dropout
        self.depth = depth
        self.attention_heads = attention_heads
        self.attention_dropout = attention_dropout
        self.forward_expansion = forward_expansion
        self.head_units = head_units
        self.head_dropout = head_dropout
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
        if self.n_filters % self.attention_heads:
            raise ValueError(f"{self.attention_heads} attention heads do not divide "
                             f"{self.n_filters} filters")
        if len(self.head_units) != len(self.head_dropout):
            raise ValueError("head_units and head_dropout must have the same length")
        x = _temporal_spatial(signal, self.n_filters, self.kernel_length, spatial_bias=True)
        x = _torch_batch_norm("bn")(x)
        x = layers.Activation("elu")(x)
        x = layers.AveragePooling1D(self.pool_length, self.pool_stride, name="mean_pool")(x)
        x = layers.Dropout(self.dropout)(x)
        x = layers.Dense(self.n_filters, name="projection")(x)  # the paper's 1x1 convolution
        for i in range(self.depth):
            x = _encoder_block(x, heads=self.attention_heads, dropout=self.attention_dropout,
                               expansion=self.forward_expansion, name=f"encoder{i}")
        x = layers.Flatten()(x)
        for i, (units, rate) in enumerate(zip(self.head_units, self.head_dropout)):
            x = layers.Dense(units, activation="elu", name=f"head{i}")(x)
            x = layers.Dropout(rate)(x)
        return layers.Dense(n_classes, activation="softmax", dtype="float32", name="softmax")(x)
