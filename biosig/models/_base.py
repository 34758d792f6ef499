"""The scikit-learn face shared by every Keras window classifier."""

import warnings

import keras
import numpy as np
from keras import layers
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import (
    GroupShuffleSplit,
    ShuffleSplit,
    StratifiedShuffleSplit,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..training import SparseFocalLoss, class_weights
from ..windows import WindowView
from ._augment import augmentation_layers
from ._batches import WindowBatches
from ._eeg_augment import MixupBatches
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
        Rebalances the training part of the fit, after the early-stopping
        split (so validation windows are never resampled).
        ``RandomOverSampler()`` or ``RandomUnderSampler()`` redraw the
        batches at every epoch; any other sampler (``SMOTE()``, ...)
        resamples the training feature vectors once.
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


class _Moments:
    """Running mean and variance of the columns of row blocks, merged pairwise in float64."""

    def __init__(self):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, rows):
        n = len(rows)
        if not n:
            return
        mean = rows.mean(axis=0, dtype=np.float64)
        m2 = np.square(rows - mean.astype(rows.dtype)).sum(axis=0, dtype=np.float64)
        delta, total = mean - self.mean, self.n + n
        self.mean = self.mean + delta * n / total
        self.m2 = self.m2 + m2 + delta ** 2 * self.n * n / total
        self.n = total

    def result(self):
        return self.mean, self.m2 / max(self.n, 1)


