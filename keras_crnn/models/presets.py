"""Every named model of the five papers, as data: one `ModelPreset` each.

`build_model(name, input_shape, classes, **overrides)` builds any of them;
`keras-crnn list` shows them grouped by paper. A preset names its builder
(`builder`), the task it learns (`task`, a key of `TASKS`), the paper and
section it comes from, and the builder's arguments (`config`):

| builder | function | presets |
|---|---|---|
| `crnn` | `keras_crnn.models.CRNN` | the occluded-sequence models, the forecasters, LRCN activity recognition, generic CRNNs |
| `segmenter` | `keras_crnn.models.segmentation.build_segmenter` | FC-Lenet ... RFC-VGG, LSTM, GRU |
| `genre` | `keras_crnn.models.genre.build_genre_model` | the genre paper's Table I rows |
| `captioner` | `keras_crnn.models.lrcn.build_captioner` | the LRCN captioners |

Names follow the papers (`CRNN`, `CNN-2-S`, `RFC-12s`, `CNN-LSTM pool`);
generic variants are in lower case.
"""

from dataclasses import dataclass, field

import numpy as np

PAPERS = {
    "occluded-sequence-classification-crnn": "Occluded-sequence classification "
                                             "(Zheng et al., GlobalSIP 2018)",
    "future-appearance-crnn": "Future appearance of pine trees",
    "recurrent-fcn-video-segmentation": "Recurrent FCN video segmentation (RFCN)",
    "video-genre-classification-crnn": "Video genre classification",
    "lrcn-and-encoder-decoder-lstm": "LRCN and encoder-decoder LSTMs",
    "keras_crnn": "Generic CRNN variants (ours)",
}
TASKS = {
    "frames": "per-frame classification: `frames` uint8 (n, T, rows, cols, channels) and "
              "`labels` int (n, T)",
    "images": "forecasting: `frames` uint8 (n, T, rows, cols, channels); each next frame is "
              "the target",
    "segmentation": "segmentation: `frames` uint8 (n, T, rows, cols, channels) and `masks` "
                    "{0, 1} (n, T, rows, cols, 1)",
    "clip": "clip classification: clips uint8 (n, T, rows, cols, channels) and one label per "
            "clip",
    "captioning": "captioning: images or clips and caption token ids",
}
BUILDERS = ("crnn", "segmenter", "genre", "captioner")


@dataclass(frozen=True)
class ModelPreset:
    """A named model: which builder, with which arguments, for which task."""

    name: str
    paper: str
    description: str
    task: str
    builder: str = "crnn"
    config: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.paper not in PAPERS or self.task not in TASKS or self.builder not in BUILDERS:
            raise ValueError(f"Preset {self.name!r}: paper, task and builder must be keys of "
                             f"PAPERS, TASKS and BUILDERS. Received: {self.paper!r}, "
                             f"{self.task!r}, {self.builder!r}")


# Occluded-sequence paper, §3.2: two 3x3 convs (32, 64 filters, "same", ReLU),
# 2x2 max-pooling, dropout in the CNN and LSTM units, LSTM(256), softmax per
# frame. "-2-S": stride 2 in both convs instead of pooling. "-4-S": an extra
# stride-2 conv (same filters) after each conv, no pooling. The CNN models
# replace the LSTM by a per-frame Dense(256) layer: the same width, no recurrence.
# The paper does not give its dropout rates; 0.25 is used.
_OCCLUSION = {"encoder_dropout": 0.25, "temporal_dropout": 0.25, "temporal_units": 256}
_STRIDE_2 = {"conv_layers": ((32, 2), (64, 2)), "pool_size": None}
_STRIDE_4 = {"conv_layers": ((32, 1), (32, 2), (64, 1), (64, 2)), "pool_size": None}
_OCC = "occluded-sequence-classification-crnn"
_OCC_TEXT = "occluded-sequence paper §3.2"

