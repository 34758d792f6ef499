"""The scikit-learn face shared by every Keras window classifier."""

import warnings

import keras
import numpy as np
from keras import layers
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import (
    GroupShuffleSplit,
    ShuffleSplit,
    StratifiedShuffleSplit,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..training import BalancedBatches, SparseFocalLoss, class_weights
from ._inputs import unpack_inputs
from ._seeding import seeded_fit

__all__ = []

# The numpydoc entries of the training parameters every classifier shares.
TRAINING_PARAMS_DOC = """
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
        Loss weights per class.
    loss : None | "focal" | keras.losses.Loss
        Training loss: None for the cross-entropy, "focal" for
        :class:`~biosig.training.SparseFocalLoss` (gamma 2), or any Keras loss
        on integer labels.
    sampler : imblearn sampler | None
        When set (e.g. ``RandomOverSampler()``), training batches come from
        :class:`~biosig.training.BalancedBatches`, which rebalances the
        classes with this sampler at every epoch.
    callbacks : list of keras.callbacks.Callback | None
        Extra Keras callbacks, e.g. ``keras.callbacks.TensorBoard(log_dir)``
        for TensorBoard logs.
    random_state : int | None
        Seed of the weights, the shuffling and the validation split.
    verbose : "auto" | int
        Keras' verbosity.

    Attributes
    ----------
    classes_ : ndarray
    model_ : keras.Model
    history_ : dict
    window_shape_ : tuple
"""


def _as_keras_inputs(windows, features):
    inputs = {"signal": windows}
    if features is not None:
        inputs["features"] = features
    return inputs


class KerasWindowClassifier(ClassifierMixin, BaseEstimator):
    """Base class: a Keras 3 network over windows behind the scikit-learn API.

    Subclasses list every parameter in their ``__init__`` and implement
    ``_build_head(signal, features, n_classes)``, which maps the normalised
    channels-last signal tensor (and the normalised feature tensor, or None)
    to class probabilities, with ``keras.layers``/``keras.ops`` only.

    Mixed precision follows Keras' global policy: call
    ``keras.mixed_precision.set_global_policy("mixed_float16")`` (or
    ``"mixed_bfloat16"``) before ``fit`` on a GPU; the softmax output stays
    float32 so probabilities and the loss keep full precision.

    Input ``X`` is windows of shape (n_windows, n_channels, n_samples), a 2-D
    array of single-channel windows (n_windows, n_samples), or the 2-D output
    of :func:`~biosig.models.pack_inputs` with ``window_shape`` set. It must be
    finite; sparse matrices are refused. Per-channel (and per-feature)
    standardisation is learned from the training part of ``X`` and lives in
    the network.
    """

    def _build_head(self, signal, features, n_classes):
        raise NotImplementedError

    def _loss(self):
        loss = getattr(self, "loss", None)
        if loss is None:
            return "sparse_categorical_crossentropy"
        if isinstance(loss, str) and loss == "focal":
            return SparseFocalLoss(gamma=2.0)
        return loss

    def _validation_split(self, y, groups):
        index = np.arange(len(y))
        if not self.validation_fraction:
            return index, None
        if groups is not None:
            groups = np.asarray(groups)
            if len(np.unique(groups)) < 2:
                raise ValueError("the validation split is taken by group and needs at least "
                                 f"two groups; got {np.unique(groups).tolist()}")
            splitter = GroupShuffleSplit(1, test_size=self.validation_fraction,
                                         random_state=self.random_state)
        else:
            warnings.warn(
                f"{type(self).__name__}.fit got no groups: the early-stopping validation "
                "split is taken by window, so it shares subjects/records with training. "
                "Pass groups=... to split by subject or record.", UserWarning, stacklevel=3)
            splitter = StratifiedShuffleSplit(1, test_size=self.validation_fraction,
                                              random_state=self.random_state)
            if np.bincount(y).min() < 2:  # a class too rare to stratify
                splitter = ShuffleSplit(1, test_size=self.validation_fraction,
                                        random_state=self.random_state)
        train, val = next(splitter.split(index, y, groups))
        return train, val

    def _build(self, windows, features, n_classes):
        channels_last = windows.transpose(0, 2, 1).astype(np.float64)
        signal_in = keras.Input(shape=windows.shape[1:], name="signal")
        x = layers.Permute((2, 1), name="channels_last")(signal_in)
        x = layers.Normalization(axis=-1, mean=channels_last.mean(axis=(0, 1)),
                                 variance=channels_last.var(axis=(0, 1)), name="signal_norm")(x)
        inputs, f = {"signal": signal_in}, None
        if features is not None:
            feature_in = keras.Input(shape=(features.shape[1],), name="features")
            f = layers.Normalization(axis=-1, mean=features.mean(axis=0, dtype=np.float64),
                                     variance=features.var(axis=0, dtype=np.float64),
                                     name="feature_norm")(feature_in)
            inputs["features"] = feature_in
        outputs = self._build_head(x, f, n_classes)
        return keras.Model(inputs, outputs, name=type(self).__name__)

    @seeded_fit
    def fit(self, X, y, groups=None):
        """Train the network, early-stopping on a validation split taken by group.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples) or (n_windows, n_columns)
            Windows, or the output of :func:`~biosig.models.pack_inputs`.
        y : array-like, shape (n_windows,)
            Class labels.
        groups : array-like, shape (n_windows,) | None
            Subject or record of each window. The validation split for early
            stopping holds out whole groups; without groups it falls back to
            a split by window and warns.

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, allow_nd=True, dtype=np.float32)
        windows, features = unpack_inputs(X, self.window_shape)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("need at least two classes to train, got 1 class: "
                             f"{self.classes_.tolist()}")

        train, val = self._validation_split(y_index, groups)
        weights = self.class_weight
        if isinstance(weights, dict):
            unknown = [k for k in weights if k not in self.classes_]
            if unknown:
                raise ValueError(f"class_weight names classes absent from y: {unknown}")
            in_train = set(np.unique(y_index[train]).tolist())
            weights = {i: w for k, w in weights.items()
                       if (i := int(np.searchsorted(self.classes_, k))) in in_train}
        weights = class_weights(y_index[train], weights)
        try:
            self.model_ = self._build(windows[train],
                                      None if features is None else features[train],
                                      len(self.classes_))
        except ValueError as err:  # e.g. Keras' shape inference: a pool longer than its input
            raise ValueError(
                f"{type(self).__name__} cannot be built on windows of shape "
                f"{tuple(windows.shape[1:])}: {str(err).splitlines()[0][:200]}") from None
        self.model_.compile(optimizer=keras.optimizers.Adam(self.learning_rate),
                            loss=self._loss(), metrics=["accuracy"])
        callbacks = list(self.callbacks or [])
        validation_data = None
        if val is not None:
            # Weighted like the training loss, so early stopping follows the
            # objective being trained rather than the majority class.
            val_weight = np.array([weights.get(c, 1.0) for c in range(len(self.classes_))])[y_index[val]]
            validation_data = (_as_keras_inputs(windows[val], None if features is None else features[val]),
                               y_index[val], val_weight)
            callbacks.append(keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=self.patience, restore_best_weights=True))
        train_inputs = _as_keras_inputs(windows[train],
                                        None if features is None else features[train])
        sampler = getattr(self, "sampler", None)
        if sampler is not None:
            # The batches are rebalanced, so class weights would count twice.
            stream = BalancedBatches(train_inputs, y_index[train], self.batch_size,
                                     sampler=sampler, random_state=self.random_state)
            history = self.model_.fit(stream, epochs=self.epochs, validation_data=validation_data,
                                      callbacks=callbacks, verbose=self.verbose)
        else:
            history = self.model_.fit(
                train_inputs, y_index[train], batch_size=self.batch_size, epochs=self.epochs,
                validation_data=validation_data, class_weight=weights, callbacks=callbacks,
                verbose=self.verbose, shuffle=True)
        self.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        self.window_shape_ = tuple(windows.shape[1:])
        return self

    def _checked_inputs(self, X):
        """Windows and features of ``X`` after checking them against what ``fit`` saw."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, allow_nd=True, dtype=np.float32)
        windows, features = unpack_inputs(X, self.window_shape)
        if windows.shape[1:] != self.window_shape_:
            raise ValueError(f"{type(self).__name__} was fitted on windows of shape "
                             f"{self.window_shape_}, got {windows.shape[1:]}")
        return _as_keras_inputs(windows, features)

    def predict_proba(self, X):
        """Class probabilities.

        Returns
        -------
        proba : ndarray, shape (n_windows, n_classes)
            Columns follow ``classes_``.
        """
        inputs = self._checked_inputs(X)
        proba = self.model_.predict(inputs, batch_size=self.batch_size, verbose=0)
        return np.asarray(proba, dtype=np.float64)

    def predict(self, X):
        """Most probable class of each window."""
        check_is_fitted(self, "model_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def save(self, path):
        """Write the fitted classifier to a ``.keras`` file; see :func:`~biosig.models.load_estimator`.

        Returns
        -------
        path : Path
        """
        from ._persistence import save_estimator

        return save_estimator(self, path)
