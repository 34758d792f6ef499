"""A restricted Boltzmann machine trained by contrastive divergence with Keras ops."""

import warnings

import keras
import numpy as np
from scipy.special import expit
from keras import ops
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm.auto import tqdm

from ._seeding import seeded_fit

__all__ = ["RBM"]

_VISIBLE = ("bernoulli", "gaussian")


# Random numbers drawn per compiled call, as float32 values; bounds the
# minibatches one call runs.
_NOISE_PER_CALL = 2**22


class _ContrastiveDivergence(keras.layers.Layer):
    """Runs (P)CD-k updates over a chunk of minibatches in one compiled loop.

    Input is a chunk of shape (n_minibatches, batch_size, n_visible). A
    ``keras.ops.fori_loop`` applies one update per minibatch, so a whole
    chunk costs one call into the backend, not one per update. The update is
    the gradient of the free-energy difference ``mean(F(v) - F(v_model))``
    with the model sample ``v_model`` held fixed, written out in closed form
    (the backends' autodiff cannot be called from inside a portable loop);
    plain gradient descent on it with step ``learning_rate`` is the classic
    CD update. The output is the mean squared error of the mean-field
    reconstruction of each minibatch, measured just before its update.

    Random numbers for the whole chunk are drawn before the loop, so the
    loop body is a pure function of its carried state on every backend.
    """

    def __init__(self, n_visible, n_hidden, visible, k, persistent, batch_size, learning_rate,
                 seed, **kwargs):
        super().__init__(**kwargs)
        self.n_visible, self.n_hidden, self.visible = n_visible, n_hidden, visible
        self.k, self.persistent, self.batch_size = k, persistent, batch_size
        self.step = learning_rate / batch_size
        self.seed_generator = keras.random.SeedGenerator(seed)
        init = keras.initializers.RandomNormal(0.0, 0.01, seed=seed)
        self.W = self.add_weight(shape=(n_visible, n_hidden), name="W", initializer=init,
                                 trainable=False)
        self.b_hidden = self.add_weight(shape=(n_hidden,), name="b_hidden", initializer="zeros",
                                        trainable=False)
        self.b_visible = self.add_weight(shape=(n_visible,), name="b_visible",
                                         initializer="zeros", trainable=False)
        self.chain = self.add_weight(shape=(batch_size, n_hidden), name="chain",
                                     initializer="zeros", trainable=False)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],)

    def _visible_mean(self, h, W, b_visible):
        mean = ops.matmul(h, ops.transpose(W)) + b_visible
        return mean if self.visible == "gaussian" else ops.sigmoid(mean)

    def _sample_visible(self, h, W, b_visible, noise):
        mean = self._visible_mean(h, W, b_visible)
        if self.visible == "gaussian":
            return mean + noise
        return ops.cast(noise < mean, mean.dtype)

    def call(self, chunk):
        n = ops.shape(chunk)[0]
        # k hidden samples per update: the chain's start (CD-k only) and the
        # result of every Gibbs step but the last, which the update does not
        # need (PCD keeps it as the next chain).
        u_hidden = keras.random.uniform((n, self.k, self.batch_size, self.n_hidden),
                                        seed=self.seed_generator)
        sample = keras.random.normal if self.visible == "gaussian" else keras.random.uniform
        u_visible = sample((n, self.k, self.batch_size, self.n_visible), seed=self.seed_generator)

        def update(i, state):
            W, b_hidden, b_visible, chain, total_error = state
            v_data = chunk[i]
            p_data = ops.sigmoid(ops.matmul(v_data, W) + b_hidden)
            error = ops.mean(ops.square(v_data - self._visible_mean(p_data, W, b_visible)))
            if self.persistent:
                h, next_draws = chain, range(self.k)
            else:
                h = ops.cast(u_hidden[i, 0] < p_data, p_data.dtype)
                next_draws = range(1, self.k + 1)
            for step, draw in enumerate(next_draws):
                v_model = self._sample_visible(h, W, b_visible, u_visible[i, step])
                p_model = ops.sigmoid(ops.matmul(v_model, W) + b_hidden)
                if draw < self.k:
                    h = ops.cast(u_hidden[i, draw] < p_model, p_model.dtype)
            W = W + self.step * (ops.matmul(ops.transpose(v_data), p_data)
                                 - ops.matmul(ops.transpose(v_model), p_model))
            b_hidden = b_hidden + self.step * ops.sum(p_data - p_model, axis=0)
            b_visible = b_visible + self.step * ops.sum(v_data - v_model, axis=0)
            return W, b_hidden, b_visible, (h if self.persistent else chain), total_error + error

        state = (self.W.value, self.b_hidden.value, self.b_visible.value, self.chain.value,
                 ops.zeros(()))
        W, b_hidden, b_visible, chain, total_error = ops.fori_loop(0, n, update, state)
        self.W.assign(W)
        self.b_hidden.assign(b_hidden)
        self.b_visible.assign(b_visible)
        self.chain.assign(chain)
        # One value per minibatch, as Keras expects a per-example loss: the chunk's mean.
        return ops.zeros_like(chunk[:, 0, 0]) + total_error / ops.cast(n, total_error.dtype)


class _AfterEpoch(keras.callbacks.Callback):
    """Record the epoch's reconstruction error and move the progress bar."""

    def __init__(self, rbm, bar):
        super().__init__()
        self.rbm, self.bar = rbm, bar

    def on_epoch_end(self, epoch, logs=None):
        self.rbm.reconstruction_error_.append(float(logs["loss"]))
        self.bar.update()
        self.bar.set_postfix(error=f"{self.rbm.reconstruction_error_[-1]:.4f}")


