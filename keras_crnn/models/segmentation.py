"""Recurrent fully convolutional networks for video segmentation (the RFCN paper).

Every model maps a window of frames `(batch, window, rows, cols, channels)` to
the foreground probability of its last frame `(batch, out_rows, out_cols, 1)`
(sigmoid, trained with the logistic loss), so that all of them train on the
same sliding windows and stream one frame at a time
(`keras_crnn.models.streaming`). With `return_sequences=True` they give a mask
for every frame of the input instead, the same computation applied online.

The family, from shared blocks:

- a fully convolutional **encoder** per backbone (a `keras.Model` from one
  frame to its coarse feature map): `lenet` (two 5x5 convolutions and
  poolings, stride 4), `12s` (first convolution stride 3, two poolings,
  stride 12), `vgg-f` (VGG-F's five convolutions, first stride 4, two
  poolings, stride 16; its dense labels are at half resolution, as the paper's);
- a **score** layer (1x1 convolution to one channel) and an **upsampling**
  deconvolution (`Conv2DTranspose`, stride 4, 12 or 8) back to dense logits.

| model | what | paper |
|---|---|---|
| `FC-Lenet`, `FCN-12s`, `FC-VGG` | encoder, score, deconvolution on the last frame | FCN baselines |
| `RFC-12s`, `RFC-VGG` | encoder on every frame, ConvGRU2D on the coarse maps (its output added to the last frame's coarse map), score, deconvolution | recurrent unit on the coarse map |
| `RFC-Lenet` | FC-Lenet on every frame, then a GRU on the flattened dense maps (one unit per pixel), read with the last frame's dense logits by a 1x1 convolution that starts out passing the logits | recurrent unit after the deconvolution |
| `LSTM`, `GRU` | a recurrent layer on the flattened frames (one unit per pixel) | recurrent baselines |

The paper gives its layer sizes only in figures; the filters below follow
LeNet (20, 50) and VGG-F (64, 256, 256, 256, 256), scaled by `width`. The skip
connections around the recurrent units are ours: with them the "GRU
pretrained" stage starts from the FCN's segmentation instead of from a random
recurrent unit (without them, a 3-epoch stage 2 left RFC-Lenet at 6x the
FC-Lenet's validation loss).
"""

import keras

from keras_crnn.layers import ConvGRU2D
from keras_crnn.models.backbone import conv_stack

BACKBONES = {
    # (filters, kernel, strides) per convolution, "pool" for 2x2 max-pooling.
    "lenet": {"layers": [(20, 5, 1), "pool", (50, 5, 1), "pool"], "coarse": 64,
              "upsample": 4, "label_downsample": 1},
    "12s": {"layers": [(32, 5, 3), "pool", (64, 3, 1), "pool"], "coarse": 64,
            "upsample": 12, "label_downsample": 1},
    "vgg-f": {"layers": [(64, 11, 4), "pool", (256, 5, 1), "pool", (256, 3, 1), (256, 3, 1),
                         (256, 3, 1)], "coarse": 256, "upsample": 8, "label_downsample": 2},
}
SEGMENTERS = {
    "FC-Lenet": ("fcn", "lenet"), "FCN-12s": ("fcn", "12s"), "FC-VGG": ("fcn", "vgg-f"),
    "RFC-Lenet": ("rfc-dense", "lenet"), "RFC-12s": ("rfcn", "12s"), "RFC-VGG": ("rfcn", "vgg-f"),
    "LSTM": ("flat", "lstm"), "GRU": ("flat", "gru"),
}


@keras.saving.register_keras_serializable(package="keras_crnn")
class LastFrame(keras.layers.Layer):
    """Selects the last step of a sequence: `(batch, time, ...)` -> `(batch, ...)`."""

    def call(self, inputs):
        return inputs[:, -1]

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[2:])


def stride(backbone):
    """Total downsampling of a backbone's encoder."""
    total = 1
    for spec in BACKBONES[backbone]["layers"]:
        total *= 2 if spec == "pool" else spec[2]
    return total


def label_downsample(name):
    """How much smaller than the frames model `name`'s masks are (2 for VGG-F, else 1)."""
    backbone = SEGMENTERS[name][1]
    return BACKBONES[backbone]["label_downsample"] if backbone in BACKBONES else 1


def _check_frame_shape(name, frame_shape):
    kind, backbone = SEGMENTERS[name]
    if len(frame_shape) != 3 or any(d is None for d in frame_shape):
        raise ValueError(f"`frame_shape` must be (rows, cols, channels), all known. "
                         f"Received: frame_shape={frame_shape}")
    if backbone in BACKBONES and min(frame_shape[:2]) < stride(backbone):
        raise ValueError(f"{name} downsamples by {stride(backbone)}: frames must be at least "
                         f"that many pixels each way. Received: frame_shape={frame_shape}")


