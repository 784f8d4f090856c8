"""1D convolutional GRU layer."""

import keras

from keras_crnn.layers.conv_gru import CONV_GRU_DOCSTRING, ConvGRU


@keras.saving.register_keras_serializable(package="keras_crnn")
class ConvGRU1D(ConvGRU):
    __doc__ = CONV_GRU_DOCSTRING.format(
        rank=1,
        ndim=4,
        input_shape="(batch, time, steps, channels)",
        output_sequences="(batch, time, new_steps, filters)",
        output_last="(batch, new_steps, filters)",
        example="(4, 6, 32, 3)",
    )

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(rank=1, filters=filters, kernel_size=kernel_size, **kwargs)
