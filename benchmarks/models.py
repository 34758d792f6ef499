"""Speed of biosig's models: RBM pretraining, training throughput, EEGNet against braindecode.

One run prints three tables.

**RBM pretraining against scikit-learn.** biosig's Keras RBM and sklearn's
BernoulliRBM train the same machine (Bernoulli visible and hidden units,
persistent CD with one Gibbs step, plain SGD) with the same hyper-parameters
on the same binarised digits (``sklearn.datasets.load_digits``, tiled to a
larger set). For each setting the table gives examples per second (examples x
epochs / time) three ways:

- ``fit``: one whole ``fit``, including the backend's compilation;
- ``epoch``: the cost of one more epoch, ``(t(n epochs) - t(1 epoch)) / (n - 1)``
  from two more fits, which is what a long pretraining run pays per pass;
- ``to sklearn's error``: sklearn's fit time over the time biosig needs, at
  its per-epoch rate, to reach the reconstruction error sklearn ends with.

The speed columns are ratios to sklearn measured in the same run. Target of
the issue: >= 5x on CPU, >= 50x on GPU. This table runs in the main process,
on the backend of ``--backend`` (or ``KERAS_BACKEND``).

**Training throughput of every model on every backend.** Each model is fitted
with its default architecture on synthetic windows of a realistic shape
(standard normal noise; class ``c`` adds ``0.5 c`` times a fixed random
pattern, so there is something to learn), batch size 64, and
``validation_fraction=0`` (no early stopping, no validation pass). The number
is steady-state training windows per second: one ``fit`` of ``1 +
--train-epochs`` epochs, with a Keras callback (the estimator's
``callbacks=``) that stamps the end of every epoch; the first epoch (tracing,
compilation, warm-up) is dropped and the rate is windows over the median
duration of the later epochs (end to end, so it includes the work between
epochs; the median shrugs off a hiccup from other work on the machine). DBN
and SDAE pretrain one epoch per layer, outside the timed span: the number is
their fine-tuning. AutoencoderAnomalyDetector always holds out a validation
split (its threshold needs one), so it is fitted for one epoch and its compiled
network (``model_``) is then trained on for ``1 + --train-epochs`` more epochs
under the same callback, without validation. The Keras backend is fixed per
process, so each backend that imports runs in its own subprocess
(``--throughput-only --backend NAME``, which prints JSON).

**EEGNet against braindecode.** EEGNet-8,2 on 2048 windows of 22 channels x
256 samples (2 s at 128 Hz), 4 classes, batch 64, Adam at 1e-3,
cross-entropy: braindecode's module (``EEGNet``, called ``EEGNetv4`` before
braindecode 1.0, with the max-norm dense classifier of the paper) in a plain
PyTorch loop (forward, cross-entropy, backward, step) against
``EEGNetClassifier`` on Keras' torch backend, both at steady state as above,
in one subprocess (``--braindecode-only``), with their trainable-parameter
counts. Target of the issue: biosig / braindecode >= 1.0x. Skipped with a
message when braindecode does not import.

Timings on a CPU shared with other work are noisy, torch's above all: its
intra-op threads wait on each other when another process holds a core.

Run: ``python benchmarks/models.py [--repeat 20] [--backend jax] [--train-epochs 3]``
(3 to 7 minutes on two CPU cores).
"""

import argparse
import importlib.util
import inspect
import json
import os
import subprocess
import sys
import time

BACKENDS = ("tensorflow", "jax", "torch")
BATCH_SIZE = 64


def _reconstruction_error(model, X):
    import numpy as np

    h = 1 / (1 + np.exp(-(X @ model.components_.T + model.intercept_hidden_)))
    v = 1 / (1 + np.exp(-(h @ model.components_ + model.intercept_visible_)))
    return float(np.mean((X - v) ** 2))


def _timed_fit(model, X):
    start = time.perf_counter()
    model.fit(X)
    return model, time.perf_counter() - start


