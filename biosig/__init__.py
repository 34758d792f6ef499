"""biosig: deep learning on biosignals (EEG, ECG).

The package follows one pipeline, one sub-package a stage::

    datasets -> preprocessing -> windows -> features -> models -> evaluation

Each stage hands the next a single type: :class:`~biosig.datasets.Recording`,
:class:`~biosig.windows.Windows`, feature arrays, fitted estimators and a
results table.
"""

__version__ = "0.1.0"


def load_recipe(path, overrides=()):
    """Read and check a recipe file; see :func:`biosig._recipe.load_recipe`."""
    from ._recipe import load_recipe as _load

    return _load(path, overrides)


def run_recipe(recipe, **kwargs):
    """Run a loaded recipe into a run folder; see :func:`biosig._run.run_recipe`."""
    from ._run import run_recipe as _run

    return _run(recipe, **kwargs)


__all__ = ["__version__", "load_recipe", "run_recipe"]
