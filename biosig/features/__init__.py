"""Features: scikit-learn transformers over ``Windows.X``, vectorised over windows."""

from ._spectral import EEG_BANDS, BandPower
from ._wavelet import WaveletFeatures

__all__ = ["EEG_BANDS", "BandPower", "WaveletFeatures"]
