"""Moving digits for video segmentation (recurrent FCN paper, section 4.1).

Digits move in random but consistent directions and bounce off the canvas
edges; the segmentation target of a frame is its clean digits thresholded, as
in the paper. On clean frames segmentation is just thresholding and time cannot
help, so two harder conditions are offered:

- `clean`: digits on black.
- `clutter`: a static background of strokes, arcs, blobs and half digits that
  never move, plus sensor noise on every frame. Only motion tells a digit from
  the clutter.
- `occluded`: frames are partly covered by moving bars (event 1) or dropped
  entirely (event 2, an all-black frame); the target still marks where the
  digits are.

`events[i, t]` records what happened to frame t of sequence i: 0 clean, 1
covered, 2 dropped.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from keras_crnn.datasets.core import check_images, make_rng

CONDITIONS = ("clean", "clutter", "occluded")
CLEAN, COVERED, DROPPED = 0, 1, 2


@dataclass
class MovingDigits:
    """Frames uint8 `(n, T, size, size, 1)`, masks uint8 {0, 1} of the same
    shape, and events int8 `(n, T)`."""

    frames: np.ndarray
    masks: np.ndarray
    events: np.ndarray
    condition: str


def _trajectory(length, size, patch, rng):
    """Top-left corners of a patch moving at constant speed, bouncing off edges."""
    span = size - patch
    position = rng.uniform(0, span, 2)
    angle = rng.uniform(0, 2 * np.pi)
    velocity = rng.uniform(2.0, 4.0) * np.array([np.sin(angle), np.cos(angle)])
    corners = np.empty((length, 2), int)
    for t in range(length):
        corners[t] = np.round(position)
        position = position + velocity
        for axis in range(2):
            if position[axis] < 0 or position[axis] > span:
                velocity[axis] = -velocity[axis]
                position[axis] = np.clip(position[axis], 0, span) + velocity[axis]
    return corners


def _clutter(size, digit_images, rng):
    """A static background: strokes, arcs, blobs and halves of other digits."""
    canvas = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(canvas)
    for _ in range(rng.integers(3, 7)):
        kind = rng.integers(3)
        x0, y0 = rng.uniform(0, size, 2)
        x1, y1 = np.clip(np.array([x0, y0]) + rng.uniform(-20, 20, 2), 0, size)
        shade = int(rng.integers(120, 256))
        if kind == 0:
            draw.line([(x0, y0), (x1, y1)], fill=shade, width=int(rng.integers(1, 4)))
        elif kind == 1:
            box = [min(x0, x1), min(y0, y1), max(x0, x1) + 4, max(y0, y1) + 4]
            draw.arc(box, rng.uniform(0, 360), rng.uniform(0, 360), fill=shade,
                     width=int(rng.integers(1, 4)))
        else:
            r = rng.uniform(2, 5)
            draw.ellipse([x0 - r, y0 - r, x0 + r, y0 + r], fill=shade)
    background = np.asarray(canvas, np.uint8).copy()
    patch = digit_images.shape[1]
    for _ in range(rng.integers(1, 3)):  # half digits
        digit = digit_images[rng.integers(len(digit_images)), :, :, 0]
        half = digit[: patch // 2] if rng.random() < 0.5 else digit[:, : patch // 2]
        top = rng.integers(0, size - half.shape[0] + 1)
        left = rng.integers(0, size - half.shape[1] + 1)
        region = background[top : top + half.shape[0], left : left + half.shape[1]]
        np.maximum(region, half, out=region)
    return background


def moving_digits(digit_images, count, length=10, size=64, digits=(1, 2), condition="clean",
                  threshold=128, cover_probability=0.3, drop_probability=0.15, noise=20.0,
                  seed=0):
    """Generates moving-digit sequences and their segmentation masks.

    Args:
        digit_images: uint8 `(n, rows, cols, 1)` digit images (MNIST or the
            offline digits), smaller than `size`.
        count: number of sequences.
        length: frames per sequence (any length).
        size: canvas side in pixels.
        digits: (min, max) digits per sequence.
        condition: `clean`, `clutter` or `occluded` (see the module docstring).
        threshold: grey level above which a clean digit pixel is foreground.
        cover_probability, drop_probability: per frame, for `occluded`.
        noise: standard deviation of the sensor noise, for `clutter`.
        seed: int seed.

    Returns:
        `MovingDigits`.
    """
    digit_images = check_images(digit_images, "digit_images")
    if condition not in CONDITIONS:
        raise ValueError(f"`condition` must be one of {CONDITIONS}. Received: {condition!r}")
    patch = digit_images.shape[1]
    if digit_images.shape[-1] != 1 or patch >= size or digit_images.shape[2] != patch:
        raise ValueError(
            f"`digit_images` must be square grey images smaller than size={size}. "
            f"Received: shape={digit_images.shape}"
        )
    if count < 1 or length < 1:
        raise ValueError(f"Expected count >= 1 and length >= 1. Received: {count}, {length}")
    rng = make_rng(seed)
    clean = np.zeros((count, length, size, size), np.uint8)
    for i in range(count):
        for _ in range(rng.integers(digits[0], digits[1] + 1)):
            digit = digit_images[rng.integers(len(digit_images)), :, :, 0]
            for t, (top, left) in enumerate(_trajectory(length, size, patch, rng)):
                region = clean[i, t, top : top + patch, left : left + patch]
                np.maximum(region, digit, out=region)
    masks = (clean > threshold).astype(np.uint8)
    frames = clean.copy()
    events = np.zeros((count, length), np.int8)
    if condition == "clutter":
        for i in range(count):
            background = _clutter(size, digit_images, rng)
            noisy = np.maximum(frames[i], background[None]).astype(np.float32)
            noisy += rng.normal(0, noise, noisy.shape)
            frames[i] = np.clip(noisy, 0, 255).astype(np.uint8)
    elif condition == "occluded":
        for i in range(count):
            width = int(rng.integers(size // 6, size // 3))
            start, speed = rng.uniform(-width, size), rng.choice([-1, 1]) * rng.uniform(3, 6)
            vertical = rng.random() < 0.5
            for t in range(length):
                u = rng.random()
                if u < drop_probability:
                    frames[i, t] = 0
                    events[i, t] = DROPPED
                elif u < drop_probability + cover_probability:
                    lo = int(np.clip((start + speed * t) % (size + width) - width, 0, size))
                    hi = int(np.clip(lo + width, 0, size))
                    if vertical:
                        frames[i, t, :, lo:hi] = 0
                    else:
                        frames[i, t, lo:hi] = 0
                    events[i, t] = COVERED
    return MovingDigits(frames[..., None], masks[..., None], events, condition)
