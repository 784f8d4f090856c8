"""Captioned synthetic videos and images for the LRCN captioning experiments.

Two-shape scenes (`captioned_scene_videos`, `captioned_scene_images`, the
experiment's default): in a video one shape moves one way, then turns, and
the caption names it, both directions in order, and where it ends up from the
other shape, "a small red circle moves left then up to the right of a big
blue square"; an image is captioned "a small red circle above a big blue
square". Grey blobs that no caption names, sensor noise and, in videos,
black bars over some frames make them harder to read: 5 colours, 3 shapes, 2
sizes, 4 directions and 4 relations give captions of 12-16 words.

One-shape scenes (`captioned_videos`, `captioned_images`): one coloured shape
moving in one direction on a dark, noisy background, captioned "a red square
moves left", or one shape of a size at a place, "a small blue circle at the
top". The caption's words are fully determined by the pixels, and a captioner
learns them exactly:

| word slot | values |
|---|---|
| colour | red, green, blue, yellow, white |
| shape | square, circle, triangle |
| direction (videos) | left, right, up, down |
| size, place (images) | small, big; at the top, at the bottom, on the left, on the right |
"""

import numpy as np
from PIL import Image, ImageDraw

from keras_crnn.datasets.core import make_rng

COLOURS = {"red": (220, 40, 40), "green": (40, 200, 60), "blue": (50, 90, 230),
           "yellow": (230, 220, 40), "white": (235, 235, 235)}
SHAPES = ("square", "circle", "triangle")
DIRECTIONS = {"left": (0, -1), "right": (0, 1), "up": (-1, 0), "down": (1, 0)}
PLACES = {"at the top": (0.25, 0.5), "at the bottom": (0.75, 0.5),
          "on the left": (0.5, 0.25), "on the right": (0.5, 0.75)}
SIZES = {"small": 0.12, "big": 0.24}


def _draw(canvas, shape, centre, radius, colour):
    draw = ImageDraw.Draw(canvas)
    cy, cx = centre
    box = [cx - radius, cy - radius, cx + radius, cy + radius]
    if shape == "square":
        draw.rectangle(box, fill=colour)
    elif shape == "circle":
        draw.ellipse(box, fill=colour)
    else:
        draw.polygon([(cx, cy - radius), (cx + radius, cy + radius), (cx - radius, cy + radius)],
                     fill=colour)


def _batch(count, size, seed, min_size, length=None, min_length=None):
    """Checks the sizes; `(rng, empty uint8 images or videos, [])` to fill.

    Raises:
        ValueError: `count` < 1, `size` < `min_size` or `length` < `min_length`.
    """
    checks = {"count": (count, 1), "length": (length, min_length), "size": (size, min_size)}
    checks = {name: pair for name, pair in checks.items() if pair[0] is not None}
    if any(value < least for value, least in checks.values()):
        expected = ", ".join(f"{name} >= {least}" for name, (_, least) in checks.items())
        received = ", ".join(f"{name}={value}" for name, (value, _) in checks.items())
        raise ValueError(f"Expected {expected}. Received: {received}")
    shape = (count, size, size, 3) if length is None else (count, length, size, size, 3)
    return make_rng(seed), np.empty(shape, np.uint8), []


def _background(size, rng):
    return np.clip(rng.normal(25, 8, (size, size, 3)), 0, 255).astype(np.uint8)


def captioned_videos(count, length=8, size=32, seed=0):
    """Videos of one shape moving one way, with their captions.

    Returns:
        `(frames, captions)`: uint8 `(count, length, size, size, 3)` and a list
        of strings "a COLOUR SHAPE moves DIRECTION".
    """
    rng, frames, captions = _batch(count, size, seed, 16, length, 2)
    colours, directions = list(COLOURS), list(DIRECTIONS)
    for i in range(count):
        colour = colours[rng.integers(len(colours))]
        shape = SHAPES[rng.integers(len(SHAPES))]
        direction = directions[rng.integers(len(directions))]
        radius = size * rng.uniform(0.1, 0.16)
        travel = size - 2 * radius - 2
        step = travel / (length - 1)
        dy, dx = DIRECTIONS[direction]
        # Start on the side opposite to the motion, at a random cross position.
        along = radius + 1 if (dy, dx) in ((0, 1), (1, 0)) else size - radius - 1
        across = rng.uniform(radius + 1, size - radius - 1)
        for t in range(length):
            offset = along + t * step * (dx + dy)
            centre = (offset, across) if dy else (across, offset)
            canvas = Image.fromarray(_background(size, rng))
            _draw(canvas, shape, centre, radius, COLOURS[colour])
            frames[i, t] = np.asarray(canvas)
        captions.append(f"a {colour} {shape} moves {direction}")
    return frames, captions


