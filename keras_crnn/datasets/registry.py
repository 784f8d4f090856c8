"""Generators that `keras-crnn generate NAME` and the `data_tools/` scripts write.

Each entry builds a dict of arrays sharing their first axis, plus a source
string, from `count`, `length` and `seed`.
"""

import numpy as np

from keras_crnn.datasets.readers import load_digits


def _occluded(dataset):
    def build(count, length, seed):
        from keras_crnn.datasets.occluded_sequences import occlusion_data

        base = 6 if dataset == "letters" else 5
        if length % base:
            raise ValueError(f"Occluded {dataset} sequences have lengths that are multiples of "
                             f"{base}. Received: length={length}")
        # The pattern MILP packs about 95 % of the images; 30 % spare covers
        # the validation share and the packing loss.
        images = max(600, int(count * length * 1.3))
        data = occlusion_data(dataset, train_images=images, test_images=300,
                              factor=length // base, seed=seed)
        x = np.concatenate([data.train[0], data.validation[0]])[:count]
        y = np.concatenate([data.train[1], data.validation[1]])[:count]
        return {"frames": x, "labels": y}, data.source

    return build


def _moving_digits(condition):
    def build(count, length, seed):
        from keras_crnn.datasets.moving_digits import moving_digits

        digits = load_digits()
        data = moving_digits(digits.train[0], count, length=length, condition=condition,
                             seed=seed)
        return ({"frames": data.frames, "masks": data.masks, "events": data.events},
                f"moving digits ({condition}) from {digits.source}")

    return build


def _pines(count, length, seed):
    from keras_crnn.datasets.lsystem import pine_series

    if not 2 <= length <= 21:
        raise ValueError(f"Pine series have 2-21 ages between 10 and 30 years. "
                         f"Received: length={length}")
    ages = np.rint(np.linspace(10, 30, length)).astype(int)
    images, _ = pine_series(count, ages=ages, seed=seed)
    return ({"frames": images, "ages": np.tile(ages, (count, 1))},
            f"L-system pines at ages {ages.tolist()} (keras_crnn.datasets.lsystem)")


GENERATORS = {
    "pines": _pines,
    "occluded-digits": _occluded("digits"),
    "occluded-letters": _occluded("letters"),
    "occluded-shapes": _occluded("shapes"),
    "moving-digits": _moving_digits("clean"),
    "moving-digits-clutter": _moving_digits("clutter"),
    "moving-digits-occluded": _moving_digits("occluded"),
}


def generate(name, count, length, seed=0):
    """Builds dataset `name`: `(arrays, source)`."""
    if name not in GENERATORS:
        raise ValueError(f"Unknown dataset. Expected one of {sorted(GENERATORS)}. "
                         f"Received: {name!r}")
    if count < 1 or length < 1:
        raise ValueError(f"`count` and `length` must be positive. Received: count={count}, "
                         f"length={length}")
    return GENERATORS[name](count, length, seed)
