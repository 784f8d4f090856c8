"""2D convolutional GRU layer."""

import keras

from keras_crnn.layers.conv_gru import CONV_GRU_DOCSTRING, ConvGRU


@keras.saving.register_keras_serializable(package="keras_crnn")
class ConvGRU2D(ConvGRU):
    __doc__ = CONV_GRU_DOCSTRING.format(
        rank=2,
        ndim=5,
        input_shape="(batch, time, rows, cols, channels)",
        output_sequences="(batch, time, new_rows, new_cols, filters)",
        output_last="(batch, new_rows, new_cols, filters)",
        example="(4, 6, 16, 16, 3)",
    )

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(rank=2, filters=filters, kernel_size=kernel_size, **kwargs)
