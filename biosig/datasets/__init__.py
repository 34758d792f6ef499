"""Sources: every loader returns :class:`Recording` objects."""

from ._aami import AAMI_CLASSES, AAMI_EC57, aami_class
from ._bciii import BCICompII3
from ._bciiv import BCI_IV_EVENTS, BCICompIV2a, BCICompIV2b
from ._bonn import BonnEpilepsy
from ._chbmit import CHBMIT, CHBMITFile, read_chbmit_summary
from ._deap import DEAP
from ._download import DownloadError
from ._edf import read_annotations, read_raw
from ._examples import EXAMPLES, write_example_data
from ._eegmmidb import EEGMotorImagery, run_events
from ._incartdb import INCART12LeadArrhythmia
from ._mitdb import MITBIHArrhythmia
from ._recording import BeatAnnotations, Recording
from ._source import BaseSource
from ._registry import SOURCES, get_source
from ._svdb import MITBIHSupraventricularArrhythmia
from ._wfdb import read_wfdb

__all__ = [
    "EXAMPLES",
    "AAMI_CLASSES",
    "AAMI_EC57",
    "BCI_IV_EVENTS",
    "BCICompII3",
    "BeatAnnotations",
    "BaseSource",
    "BCICompIV2a",
    "BCICompIV2b",
    "BonnEpilepsy",
    "CHBMIT",
    "CHBMITFile",
    "DEAP",
    "DownloadError",
    "EEGMotorImagery",
    "INCART12LeadArrhythmia",
    "MITBIHArrhythmia",
    "MITBIHSupraventricularArrhythmia",
    "Recording",
    "SOURCES",
    "aami_class",
    "get_source",
    "read_chbmit_summary",
    "read_annotations",
    "read_raw",
    "read_wfdb",
    "run_events",
    "write_example_data",
]
