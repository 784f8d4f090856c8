"""Independent numpy references used by the tests (loops over kernel offsets)."""

import itertools
import math

import numpy as np


def conv_nd(x, w, strides=1, padding="valid", dilation=1):
    """Cross-correlation as in TensorFlow, channels last.

    x: (batch, *spatial, cin); w: (*kernel, cin, cout). Returns (batch, *out, cout).
    """
    rank = x.ndim - 2
    kernel = w.shape[:rank]
    strides = (strides,) * rank if np.isscalar(strides) else tuple(strides)
    dilation = (dilation,) * rank if np.isscalar(dilation) else tuple(dilation)
    spatial = x.shape[1:-1]
    pads = []
    for n, k, s, d in zip(spatial, kernel, strides, dilation, strict=True):
        if padding == "same":
            out = math.ceil(n / s)
            total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            pads.append((0, 0))
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out_shape = [
        (n + p0 + p1 - d * (k - 1) - 1) // s + 1
        for n, (p0, p1), k, s, d in zip(spatial, pads, kernel, strides, dilation, strict=True)
    ]
    y = np.zeros((x.shape[0], *out_shape, w.shape[-1]), dtype=np.float64)
    for offset in itertools.product(*[range(k) for k in kernel]):
        index = tuple(
            slice(o * d, o * d + (n - 1) * s + 1, s)
            for o, d, n, s in zip(offset, dilation, out_shape, strides, strict=True)
        )
        patch = xp[(slice(None),) + index + (slice(None),)]
        y += np.tensordot(patch, w[offset], axes=([-1], [0]))
    return y


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def conv_gru(x, kernel, recurrent_kernel, bias, strides=1, padding="valid",
             dilation=1, go_backwards=False, h0=None, mask=None):
    """Eq. 7 of Valipour et al. 2017, step by step. Returns (outputs, last state).

    x: (batch, time, *spatial, cin). Outputs are in processing order, as Keras'
    RNN returns them (reversed in time when go_backwards).
    """
    f = recurrent_kernel.shape[-1] // 3
    wz, wr, wx = np.split(kernel, 3, axis=-1)
    uz, ur, uh = np.split(recurrent_kernel, 3, axis=-1)
    bz, br, b = np.split(bias, 3)
    steps = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    h = h0
    outputs = []
    for t in steps:
        xt = x[:, t]
        xz = conv_nd(xt, wz, strides, padding, dilation) + bz
        if h is None:
            h = np.zeros(xz.shape[:-1] + (f,))
        xr = conv_nd(xt, wr, strides, padding, dilation) + br
        xh = conv_nd(xt, wx, strides, padding, dilation) + b
        z = sigmoid(conv_nd(h, uz, 1, "same") + xz)
        r = sigmoid(conv_nd(h, ur, 1, "same") + xr)
        hh = np.tanh(conv_nd(r * h, uh, 1, "same") + xh)
        h_new = (1 - z) * h + z * hh
        if mask is not None:
            keep = mask[:, t].reshape((-1,) + (1,) * (h.ndim - 1))
            h_new = np.where(keep, h_new, h)
        h = h_new
        outputs.append(h)
    return np.stack(outputs, axis=1), h


def write_idx(path, array):
    """Writes `array` as an unsigned-byte IDX file (MNIST's format), gzipped for `.gz`."""
    import gzip
    import struct

    array = np.asarray(array, np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + array.tobytes())


def outputs_and_gradients(layer, x, training, **call_kwargs):
    """`layer(x)`'s outputs (a list) and the gradients of sum_i (i + 1) * sum(output_i)
    with respect to `x` and each trainable weight, on whichever Keras backend runs:
    TensorFlow's tape, `jax.grad` over `stateless_call`, or torch autograd. A weight
    the outputs do not depend on gets a zero gradient."""
    import keras

    def total(outs):
        return sum(keras.ops.sum(o * (i + 1.0)) for i, o in enumerate(outs))

    def as_list(out):
        return list(out) if isinstance(out, list | tuple) else [out]

    weights = layer.trainable_weights
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            outs = as_list(layer(x, training=training, **call_kwargs))
            loss = total(outs)
        grads = tape.gradient(loss, [x] + [w.value for w in weights],
                              unconnected_gradients=tf.UnconnectedGradients.ZERO)
    elif backend == "jax":
        import jax

        trainable = [w.value for w in layer.trainable_variables]
        fixed = [w.value for w in layer.non_trainable_variables]

        def loss_fn(x, trainable):
            out, _ = layer.stateless_call(trainable, fixed, x, training=training, **call_kwargs)
            outs = as_list(out)
            return total(outs), outs

        (_, outs), (grad_x, grad_w) = jax.value_and_grad(loss_fn, argnums=(0, 1),
                                                         has_aux=True)(x, trainable)
        grads = [grad_x] + list(grad_w)
    elif backend == "torch":
        import torch

        x = torch.tensor(x, requires_grad=True)
        outs = as_list(layer(x, training=training, **call_kwargs))
        sources = [x] + [w.value for w in weights]
        grads = torch.autograd.grad(total(outs), sources, allow_unused=True)
        grads = [torch.zeros_like(s) if g is None else g for s, g in zip(sources, grads, strict=True)]
    else:
        raise ValueError(f"No gradient helper for the {backend!r} backend")
    to_numpy = keras.ops.convert_to_numpy
    return [to_numpy(o) for o in outs], [to_numpy(g) for g in grads]
