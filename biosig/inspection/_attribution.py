"""Gradient attributions of a window network: saliency, integrated gradients, Grad-CAM.

The networks are written with ``keras.layers``/``keras.ops`` only; the one
gradient call each method needs is taken here, with the autodiff of the
backend Keras runs on (``tf.GradientTape``, ``jax.grad``,
``torch.autograd.grad``). Inputs stay float32 tensors of the backend, so the
work runs on its device (a GPU when there is one).
"""

import keras
import numpy as np
from keras import ops
from sklearn.exceptions import NotFittedError

from ..models._base import KerasWindowClassifier

__all__ = ["class_scores", "grad_cam", "integrated_gradients", "saliency"]

_CONV = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D,
         keras.layers.SeparableConv1D, keras.layers.SeparableConv2D,
         keras.layers.DepthwiseConv1D, keras.layers.DepthwiseConv2D)


def _grad(fn, x):
    """Gradient of the scalar ``fn(x)`` with respect to the tensor ``x``, on Keras' backend."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            value = fn(x)
        return tape.gradient(value, x)
    if backend == "jax":
        import jax

        return jax.grad(fn)(x)
    if backend == "torch":
        import torch

        x = x.detach().requires_grad_(True)
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(fn(x), x)
        return grad
    raise ValueError("attributions need a backend with gradients (tensorflow, jax, torch); "
                     f"Keras runs on {backend!r}")


def _compile(fn, model):
    """``fn`` compiled for the backend: a ``tf.function``, a ``jax.jit`` (the weights passed
    as arguments), or eager PyTorch.

    Eager JAX traces the network at every ``jax.grad`` call, and eager
    TensorFlow runs recurrent layers step by step; compiled once per batch
    shape (batches are padded to one), they run as fast as Keras' predict.
    """
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        variables = list(model.variables)

        def run(values, *args):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return fn(*args)

        jitted = jax.jit(run)
        return lambda *args: jitted([v.value for v in variables], *args)
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, reduce_retracing=True)
    if backend == "torch":
        import torch

        def run(*args):
            with torch.no_grad():  # gradients are taken inside, by _grad
                return fn(*args)

        return run
    return fn


def _cached(model, what, build):
    """A compiled function of ``model``, built once per model and ``what``.

    Kept on the model (outside Keras' attribute tracking), so it goes with it.
    """
    functions = model.__dict__.get("_biosig_attributions")
    if functions is None:
        functions = {}
        object.__setattr__(model, "_biosig_attributions", functions)
    if what not in functions:
        functions[what] = _compile(build(), model)
    return functions[what]


def _graph_input(model):
    """The symbolic input of a model's graph, in its structure (a dict for biosig's)."""
    try:
        return model.input
    except AttributeError:  # a Sequential model keeps a flat list
        try:
            inputs = model.inputs
        except (AttributeError, ValueError):
            inputs = None
        if not inputs:
            raise ValueError(f"{model.name} has no defined input yet; build it on a "
                             "keras.Input first") from None
        return inputs[0] if len(inputs) == 1 else list(inputs)


class _Network:
    """A Keras model seen as ``scores(signal, held)``: class scores of one input, others held.

    Built from a fitted biosig classifier (its ``model_``, fed as its
    ``predict_proba`` feeds it) or from a ``keras.Model``.
    """

    def __init__(self, model, X, score):
        if score not in ("logit", "probability"):
            raise ValueError(f"score must be 'logit' or 'probability', got {score!r}")
        if isinstance(model, keras.Model):
            self.classes, self.model = None, model
            self.keyed = isinstance(X, dict)
            inputs = ({k: np.asarray(v, dtype=np.float32) for k, v in X.items()}
                      if self.keyed else {"signal": np.asarray(X, dtype=np.float32)})
        elif isinstance(model, KerasWindowClassifier):
            if not isinstance(getattr(model, "model_", None), keras.Model):
                raise NotFittedError(f"{type(model).__name__} is not a fitted Keras "
                                     "classifier (it has no keras.Model in model_)")
            view = model._checked_inputs(X)
            self.classes = np.asarray(model.classes_)
            self.model = model.model_
            inputs = {"signal": np.asarray(view, dtype=np.float32)}
            if view.has_features:
                inputs["features"] = view.features
            self.keyed = True
        else:
            raise TypeError("model must be a fitted biosig window classifier or a keras.Model, "
                            f"got {type(model).__name__}")
        self.key = "signal" if "signal" in inputs else next(iter(inputs))
        self.signal = inputs.pop(self.key)
        self.held = inputs
        if self.signal.ndim < 2 or not len(self.signal):
            raise ValueError(f"expected a batch of windows, got shape {self.signal.shape}")
        sizes = {len(v) for v in inputs.values()} | {len(self.signal)}
        if len(sizes) > 1:
            raise ValueError(f"the inputs hold different numbers of windows: {sorted(sizes)}")
        self.score = score
        self.n_classes = int(self.model.outputs[0].shape[-1])
        self.layout = (score, self.keyed, self.key, tuple(sorted(self.held)))

    def feed(self, signal, held):
        """The model's input structure, from the signal and the held inputs."""
        return {self.key: signal, **held} if self.keyed else signal

    def rows(self, rows, size, repeat=1):
        """Signal and held inputs of some windows, each repeated, padded to ``size`` rows."""
        signal = _pad(np.repeat(self.signal[rows], repeat, axis=0), size)
        held = {k: ops.convert_to_tensor(_pad(np.repeat(v[rows], repeat, axis=0), size))
                for k, v in self.held.items()}
        return ops.convert_to_tensor(signal), held

    def head(self, inputs=None):
        """Python function from ``inputs`` (the model's by default) to the class scores.

        The score is the final softmax's input when the network ends with a
        Dense softmax or a softmax Activation (as biosig's do) and
        ``score="logit"``; else the output.
        """
        model, last = self.model, self.model.layers[-1]
        start = _graph_input(model) if inputs is None else inputs
        softmax = getattr(last, "activation", None) is keras.activations.softmax
        if self.score == "logit" and softmax and isinstance(last, keras.layers.Dense):
            body = keras.Model(start, last.input)

            def logits(x):
                h = ops.cast(body(x, training=False), last.kernel.dtype)
                return ops.matmul(h, last.kernel) + (last.bias if last.use_bias else 0.0)

            return logits
        if self.score == "logit" and softmax and isinstance(last, keras.layers.Activation):
            body = keras.Model(start, last.input)
            return lambda x: ops.cast(body(x, training=False), "float32")
        body = model if inputs is None else keras.Model(start, model.output)
        return lambda x: body(x, training=False)

    def forward(self):
        def build():
            head = self.head()
            return lambda signal, held: head(self.feed(signal, held))

        return _cached(self.model, ("forward", *self.layout), build)

    def path_gradient(self):
        """Compiled ``(x, b, alpha, held, pick)``: the gradient of ``sum(scores * pick)`` at
        ``b + alpha (x - b)`` (saliency and integrated gradients share it, and its compilation).
        """
        def build():
            head = self.head()

            def gradient(x, b, alpha, held, pick):
                return _grad(lambda s: ops.sum(head(self.feed(s, held)) * pick),
                             b + alpha * (x - b))

            return gradient

        return _cached(self.model, ("path_gradient", *self.layout), build)

    def scores(self, batch_size):
        forward = self.forward()
        out = []
        for rows in _batches(len(self.signal), batch_size):
            out.append(ops.convert_to_numpy(forward(*self.rows(rows, batch_size)))[:len(rows)])
        return np.concatenate(out).astype(np.float32, copy=False)

    def targets(self, target, batch_size):
        """Class index of each window: the predicted class, or the one(s) asked."""
        n = len(self.signal)
        if target is None:
            return np.argmax(self.scores(batch_size), axis=1)
        target = np.asarray(target)
        if target.ndim == 0:
            target = np.full(n, target.item(), dtype=target.dtype)
        if target.shape != (n,):
            raise ValueError(f"target must be one class or one per window ({n}), got shape "
                             f"{target.shape}")
        if self.classes is not None:
            known = np.isin(target, self.classes)  # no cast: "Noise" is not "N"
            if not known.all():
                raise ValueError(f"target names classes {sorted(set(target[~known].tolist()))} "
                                 f"the model does not know; it knows {self.classes.tolist()}")
            return np.searchsorted(self.classes, target)
        if (not np.issubdtype(target.dtype, np.integer) or target.min() < 0
                or target.max() >= self.n_classes):
            raise ValueError(f"target must be class indices in [0, {self.n_classes}) for a "
                             f"keras.Model, got {np.unique(target)[:5].tolist()}")
        return target.astype(np.int64)

    def pick(self, index, size, weights=None):
        """Rows that pick each window's target score (times a path weight), padded with zeros."""
        out = np.zeros((size, self.n_classes), dtype=np.float32)
        out[np.arange(len(index)), index] = 1.0 if weights is None else weights
        return ops.convert_to_tensor(out)


