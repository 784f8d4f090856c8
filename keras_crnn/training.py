"""Training below both the user's workflow and the paper experiments.

`fit_model` is the one seeded fit (a progress bar over epochs, early stopping
on the validation loss, best weights restored); `fit_classifier`,
`fit_forecaster` and `fit_segmenter` set up each task's pipeline and loss;
`three_stage_recipe` is the RFCN paper's recipe; `predict_labels`,
`predict_images` and `predict_masks` run a model over uint8 frames in batches.
Nothing here imports `keras_crnn.experiments`.
"""

import time

from keras_crnn.runtime import quiet_tensorflow_import

quiet_tensorflow_import()

# ruff: noqa: E402
import keras
import numpy as np

from keras_crnn import pipelines
from keras_crnn.datasets.core import check_frames


class EpochProgress(keras.callbacks.Callback):
    """A tqdm bar over epochs showing the latest losses and accuracies."""

    def __init__(self, epochs, description):
        super().__init__()
        self.epochs = epochs
        self.description = description
        self.bar = None

    def on_train_begin(self, logs=None):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=self.epochs, desc=self.description, unit="epoch", leave=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        shown = {k: f"{v:.3f}" for k, v in logs.items() if "loss" in k or "acc" in k}
        self.bar.set_postfix(shown)
        self.bar.update(1)

    def on_train_end(self, logs=None):
        self.bar.close()


def fit_model(model, loss, train_ds, val_ds, epochs, seed, optimizer="adam", metrics=None,
              description=None, progress=True, patience=None):
    """Compiles and fits `model` on tf.data datasets, keeping the best
    validation weights (lowest `val_loss`).

    Args:
        epochs: the most epochs to train.
        optimizer: a Keras optimizer or its name (Keras' default settings).
        patience: stop after this many epochs without a lower `val_loss`
            (early stopping); None trains all `epochs`. Either way the
            weights of the best epoch are restored.

    Returns:
        dict with `history` (per-epoch metrics), `seconds` of training,
        `epochs` trained and the 1-based `best_epoch`.
    """
    keras.utils.set_random_seed(seed)
    model.compile(keras.optimizers.get(optimizer), loss, metrics=metrics)
    callbacks = [keras.callbacks.EarlyStopping("val_loss", patience=patience or epochs,
                                               restore_best_weights=True)]
    if progress:
        callbacks.append(EpochProgress(epochs, description or model.name))
    start = time.perf_counter()
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=0,
                        callbacks=callbacks, shuffle=False)  # the pipeline shuffles, seeded
    seconds = time.perf_counter() - start
    curves = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    losses = curves.get("val_loss") or [0.0]
    return {"history": curves, "seconds": seconds, "epochs": len(losses),
            "best_epoch": int(np.argmin(losses)) + 1}


def fit_classifier(model, train, validation, epochs, batch_size, seed, learning_rate=1e-3,
                   description=None, progress=True, patience=None):
    """Compiles and fits a per-frame classifier; keeps the best validation weights.

    Args:
        model: a `keras.Model` with softmax outputs `(batch, time, classes)`.
        train, validation: `(x, y)` with uint8 frames `(n, time, rows, cols,
            channels)` and int labels `(n, time)`; `train` may instead be a
            `keras.utils.PyDataset` of scaled batches, such as
            `pipelines.EpochSequences` (a new draw every epoch).
        epochs, batch_size, seed, learning_rate: training settings (Adam).
        description: label of the progress bar.
        progress: show a progress bar over epochs.
        patience: early stopping (see `fit_model`).

    Returns:
        dict, as `fit_model`.
    """
    keras.utils.set_random_seed(seed)
    if isinstance(train, keras.utils.PyDataset):
        train_ds = train
    else:
        train_ds = pipelines.make_dataset(*train, batch_size=batch_size, seed=seed,
                                          scale=1 / 255)
    val_ds = pipelines.make_dataset(*validation, batch_size=256, shuffle=False, scale=1 / 255)
    return fit_model(model, "sparse_categorical_crossentropy", train_ds, val_ds, epochs, seed,
                     keras.optimizers.Adam(learning_rate), ["accuracy"], description, progress,
                     patience)


