"""The ``biosig`` command line."""

import argparse
import contextlib
import os
import sys
import tempfile

__all__ = ["main"]


def _parser():
    parser = argparse.ArgumentParser(prog="biosig", description="Deep learning on biosignals.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a recipe into a run folder")
    run.add_argument("recipe", help="recipe TOML file, e.g. recipes/arrhythmia_mitbih.toml")
    run.add_argument("--data-dir", help="local data folder laid out as the publishers lay it out "
                                        "(default: $BIOSIG_DATA)")
    run.add_argument("--download", action="store_true",
                     help="fetch missing records into the cache ($BIOSIG_CACHE, ~/.cache/biosig)")
    run.add_argument("--partial", action="store_true",
                     help="run a reduced protocol on the records present, labelled as such")
    run.add_argument("--out", help="run folder to create (default: runs/<study>-<timestamp>)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a recipe value, e.g. --set training.epochs=5")
    run.add_argument("--backend", choices=("tensorflow", "jax", "torch"),
                     help="Keras backend (default: $KERAS_BACKEND, else tensorflow)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    run.add_argument("--verbose", action="store_true",
                     help="show the Keras backend's start-up log (TensorFlow's CUDA and CPU lines)")
    run.add_argument("--n-jobs", type=int, default=1, metavar="N",
                     help="fits (folds, selection candidates) run in N processes (-1: all cores)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="run the fits on a Dask cluster, e.g. tcp://10.0.0.5:8786 (its workers "
                          "must see the data folder and the cache)")
    run.add_argument("--resume", action="store_true",
                     help="carry on an interrupted run with the same --out: only the fits not "
                          "yet done run")

    report = sub.add_parser("report", help="write a run folder's report.html again")
    report.add_argument("run", help="run folder written by biosig run")
    explain = sub.add_parser("explain", help="attributions of a run's saved model on windows "
                                             "it tested: figures, added to the report")
    explain.add_argument("run", help="run folder written by biosig run")
    explain.add_argument("--method", default="integrated_gradients",
                         choices=("integrated_gradients", "saliency", "grad_cam"),
                         help="attribution method (default: integrated_gradients)")
    explain.add_argument("--n-windows", type=int, default=32, metavar="N",
                         help="tested windows explained per class, at most (default: 32)")
    explain.add_argument("--steps", type=int, default=50,
                         help="path steps of integrated gradients (default: 50)")
    explain.add_argument("--layer", help="convolution layer of Grad-CAM (default: the last)")
    explain.add_argument("--data-dir", help="the data folder the run read (default: "
                                            "$BIOSIG_DATA), when its windows are not cached")
    explain.add_argument("--backend", choices=("tensorflow", "jax", "torch"),
                         help="Keras backend (default: $KERAS_BACKEND, else tensorflow)")
    explain.add_argument("--verbose", action="store_true",
                         help="show the Keras backend's start-up log")
    compare = sub.add_parser("compare", help="side-by-side table of several runs; with --stats, "
                                             "paired statistics across their test units")
    compare.add_argument("runs", nargs="+", help="run folders")
    compare.add_argument("--stats", action="store_true",
                         help="paired statistics across the test subjects (or records): a "
                              "test, the effect with its interval, Holm over the pairs, a plot")
    compare.add_argument("--metric", help="with --stats: the metric scored per unit (default "
                                          "macro_f1 for ECG beats, accuracy otherwise), e.g. "
                                          "balanced_accuracy, 'f1:S', 'SVEB F1'")
    compare.add_argument("--test", choices=("permutation", "wilcoxon"), default="permutation",
                         help="with --stats: sign-flip permutation test (exact up to 16 units) "
                              "or Wilcoxon signed-rank")
    compare.add_argument("--plot", metavar="PATH",
                         help="with --stats: the plot to write (default: "
                              "compare-<metric>.png in the current folder)")
    compare.add_argument("--n-resamples", type=int, default=9999, metavar="N",
                         help="with --stats: Monte Carlo sign flips and bootstrap resamples")
    compare.add_argument("--seed", type=int, default=0, help="with --stats: random seed")

    data = sub.add_parser("datasets", help="list the sources, what is here, and fetch them")
    data.add_argument("action", nargs="?", default="list", choices=("list", "status", "download"),
                      help="list: every source; status NAME: subjects and files here; "
                           "download NAME: fetch missing files into the cache")
    data.add_argument("name", nargs="?", help="source name, e.g. mitdb, eegmmidb, bonn")
    data.add_argument("--subjects", nargs="+", help="subjects (or records) to fetch")
    data.add_argument("--data-dir", help="local data folder (default: $BIOSIG_DATA)")
    data.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _ids(ids, limit=8):
    ids = list(ids)
    return ", ".join(ids[:limit]) + (f" ... ({len(ids)})" if len(ids) > limit else "") or "-"


