"""Timing helpers shared by the benchmark scripts (medians, matmul ceiling)."""

import statistics
import time

import numpy as np


def median_seconds(fn, repeats, warmup=2):
    """Median wall time of `fn()` over `repeats` calls after `warmup` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(fns, repeats, warmup=2):
    """Medians of several functions timed in turn, so load drifts hit all alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def matmul_gflops(n=2048, repeats=5, dtype="float32"):
    """The machine's large matmul rate (GFLOP/s) through TensorFlow, in `dtype`."""
    import tensorflow as tf

    a = tf.cast(np.random.default_rng(0).random((n, n), dtype=np.float32), dtype)
    b = tf.cast(np.random.default_rng(1).random((n, n), dtype=np.float32), dtype)
    matmul = tf.function(lambda: tf.linalg.matmul(a, b))
    seconds = median_seconds(lambda: matmul().numpy(), repeats)
    return 2 * n**3 / seconds / 1e9


def forward_flops_per_frame(model):
    """Multiply-adds x2 of one frame (one time step) through the model's
    Conv2D, LSTM and Dense layers; pooling and activations are not counted."""
    import keras

    flops = 0
    for layer in model.layers:
        inner = getattr(layer, "layer", layer)  # unwrap TimeDistributed
        if isinstance(inner, keras.layers.Conv2D):
            out = layer.output.shape  # (batch, time, rows, cols, filters)
            k = np.prod(inner.kernel_size) * inner.kernel.shape[-2]
            flops += 2 * out[2] * out[3] * out[4] * k
        elif isinstance(inner, keras.layers.LSTM):
            features, units = inner.cell.kernel.shape[0], inner.units
            flops += 2 * 4 * (features + units) * units
        elif isinstance(inner, keras.layers.Dense):
            flops += 2 * np.prod(inner.kernel.shape)
    return int(flops)


def with_keras_lstm(model):
    """A copy of `model` whose `keras_crnn.layers.LSTM` layers are Keras' own
    `keras.layers.LSTM` (same config, same weights): the plain-Keras baseline."""
    import keras

    from keras_crnn.layers import LSTM

    def clone(layer):
        cls = keras.layers.LSTM if isinstance(layer, LSTM) else layer.__class__
        return cls.from_config(layer.get_config())

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy
