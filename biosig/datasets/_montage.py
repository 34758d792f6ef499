"""The standard 10-05 electrode positions, under whichever name this MNE gives them."""

import mne

__all__ = []


def set_standard_montage(raw):
    """Set MNE's template 10-05 positions on the EEG channels of ``raw`` in place.

    MNE 1.13 renamed ``standard_1005`` to ``colin27_1005``; either is used,
    whichever this MNE has. Channels without a template position keep none.
    """
    names = mne.channels.get_builtin_montages()
    kind = "colin27_1005" if "colin27_1005" in names else "standard_1005"
    raw.set_montage(kind, on_missing="ignore", verbose=False)
    return raw
