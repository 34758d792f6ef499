import numpy as np
import pywt

from biosig.features import CWTScalogram, WaveletPacketEnergy


def test_packet_energies_match_per_window_pywt():
    X = np.random.default_rng(0).standard_normal((6, 2, 256))
    tf = WaveletPacketEnergy("db4", 3).fit(X)
    F = tf.transform(X)
    ref = []
    for window in X:
        for channel in window:
            nodes = pywt.WaveletPacket(channel, "db4", maxlevel=3).get_level(3, order="freq")
            ref += [np.sum(n.data ** 2) for n in nodes]
    np.testing.assert_allclose(F, np.reshape(ref, F.shape), rtol=1e-10)
    assert len(tf.get_feature_names_out()) == F.shape[1] == 2 * 8
    rel = WaveletPacketEnergy("db4", 3, relative=True).fit_transform(X).reshape(6, 2, 8)
    np.testing.assert_allclose(rel.sum(-1), 1)


def test_sine_energy_lands_in_its_packet_band():
    sfreq = 256.0
    t = np.arange(512) / sfreq
    X = np.sin(2 * np.pi * 40 * t)[None, None]  # band 3 of 8 (32-48 Hz) at level 3
    rel = WaveletPacketEnergy("db8", 3, relative=True).fit_transform(X)[0]
    assert np.argmax(rel) == 2 and rel[2] > 0.8


def test_scalogram_matches_pywt_and_peaks_at_the_sine():
    sfreq = 128.0
    t = np.arange(256) / sfreq
    X = np.stack([np.sin(2 * np.pi * 10 * t), np.sin(2 * np.pi * 30 * t)])[:, None]
    tf = CWTScalogram(sfreq, freqs=[5, 10, 20, 30]).fit(X)
    S = tf.transform(X)
    assert S.shape == (2, 1, 4, 256) and S.dtype == np.float32
    ref, _ = pywt.cwt(X[0, 0], tf.scales_, "morl", sampling_period=1 / sfreq)
    np.testing.assert_allclose(S[0, 0], np.abs(ref), rtol=1e-5, atol=1e-6)
    middle = S[..., 64:192].mean(-1)[:, 0]
    assert np.argmax(middle[0]) == 1 and np.argmax(middle[1]) == 3
