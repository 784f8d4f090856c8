"""Convolutional GRU cell and the recurrent base layer shared by ConvGRU1D/2D/3D."""

import keras
from keras import ops

from keras_crnn.layers import _validation as v

# With `unroll=None`, sequences of a static length up to this many steps are
# unrolled: the while loop costs more than the copies of the step graph.
UNROLL_STEPS = 16
_CONFIG_ARGS = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "dilation_rate",
    "activation",
    "recurrent_activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
    "seed",
)


@keras.saving.register_keras_serializable(package="keras_crnn")
class ConvGRUCell(keras.layers.Layer):
    """Cell of a convolutional GRU over `rank` spatial dimensions.

    Implements eq. 7 of Valipour et al., "Recurrent Fully Convolutional Networks
    for Video Segmentation" (2017), with `*` a convolution and `⊙` the
    element-wise product:

        z  = σ(W_hz * h + W_xz * x + b_z)
        r  = σ(W_hr * h + W_xr * x + b_r)
        ĥ  = Φ(W_h * (r ⊙ h) + W_x * x + b)
        h' = (1 − z) ⊙ h + z ⊙ ĥ

    Note the convention of the last line: `z` weights the *new* candidate, as in
    the paper (Keras' `GRU` uses the opposite one).

    The three input convolutions `W_xz, W_xr, W_x` are one convolution with
    `3 * filters` output channels (`kernel`), and `W_hz, W_hr` are one
    convolution with `2 * filters` outputs (the first two thirds of
    `recurrent_kernel`); the candidate's `W_h` is the last third. Because the
    input convolution does not depend on the state, `ConvGRU` layers run it once
    over all time steps (`project_inputs`) and the cell's `call` receives the
    projected inputs, so each step costs two convolutions of the state.

    The cell is an implementation detail of `ConvGRU1D`, `ConvGRU2D` and
    `ConvGRU3D`; use those layers. Data is channels-last.

    Args:
        rank: number of spatial dimensions, 1, 2 or 3.
        filters: number of output channels of the state.
        kernel_size: int or tuple of `rank` ints; used for the input and the
            recurrent convolutions.
        strides: int or tuple of `rank` ints, input convolution only.
        padding: `"valid"` or `"same"`, input convolution only (the recurrent
            convolutions always use `"same"` and stride 1).
        dilation_rate: int or tuple of `rank` ints, input convolution only.
        activation: Φ, default `"tanh"`.
        recurrent_activation: σ, default `"sigmoid"`.
        use_bias: whether to add `b_z, b_r, b`.
        kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: as in Keras.
        dropout: fraction of input units dropped (one mask per sequence, shared
            by the three gates and all time steps).
        recurrent_dropout: fraction of state units dropped before the
            recurrent convolutions (one mask per sequence).
        seed: seed of the dropout masks.
    """

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        dilation_rate=1,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if rank not in (1, 2, 3):
            raise ValueError(f"`rank` must be 1, 2 or 3. Received: rank={rank}")
        self.rank = rank
        self.filters = v.positive_int(filters, "filters")
        self.kernel_size = v.int_tuple(kernel_size, rank, "kernel_size")
        self.strides = v.int_tuple(strides, rank, "strides")
        self.padding = v.padding(padding)
        self.dilation_rate = v.int_tuple(dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` cannot be combined with `dilation_rate > 1`. "
                f"Received: strides={self.strides}, "
                f"dilation_rate={self.dilation_rate}"
            )
        self.activation = keras.activations.get(activation)
        self.recurrent_activation = keras.activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = keras.regularizers.get(recurrent_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.recurrent_constraint = keras.constraints.get(recurrent_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)
        self.dropout = v.rate(dropout, "dropout")
        self.recurrent_dropout = v.rate(recurrent_dropout, "recurrent_dropout")
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.state_size = -1  # a feature map, computed from the input shape
        self._step_tensors = None

    def build(self, inputs_shape):
        """Creates the weights for one step's input of shape `inputs_shape`.

        Args:
            inputs_shape: `(batch, *spatial, channels)` with static spatial
                dimensions and channels.
        """
        if len(inputs_shape) != self.rank + 2:
            raise ValueError(
                f"A rank-{self.rank} ConvGRU cell expects one step's input of "
                f"shape (batch, {self.rank} spatial dims, channels). "
                f"Received: input_shape={tuple(inputs_shape)}"
            )
        spatial = tuple(inputs_shape[1:-1])
        if None in spatial or inputs_shape[-1] is None:
            raise ValueError(
                "ConvGRU layers need static spatial dimensions and channels. "
                f"Received: input_shape={tuple(inputs_shape)}"
            )
        self.spatial_dims = spatial
        self.input_dim = inputs_shape[-1]
        self.state_spatial_dims = v.conv_output_spatial(
            spatial, self.kernel_size, self.strides, self.padding, self.dilation_rate
        )
        if min(self.state_spatial_dims) < 1:
            raise ValueError(
                f"The input's spatial size {spatial} is too small for "
                f"kernel_size={self.kernel_size} with padding='{self.padding}' "
                f"and dilation_rate={self.dilation_rate}. "
                f"Received: input_shape={tuple(inputs_shape)}"
            )
        self.kernel = self.add_weight(
            shape=self.kernel_size + (self.input_dim, 3 * self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, 3 * self.filters),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
            name="recurrent_kernel",
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(3 * self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )
        else:
            self.bias = None

    def project_inputs(self, sequences, training=False):
        """Input convolution `[W_xz, W_xr, W_x] * x + b` for every time step.

        Args:
            sequences: `(batch, time, *spatial, channels)`.
            training: applies the input dropout mask when true.

        Returns:
            `(batch, time, *state_spatial, 3 * filters)`.
        """
        if training and self.dropout > 0:
            step_shape = (ops.shape(sequences)[0], 1) + tuple(sequences.shape[2:])
            mask = keras.random.dropout(
                ops.ones(step_shape, dtype=sequences.dtype),
                rate=self.dropout,
                seed=self.seed_generator,
            )
            sequences = sequences * mask
        batch_time = ops.shape(sequences)[:2]
        frames = ops.reshape(sequences, (-1,) + self.spatial_dims + (self.input_dim,))
        projected = ops.conv(
            frames,
            self.kernel,
            strides=self.strides,
            padding=self.padding,
            dilation_rate=self.dilation_rate,
        )
        if self.use_bias:
            projected = projected + self.bias
        return ops.reshape(
            projected,
            (batch_time[0], batch_time[1])
            + self.state_spatial_dims
            + (3 * self.filters,),
        )

    def begin_sequence(self, batch_size, training=False):
        """Prepares what every step of one call shares, outside the time loop.

        Splits the recurrent kernel into its `[W_hz, W_hr]` and `W_h` parts
        once per call (slicing inside the loop costs a zero-padded gradient
        per step) and draws the recurrent dropout mask.
        """
        mask = None
        if training and self.recurrent_dropout > 0:
            mask = keras.random.dropout(
                ops.ones(
                    (batch_size,) + self.state_spatial_dims + (self.filters,),
                    dtype=self.compute_dtype,
                ),
                rate=self.recurrent_dropout,
                seed=self.seed_generator,
            )
        kernel_zr, kernel_h = ops.split(self.recurrent_kernel, [2 * self.filters], axis=-1)
        self._step_tensors = (kernel_zr, kernel_h, mask)

    def end_sequence(self):
        """Drops the tensors of `begin_sequence`."""
        self._step_tensors = None

    def call(self, projected_inputs, states, training=False):
        """One step of eq. 7 on inputs already projected by `project_inputs`.

        Args:
            projected_inputs: `(batch, *state_spatial, 3 * filters)`.
            states: `[h]` with `h` of shape `(batch, *state_spatial, filters)`.

        Returns:
            `(h', [h'])`.
        """
        if self._step_tensors is None:
            raise RuntimeError(
                "ConvGRUCell.call runs inside a ConvGRU layer, between "
                "begin_sequence() and end_sequence(); use ConvGRU1D/2D/3D."
            )
        kernel_zr, kernel_h, mask = self._step_tensors
        h_tm1 = states[0]
        x_zr, x_h = ops.split(projected_inputs, [2 * self.filters], axis=-1)
        h_in = h_tm1 if mask is None or not training else h_tm1 * mask
        # z and r share one convolution of the state and one activation.
        zr = self.recurrent_activation(x_zr + self._recurrent_conv(h_in, kernel_zr))
        z, r = ops.split(zr, 2, axis=-1)
        candidate = self.activation(x_h + self._recurrent_conv(r * h_in, kernel_h))
        # (1 - z) * h + z * candidate, with two operations instead of four.
        h = h_tm1 + z * (candidate - h_tm1)
        return h, [h]

    def first_step(self, projected_inputs):
        """Step 0 from a zero state, in closed form: the state convolutions of
        zeros vanish, so `h1 = σ(x_z) ⊙ Φ(x_h)` (exactly what `call` gives).

        Args:
            projected_inputs: the first step of `project_inputs`, `(batch,
                *state_spatial, 3 * filters)`.

        Returns:
            `h1`, `(batch, *state_spatial, filters)`.
        """
        x_zr, x_h = ops.split(projected_inputs, [2 * self.filters], axis=-1)
        z, _ = ops.split(self.recurrent_activation(x_zr), 2, axis=-1)
        return z * self.activation(x_h)

    def _recurrent_conv(self, x, kernel):
        return ops.conv(x, kernel, strides=1, padding="same")

    def compute_output_shape(self, inputs_shape, states_shape=None):
        """Shape of one step's output for one step's *raw* input shape."""
        spatial = v.conv_output_spatial(
            tuple(inputs_shape[1:-1]),
            self.kernel_size,
            self.strides,
            self.padding,
            self.dilation_rate,
        )
        step = (inputs_shape[0],) + spatial + (self.filters,)
        return step, [step]

    def get_initial_state(self, batch_size=None):
        return [
            ops.zeros(
                (batch_size,) + self.state_spatial_dims + (self.filters,),
                dtype=self.compute_dtype,
            )
        ]

    def get_config(self):
        config = {"rank": self.rank}
        config.update(_cell_config(self))
        return {**super().get_config(), **config}


def _cell_config(cell):
    """The flat keyword arguments that rebuild `cell`."""
    ser = keras.saving.serialize_keras_object
    config = {}
    for name in _CONFIG_ARGS:
        value = getattr(cell, name)
        if name in ("activation", "recurrent_activation"):
            value = keras.activations.serialize(value)
        elif name.endswith(("_initializer", "_regularizer", "_constraint")):
            value = ser(value) if value is not None else None
        config[name] = value
    return config


class ConvGRU(keras.layers.RNN):
    """Base of the convolutional GRU layers; use ConvGRU1D, ConvGRU2D, ConvGRU3D.

    Args:
        rank: number of spatial dimensions.
        filters ... seed: see `ConvGRUCell`.
        return_sequences: return the whole output sequence (true) or its last
            step.
        return_state: also return the last state.
        go_backwards: process the sequence backwards and return the reversed
            sequence.
        stateful: carry the last state of batch element `i` over to batch
            element `i` of the next call (streaming; needs a static batch size).
        unroll: unroll the time loop (True), keep it (False), or None: unroll
            unmasked sequences of a static length up to `UNROLL_STEPS`.

    An unrolled loop from the zero state (no initial state, not stateful,
    masked or backwards) computes its first step in closed form
    (`ConvGRUCell.first_step`): the state convolutions of zeros are skipped.
    """

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        dilation_rate=1,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=None,
        **kwargs,
    ):
        cell = ConvGRUCell(
            rank=rank,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            name="conv_gru_cell",
            dtype=kwargs.get("dtype"),
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=bool(unroll),
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        if unroll not in (None, True, False):
            raise ValueError(f"`unroll` must be True, False or None. Received: unroll={unroll!r}")
        self._unroll = unroll
        self.rank = rank
        self.input_spec = keras.layers.InputSpec(ndim=rank + 3)

    def build(self, sequences_shape, initial_state_shape=None):
        if len(sequences_shape) != self.rank + 3:
            raise ValueError(
                f"{type(self).__name__} expects inputs of shape (batch, time, "
                f"{self.rank} spatial dims, channels), rank {self.rank + 3}. "
                f"Received: input_shape={tuple(sequences_shape)}"
            )
        super().build(sequences_shape, initial_state_shape)

    def _check_call(self, sequences, initial_state, mask):
        """Clear errors for inputs Keras would fail on deep inside the loop."""
        name = type(self).__name__
        dtype = keras.backend.standardize_dtype(sequences.dtype)
        if "float" not in dtype:
            raise ValueError(f"{name} takes floating-point sequences (cast frames with "
                             f"keras.ops.cast, e.g. scaled to [0, 1]). Received: dtype={dtype}")
        shape = tuple(sequences.shape)
        if mask is not None and None not in shape[:2] and tuple(mask.shape)[:2] != shape[:2]:
            raise ValueError(f"{name}: `mask` must have shape (batch, time) = {shape[:2]}. "
                             f"Received: mask.shape={tuple(mask.shape)}")
        if initial_state is not None:
            states = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
            expected = self.cell.compute_output_shape((shape[0],) + shape[2:])[0]
            for state in states:
                got = tuple(state.shape)
                if len(got) != len(expected) or any(
                    a is not None and b is not None and a != b for a, b in zip(got, expected, strict=False)
                ):
                    raise ValueError(f"{name}: `initial_state` must have shape {expected} for "
                                     f"inputs {shape}. Received: {got}")

    def call(self, sequences, initial_state=None, mask=None, training=False):
        self._check_call(sequences, initial_state, mask)
        if mask is not None and len(mask.shape) > 2:
            # `Masking` before a 5D input gives a mask per pixel (batch, time, *spatial):
            # a step is padding only where its whole frame is.
            mask = keras.ops.any(mask, axis=tuple(range(2, len(mask.shape))))
        projected = self.cell.project_inputs(sequences, training=training)
        self.cell.begin_sequence(ops.shape(sequences)[0], training)
        steps = sequences.shape[1]
        unroll = self._unroll
        if unroll is None:  # Keras' unrolled loop does not take masks of conv states
            unroll = steps is not None and steps <= UNROLL_STEPS and mask is None
        try:
            if (unroll and initial_state is None and mask is None and not self.stateful
                    and not self.go_backwards):
                return self._unrolled_from_zeros(projected, training)
            self.unroll = unroll  # read by keras.layers.RNN.call
            if mask is not None and keras.backend.backend() != "tensorflow":
                # JAX's and PyTorch's RNN loops broadcast a (batch, time) mask only
                # against flat states: give it the states' rank.
                mask = keras.ops.reshape(mask, tuple(mask.shape[:2]) + (1,) * (self.rank + 1))
            return super().call(projected, initial_state=initial_state, mask=mask,
                                training=training)
        finally:
            self.cell.end_sequence()

    def _unrolled_from_zeros(self, projected, training):
        """The unrolled recurrence from the zero state, its first step in
        closed form (`ConvGRUCell.first_step`)."""
        steps = ops.unstack(projected, axis=1)
        h = self.cell.first_step(steps[0])
        outputs = [h]
        for x in steps[1:]:
            h, _ = self.cell.call(x, [h], training=training)
            outputs.append(h)
        output = ops.stack(outputs, axis=1) if self.return_sequences else h
        output = ops.cast(output, self.compute_dtype)
        if self.return_state:
            return output, ops.cast(h, self.compute_dtype)
        return output

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch_size, steps = sequences_shape[0], sequences_shape[1]
        step_shape = (batch_size,) + tuple(sequences_shape[2:])
        state_shape = self.cell.compute_output_shape(step_shape)[0]
        if self.return_sequences:
            output_shape = (batch_size, steps) + state_shape[1:]
        else:
            output_shape = state_shape
        if self.return_state:
            return output_shape, state_shape
        return output_shape

    def compute_mask(self, _, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask, None]
        return output_mask

    def get_config(self):
        config = _cell_config(self.cell)
        base = super().get_config()
        base.pop("cell", None)
        base.pop("zero_output_for_mask", None)
        base["unroll"] = self._unroll
        return {**base, **config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


CONV_GRU_DOCSTRING = """{rank}D convolutional GRU (Valipour et al. 2017, eq. 7).

    Like `keras.layers.ConvLSTM{rank}D`, but with GRU gates: the input and the
    recurrent transformations are convolutions, and the state is a feature map.

        z  = σ(W_hz * h + W_xz * x + b_z)
        r  = σ(W_hr * h + W_xr * x + b_r)
        ĥ  = Φ(W_h * (r ⊙ h) + W_x * x + b)
        h' = (1 − z) ⊙ h + z ⊙ ĥ

    Args:
        filters: int, channels of the state and the output.
        kernel_size: int or tuple of {rank} ints, for the input and recurrent
            convolutions.
        strides: int or tuple of {rank} ints, of the input convolution. Values > 1
            cannot be combined with `dilation_rate` > 1.
        padding: `"valid"` or `"same"` (case-insensitive), of the input
            convolution; the recurrent ones use `"same"`.
        dilation_rate: int or tuple of {rank} ints, of the input convolution.
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
        unroll: bool or None (default): unroll the time loop, keep it, or
            unroll unmasked sequences of a static length up to 16 steps.

    Call arguments:
        inputs: rank-{ndim} tensor of shape `{input_shape}`.
        mask: boolean tensor `(batch, time)`; masked steps keep the previous
            state and output.
        training: bool, whether dropout is active.
        initial_state: list with one tensor, the initial state of shape
            `{output_last}`.

    Input shape:
        `{input_shape}`, channels last, with static spatial dimensions.

    Output shape:
        - `return_sequences=True`: `{output_sequences}`,
          else `{output_last}`.
        - `return_state=True`: a list `[output, state]`, the state of shape
          `{output_last}`.
        `new_*` sizes are those of a convolution with the given kernel size,
        strides, padding and dilation.

    Raises:
        ValueError: on invalid arguments, or inputs of the wrong rank or with
            undefined spatial dimensions.

    Example:

    >>> import numpy as np
    >>> x = np.random.rand{example}.astype("float32")
    >>> layer = ConvGRU{rank}D(8, 3, padding="same", return_sequences=True)
    >>> tuple(layer(x).shape)[-1]
    8

    References:
        S. Valipour, M. Siam, M. Jagersand, N. Ray, "Recurrent Fully
        Convolutional Networks for Video Segmentation", WACV 2017, eq. 7.
    """


def _cell_property(name):
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's `{name}`.")


for _name in _CONFIG_ARGS:
    setattr(ConvGRU, _name, _cell_property(_name))
