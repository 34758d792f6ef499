"""Autoencoders: a stacked denoising autoencoder classifier and a reconstruction-error detector."""

import keras
import numpy as np
from scipy.special import expit
from keras import layers
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.model_selection import GroupShuffleSplit, ShuffleSplit
from sklearn.utils.validation import check_is_fitted, validate_data

from ._dbn import DBNClassifier
from ._seeding import seeded_fit

__all__ = ["AutoencoderAnomalyDetector", "StackedDenoisingAutoencoderClassifier"]


class StackedDenoisingAutoencoderClassifier(DBNClassifier):
    """Stacked denoising autoencoder (Vincent et al. 2010), then a softmax head.

    Each layer is pretrained, greedily and without labels, as an autoencoder
    that reconstructs its clean input from a copy corrupted with Gaussian
    noise; its encoder then feeds the next layer. The encoders become sigmoid
    dense layers, a softmax head is added, and the network is fine-tuned with
    early stopping on a validation split taken by group.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int
        Units of each encoder, bottom to top.
    noise : float
        Standard deviation of the corruption, relative to the layer's
        standardised input.
    pretrain_learning_rate : float
        Adam learning rate of pretraining.
    pretrain_epochs : int
        Passes over the data per layer.
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
        Share of groups held out for early stopping.
    patience : int
        Epochs without improvement before stopping.
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
        Keras' verbosity.

    Attributes
    ----------
    classes_ : ndarray
    encoders_ : list of tuple of ndarray
        (weights, bias) of each pretrained encoder.
    pretraining_errors_ : list of list of float
        Reconstruction loss per epoch of each layer.
    model_ : keras.Model
    history_ : dict

    References
    ----------
    Vincent P, Larochelle H, Lajoie I, Bengio Y, Manzagol PA. Stacked denoising
    autoencoders. J Mach Learn Res 11:3371-3408 (2010).
    """

    _layer_prefix = "encoder"

    def __init__(self, hidden_layer_sizes=(256, 128), *, noise=0.3, pretrain_learning_rate=1e-3,
                 pretrain_epochs=10, pretrain_batch_size=64, dropout=0.0, epochs=50,
                 batch_size=64, learning_rate=1e-3, validation_fraction=0.2, patience=5,
                 class_weight="balanced", loss=None,
                 sampler=None, callbacks=None, random_state=None, verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.noise = noise
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
        self.encoders_, self.pretraining_errors_ = [], []
        for depth, size in enumerate(self.hidden_layer_sizes):
            inputs = keras.Input(shape=(data.shape[1],))
            noisy = layers.GaussianNoise(self.noise * (1.0 if depth == 0 else data.std()))(inputs)
            code = layers.Dense(size, activation="sigmoid", name="encoder")(noisy)
            out = layers.Dense(data.shape[1], activation=None if depth == 0 else "sigmoid")(code)
            model = keras.Model(inputs, out)
            model.compile(optimizer=keras.optimizers.Adam(self.pretrain_learning_rate), loss="mse")
            history = model.fit(data, data, batch_size=self.pretrain_batch_size,
                                epochs=self.pretrain_epochs, shuffle=True, verbose=0)
            weights, bias = model.get_layer("encoder").get_weights()
            self.encoders_.append((weights, bias))
            self.pretraining_errors_.append([float(v) for v in history.history["loss"]])
            data = expit(data @ weights + bias).astype(np.float32)

    def _stack(self):
        return self.encoders_


class AutoencoderAnomalyDetector(OutlierMixin, BaseEstimator):
    """Flag windows an autoencoder trained on normal data reconstructs badly.

    Trained on normal windows (or feature vectors) only. The threshold is the
    ``quantile`` of reconstruction errors on a validation split of the normal
    data (held out by group when groups are given), so about ``1 - quantile``
    of normal windows are flagged.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int
        Encoder widths down to the code; the decoder mirrors them.
    quantile : float
        Validation-error quantile used as the threshold.
    epochs : int
        Maximum epochs.
    batch_size : int
        Mini-batch size.
    learning_rate : float
        Adam learning rate.
    validation_fraction : float
        Share of (groups of) normal data held out for early stopping and the threshold.
    patience : int
        Epochs without improvement before stopping.
    callbacks : list of keras.callbacks.Callback | None
        Extra Keras callbacks, e.g. ``keras.callbacks.TensorBoard(log_dir)``.
    random_state : int | None
        Seed.
    verbose : int
        Keras' verbosity.

    Attributes
    ----------
    model_ : keras.Model
    mean_, scale_ : ndarray
        Standardisation of the flattened input.
    threshold_ : float
        Reconstruction error above which a window is an anomaly.
    offset_ : float
        ``-threshold_``, as in scikit-learn's outlier detectors.
    """

    def __init__(self, hidden_layer_sizes=(64, 16), *, quantile=0.99, epochs=50, batch_size=64,
                 learning_rate=1e-3, validation_fraction=0.2, patience=5, callbacks=None,
                 random_state=None, verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.quantile = quantile
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose

    def _standardised(self, X):
        flat = X.reshape(len(X), -1)
        if flat.shape[1] != self.mean_.size:
            raise ValueError(f"{type(self).__name__} was fitted on {self.mean_.size} values per "
                             f"window, got {flat.shape[1]} (shape {X.shape[1:]})")
        return ((flat - self.mean_) / self.scale_).astype(np.float32)

    @seeded_fit
    def fit(self, X, y=None, groups=None):
        """Train on normal data only.

        Parameters
        ----------
        X : ndarray, shape (n, n_features) or (n, n_channels, n_samples)
        y : None
            Ignored.
        groups : array-like | None
            Subject or record of each window, for the validation split.

        Returns
        -------
        self
        """
        if not 0 < self.validation_fraction < 1:
            raise ValueError("AutoencoderAnomalyDetector needs a validation split to set its "
                             f"threshold; validation_fraction={self.validation_fraction}")
        X = validate_data(self, X, allow_nd=True, dtype=np.float32)
        flat = X.reshape(len(X), -1)
        splitter = (GroupShuffleSplit if groups is not None else ShuffleSplit)(
            1, test_size=self.validation_fraction, random_state=self.random_state)
        train, val = next(splitter.split(flat, groups=groups))
        self.mean_ = flat[train].mean(axis=0)
        self.scale_ = flat[train].std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        z = self._standardised(flat)
        inputs = keras.Input(shape=(z.shape[1],))
        x = inputs
        for n in self.hidden_layer_sizes:
            x = layers.Dense(n, activation="relu")(x)
        for n in reversed(self.hidden_layer_sizes[:-1]):
            x = layers.Dense(n, activation="relu")(x)
        self.model_ = keras.Model(inputs, layers.Dense(z.shape[1])(x))
        self.model_.compile(optimizer=keras.optimizers.Adam(self.learning_rate), loss="mse")
        history = self.model_.fit(
            z[train], z[train], validation_data=(z[val], z[val]), batch_size=self.batch_size,
            epochs=self.epochs, shuffle=True, verbose=self.verbose,
            callbacks=[*(self.callbacks or []),
                       keras.callbacks.EarlyStopping(patience=self.patience,
                                                     restore_best_weights=True)])
        self.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        self.threshold_ = float(np.quantile(self._errors(z[val]), self.quantile))
        self.offset_ = -self.threshold_
        return self

    def _errors(self, z):
        reconstruction = self.model_.predict(z, batch_size=self.batch_size, verbose=0)
        return np.mean(np.square(reconstruction - z, dtype=np.float64), axis=1)

    def reconstruction_error(self, X):
        """Mean squared reconstruction error of each window (standardised units)."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, allow_nd=True, dtype=np.float32)
        return self._errors(self._standardised(X))

    def score_samples(self, X):
        """Normality score: the negated reconstruction error (higher is more normal)."""
        return -self.reconstruction_error(X)

    def decision_function(self, X):
        """Negative for anomalies: ``score_samples(X) - offset_``."""
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """1 for normal windows, -1 for anomalies (scikit-learn's outlier convention)."""
        return np.where(self.decision_function(X) < 0, -1, 1)
