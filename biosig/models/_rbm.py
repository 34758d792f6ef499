"""A restricted Boltzmann machine trained by contrastive divergence with Keras ops."""

import keras
import numpy as np
from scipy.special import expit
from keras import ops
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

__all__ = ["RBM"]

_VISIBLE = ("bernoulli", "gaussian")


class _ContrastiveDivergence(keras.layers.Layer):
    """Returns F(v) - F(v_model) per sample; its gradient is the (P)CD-k update.

    F is the free energy. The model sample comes from k Gibbs steps started
    at the data (CD-k) or at a persistent chain (PCD) and is held constant
    (``stop_gradient``), so differentiating the mean of the output gives
    ``-<v h>_data + <v h>_model`` for the weights: plain gradient descent on it
    with step ``learning_rate`` is the classic CD update.
    """

    def __init__(self, n_visible, n_hidden, visible, k, persistent, batch_size, seed, **kwargs):
        super().__init__(**kwargs)
        self.n_visible, self.n_hidden, self.visible = n_visible, n_hidden, visible
        self.k, self.persistent = k, persistent
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.W = self.add_weight(shape=(n_visible, n_hidden), name="W",
                                 initializer=keras.initializers.RandomNormal(0.0, 0.01, seed=seed))
        self.b_hidden = self.add_weight(shape=(n_hidden,), name="b_hidden", initializer="zeros")
        self.b_visible = self.add_weight(shape=(n_visible,), name="b_visible", initializer="zeros")
        self.chain = self.add_weight(shape=(batch_size, n_hidden), name="chain",
                                     initializer="zeros", trainable=False)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],)

    def free_energy(self, v):
        hidden = ops.sum(ops.softplus(ops.matmul(v, self.W) + self.b_hidden), axis=-1)
        if self.visible == "gaussian":
            return 0.5 * ops.sum(ops.square(v - self.b_visible), axis=-1) - hidden
        return -ops.matmul(v, ops.expand_dims(self.b_visible, -1))[:, 0] - hidden

    def _sample_hidden(self, v):
        p = ops.sigmoid(ops.matmul(v, self.W) + self.b_hidden)
        u = keras.random.uniform(ops.shape(p), seed=self.seed_generator)
        return ops.cast(u < p, p.dtype)

    def _sample_visible(self, h):
        mean = ops.matmul(h, ops.transpose(self.W)) + self.b_visible
        if self.visible == "gaussian":
            return mean + keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        p = ops.sigmoid(mean)
        u = keras.random.uniform(ops.shape(p), seed=self.seed_generator)
        return ops.cast(u < p, p.dtype)

    def call(self, v):
        h = self.chain if self.persistent else self._sample_hidden(v)
        for _ in range(self.k):
            v_model = self._sample_visible(h)
            h = self._sample_hidden(v_model)
        if self.persistent:
            self.chain.assign(h)
        v_model = ops.stop_gradient(v_model)
        return self.free_energy(v) - self.free_energy(v_model)


class _AfterEpoch(keras.callbacks.Callback):
    """Copy the weights out and record the reconstruction error after each epoch."""

    def __init__(self, rbm, X, bar):
        super().__init__()
        self.rbm, self.X, self.bar = rbm, X, bar

    def on_epoch_end(self, epoch, logs=None):
        self.rbm._store_weights()
        self.rbm.reconstruction_error_.append(self.rbm.reconstruction_error(self.X))
        self.bar.update()
        self.bar.set_postfix(error=f"{self.rbm.reconstruction_error_[-1]:.4f}")


def _mean_loss(y_true, y_pred):
    return ops.mean(y_pred)


