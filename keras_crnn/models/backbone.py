"""The one convolution stack every builder shares: layers from a spec.

A spec is a sequence whose items are `(filters, kernel_size, strides)` for a
convolution or `("pool", pool_size)` for max-pooling (plain `"pool"` is a
2x2 pooling). The CRNN frame encoder, the RFCN encoders, the genre paper's
small CNN, its audio branch and its 3D ConvNet are all specs for `conv_stack`.
"""

import keras


def conv_stack(x, spec, *, conv=keras.layers.Conv2D, pool=keras.layers.MaxPooling2D,
               padding="same", activation="relu", pool_padding="valid", width=1.0,
               conv_name="conv{}", pool_name="pool{}", wrap=None):
    """Applies the convolutions and poolings of `spec` to the tensor `x`.

    Args:
        x: a Keras tensor, `(batch, rows, cols, channels)` (or with a time
            axis first when `wrap` is `keras.layers.TimeDistributed`, or
            `(batch, time, rows, cols, channels)` for `conv=Conv3D`).
        spec: items `(filters, kernel_size, strides)` or `("pool", size)` /
            `"pool"` (see the module docstring).
        conv, pool: the layer classes (`Conv2D`/`MaxPooling2D`, or
            `Conv3D`/`MaxPooling3D`).
        padding, activation: of every convolution.
        pool_padding: of every pooling.
        width: filters are `max(1, round(filters * width))`.
        conv_name, pool_name: layer names, formatted with the number of
            convolutions so far (`"conv{}"` gives `conv1`, `conv2`, ...; a
            pooling after `conv2` is `pool2`).
        wrap: optional wrapper class applied to every layer (e.g.
            `TimeDistributed`, which then carries the name).

    Returns:
        The output tensor.

    Example:

    >>> inputs = keras.Input((32, 32, 1))
    >>> x = conv_stack(inputs, [(8, 3, 1), "pool", (16, 3, 2)])
    >>> tuple(x.shape)
    (None, 8, 8, 16)
    """
    convs = 0
    for item in spec:
        if item == "pool" or (isinstance(item, tuple | list) and item[0] == "pool"):
            size = 2 if item == "pool" else item[1]
            name = pool_name.format(convs)
            layer = pool(size, padding=pool_padding, name=None if wrap else name)
        else:
            filters, kernel, strides = item
            convs += 1
            name = conv_name.format(convs)
            layer = conv(max(1, round(filters * width)), kernel, strides=strides, padding=padding,
                         activation=activation, name=None if wrap else name)
        x = (wrap(layer, name=name) if wrap else layer)(x)
    return x