def encoder(backbone, frame_shape, width=1.0, name=None):
    """The fully convolutional encoder of `backbone`: one frame -> coarse map.

    Returns:
        `keras.Model` from `frame_shape` to `(rows / s, cols / s, coarse)`,
        `s = stride(backbone)`; ReLU convolutions with "same" padding.
    """
    spec = BACKBONES[backbone]
    inputs = keras.Input(frame_shape, name="frame")
    x = conv_stack(inputs, spec["layers"], pool_padding="same", width=width)
    # The classifier's fully connected layer, made a 1x1 convolution.
    x = keras.layers.Conv2D(max(1, round(spec["coarse"] * width)), 1, activation="relu",
                            name="fc_conv")(x)
    return keras.Model(inputs, x, name=name or "encoder")


@keras.saving.register_keras_serializable(package="keras_crnn")
class Upsample(keras.layers.Conv2DTranspose):
    """The learned upsampling ("deconvolution") to dense logits: a one-channel
    `Conv2DTranspose` with kernel `2 * factor` and stride `factor`, cropped at
    the bottom and right to `size` (the coarse map is rounded up when the
    frame does not divide by the encoder's stride)."""

    def __init__(self, factor, size, **kwargs):
        kwargs.setdefault("filters", 1)
        kwargs.setdefault("kernel_size", 2 * factor)
        kwargs.setdefault("strides", factor)
        kwargs.setdefault("padding", "same")
        super().__init__(**kwargs)
        self.factor, self.size = int(factor), tuple(int(d) for d in size)

    def call(self, inputs):
        return super().call(inputs)[:, : self.size[0], : self.size[1]]

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self.size + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config.update(factor=self.factor, size=list(self.size))
        return config


