"""Image forecasting metrics on a stated pixel scale: MAE, MSE, SNR, PSNR, SSIM.

All functions take `y_true` and `y_pred` of the same shape `(..., rows, cols,
channels)` (a frame is the last three axes) and a `pixel_scale` by which both are
multiplied first, so a model working on [0, 1] reports on the 0-255 scale of the
future-appearance paper (Table 3) with `pixel_scale=255`.

Two conventions exist for MAE and MSE, and both are offered:
- `reduction="mean"`: the mean over every pixel and channel (the future-appearance
  paper's per-pixel MAE 8.57 / MSE 377.35 on the 0-255 scale).
- `reduction="frame_sum"`: summed over a frame's pixels and channels, then averaged
  over frames, as the OpenSTL forecasting benchmark reports them.
"""

import numpy as np

_REDUCTIONS = ("mean", "frame_sum")


def _pair(y_true, y_pred, pixel_scale):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "`y_true` and `y_pred` must have the same shape. "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    if y_true.size == 0:
        raise ValueError(f"Expected non-empty arrays. Received: shape={y_true.shape}")
    return y_true * pixel_scale, y_pred * pixel_scale


def _reduce(values, reduction):
    if reduction == "mean":
        return float(values.mean())
    if reduction == "frame_sum":
        if values.ndim < 3:
            raise ValueError(
                "`reduction='frame_sum'` needs frames of shape (..., rows, cols, "
                f"channels). Received: shape={values.shape}"
            )
        return float(values.reshape(-1, int(np.prod(values.shape[-3:]))).sum(1).mean())
    raise ValueError(f"`reduction` must be one of {_REDUCTIONS}. Received: reduction={reduction!r}")


def mae(y_true, y_pred, pixel_scale=1.0, reduction="mean"):
    """Mean absolute error; see the module docstring for `reduction`."""
    t, p = _pair(y_true, y_pred, pixel_scale)
    return _reduce(np.abs(t - p), reduction)


def mse(y_true, y_pred, pixel_scale=1.0, reduction="mean"):
    """Mean squared error; see the module docstring for `reduction`."""
    t, p = _pair(y_true, y_pred, pixel_scale)
    return _reduce((t - p) ** 2, reduction)


def snr(y_true, y_pred, pixel_scale=1.0):
    """Signal-to-noise ratio as a linear power ratio, `Σ y_true² / Σ (y_true − y_pred)²`.

    The future-appearance paper reports "SNR 322.55" without a definition; this
    is the textbook power ratio over all pixels (independent of `pixel_scale`).
    Returns `inf` for a perfect prediction.
    """
    t, p = _pair(y_true, y_pred, pixel_scale)
    noise = float(((t - p) ** 2).sum())
    return float("inf") if noise == 0 else float((t**2).sum()) / noise


def snr_db(y_true, y_pred, pixel_scale=1.0):
    """`snr` in decibels, `10 log10(snr)`."""
    return 10.0 * np.log10(snr(y_true, y_pred, pixel_scale))


def psnr(y_true, y_pred, max_value=255.0, pixel_scale=1.0):
    """Peak signal-to-noise ratio in dB, per frame then averaged over frames.

    `PSNR = 10 log10(max_value² / MSE_frame)` with the MSE of each frame (last
    three axes); frames predicted exactly count as `inf` and make the mean `inf`.
    `max_value` is on the scale after `pixel_scale` (255 for 8-bit images).
    """
    t, p = _pair(y_true, y_pred, pixel_scale)
    if t.ndim < 3:
        raise ValueError(f"Expected frames (..., rows, cols, channels). Received: shape={t.shape}")
    frame_mse = ((t - p) ** 2).reshape(-1, int(np.prod(t.shape[-3:]))).mean(1)
    with np.errstate(divide="ignore"):
        return float(np.mean(10.0 * np.log10(max_value**2 / frame_mse)))


def ssim(y_true, y_pred, max_value=255.0, pixel_scale=1.0):
    """Structural similarity (Wang et al. 2004), per frame then averaged.

    Uses TensorFlow's `tf.image.ssim` (11x11 Gaussian window, sigma 1.5,
    k1=0.01, k2=0.03, the reference settings). Frames must be at least 11x11.
    """
    from keras_crnn.runtime import quiet_tensorflow_import

    tf = quiet_tensorflow_import()
    t, p = _pair(y_true, y_pred, pixel_scale)
    if t.ndim < 3 or min(t.shape[-3:-1]) < 11:
        raise ValueError(
            "SSIM needs frames (..., rows, cols, channels) of at least 11x11 "
            f"pixels. Received: shape={t.shape}"
        )
    frames = t.shape[-3:]
    value = tf.image.ssim(
        tf.constant(t.reshape((-1,) + frames), tf.float32),
        tf.constant(p.reshape((-1,) + frames), tf.float32),
        max_val=float(max_value),
    )
    return float(np.mean(value.numpy()))
