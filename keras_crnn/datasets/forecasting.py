"""Pine series split for the future-appearance forecasts (numpy only).

`pine_splits` grows `train + test` L-system pines (`keras_crnn.datasets.lsystem`,
one individual per series, ages 10-30) once per process and splits them as the
paper does: the first `train` series train (their last tenth validates), the
rest test. Inputs are ages 10-25, targets ages 15-30.
"""

import functools
from dataclasses import dataclass

IMAGE_SIZE = (32, 16)
VALIDATION_SHARE = 0.1


@dataclass
class ForecastData:
    """`(inputs, targets)` uint8 pairs of shape `(n, 4, rows, cols, 3)` (ages
    10-25 and 15-30) for each split, and where they came from."""

    train: tuple
    validation: tuple
    test: tuple
    source: str


@functools.lru_cache(maxsize=4)
def _series(count, size, seed):
    from keras_crnn.datasets.lsystem import pine_series

    images, _ = pine_series(count, size=size, seed=seed)
    images.setflags(write=False)
    return images


def pine_splits(train, test, seed=0, used=None, size=IMAGE_SIZE):
    """Grows `train + test` pines (cached per process) and splits them.

    Args:
        train, test: series in the training pool and the test split.
        seed: int seed of the L-system.
        used: train on only the first `used` series of the pool (None: all);
            the test split does not change.
        size: `(rows, cols)` of the images.

    Returns:
        `ForecastData`.

    Example:

    >>> data = pine_splits(20, 4, used=10)
    >>> [len(part[0]) for part in (data.train, data.validation, data.test)]
    [9, 1, 4]
    >>> data.train[0].shape[1:]
    (4, 32, 16, 3)
    """
    images = _series(train + test, tuple(size), seed)
    pool, held_back = images[:train][: used or train], images[train:]
    validation = max(1, int(round(VALIDATION_SHARE * len(pool))))
    fit, val = pool[:-validation], pool[-validation:]

    def pairs(series):
        return series[:, :-1], series[:, 1:]

    source = (f"L-system pines generated here (keras_crnn.datasets.lsystem, seed {seed}): "
              f"{len(fit)} training, {len(val)} validation, {len(held_back)} test series "
              f"of ages 10-30, {size[0]}x{size[1]}x3")
    return ForecastData(pairs(fit), pairs(val), pairs(held_back), source)
