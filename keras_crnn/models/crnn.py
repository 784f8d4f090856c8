"""The general CRNN builder: frame encoder -> temporal layer -> head."""

import math

import keras

from keras_crnn.layers import LSTM, ConvGRU2D
from keras_crnn.models.backbone import conv_stack

TEMPORAL_LAYERS = ("lstm", "gru", "convlstm2d", "convgru2d", "dense", None)
HEADS = ("frames", "sequence", "images")
_CONV_RECURRENT = {"convlstm2d": keras.layers.ConvLSTM2D, "convgru2d": ConvGRU2D}
# keras_crnn's LSTM: keras.layers.LSTM's weights and config, with the input
# matmul of all steps outside the loop (frame features are wide).
_RECURRENT = {"lstm": LSTM, "gru": keras.layers.GRU}


def _check_input_shape(input_shape, conv_layers, pool_size, kernel_size, padding):
    if len(input_shape) != 4 or any(d is None for d in input_shape[1:]):
        raise ValueError(
            "`input_shape` must be (time, rows, cols, channels) with known rows, "
            f"cols and channels (time may be None). Received: input_shape={input_shape}"
        )
    rows, cols = input_shape[1:3]
    for _, stride in conv_layers:
        if padding == "valid":
            rows, cols = rows - kernel_size + 1, cols - kernel_size + 1
        rows, cols = -(-rows // stride), -(-cols // stride)
    if pool_size:
        rows, cols = rows // pool_size, cols // pool_size
    if min(rows, cols) < 1:
        raise ValueError(
            f"The frame encoder ({len(conv_layers)} convolutions, {padding!r} padding, "
            f"pooling {pool_size}) leaves no pixels of frames of "
            f"{input_shape[1]}x{input_shape[2]}. Received: input_shape={input_shape}"
        )


def CRNN(
    input_shape,
    classes=None,
    conv_layers=((32, 1), (64, 1)),
    kernel_size=3,
    padding="same",
    conv_activation="relu",
    pool_size=2,
    encoder_dropout=0.0,
    temporal="lstm",
    temporal_units=256,
    temporal_dropout=0.0,
    recurrent_dropout=0.0,
    temporal_kwargs=None,
    head="frames",
    classifier_activation="auto",
    output_frame_shape=None,
    residual=False,
    name="crnn",
):
    """Builds a convolutional recurrent model of image sequences.

    Every frame goes through the same convolutional encoder
    (`TimeDistributed` convolutions, optional max-pooling and dropout); a
    temporal layer reasons across frames; the head classifies every frame or
    the whole sequence, or decodes one image per step (forecasting). The
    models of the papers are presets of this builder
    (`keras_crnn.models.PRESETS`).

    Args:
        input_shape: `(time, rows, cols, channels)`; `time` may be None, but
            `model.export()` needs it known (keras-team/keras#19876).
        classes: number of classes (heads "frames" and "sequence"; None for
            "images").
        conv_layers: `(filters, strides)` per convolution of the encoder, all
            with `kernel_size`, `padding` and `conv_activation`.
        kernel_size: int, kernel of every encoder convolution.
        padding: `"same"` or `"valid"`, padding of the encoder convolutions.
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
        head: `"frames"`, a class per frame; `"sequence"`, one class per
            sequence (from the last step, or the time average without
            recurrence); or `"images"`, one image per step (the forecast of
            the next frame). The image decoder is a per-step 1x1 convolution
            when the temporal layer keeps maps of the output size, and
            otherwise a per-step Dense layer of `rows * cols * channels`
            units reshaped to frames (the future-appearance paper's decoder).
        classifier_activation: activation of the predictions; `"auto"` is
            softmax for class heads and linear for images.
        output_frame_shape: `(rows, cols, channels)` of the decoded images
            (head "images"); defaults to the input frames' shape.
        residual: head "images" only: add each step's input frame to its
            decoded image, so the model predicts the change from the current
            frame (needs `output_frame_shape` equal to the input frames').
        name: model name.

    Returns:
        `keras.Model` mapping `(batch, time, rows, cols, channels)` to
        `(batch, time, classes)` (head "frames"), `(batch, classes)` (head
        "sequence") or `(batch, time) + output_frame_shape` (head "images").
        Layers are named `frame_conv1`, ..., `frame_pool`, `frame_dropout`,
        `frame_flatten`, `temporal`, `decoder` (images), `predictions`.

    Raises:
        ValueError: unknown `temporal`, `head` or `padding`, missing
            `classes`, or frames too small for the encoder.

    Example:

    >>> model = CRNN((5, 28, 28, 1), classes=10)
    >>> model.output_shape
    (None, 5, 10)
    >>> forecaster = CRNN((4, 32, 16, 3), head="images", padding="valid")
    >>> forecaster.output_shape
    (None, 4, 32, 16, 3)
    """
    if temporal not in TEMPORAL_LAYERS:
        raise ValueError(f"`temporal` must be one of {TEMPORAL_LAYERS}. Received: {temporal!r}")
    if head not in HEADS:
        raise ValueError(f"`head` must be one of {HEADS}. Received: head={head!r}")
    if padding not in ("same", "valid"):
        raise ValueError(f"`padding` must be 'same' or 'valid'. Received: padding={padding!r}")
    if head != "images" and not classes:
        raise ValueError(f"Head {head!r} needs `classes` (a positive int). "
                         f"Received: classes={classes!r}")
    conv_layers = [tuple(c) for c in conv_layers]
    _check_input_shape(tuple(input_shape), conv_layers, pool_size, kernel_size, padding)
    td = keras.layers.TimeDistributed
    per_frame = head in ("frames", "images")
    temporal_kwargs = dict(temporal_kwargs or {})
    if classifier_activation == "auto":
        classifier_activation = None if head == "images" else "softmax"
    frame_shape = tuple(input_shape[1:])
    output_frame_shape = tuple(output_frame_shape or frame_shape)
    if residual and (head != "images" or output_frame_shape != frame_shape):
        raise ValueError("`residual=True` needs head 'images' and output frames of the input "
                         f"frames' shape {frame_shape}. Received: head={head!r}, "
                         f"output_frame_shape={output_frame_shape}")

    # Frame encoder: the same CNN on every frame.
    inputs = keras.Input(shape=tuple(input_shape), name="frames")
    spec = [(filters, kernel_size, strides) for filters, strides in conv_layers]
    x = conv_stack(inputs, spec + ([("pool", pool_size)] if pool_size else []),
                   padding=padding, activation=conv_activation, conv_name="frame_conv{}",
                   pool_name="frame_pool", wrap=td)
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
        decode_maps = head == "images" and tuple(x.shape[2:4]) == output_frame_shape[:2]
        if not decode_maps:
            x = (td(keras.layers.Flatten(), name="frame_flatten") if per_frame
                 else keras.layers.Flatten(name="frame_flatten"))(x)
    else:
        decode_maps = False
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
    if head == "images":
        outputs = _image_decoder(x, inputs, output_frame_shape, decode_maps,
                                 classifier_activation, residual)
    else:
        classifier = keras.layers.Dense(
            classes, activation=classifier_activation, name=None if per_frame else "predictions"
        )
        outputs = (td(classifier, name="predictions") if per_frame else classifier)(x)
    return keras.Model(inputs, outputs, name=name)


def _image_decoder(x, inputs, frame_shape, decode_maps, activation, residual):
    """One image per step from the temporal features (see `CRNN`, head "images")."""
    td = keras.layers.TimeDistributed
    name = "decoder" if residual else "predictions"
    if decode_maps:  # a 1x1 convolution on maps of the output size
        x = td(keras.layers.Conv2D(frame_shape[-1], 1, activation=activation), name=name)(x)
    else:  # the future-appearance paper: Dense(rows * cols * channels), reshaped
        x = td(keras.layers.Dense(math.prod(frame_shape), activation=activation),
               name="decoder")(x)
        x = keras.layers.Reshape((-1,) + tuple(frame_shape),
                                 name="reshape" if residual else "predictions")(x)
    if residual:
        x = keras.layers.Add(name="predictions")([inputs, x])
    return x
