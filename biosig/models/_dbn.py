"""Deep belief network: stacked RBMs pretrained greedily, then fine-tuned with a softmax head."""

import keras
import numpy as np
from keras import layers

from ._base import KerasWindowClassifier
from ._rbm import RBM

__all__ = ["DBNClassifier"]


class DBNClassifier(KerasWindowClassifier):
    """Deep belief network classifier (Hinton, Osindero and Teh 2006).

    Pretraining is greedy and layer-wise: a Gaussian-Bernoulli :class:`RBM`
    learns the standardised input, and each further Bernoulli-Bernoulli RBM
    learns the hidden probabilities of the one below, with CD-k or persistent
    CD in Keras ops (so on the GPU when there is one). The stack then becomes
    sigmoid dense layers initialised with the RBM weights, a softmax head is
    added, and the whole network is fine-tuned with early stopping on a
    validation split taken by group.

    Input ``X`` is feature vectors (n_samples, n_features), e.g. wavelet or
    differential-entropy features, or windows (n_windows, n_channels,
    n_samples), which are flattened.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int
        Hidden units of each RBM, bottom to top.
    k : int
        Gibbs steps of contrastive divergence.
    persistent : bool
        Persistent CD instead of CD-k.
    pretrain_learning_rate : float
        SGD step of pretraining.
    pretrain_epochs : int
        Passes over the data per RBM.
    pretrain_batch_size : int
        Examples per pretraining update.
    dropout : float
        Dropout after each hidden layer during fine-tuning.
    epochs : int
        Maximum fine-tuning epochs.
    batch_size : int
        Fine-tuning mini-batch size.
    learning_rate : float
        Adam learning rate of fine-tuning.
    validation_fraction : float
        Share of groups (or windows, without groups) held out for early stopping.
    patience : int
        Epochs without improvement of the validation loss before stopping.
    class_weight : "balanced" | dict | None
        Loss weights per class.
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
    callbacks : list of keras.callbacks.Callback | None
        Extra callbacks for fine-tuning.
    random_state : int | None
        Seed of pretraining and fine-tuning.
    verbose : int
        0 silent, 1 progress bars for pretraining and Keras' own for fine-tuning.

    Attributes
    ----------
    classes_ : ndarray
    rbms_ : list of RBM
        The pretrained machines, bottom to top.
    pretraining_errors_ : list of list of float
        Reconstruction error per epoch of each RBM.
    model_ : keras.Model
    history_ : dict
        Fine-tuning losses and metrics per epoch.

    References
    ----------
    Hinton GE, Osindero S, Teh YW. A fast learning algorithm for deep belief
    nets. Neural Comput 18(7):1527-1554 (2006).
    """

    window_shape = None

    def __init__(self, hidden_layer_sizes=(256, 128), *, k=1, persistent=False,
                 pretrain_learning_rate=0.01, pretrain_epochs=10, pretrain_batch_size=64,
                 dropout=0.0, epochs=50, batch_size=64, learning_rate=1e-3,
                 validation_fraction=0.2, patience=5, class_weight="balanced", loss=None,
                 sampler=None, callbacks=None,
                 random_state=None, verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.k = k
        self.persistent = persistent
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_epochs = pretrain_epochs
        self.pretrain_batch_size = pretrain_batch_size
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

    def _pretrain(self, data):
        self.rbms_, self.pretraining_errors_ = [], []
        seed = self.random_state
        for depth, size in enumerate(self.hidden_layer_sizes):
            rbm = RBM(size, visible="gaussian" if depth == 0 else "bernoulli", k=self.k,
                      persistent=self.persistent, learning_rate=self.pretrain_learning_rate,
                      batch_size=self.pretrain_batch_size, n_iter=self.pretrain_epochs,
                      random_state=None if seed is None else seed + depth,
                      verbose=bool(self.verbose))
            data = rbm.fit(data).transform(data).astype(np.float32)
            self.rbms_.append(rbm)
            self.pretraining_errors_.append(list(rbm.reconstruction_error_))

    def _statistics(self, view, positions):
        # Pretraining reads the training feature vectors whole (they are small).
        flat = view.take(positions).reshape(len(positions), -1)
        if not np.isfinite(flat).all():
            raise ValueError("Input X contains NaN or infinity.")
        mean = flat.mean(axis=0, dtype=np.float64)
        var = flat.var(axis=0, dtype=np.float64)
        scale = np.sqrt(np.where(var > 0, var, 1.0)).astype(np.float32)
        self._pretrain((flat - mean.astype(np.float32)) / scale)
        return {"signal": (mean, var)}

    def _build(self, window_shape, n_features, n_classes, stats):
        signal_in = keras.Input(shape=window_shape, name="signal")
        x = layers.Flatten(name="flatten")(signal_in)
        x = layers.Normalization(axis=-1, mean=stats["signal"][0], variance=stats["signal"][1],
                                 name="input_norm")(x)
        for depth, (weights, bias) in enumerate(self._stack()):
            dense = layers.Dense(weights.shape[1], activation="sigmoid",
                                 name=f"{self._layer_prefix}_{depth}")
            x = dense(x)
            dense.set_weights([weights, bias])
            if self.dropout:
                x = layers.Dropout(self.dropout)(x)
        outputs = layers.Dense(n_classes, activation="softmax", dtype="float32", name="softmax")(x)
        return keras.Model({"signal": signal_in}, outputs, name=type(self).__name__)

    _layer_prefix = "rbm"

    def _stack(self):
        """(weights (n_in, n_out), bias) of each pretrained layer, bottom to top."""
        return [(rbm.components_.T, rbm.intercept_hidden_) for rbm in self.rbms_]
