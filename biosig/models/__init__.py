"""Models: scikit-learn classifiers around Keras 3 networks (TensorFlow, JAX, PyTorch)."""

from ._batches import WindowBatches
from ._cnn1d import CNN1DClassifier
from ._inputs import pack_inputs

__all__ = ["CNN1DClassifier", "WindowBatches", "pack_inputs"]
