"""The one place where numpy arrays and generators become `tf.data` pipelines.

`make_dataset` batches, shuffles (seeded) and prefetches arrays of sequences,
optionally cutting them into sliding windows on the fly, without copying the
windows into memory; `from_generator` wraps a Python generator function;
`EpochSequences` draws a fresh training set every epoch (augmentation that
re-packs and re-occludes the sequences, for instance).
"""

import math

import numpy as np

from keras_crnn.datasets.core import window_starts
from keras_crnn.runtime import quiet_tensorflow_import

tf = quiet_tensorflow_import()

import keras  # noqa: E402  (after the quiet TensorFlow import)

WINDOW_TARGETS = ("all", "last")


def _scale_fn(scale):
    def apply(x):
        if scale is None:
            return x
        return tf.cast(x, tf.float32) * scale

    return apply


def make_dataset(
    x,
    y=None,
    batch_size=32,
    shuffle=True,
    seed=0,
    window=None,
    stride=1,
    window_targets="all",
    scale=None,
    target_scale=None,
    repeat=False,
    drop_remainder=False,
):
    """A batched, prefetched `tf.data.Dataset` of sequences (or windows of them).

    Args:
        x: `(n, time, ...)` array of sequences (e.g. uint8 frames), or a
            tuple of arrays with `n` rows each for a model with several
            inputs (a clip and its spectrogram); not with `window`.
        y: optional targets with `n` rows; with `window`, per-frame targets
            `(n, time, ...)`.
        batch_size: sequences (or windows) per batch.
        shuffle: reshuffle every epoch, seeded by `seed`.
        seed: int seed of the shuffle.
        window: if given, yield every window of `window` consecutive frames,
            starting every `stride` frames, instead of whole sequences (online
            models such as RFC-Lenet see 3-frame windows).
        stride: frames between window starts.
        window_targets: `"all"` gives the window's per-frame targets,
            `"last"` the target of its last frame (segmentation of the
            newest frame).
        scale: if given, inputs are cast to float32 and multiplied by it
            (`1/255` for uint8 frames); targets are left as they are. With
            several inputs, a number scales them all, a tuple holds one
            scale (or None) per input.
        target_scale: the same for targets (image targets of forecasting).
        repeat: repeat forever (for `steps_per_epoch` training).
        drop_remainder: drop the last incomplete batch.

    Returns:
        `tf.data.Dataset` of `x` batches, or of `(x, y)` batches, with shapes
        `(batch, time or window, ...)`; with several inputs, `x` is a tuple
        (alone: `(x,)`, so that Keras does not read it as `(x, y)`).

    Raises:
        ValueError: when shapes disagree or the window does not fit.
    """
    if isinstance(x, (tuple, list)):
        return _multi_input_dataset(x, y, batch_size, shuffle, seed, window, scale, repeat,
                                    drop_remainder)
    x = np.asarray(x)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"`x` must be a non-empty array (n, time, ...). Received: shape={x.shape}")
    if y is not None:
        y = np.asarray(y)
        if len(y) != len(x):
            raise ValueError(
                f"`x` and `y` must have the same number of rows. "
                f"Received: x.shape={x.shape}, y.shape={y.shape}"
            )
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer. Received: {batch_size!r}")
    scale_x = _scale_fn(scale)
    scale_y = _scale_fn(target_scale)

    if window is None:
        size = len(x)
        if y is None:
            ds = tf.data.Dataset.from_tensor_slices(x).map(scale_x, tf.data.AUTOTUNE)
        else:
            ds = tf.data.Dataset.from_tensor_slices((x, y)).map(
                lambda a, b: (scale_x(a), scale_y(b)), tf.data.AUTOTUNE
            )
    else:
        if window_targets not in WINDOW_TARGETS:
            raise ValueError(
                f"`window_targets` must be one of {WINDOW_TARGETS}. "
                f"Received: window_targets={window_targets!r}"
            )
        if y is not None and (y.ndim < 2 or y.shape[1] != x.shape[1]):
            raise ValueError(
                "With `window`, `y` must hold per-frame targets (n, time, ...) matching "
                f"x.shape={x.shape}. Received: y.shape={y.shape}"
            )
        starts = window_starts(x.shape[1], window, stride)
        seq_index, start = np.meshgrid(np.arange(len(x)), starts, indexing="ij")
        pairs = np.stack([seq_index.ravel(), start.ravel()], axis=1).astype(np.int64)
        size = len(pairs)
        x_t = tf.constant(x)
        y_t = None if y is None else tf.constant(y)
        last = window_targets == "last"

        def cut(pair):
            frames = scale_x(x_t[pair[0], pair[1] : pair[1] + window])
            frames = tf.ensure_shape(frames, (window,) + x.shape[2:])
            if y_t is None:
                return frames
            target = y_t[pair[0], pair[1] + window - 1] if last else (
                y_t[pair[0], pair[1] : pair[1] + window]
            )
            return frames, scale_y(target)

        ds = tf.data.Dataset.from_tensor_slices(pairs).map(
            cut, num_parallel_calls=tf.data.AUTOTUNE
        )
    if shuffle:
        ds = ds.shuffle(size, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def _multi_input_dataset(xs, y, batch_size, shuffle, seed, window, scale, repeat,
                         drop_remainder):
    xs = tuple(np.asarray(a) for a in xs)
    if window is not None:
        raise ValueError("`window` needs a single input array. Received: "
                         f"{len(xs)} inputs")
    rows = {len(a) for a in xs} | ({len(y)} if y is not None else set())
    if len(rows) != 1 or not xs or min(a.ndim for a in xs) < 2 or 0 in rows:
        raise ValueError("Every input (and `y`) must be a non-empty array with the same number "
                         f"of rows. Received: x shapes={[a.shape for a in xs]}, "
                         f"y.shape={None if y is None else np.shape(y)}")
    scales = scale if isinstance(scale, (tuple, list)) else (scale,) * len(xs)
    if len(scales) != len(xs):
        raise ValueError(f"`scale` must hold one entry per input ({len(xs)}). "
                         f"Received: scale={scale!r}")
    fns = [_scale_fn(s) for s in scales]
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer. Received: {batch_size!r}")

    def scaled(*items):
        inputs = tuple(fn(a) for fn, a in zip(fns, items[: len(xs)], strict=True))
        # Keras reads a pair as (x, y): inputs alone go in a 1-tuple.
        return (inputs,) if y is None else (inputs, items[-1])

    parts = xs if y is None else xs + (np.asarray(y),)
    ds = tf.data.Dataset.from_tensor_slices(parts).map(scaled, tf.data.AUTOTUNE)
    if shuffle:
        ds = ds.shuffle(len(xs[0]), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def from_generator(generator_fn, output_signature, batch_size=32, scale=None):
    """Wraps a generator function yielding numpy items into a batched dataset.

    Args:
        generator_fn: callable returning an iterator of items matching
            `output_signature` (e.g. `(frames, label)` tuples).
        output_signature: nested `tf.TensorSpec`s of one item.
        batch_size: items per batch.
        scale: multiplies the first component (cast to float32) when given.

    Returns:
        `tf.data.Dataset`, batched and prefetched.
    """
    ds = tf.data.Dataset.from_generator(generator_fn, output_signature=output_signature)
    if scale is not None:
        scale_x = _scale_fn(scale)
        if isinstance(output_signature, tuple):
            ds = ds.map(lambda a, *rest: (scale_x(a), *rest))
        else:
            ds = ds.map(scale_x)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)



class EpochSequences(keras.utils.PyDataset):
    """Batches of `(x, y)` sequences drawn afresh for every epoch.

    `draw(epoch)` returns the epoch's training set: frames `(n, time, rows,
    cols, channels)` (uint8, say) and targets `(n, ...)`, with the same `n`
    every epoch (Keras counts the batches once). They are shuffled (seeded by
    `seed` and the epoch) and cut into batches of `batch_size`; frames are
    cast to float32 and multiplied by `scale` when it is given.

    Example (fresh occlusions every epoch):

    ```python
    train = EpochSequences(lambda epoch: data.redraw(seed=epoch), batch_size=32,
                           scale=1 / 255)
    model.fit(train, validation_data=val_ds, epochs=30)
    ```

    Raises:
        ValueError: when a draw is empty, `x` and `y` differ in length, or a
            draw's `n` differs from the first one's.
    """

    def __init__(self, draw, batch_size=32, seed=0, scale=None, **kwargs):
        super().__init__(**kwargs)
        self.draw, self.batch_size, self.seed, self.scale = draw, batch_size, seed, scale
        self.epoch, self.count = 0, None
        self._load()

    def _load(self):
        x, y = (np.asarray(a) for a in self.draw(self.epoch))
        if len(x) == 0 or len(x) != len(y):
            raise ValueError("`draw(epoch)` must return `(x, y)` with the same, non-zero number "
                             f"of rows. Received (epoch {self.epoch}): x.shape={x.shape}, "
                             f"y.shape={y.shape}")
        if self.count is not None and len(x) != self.count:
            raise ValueError(f"`draw(epoch)` must return as many sequences every epoch "
                             f"({self.count} at epoch 0). Received {len(x)} at epoch "
                             f"{self.epoch}")
        self.count = len(x)
        order = np.random.default_rng([self.seed, self.epoch]).permutation(len(x))
        self.x, self.y = x[order], y[order]

    def __len__(self):
        return math.ceil(self.count / self.batch_size)

    def __getitem__(self, index):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        x = self.x[rows]
        if self.scale is not None:
            x = x.astype(np.float32) * np.float32(self.scale)
        return x, self.y[rows]

    def on_epoch_end(self):
        self.epoch += 1
        self._load()
