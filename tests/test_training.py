"""keras_crnn.training: early stopping keeps the best epoch; the demo's CNN vs CRNN."""

import keras
import numpy as np
import tensorflow as tf

from keras_crnn.training import fit_model


def test_early_stopping_stops_and_restores_the_best_epoch():
    # Validation labels are the opposite of the training labels: the better the
    # model fits the training set, the higher its validation loss.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    train = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    val = tf.data.Dataset.from_tensor_slices((x, 1 - y)).batch(256)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    fit = fit_model(model, "binary_crossentropy", train, val, epochs=30, seed=0,
                    optimizer=keras.optimizers.Adam(0.05), progress=False, patience=2)
    losses = fit["history"]["val_loss"]
    assert fit["epochs"] == len(losses) == fit["best_epoch"] + 2 < 30  # stopped early
    assert losses[-1] > losses[fit["best_epoch"] - 1]
    restored = model.evaluate(val, verbose=0)
    np.testing.assert_allclose(restored, min(losses), rtol=1e-5)


def test_the_demo_trains_cnn_and_crnn_and_reports_the_gap():
    from keras_crnn.experiments.occlusion import demo

    tiny = {"train_images": 300, "test_images": 150, "epochs": 2, "patience": 1}
    result = demo(seed=0, progress=False, settings=tiny)
    for name in ("CNN", "CRNN"):
        r = result[name]
        assert 0 <= r["accuracy"] <= 100 and 0 < r["stderr"] < 10 and 1 <= r["epochs"] <= 2
        assert r["frames"] % 5 == 0 and r["frames"] > 0
    assert result["gap"] == result["CRNN"]["accuracy"] - result["CNN"]["accuracy"]
    assert result["settings"]["train_images"] == 300 and "offline digits" in result["source"]
