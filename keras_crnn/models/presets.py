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

OCCLUSION_MODELS = ("CNN-2-S", "CNN-4-S", "CNN", "CRNN-2-S", "CRNN-4-S", "CRNN")


def build_model(name, input_shape, classes, **overrides):
    """Builds preset `name`, with any `CRNN` argument overridden.

    Raises:
        ValueError: unknown preset name, listing the known ones.
    """
    if name not in PRESETS:
        raise ValueError(f"Unknown model. Expected one of {sorted(PRESETS)}. Received: {name!r}")
    config = {**PRESETS[name]["config"], **overrides}
    config.setdefault("name", name.lower().replace("-", "_"))
    return CRNN(input_shape, classes, **config)
