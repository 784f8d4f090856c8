"""Named models: each preset is data for `CRNN`, with a description.

`build_model(name, input_shape, classes, **overrides)` builds one. Names follow
the papers (`CRNN`, `CNN-2-S`, ...); generic variants are in lower case.
"""

from keras_crnn.models.crnn import CRNN

# Occluded-sequence paper, §3.2: two 3x3 convs (32, 64 filters, "same", ReLU),
# 2x2 max-pooling, dropout in the CNN and LSTM units, LSTM(256), softmax per
# frame. "-2-S": stride 2 in both convs instead of pooling. "-4-S": an extra
# stride-2 conv (same filters) after each conv, no pooling. The CNN models
# replace the LSTM by a per-frame Dense(256) layer: the same width, no recurrence.
# The paper does not give its dropout rates; 0.25 is used.
_OCCLUSION = {"encoder_dropout": 0.25, "temporal_dropout": 0.25, "temporal_units": 256}
_STRIDE_2 = {"conv_layers": ((32, 2), (64, 2)), "pool_size": None}
_STRIDE_4 = {"conv_layers": ((32, 1), (32, 2), (64, 1), (64, 2)), "pool_size": None}
_PAPER = "occluded-sequence paper §3.2"

PRESETS = {
    "CNN": {
        "description": f"2 convs, max-pool, per-frame Dense(256): no recurrence ({_PAPER})",
        "config": {**_OCCLUSION, "temporal": "dense"},
    },
    "CNN-2-S": {
        "description": f"CNN with stride-2 convs instead of pooling ({_PAPER})",
        "config": {**_OCCLUSION, **_STRIDE_2, "temporal": "dense"},
    },
    "CNN-4-S": {
        "description": f"CNN with an extra stride-2 conv after each conv ({_PAPER})",
        "config": {**_OCCLUSION, **_STRIDE_4, "temporal": "dense"},
    },
    "CRNN": {
        "description": f"2 convs, max-pool, LSTM(256) across frames ({_PAPER})",
        "config": {**_OCCLUSION, "temporal": "lstm"},
    },
    "CRNN-2-S": {
        "description": f"CRNN with stride-2 convs instead of pooling ({_PAPER})",
        "config": {**_OCCLUSION, **_STRIDE_2, "temporal": "lstm"},
    },
    "CRNN-4-S": {
        "description": f"CRNN with an extra stride-2 conv after each conv ({_PAPER})",
        "config": {**_OCCLUSION, **_STRIDE_4, "temporal": "lstm"},
    },
    "crnn-gru": {
        "description": "CRNN with GRU(256) instead of the LSTM",
        "config": {**_OCCLUSION, "temporal": "gru"},
    },
    "crnn-convlstm2d": {
        "description": "CNN per frame, ConvLSTM2D(32, 3x3) on the feature maps",
        "config": {"encoder_dropout": 0.25, "temporal": "convlstm2d", "temporal_units": 32},
    },
    "crnn-convgru2d": {
        "description": "CNN per frame, ConvGRU2D(32, 3x3) on the feature maps (RFCN eq. 7)",
        "config": {"encoder_dropout": 0.25, "temporal": "convgru2d", "temporal_units": 32},
    },
}

# Future-appearance paper, §3.2 and Tables 1-2: two 3x3 "valid" convs (64, 128
# filters, tanh), 2x2 max-pooling, flatten (4 x 10752 for 32x16 frames),
# LSTM(384, tanh, hard_sigmoid, orthogonal recurrent kernel, dropout 0.3/0.3),
# a per-step Dense(rows * cols * channels) decoder reshaped to frames.
_FORECAST = "future-appearance paper §3.2"
# The convolutional forecasters keep full-resolution maps: two 3x3 convs (32),
# a 3x3 ConvGRU2D / ConvLSTM2D (32 filters), a 1x1 conv to colours, added to
# the step's input frame (they predict the change from the current frame).
_CONV_FORECASTER = {"conv_layers": ((32, 1), (32, 1)), "pool_size": None,
                    "temporal_units": 32, "head": "images", "residual": True}

PRESETS.update({
    "forecast-CRNN": {
        "description": f"2 valid tanh convs, max-pool, LSTM(384), Dense image decoder "
                       f"({_FORECAST})",
        "config": {"conv_layers": ((64, 1), (128, 1)), "padding": "valid",
                   "conv_activation": "tanh", "temporal": "lstm", "temporal_units": 384,
                   "temporal_dropout": 0.3, "recurrent_dropout": 0.3,
                   "temporal_kwargs": {"activation": "tanh",
                                       "recurrent_activation": "hard_sigmoid",
                                       "recurrent_initializer": "orthogonal"},
                   "head": "images"},
    },
    "forecast-ConvGRU2D": {
        "description": "2 convs, ConvGRU2D(32) on full-resolution maps, 1x1 conv, "
                       "residual to the input frame",
        "config": {**_CONV_FORECASTER, "temporal": "convgru2d"},
    },
    "forecast-ConvLSTM2D": {
        "description": "2 convs, ConvLSTM2D(32) on full-resolution maps, 1x1 conv, "
                       "residual to the input frame",
        "config": {**_CONV_FORECASTER, "temporal": "convlstm2d"},
    },
})

OCCLUSION_MODELS = ("CNN-2-S", "CNN-4-S", "CNN", "CRNN-2-S", "CRNN-4-S", "CRNN")
FORECAST_MODELS = ("forecast-CRNN", "forecast-ConvGRU2D", "forecast-ConvLSTM2D")


def build_model(name, input_shape, classes=None, **overrides):
    """Builds preset `name`, with any `CRNN` argument overridden.

    `classes` is needed by the classifiers, not by the forecasters
    (`forecast-*`, head "images").

    Raises:
        ValueError: unknown preset name, listing the known ones.
    """
    if name not in PRESETS:
        raise ValueError(f"Unknown model. Expected one of {sorted(PRESETS)}. Received: {name!r}")
    config = {**PRESETS[name]["config"], **overrides}
    config.setdefault("name", name.lower().replace("-", "_"))
    config["temporal_kwargs"] = dict(config.get("temporal_kwargs") or {})
    return CRNN(input_shape, classes, **config)
