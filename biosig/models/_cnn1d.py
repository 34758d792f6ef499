"""A 1-D convolutional network for ECG beats and short windows."""

from keras import layers

from ._base import KerasWindowClassifier

__all__ = ["CNN1DClassifier"]


def conv_block(x, filters, kernel_size, suffix, pool_size=None):
    """Conv1D (no bias) → BatchNormalization → ReLU, then max pooling if ``pool_size``.

    The layers are named ``conv{suffix}``, ``bn{suffix}``, ``relu{suffix}``
    and ``pool{suffix}``; the ECG networks share it.
    """
    x = layers.Conv1D(filters, kernel_size, padding="same", use_bias=False,
                      name=f"conv{suffix}")(x)
    x = layers.BatchNormalization(momentum=0.9, name=f"bn{suffix}")(x)
    x = layers.Activation("relu", name=f"relu{suffix}")(x)
    if pool_size:
        x = layers.MaxPooling1D(pool_size, padding="same", name=f"pool{suffix}")(x)
    return x


def classifier_top(x, features, n_classes, dense_units, dropout):
    """Join the tabular features to the embedding, then dropout → dense ReLU → dropout →
    softmax; the softmax is float32 whatever the global precision policy.
    """
    if features is not None:
        x = layers.Concatenate(name="join_features")([x, features])
    x = layers.Dropout(dropout)(x)
    x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    x = layers.Dropout(dropout)(x)
    return layers.Dense(n_classes, activation="softmax", dtype="float32", name="softmax")(x)


class CNN1DClassifier(KerasWindowClassifier):
    """1-D CNN over the window, joined by optional tabular features.

    Each block is Conv1D → BatchNormalization → ReLU → MaxPooling1D; global
    average pooling then gives an embedding that is concatenated with the
    standardised tabular features (e.g. RR intervals) before a dense layer and
    the softmax. Written with ``keras.layers`` only, so it runs on the
    TensorFlow, JAX and PyTorch backends.

    Parameters
    ----------
    window_shape : tuple of int | None
        ``(n_channels, n_samples)``; needed only when ``X`` is packed with
        :func:`~biosig.models.pack_inputs`.
    filters : tuple of int
        Filters of each convolution block.
    kernel_size : int
        Kernel length of every convolution, in samples.
    pool_size : int
        Max-pooling factor after each block.
    dense_units : int
        Width of the dense layer before the softmax.
    dropout : float
        Dropout rate before the dense layer and before the softmax.
    epochs : int
        Maximum number of epochs.
    batch_size : int
        Mini-batch size.
    learning_rate : float
        Adam learning rate.
    validation_fraction : float
        Share of groups (or windows, without groups) held out for early
        stopping; 0 disables early stopping.
    patience : int
        Epochs without validation-loss improvement before stopping; the best
        weights are restored.
    class_weight : "balanced" | dict | None
        Loss weights per class (see :func:`biosig.training.class_weights`).
    loss : None | "focal" | keras.losses.Loss
        Training loss: None for the cross-entropy, "focal" for
        :class:`~biosig.training.SparseFocalLoss` (gamma 2), or any Keras loss
        on integer labels.
    sampler : imblearn sampler | None
        Rebalances the training part of the fit, after the early-stopping
        split (so validation windows are never resampled).
        ``RandomOverSampler()`` or ``RandomUnderSampler()`` redraw the
        batches at every epoch; any other sampler (``SMOTE()``, ...)
        resamples the training feature vectors once.
    augmentation : dict | None
        Augmentations applied to the standardised windows in training only,
        in order: ``{"baseline_wander": {"sfreq": 360, "amplitude": 0.3},
        "amplitude": {"low": 0.9, "high": 1.1}, "noise": {"snr_db": 25},
        "time_warp": {"max_stretch": 0.05, "max_shift": 5}}`` (the layers
        :class:`~biosig.models.BaselineWander`, :class:`~biosig.models.AmplitudeScale`,
        :class:`~biosig.models.GaussianNoiseSNR`, :class:`~biosig.models.TimeWarp`).
    callbacks : list of keras.callbacks.Callback | None
        Extra Keras callbacks.
    random_state : int | None
        Seed of the weights, the shuffling and the validation split. The
        global generators Keras draws from are seeded for the span of ``fit``
        and restored after it.
    verbose : "auto" | int
        Keras' verbosity: a progress bar ("auto", 1), a line per epoch (2) or
        silence (0).

    Attributes
    ----------
    classes_ : ndarray
        Class labels.
    model_ : keras.Model
        The trained network.
    history_ : dict
        Per-epoch loss and accuracy (and their validation counterparts).
    window_shape_ : tuple
        ``(n_channels, n_samples)`` seen in ``fit``.
    """

    def __init__(self, window_shape=None, *, filters=(16, 32, 64), kernel_size=7, pool_size=2,
                 dense_units=64, dropout=0.3, epochs=30, batch_size=128, learning_rate=1e-3,
                 validation_fraction=0.2, patience=5, class_weight="balanced", loss=None,
                 sampler=None, augmentation=None, callbacks=None,
                 random_state=None, verbose="auto"):
        self.window_shape = window_shape
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
        self.augmentation = augmentation
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose

    def _build_head(self, signal, features, n_classes):
        x = signal
        for i, n_filters in enumerate(self.filters):
            x = conv_block(x, n_filters, self.kernel_size, i, self.pool_size)
        x = layers.GlobalAveragePooling1D(name="gap")(x)
        return classifier_top(x, features, n_classes, self.dense_units, self.dropout)
