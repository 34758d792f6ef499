"""Evaluation: leakage-safe splitters, metrics, plots and reports."""

from ._metrics import AAMI_ALIASES, classification_metrics
from ._plots import plot_confusion_matrix, plot_roc
from ._report import write_report
from ._splitters import InterPatientSplit

__all__ = [
    "AAMI_ALIASES",
    "InterPatientSplit",
    "classification_metrics",
    "plot_confusion_matrix",
    "plot_roc",
    "write_report",
]