def _pad(array, size):
    """``array`` with zero rows appended to ``size`` rows: one batch shape, one compilation."""
    if len(array) == size:
        return array
    return np.concatenate([array, np.zeros((size - len(array), *array.shape[1:]), array.dtype)])


def _batches(n, size):
    for start in range(0, n, size):
        yield np.arange(start, min(start + size, n))


def class_scores(model, X, *, score="logit", batch_size=128):
    """The class scores the attributions differentiate.

    Parameters
    ----------
    model : KerasWindowClassifier | keras.Model
        A fitted biosig classifier (its input is prepared as its
        ``predict_proba`` prepares it: windows, packed inputs, a
        :class:`~biosig.windows.WindowView` with tabular features) or a
        Keras model (``X`` then is its input, an array or a dict of arrays).
    X : array-like | WindowView | dict
    score : {"logit", "probability"}
        ``"logit"``: the input of the final softmax (a last Dense layer's
        pre-activation, or a last softmax Activation's input) where the
        network ends so, as every biosig network does; else, and for
        ``"probability"``, the model's output.
    batch_size : int

    Returns
    -------
    scores : ndarray of float32, shape (n_windows, n_classes)
    """
    return _Network(model, X, score).scores(batch_size)


def saliency(model, X, target=None, *, score="logit", batch_size=128):
    """Gradient of a class score with respect to the input windows (Simonyan et al. 2014).

    Parameters
    ----------
    model : KerasWindowClassifier | keras.Model
        A fitted biosig classifier or a Keras model; see :func:`class_scores`.
    X : array-like | WindowView | dict
        Windows as the classifier takes them, e.g. (n_windows, n_channels,
        n_samples). For a model with tabular features (RR intervals) these
        are held at their values: the gradient is of the signal input only.
        For a Keras model with several inputs (a dict), of the ``"signal"``
        one (else the first).
    target : label | array-like | None
        Class explained, one for all windows or one per window: labels of
        ``classes_`` for a classifier, output indices for a Keras model.
        None explains each window's predicted class.
    score : {"logit", "probability"}
        Differentiate the class logit (the pre-softmax score, default) or
        its probability.
    batch_size : int
        Windows per gradient call.

    Returns
    -------
    gradients : ndarray of float32, shape of the signal input
        Signed; their absolute value is the saliency map.
    """
    net = _Network(model, X, score)
    index = net.targets(target, batch_size)
    gradient = net.path_gradient()
    zeros = ops.zeros((batch_size, *net.signal.shape[1:]))
    ones = ops.ones((batch_size, *(1,) * (net.signal.ndim - 1)))
    out = []
    for rows in _batches(len(net.signal), batch_size):
        x, held = net.rows(rows, batch_size)
        grad = gradient(x, zeros, ones, held, net.pick(index[rows], batch_size))
        out.append(ops.convert_to_numpy(grad)[:len(rows)])
    return np.concatenate(out).astype(np.float32, copy=False)


