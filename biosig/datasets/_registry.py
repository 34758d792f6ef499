"""Every source by its name, for the command line and recipes."""

from ._bciii import BCICompII3
from ._bciiv import BCICompIV2a, BCICompIV2b
from ._bonn import BonnEpilepsy
from ._chbmit import CHBMIT
from ._deap import DEAP
from ._eegmmidb import EEGMotorImagery
from ._incartdb import INCART12LeadArrhythmia
from ._mitdb import MITBIHArrhythmia
from ._svdb import MITBIHSupraventricularArrhythmia

__all__ = ["SOURCES", "get_source"]

#: Source name (its folder under the data directory) -> class.
SOURCES = {cls.name: cls for cls in (
    MITBIHArrhythmia, MITBIHSupraventricularArrhythmia, INCART12LeadArrhythmia,
    EEGMotorImagery, CHBMIT, BCICompIV2a, BCICompIV2b, BCICompII3, DEAP, BonnEpilepsy,
)}


def get_source(name, **kwargs):
    """Return the source called ``name`` (e.g. ``"mitdb"``), built with ``kwargs``.

    Raises
    ------
    ValueError
        Listing the known names when ``name`` is not one.
    """
    try:
        cls = SOURCES[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(SOURCES)}") from None
    return cls(**kwargs)
