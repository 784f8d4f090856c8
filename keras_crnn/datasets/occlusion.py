"""Occlusion by black rectangle borders at five levels (occluded-sequence paper, §3.1).

Every image gets one hollow black rectangle at a random position. Its outer
sides are drawn from 12-22 px on a 28 px image (scaled with the image side), and
its border width sets the level:

| level | border width on 28 px | on 32 px |
|---|---:|---:|
| 1 | 1 | 1 |
| 2 | 2 | 2 |
| 3 | 3 | 3 |
| 4 | 4 | 5 |
| 5 | 6 | 7 |

When the border is at least half a side (level 5 on a small rectangle), the
rectangle closes into a solid block.

Levels are drawn 1:1:1:1:1 (exactly balanced, then shuffled). The widths above
are the default (offline data). Real MNIST has its own, `CALIBRATED_WIDTHS_28`,
chosen on validation images only: `occlusion_sweep("mnist")` (in
`keras_crnn.experiments.occlusion`; 16,000 training and 4,000 validation images
of MNIST's training set, the held-out test split untouched, early stopping)
measured the per-frame CNN's accuracy per border width 1 ... 8 px as 96.96,
94.63, 93.58, 91.47, 89.88, 83.61, 80.84, 77.97 %. Widths 1, 2, 4, 6, 8 average
88.9 % (the paper's CNN: 89.44 %) and leave level 5 barely recognisable; the
default widths would average 92.1 %. `occlusion-table1` reports the accuracy per
level measured on the data it used.
"""

import numpy as np

from keras_crnn.datasets.core import check_images, make_rng

LEVELS = (1, 2, 3, 4, 5)
BORDER_WIDTHS_28 = (1, 2, 3, 4, 6)
OUTER_SIDE_28 = (12, 22)
# Per-dataset widths, chosen on validation data (`occlusion_sweep` in
# keras_crnn.experiments.occlusion): see the module docstring.
CALIBRATED_WIDTHS_28 = {"mnist": (1, 2, 4, 6, 8)}


def border_widths(size, widths_28=BORDER_WIDTHS_28):
    """Border width in pixels of each level for images of side `size` (given
    as `widths_28` on 28 px images)."""
    return tuple(max(1, round(w * size / 28)) for w in widths_28)


def balanced_levels(count, seed=0):
    """`count` occlusion levels in proportion 1:1:1:1:1, shuffled.

    Returns:
        int array `(count,)` with values 1-5; the counts of any two levels differ
        by at most one.
    """
    rng = make_rng(seed)
    return rng.permutation(np.resize(np.array(LEVELS), count))


def occlude(images, levels, seed=0, widths=None):
    """Draws one hollow black rectangle per image, border width set by its level.

    Args:
        images: uint8 `(n, rows, cols, channels)`, grey or colour.
        levels: int `(n,)`, each 1 ... `len(widths)`.
        seed: int seed of the rectangles' sizes and positions.
        widths: border width in pixels of each level (default
            `border_widths(side)`, five levels).

    Returns:
        A uint8 copy of `images` with the rectangles drawn in black.
    """
    images = check_images(images)
    levels = np.asarray(levels)
    rows, cols = images.shape[1:3]
    widths = border_widths(min(rows, cols)) if widths is None else tuple(widths)
    allowed = tuple(range(1, len(widths) + 1))
    if levels.shape != (len(images),) or not np.isin(levels, allowed).all():
        raise ValueError(
            f"`levels` must hold one level in {allowed} per image ({len(images)}). "
            f"Received: shape={levels.shape}, values={np.unique(levels)[:10].tolist()}"
        )
    rng = make_rng(seed)
    low, high = (round(s * min(rows, cols) / 28) for s in OUTER_SIDE_28)
    out = images.copy()
    heights = rng.integers(low, high + 1, len(images))
    lengths = rng.integers(low, high + 1, len(images))
    tops = (rng.random(len(images)) * (rows - heights + 1)).astype(int)
    lefts = (rng.random(len(images)) * (cols - lengths + 1)).astype(int)
    for i, level in enumerate(levels):
        w = widths[level - 1]
        top, left, h, n = tops[i], lefts[i], heights[i], lengths[i]
        out[i, top : top + w, left : left + n] = 0
        out[i, top + h - w : top + h, left : left + n] = 0
        out[i, top : top + h, left : left + w] = 0
        out[i, top : top + h, left + n - w : left + n] = 0
    return out
