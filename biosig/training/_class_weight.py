"""Class weights for imbalanced training."""

import numpy as np
from sklearn.utils.class_weight import compute_class_weight

__all__ = ["class_weights"]


def class_weights(y, weights="balanced"):
    """Return a weight per class label.

    Parameters
    ----------
    y : array-like, shape (n_samples,)
        Training labels.
    weights : "balanced" | dict | None
        ``"balanced"`` gives ``n_samples / (n_classes * count)`` per class
        (:func:`sklearn.utils.class_weight.compute_class_weight`); a dict
        gives the weights directly (missing classes weigh 1); None gives 1 to
        every class.

    Returns
    -------
    weights : dict
        Class label -> weight, for every label in ``y``.
    """
    classes = np.unique(y)
    if weights is None:
        return {c: 1.0 for c in classes}
    if isinstance(weights, dict):
        unknown = set(weights) - set(classes.tolist())
        if unknown:
            raise ValueError(f"class weights name labels absent from y: {sorted(unknown)}")
        return {c: float(weights.get(c, 1.0)) for c in classes}
    if weights != "balanced":
        raise ValueError(f"weights must be 'balanced', a dict or None, got {weights!r}")
    values = compute_class_weight("balanced", classes=classes, y=np.asarray(y))
    return dict(zip(classes.tolist(), values.tolist()))
