"""3D convolutional GRU layer."""

import keras

from keras_crnn.layers.conv_gru import CONV_GRU_DOCSTRING, ConvGRU


@keras.saving.register_keras_serializable(package="keras_crnn")
class ConvGRU3D(ConvGRU):
    __doc__ = CONV_GRU_DOCSTRING.format(
        rank=3,
        ndim=6,
        input_shape="(batch, time, depth, rows, cols, channels)",
        output_sequences="(batch, time, new_depth, new_rows, new_cols, filters)",
        output_last="(batch, new_depth, new_rows, new_cols, filters)",
        example="(2, 4, 8, 8, 8, 1)",
    )

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(rank=3, filters=filters, kernel_size=kernel_size, **kwargs)