def captioned_images(count, size=32, seed=0):
    """Images of one shape of a size at a place, with their captions.

    Returns:
        `(images, captions)`: uint8 `(count, size, size, 3)` and strings
        "a SIZE COLOUR SHAPE PLACE".
    """
    rng, images, captions = _batch(count, size, seed, 16)
    colours, places, sizes = list(COLOURS), list(PLACES), list(SIZES)
    for i in range(count):
        colour = colours[rng.integers(len(colours))]
        shape = SHAPES[rng.integers(len(SHAPES))]
        place = places[rng.integers(len(places))]
        scale = sizes[rng.integers(len(sizes))]
        fy, fx = PLACES[place]
        canvas = Image.fromarray(_background(size, rng))
        jitter = rng.uniform(-0.05, 0.05, 2) * size
        _draw(canvas, shape, (fy * size + jitter[0], fx * size + jitter[1]),
              SIZES[scale] * size, COLOURS[colour])
        images[i] = np.asarray(canvas)
        captions.append(f"a {scale} {colour} {shape} {place}")
    return images, captions


# Two-object scenes: the harder captions. The relation is where the first
# object ends up from the second ("a small red circle moves left then up to
# the right of a big blue square"), read at the last frame. Each relation maps
# to its converse ("A above B" is "B below A").
CONVERSE = {"above": "below", "below": "above", "to the left of": "to the right of",
            "to the right of": "to the left of"}
TURNS = {"left": ("up", "down"), "right": ("up", "down"), "up": ("left", "right"),
         "down": ("left", "right")}
DISTRACTOR = (120, 120, 120)  # grey blobs no caption names


def converse_caption(caption):
    """The same two-shape image said the other way round: "a small red circle
    above a big blue square" -> "a big blue square below a small red circle"
    (`captioned_scene_images`' captions; either is right, so both are
    references when scoring).

    >>> converse_caption("a big red square to the left of a small blue circle")
    'a small blue circle to the right of a big red square'
    """
    words = caption.split()
    first, relation, second = words[1:4], " ".join(words[4:-4]), words[-3:]
    if words[0] != "a" or words[-4] != "a" or relation not in CONVERSE:
        raise ValueError(f"Expected 'a SIZE COLOUR SHAPE RELATION a SIZE COLOUR SHAPE'. "
                         f"Received: {caption!r}")
    return f"a {' '.join(second)} {CONVERSE[relation]} a {' '.join(first)}"


def _relation(mover, anchor):
    """The word for where `mover` (row, col) is from `anchor`, or None when
    the two axes are too close to call."""
    dy, dx = np.subtract(mover, anchor)
    if abs(abs(dy) - abs(dx)) < 0.25 * max(abs(dy), abs(dx)):
        return None
    if abs(dy) > abs(dx):
        return "above" if dy < 0 else "below"
    return "to the left of" if dx < 0 else "to the right of"


def _object(rng, colours, size):
    """A random (size word, colour, shape, radius) with a colour from `colours`."""
    scale = list(SIZES)[rng.integers(len(SIZES))]
    colour = colours[rng.integers(len(colours))]
    return scale, colour, SHAPES[rng.integers(len(SHAPES))], SIZES[scale] * size * 0.8


def _scene_canvas(size, distractors, rng):
    """A noisy background with grey blobs at `distractors` (row, col, radius)."""
    canvas = Image.fromarray(np.clip(rng.normal(30, 14, (size, size, 3)), 0, 255)
                             .astype(np.uint8))
    for row, col, radius in distractors:
        _draw(canvas, "circle", (row, col), radius, DISTRACTOR)
    return canvas


def _distractors(size, rng):
    return [(*rng.uniform(0, size, 2), rng.uniform(0.04, 0.08) * size)
            for _ in range(rng.integers(1, 4))]


