"""The L-system pine generator: seeded, growing, extending, diverse."""

import numpy as np
import pytest

from keras_crnn.datasets.lsystem import PARAMETER_RANGES, SKY, pine_series


@pytest.fixture(scope="module")
def series():
    return pine_series(24, seed=0)


def _plant(images):
    """Pixels that differ from the sky."""
    return np.abs(images.astype(int) - np.array(SKY)).sum(-1) > 30


def test_shape_seed_and_parameters(series):
    images, params = series
    assert images.shape == (24, 5, 32, 16, 3) and images.dtype == np.uint8
    again, _ = pine_series(3, seed=0)
    np.testing.assert_array_equal(again, images[:3])
    for p in params:
        for name, (low, high) in PARAMETER_RANGES.items():
            assert low <= p[name] <= high, name
    assert len(PARAMETER_RANGES) == 14


def test_trees_grow(series):
    plant = _plant(series[0]).sum(axis=(2, 3))  # (trees, ages)
    assert np.all(np.diff(plant, axis=1) >= 0)
    assert np.all(plant[:, -1] > 1.5 * plant[:, 0])


def test_an_older_tree_grows_out_of_the_younger(series):
    plant = _plant(series[0])
    younger, older = plant[:, :-1], plant[:, 1:]
    kept = (younger & older).sum() / younger.sum()
    assert kept > 0.97  # what was plant stays plant (anti-aliased edges aside)


def test_trees_differ_more_when_old(series):
    images = series[0].astype(float)
    young, old = images[:, 0], images[:, -1]
    spread = [np.mean([np.abs(a - b).mean() for i, a in enumerate(x) for b in x[i + 1:]])
              for x in (young, old)]
    assert spread[1] > 2 * spread[0]


def test_other_sizes_and_ages():
    images, _ = pine_series(2, ages=(5, 30), size=(64, 32), seed=1)
    assert images.shape == (2, 2, 64, 32, 3)
    with pytest.raises(ValueError, match="increasing ages"):
        pine_series(1, ages=(20, 10))
