"""Occlusion, label patterns, the pattern MILP, glyphs and the occlusion data builder."""

import itertools

import numpy as np
import pytest

from keras_crnn.datasets import occlusion as O
from keras_crnn.datasets import patterns as P
from keras_crnn.datasets.glyphs import DIGITS, TEST_FONTS, TRAIN_FONTS, render_glyphs
from keras_crnn.datasets.occluded_sequences import _offline_pools
from keras_crnn.experiments.occlusion import occlusion_data


def test_levels_are_balanced_and_seeded():
    levels = O.balanced_levels(1003, seed=0)
    counts = np.bincount(levels)[1:]
    assert counts.max() - counts.min() <= 1 and counts.sum() == 1003
    np.testing.assert_array_equal(levels, O.balanced_levels(1003, seed=0))
    assert not np.array_equal(levels, O.balanced_levels(1003, seed=1))


@pytest.mark.parametrize("size, channels", [(28, 1), (32, 3)])
def test_occlusion_only_blackens_and_grows_with_level(size, channels):
    white = np.full((500, size, size, channels), 255, np.uint8)
    covered = {}
    for level in O.LEVELS:
        out = O.occlude(white, np.full(500, level), seed=level)
        assert set(np.unique(out).tolist()) <= {0, 255}  # black rectangles, nothing else
        covered[level] = (out == 0).mean()
    assert all(covered[a] < covered[b] for a, b in itertools.pairwise(O.LEVELS))
    np.testing.assert_array_equal(O.occlude(white[:5], [1, 2, 3, 4, 5], seed=7),
                                  O.occlude(white[:5], [1, 2, 3, 4, 5], seed=7))


