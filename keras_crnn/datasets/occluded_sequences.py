"""Occluded image sequences with or without regular label patterns
(occluded-sequence paper, §3.1), built from real or offline images.

Datasets: `digits` and `letters` (offline glyphs with disjoint train/test fonts,
plus scikit-learn's real digit scans), `shapes` (an offline synthetic stand-in
for CIFAR-10), or the real `mnist`, `emnist` and `cifar10` through the readers.

Patterned sequences are packed by the pattern MILP (every image used at most
once); random sequences are as many, of distinct random images. Test sequences
use only test-pool images; frames are occluded at levels drawn 1:1:1:1:1.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from keras_crnn.datasets.core import make_rng, split_arrays
from keras_crnn.datasets.glyphs import DIGITS, LETTERS, TEST_FONTS, TRAIN_FONTS, render_glyphs
from keras_crnn.datasets.occlusion import (
    BORDER_WIDTHS_28,
    CALIBRATED_WIDTHS_28,
    balanced_levels,
    border_widths,
    occlude,
)
from keras_crnn.datasets.patterns import (
    chain_sequences,
    digit_patterns,
    letter_patterns,
    maximize_pattern_counts,
    patterned_label_sequences,
    random_label_sequences,
)
from keras_crnn.datasets.readers import load_digits, load_image_dataset
from keras_crnn.datasets.sequences import assign_images, gather_sequences
from keras_crnn.datasets.shapes import SHAPE_CLASSES, render_shapes

OFFLINE = ("digits", "letters", "shapes")
DATASETS = ("digits", "mnist", "letters", "emnist", "shapes", "cifar10")


@dataclass
class OcclusionData:
    """Occluded image sequences of one experiment.

    Frames are uint8 `(n, T, rows, cols, channels)`; labels and occlusion
    levels are int `(n, T)`. `redraw(seed)` builds a fresh training set `(x,
    y)` from the same training images (every one but the validation
    sequences'): new pattern packings or random draws, new occlusion levels
    and rectangles, always the same number of sequences; for training on a new
    draw every epoch (`keras_crnn.pipelines.EpochSequences`).
    """

    train: tuple
    validation: tuple
    test: tuple
    levels_test: np.ndarray
    class_names: list
    source: str
    sequences: dict
    redraw: Callable | None = None


def _subsample(images, labels, count, seed):
    if count is None or count >= len(labels):
        return images, labels
    keep = make_rng(seed).permutation(len(labels))[:count]
    return images[keep], labels[keep]


@functools.lru_cache(maxsize=2)
def _offline_pools(dataset, train_count, test_count, seed):
    """`_render_pools`, cached: Table 3 and the notebook ask for the same pools
    several times, and rendering them is the slow part. The arrays are read-only
    so that no caller can change what the next one gets."""
    train, test, source = _render_pools(dataset, train_count, test_count, seed)
    for array in (*train, *test):
        array.setflags(write=False)
    return train, test, source


def _render_pools(dataset, train_count, test_count, seed):
    """Offline images: glyphs from disjoint train/test fonts (+ real digit scans), or
    synthetic shapes for the CIFAR-10 column."""
    train_count = train_count or (50000 if dataset == "shapes" else 60000)
    test_count = test_count or 10000
    if dataset == "shapes":
        pools = []
        for i, count in enumerate((train_count, test_count)):
            labels = np.repeat(np.arange(10), max(1, count // 10))
            pools.append((render_shapes(labels, seed=seed + 100 + i), labels))
        source = ("offline shapes: synthetic CIFAR-10 stand-in (ten coloured shape classes, "
                  f"32x32; not CIFAR-10); {len(pools[0][1])} train / {len(pools[1][1])} "
                  "test images")
        return pools[0], pools[1], source
    if dataset == "digits":
        chars, both_cases = DIGITS, False
        real = load_digits()
        (real_train, real_train_y), (real_test, real_test_y) = split_arrays(
            real.train, (0.8, 0.2), seed=seed
        )
        note = (f"{len(real_train_y)}/{len(real_test_y)} scikit-learn digit scans + glyphs "
                "rendered from matplotlib's fonts (test fonts unseen in training)")
    else:
        chars, both_cases = LETTERS, True
        real_train = real_test = np.zeros((0, 28, 28, 1), np.uint8)
        real_train_y = real_test_y = np.zeros(0, np.int64)
        note = "glyph letters (upper and lower case) rendered from matplotlib's fonts " \
               "(test fonts unseen in training)"
    classes = len(chars)
    pools = []
    for i, (fonts, count, real_x, real_y) in enumerate(
        [(TRAIN_FONTS, train_count, real_train, real_train_y),
         (TEST_FONTS, test_count, real_test, real_test_y)]
    ):
        per_class = max(1, (count - len(real_y)) // classes)
        labels = np.repeat(np.arange(classes), per_class)
        glyphs = render_glyphs(labels, chars, fonts=fonts, seed=seed + 100 + i,
                               both_cases=both_cases)
        pools.append((np.concatenate([real_x, glyphs]), np.concatenate([real_y, labels])))
    source = f"offline {dataset}: {note}; {len(pools[0][1])} train / {len(pools[1][1])} test images"
    return pools[0], pools[1], source


def _image_pools(dataset, data_dir, train_count, test_count, seed):
    if dataset not in DATASETS:
        raise ValueError(f"`dataset` must be one of {DATASETS}. Received: {dataset!r}")
    if dataset in OFFLINE:
        train, test, source = _offline_pools(dataset, train_count, test_count, seed)
        names = {"digits": list(DIGITS), "letters": list(LETTERS),
                 "shapes": list(SHAPE_CLASSES)}[dataset]
        return train, test, names, source
    train, test, names, source = _real_pools(dataset, None if data_dir is None else str(data_dir),
                                             seed)
    train = _subsample(*train, train_count, seed)
    test = _subsample(*test, test_count, seed + 1)
    source += f"; {len(train[1])} train / {len(test[1])} test images used"
    return train, test, names, source


TEST_IMAGES = 10000  # MNIST's and CIFAR-10's official test sizes


@functools.lru_cache(maxsize=1)
def _real_pools(dataset, data_dir, seed):
    """A real dataset's train and test images, read once (Table 3 and the
    notebooks ask several times). A dataset with one split only (MNIST's or
    CIFAR-10's training set alone) is split by image, seeded: a test split of
    `TEST_IMAGES` (a sixth when smaller), the rest to train."""
    data = load_image_dataset(dataset, path=data_dir)
    train, test, source = data.train, data.test, data.source
    if train is None or test is None:
        images, labels = train or test
        held = min(TEST_IMAGES, len(labels) // 6)
        train, test = split_arrays([images, labels], (1 - held / len(labels), held / len(labels)),
                                   seed=seed)
        source += (f"; no official test split here: {len(test[1])} of its {len(labels)} "
                   f"images held out by image (seed {seed}) as the test split")
    for array in (*train, *test):
        array.setflags(write=False)
    return train, test, data.class_names, source


def _build_sequences(images, labels, patterns, counts, patterned, factor, seed, widths_28):
    """Patterned or random occluded sequences from one pool, chained by `factor`.

    `counts` is the number of sequences of each pattern; random sequences
    (`patterned=False`) are `int(counts.sum())` sequences of distinct images
    drawn at random. Returns frames, labels, levels and the pool index of every
    frame, `(n, T)`.
    """
    if patterned:
        wanted = patterned_label_sequences(patterns, counts, seed=seed)
        indices = assign_images(labels, wanted, seed=seed + 1)
    else:
        wanted, indices = random_label_sequences(labels, int(np.sum(counts)), patterns.shape[1],
                                                 seed=seed)
    wanted, indices = chain_sequences([wanted, indices], factor)
    frames = gather_sequences(images, indices)
    levels = balanced_levels(indices.size, seed=seed + 2).reshape(indices.shape)
    flat = occlude(frames.reshape((-1,) + frames.shape[2:]), levels.ravel(), seed=seed + 3,
                   widths=border_widths(min(images.shape[1:3]), widths_28))
    return flat.reshape(frames.shape), wanted, levels, indices


def occlusion_data(dataset="digits", train_images=1500, test_images=600, patterned=True,
                   factor=1, data_dir=None, seed=0, widths=None):
    """Builds the occluded sequences of one experiment.

    Args:
        dataset: `digits`/`letters` (offline), `mnist`, `emnist` or `cifar10`.
        patterned: label patterns packed by the MILP (Tables 1, 3), or random
            sequences (Table 2) with as many sequences as the patterned ones.
        factor: base sequences chained into one (Table 3); T = factor x 5
            (x 6 for letters).
        data_dir: folder of a real dataset's files (default: Keras cache).
        seed: int seed of everything.
        train_images, test_images: images per split (None: all of a real
            dataset; offline: 60000 / 10000, 50000 / 10000 for shapes).
        widths: border widths of the five occlusion levels on 28 px images
            (default: the dataset's calibration, `CALIBRATED_WIDTHS_28`, else
            `BORDER_WIDTHS_28`).

    Returns:
        `OcclusionData`.
    """
    train_pool, test_pool, names, source = _image_pools(dataset, data_dir, train_images,
                                                        test_images, seed)
    widths = tuple(widths or CALIBRATED_WIDTHS_28.get(dataset, BORDER_WIDTHS_28))
    patterns = letter_patterns() if len(names) == 26 else digit_patterns()
    parts, info = [], {}
    for i, (images, labels) in enumerate([train_pool, test_pool]):
        counts, lp = maximize_pattern_counts(patterns, np.bincount(labels, minlength=len(names)))
        parts.append(_build_sequences(images, labels, patterns, counts, patterned, factor,
                                      seed + 10 * i, widths))
        info["train" if i == 0 else "test"] = {**lp, "sequences": len(parts[-1][1])}
        if patterned:
            info["train" if i == 0 else "test"]["pattern_mix"] = {
                "-".join(names[c] for c in p): int(n)
                for p, n in zip(patterns, counts, strict=True)
            }
    (x, y, _, used), (x_test, y_test, levels_test, _) = parts
    (x_train, y_train, _), (x_val, y_val, val_used) = split_arrays([x, y, used], (0.9, 0.1),
                                                                   seed=seed)
    free = np.setdiff1d(np.arange(len(train_pool[1])), val_used)  # all but validation's
    free_images, free_labels = train_pool[0][free], train_pool[1][free]
    if patterned:  # the training sequences are one packing: the MILP's holds as many
        counts, _ = maximize_pattern_counts(patterns,
                                            np.bincount(free_labels, minlength=len(names)))
    else:  # as many random sequences as the training split has
        counts = len(y_train)
    redraw = functools.partial(_build_training_sequences, free_images, free_labels, patterns,
                               counts, patterned, factor, widths)
    kind = "patterned (MILP-packed)" if patterned else "random"
    source += (f"; {kind} sequences of {y.shape[1]} frames, 5 occlusion levels 1:1:1:1:1 "
               f"(border widths {'/'.join(map(str, widths))} px at 28 px)")
    return OcclusionData((x_train, y_train), (x_val, y_val), (x_test, y_test), levels_test,
                         names, source, info, redraw)


def _build_training_sequences(images, labels, patterns, counts, patterned, factor, widths,
                              seed):
    """`OcclusionData.redraw`: `_build_sequences`' frames and labels `(x, y)`."""
    x, y, _, _ = _build_sequences(images, labels, patterns, counts, patterned, factor, seed,
                                  widths)
    return x, y


def example_images(dataset="digits", count=4, data_dir=None, seed=0):
    """Un-occluded test images of `count` different classes (for Fig. 2).

    Returns:
        uint8 `(count, rows, cols, channels)` and their int labels.
    """
    _, (images, labels), _, _ = _image_pools(dataset, data_dir, 1000, 1000, seed)
    firsts = [np.flatnonzero(labels == c)[0] for c in np.unique(labels)[:count]]
    return images[firsts], labels[firsts]
