"""biosig: deep learning on biosignals (EEG, ECG).

The package follows one pipeline, one sub-package a stage::

    datasets -> preprocessing -> windows -> features -> models -> evaluation

Each stage hands the next a single type: :class:`~biosig.datasets.Recording`,
:class:`~biosig.windows.Windows`, feature arrays, fitted estimators and a
results table. :mod:`biosig.study` composes them from a recipe.
"""

import importlib.metadata

try:
    __version__ = importlib.metadata.version("biosig-dl")
except importlib.metadata.PackageNotFoundError:  # a source tree that is not installed
    __version__ = "unknown"


def load_recipe(path, overrides=()):
    """Read and check a recipe file into a Study; see :func:`biosig.study.load_recipe`."""
    from .study import load_recipe as _load

    return _load(path, overrides)


def run_recipe(study, **kwargs):
    """Run a Study into a run folder; see :func:`biosig.study.run_study`."""
    from .study import run_study

    return run_study(study, **kwargs)


__all__ = ["__version__", "load_recipe", "run_recipe"]
