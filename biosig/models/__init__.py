"""Models: scikit-learn classifiers around Keras 3 networks (TensorFlow, JAX, PyTorch)."""

from ._batches import WindowBatches
from ._cnn1d import CNN1DClassifier
from ._dbn import DBNClassifier
from ._inputs import pack_inputs
from ._rbm import RBM

__all__ = ["CNN1DClassifier", "DBNClassifier", "RBM", "WindowBatches", "pack_inputs"]
