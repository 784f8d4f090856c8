"""Errors of image forecasts on the 0-255 scale (the future-appearance paper's Table 3)."""

import numpy as np

from keras_crnn.metrics.image import mae, mse, psnr, snr, snr_db, ssim


def forecast_metrics(last_inputs, truth, predicted):
    """Errors of forecasts on the 0-255 scale, as a dict of metric name to value.

    Args:
        last_inputs: the frames the forecasts start from, `(n, ..., rows, cols, 3)`
            (for the split into changed and static pixels).
        truth, predicted: the targets and the forecasts, the same shape, 0-255
            (`predicted` is clipped to [0, 255]).

    Returns:
        dict: `mae`, `mse`, `snr`, `snr_db`, `psnr`, `ssim`; `mae_changed`,
        `mse_changed` over the pixels that differ between `last_inputs` and
        `truth`, `mae_static`, `mse_static` over the others (NaN when there
        are none); `changed_share`.

    Example:

    >>> truth = np.zeros((1, 16, 16, 3)); truth[0, :8] = 100
    >>> out = forecast_metrics(np.zeros_like(truth), truth, np.zeros_like(truth))
    >>> out["mae_changed"], out["mae_static"], out["changed_share"]
    (100.0, 0.0, 0.5)
    """
    truth = np.asarray(truth, np.float64)
    predicted = np.clip(np.asarray(predicted, np.float64), 0, 255)
    out = {"mae": mae(truth, predicted), "mse": mse(truth, predicted),
           "snr": snr(truth, predicted), "snr_db": snr_db(truth, predicted),
           "psnr": psnr(truth, predicted), "ssim": ssim(truth, predicted)}
    changed = np.any(np.asarray(last_inputs) != truth, axis=-1)
    error = predicted - truth
    for name, where in (("changed", changed), ("static", ~changed)):
        picked = error[where]
        out[f"mae_{name}"] = float(np.abs(picked).mean()) if picked.size else float("nan")
        out[f"mse_{name}"] = float((picked**2).mean()) if picked.size else float("nan")
    out["changed_share"] = float(changed.mean())
    return out
