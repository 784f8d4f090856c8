"""Future-appearance forecasting of growing pines: Table 3 and Figures 3-7.

`keras-crnn reproduce forecast-table3|forecast-activations|forecast-lstm-activations|
forecast-optimizers|forecast-batch-sizes --scale quick|cpu|paper`.

Data: the paper's L-studio pines are not available; every run grows its own
with `keras_crnn.datasets.lsystem` (one individual per series, ages 10-30,
32x16 colour images), split as the paper does into 3463 training and 384 test
series (cpu and paper scale). A tenth of the training series is held out for
validation (the paper does not say how it validated). Inputs are ages 10-25,
targets ages 15-30; pixels are scaled to [0, 1] for training and the errors are
reported on the 0-255 scale.

- Table 3: the paper's CRNN beside copy-last-frame, linear extrapolation and
  two convolutional forecasters (ConvGRU2D, ConvLSTM2D). Metrics on the age-30
  frame: MAE, MSE, SNR (`keras_crnn.metrics.snr`, a linear power ratio), SNR
  in dB, PSNR, SSIM, and MAE/MSE split into the pixels that change between the
  age-25 input and the age-30 target (`*_changed`) and those that do not
  (`*_static`); the same on all four forecast frames (`*_all_frames`); and the
  minimum validation loss (MSE on the [0, 1] scale). Paper: MAE 8.57,
  MSE 377.35, SNR 322.55, min val-loss 6.24e-4.
- Figures 3-6: learning curves of the CRNN with other conv activations,
  LSTM activations, optimizers and batch sizes (paper: tanh, tanh/hard_sigmoid,
  Adam and batch 16 were best). Figure 7: real and forecast pines.

On the paper's SNR: it gives no definition. Under ours (Σ y² / Σ (y − ŷ)²) an
MSE of 377.35 with SNR 322.55 would need a mean signal power of
322.55 × 377.35 ≈ 121700, above 255² = 65025, the most any 0-255 image can
have; so the paper's SNR is some other quantity and only our rows compare with
each other.
"""

import functools
from dataclasses import dataclass

import numpy as np

PAPER_TABLE3 = {"mae": 8.57, "mse": 377.35, "snr": 322.55, "min_val_loss": 6.24e-4}
MODELS = {"CRNN": "forecast-CRNN", "ConvGRU2D-forecaster": "forecast-ConvGRU2D",
          "ConvLSTM2D-forecaster": "forecast-ConvLSTM2D"}
BASELINES = ("copy-last-frame", "linear-extrapolation")
DATASETS = ("pines",)

# Series per split and training length. The paper trains 95 epochs at batch 16.
# At cpu scale the CRNN (17.8 M parameters) trains at about 37 series/s on an
# idle 2-core CPU, so Table 3 uses 10 epochs and the figures, which train 3-4
# CRNNs each, use 500 training series and 4 epochs: early learning curves only.
SCALES = {
    "quick": {"train": 96, "test": 32, "epochs": 2, "batch_size": 16,
              "figure_train": 32, "figure_epochs": 2},
    "cpu": {"train": 3463, "test": 384, "epochs": 10, "batch_size": 16,
            "figure_train": 500, "figure_epochs": 4},
    "paper": {"train": 3463, "test": 384, "epochs": 95, "batch_size": 16,
              "figure_train": 3463, "figure_epochs": 95},
}
VALIDATION_SHARE = 0.1
IMAGE_SIZE = (32, 16)


@dataclass
class ForecastData:
    """Pine series split for forecasting: `(inputs, targets)` uint8 pairs of
    shape `(n, 4, rows, cols, 3)` (ages 10-25 and 15-30), and `series` with all
    five ages of the test individuals."""

    train: tuple
    validation: tuple
    test: tuple
    source: str


@functools.lru_cache(maxsize=4)
def _series(count, size, seed):
    from keras_crnn.datasets.lsystem import pine_series

    images, _ = pine_series(count, size=size, seed=seed)
    images.setflags(write=False)
    return images


