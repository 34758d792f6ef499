"""Preprocessing: Recording in, Recording out, thin over MNE and SciPy."""

from ._filter import bandpass

__all__ = ["bandpass"]
