"""The general CRNN builder: frame encoder -> temporal layer -> head."""

import keras

from keras_crnn.layers import ConvGRU2D

TEMPORAL_LAYERS = ("lstm", "gru", "convlstm2d", "convgru2d", "dense", None)
HEADS = ("frames", "sequence")
_CONV_RECURRENT = {"convlstm2d": keras.layers.ConvLSTM2D, "convgru2d": ConvGRU2D}
_RECURRENT = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


def _check_input_shape(input_shape, conv_layers, pool_size):
    if len(input_shape) != 4 or any(d is None for d in input_shape[1:]):
        raise ValueError(
            "`input_shape` must be (time, rows, cols, channels) with known rows, "
            f"cols and channels (time may be None). Received: input_shape={input_shape}"
        )
    downsample = 1
    for _, stride in conv_layers:
        downsample *= stride
    downsample *= pool_size or 1
    if min(input_shape[1:3]) < downsample:
        raise ValueError(
            f"The frame encoder downsamples by {downsample}, so frames must be at "
            f"least {downsample}x{downsample}. Received: input_shape={input_shape}"
        )


def CRNN(
    input_shape,
    classes,
    conv_layers=((32, 1), (64, 1)),
    kernel_size=3,
    conv_activation="relu",
    pool_size=2,
    encoder_dropout=0.0,
    temporal="lstm",
    temporal_units=256,
    temporal_dropout=0.0,
    recurrent_dropout=0.0,
    temporal_kwargs=None,
    head="frames",
    classifier_activation="softmax",
    name="crnn",
):
    """Builds a convolutional recurrent classifier of image sequences.

    Every frame goes through the same convolutional encoder
    (`TimeDistributed` convolutions, optional max-pooling and dropout); a
    temporal layer reasons across frames; the head classifies every frame or
    the whole sequence. The models of the papers are presets of this builder
    (`keras_crnn.models.PRESETS`).

    Args:
        input_shape: `(time, rows, cols, channels)`; `time` may be None, but
            `model.export()` needs it known (keras-team/keras#19876).
        classes: number of classes.
        conv_layers: `(filters, strides)` per convolution of the encoder, all
            with `kernel_size`, "same" padding and `conv_activation`.
        kernel_size: int, kernel of every encoder convolution.
        conv_activation: activation of the encoder convolutions.
        pool_size: max-pooling after the convolutions, or None for none.
        encoder_dropout: dropout rate after the encoder (per frame).
        temporal: `"lstm"`, `"gru"` (on flattened frame features),
            `"convlstm2d"`, `"convgru2d"` (on the feature maps, 3x3 kernels,
            "same" padding), `"dense"` (a per-frame Dense layer with ReLU: no
            recurrence, the CNN baselines) or None (features straight to the
            head).
        temporal_units: units (or filters) of the temporal layer.
        temporal_dropout: input dropout of the temporal layer.
        recurrent_dropout: recurrent dropout of a recurrent temporal layer.
        temporal_kwargs: extra keyword arguments for the temporal layer.
        head: `"frames"`, a class per frame, or `"sequence"`, one class per
            sequence (from the last step, or the time average without
            recurrence).
        classifier_activation: activation of the predictions.
        name: model name.

    Returns:
        `keras.Model` mapping `(batch, time, rows, cols, channels)` to
        `(batch, time, classes)` (head "frames") or `(batch, classes)`.
        Layers are named `frame_conv1`, ..., `frame_pool`, `frame_dropout`,
        `frame_flatten`, `temporal`, `predictions`.

    Raises:
        ValueError: unknown `temporal` or `head`, or frames too small for the
            encoder's downsampling.

    Example:

    >>> model = CRNN((5, 28, 28, 1), classes=10)
    >>> model.output_shape
    (None, 5, 10)
    """
    if temporal not in TEMPORAL_LAYERS:
        raise ValueError(f"`temporal` must be one of {TEMPORAL_LAYERS}. Received: {temporal!r}")
    if head not in HEADS:
        raise ValueError(f"`head` must be one of {HEADS}. Received: head={head!r}")
    conv_layers = [tuple(c) for c in conv_layers]
    _check_input_shape(tuple(input_shape), conv_layers, pool_size)
    td = keras.layers.TimeDistributed
    per_frame = head == "frames"
    temporal_kwargs = dict(temporal_kwargs or {})

    # Frame encoder: the same CNN on every frame.
    inputs = keras.Input(shape=tuple(input_shape), name="frames")
    x = inputs
    for i, (filters, strides) in enumerate(conv_layers, start=1):
        x = td(
            keras.layers.Conv2D(
                filters, kernel_size, strides=strides, padding="same", activation=conv_activation
            ),
            name=f"frame_conv{i}",
        )(x)
    if pool_size:
        x = td(keras.layers.MaxPooling2D(pool_size), name="frame_pool")(x)
    if encoder_dropout:
        x = keras.layers.Dropout(encoder_dropout, name="frame_dropout")(x)

    # Temporal layer.
    if temporal in _CONV_RECURRENT:
        x = _CONV_RECURRENT[temporal](
            temporal_units,
            3,
            padding="same",
            dropout=temporal_dropout,
            recurrent_dropout=recurrent_dropout,
            return_sequences=per_frame,
            name="temporal",
            **temporal_kwargs,
        )(x)
        x = (td(keras.layers.Flatten(), name="frame_flatten") if per_frame
             else keras.layers.Flatten(name="frame_flatten"))(x)
    else:
        x = td(keras.layers.Flatten(), name="frame_flatten")(x)
        if temporal in _RECURRENT:
            x = _RECURRENT[temporal](
                temporal_units,
                dropout=temporal_dropout,
                recurrent_dropout=recurrent_dropout,
                return_sequences=per_frame,
                name="temporal",
                **temporal_kwargs,
            )(x)
        elif temporal == "dense":
            x = td(
                keras.layers.Dense(temporal_units, activation="relu", **temporal_kwargs),
                name="temporal",
            )(x)
            if temporal_dropout:
                x = keras.layers.Dropout(temporal_dropout, name="temporal_dropout")(x)
        if not per_frame and temporal not in _RECURRENT:
            x = keras.layers.GlobalAveragePooling1D(name="time_average")(x)

    # Head.
    classifier = keras.layers.Dense(
        classes, activation=classifier_activation, name=None if per_frame else "predictions"
    )
    outputs = (td(classifier, name="predictions") if per_frame else classifier)(x)
    return keras.Model(inputs, outputs, name=name)
