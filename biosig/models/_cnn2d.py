"""A 2-D CNN for time-frequency images such as CWT scalograms."""

import keras
from keras import layers

from ._base import TRAINING_PARAMS_DOC as _TRAINING_PARAMS
from ._base import KerasWindowClassifier

__all__ = ["CNN2DClassifier"]


class CNN2DClassifier(KerasWindowClassifier):
    __doc__ = """2-D CNN over (channels, scales, time) images, e.g. from :class:`~biosig.features.CWTScalogram`.

    Channels become image channels; each is standardised, then Conv2D ->
    batch norm -> ReLU -> max pooling blocks, global average pooling, a dense
    layer and the softmax.

    Parameters
    ----------
    filters : tuple of int
        Filters of each convolution block.
    kernel_size : int
        Square kernel size.
    pool_size : int
        Square pooling factor after each block.
    dense_units : int
        Width of the dense layer before the softmax.
    dropout : float
        Dropout before the dense layer and before the softmax.
""" + _TRAINING_PARAMS + """
    Notes
    -----
    ``window_shape_`` is ``(n_channels, n_scales, n_times)`` here.
    """

    window_shape = None

    def __init__(self, filters=(16, 32, 64), *, kernel_size=3, pool_size=2, dense_units=64,
                 dropout=0.3, epochs=30, batch_size=64, learning_rate=1e-3,
                 validation_fraction=0.2, patience=5, class_weight="balanced", loss=None,
                 sampler=None, callbacks=None,
                 random_state=None, verbose="auto"):
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
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
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose

    def _build(self, window_shape, n_features, n_classes, stats):
        if len(window_shape) != 3:
            raise ValueError("CNN2DClassifier expects images of shape (n, channels, scales, "
                             f"time), got windows of shape {window_shape}")
        image_in = keras.Input(shape=window_shape, name="signal")
        x = layers.Permute((2, 3, 1), name="channels_last")(image_in)
        x = layers.Normalization(axis=-1, mean=stats["signal"][0], variance=stats["signal"][1],
                                 name="image_norm")(x)
        for i, n in enumerate(self.filters):
            x = layers.Conv2D(n, self.kernel_size, padding="same", use_bias=False,
                              name=f"conv{i}")(x)
            x = layers.BatchNormalization(momentum=0.9, name=f"bn{i}")(x)
            x = layers.Activation("relu")(x)
            x = layers.MaxPooling2D(self.pool_size, padding="same", name=f"pool{i}")(x)
        x = layers.GlobalAveragePooling2D(name="gap")(x)
        x = layers.Dropout(self.dropout)(x)
        x = layers.Dense(self.dense_units, activation="relu", name="dense")(x)
        x = layers.Dropout(self.dropout)(x)
        outputs = layers.Dense(n_classes, activation="softmax", dtype="float32", name="softmax")(x)
        return keras.Model({"signal": image_in}, outputs, name="CNN2DClassifier")
