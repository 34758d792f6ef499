"""Figures of an evaluation: confusion matrix and one-vs-rest ROC curves."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay  # noqa: E402

__all__ = ["plot_confusion_matrix", "plot_roc"]


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
