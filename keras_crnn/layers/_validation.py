"""Argument checks shared by the layers; messages end with "Received: ..."."""

import math

import numpy as np


def _is_int(value):
    """A Python or numpy integer (not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def positive_int(value, name):
    if not _is_int(value) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


def int_tuple(value, rank, name):
    """Standardises an int or an iterable of `rank` positive ints to a tuple."""
    error = ValueError(f"`{name}` must be a positive integer or a tuple of {rank} positive "
                       f"integers. Received: {name}={value!r}")
    if _is_int(value):
        values = (value,) * rank
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise error from None
    if len(values) != rank or not all(_is_int(x) and x >= 1 for x in values):
        raise error
    return tuple(int(x) for x in values)


def padding(value):
    mode = str(value).lower()
    if mode not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={value!r}")
    return mode


def rate(value, name):
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"`{name}` must be a float in [0, 1). Received: {name}={value!r}")
    return float(value)


def conv_output_spatial(spatial, kernel_size, strides, padding_mode, dilation_rate):
    """Spatial output size of a convolution, `None` where the input's is."""
    out = []
    for n, k, s, d in zip(spatial, kernel_size, strides, dilation_rate, strict=True):
        if n is None:
            out.append(None)
        elif padding_mode == "same":
            out.append(math.ceil(n / s))
        else:
            out.append((n - d * (k - 1) - 1) // s + 1)
    return tuple(out)
