"""Seed one fit without leaving a mark on the caller's random state."""

import contextlib
import functools
import random

import keras
import numpy as np

__all__ = []


@contextlib.contextmanager
def seeded(seed):
    """Seed what Keras draws from while the block runs, then put the global state back.

    Keras draws unseeded initial weights and dropout seeds from Python's
    ``random``, and shuffles arrays with NumPy's global generator (JAX,
    PyTorch) or TensorFlow's global seed. Inside the block these are seeded
    with ``seed``, so a fit is repeatable; on leaving it, Python's, NumPy's
    and PyTorch's generators are restored, so seeding one estimator never
    changes what other code draws. TensorFlow is touched only when it is the
    backend, and its global seed has no getter to restore.

    Parameters
    ----------
    seed : int | None
        None leaves everything as it is.
    """
    if seed is None:
        yield
        return
    python_state, numpy_state = random.getstate(), np.random.get_state()
    torch_state = None
    random.seed(seed)
    np.random.seed(seed % 2**32)
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tf.random.set_seed(seed)
    elif backend == "torch":
        import torch

        torch_state = torch.get_rng_state()
        torch.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
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
