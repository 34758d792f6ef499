"""Peak memory of the arrhythmia study as the corpus grows: 11, 22 and 44 records.

Run on purpose, not in the unit tests::

    python benchmarks/memory.py --data-dir DIR [--sizes 11 22 44] [--epochs 3]

Each size runs ``recipes/arrhythmia_mitbih.toml`` on that many records of
the DS1 and DS2 lists (half of each, in their published order) through
``biosig run`` in a fresh process with a fresh cache, so the peak includes
building the window store. The peak resident set size of that process
(``ru_maxrss`` from ``wait4``) is printed for each size, with its ratio to
the smallest. Target: the peak at 44 records is at most 1.3x the peak at 11.
Recordings are read one at a time into the memory-mapped store and the
network trains from it in batches, so the corpus itself never sits in RAM;
what grows is the per-window bookkeeping (labels, meta, probabilities).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _records(size):
    from biosig.datasets import MITBIHArrhythmia

    half = size // 2
    return list(MITBIHArrhythmia.DS1[:size - half]), list(MITBIHArrhythmia.DS2[:half])


def peak_rss(data_dir, size, epochs, bootstrap):
    """Run the recipe on ``size`` records in a child process; its peak RSS in MiB and seconds."""
    train, test = _records(size)
    with tempfile.TemporaryDirectory() as tmp:
        args = [sys.executable, "-m", "biosig.cli", "run",
                str(ROOT / "recipes" / "arrhythmia_mitbih.toml"), "--data-dir", str(data_dir),
                "--out", str(Path(tmp) / "run"), "--quiet", "--partial",
                "--set", f"split.train={train}", "--set", f"split.test={test}",
                "--set", f"training.epochs={epochs}", "--set", f"training.bootstrap={bootstrap}"]
        env = dict(os.environ, BIOSIG_CACHE=str(Path(tmp) / "cache"))
        start = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        error = child.stderr.read().decode()
        child.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{size} records: biosig run failed: {error[-2000:]}")
    return usage.ru_maxrss / 1024, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("BIOSIG_DATA"))
    parser.add_argument("--sizes", nargs="+", type=int, default=[11, 22, 44],
                        help="numbers of records (half DS1, half DS2)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--bootstrap", type=int, default=200)
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("give --data-dir or set BIOSIG_DATA")
    rows = [(size, *peak_rss(args.data_dir, size, args.epochs, args.bootstrap))
            for size in args.sizes]
    base = rows[0][1]
    print(f"arrhythmia_mitbih, {args.epochs} epochs, TensorFlow backend "
          f"({os.environ.get('KERAS_BACKEND', 'tensorflow')}); peak RSS of `biosig run`")
    print(f"{'records':>8} {'peak RSS MiB':>13} {'vs smallest':>12} {'seconds':>8}")
    for size, rss, seconds in rows:
        print(f"{size:>8} {rss:>13.0f} {rss / base:>11.2f}x {seconds:>8.0f}")
    print(f"target: peak at {rows[-1][0]} records <= 1.3x the peak at {rows[0][0]} "
          f"({'met' if rows[-1][1] <= 1.3 * base else 'NOT met'})")
    return rows


if __name__ == "__main__":
    main()
