"""Moving-digit actions: clips whose class is the motion, not the digit.

For LRCN activity recognition (many-to-one): one digit per clip, drawn at
random, performs one of `ACTIONS`:

| action | what changes over the clip |
|---|---|
| `left`, `right`, `up`, `down` | the position, at a constant speed |
| `grow`, `shrink` | the size, by a constant factor per frame |
| `rotate` | the angle, clockwise or anticlockwise |
| `bounce` | the position: down for the first half, back up for the second |

Every clip draws its digit, size, tilt and place from the same ranges
whatever its action, and each pair left/right, up/down, grow/shrink is one
motion played forwards and backwards: a single frame says little about the
action, and the set of a clip's frames (without their order) cannot tell the
two actions of a pair apart. Only the order of the frames can.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from keras_crnn.datasets.core import check_images, make_rng

ACTIONS = ("left", "right", "up", "down", "grow", "shrink", "rotate", "bounce")
# Size of the digit box relative to the frame; scales and tilts every clip draws from
_DIGIT_BOX = 0.375
_INK = 0.72  # the digit's strokes fill the middle of its box (MNIST: 20 of 28 pixels)
_SCALES = (0.75, 1.15)
_TILT = 20.0  # degrees either way
_SPEED = (1.0, 1.5)  # pixels per frame (translations and bounce)
_GROWTH = 1.06  # size factor per frame (grow, shrink)
_SPIN = (8.0, 12.0)  # degrees per frame (rotate)


@dataclass
class Actions:
    """Clips uint8 `(n, T, size, size, 1)` and their action labels int64 `(n,)`
    (indices into `ACTIONS`)."""

    frames: np.ndarray
    labels: np.ndarray


def _render(canvas, digit, side, angle, center):
    """Draws `digit` resized to `side` pixels and turned by `angle` degrees,
    centred at `center` (row, col), into `canvas` (brightest pixel wins)."""
    image = Image.fromarray(digit).resize((side, side), Image.BILINEAR)
    patch = np.asarray(image.rotate(angle, resample=Image.BILINEAR))
    top, left = (int(round(c - side / 2)) for c in center)
    rows = slice(max(top, 0), min(top + side, canvas.shape[0]))
    cols = slice(max(left, 0), min(left + side, canvas.shape[1]))
    region = canvas[rows, cols]
    np.maximum(region, patch[rows.start - top : rows.stop - top,
                             cols.start - left : cols.stop - left], out=region)


def _motion(action, length, size, box, rng):
    """Per-frame `(sides, angles, centers)` of one clip of `action`."""
    steps = np.arange(length) - (length - 1) / 2  # 0 at the middle frame
    scale = rng.uniform(*_SCALES)
    if action in ("grow", "shrink"):
        scale = scale * _GROWTH ** (steps if action == "grow" else -steps)
    else:
        scale = np.full(length, scale)
    sides = np.maximum(4, np.round(box * scale)).astype(int)
    angles = rng.uniform(-_TILT, _TILT) + (
        rng.choice([-1, 1]) * rng.uniform(*_SPIN) * steps if action == "rotate" else 0.0)
    angles = np.broadcast_to(angles, (length,))
    offsets = np.zeros((length, 2))  # (row, col) from the middle frame's position
    if action in ("left", "right", "up", "down", "bounce"):
        speed = rng.uniform(*_SPEED)
        if action == "bounce":  # falls to the middle frame's place, then climbs back
            offsets[:, 0] = -speed * np.abs(steps)
        else:
            axis = 0 if action in ("up", "down") else 1
            sign = 1 if action in ("down", "right") else -1
            offsets[:, axis] = sign * speed * steps
    # The middle frame's position, from the same range for every action: far
    # enough from the edges that the fastest path of the largest digit keeps
    # its ink inside.
    reach = _SPEED[1] * (length - 1) / 2
    half = _INK * box * _SCALES[1] * _GROWTH ** ((length - 1) / 2) / 2
    low, high = half + reach, size - half - reach
    middle = rng.uniform(low, max(low, high), 2)
    return sides, angles, middle + offsets


def digit_actions(digit_images, count, length=8, size=32, seed=0):
    """Generates clips of a digit performing an action of `ACTIONS`.

    Args:
        digit_images: uint8 `(n, rows, cols, 1)` digit images (MNIST or the
            offline digits); each clip draws one.
        count: number of clips; actions are balanced (`count // 8` each, the
            remainder spread over the first ones) and shuffled.
        length: frames per clip (at least 2; odd lengths have a middle frame
            whose place, size and tilt do not depend on the action).
        size: frame side in pixels (at least 16); the digit's box is about
            `0.375 * size`.
        seed: int seed.

    Returns:
        `Actions` with frames `(count, length, size, size, 1)`.

    Raises:
        ValueError: images that are not square grey uint8 images, or a count,
            length or size out of range.

    Example:

    >>> from keras_crnn.datasets import load_digits
    >>> clips = digit_actions(load_digits().train[0], 16, length=6, size=32)
    >>> clips.frames.shape
    (16, 6, 32, 32, 1)
    >>> sorted(set(clips.labels.tolist())) == list(range(len(ACTIONS)))
    True
    """
    digit_images = check_images(digit_images, "digit_images")
    if digit_images.shape[-1] != 1 or digit_images.shape[1] != digit_images.shape[2]:
        raise ValueError("`digit_images` must be square grey images (n, side, side, 1). "
                         f"Received: shape={digit_images.shape}")
    if count < 1 or length < 2 or size < 16:
        raise ValueError("Expected count >= 1, length >= 2 and size >= 16. "
                         f"Received: count={count}, length={length}, size={size}")
    rng = make_rng(seed)
    labels = rng.permutation(np.arange(count) % len(ACTIONS)).astype(np.int64)
    frames = np.zeros((count, length, size, size, 1), np.uint8)
    box = _DIGIT_BOX * size
    for i, label in enumerate(labels):
        digit = digit_images[rng.integers(len(digit_images)), :, :, 0]
        for t, (side, angle, center) in enumerate(zip(*_motion(ACTIONS[label], length, size,
                                                                box, rng), strict=True)):
            _render(frames[i, t, :, :, 0], digit, side, angle, center)
    return Actions(frames, labels)


@dataclass
class ActionData:
    """`(frames, labels)` for train, validation and test, and their source."""

    train: tuple
    validation: tuple
    test: tuple
    source: str


def action_splits(train, test, length, size, dataset="digits", data_dir=None, seed=0):
    """Action clips for training (a tenth of `train` validates) and testing,
    from digits of `dataset`: `digits` (offline, scikit-learn's scans) or
    `mnist` (the files in `data_dir`, training and test images pooled).

    The digit images are split first: test clips show digits (a fifth of the
    images) that no training or validation clip shows.

    Returns:
        `ActionData`.
    """
    from keras_crnn.datasets.readers import load_digits, load_mnist

    if dataset not in ("digits", "mnist"):
        raise ValueError(f"`dataset` must be 'digits' or 'mnist'. Received: {dataset!r}")
    images = load_mnist(data_dir) if dataset == "mnist" else load_digits()
    pool = images.all()[0]
    order = make_rng(seed).permutation(len(pool))
    n_test_digits = max(1, len(pool) // 5)
    fit_digits, test_digits = pool[order[n_test_digits:]], pool[order[:n_test_digits]]
    clips = digit_actions(fit_digits, train, length, size, seed=seed)
    held_out = digit_actions(test_digits, test, length, size, seed=seed + 1)
    n_val = max(1, train // 10)
    fit = (clips.frames[n_val:], clips.labels[n_val:])
    validation = (clips.frames[:n_val], clips.labels[:n_val])
    return ActionData(fit, validation, (held_out.frames, held_out.labels),
                      f"moving-digit actions ({len(ACTIONS)} actions, {length} frames of "
                      f"{size}x{size}) from {images.source}: {train - n_val}/{n_val}/{test} "
                      f"clips (train/validation/test); the test clips' digits are "
                      f"{n_test_digits} of the {len(pool)} images, shown in no training clip")
