"""Future-appearance forecasting of growing pines: Table 3 and Figures 3-7.

`keras-crnn reproduce forecast-table3|forecast-activations|forecast-lstm-activations|
forecast-optimizers|forecast-batch-sizes --scale tiny|quick|cpu|paper`.

Data: the paper's L-studio pines are not available; every run grows its own
(`keras_crnn.datasets.forecasting.pine_splits`: one individual per series,
ages 10-30, 32x16 colour images), split as the paper does into 3463 training
and 384 test series (cpu and paper scale). A tenth of the training series is held out for
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

import numpy as np

from keras_crnn.experiments.record import Experiment, Finding
from keras_crnn.experiments.results import encode_images

PAPER_TABLE3 = {"mae": 8.57, "mse": 377.35, "snr": 322.55, "min_val_loss": 6.24e-4}
MODELS = {"CRNN": "forecast-CRNN", "ConvGRU2D-forecaster": "forecast-ConvGRU2D",
          "ConvLSTM2D-forecaster": "forecast-ConvLSTM2D"}
BASELINES = ("copy-last-frame", "linear-extrapolation")
DATASETS = ("pines",)

# Series in the training pool and the test split, series used for training
# (None: the whole pool), and training length. The paper trains 95 epochs at
# batch 16. At cpu scale the CRNN (17.8 M parameters) trains at about 60
# series/s on an idle 2-core CPU, so Table 3 uses 10 epochs. The figures
# train 12 distinct CRNNs (the baseline is shared) per seed, each to its
# floor: 1000 of the series (900 train, 100 validation), early stopping with
# patience 4 and at most 40 epochs, 2 training seeds. Images are the paper's
# 32x16 at every scale.
_TABLE3 = {
    "tiny": {"train": 40, "test": 8, "used": None, "epochs": 1, "batch_size": 16,
             "patience": None, "size": (32, 16)},
    "quick": {"train": 96, "test": 32, "used": None, "epochs": 2, "batch_size": 16,
              "patience": None, "size": (32, 16)},
    "cpu": {"train": 3463, "test": 384, "used": None, "epochs": 10, "batch_size": 16,
            "patience": None, "size": (32, 16)},
    "paper": {"train": 3463, "test": 384, "used": None, "epochs": 95, "batch_size": 16,
              "patience": None, "size": (32, 16)},
}
_FIGURES = {
    "tiny": {**_TABLE3["tiny"], "used": 16, "seeds": 2},
    "quick": {**_TABLE3["quick"], "used": 32, "epochs": 4, "patience": 1, "seeds": 2},
    "cpu": {**_TABLE3["cpu"], "used": 1000, "epochs": 40, "patience": 4, "seeds": 2},
    "paper": {**_TABLE3["paper"], "patience": 10, "seeds": 3},
}


def forecast_data(run):
    """The pine splits of `run` (`keras_crnn.datasets.forecasting.pine_splits`)."""
    from keras_crnn.datasets.forecasting import pine_splits

    s = run.settings
    return pine_splits(s["train"], s["test"], run.seed, used=s["used"], size=s["size"])


def _add_metrics(table, model, inputs, truth, predicted, min_val_loss=None):
    """Rows for the age-30 frame and for all four forecasts."""
    from keras_crnn.metrics import forecast_metrics

    paper = PAPER_TABLE3 if model == "CRNN" else {}
    last = forecast_metrics(inputs[:, -1], truth[:, -1], predicted[:, -1])
    every = forecast_metrics(inputs, truth, predicted)
    for metric, value in last.items():
        table.add(model, "pines", metric, value, paper.get(metric))
    for metric in ("mae", "mse", "snr", "psnr", "ssim", "mae_changed", "mae_static"):
        table.add(model, "pines", f"{metric}_all_frames", every[metric])
    if min_val_loss is not None:
        table.add(model, "pines", "min_val_loss", min_val_loss, paper.get("min_val_loss"))


def _train(run, preset, data, description, optimizer="adam", batch_size=None, **overrides):
    """Builds preset `preset`, fits it and returns `(model, fit, test forecasts)`."""
    from keras_crnn.models import build_model
    from keras_crnn.training import fit_forecaster, predict_images

    s = run.settings
    model = build_model(preset, data.train[0].shape[1:], **overrides)
    fit = fit_forecaster(model, data.train, data.validation, s["epochs"],
                         batch_size or s["batch_size"], run.seed, optimizer=optimizer,
                         description=description, progress=run.progress,
                         patience=s["patience"])
    return model, fit, predict_images(model, data.test[0])


def table3(run):
    """Table 3: forecasting the age-30 pine (CRNN and baselines)."""
    from keras_crnn.models import BASELINES as BASELINE_FUNCTIONS

    data = forecast_data(run)
    table = run.results_table(data.source)
    x_test, y_test = data.test
    table.extras.update(batch_size=run.settings["batch_size"], parameters={})
    for name in BASELINES:
        _add_metrics(table, name, x_test, y_test, BASELINE_FUNCTIONS[name](x_test))
    shown = np.arange(min(6, len(x_test)))
    examples = {"indices": shown.tolist(), "series": encode_images(
        np.concatenate([x_test[shown], y_test[shown, -1:]], axis=1))}
    for name, preset in MODELS.items():
        model, fit, predicted = _train(run, preset, data, name)
        _add_metrics(table, name, x_test, y_test, predicted, min(fit["history"]["val_loss"]))
        table.record_fit(name, fit, run.settings["epochs"])
        table.extras["parameters"][name] = model.count_params()
        examples[name] = encode_images(np.rint(np.clip(predicted[shown, -1], 0, 255)))
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


def _variant_fit(run, data, label, overrides, optimizer, batch_size, seed):
    """One CRNN variant trained with training seed `seed`: its history, fit
    record and age-30 test errors, kept in the run's cache under the
    variant's full configuration (so the baseline of Figures 3-6, tanh /
    hard-sigmoid / Adam / batch 16, is trained once per seed)."""
    from keras_crnn.metrics import forecast_metrics
    from keras_crnn.models import get_preset

    s = {k: v for k, v in run.settings.items() if k != "seeds"}
    batch_size = batch_size or s["batch_size"]
    key = {"what": "forecast-figure-fit", "preset": "forecast-CRNN",
           "config": {**get_preset("forecast-CRNN").config, **overrides},
           "optimizer": optimizer, "settings": {**s, "batch_size": batch_size},
           "data_seed": run.seed, "seed": seed}

    def compute():
        from keras_crnn.models import build_model
        from keras_crnn.training import fit_forecaster, predict_images

        model = build_model("forecast-CRNN", data.train[0].shape[1:], **overrides)
        fit = fit_forecaster(model, data.train, data.validation, s["epochs"], batch_size, seed,
                             optimizer=optimizer, description=f"CRNN {label} (seed {seed})",
                             progress=run.progress, patience=s["patience"])
        x_test, y_test = data.test
        errors = forecast_metrics(x_test[:, -1], y_test[:, -1],
                                  predict_images(model, x_test)[:, -1])
        return {"fit": {k: fit[k] for k in ("history", "seconds", "epochs", "best_epoch")},
                "mae": errors["mae"], "mse": errors["mse"]}

    return run.cached(key, compute)


def learning_curves(run):
    """Learning curves of CRNN variants (Figures 3-6), over seeds.

    Every variant trains with early stopping on the validation loss (at most
    the scale's `epochs`, best weights kept) once per training seed
    (`run.seed`, `run.seed + 1`, ... `seeds` of them, on the same data
    split). Rows hold means over seeds with `std`: the minimum and final
    validation loss, their ratio less one (`val_loss_rise`: how far the
    curve climbed in the `patience` epochs after its minimum, the
    over-fitting the paper reads off its curves), the best epoch, and the
    age-30 test MAE and MSE; copy-last-frame's test errors sit beside them.
    `extras["histories"]` holds one curve per variant and seed
    (`"LABEL (seed S)"`).
    """
    from keras_crnn.metrics import forecast_metrics
    from keras_crnn.models import BASELINES as BASELINE_FUNCTIONS

    title, variants = FIGURE_VARIANTS[run.experiment.name]
    s = run.settings
    seeds = [run.seed + i for i in range(s["seeds"])]
    data = forecast_data(run)
    table = run.results_table(data.source)
    table.extras.update(variable=title, seeds=seeds, variants=[v[0] for v in variants])
    x_test, y_test = data.test
    copy_last = forecast_metrics(x_test[:, -1], y_test[:, -1],
                                 BASELINE_FUNCTIONS["copy-last-frame"](x_test)[:, -1])
    for label, overrides, optimizer, batch_size in variants:
        runs = [_variant_fit(run, data, label, overrides, optimizer, batch_size, seed)
                for seed in seeds]
        histories = [r["fit"]["history"]["val_loss"] for r in runs]
        per_seed = {
            "min_val_loss": [min(h) for h in histories],
            "final_val_loss": [h[-1] for h in histories],
            "val_loss_rise": [h[-1] / min(h) - 1 for h in histories],
            "best_epoch": [r["fit"]["best_epoch"] for r in runs],
            "mae": [r["mae"] for r in runs], "mse": [r["mse"] for r in runs]}
        for metric, values in per_seed.items():
            table.add_over_seeds(label, "pines", metric, values, seeds)
        for seed, r in zip(seeds, runs, strict=True):
            table.record_fit(f"{label} (seed {seed})", r["fit"], s["epochs"])
    for metric in ("mae", "mse"):
        table.add("copy-last-frame", "pines", metric, copy_last[metric])
    return table


def _figure_record(name, claims):
    from keras_crnn.experiments import reports

    title = FIGURE_VARIANTS[name][0]
    return Experiment(
        name, _PAPER, title.split("(")[-1].rstrip(")"), f"CRNN learning curves: {title}",
        f"The paper's CRNN with one choice changed ({title.split(' (')[0].lower()}): learning "
        "curves (training and validation loss) trained to their floor by early stopping, "
        "minimum and final validation loss, best epoch, age-30 MAE and MSE: means ± std over "
        "training seeds, beside copy-last-frame.", learning_curves, _FIGURES, DATASETS, findings=claims,
        summary_metrics=reports.FORECAST_FIGURE_COLUMNS, markdown=reports.forecast_markdown,
        figure=reports.forecast_figure)


def _records():
    from keras_crnn.experiments import reports

    return (
        Experiment(
            "forecast-table3", _PAPER, "Table 3", "Forecasting the age-30 pine (Table 3)",
            "The paper's CRNN (17.8 M parameters) forecasts ages 15-30 from ages 10-25, beside "
            "copy-last-frame, linear extrapolation and two small convolutional forecasters "
            "(ours); errors on the age-30 frame, 0-255 scale.", table3, _TABLE3, DATASETS,
            PAPER_TABLE3,
            findings=(Finding("the CRNN forecasts better than copying the last frame (MSE)",
                              "beats", "mse", ("CRNN",), ("copy-last-frame",),
                              higher_is_better=False),),
            summary_metrics=("mae", "mse", "snr", "psnr", "ssim", "mae_changed",
                             "mae_static"),
            markdown=reports.forecast_markdown, figure=reports.forecast_figure),
        _figure_record("forecast-activations", (
            Finding("tanh convolutions beat selu (Fig. 3)", "beats", "min_val_loss", ("tanh",),
                    ("selu",), higher_is_better=False),
            Finding("relu is no better than tanh (Fig. 3: tanh ≈ relu)", "atleast",
                    "min_val_loss", ("tanh",), ("relu",), higher_is_better=False),
            _beats_copy_last(("tanh", "relu", "selu")))),
        _figure_record("forecast-lstm-activations", (
            Finding("a hard-sigmoid recurrent step beats tanh (Fig. 4)", "beats",
                    "min_val_loss", ("*/hard_sigmoid",), ("*/tanh",), higher_is_better=False),
            _beats_copy_last(("*/*",)))),
        _figure_record("forecast-optimizers", (
            Finding("Adam beats SGD (Fig. 5)", "beats", "min_val_loss", ("Adam",), ("SGD",),
                    higher_is_better=False),
            Finding("Adam reaches a lower validation loss than Nadam (Fig. 5: Adam is "
                    "\"stable and outstanding\")", "beats", "min_val_loss", ("Adam",),
                    ("Nadam",), higher_is_better=False),
            Finding("Adam over-fits less than Nadam (Fig. 5)", "beats", "val_loss_rise",
                    ("Adam",), ("Nadam",), higher_is_better=False),
            _beats_copy_last(("Adam", "Nadam", "RMSprop")))),
        _figure_record("forecast-batch-sizes", (
            Finding("batch 16 is best (Fig. 6)", "beats", "min_val_loss", ("batch 16",),
                    ("batch 8", "batch 32", "batch 64"), higher_is_better=False),
            Finding("batch 64 reaches its minimum earlier than batch 16 (Fig. 6: larger "
                    "batches over-fit earlier)", "beats", "best_epoch", ("batch 64",),
                    ("batch 16",), higher_is_better=False),
            _beats_copy_last(("batch *",)))),
    )


def _beats_copy_last(variants):
    return Finding("every variant forecasts better than copying the last frame (age-30 MSE)",
                   "all_beat", "mse", variants, ("copy-last-frame",), higher_is_better=False)


_PAPER = "future-appearance-crnn"
EXPERIMENTS = _records()