def fit_forecaster(model, train, validation, epochs, batch_size, seed, optimizer="adam",
                   description=None, progress=True, patience=None):
    """Fits an image forecaster with the MSE on the [0, 1] scale (the
    future-appearance paper's loss); keeps the best validation weights.

    Args:
        model: a `keras.Model` with head "images".
        train, validation: `(inputs, targets)`, uint8 frames `(n, time, rows,
            cols, channels)` each.
        optimizer: a Keras optimizer or its name.

    Returns:
        dict with `history` and `seconds`, as `fit_model`.
    """
    keras.utils.set_random_seed(seed)
    train_ds = pipelines.make_dataset(*train, batch_size=batch_size, seed=seed, scale=1 / 255,
                                      target_scale=1 / 255)
    val_ds = pipelines.make_dataset(*validation, batch_size=128, shuffle=False, scale=1 / 255,
                                    target_scale=1 / 255)
    return fit_model(model, "mse", train_ds, val_ds, epochs, seed, optimizer,
                     description=description, progress=progress, patience=patience)


def predict_labels(model, x, batch_size=256):
    """Class scores `(n, time, classes)` for uint8 frames, in batches."""
    x = check_frames(x, "x")
    ds = pipelines.make_dataset(x, batch_size=batch_size, shuffle=False, scale=1 / 255)
    return np.concatenate([np.asarray(model(batch, training=False)) for batch in ds])


def predict_images(model, x, batch_size=128):
    """Forecasts of a head-"images" model on the 0-255 scale (float, unclipped)
    for uint8 frames, in batches."""
    x = check_frames(x, "x")
    ds = pipelines.make_dataset(x, batch_size=batch_size, shuffle=False, scale=1 / 255)
    return np.concatenate([np.asarray(model(batch, training=False)) for batch in ds]) * 255.0


def segmentation_dataset(frames, masks, window, batch_size, seed=0, shuffle=True,
                         drop_remainder=False):
    """Sliding windows of `window` frames and the mask of each window's last
    frame, scaled to [0, 1] (`pipelines.make_dataset`)."""
    return pipelines.make_dataset(frames, masks, batch_size=batch_size, seed=seed,
                                  shuffle=shuffle, window=window, window_targets="last",
                                  scale=1 / 255, target_scale=1.0,
                                  drop_remainder=drop_remainder)


def fit_segmenter(model, train, validation, epochs, batch_size, seed, learning_rate=1.0,
                  trainable=None, description=None, progress=True, patience=None):
    """Fits a segmentation model on sliding windows as the RFCN paper does:
    Adadelta, logistic loss, early stopping (best validation weights kept).

    Args:
        model: a model of `keras_crnn.models.segmentation`.
        train, validation: `(frames, masks)`, uint8 frames `(n, T, rows, cols,
            channels)` and {0, 1} masks `(n, T, out_rows, out_cols, 1)`.
        learning_rate: Adadelta's (1.0, the rate of the original Adadelta).
        trainable: if given, only the layers with these names train (the
            others are frozen for this fit).

    Returns:
        dict with `history` and `seconds`, as `fit_model`.
    """
    window = model.input_shape[1]
    flags = [(layer, layer.trainable) for layer in _all_layers(model)]
    if trainable is not None:
        for layer in model.layers:
            if layer.name not in trainable:
                layer.trainable = False
    train_ds = segmentation_dataset(*train, window, batch_size, seed)
    val_ds = segmentation_dataset(*validation, window, 64, shuffle=False)
    fit = fit_model(model, "binary_crossentropy", train_ds, val_ds, epochs, seed,
                    keras.optimizers.Adadelta(learning_rate), description=description,
                    progress=progress, patience=patience)
    for layer, flag in flags:  # as they were (frozen pretrained layers stay frozen)
        layer.trainable = flag
    return fit