def _rbm_table(args):
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
    settings = ((64, 10, 0.06), (256, 10, 0.06), (256, 100, 0.1), (512, 100, 0.1))
    for hidden, batch, lr in settings[:args.rbm_settings]:
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


def _model_specs():
    """(name, input, window shape, classes, windows, estimator factory) of each model.

    The same number of windows on every backend, a few batches: enough for a
    steady rate, few enough for the slowest backend (JAX on CPU for the EEG
    networks, torch for the LSTMs).
    """
    from biosig import models

    return [
        ("CNN1DClassifier", "ECG beats, 2 leads", (2, 256), 5, 1024, models.CNN1DClassifier),
        ("EEGNetClassifier", "EEG, 2 s at 128 Hz", (22, 256), 4, 256, models.EEGNetClassifier),
        ("EEGNetClassifier (eegmmidb)", "EEG, 3 s at 160 Hz", (64, 480), 2, 256,
         lambda **kw: models.EEGNetClassifier(kernel_length=80, **kw)),
        ("ShallowConvNetClassifier", "EEG, 1 s at 250 Hz", (22, 256), 4, 256,
         models.ShallowConvNetClassifier),
        ("EEGTCNetClassifier", "EEG, 4.5 s at 250 Hz", (22, 1125), 4, 128,
         models.EEGTCNetClassifier),
        ("ATCNetClassifier", "EEG, 4.5 s at 250 Hz", (22, 1125), 4, 128,
         models.ATCNetClassifier),
        ("EEGConformerClassifier", "EEG, 4 s at 250 Hz", (22, 1000), 4, 128,
         models.EEGConformerClassifier),
        ("Deep4NetClassifier", "EEG, 4.5 s at 250 Hz", (22, 1125), 4, 128,
         models.Deep4NetClassifier),
        ("CNN2DClassifier", "scalograms, 20 freqs", (1, 20, 256), 5, 256,
         models.CNN2DClassifier),
        ("BiLSTMClassifier", "DE, 8 ch x 5 bands x 30 s", (40, 30), 3, 512,
         models.BiLSTMClassifier),
        ("CNNLSTMClassifier", "sleep EEG, 30 s at 100 Hz", (1, 3000), 5, 128,
         models.CNNLSTMClassifier),
        ("DBNClassifier", "features, 32 ch x 5 bands", (160,), 3, 2048,
         lambda **kw: models.DBNClassifier(pretrain_epochs=1, **kw)),
        ("StackedDenoisingAutoencoderClassifier", "features, 32 ch x 5 bands", (160,), 3, 2048,
         lambda **kw: models.StackedDenoisingAutoencoderClassifier(pretrain_epochs=1, **kw)),
        ("AutoencoderAnomalyDetector", "ECG beats, 1 lead", (1, 256), 1, 2048,
         models.AutoencoderAnomalyDetector),
    ]


def _synthetic(shape, n_classes, n_windows, seed=0):
    """Standard normal windows; class ``c`` adds ``0.5 c`` times one fixed random pattern."""
    import numpy as np

    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n_windows) % n_classes)
    pattern = rng.standard_normal(shape)
    X = rng.standard_normal((n_windows, *shape)) + 0.5 * y.reshape(-1, *[1] * len(shape)) * pattern
    return X.astype(np.float32), y


