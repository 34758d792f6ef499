"""Sources: every loader returns :class:`Recording` objects."""

from ._aami import AAMI_CLASSES, AAMI_EC57, aami_class
from ._mitdb import MITBIHArrhythmia
from ._recording import Recording
from ._wfdb import read_wfdb

__all__ = [
    "AAMI_CLASSES",
    "AAMI_EC57",
    "MITBIHArrhythmia",
    "Recording",
    "aami_class",
    "read_wfdb",
]
