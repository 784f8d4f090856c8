"""A synthetic, clearly labelled stand-in for CIFAR-10: ten classes of coloured shapes.

For offline runs of the CIFAR-10 columns only; it is not CIFAR-10, and results
on it say `offline shapes (synthetic CIFAR-10 stand-in)`. Each 32x32 colour
image holds one object of its class on a textured background:

| label | class | label | class |
|---|---|---|---|
| 0 | disc | 5 | horizontal stripes |
| 1 | square | 6 | vertical stripes |
| 2 | triangle | 7 | bar (rotated) |
| 3 | ring | 8 | checkerboard patch |
| 4 | cross | 9 | diamond |

The object's colour, size (40-80 % of the side), position, rotation (squares
by at most 18°, triangles, crosses and bars), and the background's two colours, gradient
direction and noise are random, so colour alone never gives the class away.
Drawn at twice the size and downsampled for anti-aliasing.
"""

import numpy as np
from PIL import Image, ImageDraw

from keras_crnn.datasets.core import make_rng

SHAPE_CLASSES = ("disc", "square", "triangle", "ring", "cross",
                 "horizontal stripes", "vertical stripes", "bar", "checkerboard", "diamond")


def _rotated(points, center, angle):
    c, s = np.cos(angle), np.sin(angle)
    pts = np.asarray(points, float) - center
    return [tuple(p) for p in pts @ np.array([[c, s], [-s, c]]) + center]


def _background(size, rng):
    a, b = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:size, 0:size] / size
    t = (np.cos(angle) * xx + np.sin(angle) * yy + 1) / 2
    image = a * (1 - t[..., None]) + b * t[..., None]
    return image + rng.normal(0, rng.uniform(3, 20), image.shape)


def _draw(draw, label, center, radius, angle, color, size):
    cx, cy = center
    box = [cx - radius, cy - radius, cx + radius, cy + radius]
    if label == 0:
        draw.ellipse(box, fill=color)
    elif label == 1:
        square = [(cx - radius, cy - radius), (cx + radius, cy - radius),
                  (cx + radius, cy + radius), (cx - radius, cy + radius)]
        # at most ±18°, so that a square never turns into the diamond class
        draw.polygon(_rotated(square, center, (angle - np.pi / 2) / 5), fill=color)
    elif label == 2:
        tri = [(cx + radius * np.cos(a), cy + radius * np.sin(a))
               for a in angle + np.arange(3) * 2 * np.pi / 3]
        draw.polygon(tri, fill=color)
    elif label == 3:
        draw.ellipse(box, outline=color, width=max(2, int(radius / 3)))
    elif label == 4:
        w = radius / 3
        for dx, dy in [(radius, w), (w, radius)]:
            rect = [(cx - dx, cy - dy), (cx + dx, cy - dy), (cx + dx, cy + dy), (cx - dx, cy + dy)]
            draw.polygon(_rotated(rect, center, angle), fill=color)
    elif label in (5, 6):
        stripes = 4
        step = 2 * radius / (2 * stripes - 1)
        for k in range(stripes):
            offset = -radius + 2 * k * step
            if label == 5:
                draw.rectangle([cx - radius, cy + offset, cx + radius, cy + offset + step], fill=color)
            else:
                draw.rectangle([cx + offset, cy - radius, cx + offset + step, cy + radius], fill=color)
    elif label == 7:
        w = radius / 4
        bar = [(cx - radius, cy - w), (cx + radius, cy - w), (cx + radius, cy + w), (cx - radius, cy + w)]
        draw.polygon(_rotated(bar, center, angle), fill=color)
    elif label == 8:
        cells = 4
        step = 2 * radius / cells
        for i in range(cells):
            for j in range(cells):
                if (i + j) % 2 == 0:
                    x0, y0 = cx - radius + i * step, cy - radius + j * step
                    draw.rectangle([x0, y0, x0 + step, y0 + step], fill=color)
    else:
        draw.polygon([(cx, cy - radius), (cx + radius * 0.7, cy), (cx, cy + radius),
                      (cx - radius * 0.7, cy)], fill=color)


def render_shapes(labels, size=32, seed=0):
    """One synthetic image per label (0-9, see `SHAPE_CLASSES`).

    Returns:
        uint8 `(n, size, size, 3)`.
    """
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"Shape labels must lie in 0-9. Received: min={labels.min()}, "
                         f"max={labels.max()}")
    rng = make_rng(seed)
    big = 2 * size
    out = np.empty((len(labels), size, size, 3), np.uint8)
    for i, label in enumerate(labels):
        canvas = Image.fromarray(np.clip(_background(big, rng), 0, 255).astype(np.uint8))
        radius = rng.uniform(0.2, 0.4) * big
        center = rng.uniform(radius, big - radius, 2)
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        _draw(ImageDraw.Draw(canvas), int(label), center, radius, rng.uniform(0, np.pi), color,
              big)
        out[i] = np.asarray(canvas.resize((size, size), Image.BILINEAR))
    return out
