"""The ``biosig`` command line."""

import argparse
import os
import sys

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
    return parser


def main(argv=None):
    """Entry point of the ``biosig`` console script."""
    args = _parser().parse_args(argv)
    if args.backend:
        if "keras" in sys.modules and os.environ.get("KERAS_BACKEND", "tensorflow") != args.backend:
            raise SystemExit("biosig: --backend must be chosen before Keras is imported")
        os.environ["KERAS_BACKEND"] = args.backend
    from ._recipe import RecipeError, load_recipe
    from ._run import run_recipe

    try:
        recipe = load_recipe(args.recipe, args.overrides)
        out = run_recipe(recipe, recipe_path=args.recipe, data_dir=args.data_dir, out=args.out,
                         download=args.download, partial=args.partial, progress=not args.quiet)
    except (RecipeError, FileNotFoundError, FileExistsError, ValueError, OSError) as err:
        print(f"biosig: error: {err}", file=sys.stderr)
        return 2
    print(f"biosig: run written to {out}")
    print(f"biosig: open {out / 'report.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
