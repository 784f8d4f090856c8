"""Captioned videos and images: the caption is what the pixels show."""

import numpy as np
import pytest

from keras_crnn.datasets.captions import COLOURS, captioned_images, captioned_videos


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
