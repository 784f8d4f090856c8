"""Captioned synthetic videos and images for the LRCN captioning experiments.

Videos: one coloured shape moving in one direction on a dark, noisy background,
captioned "a red square moves left". Images: one shape of a size at a place,
captioned "a small blue circle at the top". The caption's words are fully
determined by the pixels, so a captioner can reach a perfect BLEU score:

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


def _background(size, rng):
    return np.clip(rng.normal(25, 8, (size, size, 3)), 0, 255).astype(np.uint8)


def captioned_videos(count, length=8, size=32, seed=0):
    """Videos of one shape moving one way, with their captions.

    Returns:
        `(frames, captions)`: uint8 `(count, length, size, size, 3)` and a list
        of strings "a COLOUR SHAPE moves DIRECTION".
    """
    if count < 1 or length < 2 or size < 16:
        raise ValueError(f"Expected count >= 1, length >= 2, size >= 16. Received: "
                         f"count={count}, length={length}, size={size}")
    rng = make_rng(seed)
    frames = np.empty((count, length, size, size, 3), np.uint8)
    captions = []
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
    if count < 1 or size < 16:
        raise ValueError(f"Expected count >= 1 and size >= 16. Received: count={count}, "
                         f"size={size}")
    rng = make_rng(seed)
    images = np.empty((count, size, size, 3), np.uint8)
    captions = []
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