def _occlude(frame, size, rng):
    """Blacks out a random bar a sixth to a quarter of the frame wide."""
    width = int(rng.integers(size // 6, size // 4 + 1))
    start = int(rng.integers(0, size - width))
    if rng.random() < 0.5:
        frame[start:start + width] = 0
    else:
        frame[:, start:start + width] = 0


def captioned_scene_videos(count, length=8, size=32, occlusion=0.3, seed=0):
    """Videos of two shapes: one moves one way, then turns; the other stays.

    The caption names the mover (size, colour, shape), its two directions in
    order, and where it ends up from the other shape: "a small red circle
    moves left then up to the right of a big blue square". Grey blobs that no
    caption names, sensor noise, and in a fraction `occlusion` of the videos a
    black bar over a third of the frames make the scenes harder to read.

    Returns:
        `(frames, captions)`: uint8 `(count, length, size, size, 3)` and
        strings "a SIZE COLOUR SHAPE moves DIRECTION then DIRECTION RELATION
        a SIZE COLOUR SHAPE".
    """
    rng, frames, captions = _batch(count, size, seed, 24, length, 4)
    colours, directions = list(COLOURS), list(DIRECTIONS)
    turn_at = length // 2
    for i in range(count):
        while True:  # until the last frame's relation is clear and the shapes apart
            mover, anchor = _object(rng, colours, size), None
            anchor = _object(rng, [c for c in colours if c != mover[1]], size)
            first = directions[rng.integers(len(directions))]
            second = TURNS[first][rng.integers(2)]
            speed = size * rng.uniform(0.05, 0.08)
            steps = np.zeros((length, 2))
            for t in range(1, length):
                steps[t] = steps[t - 1] + speed * np.array(DIRECTIONS[first if t <= turn_at
                                                                      else second])
            margin = mover[3] + 1
            low, high = margin - steps.min(0), size - margin - steps.max(0)
            if (high <= low).any():
                continue
            path = rng.uniform(low, high) + steps
            place = rng.uniform(anchor[3] + 1, size - anchor[3] - 1, 2)
            relation = _relation(path[-1], place)
            apart = np.linalg.norm(path - place, axis=1).min() > mover[3] + anchor[3]
            if relation is not None and apart:
                break
        distractors = _distractors(size, rng)
        hidden = set()
        if rng.random() < occlusion:
            start = int(rng.integers(0, length - length // 3 + 1))
            hidden = set(range(start, start + max(1, length // 3)))
        for t in range(length):
            canvas = _scene_canvas(size, distractors, rng)
            _draw(canvas, anchor[2], place, anchor[3], COLOURS[anchor[1]])
            _draw(canvas, mover[2], path[t], mover[3], COLOURS[mover[1]])
            frames[i, t] = np.asarray(canvas)
            if t in hidden:
                _occlude(frames[i, t], size, rng)
        captions.append(f"a {' '.join(mover[:3])} moves {first} then {second} {relation} "
                        f"a {' '.join(anchor[:3])}")
    return frames, captions


def captioned_scene_images(count, size=32, seed=0):
    """Images of two shapes, captioned with where the first is from the second:
    "a small red circle above a big blue square" (grey blobs and noise as in
    `captioned_scene_videos`). Which shape comes first is drawn at random:
    `converse_caption` gives the other, equally right caption.

    Returns:
        `(images, captions)`: uint8 `(count, size, size, 3)` and strings
        "a SIZE COLOUR SHAPE RELATION a SIZE COLOUR SHAPE".
    """
    rng, images, captions = _batch(count, size, seed, 24)
    colours = list(COLOURS)
    for i in range(count):
        while True:
            first = _object(rng, colours, size)
            second = _object(rng, [c for c in colours if c != first[1]], size)
            a = rng.uniform(first[3] + 1, size - first[3] - 1, 2)
            b = rng.uniform(second[3] + 1, size - second[3] - 1, 2)
            relation = _relation(a, b)
            if relation is not None and np.linalg.norm(a - b) > first[3] + second[3]:
                break
        canvas = _scene_canvas(size, _distractors(size, rng), rng)
        _draw(canvas, second[2], b, second[3], COLOURS[second[1]])
        _draw(canvas, first[2], a, first[3], COLOURS[first[1]])
        images[i] = np.asarray(canvas)
        captions.append(f"a {' '.join(first[:3])} {relation} a {' '.join(second[:3])}")
    return images, captions
