"""Training precision: float32 (the default) or mixed bfloat16.

`mixed_bfloat16` computes in bfloat16 and keeps the weights in float32
(`keras.mixed_precision`); on a CPU with AVX512_BF16 its matmuls run about
1.7x faster. Models built under it by `keras_crnn.models.build_model` end in
a float32 cast, so their outputs (and the losses) stay float32.

    with precision("mixed_bfloat16"):
        model = build_model("CRNN", (5, 28, 28, 1), classes=10)
"""

import contextlib

PRECISIONS = ("float32", "mixed_bfloat16")


def check_precision(name):
    """`name` if it is one of `PRECISIONS`, else a ValueError naming them."""
    if name not in PRECISIONS:
        raise ValueError(f"`precision` must be one of {PRECISIONS}. Received: precision={name!r}")
    return name


@contextlib.contextmanager
def precision(name):
    """Sets Keras' global dtype policy to `name` inside the block, and back after."""
    import keras

    check_precision(name)
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(before)


def is_mixed():
    """Whether the global dtype policy computes in another dtype than float32."""
    import keras

    return keras.config.dtype_policy().compute_dtype != "float32"
