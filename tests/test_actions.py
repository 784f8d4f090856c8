"""Moving-digit actions (LRCN activity recognition): shapes, balance, seeding,
and probes that the action is in the motion, not in any single frame."""

import numpy as np
import pytest

from keras_crnn.datasets import load_digits
from keras_crnn.datasets.actions import ACTIONS, action_splits, digit_actions


@pytest.fixture(scope="module")
def digits():
    return load_digits().train[0]


@pytest.fixture(scope="module")
def clips(digits):
    return digit_actions(digits, 640, length=9, size=32, seed=3)


def _centres_and_ink(frames):
    """Centre of mass (row, col) and total ink of every frame: `(n, T, 2)`, `(n, T)`."""
    f = frames[..., 0].astype(np.float64)
    ink = f.sum((2, 3))
    grid = np.arange(f.shape[2])
    rows = (f.sum(3) * grid).sum(2) / ink
    cols = (f.sum(2) * grid).sum(2) / ink
    return np.stack([rows, cols], -1), ink


def test_shapes_balance_and_seeding(digits, clips):
    assert clips.frames.shape == (640, 9, 32, 32, 1) and clips.frames.dtype == np.uint8
    assert np.bincount(clips.labels, minlength=len(ACTIONS)).tolist() == [80] * len(ACTIONS)
    again = digit_actions(digits, 640, length=9, size=32, seed=3)
    np.testing.assert_array_equal(again.frames, clips.frames)
    other = digit_actions(digits, 640, length=9, size=32, seed=4)
    assert not np.array_equal(other.frames, clips.frames)
    assert (clips.frames.reshape(640 * 9, -1).max(1) > 100).all()  # a digit in every frame


def test_the_motion_tells_the_actions_apart(clips):
    """Displacement and change of size between the first and last frames
    separate every pair a single frame cannot."""
    centres, ink = _centres_and_ink(clips.frames)
    move = centres[:, -1] - centres[:, 0]
    growth = ink[:, -1] / ink[:, 0]
    label = np.array(ACTIONS)[clips.labels]
    assert (move[label == "left", 1] < -4).all() and (move[label == "right", 1] > 4).all()
    assert (move[label == "up", 0] < -4).all() and (move[label == "down", 0] > 4).all()
    assert (growth[label == "grow"] > 1.3).all() and (growth[label == "shrink"] < 0.77).all()
    bounce = centres[label == "bounce", :, 0]
    middle = clips.frames.shape[1] // 2
    assert (bounce[:, middle] - bounce[:, 0] > 2).all()  # down, then back up
    assert (np.abs(bounce[:, -1] - bounce[:, 0]) < 1.5).all()


def test_a_single_frame_does_not_tell_a_motion_from_its_reverse(clips):
    """A classifier on the middle frame's pixels is at chance for left vs right
    (the same frames played backwards); on the first and last frames it is not."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    pair = np.isin(clips.labels, [ACTIONS.index("left"), ACTIONS.index("right")])
    y = clips.labels[pair]
    x = clips.frames[pair].reshape(pair.sum(), clips.frames.shape[1], -1) / 255.0
    middle = x.shape[1] // 2
    probe = LogisticRegression(C=0.1, max_iter=2000)
    single = cross_val_score(probe, x[:, middle], y, cv=4).mean()
    ends = cross_val_score(probe, np.concatenate([x[:, 0], x[:, -1]], 1), y, cv=4).mean()
    assert single < 0.65 and ends > 0.85, (single, ends)


def test_splits_hold_out_digits_and_name_their_source():
    data = action_splits(80, 24, length=5, size=16, seed=0)
    assert [len(part[1]) for part in (data.train, data.validation, data.test)] == [72, 8, 24]
    assert data.train[0].shape[1:] == (5, 16, 16, 1)
    assert "scikit-learn" in data.source and "359 of the 1797 images" in data.source


def test_bad_input_names_what_was_expected(digits):
    with pytest.raises(ValueError, match="square grey images.*Received: shape=\\(4, 28, 20, 1\\)"):
        digit_actions(np.zeros((4, 28, 20, 1), np.uint8), 8)
    with pytest.raises(ValueError, match="length >= 2.*Received: count=8, length=1"):
        digit_actions(digits, 8, length=1)
    with pytest.raises(ValueError, match="'digits' or 'mnist'. Received: 'cifar10'"):
        action_splits(8, 8, 5, 16, dataset="cifar10")
