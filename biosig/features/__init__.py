"""Features: scikit-learn transformers over ``Windows.X``, vectorised over windows."""

from ._alignment import EuclideanAlignment
from ._beat_morphology import BeatMorphology
from ._beat_template import BeatTemplate
from ._differential_entropy import DifferentialEntropy
from ._group_scaling import GroupScaler
from ._hjorth import Hjorth
from ._scalogram import CWTScalogram
from ._sequence import SubWindowFeatures
from ._spectral import EEG_BANDS, BandPower, SpectralShape
from ._tabular import TabularFeatures
from ._wavelet import WaveletFeatures
from ._wavelet_packet import WaveletPacketEnergy

__all__ = [
    "EEG_BANDS",
    "BandPower",
    "BeatMorphology",
    "BeatTemplate",
    "CWTScalogram",
    "DifferentialEntropy",
    "EuclideanAlignment",
    "GroupScaler",
    "Hjorth",
    "SpectralShape",
    "SubWindowFeatures",
    "TabularFeatures",
    "WaveletFeatures",
    "WaveletPacketEnergy",
]