def _datasets(args):
    from .datasets import SOURCES, get_source

    if args.action == "list":
        rows = [("name", "dataset", "size", "licence", "here", "missing")]
        for name in SOURCES:
            st = get_source(name, data_dir=args.data_dir, progress=False).status()
            here = f"{len(st['complete'])}/{st['n_subjects']}"
            if st["partial"]:
                here += f" (+{len(st['partial'])} partial)"
            rows.append((name, st["title"], st["size"], st["licence"], here,
                         str(st["n_subjects"] - len(st["complete"]))))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        return 0
    if args.name is None:
        raise ValueError(f"biosig datasets {args.action} needs a source name; "
                         f"known: {', '.join(SOURCES)}")
    source = get_source(args.name, data_dir=args.data_dir, download=args.action == "download",
                        progress=not args.quiet)
    if args.action == "status":
        st = source.status()
        print(f"{st['name']}: {st['title']} ({st['size']}; {st['licence']})")
        print(f"  source: {st['url']} ({st['access']})")
        print(f"  searched: {', '.join(str(f) for f in source.folders)}")
        print(f"  complete here: {_ids(st['complete'])}")
        print(f"  partly here: {_ids(st['partial'])}")
        missing = [s for s in source.subjects if s not in st["complete"]]
        print(f"  missing: {_ids(missing)}")
        return 0
    fetched = source.fetch(args.subjects)
    print(f"biosig: {len(fetched)} file(s) fetched into {source.cache_path}")
    return 0


@contextlib.contextmanager
def _quiet_startup(verbose):
    """Hide what the backend's C++ side prints while it starts (CUDA stubs, CPU guard).

    TensorFlow writes these lines to file descriptor 2 before its log level
    applies, so the descriptor itself is redirected, and replayed if
    start-up fails.
    """
    if verbose:
        yield
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _start_backend(verbose):
    """Import Keras and let the backend find its devices (where it logs)."""
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.list_physical_devices()
        if not verbose:
            tf.get_logger().setLevel("ERROR")  # e.g. retracing notes, meant for developers


def _compare_stats(args):
    """``biosig compare --stats``: the paired statistics of the runs, and their plot."""
    import matplotlib.pyplot as plt

    from .evaluation import paired_comparison, plot_paired
    from .evaluation._paired import plot_name

    result = paired_comparison(args.runs, metric=args.metric, test=args.test,
                               n_resamples=args.n_resamples, random_state=args.seed)
    pairs = result.pairs.copy()
    for column in ("mean A", "mean B", "B - A", "low", "high", "d_z", "d_z low", "d_z high"):
        pairs[column] = pairs[column].map(lambda v: f"{v:.3f}")
    for column in ("p", "p Holm"):
        pairs[column] = pairs[column].map(lambda v: f"{v:.4g}")
    level = round(100 * result.confidence_level)
    pairs = pairs.rename(columns={"low": f"{level}% low", "high": f"{level}% high"})
    print(f"{result.metric} per {result.unit.rstrip('s')}, paired over {result.unit} "
          f"tested by every run (B - A; {result.test} test, Holm over {len(pairs)} pair(s)):")
    print(pairs.to_string(index=False))
    path = args.plot or plot_name(result.metric)
    fig = plot_paired(result)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"biosig: plot written to {path}")
    return 0


def _explain(args):
    from .inspection import explain_run
    from .study import RecipeError

    try:
        result = explain_run(args.run, args.method, args.n_windows, data_dir=args.data_dir,
                             steps=args.steps, layer=args.layer)
    except (RecipeError, FileNotFoundError, ValueError, OSError) as err:
        print(f"biosig: error: {err}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{k} {v}" for k, v in result["n_windows"].items())
    print(f"biosig: {args.method} of {counts} tested windows")
    for message in result["messages"]:
        print(f"biosig: {message}")
    for path in result["figures"]:
        print(f"biosig: figure written to {path}")
    print(f"biosig: report written to {result['report']}")
    return 0


def main(argv=None):
    """Entry point of the ``biosig`` console script."""
    args = _parser().parse_args(argv)
    if args.command in ("datasets", "report", "compare"):
        try:
            if args.command == "datasets":
                return _datasets(args)
            if args.command == "compare" and args.stats:
                return _compare_stats(args)  # reads run folders only: no Keras to start
            if args.command == "compare" and (args.metric or args.plot
                                              or args.test != "permutation"):
                raise ValueError("--metric, --test and --plot go with --stats")
            from .study import compare_runs, render_report

            if args.command == "report":
                print(f"biosig: report written to {render_report(args.run)}")
            else:
                print(compare_runs(args.runs).to_string(index=False))
            return 0
        except (FileNotFoundError, ValueError, OSError) as err:
            print(f"biosig: error: {err}", file=sys.stderr)
            return 2
    if args.backend:
        if "keras" in sys.modules and os.environ.get("KERAS_BACKEND", "tensorflow") != args.backend:
            raise SystemExit("biosig: --backend must be chosen before Keras is imported")
        os.environ["KERAS_BACKEND"] = args.backend
    with _quiet_startup(args.verbose):
        _start_backend(args.verbose)
        from .study import RecipeError, load_recipe, run_study

    if args.command == "explain":
        return _explain(args)
    try:
        study = load_recipe(args.recipe, args.overrides)
        out = run_study(study, data_dir=args.data_dir, out=args.out, download=args.download,
                        partial=args.partial, progress=not args.quiet, n_jobs=args.n_jobs,
                        scheduler=args.scheduler, resume=args.resume)
    except (RecipeError, FileNotFoundError, FileExistsError, ValueError, OSError) as err:
        print(f"biosig: error: {err}", file=sys.stderr)
        return 2
    print(f"biosig: run written to {out}")
    print(f"biosig: open {out / 'report.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
