"""Training helpers for imbalanced data, used by models and pipelines."""

from ._class_weight import class_weights

__all__ = ["class_weights"]
