"""Handwriting-like digits and letters rendered from the fonts matplotlib ships.

The offline default must be big enough to train on, and scikit-learn's 1,797
digit scans are not. So this module grows MNIST-like 28x28 images (white strokes
on black, the glyph fitted into a 20x20 box and centred) from the DejaVu, STIX
and Computer Modern fonts in `matplotlib/mpl-data/fonts/ttf`. Each sample is
drawn with:

- a random stroke width (0-3 px outline at the 64 px rendering size),
- a random affine map: scale 0.75-1.05 of the box, rotation ±12°, shear ±0.25,
  offset ±2 px,
- an elastic distortion (Simard et al. 2003: smoothed random displacement
  fields, σ = 4 px, α = 15-35),
- a Gaussian blur (radius 0-0.8 px) and sensor noise (σ = 0-12 grey levels).

The fonts are split into `TRAIN_FONTS` and `TEST_FONTS`. Test images come only
from fonts that training never sees, so no test image is a distorted copy of a
training image.
"""

from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from scipy.ndimage import gaussian_filter, map_coordinates

from keras_crnn.datasets.core import make_rng

TRAIN_FONTS = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
    "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf", "STIXGeneral.ttf", "STIXGeneralBol.ttf",
    "cmr10.ttf", "cmss10.ttf",
)
TEST_FONTS = (
    "DejaVuSans-BoldOblique.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf",
    "DejaVuSansMono-Oblique.ttf", "STIXGeneralItalic.ttf", "cmtt10.ttf",
)
DIGITS = "0123456789"
LETTERS = "abcdefghijklmnopqrstuvwxyz"
_RENDER_SIZE = 64
_STROKES = (0, 1, 2, 3)


def font_dir():
    """The folder of TrueType fonts that matplotlib ships."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@cache
def _glyph(font_name, char, stroke):
    """The tightly cropped high-resolution mask of one character, float32 0-1."""
    font = ImageFont.truetype(str(font_dir() / font_name), _RENDER_SIZE)
    canvas = Image.new("L", (2 * _RENDER_SIZE, 2 * _RENDER_SIZE), 0)
    draw = ImageDraw.Draw(canvas)
    draw.text((_RENDER_SIZE // 2, _RENDER_SIZE // 4), char, fill=255, font=font,
              stroke_width=stroke, stroke_fill=255)
    box = canvas.getbbox()
    if box is None:
        raise ValueError(f"Font {font_name} has no visible glyph for {char!r}")
    return canvas.crop(box)


def _affine_data(glyph_size, out_size, rng):
    """PIL AFFINE coefficients mapping output pixels back into the glyph image."""
    gw, gh = glyph_size
    box = out_size * 20 / 28 * rng.uniform(0.75, 1.05)
    scale = box / max(gw, gh)
    angle = np.deg2rad(rng.uniform(-12, 12))
    shear = rng.uniform(-0.25, 0.25)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    forward = scale * rotation @ np.array([[1.0, shear], [0.0, 1.0]])
    inverse = np.linalg.inv(forward)
    c_out = np.array([out_size / 2, out_size / 2]) + rng.uniform(-2, 2, 2)
    c_in = np.array([gw / 2, gh / 2])
    offset = c_in - inverse @ c_out
    return (inverse[0, 0], inverse[0, 1], offset[0], inverse[1, 0], inverse[1, 1], offset[1])


def _elastic(image, rng, alpha, sigma=4.0):
    size = image.shape
    dx = gaussian_filter(rng.uniform(-1, 1, size), sigma) * alpha
    dy = gaussian_filter(rng.uniform(-1, 1, size), sigma) * alpha
    rows, cols = np.meshgrid(np.arange(size[0]), np.arange(size[1]), indexing="ij")
    return map_coordinates(image, [rows + dy, cols + dx], order=1, mode="constant")


def render_glyphs(labels, chars, fonts=TRAIN_FONTS, size=28, seed=0, both_cases=False):
    """Renders one distorted glyph per label.

    Args:
        labels: int array `(n,)`; label `i` is the character `chars[i]`.
        chars: the characters of the classes, e.g. `DIGITS` or `LETTERS`.
        fonts: font file names in `font_dir()` to draw from, uniformly.
        size: output side in pixels.
        seed: int seed; the same arguments give the same images.
        both_cases: draw upper or lower case at random (EMNIST letters mix both).

    Returns:
        uint8 array `(n, size, size, 1)`.
    """
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= len(chars)):
        raise ValueError(
            f"`labels` must lie in [0, {len(chars)}) for chars={chars!r}. "
            f"Received: min={labels.min()}, max={labels.max()}"
        )
    missing = [f for f in fonts if not (font_dir() / f).is_file()]
    if missing:
        raise FileNotFoundError(f"Fonts not found in {font_dir()}: {missing}")
    rng = make_rng(seed)
    out = np.empty((len(labels), size, size, 1), np.uint8)
    for i, label in enumerate(labels):
        char = chars[label]
        if both_cases and rng.random() < 0.5:
            char = char.upper()
        glyph = _glyph(fonts[rng.integers(len(fonts))], char, int(rng.choice(_STROKES)))
        warped = glyph.transform((size, size), Image.AFFINE, _affine_data(glyph.size, size, rng),
                                 resample=Image.BILINEAR)
        radius = rng.uniform(0, 0.8)
        if radius > 0.2:
            warped = warped.filter(ImageFilter.GaussianBlur(radius))
        image = _elastic(np.asarray(warped, np.float32), rng, alpha=rng.uniform(15, 35))
        image += rng.normal(0, rng.uniform(0, 12), image.shape)
        out[i, :, :, 0] = np.clip(image, 0, 255).astype(np.uint8)
    return out
