"""Models: scikit-learn classifiers around Keras 3 networks (TensorFlow, JAX, PyTorch)."""

from ._batches import WindowBatches
from ._cnn1d import CNN1DClassifier
from ._dbn import DBNClassifier
from ._eeg_nets import EEGNetClassifier, ShallowConvNetClassifier
from ._inputs import pack_inputs
from ._persistence import load_estimator, save_estimator
from ._rbm import RBM

__all__ = [
    "CNN1DClassifier",
    "DBNClassifier",
    "EEGNetClassifier",
    "RBM",
    "ShallowConvNetClassifier",
    "WindowBatches",
    "load_estimator",
    "pack_inputs",
    "save_estimator",
]
