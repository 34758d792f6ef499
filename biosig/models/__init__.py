"""Models: scikit-learn classifiers around Keras 3 networks (TensorFlow, JAX, PyTorch), and
the classical baselines: Riemannian tangent space (pyRiemann) and linear discriminants."""

from ._augment import AmplitudeScale, BaselineWander, GaussianNoiseSNR, TimeWarp
from ._autoencoders import (
    AutoencoderAnomalyDetector,
    StackedDenoisingAutoencoderClassifier,
)
from ._batches import WindowBatches
from ._cnn1d import CNN1DClassifier
from ._cnn2d import CNN2DClassifier
from ._dbn import DBNClassifier
from ._discriminant import LinearDiscriminantClassifier
from ._ecg_nets import MultiPerspectiveCNNClassifier, ResidualAttentionCNNClassifier
from ._eeg_augment import (
    ChannelDropout,
    FrequencyShift,
    FTSurrogate,
    MixupBatches,
    SignFlip,
    TimeMask,
)
from ._eeg_deep import Deep4NetClassifier, EEGConformerClassifier
from ._eeg_nets import EEGNetClassifier, ShallowConvNetClassifier
from ._eeg_tcn import ATCNetClassifier, EEGTCNetClassifier
from ._inputs import pack_inputs
from ._persistence import load_estimator, save_estimator
from ._progress import EpochProgress
from ._rbm import RBM
from ._recurrent import BiLSTMClassifier, CNNLSTMClassifier
from ._riemann import TangentSpaceClassifier

__all__ = [
    "ATCNetClassifier",
    "AmplitudeScale",
    "AutoencoderAnomalyDetector",
    "BaselineWander",
    "BiLSTMClassifier",
    "CNN1DClassifier",
    "CNN2DClassifier",
    "CNNLSTMClassifier",
    "ChannelDropout",
    "DBNClassifier",
    "Deep4NetClassifier",
    "EEGConformerClassifier",
    "EEGNetClassifier",
    "EEGTCNetClassifier",
    "EpochProgress",
    "FTSurrogate",
    "FrequencyShift",
    "GaussianNoiseSNR",
    "LinearDiscriminantClassifier",
    "MixupBatches",
    "MultiPerspectiveCNNClassifier",
    "RBM",
    "ResidualAttentionCNNClassifier",
    "ShallowConvNetClassifier",
    "SignFlip",
    "StackedDenoisingAutoencoderClassifier",
    "TangentSpaceClassifier",
    "TimeMask",
    "TimeWarp",
    "WindowBatches",
    "load_estimator",
    "pack_inputs",
    "save_estimator",
]
