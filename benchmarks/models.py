"""RBM pretraining throughput: biosig's Keras RBM against scikit-learn's BernoulliRBM.

Both train the same machine (Bernoulli visible and hidden units, persistent
CD with one Gibbs step, plain SGD) with the same hyper-parameters on the same
binarised digits (``sklearn.datasets.load_digits``, tiled to a larger set).
The table gives examples per second (examples x epochs / fit time, each fit
including its own bookkeeping) and the reconstruction error each reaches; the
last column compares the time each needs to reach scikit-learn's final error.
Target of the issue: >= 5x on CPU, >= 50x on GPU.

Run: ``python benchmarks/models.py [--repeat 5] [--backend jax]``.
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="tile the 1797 digits this often")
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
    device = "GPU" if keras.backend.backend() != "numpy" and _has_gpu() else "CPU"
    print(f"{len(X)} examples x 64 binary pixels, {args.epochs} epochs, "
          f"Keras backend {keras.backend.backend()} on {device}")
    print(f"{'hidden':>6} {'batch':>5} {'lr':>5} | {'sklearn ex/s':>12} {'error':>6} | "
          f"{'biosig ex/s':>11} {'error':>6} | {'speed':>6} {'to equal error':>14}")
    for hidden, batch, lr in ((64, 10, 0.06), (256, 10, 0.06), (256, 100, 0.1), (512, 100, 0.1)):
        hp = dict(n_components=hidden, learning_rate=lr, batch_size=batch, n_iter=args.epochs,
                  random_state=0)
        start = time.perf_counter()
        sk = BernoulliRBM(**hp).fit(X)
        t_sk = time.perf_counter() - start
        err_sk = _reconstruction_error(sk, X)
        start = time.perf_counter()
        ours = RBM(**hp).fit(X)
        t_ours = time.perf_counter() - start
        errors = np.array(ours.reconstruction_error_)
        reached = np.flatnonzero(errors <= err_sk)
        if reached.size:
            equal = t_sk / (t_ours * (reached[0] + 1) / args.epochs)
            equal_text = f"{equal:.2f}x"
        else:
            equal_text = "not reached"
        n = len(X) * args.epochs
        print(f"{hidden:>6} {batch:>5} {lr:>5} | {n / t_sk:>12,.0f} {err_sk:>6.4f} | "
              f"{n / t_ours:>11,.0f} {errors[-1]:>6.4f} | {t_sk / t_ours:>5.2f}x {equal_text:>14}")
    return 0


def _has_gpu():
    try:
        import jax

        return any(d.platform == "gpu" for d in jax.devices())
    except Exception:
        return False


if __name__ == "__main__":
    sys.exit(main())