def _epoch_ends():
    """A Keras callback whose ``times`` are the perf_counter at the end of each epoch."""
    import keras

    class EpochEnds(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.times = []

        def on_epoch_end(self, epoch, logs=None):
            float(logs["loss"])  # wait for the epoch's last step (JAX dispatches asynchronously)
            self.times.append(time.perf_counter())

    return EpochEnds()


def _steady_rate(n_windows, times):
    """Windows per second in the median epoch after the first, from epoch end times."""
    import numpy as np

    return n_windows / float(np.median(np.diff(times)))


def _specs(models=None, scale=1.0):
    """The model specs chosen by ``--models``, with ``--scale`` times their windows."""
    chosen = [spec for spec in _model_specs() if not models or spec[0] in models]
    return [(name, described, shape, n_classes, max(2 * BATCH_SIZE, int(n * scale)), make)
            for name, described, shape, n_classes, n, make in chosen]


def _throughput(train_epochs, models=None, scale=1.0):
    """Steady-state training windows/s of every model on this process's backend."""
    import keras

    from biosig.models import AutoencoderAnomalyDetector

    rates = {}
    for name, _, shape, n_classes, n_windows, make in _specs(models, scale):
        X, y = _synthetic(shape, n_classes, n_windows)
        common = dict(batch_size=BATCH_SIZE, random_state=0, verbose=0)
        clock = _epoch_ends()
        if make is AutoencoderAnomalyDetector:
            # It always holds out a validation split (its threshold needs
            # one): fit it for one epoch, then time its compiled network alone.
            flat = X.reshape(len(X), -1)
            make(epochs=1, **common).fit(X).model_.fit(
                flat, flat, batch_size=BATCH_SIZE, epochs=1 + train_epochs, shuffle=True,
                callbacks=[clock], verbose=0)
        else:
            make(epochs=1 + train_epochs, validation_fraction=0, callbacks=[clock],
                 **common).fit(X, y)
        rates[name] = _steady_rate(n_windows, clock.times)
    return {"backend": keras.backend.backend(), "device": _device(), "rates": rates}


def _braindecode_comparison(train_epochs):
    """Steady-state windows/s of braindecode's EEGNet (plain torch loop) and EEGNetClassifier."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _braindecode import import_braindecode

    try:
        braindecode = import_braindecode()
    except ImportError as exc:
        return {"skipped": f"{type(exc).__name__}: {exc}"}
    bd_models = braindecode.models
    import numpy as np
    import torch

    from biosig.models import EEGNetClassifier

    n_chans, n_times, n_classes, n_windows = 22, 256, 4, 2048
    X, y = _synthetic((n_chans, n_times), n_classes, n_windows)

    net_class = getattr(bd_models, "EEGNetv4", None) or bd_models.EEGNet
    # Since braindecode 1.0 a flag selects the paper's max-norm dense classifier
    # (the default is a convolution with as many weights and no constraint).
    options = ({"final_layer_with_constraint": True}
               if "final_layer_with_constraint" in inspect.signature(net_class).parameters else {})
    torch.manual_seed(0)
    net = net_class(n_chans=n_chans, n_outputs=n_classes, n_times=n_times, **options)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    criterion = torch.nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y).long()
    net.train()
    times = []
    for _ in range(1 + train_epochs):
        for batch in torch.randperm(n_windows).split(BATCH_SIZE):
            optimizer.zero_grad()
            loss = criterion(net(X_t[batch]), y_t[batch])
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter())

    clock = _epoch_ends()
    ours = EEGNetClassifier(epochs=1 + train_epochs, batch_size=BATCH_SIZE,
                            validation_fraction=0, callbacks=[clock], random_state=0,
                            verbose=0).fit(X, y)
    return {
        "braindecode": braindecode.__version__,
        "class": net_class.__name__,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "device": _device(),
        "braindecode_rate": _steady_rate(n_windows, times),
        "biosig_rate": _steady_rate(n_windows, clock.times),
        "braindecode_params": sum(p.numel() for p in net.parameters() if p.requires_grad),
        "biosig_params": int(sum(np.prod(w.shape) for w in ours.model_.trainable_weights)),
    }


def _in_subprocess(mode, backend, train_epochs, extra=()):
    """Run this script with ``mode`` on ``backend``; its JSON, or ``{"error": ...}``."""
    done = subprocess.run(
        [sys.executable, os.path.abspath(__file__), mode, "--backend", backend,
         "--train-epochs", str(train_epochs), *extra],
        capture_output=True, text=True)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip()
                else f"exit status {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _throughput_table(train_epochs, backends=None, models=None, scale=1.0):
    backends = [b for b in backends or BACKENDS if importlib.util.find_spec(b) is not None]
    extra = ["--scale", str(scale)] + (["--models", *models] if models else [])
    results = [_in_subprocess("--throughput-only", b, train_epochs, extra) for b in backends]
    for backend, result in zip(backends, results):
        if "error" in result:
            print(f"backend {backend} failed: {result['error']}")
    ran = [r for r in results if "error" not in r]
    print(f"\nTraining throughput, windows/s: batch {BATCH_SIZE}, no validation split, "
          f"median of {train_epochs} epochs after a warm-up epoch")
    columns = [f"{r['backend']} ({r['device']})" for r in ran]
    print(f"{'model':<38} {'input':<26} {'shape':<12}" + "".join(f" {c:>17}" for c in columns))
    for name, described, shape, _, _, _ in _specs(models, scale):
        print(f"{name:<38} {described:<26} {'x'.join(map(str, shape)):<12}"
              + "".join(f" {r['rates'][name]:>17,.0f}" for r in ran))


def _braindecode_table(train_epochs):
    result = _in_subprocess("--braindecode-only", "torch", train_epochs)
    if "skipped" in result:
        print(f"\nEEGNet against braindecode skipped ({result['skipped']}): "
              "`pip install braindecode` (with torch and torchaudio) to run it.")
        return
    if "error" in result:
        print(f"\nEEGNet against braindecode failed: {result['error']}")
        return
    print(f"\nEEGNet-8,2 on 22 channels x 256 samples, 4 classes, batch {BATCH_SIZE}, Adam 1e-3, "
          f"cross-entropy: torch {result['torch']} on {result['device']}, "
          f"{result['threads']} threads, median of {train_epochs} epochs after a warm-up epoch")
    print(f"{'':<40} {'windows/s':>10} {'trainable params':>17}")
    for label, rate, params in (
            (f"braindecode {result['braindecode']} {result['class']}, torch loop",
             result["braindecode_rate"], result["braindecode_params"]),
            ("biosig EEGNetClassifier, Keras on torch", result["biosig_rate"],
             result["biosig_params"])):
        print(f"{label:<40} {rate:>10,.0f} {params:>17,}")
    print(f"biosig / braindecode: {result['biosig_rate'] / result['braindecode_rate']:.2f}x "
          "(target >= 1.0x)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="tile the 1797 digits this often")
    parser.add_argument("--epochs", type=int, default=10, help="RBM pretraining epochs")
    parser.add_argument("--train-epochs", type=int, default=3,
                        help="timed training epochs after the warm-up epoch")
    parser.add_argument("--backend", choices=BACKENDS)
    parser.add_argument("--throughput-only", action="store_true",
                        help="print the model throughput on this backend as JSON")
    parser.add_argument("--braindecode-only", action="store_true",
                        help="print the EEGNet comparison (on the torch backend) as JSON")
    parser.add_argument("--backends", nargs="+", choices=BACKENDS,
                        help="backends of the throughput table (default: every one that imports)")
    parser.add_argument("--models", nargs="+", help="models of the throughput table (default: all)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="windows per model in the throughput table, as a share of the default")
    parser.add_argument("--rbm-settings", type=int, default=4,
                        help="how many of the four RBM sizes to time, smallest first")
    parser.add_argument("--skip-braindecode", action="store_true")
    args = parser.parse_args(argv)
    if args.train_epochs < 1:
        parser.error("--train-epochs must be at least 1")
    if args.braindecode_only:
        args.backend = "torch"
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    if args.throughput_only:
        print(json.dumps(_throughput(args.train_epochs, args.models, args.scale)))
    elif args.braindecode_only:
        print(json.dumps(_braindecode_comparison(args.train_epochs)))
    else:
        _rbm_table(args)
        _throughput_table(args.train_epochs, args.backends, args.models, args.scale)
        if not args.skip_braindecode:
            _braindecode_table(args.train_epochs)
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
