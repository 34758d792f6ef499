"""The attribution figures: scalp maps on 10-05 positions, channel x time maps, ECG beats."""

import io

import matplotlib.image
import numpy as np
import pytest

from biosig.inspection import (
    plot_beat_attribution,
    plot_channel_time,
    plot_feature_attribution,
    plot_topomaps,
)

# eegmmidb's 64 electrodes, as its loader names them
EEG = ["FC5", "FC3", "FC1", "FCz", "FC2", "FC4", "FC6", "C5", "C3", "C1", "Cz", "C2", "C4", "C6",
       "CP5", "CP3", "CP1", "CPz", "CP2", "CP4", "CP6", "Fp1", "Fpz", "Fp2", "AF7", "AF3", "AFz",
       "AF4", "AF8", "F7", "F5", "F3", "F1", "Fz", "F2", "F4", "F6", "F8", "FT7", "FT8", "T7",
       "T8", "T9", "T10", "TP7", "TP8", "P7", "P5", "P3", "P1", "Pz", "P2", "P4", "P6", "P8",
       "PO7", "PO3", "POz", "PO4", "PO8", "O1", "Oz", "O2", "Iz"]


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    image = matplotlib.image.imread(io.BytesIO(buffer.getvalue()), format="png")
    assert image.ndim == 3 and min(image.shape[:2]) > 50
    return image


def test_eeg_topographies_and_heat_maps_per_class():
    rng = np.random.default_rng(0)
    attributions = {"left": rng.standard_normal((3, 64, 40)),
                    "right": rng.standard_normal((2, 64, 40))}
    attributions["left"][:, EEG.index("C4")] *= 20  # shown on the right motor cortex
    fig = plot_topomaps(attributions, EEG)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["left (n=3)", "right (n=2)"]
    _png(fig)
    fig = plot_channel_time(attributions, EEG, 160.0, tmin=-0.5)
    assert fig.axes[0].get_xlim() == pytest.approx((-0.5, -0.5 + 40 / 160))
    _png(fig)
    # scalogram attributions (n, channels, scales, times) are summed over scales
    _png(plot_channel_time({"a": rng.standard_normal((2, 3, 5, 40))}, ["x", "y", "z"], 100.0))


def test_no_scalp_map_without_electrode_positions():
    with pytest.raises(ValueError, match="0 of the 2 channels \\(MLII, V1\\) have a position"):
        plot_topomaps({"N": np.ones((2, 2, 10))}, ["MLII", "V1"])


def test_ecg_beats_and_feature_bars():
    rng = np.random.default_rng(1)
    beats = {"N": rng.standard_normal((4, 2, 90)), "V": rng.standard_normal((3, 2, 90))}
    fig = plot_beat_attribution(beats, {k: v ** 2 for k, v in beats.items()}, 360.0,
                                tmin=-0.1, ch_names=["MLII", "V1"])
    assert fig.axes[0].get_ylabel() == "MLII" and fig.axes[1].get_title() == "V (n=3)"
    _png(fig)
    # a one-row map (1-D Grad-CAM) colours every lead
    _png(plot_beat_attribution(beats, {k: v[:, :1] for k, v in beats.items()}, 360.0))
    fig = plot_feature_attribution({"N": rng.standard_normal((4, 30))},
                                   [f"f{i}" for i in range(30)], top=5)
    assert len(fig.axes[0].get_yticklabels()) == 5
    _png(fig)
    with pytest.raises(ValueError, match="no beats for classes \\['S'\\]"):
        plot_beat_attribution(beats, {"S": beats["N"]}, 360.0)
