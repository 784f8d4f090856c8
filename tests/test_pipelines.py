"""The tf.data layer: batching, seeded shuffling, lazy sliding windows."""

import numpy as np
import pytest

from keras_crnn import datasets as D
from keras_crnn import pipelines as P


def _collect(ds):
    return [tuple(np.asarray(t) for t in item) if isinstance(item, tuple) else np.asarray(item)
            for item in ds]


def test_whole_sequences_batched_and_scaled():
    x = np.arange(10 * 4 * 2 * 2, dtype=np.uint8).reshape(10, 4, 2, 2, 1)
    y = np.arange(10)
    batches = _collect(P.make_dataset(x, y, batch_size=4, shuffle=False, scale=1 / 255))
    assert [b[0].shape for b in batches] == [(4, 4, 2, 2, 1), (4, 4, 2, 2, 1), (2, 4, 2, 2, 1)]
    assert batches[0][0].dtype == np.float32
    np.testing.assert_allclose(batches[0][0], x[:4] / 255, rtol=1e-6)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)


def test_image_targets_are_scaled_with_target_scale():
    x = np.arange(6 * 3 * 2 * 2, dtype=np.uint8).reshape(6, 3, 2, 2, 1)
    batches = _collect(P.make_dataset(x[:, :-1], x[:, 1:], batch_size=6, shuffle=False,
                                      scale=1 / 255, target_scale=1 / 255))
    assert batches[0][1].dtype == np.float32
    np.testing.assert_allclose(batches[0][1], x[:, 1:] / 255, rtol=1e-6)
    windows = _collect(P.make_dataset(x, x, batch_size=100, shuffle=False, window=2,
                                      window_targets="last", target_scale=0.5))
    # Windows [0, 1] and [1, 2] of each sequence: their last frames are 1 and 2.
    np.testing.assert_allclose(windows[0][1], x[:, 1:].reshape(12, 2, 2, 1) * 0.5)


def test_shuffle_is_seeded_and_covers_everything():
    x = np.arange(50).reshape(50, 1)

    def order(seed):
        return np.concatenate(_collect(P.make_dataset(x, batch_size=8, seed=seed)))[:, 0]

    a, b, c = order(1), order(1), order(2)
    np.testing.assert_array_equal(a, b)
    assert sorted(a.tolist()) == list(range(50))
    assert not np.array_equal(a, c) and not np.array_equal(a, np.arange(50))


@pytest.mark.parametrize("targets", ["all", "last"])
def test_windows_equal_numpy_windows(targets):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (3, 7, 4, 4, 1), dtype=np.uint8)
    y = rng.integers(0, 2, (3, 7, 4, 4, 1), dtype=np.uint8)
    ds = P.make_dataset(x, y, batch_size=100, shuffle=False, window=3, stride=2,
                        window_targets=targets)
    (frames, target), = _collect(ds)
    np.testing.assert_array_equal(frames, D.sliding_windows(x, 3, 2))
    expected = D.sliding_windows(y, 3, 2)
    np.testing.assert_array_equal(target, expected if targets == "all" else expected[:, -1])


def test_bad_inputs_are_explained():
    x = np.zeros((4, 5, 2, 2, 1), np.uint8)
    with pytest.raises(ValueError, match=r"x.shape=\(4, 5, 2, 2, 1\), y.shape=\(3,\)"):
        P.make_dataset(x, np.zeros(3))
    with pytest.raises(ValueError, match="window=6"):
        P.make_dataset(x, window=6)
    with pytest.raises(ValueError, match="per-frame targets"):
        P.make_dataset(x, np.zeros(4), window=2)
    with pytest.raises(ValueError, match="window_targets"):
        P.make_dataset(x, np.zeros((4, 5)), window=2, window_targets="first")


def test_several_inputs_keep_rows_together_and_scale_each():
    frames = np.arange(10 * 2 * 3, dtype=np.uint8).reshape(10, 2, 3)
    tokens = np.arange(10 * 4).reshape(10, 4)
    y = np.arange(10)
    batches = [((np.asarray(a), np.asarray(b)), np.asarray(labels)) for (a, b), labels in
               P.make_dataset((frames, tokens), y, batch_size=4, seed=3, scale=(1 / 255, None))]
    (a, b), labels = batches[0]
    assert a.dtype == np.float32 and b.dtype == tokens.dtype
    np.testing.assert_allclose(a * 255, frames[labels], rtol=1e-5)
    np.testing.assert_array_equal(b, tokens[labels])  # rows shuffled together
    seen = np.concatenate([batch[1] for batch in batches])
    assert sorted(seen.tolist()) == list(range(10)) and seen.tolist() != list(range(10))
    with pytest.raises(ValueError, match=r"same number of rows.*\(10, 2, 3\), \(9, 4\)"):
        P.make_dataset((frames, tokens[:9]), y)
    with pytest.raises(ValueError, match="one entry per input"):
        P.make_dataset((frames, tokens), y, scale=(1.0,))
    with pytest.raises(ValueError, match="single input"):
        P.make_dataset((frames, tokens), y, window=2)


def test_from_generator():
    import tensorflow as tf

    def gen():
        for i in range(5):
            yield np.full((2, 3, 3, 1), i, np.uint8), i

    sig = (tf.TensorSpec((2, 3, 3, 1), tf.uint8), tf.TensorSpec((), tf.int64))
    batches = _collect(P.from_generator(gen, sig, batch_size=2, scale=0.5))
    assert [b[0].shape[0] for b in batches] == [2, 2, 1]
    assert batches[2][0].max() == pytest.approx(2.0)
