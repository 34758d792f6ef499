"""Figures of an evaluation: confusion matrix, ROC and precision-recall curves, training curves."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    RocCurveDisplay,
)

__all__ = ["plot_confusion_matrix", "plot_precision_recall", "plot_roc", "plot_training_curves"]


def plot_confusion_matrix(cm, labels, *, normalize=True, title=None):
    """Plot a confusion matrix, rows normalised to recall when ``normalize``.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    cm = np.asarray(cm, dtype=np.int64)
    fig, ax = plt.subplots(figsize=(4.8, 4.2), layout="constrained")
    shown = cm
    if normalize:
        # A class absent from the test set has no rates: show its row as 0.
        shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    ConfusionMatrixDisplay(shown, display_labels=labels).plot(
        ax=ax, cmap="Blues", colorbar=False, values_format=".2f" if normalize else "d")
    ax.set_title(title or ("Confusion matrix (row-normalised)" if normalize else "Confusion matrix"))
    # Counts under the rates, so rare classes stay readable.
    if normalize:
        for (i, j), n in np.ndenumerate(cm):
            ax.text(j, i + 0.28, f"n={int(n)}", ha="center", va="center", fontsize=7, color="gray")
    return fig


def plot_roc(y_true, y_score, classes, *, title="ROC, one-vs-rest"):
    """Plot one ROC curve per class present in ``y_true``.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    y_true = np.asarray(y_true)
    fig, ax = plt.subplots(figsize=(4.8, 4.2), layout="constrained")
    for i, label in enumerate(classes):
        positive = y_true == label
        if 0 < positive.sum() < len(y_true):
            RocCurveDisplay.from_predictions(positive, y_score[:, i], name=str(label), ax=ax,
                                             plot_chance_level=i == 0)
    ax.set(title=title, xlabel="False positive rate (1 − specificity)",
           ylabel="True positive rate (sensitivity)")
    return fig


def plot_precision_recall(y_true, y_score, classes, *, title="Precision-recall, one-vs-rest"):
    """Plot one precision-recall curve per class present in ``y_true``, with its prevalence.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    y_true = np.asarray(y_true)
    fig, ax = plt.subplots(figsize=(4.8, 4.2), layout="constrained")
    for i, label in enumerate(classes):
        positive = y_true == label
        if 0 < positive.sum() < len(y_true):
            PrecisionRecallDisplay.from_predictions(positive, y_score[:, i], name=str(label),
                                                    ax=ax, plot_chance_level=True)
    ax.set(title=title, xlabel="Recall (sensitivity)", ylabel="Precision (+P)")
    return fig


def plot_training_curves(history, *, title="Training curves"):
    """Plot loss and accuracy per epoch, training and validation.

    Parameters
    ----------
    history : dict
        ``history_`` of a fitted classifier (``loss``, ``val_loss``, ...).

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.4), layout="constrained")
    for ax, key in zip(axes, ("loss", "accuracy")):
        for prefix, style in (("", "-"), ("val_", "--")):
            values = history.get(prefix + key)
            if values:
                ax.plot(np.arange(1, len(values) + 1), values, style,
                        label="validation" if prefix else "training")
        ax.set(xlabel="epoch", ylabel=key, title=key)
        if ax.lines:
            ax.legend()
        else:  # a model not trained by epochs (the tangent-space classifier)
            ax.text(0.5, 0.5, "no epochs", ha="center", va="center", transform=ax.transAxes)
    fig.suptitle(title)
    return fig
