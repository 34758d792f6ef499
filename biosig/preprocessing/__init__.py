"""Preprocessing: Recording in, Recording out, thin over MNE and SciPy."""

from ._filter import bandpass
from ._parallel import map_recordings

__all__ = ["bandpass", "map_recordings"]
