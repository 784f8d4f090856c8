"""Functional-API model factories: the general `CRNN` builder, the papers'
builders (`segmentation`, `genre`, `lrcn`) and one registry of named presets
(`PRESETS`, `build_model`) over all of them."""

from keras_crnn.runtime import quiet_tensorflow_import

quiet_tensorflow_import()

# ruff: noqa: E402
from keras_crnn.models.baselines import BASELINES, copy_last_frame, linear_extrapolation
from keras_crnn.models.crnn import CRNN, HEADS, TEMPORAL_LAYERS
from keras_crnn.models.presets import (
    FORECAST_MODELS,
    OCCLUSION_MODELS,
    PAPERS,
    PRESETS,
    TASKS,
    ModelPreset,
    build_model,
    get_preset,
)

__all__ = ["CRNN", "HEADS", "TEMPORAL_LAYERS", "OCCLUSION_MODELS", "FORECAST_MODELS", "PRESETS",
           "PAPERS", "TASKS", "ModelPreset", "get_preset",
           "BASELINES", "build_model", "copy_last_frame", "linear_extrapolation"]
