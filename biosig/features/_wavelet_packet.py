"""Wavelet-packet band energies."""

import numpy as np
import pywt

from ._base import WindowTransformer

__all__ = ["WaveletPacketEnergy"]


class WaveletPacketEnergy(WindowTransformer):
    """Energy of each terminal node of a wavelet-packet decomposition, per channel.

    At ``level`` the packet tree splits the band [0, sfreq/2] into ``2**level``
    equal sub-bands; nodes are returned in frequency order. One
    :class:`pywt.WaveletPacket` covers all windows and channels.

    Parameters
    ----------
    wavelet : str
        Any discrete wavelet known to PyWavelets.
    level : int
        Depth of the packet tree.
    relative : bool
        Divide each node's energy by the window's total over all nodes.
    mode : str
        Signal extension mode of PyWavelets.
    ch_names : list of str | None
        Channel names used in feature names.

    Attributes
    ----------
    n_channels_, n_times_ : int
        Shape of the windows seen in ``fit``.
    """

    def __init__(self, wavelet="db4", level=3, *, relative=False, mode="symmetric", ch_names=None):
        self.wavelet = wavelet
        self.level = level
        self.relative = relative
        self.mode = mode
        self.ch_names = ch_names

    def _check_params(self):
        pywt.Wavelet(self.wavelet)

    def _nodes(self, X):
        packet = pywt.WaveletPacket(X, self.wavelet, mode=self.mode, maxlevel=self.level, axis=-1)
        return packet.get_level(self.level, order="freq")

    def _compute(self, X):
        energy = np.stack([np.sum(node.data * node.data, axis=-1) for node in self._nodes(X)],
                          axis=-1)
        if self.relative:
            total = energy.sum(axis=-1, keepdims=True)
            energy = energy / np.where(total > 0, total, 1)
        return energy.reshape(len(X), -1)

    def _feature_suffixes(self):
        # names <channel>_wp<path>: "a" takes the low half of a band, "d" the high
        return [f"wp{node.path}" for node in self._nodes(np.zeros((1, 1, self.n_times_)))]