# Future-appearance paper, §3.2 and Tables 1-2: two 3x3 "valid" convs (64, 128
# filters, tanh), 2x2 max-pooling, flatten (4 x 10752 for 32x16 frames),
# LSTM(384, tanh, hard_sigmoid, orthogonal recurrent kernel, dropout 0.3/0.3),
# a per-step Dense(rows * cols * channels) decoder reshaped to frames. The
# convolutional forecasters (ours) keep full-resolution maps: two 3x3 convs
# (32), a 3x3 ConvGRU2D / ConvLSTM2D (32 filters), a 1x1 conv to colours,
# added to the step's input frame (they predict the change).
_FORECAST = "future-appearance-crnn"
_CONV_FORECASTER = {"conv_layers": ((32, 1), (32, 1)), "pool_size": None,
                    "temporal_units": 32, "head": "images", "residual": True}

# RFCN paper, §3 and Figs. 2-4 (see keras_crnn.models.segmentation).
_RFCN = "recurrent-fcn-video-segmentation"
# Genre paper, §III and Table I (see keras_crnn.models.genre).
_GENRE = "video-genre-classification-crnn"
_LRCN = "lrcn-and-encoder-decoder-lstm"
# LRCN paper §4: a CNN on every frame whose features keep where things are
# (CaffeNet's fc6 there; here the occluded-sequence paper's stride-2 convs,
# flattened), then an LSTM; the baseline classifies single frames.
_LRCN_CNN = {**_OCCLUSION, **_STRIDE_2}