def _all_layers(layer):
    """`layer` and every layer inside it (models, wrappers), depth first."""
    children = list(getattr(layer, "layers", []))
    if hasattr(layer, "layer"):  # TimeDistributed, Bidirectional-like wrappers
        children.append(layer.layer)
    out = [layer]
    for child in children:
        out.extend(_all_layers(child))
    return out


def stage_patience(patience):
    """`patience` of `three_stage_recipe` (None, one number, or one per stage)
    as one per stage: `(fcn, recurrent alone, end to end)`."""
    if not isinstance(patience, tuple | list):
        return (patience,) * 3
    if len(patience) != 3:
        raise ValueError(f"`patience` must be one number or one per stage (3). "
                         f"Received: patience={patience!r}")
    return tuple(patience)


def three_stage_recipe(fcn, build_recurrent, train, validation, epochs, batch_size, seed,
                       progress=True, on_stage=None, patience=None):
    """The RFCN paper's training: the FCN, then its recurrent unit alone on the
    frozen FCN ("GRU pretrained"), then everything end to end (RFC).

    Args:
        fcn: a fully convolutional model (`FC-Lenet`, `FCN-12s`, `FC-VGG`).
        build_recurrent: `fcn -> recurrent model` sharing the FCN's encoder,
            score and upsampling layers (`build_segmenter(..., fcn=fcn)`).
        train, validation: as `fit_segmenter`.
        epochs: `(fcn, recurrent alone, end to end)` epochs (the most, with
            `patience`).
        patience: early-stopping patience of every stage (None: none), or
            one per stage as `epochs`.
        on_stage: optional `callback(stage_name, model, fit)` after each stage
            (e.g. to evaluate it): stages `"fcn"`, `"pretrained"`, `"rfc"`.
            Stages 2 and 3 train the same recurrent model, so a callback
            that wants a stage's weights must use them before it returns.

    Returns:
        The recurrent model after stage 3 (the FCN shares its trained layers).
    """
    fcn_epochs, gru_epochs, rfc_epochs = epochs
    patience = stage_patience(patience)
    fit = fit_segmenter(fcn, train, validation, fcn_epochs, batch_size, seed,
                        description=f"{fcn.name} (stage 1)", progress=progress,
                        patience=patience[0])
    if on_stage:
        on_stage("fcn", fcn, fit)
    recurrent = build_recurrent(fcn)
    shared = {"encoder", "score", "upsample", "last_frame"}
    heads = [layer.name for layer in recurrent.layers if layer.name not in shared]
    fit = fit_segmenter(recurrent, train, validation, gru_epochs, batch_size, seed,
                        trainable=heads, description=f"{recurrent.name} (stage 2)",
                        progress=progress, patience=patience[1])
    if on_stage:
        on_stage("pretrained", recurrent, fit)
    fit = fit_segmenter(recurrent, train, validation, rfc_epochs, batch_size, seed,
                        description=f"{recurrent.name} (stage 3)", progress=progress,
                        patience=patience[2])
    if on_stage:
        on_stage("rfc", recurrent, fit)
    return recurrent


def predict_masks(model, frames, batch_size=64):
    """Masks of every window's last frame: `(n, T - window + 1, out_rows,
    out_cols, 1)` probabilities for uint8 frames `(n, T, ...)`."""
    frames = check_frames(frames)
    window = model.input_shape[1]
    ds = pipelines.make_dataset(frames, batch_size=batch_size, shuffle=False, window=window,
                                scale=1 / 255)
    masks = np.concatenate([np.asarray(model(batch, training=False)) for batch in ds])
    return masks.reshape((len(frames), -1) + masks.shape[1:])