def _mean_loss(y_true, y_pred):
    return ops.mean(y_pred)


class RBM(TransformerMixin, BaseEstimator):
    """Restricted Boltzmann machine, trained with CD-k or persistent CD in Keras.

    The update is the gradient of the free-energy difference between data
    and model samples (see Notes), written in Keras ops. Many minibatch
    updates run inside one compiled ``keras.ops.fori_loop`` on whichever
    backend is active, so pretraining runs on a GPU when there is one and
    pays the backend's per-call cost once per chunk, not once per update. With
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
        reconstruction, per epoch: the mean over the epoch's minibatches,
        each measured just before its update (computed inside the compiled
        loop, so it costs no extra pass over the data).
    n_features_in_ : int

    Notes
    -----
    With free energy ``F(v) = -b_v.v - sum_j softplus(v.W_j + b_h_j)`` (plus
    ``|v - b_v|^2 / 2 - b_v`` terms for Gaussian units), the CD gradient is
    ``dF(v_data)/dtheta - dF(v_model)/dtheta`` with ``v_model`` held fixed;
    for the weights it is ``-(v_data' p(h | v_data) - v_model' p(h | v_model))``
    averaged over the minibatch, for both kinds of visible unit.
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

    @seeded_fit
    def fit(self, X, y=None):
        """Train on ``X`` (n_samples, n_features).

        Returns
        -------
        self
        """
        if self.visible not in _VISIBLE:
            raise ValueError(f"RBM: visible={self.visible!r}; allowed: {', '.join(_VISIBLE)}")
        X = validate_data(self, X, dtype=np.float32)
        if self.visible == "bernoulli" and (X.min() < 0 or X.max() > 1):
            raise ValueError("RBM: Bernoulli visible units need input in [0, 1]; "
                             "use visible='gaussian' on standardised data")
        batch = min(self.batch_size, len(X))
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(2**31 - 1))
        # Full minibatches only (the persistent chain has a fixed size), in
        # equal chunks of minibatches, one compiled call each: pad the data by
        # wrapping around a random permutation.
        n_batches = -(-len(X) // batch)
        noise_per_batch = batch * self.k * (self.n_components + X.shape[1])
        n_calls = -(-n_batches // max(1, _NOISE_PER_CALL // noise_per_batch))
        per_call = -(-n_batches // n_calls)
        order = rng.permutation(len(X))
        order = np.resize(order, per_call * n_calls * batch)
        chunks = X[order].reshape(-1, batch, X.shape[1])
        layer = _ContrastiveDivergence(X.shape[1], self.n_components, self.visible, self.k,
                                       self.persistent, batch, self.learning_rate, seed)
        inputs = keras.Input(shape=chunks.shape[1:])
        model = keras.Model(inputs, layer(inputs))
        # The layer updates its own (non-trainable) weights; the optimizer has nothing to do.
        model.compile(optimizer="sgd", loss=_mean_loss)
        self.reconstruction_error_ = []
        bar = tqdm(total=self.n_iter, desc="RBM", unit="epoch", disable=not self.verbose)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*does not have any trainable weights")
            model.fit(chunks, np.zeros(len(chunks), dtype=np.float32), batch_size=per_call,
                      epochs=self.n_iter, shuffle=True, verbose=0,
                      callbacks=[_AfterEpoch(self, bar)])
        bar.close()
        W, b_hidden, b_visible, _ = layer.get_weights()
        self.components_ = W.T.astype(np.float64)
        self.intercept_hidden_ = b_hidden.astype(np.float64)
        self.intercept_visible_ = b_visible.astype(np.float64)
        return self

    def transform(self, X):
        """Hidden-unit probabilities ``P(h = 1 | v)``.

        Returns
        -------
        h : ndarray, shape (n_samples, n_components)
        """
        check_is_fitted(self, "components_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return expit(X @ self.components_.T + self.intercept_hidden_)

    def reconstruct(self, X):
        """Mean-field reconstruction of ``X`` through the hidden layer."""
        mean = self.transform(X) @ self.components_ + self.intercept_visible_
        return mean if self.visible == "gaussian" else expit(mean)

    def reconstruction_error(self, X):
        """Mean squared error between ``X`` and :meth:`reconstruct`."""
        X = np.asarray(X, dtype=np.float64)
        return float(np.mean((X - self.reconstruct(X)) ** 2))

    @available_if(lambda self: self.visible == "bernoulli")
    def score_samples(self, X, random_state=None):
        """Pseudo-log-likelihood of each example, as scikit-learn's BernoulliRBM computes it.

        One randomly chosen visible unit per example is flipped and the
        log-sigmoid of the free-energy difference, times ``n_features``, is
        the estimate. Available for Bernoulli visible units only.

        Returns
        -------
        pseudo_likelihood : ndarray, shape (n_samples,)
        """
        check_is_fitted(self, "components_")
        v = validate_data(self, X, reset=False, dtype=np.float64)
        rng = check_random_state(random_state)
        flip = (np.arange(len(v)), rng.randint(0, v.shape[1], len(v)))
        v_flipped = v.copy()
        v_flipped[flip] = 1 - v_flipped[flip]
        fe, fe_flipped = self._free_energy(v), self._free_energy(v_flipped)
        return v.shape[1] * -np.logaddexp(0, -(fe_flipped - fe))

    def _free_energy(self, v):
        return (-v @ self.intercept_visible_
                - np.logaddexp(0, v @ self.components_.T + self.intercept_hidden_).sum(axis=1))
