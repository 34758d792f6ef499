"""Feature throughput: biosig's vectorised extractors against a per-window loop.

Run on purpose, on one CPU core::

    python benchmarks/features.py [--windows 4000] [--channels 4]

Both pipelines compute, on the same 256-sample windows, the DWT statistics
(db4, level 4, all seven statistics per band) and the Welch band powers of the
five EEG bands plus their differential entropies. The script checks that the
values agree to 1e-5 relative error, then prints windows/s for each, their
ratio (target: 50x) and the peak memory of the vectorised run. Last, it trains
one Keras epoch from a disk store (memory-mapped, through WindowBatches) and
from the same arrays in RAM, each in a fresh process, and prints windows/s and
peak memory of both.
"""

import argparse
import os

# One core, set before NumPy/SciPy load their thread pools.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pywt  # noqa: E402
from scipy import stats  # noqa: E402
from scipy.integrate import trapezoid  # noqa: E402
from scipy.signal import butter, sosfiltfilt, welch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from biosig.features import EEG_BANDS, BandPower, DifferentialEntropy, WaveletFeatures  # noqa: E402

SFREQ = 128.0


def biosig_pipeline(X):
    return np.hstack([
        WaveletFeatures("db4", 4).fit_transform(X),
        BandPower(SFREQ, relative=False).fit_transform(X),
        DifferentialEntropy(SFREQ).fit_transform(X),
    ])


def loop_pipeline(X):
    """The same numbers, one window and one channel at a time."""
    soses = [butter(4, band, btype="bandpass", fs=SFREQ, output="sos") for band in EEG_BANDS.values()]
    rows = []
    for window in X:
        wav, bp, de = [], [], []
        for channel in window:
            coeffs = pywt.wavedec(channel, "db4", level=4)
            total = sum(np.sum(c ** 2) for c in coeffs)
            for c in coeffs:
                energy = np.sum(c ** 2)
                wav += [np.mean(np.abs(c)), np.std(c), energy, energy / total,
                        stats.entropy(c ** 2), stats.skew(c), stats.kurtosis(c)]
            f, p = welch(channel, fs=SFREQ, nperseg=256)
            for lo, hi in EEG_BANDS.values():
                keep = (f >= lo) & (f <= hi)
                bp.append(trapezoid(p[keep], f[keep]))
            for sos in soses:
                de.append(0.5 * np.log(2 * np.pi * np.e * np.var(sosfiltfilt(sos, channel))))
        rows.append(wav + bp + de)
    return np.array(rows)


def _time(fn, X, repeat):
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(X)
        best = min(best, time.perf_counter() - start)
    return best, out


_STREAM_CHILD = """
import sys, time
import keras, numpy as np
from biosig.models import WindowBatches
from biosig.windows import read_windows
store, where = sys.argv[1], sys.argv[2]


def anon_mib():  # private memory: the file-backed pages of a memory map are not counted
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024


class Peak(keras.callbacks.Callback):
    peak = 0.0

    def on_train_batch_end(self, batch, logs=None):
        Peak.peak = max(Peak.peak, anon_mib())

w = read_windows(store, verify=False)
X = np.array(w.X) if where == "ram" else w.X
y = (np.arange(len(X)) % 2)
# Channels-last layers after a transpose, as biosig's networks do: TensorFlow's CPU
# kernels have no gradient for a channels-first convolution.
model = keras.Sequential([keras.Input(X.shape[1:]), keras.layers.Permute((2, 1)),
                          keras.layers.Conv1D(8, 7), keras.layers.GlobalAveragePooling1D(),
                          keras.layers.Dense(2, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(WindowBatches(X[:256], y[:256], batch_size=256), epochs=1, verbose=0)  # warm-up
before = anon_mib()
start = time.perf_counter()
model.fit(WindowBatches(X, y, batch_size=256, seed=0), epochs=1, verbose=0, callbacks=[Peak()])
rate = len(X) / (time.perf_counter() - start)
print(rate, before, Peak.peak)
"""


