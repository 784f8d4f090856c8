"""Metrics of the CRNN papers: numpy functions for evaluation and Keras metric
classes for training.

| function | definition | matches |
|---|---|---|
| `mae`, `mse` | mean over pixels (`reduction="mean"`) or sum per frame, mean over frames (`"frame_sum"`) | future-appearance Table 3 / OpenSTL |
| `snr`, `snr_db` | `Σ y² / Σ (y − ŷ)²`, linear and dB | future-appearance Table 3 (definition unstated there) |
| `psnr` | `10 log10(max² / MSE)` per frame, averaged | forecasting benchmarks |
| `ssim` | Wang et al. 2004 via `tf.image.ssim`, per frame, averaged | forecasting benchmarks |
| `precision_recall_f` | eq. 8-9 of the RFCN paper, optional valid mask | RFCN Tables 1-3, CDnet |
| `forecast_metrics` | all of the above for forecasts, split into changed and static pixels | future-appearance Table 3 |
| `frame_accuracy`, `sequence_accuracy` | per frame / all frames of a sequence right | occluded-sequence Tables 1-3 |
"""

from keras_crnn.metrics.forecast import forecast_metrics
from keras_crnn.metrics.image import mae, mse, psnr, snr, snr_db, ssim
from keras_crnn.metrics.segmentation import (
    SegmentationCounts,
    average_measures,
    cdnet_targets,
    precision_recall_f,
)
from keras_crnn.metrics.sequence import (
    accuracy_standard_error,
    frame_accuracy,
    sequence_accuracy,
)
from keras_crnn.runtime import quiet_tensorflow_import

quiet_tensorflow_import()

from keras_crnn.metrics.keras_metrics import PSNR, FMeasure, SequenceAccuracy  # noqa: E402

__all__ = [
    "mae", "mse", "snr", "snr_db", "psnr", "ssim", "forecast_metrics",
    "SegmentationCounts", "average_measures", "cdnet_targets", "precision_recall_f",
    "frame_accuracy", "sequence_accuracy", "accuracy_standard_error",
    "FMeasure", "SequenceAccuracy", "PSNR",
]
