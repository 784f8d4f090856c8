"""Functional-API model factories: the general `CRNN` builder and named presets."""

from keras_crnn.runtime import quiet_tensorflow_import

quiet_tensorflow_import()

# ruff: noqa: E402
from keras_crnn.models.crnn import CRNN, HEADS, TEMPORAL_LAYERS
from keras_crnn.models.presets import OCCLUSION_MODELS, PRESETS, build_model

__all__ = ["CRNN", "HEADS", "TEMPORAL_LAYERS", "OCCLUSION_MODELS", "PRESETS", "build_model"]