def _selects_indices(sampler):
    """Whether a sampler only selects rows (so it can act on indices, batch by batch)."""
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    return isinstance(sampler, (RandomOverSampler, RandomUnderSampler))


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

    def _mixup(self):
        """The mixup parameters of ``augmentation`` (a dict), or None without mixup."""
        spec = getattr(self, "augmentation", None) or {}
        if "mixup" not in spec:
            return None
        return dict(spec["mixup"] or {})  # its names were checked with the layers'

    def _loss(self, soft=False):
        """The training loss; ``soft`` for one-hot or mixed targets (mixup)."""
        loss = getattr(self, "loss", None)
        if loss is None:
            return "categorical_crossentropy" if soft else "sparse_categorical_crossentropy"
        if isinstance(loss, str) and loss == "focal":
            if soft:  # the same loss on one-hot targets, and linear in the target
                return keras.losses.CategoricalFocalCrossentropy(alpha=1.0, gamma=2.0)
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
                "Pass groups=... to split by subject or record.", UserWarning, stacklevel=4)
            splitter = StratifiedShuffleSplit(1, test_size=self.validation_fraction,
                                              random_state=self.random_state)
            if np.bincount(y).min() < 2:  # a class too rare to stratify
                splitter = ShuffleSplit(1, test_size=self.validation_fraction,
                                        random_state=self.random_state)
        train, val = next(splitter.split(index, y, groups))
        return train, val

    def _view(self, X, *, reset):
        """The input as a WindowView: checked as scikit-learn checks arrays, never copied."""
        if isinstance(X, WindowView):
            if reset:
                self.n_features_in_ = X.shape[1]
            elif X.shape[1] != self.n_features_in_:
                raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} is "
                                 f"expecting {self.n_features_in_} features as input.")
            return X
        X = validate_data(self, X, reset=reset, allow_nd=True, dtype=np.float32)
        windows, features = unpack_inputs(X, self.window_shape)
        return WindowView(windows, features=features)

    def _statistics(self, view, positions):
        """Mean and variance of each input channel (and feature) over the training windows.

        One streaming pass over the windows in chunks, accumulated in float64
        (Chan et al.'s pairwise update); the windows are never copied whole.
        Raises on non-finite values, as scikit-learn's input checks do.
        """
        signal = _Moments()
        for chunk in view[positions].chunks():
            if not np.isfinite(chunk).all():
                raise ValueError("Input X contains NaN or infinity.")
            signal.add(np.moveaxis(chunk, 1, -1).reshape(-1, chunk.shape[1]))
        stats = {"signal": signal.result()}
        if view.has_features:
            features = view[positions].features
            if not np.isfinite(features).all():
                raise ValueError("Input X contains NaN or infinity.")
            stats["features"] = (features.mean(axis=0, dtype=np.float64),
                                 features.var(axis=0, dtype=np.float64))
        return stats

    def _build(self, window_shape, n_features, n_classes, stats):
        signal_in = keras.Input(shape=window_shape, name="signal")
        x = layers.Permute((2, 1), name="channels_last")(signal_in)
        x = layers.Normalization(axis=-1, mean=stats["signal"][0], variance=stats["signal"][1],
                                 name="signal_norm")(x)
        for layer in augmentation_layers(getattr(self, "augmentation", None),
                                         seed=self.random_state):
            x = layer(x)  # the identity outside training
        inputs, f = {"signal": signal_in}, None
        if n_features:
            feature_in = keras.Input(shape=(n_features,), name="features")
            f = layers.Normalization(axis=-1, mean=stats["features"][0],
                                     variance=stats["features"][1], name="feature_norm")(feature_in)
            inputs["features"] = feature_in
        outputs = self._build_head(x, f, n_classes)
        return keras.Model(inputs, outputs, name=type(self).__name__)

    def _resample(self, view, positions, y_index):
        """Apply a sampler that synthesises or selects by features (SMOTE, ...) to the training part."""
        sampler = getattr(self, "sampler", None)
        if sampler is None or _selects_indices(sampler):
            return view, positions, y_index
        windows = view.take(positions)
        if windows.shape[1] != 1 or view.has_features:
            raise ValueError(f"{type(sampler).__name__} resamples feature vectors; "
                             f"{type(self).__name__} got windows of shape {windows.shape[1:]}. "
                             "Use RandomOverSampler or RandomUnderSampler (balanced batches) "
                             "for windows")
        sampler = clone(sampler)
        if "random_state" in sampler.get_params():
            sampler.set_params(random_state=self.random_state)
        flat, y_new = sampler.fit_resample(windows[:, 0], y_index[positions])
        return (WindowView(flat[:, None, :].astype(np.float32)), np.arange(len(flat)),
                np.asarray(y_new))

    @seeded_fit
    def fit(self, X, y, groups=None):
        """Train the network, early-stopping on a validation split taken by group.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples) or (n_windows, n_columns) | WindowView
            Windows, the output of :func:`~biosig.models.pack_inputs`, or a
            :class:`~biosig.windows.WindowView` of a window store (read in
            batches, never whole; its tabular features join the network).
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
        if isinstance(X, WindowView):
            if y is None:
                raise ValueError(f"{type(self).__name__} requires y to be passed, but the "
                                 "target y is None")
            view, y = self._view(X, reset=True), np.asarray(y)
            if len(y) != len(view):
                raise ValueError(f"{len(view)} windows but {len(y)} labels")
        else:
            X, y = validate_data(self, X, y, allow_nd=True, dtype=np.float32)
            windows, features = unpack_inputs(X, self.window_shape)
            view = WindowView(windows, features=features)
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
        val_view, val_y = view, y_index
        view, train, y_index = self._resample(view, train, y_index)
        n_features = view.base_features.shape[1] if view.has_features else 0
        try:
            stats = self._statistics(view, train)
            self.model_ = self._build(tuple(view.shape[1:]), n_features, len(self.classes_),
                                      stats)
        except ValueError as err:  # e.g. Keras' shape inference: a pool longer than its input
            if "NaN" in str(err):
                raise
            raise ValueError(
                f"{type(self).__name__} cannot be built on windows of shape "
                f"{tuple(view.shape[1:])}: {str(err).splitlines()[0][:200]}") from None
        mixup = self._mixup()
        self.model_.compile(optimizer=keras.optimizers.Adam(self.learning_rate),
                            loss=self._loss(soft=mixup is not None), metrics=["accuracy"])
        callbacks = list(self.callbacks or [])
        validation_data = None
        table = np.array([weights.get(c, 1.0) for c in range(len(self.classes_))])
        if val is not None:
            # Weighted like the training loss, so early stopping follows the
            # objective being trained rather than the majority class.
            if mixup is None:
                validation_data = WindowBatches(val_view, val_y, self.batch_size, positions=val,
                                                shuffle=False, sample_weight=table[val_y])
            else:  # unmixed, with the one-hot targets the soft loss takes
                validation_data = MixupBatches(val_view, val_y, self.batch_size,
                                               n_classes=len(self.classes_), alpha=None,
                                               class_weight=table, positions=val,
                                               shuffle=False)
            callbacks.append(keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=self.patience, restore_best_weights=True))
        sampler = getattr(self, "sampler", None)
        balanced = sampler is not None and _selects_indices(sampler)
        seed = None if self.random_state is None else int(self.random_state)
        # The batches are rebalanced, so class weights would count twice.
        batches = {"positions": train, "seed": seed, "drop_remainder": True,
                   "sampler": sampler if balanced else None}
        if mixup is None:
            stream = WindowBatches(view, y_index, self.batch_size, **batches)
        else:  # the class weights go into the mixed targets and sample weights
            stream = MixupBatches(view, y_index, self.batch_size, n_classes=len(self.classes_),
                                  class_weight=None if balanced else table, **batches, **mixup)
        history = self.model_.fit(stream, epochs=self.epochs, validation_data=validation_data,
                                  class_weight=None if balanced or mixup is not None else weights,
                                  shuffle=False,
                                  callbacks=callbacks, verbose=self.verbose)
        self.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        self.window_shape_ = tuple(view.shape[1:])
        return self

    def _checked_inputs(self, X):
        """The input as a WindowView, after checking it against what ``fit`` saw."""
        check_is_fitted(self, "model_")
        view = self._view(X, reset=False)
        if tuple(view.shape[1:]) != self.window_shape_:
            raise ValueError(f"{type(self).__name__} was fitted on windows of shape "
                             f"{self.window_shape_}, got {tuple(view.shape[1:])}")
        return view

    def predict_proba(self, X):
        """Class probabilities.

        Returns
        -------
        proba : ndarray, shape (n_windows, n_classes)
            Columns follow ``classes_``.
        """
        view = self._checked_inputs(X)
        batches = WindowBatches(view, None, self.batch_size, shuffle=False)
        proba = self.model_.predict(batches, verbose=0)
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
