"""Captioned videos and images: the caption is what the pixels show."""

import numpy as np
import pytest

from keras_crnn.datasets.captions import (
    COLOURS,
    DIRECTIONS,
    captioned_images,
    captioned_scene_images,
    captioned_scene_videos,
    captioned_videos,
)


def _object(frame):
    return np.abs(frame.astype(int) - 25).sum(-1) > 150  # the shape, not the noise


def test_video_captions_match_motion_and_colour():
    frames, captions = captioned_videos(40, length=6, size=32, seed=0)
    assert frames.shape == (40, 6, 32, 32, 3) and len(captions) == 40
    for video, caption in zip(frames, captions, strict=True):
        _, colour, shape, _, direction = caption.split()
        centres = np.array([np.argwhere(_object(f)).mean(0) for f in video])
        dy, dx = centres[-1] - centres[0]
        moved = {"left": -dx, "right": dx, "up": -dy, "down": dy}[direction]
        across = abs(dy) if direction in ("left", "right") else abs(dx)
        assert moved > 10 and across < 1.5, caption  # along the caption's way, not across
        pixels = video[0][_object(video[0])]
        assert np.abs(pixels.mean(0) - COLOURS[colour]).max() < 40
    again, same = captioned_videos(3, length=6, seed=0)
    np.testing.assert_array_equal(again, frames[:3])
    assert same == captions[:3]


def test_image_captions_match_place():
    images, captions = captioned_images(40, seed=1)
    for image, caption in zip(images, captions, strict=True):
        words = caption.split()
        place = " ".join(words[4:])
        cy, cx = np.argwhere(_object(image)).mean(0) / 32
        expected = {"at the top": cy < 0.4, "at the bottom": cy > 0.6,
                    "on the left": cx < 0.4, "on the right": cx > 0.6}[place]
        assert expected, caption
    assert len({c.split()[1] for c in captions}) == 2  # small and big both occur
    with pytest.raises(ValueError, match="size=8"):
        captioned_images(1, size=8)


def _colour_centre(frame, colour):
    """Centre (row, col) of the pixels of `colour`, or None when none shows."""
    where = np.argwhere(np.abs(frame.astype(int) - COLOURS[colour]).max(-1) < 30)
    return where.mean(0) if len(where) else None


def _relation_holds(relation, a, b):
    dy, dx = a - b
    return {"above": dy < 0 and abs(dy) > abs(dx), "below": dy > 0 and abs(dy) > abs(dx),
            "to the left of": dx < 0 and abs(dx) > abs(dy),
            "to the right of": dx > 0 and abs(dx) > abs(dy)}[relation]


def test_scene_video_captions_name_both_legs_in_order_and_the_last_relation():
    frames, captions = captioned_scene_videos(60, length=8, size=32, occlusion=0.0, seed=2)
    assert frames.shape == (60, 8, 32, 32, 3)
    for video, caption in zip(frames, captions, strict=True):
        words = caption.split()
        mover, first, second = words[2], words[5], words[7]
        relation, anchor = " ".join(words[8:-4]), words[-2]
        assert words[4] == "moves" and words[6] == "then" and second != first
        centres = np.array([_colour_centre(f, mover) for f in video])
        half = len(video) // 2
        for leg, (start, stop) in ((first, (0, half)), (second, (half, len(video) - 1))):
            moved = (centres[stop] - centres[start]) @ np.array(DIRECTIONS[leg])
            assert moved > 2, (caption, leg)
        assert _relation_holds(relation, centres[-1], _colour_centre(video[-1], anchor)), caption
    again, same = captioned_scene_videos(3, length=8, size=32, occlusion=0.0, seed=2)
    np.testing.assert_array_equal(again, frames[:3])
    assert same == captions[:3]
    # All four relations occur.
    assert {" ".join(c.split()[8:-4]) for c in captions} == {
        "above", "below", "to the left of", "to the right of"}


def test_scene_occlusion_blacks_out_bars_in_some_videos():
    frames, _ = captioned_scene_videos(40, length=6, size=32, occlusion=0.5, seed=0)
    black_bars = (frames.max(-1) == 0).all(-1).any(-1) | (frames.max(-1) == 0).all(-2).any(-1)
    covered = black_bars.any(1)  # (videos,)
    assert 0.2 < covered.mean() < 0.8
    assert black_bars[covered].sum(1).max() <= 2  # a third of 6 frames at most


def test_scene_image_captions_relate_the_two_shapes():
    images, captions = captioned_scene_images(60, size=32, seed=3)
    for image, caption in zip(images, captions, strict=True):
        words = caption.split()
        first, second = words[2], words[-2]
        relation = " ".join(words[4:-4])
        a, b = _colour_centre(image, first), _colour_centre(image, second)
        assert _relation_holds(relation, a, b), caption
    with pytest.raises(ValueError, match="size >= 24.*size=16"):
        captioned_scene_images(1, size=16)
