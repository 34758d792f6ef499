"""Evaluation: leakage-safe splitters, metrics, confidence intervals, plots and reports."""

from ._bootstrap import bootstrap_ci, bootstrap_metrics, group_resamples
from ._leakage import LeakageError, check_group_leakage
from ._metrics import AAMI_ALIASES, classification_metrics
from ._paired import (
    IncomparableRunsError,
    PairedComparison,
    holm,
    metric_value,
    paired_comparison,
    paired_effect,
    paired_test,
    parse_metric,
    plot_paired,
    unit_scores,
)
from ._plots import plot_confusion_matrix, plot_precision_recall, plot_roc, plot_training_curves
from ._report import write_report
from ._seizure import seizure_event_counts, seizure_event_metrics
from ._splitters import (
    ChronologicalSplit,
    InterPatientSplit,
    LeaveOneSeizureOut,
    SessionSplit,
    session_groups,
)

__all__ = [
    "AAMI_ALIASES",
    "ChronologicalSplit",
    "IncomparableRunsError",
    "InterPatientSplit",
    "LeakageError",
    "LeaveOneSeizureOut",
    "PairedComparison",
    "SessionSplit",
    "bootstrap_ci",
    "bootstrap_metrics",
    "check_group_leakage",
    "classification_metrics",
    "group_resamples",
    "holm",
    "metric_value",
    "paired_comparison",
    "paired_effect",
    "paired_test",
    "parse_metric",
    "plot_confusion_matrix",
    "plot_paired",
    "plot_precision_recall",
    "plot_roc",
    "plot_training_curves",
    "seizure_event_counts",
    "seizure_event_metrics",
    "session_groups",
    "unit_scores",
    "write_report",
]
