"""Per-frame and whole-sequence classification accuracy (occluded-sequence paper)."""

import numpy as np


def _labels(y_true, y_pred):
    """Integer labels from labels or per-class scores `(..., classes)`."""
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    if p.ndim == t.ndim + 1:
        p = p.argmax(-1)
    if t.shape != p.shape:
        raise ValueError(
            "`y_true` must hold labels of shape (batch, time) and `y_pred` labels of "
            "the same shape or scores of shape (batch, time, classes). Received: "
            f"y_true.shape={t.shape}, y_pred.shape={np.asarray(y_pred).shape}"
        )
    if t.ndim != 2:
        raise ValueError(f"Expected labels of shape (batch, time). Received: shape={t.shape}")
    return t, p


def frame_accuracy(y_true, y_pred):
    """Fraction of frames classified right, over all frames of all sequences (0-1)."""
    t, p = _labels(y_true, y_pred)
    return float(np.mean(t == p))


def sequence_accuracy(y_true, y_pred):
    """Fraction of sequences with every frame classified right (0-1)."""
    t, p = _labels(y_true, y_pred)
    return float(np.mean(np.all(t == p, axis=1)))


def accuracy_standard_error(accuracy, count):
    """Binomial standard error `sqrt(a (1 - a) / n)` of an accuracy over `count` trials."""
    if count < 1:
        raise ValueError(f"`count` must be positive. Received: count={count}")
    return float(np.sqrt(accuracy * (1.0 - accuracy) / count))