def bench_streaming(n_windows, channels):
    """Train one epoch from the disk store and from RAM, each in a fresh process."""
    import subprocess
    import tempfile

    import pandas as pd

    from biosig.windows import Windows, write_windows

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        X = np.lib.format.open_memmap(Path(tmp) / "source.npy", "w+", np.float32,
                                      (n_windows, channels, 256))
        for i in range(0, n_windows, 4096):
            X[i:i + 4096] = rng.standard_normal(X[i:i + 4096].shape, dtype=np.float32)
        w = Windows(X, np.zeros(n_windows), np.zeros(n_windows),
                    pd.DataFrame({"record": np.zeros(n_windows, int)}), SFREQ)
        write_windows(w, Path(tmp) / "store")
        del X, w
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]),
                   TF_CPP_MIN_LOG_LEVEL="3")
        rows = {}
        for where in ("ram", "store"):
            out = subprocess.run([sys.executable, "-c", _STREAM_CHILD, str(Path(tmp) / "store"), where],
                                 capture_output=True, text=True, env=env, check=True)
            rows[where] = [float(v) for v in out.stdout.split()[-3:]]
    size = n_windows * channels * 256 * 4 / 2**20
    print(f"\nKeras training, one epoch over {n_windows} windows ({size:.0f} MiB; a batch is "
          f"{256 * channels * 256 * 4 / 2**20:.1f} MiB)")
    print(f"{'source':10s} {'windows/s':>10s} {'private memory before fit':>26s} {'peak during fit':>16s}")
    for where, (rate, before, peak) in rows.items():
        print(f"{where:10s} {rate:10.0f} {before:22.0f} MiB {peak:12.0f} MiB")
    print(f"store/RAM throughput {rows['store'][0] / rows['ram'][0]:.2f}x; private memory: the "
          f"store run holds {rows['store'][2]:.0f} MiB at peak against {rows['ram'][2]:.0f} MiB "
          f"with the corpus in RAM")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=4000)
    parser.add_argument("--channels", type=int, default=4)
    parser.add_argument("--loop-windows", type=int, default=400,
                        help="windows given to the slow loop (its rate is per window)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stream-windows", type=int, default=100_000,
                        help="windows in the disk-store training run (0 skips it)")
    args = parser.parse_args(argv)

    X = np.random.default_rng(0).standard_normal((args.windows, args.channels, 256))
    t_vec, F = _time(biosig_pipeline, X, args.repeat)
    t_loop, F_loop = _time(loop_pipeline, X[:args.loop_windows], 1)

    # Same column order: per channel wavelet, then band power, then DE.
    n = args.loop_windows
    ours = F[:n]
    wav = ours[:, :args.channels * 35].reshape(n, args.channels, 35)
    bp = ours[:, args.channels * 35:args.channels * 40].reshape(n, args.channels, 5)
    de = ours[:, args.channels * 40:].reshape(n, args.channels, 5)
    ref = F_loop.reshape(n, -1)
    ref_wav = ref[:, :args.channels * 35].reshape(n, args.channels, 35)
    ref_bp = ref[:, args.channels * 35:args.channels * 40].reshape(n, args.channels, 5)
    ref_de = ref[:, args.channels * 40:].reshape(n, args.channels, 5)
    err = max(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12))
              for a, b in ((wav, ref_wav), (bp, ref_bp), (de, ref_de)))

    tracemalloc.start()
    biosig_pipeline(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rate_vec, rate_loop = args.windows / t_vec, n / t_loop
    print(f"{args.windows} windows x {args.channels} channels x 256 samples, one core")
    print(f"{'pipeline':44s} {'windows/s':>10s}")
    print(f"{'per-window loop of pywt/scipy calls':44s} {rate_loop:10.0f}")
    print(f"{'biosig (WaveletFeatures+BandPower+DE)':44s} {rate_vec:10.0f}")
    print(f"ratio {rate_vec / rate_loop:.1f}x (target 50x); max relative difference {err:.1e} "
          f"(target 1e-5); peak memory of the vectorised run {peak / 2**20:.0f} MiB "
          f"for {X.nbytes / 2**20:.0f} MiB of input")
    if args.stream_windows:
        bench_streaming(args.stream_windows, args.channels)


if __name__ == "__main__":
    main()