def integrated_gradients(model, X, target=None, baseline=None, steps=50, *, score="logit",
                         batch_size=128):
    """Integrated gradients (Sundararajan et al. 2017) along the straight path from a baseline.

    The path integral is the trapezoid rule over ``steps`` equal intervals
    (``steps + 1`` gradients per window), evaluated in batches of path
    points of several windows. The attributions sum to about
    ``F(x) - F(baseline)`` (completeness), ``F`` being the target's class
    score; more steps bring them closer where the network bends.

    Parameters
    ----------
    model : KerasWindowClassifier | keras.Model
        A fitted biosig classifier or a Keras model; see :func:`class_scores`.
    X : array-like | WindowView | dict
        Windows as the classifier takes them. Tabular features (and a Keras
        model's other inputs) are held at their values along the path.
    target : label | array-like | None
        Class explained, as in :func:`saliency`; None: the predicted class.
    baseline : float | array-like | None
        Reference input, broadcast to the windows' shape; zeros (a flat
        signal, in the input's own units) when None.
    steps : int
        Intervals of the path.
    score : {"logit", "probability"}
        The class score ``F``: the logit (default) or the probability.
    batch_size : int
        Path points per gradient call.

    Returns
    -------
    attributions : ndarray of float32, shape of the signal input
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    net = _Network(model, X, score)
    index = net.targets(target, batch_size)
    shape = net.signal.shape[1:]
    baseline = np.zeros(shape, np.float32) if baseline is None else np.asarray(baseline,
                                                                              np.float32)
    try:
        baseline = np.broadcast_to(baseline, net.signal.shape)
    except ValueError:
        raise ValueError(f"baseline of shape {baseline.shape} does not broadcast to the windows' "
                         f"{net.signal.shape}") from None
    alphas = np.linspace(0.0, 1.0, steps + 1, dtype=np.float32)
    weights = np.full(steps + 1, 1.0 / steps, dtype=np.float32)
    weights[[0, -1]] *= 0.5
    per_window = max(1, batch_size // (steps + 1))  # whole paths in one call where they fit
    per_call = min(steps + 1, batch_size)
    gradient = net.path_gradient()
    out = []
    for rows in _batches(len(net.signal), per_window):
        total = np.zeros((len(rows), *shape), np.float32)
        for start in range(0, steps + 1, per_call):
            a = alphas[start:start + per_call]
            x, held = net.rows(rows, batch_size, repeat=len(a))
            b = ops.convert_to_tensor(_pad(np.repeat(baseline[rows], len(a), axis=0),
                                           batch_size))
            alpha = _pad(np.tile(a, len(rows)), batch_size).reshape(-1, *(1,) * len(shape))
            pick = net.pick(np.repeat(index[rows], len(a)), batch_size,
                            np.tile(weights[start:start + per_call], len(rows)))
            grad = ops.convert_to_numpy(gradient(x, b, ops.convert_to_tensor(alpha), held, pick))
            total += grad[:len(rows) * len(a)].reshape(len(rows), len(a), *shape).sum(axis=1)
        out.append((net.signal[rows] - baseline[rows]) * total)
    return np.concatenate(out).astype(np.float32, copy=False)


def _conv_layer(model, layer):
    if layer is None:
        convs = [l for l in model.layers if isinstance(l, _CONV)]
        if not convs:
            raise ValueError(f"{model.name} has no convolution layer for Grad-CAM; use "
                             "saliency or integrated_gradients")
        layer = convs[-1]
    elif isinstance(layer, str):
        try:
            layer = model.get_layer(layer)
        except ValueError:
            names = [l.name for l in model.layers if isinstance(l, _CONV)]
            raise ValueError(f"{model.name} has no layer {layer!r}; its convolutions: "
                             f"{names}") from None
    if len(layer.output.shape) not in (3, 4):
        raise ValueError(f"Grad-CAM needs a 1-D or 2-D convolution map; {layer.name} gives "
                         f"{layer.output.shape}")
    return layer


def grad_cam(model, X, layer=None, target=None, *, score="logit", n_times=None,
             batch_size=128):
    """Grad-CAM (Selvaraju et al. 2017) on a convolution layer, upsampled to the input's time axis.

    The layer's feature maps are weighted by the mean gradient of the class
    score over their positions, summed over filters and rectified. Where
    other paths from the input pass by the layer (residual connections,
    parallel branches), the gradient is the layer's own, those paths held.

    Parameters
    ----------
    model : KerasWindowClassifier | keras.Model
        A fitted biosig classifier or a Keras model; see :func:`class_scores`.
    X : array-like | WindowView | dict
        Windows as the classifier takes them.
    layer : str | keras.layers.Layer | None
        The convolution; the last convolution layer of the network when None.
    target : label | array-like | None
        Class explained, as in :func:`saliency`; None: the predicted class.
    score : {"logit", "probability"}
        The class score whose gradient weighs the maps.
    n_times : int | None
        Length the maps are upsampled to (bilinearly); the input's last axis
        (the time axis of biosig's (channels, samples) windows) when None.
    batch_size : int

    Returns
    -------
    cam : ndarray of float32, shape (n_windows, n_rows, n_times)
        Not normalised. Rows are the map's axis beside time: EEG channels
        for a temporal convolution before the spatial one (ShallowConvNet),
        scales for a scalogram CNN, one row for 1-D convolutions.
    """
    net = _Network(model, X, score)
    conv = _conv_layer(net.model, layer)
    index = net.targets(target, batch_size)
    n_times = int(n_times or net.signal.shape[-1])
    graph, held_keys = _graph_input(net.model), sorted(net.held)

    def build():
        maps = keras.Model(graph, conv.output)
        rest = [graph[k] for k in held_keys] if isinstance(graph, dict) else []
        signal_in = graph[net.key] if isinstance(graph, dict) else graph
        try:  # the graph after the layer, from its maps (and the held inputs)
            head, skip = net.head([conv.output, *rest]), False
        except ValueError:  # other paths from the signal pass by it (branches, residuals)
            try:
                head, skip = net.head([conv.output, signal_in, *rest]), True
            except ValueError as err:
                raise ValueError(f"Grad-CAM cannot split {net.model.name} at {conv.name}: "
                                 f"{str(err).splitlines()[0]}") from None

        def cam(signal, held, pick):
            a = maps(net.feed(signal, held), training=False)
            rest = [signal] * skip + [held[k] for k in held_keys]
            grad = _grad(lambda m: ops.sum(head([m, *rest]) * pick), a)
            alpha = ops.mean(grad, axis=tuple(range(1, len(a.shape) - 1)), keepdims=True)
            out = ops.relu(ops.sum(a * alpha, axis=-1))
            out = out[:, None, :] if len(out.shape) == 2 else out
            out = ops.image.resize(out[..., None], (out.shape[1], n_times),
                                   interpolation="bilinear", data_format="channels_last")
            return out[..., 0]

        return cam

    cam = _cached(net.model, ("grad_cam", conv.name, n_times, *net.layout), build)
    out = []
    for rows in _batches(len(net.signal), batch_size):
        maps = cam(*net.rows(rows, batch_size), net.pick(index[rows], batch_size))
        out.append(ops.convert_to_numpy(maps)[:len(rows)])
    return np.concatenate(out).astype(np.float32, copy=False)
