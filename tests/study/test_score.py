"""Voting per record: the windows' mean probabilities, one row per record and fold."""

import numpy as np
import pandas as pd
import pytest

from biosig.study._score import vote, vote_frame


def test_vote_averages_each_records_windows():
    records = ["b", "a", "b", "a", "a"]
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.6, 0.4], [0.1, 0.9]])
    first, y_true, pred, mean = vote(records, ["x", "y", "x", "y", "y"], proba, ["x", "y"])
    assert first.tolist() == [0, 1]  # in order of first appearance
    np.testing.assert_allclose(mean, [[0.65, 0.35], [0.3, 0.7]])
    assert y_true.tolist() == ["x", "y"] and pred.tolist() == ["x", "y"]


def test_a_record_of_two_labels_cannot_be_voted():
    with pytest.raises(ValueError, match="record r has windows of different labels"):
        vote(["r", "r"], ["x", "y"], np.full((2, 2), 0.5), ["x", "y"])


def test_vote_frame_keeps_the_folds_apart():
    frame = pd.DataFrame({"record": ["r1", "r1", "r2", "r3", "r3", "r3"],
                          "subject": "s", "onset": [0.0, 1.0, 0.0, 0.0, 1.0, 2.0],
                          "fold": ["0", "0", "0", "1", "1", "1"], "unit": "u",
                          "true": ["x", "x", "y", "y", "y", "y"],
                          "pred": ["x", "y", "y", "x", "x", "y"],
                          "p_x": [0.9, 0.4, 0.2, 0.6, 0.7, 0.1],
                          "p_y": [0.1, 0.6, 0.8, 0.4, 0.3, 0.9]})
    voted = vote_frame(frame, ["x", "y"])
    assert voted[["record", "fold", "n_windows", "pred"]].values.tolist() == [
        ["r1", "0", 2, "x"], ["r2", "0", 1, "y"], ["r3", "1", 3, "y"]]
    np.testing.assert_allclose(voted["p_x"], [0.65, 0.2, 1.4 / 3])


def test_vote_frame_by_trial_keeps_the_trials_of_a_record_apart():
    # one record, two trials of three crops each
    frame = pd.DataFrame({"record": "R04", "trial": ["R04:10"] * 3 + ["R04:900"] * 3,
                          "subject": "s", "onset": np.arange(6.0), "fold": "0", "unit": "s",
                          "true": ["left"] * 3 + ["right"] * 3,
                          "pred": ["left", "right", "left", "right", "right", "left"],
                          "p_left": [0.7, 0.4, 0.6, 0.2, 0.3, 0.8],
                          "p_right": [0.3, 0.6, 0.4, 0.8, 0.7, 0.2]})
    voted = vote_frame(frame, ["left", "right"], "trial")
    assert voted[["trial", "n_windows", "true", "pred"]].values.tolist() == [
        ["R04:10", 3, "left", "left"], ["R04:900", 3, "right", "right"]]
    np.testing.assert_allclose(voted["p_left"], [1.7 / 3, 1.3 / 3])
    with pytest.raises(ValueError, match="vote = 'trial': trial R04:10 has windows of "
                                         "different labels"):
        vote(["R04:10"] * 2, ["left", "right"], np.full((2, 2), 0.5), ["left", "right"],
             "trial")
