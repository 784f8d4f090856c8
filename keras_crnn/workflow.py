"""`keras-crnn train`: train a model preset on a generated dataset folder, resumably.

    keras-crnn generate occluded-digits --out data/occ --num 2000 --seq-len 5
    keras-crnn train CRNN --data data/occ --epochs 10 --out runs/crnn
    # killed? run the same command again: it resumes where it stopped

RUN_DIR receives:

    run.json          the run's settings; a re-run must match them
    backup/           keras.callbacks.BackupAndRestore state (resume point)
    best.keras        the best model on the validation split so far
    history.csv       one row per epoch (appended across resumes)
    logs/             TensorBoard logs
    model.keras       the final model, written atomically at the end
"""

import json
import os
import tempfile
from pathlib import Path

from keras_crnn.runtime import quiet_tensorflow_import

quiet_tensorflow_import()

# ruff: noqa: E402
import keras

from keras_crnn import pipelines
from keras_crnn.datasets import read_shards, split_arrays
from keras_crnn.models import PRESETS, build_model

RUN_FILE = "run.json"


def _check_run(out_dir, settings):
    path = out_dir / RUN_FILE
    if path.is_file():
        previous = json.loads(path.read_text())
        if previous != settings:
            changed = sorted(k for k in settings if previous.get(k) != settings[k])
            raise ValueError(
                f"{out_dir} holds a run with other settings ({', '.join(changed)} differ): "
                f"expected {previous}. Received {settings}. Use another --out to start a new run."
            )
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings, indent=1))


def train(model_name, data_dir, out_dir, epochs=10, batch_size=32, seed=0,
          learning_rate=1e-3, extra_callbacks=(), verbose=1):
    """Trains preset `model_name` on the shards in `data_dir`; resumes if interrupted.

    The data must hold `frames` uint8 `(n, T, rows, cols, channels)` and
    per-frame `labels` int `(n, T)` (e.g. `keras-crnn generate occluded-digits`).
    10 % of the sequences (seeded) are the validation split.

    Returns:
        The trained `keras.Model` (also saved as `out_dir/model.keras`).

    Raises:
        ValueError: unknown model, data without frames/labels, or an `out_dir`
            holding a run with other settings.
    """
    if model_name not in PRESETS:
        raise ValueError(f"Unknown model. Expected one of {sorted(PRESETS)}. "
                         f"Received: {model_name!r}")
    arrays = read_shards(data_dir)
    if "frames" not in arrays or "labels" not in arrays:
        raise ValueError(f"{data_dir} must hold `frames` and per-frame `labels` for "
                         f"classification. Received arrays: {sorted(arrays)}")
    frames, labels = arrays["frames"], arrays["labels"]
    out_dir = Path(out_dir)
    settings = {"model": model_name, "data": str(Path(data_dir).resolve()), "epochs": epochs,
                "batch_size": batch_size, "seed": seed, "learning_rate": learning_rate}
    _check_run(out_dir, settings)
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_val, y_val) = split_arrays([frames, labels], (0.9, 0.1), seed=seed)
    classes = int(labels.max()) + 1
    model = build_model(model_name, frames.shape[1:], classes)
    model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    callbacks = [
        keras.callbacks.BackupAndRestore(str(out_dir / "backup")),
        keras.callbacks.ModelCheckpoint(str(out_dir / "best.keras"), save_best_only=True),
        keras.callbacks.CSVLogger(str(out_dir / "history.csv"), append=True),
        keras.callbacks.TensorBoard(str(out_dir / "logs")),
        keras.callbacks.TerminateOnNaN(),
        *extra_callbacks,
    ]
    model.fit(
        pipelines.make_dataset(x_train, y_train, batch_size=batch_size, seed=seed, scale=1 / 255),
        validation_data=pipelines.make_dataset(x_val, y_val, batch_size=256, shuffle=False,
                                               scale=1 / 255),
        epochs=epochs, callbacks=callbacks, verbose=verbose,
        shuffle=False,  # the tf.data pipeline shuffles, seeded
    )
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".model.", suffix=".keras")
    os.close(fd)
    model.save(tmp)
    os.replace(tmp, out_dir / "model.keras")
    return model


def history(out_dir):
    """The epochs recorded in `out_dir/history.csv`, as a dict of lists."""
    import csv

    with open(Path(out_dir) / "history.csv") as f:
        rows = list(csv.DictReader(f))
    return {key: [float(r[key]) for r in rows] for key in rows[0]} if rows else {}