def forecast_data(scale="quick", seed=0, train=None, size=IMAGE_SIZE):
    """Grows `train + test` pines of `scale` (cached) and splits them.

    Args:
        scale: a key of `SCALES`.
        seed: int seed of the L-system.
        train: use only the first `train` training series (the figures).
        size: `(rows, cols)` of the images.

    Returns:
        `ForecastData`; the test split is the same for every `train`.
    """
    settings = SCALES[scale]
    images = _series(settings["train"] + settings["test"], tuple(size), seed)
    pool, test = images[: settings["train"]], images[settings["train"]:]
    pool = pool[: train or settings["train"]]
    held_out = max(1, int(round(VALIDATION_SHARE * len(pool))))
    fit, validation = pool[:-held_out], pool[-held_out:]

    def pairs(series):
        return series[:, :-1], series[:, 1:]

    source = (f"L-system pines generated here (keras_crnn.datasets.lsystem, seed {seed}): "
              f"{len(fit)} training, {len(validation)} validation, {len(test)} test series "
              f"of ages 10-30, {size[0]}x{size[1]}x3")
    return ForecastData(pairs(fit), pairs(validation), pairs(test), source)


def forecast_metrics(last_inputs, truth, predicted):
    """Errors of forecasts on the 0-255 scale, as a dict of metric name to value.

    Args:
        last_inputs: the frames the forecasts start from, `(n, ..., rows, cols, 3)`
            (for the split into changed and static pixels).
        truth, predicted: the targets and the forecasts, the same shape, 0-255.
    """
    from keras_crnn.metrics import mae, mse, psnr, snr, snr_db, ssim

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


def _add_metrics(table, model, inputs, truth, predicted, min_val_loss=None):
    """Rows for the age-30 frame and for all four forecasts."""
    paper = PAPER_TABLE3 if model == "CRNN" else {}
    last = forecast_metrics(inputs[:, -1], truth[:, -1], predicted[:, -1])
    every = forecast_metrics(inputs, truth, predicted)
    for metric, value in last.items():
        table.add(model, "pines", metric, value, paper.get(metric))
    for metric in ("mae", "mse", "snr", "psnr", "ssim", "mae_changed", "mae_static"):
        table.add(model, "pines", f"{metric}_all_frames", every[metric])
    if min_val_loss is not None:
        table.add(model, "pines", "min_val_loss", min_val_loss, paper.get("min_val_loss"))


def _train(preset, data, epochs, batch_size, seed, progress, description, optimizer="adam",
           **overrides):
    from keras_crnn.experiments.training import fit_forecaster
    from keras_crnn.models import build_model

    model = build_model(preset, data.train[0].shape[1:], **overrides)
    fit = fit_forecaster(model, data.train, data.validation, epochs, batch_size, seed,
                         optimizer=optimizer, description=description, progress=progress)
    return model, fit


def _encode(images):
    """uint8 images as (shape, hex string), compact inside the results JSON."""
    images = np.ascontiguousarray(images, np.uint8)
    return {"shape": list(images.shape), "hex": images.tobytes().hex()}


def decode_images(encoded):
    """The uint8 array stored by the experiments in `table.extras`."""
    return np.frombuffer(bytes.fromhex(encoded["hex"]), np.uint8).reshape(encoded["shape"])


def table3(scale="quick", dataset="pines", data_dir=None, seed=0, progress=True):
    """Table 3: forecasting the age-30 pine (CRNN and baselines)."""
    from keras_crnn.experiments.results import ResultsTable
    from keras_crnn.experiments.training import predict_images
    from keras_crnn.models import BASELINES as BASELINE_FUNCTIONS

    settings = SCALES[scale]
    data = forecast_data(scale, seed)
    table = ResultsTable("forecast-table3", "Forecasting the age-30 pine (Table 3)", scale,
                         data.source, seed, settings["epochs"])
    x_test, y_test = data.test
    table.extras.update(batch_size=settings["batch_size"], histories={}, train_seconds={},
                        parameters={})
    for name in BASELINES:
        _add_metrics(table, name, x_test, y_test, BASELINE_FUNCTIONS[name](x_test))
    shown = np.arange(min(6, len(x_test)))
    examples = {"indices": shown.tolist(), "series": _encode(
        np.concatenate([x_test[shown], y_test[shown, -1:]], axis=1))}
    for name, preset in MODELS.items():
        model, fit = _train(preset, data, settings["epochs"], settings["batch_size"], seed,
                            progress, name)
        predicted = predict_images(model, x_test)
        _add_metrics(table, name, x_test, y_test, predicted, min(fit["history"]["val_loss"]))
        table.extras["histories"][name] = fit["history"]
        table.extras["train_seconds"][name] = round(fit["seconds"], 1)
        table.extras["parameters"][name] = model.count_params()
        examples[name] = _encode(np.rint(np.clip(predicted[shown, -1], 0, 255)))
    table.extras["examples"] = examples
    return table


