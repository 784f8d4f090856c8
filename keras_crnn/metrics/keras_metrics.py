"""`keras.metrics` classes for training: F-measure, sequence accuracy, PSNR.

They accumulate over batches like Keras' own metrics and match the numpy
functions of `keras_crnn.metrics` on the same data.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_crnn")
class FMeasure(keras.metrics.Metric):
    """Pixel F-measure `2PR / (P + R)` accumulated over batches (RFCN eq. 8-9).

    Pixels whose `sample_weight` is 0 are not counted: pass the CDnet "valid"
    mask (see `keras_crnn.metrics.cdnet_targets`) as the sample weight.

    Args:
        threshold: predictions above it are foreground.
        name, dtype: as for any Keras metric.

    Example:

    >>> m = FMeasure()
    >>> m.update_state([[1, 0, 1]], [[0.9, 0.8, 0.2]])
    >>> round(float(m.result()), 3)
    0.5
    """

    def __init__(self, threshold=0.5, name="f_measure", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.threshold = float(threshold)
        self.tp = self.add_variable(shape=(), initializer="zeros", name="tp")
        self.fp = self.add_variable(shape=(), initializer="zeros", name="fp")
        self.fn = self.add_variable(shape=(), initializer="zeros", name="fn")

    def update_state(self, y_true, y_pred, sample_weight=None):
        t = ops.cast(ops.cast(y_true, self.dtype) > 0.5, self.dtype)
        p = ops.cast(ops.cast(y_pred, self.dtype) > self.threshold, self.dtype)
        w = ops.ones_like(t) if sample_weight is None else ops.cast(sample_weight, self.dtype)
        w = ops.broadcast_to(w, ops.shape(t))
        self.tp.assign_add(ops.sum(t * p * w))
        self.fp.assign_add(ops.sum((1 - t) * p * w))
        self.fn.assign_add(ops.sum(t * (1 - p) * w))

    def precision(self):
        return ops.divide_no_nan(self.tp, self.tp + self.fp)

    def recall(self):
        return ops.divide_no_nan(self.tp, self.tp + self.fn)

    def result(self):
        p, r = self.precision(), self.recall()
        return ops.divide_no_nan(2 * p * r, p + r)

    def reset_state(self):
        for v in (self.tp, self.fp, self.fn):
            v.assign(0.0)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


@keras.saving.register_keras_serializable(package="keras_crnn")
class SequenceAccuracy(keras.metrics.Metric):
    """Fraction of sequences whose every frame is classified right.

    `y_true`: integer labels `(batch, time)`; `y_pred`: scores
    `(batch, time, classes)`.
    """

    def __init__(self, name="sequence_accuracy", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.correct = self.add_variable(shape=(), initializer="zeros", name="correct")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        labels = ops.cast(ops.convert_to_tensor(y_true), "int32")
        if len(labels.shape) == 3:  # (batch, time, 1) sparse labels
            labels = ops.squeeze(labels, -1)
        predicted = ops.cast(ops.argmax(y_pred, axis=-1), "int32")
        right = ops.cast(ops.all(ops.equal(labels, predicted), axis=-1), self.dtype)
        self.correct.assign_add(ops.sum(right))
        self.count.assign_add(ops.cast(ops.shape(right)[0], self.dtype))

    def result(self):
        return ops.divide_no_nan(self.correct, self.count)

    def reset_state(self):
        self.correct.assign(0.0)
        self.count.assign(0.0)


@keras.saving.register_keras_serializable(package="keras_crnn")
class PSNR(keras.metrics.Mean):
    """Mean per-frame PSNR in dB; frames are the last three axes.

    Args:
        max_value: the peak value of the data as fed (1.0 for images in [0, 1]).
    """

    def __init__(self, max_value=1.0, name="psnr", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.max_value = float(max_value)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, self.dtype)
        y_pred = ops.cast(y_pred, self.dtype)
        frame_mse = ops.mean(ops.square(y_true - y_pred), axis=(-3, -2, -1))
        values = 10.0 * ops.log10(self.max_value**2 / frame_mse)
        super().update_state(ops.reshape(values, (-1,)))

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value}
