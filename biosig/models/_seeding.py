"""Seed one fit without touching anyone else's random state, thread by thread."""

import contextlib
import functools
import random
import threading

import keras
import numpy as np

__all__ = []

_local = threading.local()


class _KerasSeeds:
    """Stands in for the ``random`` module where Keras draws its default seeds.

    Keras gives every initializer, dropout and noise layer created without a
    seed one drawn from Python's global ``random`` (``make_default_seed``).
    Inside :func:`seeded`, this thread draws them from a private generator
    instead; everywhere else the draws go to ``random`` as before.
    """

    def __getattr__(self, name):
        return getattr(getattr(_local, "rng", None) or random, name)


def _install():
    from keras.src.random import seed_generator

    if not isinstance(seed_generator.python_random, _KerasSeeds):
        seed_generator.python_random = _KerasSeeds()


_install()


@contextlib.contextmanager
def seeded(seed):
    """Make a fit repeatable from ``seed`` alone, leaving the global generators alone.

    While the block runs, the seeds Keras draws for layers built without
    one come from a generator private to this thread (other threads, such as
    a Dask worker's, draw from ``random`` undisturbed). Keras shuffles arrays
    with NumPy's global generator (JAX), PyTorch's (its data loaders) or
    TensorFlow's global seed: NumPy's and PyTorch's are seeded for the block
    and restored after it; TensorFlow's is set when TensorFlow is the backend
    (it has no getter to restore). biosig's networks shuffle their own batches
    with a seeded NumPy generator.

    Parameters
    ----------
    seed : int | None
        None leaves everything as it is.
    """
    if seed is None:
        yield
        return
    outer = getattr(_local, "rng", None)
    numpy_state, torch_state = np.random.get_state(), None
    _local.rng = random.Random(seed)
    np.random.seed(seed % 2**32)
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tf.random.set_seed(seed)
    elif backend == "torch":  # its data loaders shuffle arrays with torch's generator
        import torch

        torch_state = torch.get_rng_state()
        torch.manual_seed(seed)
    try:
        yield
    finally:
        _local.rng = outer
        np.random.set_state(numpy_state)
        if torch_state is not None:
            import torch

            torch.set_rng_state(torch_state)


def seeded_fit(fit):
    """Decorate ``fit`` to run under :func:`seeded` with the estimator's ``random_state``."""

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        with seeded(self.random_state):
            return fit(self, *args, **kwargs)

    return wrapper