_PRESETS = (
    ModelPreset("CNN", _OCC, f"2 convs, max-pool, per-frame Dense(256): no recurrence "
                f"({_OCC_TEXT})", "frames", config={**_OCCLUSION, "temporal": "dense"}),
    ModelPreset("CNN-2-S", _OCC, f"CNN with stride-2 convs instead of pooling ({_OCC_TEXT})",
                "frames", config={**_OCCLUSION, **_STRIDE_2, "temporal": "dense"}),
    ModelPreset("CNN-4-S", _OCC, f"CNN with an extra stride-2 conv after each conv "
                f"({_OCC_TEXT})", "frames", config={**_OCCLUSION, **_STRIDE_4, "temporal": "dense"}),
    ModelPreset("CRNN", _OCC, f"2 convs, max-pool, LSTM(256) across frames ({_OCC_TEXT})",
                "frames", config={**_OCCLUSION, "temporal": "lstm"}),
    ModelPreset("CRNN-2-S", _OCC, f"CRNN with stride-2 convs instead of pooling ({_OCC_TEXT})",
                "frames", config={**_OCCLUSION, **_STRIDE_2, "temporal": "lstm"}),
    ModelPreset("CRNN-4-S", _OCC, f"CRNN with an extra stride-2 conv after each conv "
                f"({_OCC_TEXT})", "frames", config={**_OCCLUSION, **_STRIDE_4, "temporal": "lstm"}),
    ModelPreset("crnn-gru", "keras_crnn", "CRNN with GRU(256) instead of the LSTM", "frames",
                config={**_OCCLUSION, "temporal": "gru"}),
    ModelPreset("crnn-convlstm2d", "keras_crnn", "CNN per frame, ConvLSTM2D(32, 3x3) on the "
                "feature maps", "frames",
                config={"encoder_dropout": 0.25, "temporal": "convlstm2d", "temporal_units": 32}),
    ModelPreset("crnn-convgru2d", "keras_crnn", "CNN per frame, ConvGRU2D(32, 3x3) on the "
                "feature maps (RFCN eq. 7)", "frames",
                config={"encoder_dropout": 0.25, "temporal": "convgru2d", "temporal_units": 32}),
    ModelPreset("forecast-CRNN", _FORECAST, "2 valid tanh convs, max-pool, LSTM(384), Dense "
                "image decoder (future-appearance paper §3.2)", "images",
                config={"conv_layers": ((64, 1), (128, 1)), "padding": "valid",
                        "conv_activation": "tanh", "temporal": "lstm", "temporal_units": 384,
                        "temporal_dropout": 0.3, "recurrent_dropout": 0.3,
                        "temporal_kwargs": {"activation": "tanh",
                                            "recurrent_activation": "hard_sigmoid",
                                            "recurrent_initializer": "orthogonal"},
                        "head": "images"}),
    ModelPreset("forecast-ConvGRU2D", _FORECAST, "2 convs, ConvGRU2D(32) on full-resolution "
                "maps, 1x1 conv, residual to the input frame (ours, future-appearance Table 3)",
                "images", config={**_CONV_FORECASTER, "temporal": "convgru2d"}),
    ModelPreset("forecast-ConvLSTM2D", _FORECAST, "2 convs, ConvLSTM2D(32) on full-resolution "
                "maps, 1x1 conv, residual to the input frame (ours, future-appearance Table 3)",
                "images", config={**_CONV_FORECASTER, "temporal": "convlstm2d"}),
    ModelPreset("FC-Lenet", _RFCN, "LeNet encoder, 1x1 score, learned upsampling x4 on the last "
                "frame (RFCN §4.1, Table 1)", "segmentation", "segmenter"),
    ModelPreset("FCN-12s", _RFCN, "stride-12 encoder, score, upsampling x12 (RFCN §4.2, "
                "Table 3)", "segmentation", "segmenter"),
    ModelPreset("FC-VGG", _RFCN, "VGG-F encoder, score, upsampling x8, half-resolution masks "
                "(RFCN §4.2, Table 2)", "segmentation", "segmenter"),
    ModelPreset("RFC-Lenet", _RFCN, "FC-Lenet per frame, a GRU per pixel after the upsampling "
                "(RFCN §3, Table 1)", "segmentation", "segmenter"),
    ModelPreset("RFC-12s", _RFCN, "FCN-12s encoder per frame, ConvGRU2D on the coarse map "
                "(RFCN §3, eq. 7, Table 3)", "segmentation", "segmenter"),
    ModelPreset("RFC-VGG", _RFCN, "VGG-F encoder per frame, ConvGRU2D on the coarse map "
                "(RFCN §3, eq. 7, Table 2)", "segmentation", "segmenter"),
    ModelPreset("LSTM", _RFCN, "an LSTM on the flattened frames, one unit per pixel (RFCN "
                "Table 1 baseline)", "segmentation", "segmenter"),
    ModelPreset("GRU", _RFCN, "a GRU on the flattened frames, one unit per pixel (RFCN Table 1 "
                "baseline)", "segmentation", "segmenter"),
    ModelPreset("ConvNet", _GENRE, "the frame encoder on the middle frame, softmax (genre "
                "Table I)", "clip", "genre"),
    ModelPreset("Time distributed CNN", _GENRE, "the encoder and softmax on every frame, "
                "probabilities averaged (genre Table I)", "clip", "genre"),
    ModelPreset("3D ConvNet", _GENRE, "3D convolutions over the clip, softmax (genre Table I)",
                "clip", "genre"),
    ModelPreset("CNN-RNN", _GENRE, "encoder features per frame, SimpleRNN (genre Table I)",
                "clip", "genre"),
    ModelPreset("CNN-LSTM softmax", _GENRE, "per-frame genre scores, LSTM on the scores (genre "
                "§III-B, Table I)", "clip", "genre"),
    ModelPreset("CNN-LSTM pool", _GENRE, "pooled encoder features per frame, a wide LSTM (genre "
                "§III-B, Table I)", "clip", "genre"),
    ModelPreset("LRCN", _LRCN, "activity recognition, many-to-one: a CNN per frame (stride-2 "
                "convs, flattened), LSTM(256), softmax on the last step (LRCN §4)", "clip",
                config={**_LRCN_CNN, "temporal": "lstm", "head": "sequence"}),
    ModelPreset("LRCN-ConvGRU", _LRCN, "LRCN with a ConvGRU2D(32, 3x3) on the CNN's maps instead "
                "of the LSTM on flattened features (ours)", "clip",
                config={**_LRCN_CNN, "temporal": "convgru2d", "temporal_units": 32,
                        "head": "sequence"}),
    ModelPreset("LRCN single frame", _LRCN, "the LRCN baseline: LRCN's CNN and a Dense(256) per "
                "frame, a class per frame (trained on frames labelled with their clip's action; "
                "LRCN §4)", "frames", config={**_LRCN_CNN, "temporal": "dense"}),
    ModelPreset("LRCN image captioner", _LRCN, "one-to-many: image features start an LSTM "
                "decoder and enter it at every step (LRCN §5)", "captioning", "captioner",
                config={"kind": "image", "pooling": "flatten"}),
    ModelPreset("LRCN video captioner", _LRCN, "many-to-many: a CNN per frame, an LSTM encoder "
                "whose state starts the LSTM decoder (LRCN §6)", "captioning", "captioner",
                config={"kind": "video", "pooling": "flatten"}),
)
PRESETS = {preset.name: preset for preset in _PRESETS}
OCCLUSION_MODELS = ("CNN-2-S", "CNN-4-S", "CNN", "CRNN-2-S", "CRNN-4-S", "CRNN")
FORECAST_MODELS = ("forecast-CRNN", "forecast-ConvGRU2D", "forecast-ConvLSTM2D")


