"""Recurrent layers of keras_crnn (registered under the package "keras_crnn")."""

from keras_crnn.runtime import quiet_tensorflow_import

quiet_tensorflow_import()

# ruff: noqa: E402

from keras_crnn.layers.conv_gru import ConvGRU, ConvGRUCell
from keras_crnn.layers.conv_gru1d import ConvGRU1D
from keras_crnn.layers.conv_gru2d import ConvGRU2D
from keras_crnn.layers.conv_gru3d import ConvGRU3D
from keras_crnn.layers.lstm import LSTM

__all__ = ["ConvGRU", "ConvGRUCell", "ConvGRU1D", "ConvGRU2D", "ConvGRU3D", "LSTM"]
