"""An LSTM that multiplies all time steps' inputs by its kernel in one matmul."""

import keras
from keras import ops

# Static sequences up to this many steps run as an unrolled loop of keras.ops;
# longer or unknown lengths use keras.layers.LSTM's own loop.
MAX_STEPS = 64


@keras.saving.register_keras_serializable(package="keras_crnn")
class LSTM(keras.layers.LSTM):
    """`keras.layers.LSTM` that projects its inputs once, outside the time loop.

    Keras' LSTM computes `x_t @ kernel` inside its loop, one step (a few rows)
    at a time, and with recurrent dropout it also splits the kernel every
    step. When the inputs are wide (a CRNN's flattened frame features: 10,752
    for the future-appearance paper's forecaster) that matmul dominates, and
    it runs far below the machine's matmul rate. This layer computes
    `(x * mask) @ kernel + bias` for all steps in one matmul, then runs the
    recurrence `h_{t-1} @ recurrent_kernel` alone.

    Arguments, weights (`kernel`, `recurrent_kernel`, `bias`, in the same
    layout), configuration and dropout semantics (the same masks, drawn the
    same way) are those of `keras.layers.LSTM`, so the weights of a Keras LSTM
    load into it and give the same outputs; it keeps the class name `LSTM`, so
    a model's `.keras` or `.weights.h5` file saved with Keras' LSTM loads
    into the same model built with this one (`model.load_weights`). Sequences
    with a mask, processed
    backwards, or longer than `MAX_STEPS` (or of unknown length) take Keras'
    own loop.

    Input shape:
        `(batch, time, features)`.

    Output shape:
        `(batch, time, units)` with `return_sequences`, else `(batch, units)`;
        with `return_state`, also the last `h` and `c`, `(batch, units)` each.

    Example:

    >>> import numpy as np
    >>> layer = LSTM(8, return_sequences=True)
    >>> tuple(layer(np.zeros((2, 5, 16), "float32")).shape)
    (2, 5, 8)
    """

    def inner_loop(self, sequences, initial_state, mask, training=False):
        steps = sequences.shape[1]
        if mask is not None or self.go_backwards or steps is None or steps > MAX_STEPS:
            return super().inner_loop(sequences, initial_state, mask, training=training)
        cell = self.cell
        projected = self._project(sequences, training)
        recurrent = None
        if training and 0.0 < cell.recurrent_dropout < 1.0:
            recurrent = cell.get_recurrent_dropout_mask(initial_state[0])
            kernels = ops.split(cell.recurrent_kernel, 4, axis=1)
        h, c = initial_state
        outputs = []
        for t in range(steps):
            if recurrent is None:
                z = projected[:, t] + ops.matmul(h, cell.recurrent_kernel)
            else:  # a mask per gate, as Keras' implementation 1
                z = projected[:, t] + ops.concatenate(
                    [ops.matmul(h * m, k) for m, k in zip(recurrent, kernels, strict=True)],
                    axis=-1)
            i, f, g, o = ops.split(z, 4, axis=-1)
            c = cell.recurrent_activation(f) * c + cell.recurrent_activation(i) * \
                cell.activation(g)
            h = cell.recurrent_activation(o) * cell.activation(c)
            outputs.append(h)
        return h, ops.stack(outputs, axis=1), [h, c]

    def _project(self, sequences, training):
        """`(x * dropout mask) @ kernel + bias` for every step: `(batch, time, 4 * units)`."""
        cell = self.cell
        dropping = training and 0.0 < cell.dropout < 1.0
        if dropping and cell.implementation == 1:  # four masks, one per gate
            masks = cell.get_dropout_mask(sequences[:, 0])
            kernels = ops.split(cell.kernel, 4, axis=1)
            z = ops.concatenate([ops.matmul(sequences * ops.expand_dims(m, 1), k)
                                 for m, k in zip(masks, kernels, strict=True)], axis=-1)
        else:
            if dropping:
                sequences = sequences * ops.expand_dims(cell.get_dropout_mask(sequences[:, 0]), 1)
            z = ops.matmul(sequences, cell.kernel)
        return z + cell.bias if cell.use_bias else z
