"""Training for imbalanced data: class weights, focal loss, balanced batches, thresholds."""

from ._balanced_batches import BalancedBatches
from ._class_weight import class_weights
from ._focal import SparseFocalLoss
from ._thresholds import ClassThresholdClassifier, predict_with_threshold, tune_threshold

__all__ = [
    "BalancedBatches",
    "ClassThresholdClassifier",
    "SparseFocalLoss",
    "class_weights",
    "predict_with_threshold",
    "tune_threshold",
]
