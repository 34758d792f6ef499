"""What every sampler shares: cutting several recordings into one Windows."""

import numpy as np
from tqdm.auto import tqdm

from ._windows import Windows

__all__ = []


def member(labels, names):
    """Whether each label is one of ``names`` (a hash look-up; np.isin sorts objects)."""
    return np.fromiter((label in names for label in labels), dtype=bool, count=len(labels))


class Sampler:
    """Base class: ``sample`` runs ``sample_recording`` over recordings and joins them.

    ``sample_recording`` returns a Windows, or None when a recording yields
    no window; ``_nothing_message(recordings)`` explains an empty result.
    """

    _unit_name = "windows"

    def sample_recording(self, recording):
        raise NotImplementedError

    def _nothing_message(self, recordings):
        return f"no window in records {', '.join(r.record for r in recordings)}"

    def sample(self, recordings):
        """Cut the windows of several recordings into one Windows.

        Parameters
        ----------
        recordings : list of Recording

        Returns
        -------
        windows : Windows
        """
        recordings = list(recordings)
        parts = [self.sample_recording(r)
                 for r in tqdm(recordings, desc=self._unit_name, unit="record",
                               disable=not self.progress)]
        parts = [p for p in parts if p is not None]
        if not parts:
            raise ValueError(self._nothing_message(recordings))
        return Windows.concat(parts)
