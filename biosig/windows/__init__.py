"""Windows: samplers that cut recordings into labelled fixed-length windows."""

from ._beats import RR_FEATURES, BeatSampler
from ._events import EventSampler
from ._sliding import SlidingSampler
from ._store import StoreError, cached_windows, read_windows, write_windows
from ._view import WindowView
from ._windows import Windows

__all__ = [
    "RR_FEATURES",
    "BeatSampler",
    "EventSampler",
    "SlidingSampler",
    "StoreError",
    "WindowView",
    "Windows",
    "cached_windows",
    "read_windows",
    "write_windows",
]
