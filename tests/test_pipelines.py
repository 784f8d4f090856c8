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


def test_epoch_sequences_draw_afresh_each_epoch_shuffled_and_scaled():
    calls = []

    def draw(epoch):
        calls.append(epoch)
        x = np.full((10, 2, 3, 3, 1), epoch, np.uint8) + np.arange(10, dtype=np.uint8)[
            :, None, None, None, None]
        return x, np.arange(10)[:, None].repeat(2, 1)

    ds = P.EpochSequences(draw, batch_size=4, seed=3, scale=0.5)
    assert len(ds) == 3 and calls == [0]
    batches = [ds[i] for i in range(len(ds))]
    assert [b[0].shape for b in batches] == [(4, 2, 3, 3, 1), (4, 2, 3, 3, 1), (2, 2, 3, 3, 1)]
    assert batches[0][0].dtype == np.float32
    labels = np.concatenate([b[1][:, 0] for b in batches])
    assert sorted(labels) == list(range(10)) and list(labels) != list(range(10))  # shuffled
    # Frames stay with their labels: frame value = (epoch + row) * scale.
    np.testing.assert_allclose(batches[0][0][:, 0, 0, 0, 0], 0.5 * batches[0][1][:, 0])
    ds.on_epoch_end()
    assert calls == [0, 1]
    again = np.concatenate([ds[i][1][:, 0] for i in range(len(ds))])
    np.testing.assert_allclose(ds[0][0][:, 0, 0, 0, 0], 0.5 * (1 + ds[0][1][:, 0]))
    assert list(again) != list(labels)  # a new order every epoch
    replay = P.EpochSequences(draw, batch_size=4, seed=3, scale=0.5)
    np.testing.assert_array_equal(replay[0][1], batches[0][1])  # seeded


def test_epoch_sequences_refuse_a_draw_of_another_size():
    ds = P.EpochSequences(lambda e: (np.zeros((4 + e, 2, 1)), np.zeros((4 + e, 2))),
                          batch_size=2)
    with pytest.raises(ValueError, match=r"as many sequences every epoch \(4 at epoch 0\)"
                                         r"\. Received 5 at epoch 1"):
        ds.on_epoch_end()
    with pytest.raises(ValueError, match=r"same, non-zero number of rows.*x.shape=\(3, 2\), "
                                         r"y.shape=\(2,\)"):
        P.EpochSequences(lambda e: (np.zeros((3, 2)), np.zeros(2)))


def test_fit_trains_on_a_new_draw_every_epoch():
    import keras

    seen = []

    def draw(epoch):
        seen.append(epoch)
        rng = np.random.default_rng(epoch)
        return rng.random((8, 2, 3)).astype(np.float32), rng.integers(0, 2, (8, 2))

    model = keras.Sequential([keras.Input((2, 3)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    history = model.fit(P.EpochSequences(draw, batch_size=4), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert seen[:3] == [0, 1, 2]  # epochs 1-3 each trained on their own draw
