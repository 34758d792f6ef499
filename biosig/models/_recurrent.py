"""Recurrent classifiers: a bidirectional LSTM and a CNN-LSTM."""

from keras import layers

from ._base import TRAINING_PARAMS_DOC as _TRAINING_PARAMS
from ._base import KerasWindowClassifier

__all__ = ["BiLSTMClassifier", "CNNLSTMClassifier"]



class BiLSTMClassifier(KerasWindowClassifier):
    __doc__ = """Bidirectional LSTM over the time axis of windows or feature sequences.

    Input (n, channels, steps): raw windows, or a sequence of feature
    vectors (e.g. differential entropy per band over consecutive seconds,
    laid out as (n, features, steps)). Each step's channels are standardised,
    stacked bidirectional LSTM layers read the sequence, and the last layer's
    final states feed a softmax.

    Parameters
    ----------
    units : tuple of int
        LSTM units per direction, one entry per stacked layer.
    dropout : float
        Dropout on each LSTM layer's output.
""" + _TRAINING_PARAMS

    window_shape = None

    def __init__(self, units=(64,), *, dropout=0.3, epochs=50, batch_size=64,
                 learning_rate=1e-3, validation_fraction=0.2, patience=8,
                 class_weight="balanced", loss=None,
                 sampler=None, callbacks=None, random_state=None, verbose="auto"):
        self.units = units
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

    def _recurrent(self, x):
        for i, n in enumerate(self.units):
            last = i == len(self.units) - 1
            x = layers.Bidirectional(layers.LSTM(n, return_sequences=not last), name=f"bilstm{i}")(x)
            x = layers.Dropout(self.dropout)(x)
        return x

    def _build_head(self, signal, features, n_classes):
        x = self._recurrent(signal)
        if features is not None:
            x = layers.Concatenate(name="join_features")([x, features])
        return layers.Dense(n_classes, activation="softmax", dtype="float32", name="softmax")(x)


class CNNLSTMClassifier(BiLSTMClassifier):
    __doc__ = """Convolutions that shorten the window, then a bidirectional LSTM.

    Conv1D -> batch norm -> ReLU -> max pooling blocks turn a long raw window
    into a shorter sequence of local features, which stacked bidirectional
    LSTM layers then read.

    Parameters
    ----------
    filters : tuple of int
        Filters of each convolution block.
    kernel_size : int
        Kernel length in samples.
    pool_size : int
        Pooling factor after each block.
    units : tuple of int
        LSTM units per direction, one entry per stacked layer.
    dropout : float
        Dropout on each LSTM layer's output.
""" + _TRAINING_PARAMS

    def __init__(self, filters=(32, 64), *, kernel_size=7, pool_size=4, units=(64,),
                 dropout=0.3, epochs=50, batch_size=64, learning_rate=1e-3,
                 validation_fraction=0.2, patience=8, class_weight="balanced", loss=None,
                 sampler=None, callbacks=None,
                 random_state=None, verbose="auto"):
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        super().__init__(units, dropout=dropout, epochs=epochs, batch_size=batch_size,
                         learning_rate=learning_rate, validation_fraction=validation_fraction,
                         patience=patience, class_weight=class_weight, loss=loss,
                         sampler=sampler, callbacks=callbacks,
                         random_state=random_state, verbose=verbose)

    def _build_head(self, signal, features, n_classes):
        x = signal
        for i, n in enumerate(self.filters):
            x = layers.Conv1D(n, self.kernel_size, padding="same", use_bias=False,
                              name=f"conv{i}")(x)
            x = layers.BatchNormalization(momentum=0.9, name=f"bn{i}")(x)
            x = layers.Activation("relu")(x)
            x = layers.MaxPooling1D(self.pool_size, padding="same", name=f"pool{i}")(x)
        x = self._recurrent(x)
        if features is not None:
            x = layers.Concatenate(name="join_features")([x, features])
        return layers.Dense(n_classes, activation="softmax", dtype="float32", name="softmax")(x)
