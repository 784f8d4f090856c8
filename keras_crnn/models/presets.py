"""Named models: each preset is data for `CRNN`, with a description.

`build_model(name, input_shape, classes, **overrides)` builds one; the paper
issues add the papers' exact models here.
"""

from keras_crnn.models.crnn import CRNN

PRESETS = {
    "cnn": {
        "description": "Per-frame CNN with a Dense(256) layer and no recurrence (baseline).",
        "config": {"temporal": "dense"},
    },
    "crnn-lstm": {
        "description": "CNN per frame, flattened, LSTM(256) across frames.",
        "config": {"temporal": "lstm"},
    },
    "crnn-gru": {
        "description": "CNN per frame, flattened, GRU(256) across frames.",
        "config": {"temporal": "gru"},
    },
    "crnn-convlstm2d": {
        "description": "CNN per frame, ConvLSTM2D(32, 3x3) on the feature maps.",
        "config": {"temporal": "convlstm2d", "temporal_units": 32},
    },
    "crnn-convgru2d": {
        "description": "CNN per frame, ConvGRU2D(32, 3x3) on the feature maps (eq. 7).",
        "config": {"temporal": "convgru2d", "temporal_units": 32},
    },
}


def build_model(name, input_shape, classes, **overrides):
    """Builds preset `name`, with any `CRNN` argument overridden.

    Raises:
        ValueError: unknown preset name, listing the known ones.
    """
    if name not in PRESETS:
        raise ValueError(f"Unknown model. Expected one of {sorted(PRESETS)}. Received: {name!r}")
    config = {**PRESETS[name]["config"], **overrides}
    config.setdefault("name", name.replace("-", "_"))
    return CRNN(input_shape, classes, **config)