# Figures 3-6: (label, CRNN overrides, optimizer, batch size or None for the scale's).
FIGURE_VARIANTS = {
    "forecast-activations": (
        "Conv activations (Fig. 3)",
        [(a, {"conv_activation": a}, "adam", None) for a in ("tanh", "relu", "selu")]),
    "forecast-lstm-activations": (
        "LSTM activation x recurrent activation (Fig. 4)",
        [(f"{a}/{r}", {"temporal_kwargs": {"activation": a, "recurrent_activation": r,
                                           "recurrent_initializer": "orthogonal"}}, "adam", None)
         for a in ("tanh", "selu") for r in ("tanh", "hard_sigmoid")]),
    "forecast-optimizers": (
        "Optimizers (Fig. 5)",
        [(o, {}, o.lower(), None) for o in ("Adam", "Nadam", "RMSprop", "SGD")]),
    "forecast-batch-sizes": (
        "Batch sizes (Fig. 6)", [(f"batch {b}", {}, "adam", b) for b in (8, 16, 32, 64)]),
}


def learning_curves(name, scale="quick", dataset="pines", data_dir=None, seed=0, progress=True):
    """Learning curves of CRNN variants (Figures 3-6), with their test errors."""
    from keras_crnn.experiments.results import ResultsTable
    from keras_crnn.experiments.training import predict_images

    title, variants = FIGURE_VARIANTS[name]
    settings = SCALES[scale]
    data = forecast_data(scale, seed, train=settings["figure_train"])
    table = ResultsTable(name, f"CRNN learning curves: {title}", scale, data.source, seed,
                         settings["figure_epochs"])
    table.extras.update(histories={}, train_seconds={}, variable=title)
    x_test, y_test = data.test
    for label, overrides, optimizer, batch_size in variants:
        model, fit = _train("forecast-CRNN", data, settings["figure_epochs"],
                            batch_size or settings["batch_size"], seed, progress,
                            f"CRNN {label}", optimizer=optimizer, **overrides)
        predicted = predict_images(model, x_test)
        history = fit["history"]
        table.add(label, "pines", "min_val_loss", min(history["val_loss"]))
        table.add(label, "pines", "final_val_loss", history["val_loss"][-1])
        last = forecast_metrics(x_test[:, -1], y_test[:, -1], predicted[:, -1])
        for metric in ("mae", "mse"):
            table.add(label, "pines", metric, last[metric])
        table.extras["histories"][label] = history
        table.extras["train_seconds"][label] = round(fit["seconds"], 1)
    return table


def _figure_experiment(name):
    def run(scale="quick", dataset="pines", data_dir=None, seed=0, progress=True):
        return learning_curves(name, scale, dataset, data_dir, seed, progress)

    run.__doc__ = f"{FIGURE_VARIANTS[name][0]}: CRNN learning curves."
    run.__name__ = name.replace("-", "_")
    return run


EXPERIMENTS = {"forecast-table3": table3,
               **{name: _figure_experiment(name) for name in FIGURE_VARIANTS}}
TABLE3_COLUMNS = ("mae", "mse", "snr", "snr_db", "psnr", "ssim", "mae_changed", "mae_static",
                  "mse_changed", "mse_static", "mae_all_frames", "mse_all_frames",
                  "min_val_loss")
FIGURE_COLUMNS = ("min_val_loss", "final_val_loss", "mae", "mse")


def to_markdown(table):
    """The results as one wide table (models as rows), paper numbers beneath."""
    columns = TABLE3_COLUMNS if table.name == "forecast-table3" else FIGURE_COLUMNS
    return table.to_wide_markdown(columns)


def figure(table):
    """Fig. 7 for Table 3 (real vs forecast pines), learning curves otherwise."""
    from keras_crnn import plots

    if table.name == "forecast-table3":
        examples = table.extras["examples"]
        forecasts = {name: decode_images(examples[name]) for name in MODELS if name in examples}
        return plots.plot_forecasts(decode_images(examples["series"]), forecasts)
    return plots.plot_learning_curves(table.extras["histories"], ("loss", "val_loss"),
                                      log_scale=True)
