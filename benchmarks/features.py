"""Feature throughput: biosig's vectorised extractors against a per-window loop.

Run on purpose, on one CPU core::

    python benchmarks/features.py [--windows 4000] [--channels 4]

Both pipelines compute, on the same 256-sample windows, the DWT statistics
(db4, level 4, all seven statistics per band) and the Welch band powers of the
five EEG bands plus their differential entropies. The script checks that the
values agree to 1e-5 relative error, then prints windows/s for each, their
ratio (target: 50x) and the peak memory of the vectorised run.
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=4000)
    parser.add_argument("--channels", type=int, default=4)
    parser.add_argument("--loop-windows", type=int, default=400,
                        help="windows given to the slow loop (its rate is per window)")
    parser.add_argument("--repeat", type=int, default=3)
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


if __name__ == "__main__":
    main()
