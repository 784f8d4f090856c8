"""1D convolutional GRU layer."""

import keras

from keras_crnn.layers.conv_gru import ConvGRU


@keras.saving.register_keras_serializable(package="keras_crnn")
class ConvGRU1D(ConvGRU):
    """1D convolutional GRU (Valipour et al. 2017, eq. 7).

    Like `keras.layers.ConvLSTM1D`, but with GRU gates: the input and the
    recurrent transformations are convolutions, and the state is a feature map.

        z  = σ(W_hz * h + W_xz * x + b_z)
        r  = σ(W_hr * h + W_xr * x + b_r)
        ĥ  = Φ(W_h * (r ⊙ h) + W_x * x + b)
        h' = (1 − z) ⊙ h + z ⊙ ĥ

    Args:
        filters: int, channels of the state and the output.
        kernel_size: int or tuple of 1 ints, for the input and recurrent
            convolutions.
        strides: int or tuple of 1 ints, of the input convolution. Values > 1
            cannot be combined with `dilation_rate` > 1.
        padding: `"valid"` or `"same"` (case-insensitive), of the input
            convolution; the recurrent ones use `"same"`.
        dilation_rate: int or tuple of 1 ints, of the input convolution.
        activation: Φ, default `"tanh"`.
        recurrent_activation: σ, default `"sigmoid"`.
        use_bias: bool, whether to add the biases `b_z, b_r, b`.
        kernel_initializer: for the input kernel, shape
            `kernel_size + (channels, 3 * filters)`, gates in the order z, r, ĥ.
        recurrent_initializer: for the recurrent kernel, shape
            `kernel_size + (filters, 3 * filters)`.
        bias_initializer: for the bias, shape `(3 * filters,)`.
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        activity_regularizer: regularizers (Keras names or objects).
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: float in [0, 1), fraction of the input units dropped; one mask
            per sequence, shared by all gates and time steps.
        recurrent_dropout: float in [0, 1), fraction of the state units dropped
            before the recurrent convolutions; one mask per sequence.
        seed: int, seed of the dropout masks.
        return_sequences: bool, return every step's output or only the last.
        return_state: bool, also return the last state.
        go_backwards: bool, process the sequence backwards (and return the
            reversed output sequence).
        stateful: bool, the last state of sample `i` of a batch is the initial
            state of sample `i` of the next batch (needs a fixed batch size).
            `reset_states()` sets it back to zeros.
        unroll: bool, unroll the time loop (short sequences only).

    Call arguments:
        inputs: rank-4 tensor of shape `(batch, time, steps, channels)`.
        mask: boolean tensor `(batch, time)`; masked steps keep the previous
            state and output.
        training: bool, whether dropout is active.
        initial_state: list with one tensor, the initial state of shape
            `(batch, new_steps, filters)`.

    Input shape:
        `(batch, time, steps, channels)`, channels last, with static spatial dimensions.

    Output shape:
        - `return_sequences=True`: `(batch, time, new_steps, filters)`,
          else `(batch, new_steps, filters)`.
        - `return_state=True`: a list `[output, state]`, the state of shape
          `(batch, new_steps, filters)`.
        `new_*` sizes are those of a convolution with the given kernel size,
        strides, padding and dilation.

    Raises:
        ValueError: on invalid arguments, or inputs of the wrong rank or with
            undefined spatial dimensions.

    Example:

    >>> import numpy as np
    >>> x = np.random.rand(4, 6, 32, 3).astype("float32")
    >>> layer = ConvGRU1D(8, 3, padding="same", return_sequences=True)
    >>> tuple(layer(x).shape)[-1]
    8

    References:
        S. Valipour, M. Siam, M. Jagersand, N. Ray, "Recurrent Fully
        Convolutional Networks for Video Segmentation", WACV 2017, eq. 7.
    """

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(rank=1, filters=filters, kernel_size=kernel_size, **kwargs)
