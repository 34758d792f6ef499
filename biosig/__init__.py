"""biosig: deep learning on biosignals (EEG, ECG).

The package follows one pipeline, one sub-package a stage::

    datasets -> preprocessing -> windows -> features -> models -> evaluation

Each stage hands the next a single type: :class:`~biosig.datasets.Recording`,
:class:`~biosig.windows.Windows`, feature arrays, fitted estimators and a
results table.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
