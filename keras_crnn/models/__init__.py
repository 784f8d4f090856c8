"""Functional-API model factories: the general `CRNN` builder and named presets."""

from keras_crnn.runtime import quiet_tensorflow_import

quiet_tensorflow_import()

# ruff: noqa: E402
from keras_crnn.models.baselines import BASELINES, copy_last_frame, linear_extrapolation
from keras_crnn.models.crnn import CRNN, HEADS, TEMPORAL_LAYERS
from keras_crnn.models.presets import FORECAST_MODELS, OCCLUSION_MODELS, PRESETS, build_model

__all__ = ["CRNN", "HEADS", "TEMPORAL_LAYERS", "OCCLUSION_MODELS", "FORECAST_MODELS", "PRESETS",
           "BASELINES", "build_model", "copy_last_frame", "linear_extrapolation"]
