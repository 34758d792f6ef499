"""RBM pretraining throughput: biosig's Keras RBM against scikit-learn's BernoulliRBM.

Both train the same machine (Bernoulli visible and hidden units, persistent
CD with one Gibbs step, plain SGD) with the same hyper-parameters on the same
binarised digits (``sklearn.datasets.load_digits``, tiled to a larger set).
For each setting the table gives examples per second (examples x epochs /
time) three ways:

- ``fit``: one whole ``fit``, including the backend's compilation;
- ``epoch``: the cost of one more epoch, ``(t(n epochs) - t(1 epoch)) / (n - 1)``
  from two more fits, which is what a long pretraining run pays per pass;
- ``to sklearn's error``: sklearn's fit time over the time biosig needs, at
  its per-epoch rate, to reach the reconstruction error sklearn ends with.

The speed columns are ratios to sklearn measured in the same run. Target of
the issue: >= 5x on CPU, >= 50x on GPU.

Run: ``python benchmarks/models.py [--repeat 20] [--backend jax]``.
"""

import argparse
import os
import sys
import time


def _reconstruction_error(model, X):
    import numpy as np

    h = 1 / (1 + np.exp(-(X @ model.components_.T + model.intercept_hidden_)))
    v = 1 / (1 + np.exp(-(h @ model.components_ + model.intercept_visible_)))
    return float(np.mean((X - v) ** 2))


def _timed_fit(model, X):
    start = time.perf_counter()
    model.fit(X)
    return model, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="tile the 1797 digits this often")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--backend", choices=("tensorflow", "jax", "torch"))
    args = parser.parse_args(argv)
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    import keras
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.neural_network import BernoulliRBM

    from biosig.models import RBM

    X = np.tile((load_digits().data / 16.0 > 0.5).astype(np.float32), (args.repeat, 1))
    RBM(8, n_iter=1).fit(X)  # the backend's one-time start-up is not the RBM's cost
    print(f"{len(X)} examples x 64 binary pixels, {args.epochs} epochs, "
          f"Keras backend {keras.backend.backend()} on {_device()}")
    print(f"{'hidden':>6} {'batch':>5} | {'sklearn ex/s':>12} {'error':>6} | {'biosig fit':>10} "
          f"{'epoch':>9} {'error':>6} | {'fit':>6} {'epoch':>6} {'to sklearn error':>16}")
    n = len(X) * args.epochs
    for hidden, batch, lr in ((64, 10, 0.06), (256, 10, 0.06), (256, 100, 0.1), (512, 100, 0.1)):
        hp = dict(n_components=hidden, learning_rate=lr, batch_size=batch, random_state=0)
        sk, t_sk = _timed_fit(BernoulliRBM(**hp, n_iter=args.epochs), X)
        err_sk = _reconstruction_error(sk, X)
        ours, t_ours = _timed_fit(RBM(**hp, n_iter=args.epochs), X)
        # Once compiled (JAX caches by program, TF retraces alike), the
        # difference of two fits is the cost of the extra epochs.
        _, t_one = _timed_fit(RBM(**hp, n_iter=1), X)
        _, t_all = _timed_fit(RBM(**hp, n_iter=args.epochs), X)
        t_epoch = max(t_all - t_one, 1e-9) / (args.epochs - 1)
        errors = np.array(ours.reconstruction_error_)
        reached = np.flatnonzero(errors <= err_sk)
        to_error = f"{t_sk / (t_epoch * (reached[0] + 1)):.2f}x" if reached.size else "not reached"
        print(f"{hidden:>6} {batch:>5} | {n / t_sk:>12,.0f} {err_sk:>6.4f} | {n / t_ours:>10,.0f} "
              f"{len(X) / t_epoch:>9,.0f} {errors[-1]:>6.4f} | {t_sk / t_ours:>5.2f}x "
              f"{t_sk / (t_epoch * args.epochs):>5.2f}x {to_error:>16}")
    return 0


def _device():
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            return jax.devices()[0].platform.upper()
        if backend == "torch":
            import torch

            return "GPU" if torch.cuda.is_available() else "CPU"
        if backend == "tensorflow":
            import tensorflow as tf

            return "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    except Exception:
        pass
    return "CPU"


if __name__ == "__main__":
    sys.exit(main())
