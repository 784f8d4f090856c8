"""The one training routine the experiments share: seeded, with a progress bar."""

import time

from keras_crnn.runtime import quiet_tensorflow_import

quiet_tensorflow_import()

# ruff: noqa: E402
import keras
import numpy as np

from keras_crnn import pipelines


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
              description=None, progress=True):
    """Compiles and fits `model` on tf.data datasets, keeping the best
    validation weights (lowest `val_loss`).

    `optimizer` is a Keras optimizer or its name (Keras' default settings).

    Returns:
        dict with `history` (per-epoch metrics) and `seconds` of training.
    """
    keras.utils.set_random_seed(seed)
    model.compile(keras.optimizers.get(optimizer), loss, metrics=metrics)
    callbacks = [keras.callbacks.EarlyStopping("val_loss", patience=epochs,
                                               restore_best_weights=True)]
    if progress:
        callbacks.append(EpochProgress(epochs, description or model.name))
    start = time.perf_counter()
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=0,
                        callbacks=callbacks, shuffle=False)  # the pipeline shuffles, seeded
    seconds = time.perf_counter() - start
    return {"history": {k: [float(v) for v in vals] for k, vals in history.history.items()},
            "seconds": seconds}


def fit_classifier(model, train, validation, epochs, batch_size, seed, learning_rate=1e-3,
                   description=None, progress=True):
    """Compiles and fits a per-frame classifier; keeps the best validation weights.

    Args:
        model: a `keras.Model` with softmax outputs `(batch, time, classes)`.
        train, validation: `(x, y)` with uint8 frames `(n, time, rows, cols,
            channels)` and int labels `(n, time)`.
        epochs, batch_size, seed, learning_rate: training settings (Adam).
        description: label of the progress bar.
        progress: show a progress bar over epochs.

    Returns:
        dict with `history` (per-epoch metrics) and `seconds` of training.
    """
    keras.utils.set_random_seed(seed)
    train_ds = pipelines.make_dataset(*train, batch_size=batch_size, seed=seed, scale=1 / 255)
    val_ds = pipelines.make_dataset(*validation, batch_size=256, shuffle=False, scale=1 / 255)
    return fit_model(model, "sparse_categorical_crossentropy", train_ds, val_ds, epochs, seed,
                     keras.optimizers.Adam(learning_rate), ["accuracy"], description, progress)


def fit_forecaster(model, train, validation, epochs, batch_size, seed, optimizer="adam",
                   description=None, progress=True):
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
                     description=description, progress=progress)


def predict_labels(model, x, batch_size=256):
    """Class scores `(n, time, classes)` for uint8 frames, in batches."""
    ds = pipelines.make_dataset(x, batch_size=batch_size, shuffle=False, scale=1 / 255)
    return np.concatenate([np.asarray(model(batch, training=False)) for batch in ds])


def predict_images(model, x, batch_size=128):
    """Forecasts of a head-"images" model on the 0-255 scale (float, unclipped)
    for uint8 frames, in batches."""
    ds = pipelines.make_dataset(x, batch_size=batch_size, shuffle=False, scale=1 / 255)
    return np.concatenate([np.asarray(model(batch, training=False)) for batch in ds]) * 255.0
