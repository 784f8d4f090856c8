"""Image sequences whose labels follow given label sequences."""

import numpy as np

from keras_crnn.datasets.core import check_images, make_rng


def assign_images(labels, label_sequences, seed=0, replace=False):
    """Picks, for every label of `label_sequences`, an image index of that class.

    Args:
        labels: int labels of the available images, shape `(n,)`.
        label_sequences: int array `(count, length)` of wanted labels.
        seed: int seed of the draw.
        replace: if False, every image is used at most once overall.

    Returns:
        int64 array `(count, length)` of indices into `labels`.

    Raises:
        ValueError: a class has fewer images than the sequences need (without
            replacement), naming the class, the need and the supply.
    """
    labels = np.asarray(labels)
    wanted = np.asarray(label_sequences)
    if wanted.ndim != 2:
        raise ValueError(
            f"`label_sequences` must be (count, length). Received: shape={wanted.shape}"
        )
    rng = make_rng(seed)
    chosen = np.empty(wanted.shape, np.int64)
    for cls in np.unique(wanted):
        pool = np.flatnonzero(labels == cls)
        slots = np.argwhere(wanted == cls)
        if len(pool) == 0:
            raise ValueError(f"No image has label {cls}. Received labels: {np.unique(labels)}")
        if not replace and len(slots) > len(pool):
            raise ValueError(
                f"Class {cls} has {len(pool)} images but the sequences need "
                f"{len(slots)} of them without replacement. Received: "
                f"{len(wanted)} sequences of length {wanted.shape[1]}"
            )
        chosen[slots[:, 0], slots[:, 1]] = rng.choice(pool, size=len(slots), replace=replace)
    return chosen


def gather_sequences(images, indices):
    """`images[indices]` with a check: `(count, length, rows, cols, channels)` uint8."""
    images = check_images(images)
    return images[np.asarray(indices)]