def test_occlusion_border_width_is_exact():
    white = np.full((1, 28, 28, 1), 255, np.uint8)
    # Level 3 (3 px): a 12-22 px rectangle always stays hollow.
    out = O.occlude(white, [3], seed=3)[0, :, :, 0]
    rows = np.flatnonzero((out == 0).any(1))
    top = rows[0]
    # The top border: consecutive rows black across the rectangle's whole width.
    full = (out[top] == 0).sum()
    black_run = 0
    while (out[top + black_run] == 0).sum() == full:
        black_run += 1
    assert black_run == O.border_widths(28)[2] == 3
    cols = np.flatnonzero((out == 0).any(0))
    assert out[(rows[0] + rows[-1]) // 2, (cols[0] + cols[-1]) // 2] == 255  # hollow


def test_occlusion_rejects_bad_levels():
    with pytest.raises(ValueError, match=r"levels.*\[0, 6\]"):
        O.occlude(np.zeros((2, 28, 28, 1), np.uint8), [0, 6])


def test_pattern_families():
    digits = [tuple(p) for p in P.digit_patterns(5)]
    for example in [(0, 1, 2, 3, 4), (1, 3, 5, 7, 9), (0, 2, 4, 6, 8), (5, 6, 7, 8, 9)]:
        assert example in digits
    assert len(set(digits)) == 20
    letters = P.letter_patterns()
    names = ["".join(chr(97 + c) for c in row) for row in letters]
    assert "boston" in names and "milton" in names and len(set(names)) == len(names)


def _brute_force_max(patterns, supply):
    usage = np.stack([(patterns == c).sum(1) for c in range(len(supply))])
    best = 0
    for counts in itertools.product(range(max(supply) + 1), repeat=len(patterns)):
        if np.all(usage @ np.array(counts) <= supply):
            best = max(best, sum(counts))
    return best


@pytest.mark.parametrize("supply", [[3, 2, 4], [5, 1, 2], [0, 3, 3], [4, 4, 4]])
def test_milp_count_matches_brute_force(supply):
    patterns = np.array([[0, 1], [1, 2], [0, 2], [2, 2]])
    counts, info = P.maximize_pattern_counts(patterns, supply, tolerance=0.0)
    assert info["max_count"] == _brute_force_max(patterns, supply) == counts.sum()
    usage = np.stack([(patterns == c).sum(1) for c in range(3)])
    assert np.all(usage @ counts <= supply)


def test_milp_keeps_every_pattern_and_the_count():
    # Pure count maximisation can use only 0-1-2-3-4 and 5-6-7-8-9.
    patterns = P.digit_patterns(5)
    counts, info = P.maximize_pattern_counts(patterns, np.full(10, 500), tolerance=0.03)
    assert info["max_count"] == 1000
    assert counts.sum() >= 0.97 * 1000
    assert counts.min() == info["min_per_pattern"] > 0


def test_random_and_chained_sequences():
    labels = np.arange(100) % 10
    wanted, idx = P.random_label_sequences(labels, 20, 5, seed=0)
    assert len(np.unique(idx)) == 100 and np.array_equal(labels[idx], wanted)
    (chained,) = P.chain_sequences([wanted], 3)
    assert chained.shape == (6, 15)
    np.testing.assert_array_equal(chained[0], wanted[:3].ravel())
    with pytest.raises(ValueError, match="need 105 images"):
        P.random_label_sequences(labels, 21, 5)


def test_glyphs_are_seeded_and_fonts_disjoint():
    labels = np.arange(10)
    a = render_glyphs(labels, DIGITS, seed=4)
    assert a.shape == (10, 28, 28, 1) and a.dtype == np.uint8 and a.max() > 200
    np.testing.assert_array_equal(a, render_glyphs(labels, DIGITS, seed=4))
    assert not set(TRAIN_FONTS) & set(TEST_FONTS)
    with pytest.raises(ValueError, match="max=10"):
        render_glyphs([10], DIGITS)


def test_offline_test_images_are_never_training_images():
    (train_x, _), (test_x, _), _ = _offline_pools("digits", 1800, 500, seed=0)
    train_hashes = {img.tobytes() for img in train_x}
    assert not any(img.tobytes() in train_hashes for img in test_x)


def test_occlusion_data_patterns_levels_and_determinism():
    data = occlusion_data("digits", "quick", train_images=1800, test_images=600, seed=1)
    x_train, y_train = data.train
    x_test, y_test = data.test
    assert x_train.shape[1:] == (5, 28, 28, 1) and x_test.shape[1:] == (5, 28, 28, 1)
    allowed = {tuple(p) for p in P.digit_patterns(5)}
    assert all(tuple(s) in allowed for s in np.concatenate([y_train, y_test, data.validation[1]]))
    counts = np.bincount(data.levels_test.ravel())[1:]
    assert counts.max() - counts.min() <= 1
    assert data.sequences["train"]["count"] == len(y_train) + len(data.validation[1])
    again = occlusion_data("digits", "quick", train_images=1800, test_images=600, seed=1)
    np.testing.assert_array_equal(again.test[0], x_test)

    chained = occlusion_data("digits", "quick", factor=2, train_images=1800, test_images=600,
                             seed=1)
    assert chained.test[0].shape[1] == 10
    assert all(tuple(s[:5]) in allowed and tuple(s[5:]) in allowed for s in chained.test[1])

    shuffled = occlusion_data("digits", "quick", patterned=False, train_images=1800,
                              test_images=600, seed=1)
    assert len(shuffled.test[1]) == len(y_test)  # as many random sequences as patterned
    assert not all(tuple(s) in allowed for s in shuffled.test[1])


def test_unknown_dataset_is_explained():
    with pytest.raises(ValueError, match="dataset.*'svhn'"):
        occlusion_data("svhn")


def test_shapes_stand_in_is_colour_seeded_and_labelled():
    from keras_crnn.datasets.shapes import SHAPE_CLASSES, render_shapes

    images = render_shapes(np.arange(10), seed=3)
    assert images.shape == (10, 32, 32, 3) and images.dtype == np.uint8
    assert len(SHAPE_CLASSES) == 10
    np.testing.assert_array_equal(images, render_shapes(np.arange(10), seed=3))
    # colour: the channels differ (not a grey image in three copies)
    assert np.abs(images[..., 0].astype(int) - images[..., 1]).mean() > 5
    with pytest.raises(ValueError, match="max=10"):
        render_shapes([10])


@pytest.mark.parametrize("dataset, shape, length", [("shapes", (32, 32, 3), 5),
                                                     ("letters", (28, 28, 1), 6)])
def test_other_offline_datasets(dataset, shape, length):
    data = occlusion_data(dataset, "quick", train_images=1300, test_images=520, seed=0)
    assert data.test[0].shape[1:] == (length,) + shape
    if dataset == "letters":
        names = {"".join(chr(97 + c) for c in s) for s in data.test[1]}
        assert names <= set(P.CITY_NAMES)
    else:
        assert "synthetic CIFAR-10 stand-in" in data.source and "not CIFAR-10" in data.source


@pytest.mark.parametrize("patterned", [True, False])
def test_redraw_gives_fresh_sequences_of_training_images_only(monkeypatch, patterned):
    from keras_crnn.datasets import occluded_sequences as S

    def pool(count, offset):  # image i carries its pool index in two pixels
        index = np.arange(count) + offset
        images = np.zeros((count, 28, 28, 1), np.uint8)
        images[:, 0, 0, 0], images[:, 0, 1, 0] = index % 256, index // 256
        return images, np.arange(count) % 10

    monkeypatch.setattr(S, "_image_pools", lambda *args: (pool(1000, 0), pool(300, 1000),
                                                          list(DIGITS), "indexed"))
    monkeypatch.setattr(S, "occlude", lambda images, levels, seed, widths: images.copy())

    def indices(frames):
        return frames[..., 0, 0, 0].astype(int) + 256 * frames[..., 0, 1, 0].astype(int)

    data = S.occlusion_data("digits", patterned=patterned, seed=0)
    validation = set(indices(data.validation[0]).ravel())
    draws = [data.redraw(seed) for seed in (5, 6)]
    allowed = {tuple(p) for p in P.digit_patterns(5)}
    for x, y in draws:
        used = indices(x)
        assert len(set(used.ravel())) == used.size  # every image at most once per draw
        assert used.max() < 1000 and not validation & set(used.ravel())  # no test, no val
        np.testing.assert_array_equal(used % 10, y)  # frames keep their labels
        assert len(y) >= len(data.train[1])  # the validation split's images are all it loses
        assert all(tuple(s) in allowed for s in y) == patterned
    assert len(draws[0][1]) == len(draws[1][1])
    assert not np.array_equal(draws[0][1], draws[1][1])  # a new packing per seed
    np.testing.assert_array_equal(data.redraw(5)[0], draws[0][0])  # seeded
