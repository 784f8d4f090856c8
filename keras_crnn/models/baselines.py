"""Forecasting baselines without parameters, on the same inputs as the models.

Both map input frames `(n, time, rows, cols, channels)` (ages 10-25 in the
future-appearance paper) to a forecast of every next frame, the same shape
(ages 15-30), like the forecasters' outputs.
"""

import numpy as np


def _frames(frames):
    frames = np.asarray(frames)
    if frames.ndim != 5 or frames.shape[1] < 1:
        raise ValueError("Expected frames (n, time, rows, cols, channels) with time >= 1. "
                         f"Received: shape={frames.shape}")
    return frames


def copy_last_frame(frames):
    """Forecasts each next frame as the current one: `ŷ[t] = x[t]`.

    >>> copy_last_frame(np.arange(3.0).reshape(1, 3, 1, 1, 1)).ravel().tolist()
    [0.0, 1.0, 2.0]
    """
    return _frames(frames).copy()


def linear_extrapolation(frames, value_range=(0, 255)):
    """Extends the change of the last two frames: `ŷ[t] = 2 x[t] - x[t-1]`.

    The first step, which has one frame only, copies it. Forecasts are
    clipped to `value_range` (None: no clipping) and keep the input dtype.

    >>> x = np.array([10.0, 20.0, 25.0]).reshape(1, 3, 1, 1, 1)
    >>> linear_extrapolation(x).ravel().tolist()
    [10.0, 30.0, 30.0]
    """
    frames = _frames(frames)
    x = frames.astype(np.float64)
    forecast = x.copy()
    forecast[:, 1:] = 2 * x[:, 1:] - x[:, :-1]
    if value_range is not None:
        forecast = np.clip(forecast, *value_range)
    if np.issubdtype(frames.dtype, np.integer):
        forecast = np.rint(forecast)
    return forecast.astype(frames.dtype)


BASELINES = {"copy-last-frame": copy_last_frame, "linear-extrapolation": linear_extrapolation}
