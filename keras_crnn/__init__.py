"""keras_crnn: convolutional recurrent neural networks for Keras 3.

Layers (`keras_crnn.layers`), metrics (`keras_crnn.metrics`), framework-free
data generators and readers (`keras_crnn.datasets`), tf.data pipelines
(`keras_crnn.pipelines`) and model factories (`keras_crnn.models`).

Subpackages are imported on first use, so `keras_crnn.datasets` (numpy and
Pillow only) does not pay for importing TensorFlow.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = ("datasets", "experiments", "layers", "metrics", "models", "pipelines", "plots")


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"keras_crnn.{name}")
    raise AttributeError(f"module 'keras_crnn' has no attribute {name!r}")


__all__ = [*_SUBMODULES, "__version__"]