def get_preset(name):
    """The `ModelPreset` called `name`.

    Raises:
        ValueError: unknown name, listing the known ones.
    """
    if name not in PRESETS:
        raise ValueError(f"Unknown model. Expected one of {sorted(PRESETS)}. Received: {name!r}")
    return PRESETS[name]


def build_model(name, input_shape, classes=None, **overrides):
    """Builds preset `name` with any of its builder's arguments overridden.

    Args:
        name: a key of `PRESETS` (`keras-crnn list`).
        input_shape: `(time, rows, cols, channels)` for the sequence models;
            for a segmenter `(window, rows, cols, channels)`; for the image
            captioner `(rows, cols, channels)`.
        classes: classes of a classifier (the forecasters and segmenters
            take none; genre models default to 6).
        **overrides: arguments of the preset's builder (`CRNN`,
            `build_segmenter`, `build_genre_model` or `build_captioner`,
            which needs `vocabulary_size` and `max_length`).

    Returns:
        `keras.Model`; under a mixed dtype policy (`keras_crnn.precision`) its
        outputs are cast to float32 by a last layer `float32_outputs`.

    Raises:
        ValueError: unknown preset, or arguments its builder refuses.

    Example:

    >>> build_model("CRNN-2-S", (5, 28, 28, 1), classes=10).output_shape
    (None, 5, 10)
    >>> build_model("RFC-12s", (3, 48, 72, 3), width=0.25).output_shape
    (None, 48, 72, 1)
    """
    preset = get_preset(name)
    input_shape = tuple(input_shape)
    if not input_shape or any(
        d is not None and (isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1)
        for d in input_shape
    ):
        raise ValueError(f"`input_shape` of {name} must hold positive integers (None for a "
                         f"free time length). Received: input_shape={input_shape}")
    model = _build(preset, input_shape, classes, overrides)
    from keras_crnn.precision import is_mixed

    if is_mixed():  # mixed precision: the outputs (and so the losses) stay float32
        import keras

        cast = keras.layers.Activation("linear", dtype="float32", name="float32_outputs")
        model = keras.Model(model.inputs, cast(model.outputs[0]) if len(model.outputs) == 1
                            else [cast(o) for o in model.outputs], name=model.name)
    return model


def _build(preset, input_shape, classes, overrides):
    name = preset.name
    config = {**preset.config, **overrides}
    if preset.builder == "crnn":
        from keras_crnn.models.crnn import CRNN

        config.setdefault("name", name.lower().replace("-", "_").replace(" ", "_"))
        config["temporal_kwargs"] = dict(config.get("temporal_kwargs") or {})
        return CRNN(input_shape, classes, **config)
    if preset.builder == "segmenter":
        from keras_crnn.models.segmentation import build_segmenter

        if len(input_shape) != 4:
            raise ValueError(f"{name} takes windows: `input_shape` must be (window, rows, cols, "
                             f"channels). Received: input_shape={input_shape}")
        return build_segmenter(name, input_shape[1:], window=input_shape[0], **config)
    if preset.builder == "genre":
        from keras_crnn.models.genre import build_genre_model

        return build_genre_model(name, input_shape, classes or 6, **config)
    from keras_crnn.models.lrcn import build_captioner

    missing = [k for k in ("vocabulary_size", "max_length") if k not in config]
    if missing:
        raise ValueError(f"{name} needs {' and '.join(missing)} (the caption vocabulary and "
                         f"decoder length). Received: {sorted(overrides)}")
    kind = config.pop("kind")
    return build_captioner(kind, input_shape, config.pop("vocabulary_size"),
                           config.pop("max_length"), **config)
