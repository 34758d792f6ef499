"""Preprocessing: Recording in, Recording out, thin over MNE and SciPy."""

from ._filter import bandpass
from ._parallel import map_recordings
from ._qrs import BeatMatch, detect_r_peaks, match_beats

__all__ = ["BeatMatch", "bandpass", "detect_r_peaks", "map_recordings", "match_beats"]