class RBM(TransformerMixin, BaseEstimator):
    """Restricted Boltzmann machine, trained with CD-k or persistent CD in Keras.

    The update is the gradient of the free-energy difference between data
    and model samples (see Notes), computed by Keras on whichever backend is
    active, so pretraining runs compiled on a GPU when there is one. With
    ``persistent=True, k=1`` and plain SGD it is the algorithm of
    :class:`sklearn.neural_network.BernoulliRBM` (stochastic maximum
    likelihood), and matches its reconstruction error and pseudo-likelihood.

    Parameters
    ----------
    n_components : int
        Number of hidden units.
    visible : {"bernoulli", "gaussian"}
        Visible units: binary (or probabilities in [0, 1]), or real-valued
        with unit variance (standardise the input first).
    k : int
        Gibbs steps per update.
    persistent : bool
        Continue one Markov chain across updates (PCD) instead of restarting
        it at the data (CD-k).
    learning_rate : float
        SGD step.
    batch_size : int
        Examples per update.
    n_iter : int
        Passes over the data.
    random_state : int | None
        Seed of the initial weights, the sampling and the batch order.
    verbose : bool
        Show a progress bar with the reconstruction error per epoch.

    Attributes
    ----------
    components_ : ndarray, shape (n_components, n_features)
        Weights, laid out as in scikit-learn.
    intercept_hidden_ : ndarray, shape (n_components,)
    intercept_visible_ : ndarray, shape (n_features,)
    reconstruction_error_ : list of float
        Mean squared error between each example and its mean-field
        reconstruction, after every epoch.
    n_features_in_ : int

    Notes
    -----
    With free energy ``F(v) = -b_v.v - sum_j softplus(v.W_j + b_h_j)`` (plus
    ``|v - b_v|^2 / 2 - b_v`` terms for Gaussian units), the CD gradient is
    ``dF(v_data)/dtheta - dF(v_model)/dtheta`` with ``v_model`` held fixed.
    """

    def __init__(self, n_components=256, *, visible="bernoulli", k=1, persistent=True,
                 learning_rate=0.1, batch_size=10, n_iter=10, random_state=None, verbose=False):
        self.n_components = n_components
        self.visible = visible
        self.k = k
        self.persistent = persistent
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y=None):
        """Train on ``X`` (n_samples, n_features).

        Returns
        -------
        self
        """
        if self.visible not in _VISIBLE:
            raise ValueError(f"RBM: visible={self.visible!r}; allowed: {', '.join(_VISIBLE)}")
        X = check_array(X, dtype=np.float32, estimator=self)
        if self.visible == "bernoulli" and (X.min() < 0 or X.max() > 1):
            raise ValueError("RBM: Bernoulli visible units need input in [0, 1]; "
                             "use visible='gaussian' on standardised data")
        batch = min(self.batch_size, len(X))
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(2**31 - 1))
        if self.random_state is not None:  # Keras' batch shuffling draws from the global seed
            keras.utils.set_random_seed(seed)
        inputs = keras.Input(shape=(X.shape[1],))
        self._layer = _ContrastiveDivergence(X.shape[1], self.n_components, self.visible,
                                             self.k, self.persistent, batch, seed)
        model = keras.Model(inputs, self._layer(inputs))
        # Many updates per compiled call: the per-step Python overhead would dominate.
        model.compile(optimizer=keras.optimizers.SGD(self.learning_rate), loss=_mean_loss,
                      steps_per_execution=max(1, min(100, len(X) // batch)))
        self.n_features_in_ = X.shape[1]
        self._store_weights()
        self.reconstruction_error_ = []
        # Full batches only (the persistent chain has a fixed size): pad the
        # data by wrapping around a random permutation.
        order = rng.permutation(len(X))
        order = np.concatenate([order, order[:(-len(X)) % batch]])
        bar = tqdm(total=self.n_iter, desc="RBM", unit="epoch", disable=not self.verbose)
        model.fit(X[order], np.zeros(len(order), dtype=np.float32), batch_size=batch,
                  epochs=self.n_iter, shuffle=True, verbose=0,
                  callbacks=[_AfterEpoch(self, X, bar)])
        bar.close()
        return self

    def _store_weights(self):
        W, b_hidden, b_visible, _ = self._layer.get_weights()
        self.components_ = W.T.astype(np.float64)
        self.intercept_hidden_ = b_hidden.astype(np.float64)
        self.intercept_visible_ = b_visible.astype(np.float64)

    def transform(self, X):
        """Hidden-unit probabilities ``P(h = 1 | v)``.

        Returns
        -------
        h : ndarray, shape (n_samples, n_components)
        """
        check_is_fitted(self, "components_")
        X = check_array(X, dtype=np.float64, estimator=self)
        return expit(X @ self.components_.T + self.intercept_hidden_)

    def reconstruct(self, X):
        """Mean-field reconstruction of ``X`` through the hidden layer."""
        mean = self.transform(X) @ self.components_ + self.intercept_visible_
        return mean if self.visible == "gaussian" else expit(mean)

    def reconstruction_error(self, X):
        """Mean squared error between ``X`` and :meth:`reconstruct`."""
        X = np.asarray(X, dtype=np.float64)
        return float(np.mean((X - self.reconstruct(X)) ** 2))

    def score_samples(self, X, random_state=None):
        """Pseudo-log-likelihood of each example, as scikit-learn's BernoulliRBM computes it.

        One randomly chosen visible unit per example is flipped and the
        log-sigmoid of the free-energy difference, times ``n_features``, is
        the estimate. Bernoulli visible units only.

        Returns
        -------
        pseudo_likelihood : ndarray, shape (n_samples,)
        """
        check_is_fitted(self, "components_")
        if self.visible != "bernoulli":
            raise ValueError("RBM: pseudo-likelihood is defined here for Bernoulli units only")
        v = check_array(X, dtype=np.float64, estimator=self)
        rng = check_random_state(random_state)
        flip = (np.arange(len(v)), rng.randint(0, v.shape[1], len(v)))
        v_flipped = v.copy()
        v_flipped[flip] = 1 - v_flipped[flip]
        fe, fe_flipped = self._free_energy(v), self._free_energy(v_flipped)
        return v.shape[1] * -np.logaddexp(0, -(fe_flipped - fe))

    def _free_energy(self, v):
        return (-v @ self.intercept_visible_
                - np.logaddexp(0, v @ self.components_.T + self.intercept_hidden_).sum(axis=1))