def _upsample(backbone, frame_shape):
    spec = BACKBONES[backbone]
    size = (frame_shape[0] // spec["label_downsample"], frame_shape[1] // spec["label_downsample"])
    return Upsample(spec["upsample"], size, name="upsample")


def build_segmenter(name, frame_shape, window=3, width=1.0, recurrent_filters=None,
                    return_sequences=False, stateful=False, batch_size=None, fcn=None,
                    encoder_weights=None, frozen_layers=0):
    """Builds segmentation model `name` (see `SEGMENTERS` and the module docstring).

    Args:
        name: `FC-Lenet`, `FCN-12s`, `FC-VGG`, `RFC-Lenet`, `RFC-12s`,
            `RFC-VGG`, `LSTM` or `GRU`.
        frame_shape: `(rows, cols, channels)`, any size at least the
            backbone's stride (4, 12 or 16); masks come at full size (half
            size for VGG-F).
        window: frames per input (None: any number; `model.export()` wants it
            known).
        width: multiplies the filters of the encoder.
        recurrent_filters: filters of the ConvGRU2D of `RFC-12s`/`RFC-VGG`;
            by default the encoder's coarse channels, so that the FCN's score
            layer reads the recurrent unit's output as it read the coarse map.
        return_sequences: a mask for every input frame instead of the last.
        stateful: recurrent state carried across calls (streaming); needs
            `batch_size`.
        batch_size: fixed batch size (stateful models).
        fcn: a trained fully convolutional model of the same backbone whose
            `encoder`, `score` and `upsample` layers the recurrent model shares
            (the paper's "GRU pretrained" and RFC stages start from them).
        encoder_weights: a `.weights.h5` file of the encoder (e.g. a VGG-F
            trained on ImageNet elsewhere) to start from.
        frozen_layers: the first this many convolutions of the encoder do not
            train (the paper froze VGG-F's five pretrained ones).

    Returns:
        `keras.Model`: `(batch, window, rows, cols, channels)` ->
        `(batch, out_rows, out_cols, 1)`, or `(batch, window, out_rows,
        out_cols, 1)` with `return_sequences`; sigmoid probabilities.

    Raises:
        ValueError: unknown name, or frames the backbone cannot divide.

    Example:

    >>> model = build_segmenter("RFC-12s", (48, 72, 3), width=0.25)
    >>> model.output_shape
    (None, 48, 72, 1)
    """
    if name not in SEGMENTERS:
        raise ValueError(f"Unknown segmenter. Expected one of {sorted(SEGMENTERS)}. "
                         f"Received: {name!r}")
    frame_shape = tuple(frame_shape)
    _check_frame_shape(name, frame_shape)
    kind, backbone = SEGMENTERS[name]
    td = keras.layers.TimeDistributed
    inputs = keras.Input((window,) + frame_shape, batch_size=batch_size, name="frames")
    model_name = name.lower().replace("-", "_")

    if kind == "flat":  # a recurrent layer on the flattened frames (one unit per pixel)
        pixels = frame_shape[0] * frame_shape[1]
        x = td(keras.layers.Flatten(), name="flatten")(inputs)
        layer = keras.layers.LSTM if backbone == "lstm" else keras.layers.GRU
        x = layer(pixels, return_sequences=return_sequences, stateful=stateful,
                  name="temporal")(x)
        return keras.Model(inputs, _pixel_head(x, frame_shape, return_sequences), name=model_name)

    if fcn is not None:
        enc, score, upsample = (fcn.get_layer(n) for n in ("encoder", "score", "upsample"))
        enc = getattr(enc, "layer", enc)  # unwrap TimeDistributed
        score, upsample = getattr(score, "layer", score), getattr(upsample, "layer", upsample)
    else:
        enc = encoder(backbone, frame_shape, width)
        if encoder_weights:
            enc.load_weights(encoder_weights)
        convs = [layer for layer in enc.layers if isinstance(layer, keras.layers.Conv2D)]
        for layer in convs[:frozen_layers]:
            layer.trainable = False
        score = keras.layers.Conv2D(1, 1, name="score")
        upsample = _upsample(backbone, frame_shape)

    if kind == "fcn":  # the last frame (or every frame), encoder -> score -> deconvolution
        if return_sequences:
            x = td(enc, name="encoder")(inputs)
            x = td(upsample, name="upsample")(td(score, name="score")(x))
        else:
            x = enc(LastFrame(name="last_frame")(inputs))
            x = upsample(score(x))
        outputs = keras.layers.Activation("sigmoid", name="mask")(x)
        return keras.Model(inputs, outputs, name=model_name)

    x = td(enc, name="encoder")(inputs)
    coarse = x
    last = (lambda t: t) if return_sequences else LastFrame(name="last_coarse")
    if kind == "rfcn":  # ConvGRU2D on the coarse maps, then score and deconvolution
        h = ConvGRU2D(recurrent_filters or enc.output.shape[-1], 3, padding="same",
                      return_sequences=return_sequences, stateful=stateful,
                      name="temporal")(coarse)
        # The recurrent unit refines the frame's own coarse map (a skip connection),
        # so that the "GRU pretrained" stage starts from the FCN's segmentation.
        x = keras.layers.Add(name="refine")([last(coarse), h])
        if return_sequences:
            x = td(upsample, name="upsample")(td(score, name="score")(x))
        else:
            x = upsample(score(x))
        outputs = keras.layers.Activation("sigmoid", name="mask")(x)
        return keras.Model(inputs, outputs, name=model_name)

    # rfc-dense: the dense logits of every frame, flattened, into a GRU (RFC-Lenet).
    dense = td(upsample, name="upsample")(td(score, name="score")(coarse))
    x = td(keras.layers.Flatten(), name="flatten")(dense)
    x = keras.layers.GRU(frame_shape[0] * frame_shape[1], return_sequences=return_sequences,
                         stateful=stateful, name="temporal")(x)
    last_dense = dense if return_sequences else LastFrame(name="last_dense")(dense)
    return keras.Model(inputs, _pixel_head(x, frame_shape, return_sequences, last_dense),
                       name=model_name)


def _pixel_head(x, frame_shape, return_sequences, skip=None):
    """Recurrent outputs (one per pixel) -> per-pixel probability: a 1x1
    convolution (a learned scale and offset of each unit) and the sigmoid.

    With `skip` (RFC-Lenet: the frame's own dense logits), the convolution
    reads both and starts out passing the logits through unchanged, so the
    recurrent unit learns a correction of the FCN's segmentation.
    """
    shape = frame_shape[:2] + (1,)
    x = keras.layers.Reshape(((-1,) if return_sequences else ()) + shape, name="to_map")(x)
    initializer = "glorot_uniform"
    if skip is not None:
        x = keras.layers.Concatenate(name="with_logits")([x, skip])
        initializer = keras.initializers.Constant([[[[0.0], [1.0]]]])
    head = keras.layers.Conv2D(1, 1, activation="sigmoid", kernel_initializer=initializer,
                               name=None if return_sequences else "mask")
    if return_sequences:
        return keras.layers.TimeDistributed(head, name="mask")(x)
    return head(x)
