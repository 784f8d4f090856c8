"""`keras-crnn train`: train a model preset on a generated dataset folder, resumably.

    keras-crnn generate occluded-digits --out data/occ --num 2000 --seq-len 5
    keras-crnn train CRNN --data data/occ --epochs 10 --out runs/crnn
    # killed? run the same command again: it resumes where it stopped

    keras-crnn generate pines --out data/pines --num 2000 --seq-len 5
    keras-crnn train forecast-CRNN --data data/pines --batch-size 16 --out runs/pines

Classifier presets learn per-frame `labels`; forecaster presets (`forecast-*`,
head "images") learn each next frame of the `frames` (inputs: all frames but
the last; targets: all but the first).

RUN_DIR receives:

    run.json          the run's settings; a re-run must match them
    backup/           the resume point (`keras_crnn.callbacks.RunBackup`), until
                      model.keras is written
    best.keras        the best model on the validation split so far (its best
                      val_loss carries over a resume)
    history.csv       one row per finished epoch, each epoch once across resumes
    logs/             TensorBoard logs
    model.keras       the final model, written atomically at the end; running a
                      finished command again changes nothing
"""

import contextlib
import json
import os
import tempfile
from pathlib import Path

from keras_crnn.runtime import quiet_tensorflow_import

quiet_tensorflow_import()

# ruff: noqa: E402
import keras
import numpy as np

from keras_crnn import pipelines
from keras_crnn.atomic import atomic_path
from keras_crnn.callbacks import InterruptBetweenBatches, RunBackup
from keras_crnn.datasets import check_frames, read_shards, split_arrays
from keras_crnn.models import TASKS, build_model, get_preset
from keras_crnn.models.segmentation import label_downsample
from keras_crnn.precision import check_precision
from keras_crnn.precision import precision as policy

RUN_FILE = "run.json"


def _check_run(out_dir, settings, write=True):
    """Checks that `out_dir` is new or holds a run with `settings`; a new run
    gets its run.json (unless `write` is False: a worker that is not the
    chief only checks)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"`out` must be a run folder. Received: {out_dir}, a file")
    path = out_dir / RUN_FILE
    if path.is_file():
        previous = json.loads(path.read_text())
        if previous != settings:
            changed = sorted(k for k in settings if previous.get(k) != settings[k])
            raise ValueError(
                f"{out_dir} holds a run with other settings ({', '.join(changed)} differ): "
                f"expected {previous}. Received {settings}. Use another --out to start a new run."
            )
    elif write:
        out_dir.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(settings, indent=1))


# Keras 3's `fit` does not run under tf.distribute.MultiWorkerMirroredStrategy
# (keras-team/keras#20585): several processes train with `workers=N`
# (keras_crnn.distributed: Keras' DataParallel on JAX) instead.
STRATEGIES = ("none", "mirrored")


def distribution_strategy(name):
    """`None`, or a `tf.distribute` strategy: `mirrored` (this machine's GPUs, or
    its logical devices: see `keras_crnn.runtime.split_cpu`)."""
    if name in (None, "none"):
        return None
    import tensorflow as tf

    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    raise ValueError(f"`strategy` must be one of {STRATEGIES}. Received: {name!r}")


TRAINABLE_TASKS = {"frames": ("frames", "labels"), "images": ("frames",),
                   "segmentation": ("frames", "masks")}
GENERATED_FOR = {"frames": "occluded-digits", "images": "pines", "segmentation": "moving-digits"}


def is_forecaster(model_name):
    """Whether preset `model_name` forecasts images (task "images")."""
    return get_preset(model_name).task == "images"


def _forecast_pairs(frames):
    """Inputs (all frames but the last) and targets (all but the first)."""
    if frames.shape[1] < 2:
        raise ValueError(f"Forecasting needs sequences of at least 2 frames. "
                         f"Received: frames.shape={frames.shape}")
    return frames[:, :-1], frames[:, 1:]


def _training_arrays(arrays, data_dir, preset):
    """`(inputs, targets)` of a dataset for `preset`'s task, checked: frames and
    labels (classification), frames and next frames (forecasting), frames and
    masks (segmentation)."""
    task = preset.task
    if task not in TRAINABLE_TASKS:
        raise ValueError(f"{preset.name} learns {TASKS[task]}; `keras-crnn train` trains the "
                         f"presets of tasks {sorted(TRAINABLE_TASKS)} on dataset folders. "
                         f"Build it with keras_crnn.models.build_model and fit it in Python.")
    needed = TRAINABLE_TASKS[task]
    if any(name not in arrays for name in needed):
        raise ValueError(f"{preset.name} learns {TASKS[task]} (e.g. `keras-crnn generate "
                         f"{GENERATED_FOR[task]}`): {data_dir} must hold "
                         f"{', '.join(needed)}. Received arrays: {sorted(arrays)}")
    frames = check_frames(arrays["frames"], "frames")
    if task == "images":
        return _forecast_pairs(frames)
    targets = np.asarray(arrays[needed[1]])
    if not np.issubdtype(targets.dtype, np.integer):
        kind = "class indices" if task == "frames" else "0/1 mask values"
        raise ValueError(f"`{needed[1]}` must be integers ({kind}). "
                         f"Received: dtype={targets.dtype}")
    expected = frames.shape[:2] if task == "frames" else frames.shape[:4] + (1,)
    if targets.shape != expected:
        raise ValueError(f"`{needed[1]}` must have shape {expected} for these frames. "
                         f"Received: {needed[1]}.shape={targets.shape}")
    if targets.min() < 0:
        raise ValueError(f"`{needed[1]}` must be >= 0. Received: min={targets.min()}")
    return frames, targets


def _compile(model, task, learning_rate):
    optimizer = keras.optimizers.Adam(learning_rate)
    if task == "images":
        model.compile(optimizer, "mse", metrics=["mae"])
    elif task == "segmentation":
        model.compile(optimizer, "binary_crossentropy", metrics=["accuracy"])
    else:
        model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])


def _pipeline(task, window, x, y, batch_size, seed, shuffle, drop_remainder):
    """Batches of a task's inputs and targets, frames scaled to [0, 1]."""
    if task == "segmentation":  # windows of frames, the mask of each window's last frame
        from keras_crnn.training import segmentation_dataset

        return segmentation_dataset(x, y, window, batch_size, seed, shuffle, drop_remainder)
    return pipelines.make_dataset(x, y, batch_size=batch_size, seed=seed, shuffle=shuffle,
                                  scale=1 / 255, drop_remainder=drop_remainder,
                                  target_scale=1 / 255 if task == "images" else None)


def train(model_name, data_dir, out_dir, epochs=10, batch_size=32, seed=0,
          learning_rate=1e-3, extra_callbacks=(), verbose=1, strategy=None,
          model_overrides=None, precision="float32", workers=1):
    """Trains preset `model_name` on the shards in `data_dir`; resumes if interrupted.

    The data must hold what the preset's task needs (`keras_crnn.models.TASKS`):
    `frames` uint8 `(n, T, rows, cols, channels)` and, for a per-frame
    classifier, `labels` int `(n, T)` (e.g. `keras-crnn generate
    occluded-digits`); a forecaster learns frames 2..T from frames 1..T-1 with
    the MSE on the [0, 1] scale; a segmenter learns the `masks` `(n, T, rows,
    cols, 1)` of the last frame of every 3-frame window (`keras-crnn generate
    moving-digits`; `model_overrides={"window": W}` for another window). 10 % of the sequences (seeded) are the
    validation split. `batch_size` is the
    global batch: with a `strategy`, every replica takes an equal share of it.
    `model_overrides` are arguments of the preset's builder that replace the
    preset's. `precision` is `float32` or `mixed_bfloat16`
    (`keras_crnn.precision`; the model's outputs stay float32), recorded in
    run.json when it is not float32. `workers` > 1: this process is one of
    a cluster of `workers` processes training data-parallel on the JAX
    backend (`keras_crnn.distributed`; `keras-crnn train --workers N`
    starts them); process 0 writes `out_dir`, the others write to scratch
    folders, and run.json records `workers` and `engine`.

    Returns:
        The trained `keras.Model` (also saved as `out_dir/model.keras`).

    Raises:
        ValueError: unknown model, a model whose task `train` does not
            handle, data without the arrays its task needs, or an `out_dir`
            holding a run with other settings.
    """
    preset = get_preset(model_name)
    check_precision(precision)
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"`workers` must be a positive integer. Received: workers={workers!r}")
    if workers > 1 and strategy not in (None, "none"):
        raise ValueError(f"`workers` > 1 trains with Keras' DataParallel, not a tf.distribute "
                         f"strategy. Received: workers={workers}, strategy={strategy!r}")
    chief = True
    if workers > 1:
        from keras_crnn import distributed

        chief = distributed.join(workers) == 0
    frames, targets = _training_arrays(read_shards(data_dir), data_dir, preset)
    task = preset.task
    # Replicas must get equal shares of every batch: the global batch divides
    # evenly, and a distributed run drops the remainders (fewer than `replicas`
    # sequences of the validation split, a partial last training batch).
    distribution = distribution_strategy(strategy)
    if distribution:
        replicas = distribution.num_replicas_in_sync
    elif workers > 1:
        replicas = distributed.replicas()
    else:
        replicas = 1
    if batch_size % replicas:
        raise ValueError(f"`batch_size` (global) must be a multiple of the {replicas} replicas. "
                         f"Received: batch_size={batch_size}")
    out_dir = Path(out_dir)
    settings = {"model": model_name, "data": str(Path(data_dir).resolve()), "epochs": epochs,
                "batch_size": batch_size, "seed": seed, "learning_rate": learning_rate,
                "strategy": strategy or "none", "model_overrides": model_overrides or {}}
    if precision != "float32":  # runs before these settings existed stay resumable
        settings["precision"] = precision
    if workers > 1:
        settings.update(workers=workers, engine=distributed.ENGINE)
    _check_run(out_dir, settings, write=chief)
    if (out_dir / "model.keras").is_file():  # finished: same settings, nothing to do
        if verbose and chief:
            print(f"{out_dir} holds a finished run with these settings; nothing to do")
        return load_model(out_dir)
    # Saving is collective across workers: the others save to a scratch folder.
    with contextlib.nullcontext(out_dir) if chief else \
            tempfile.TemporaryDirectory(prefix="keras-crnn-worker-") as written:
        return _fit_run(model_name, task, frames, targets, Path(written), out_dir, settings,
                        distribution, replicas, extra_callbacks, verbose if chief else 0,
                        model_overrides, precision, chief)


def _fit_run(model_name, task, frames, targets, written, out_dir, settings, distribution,
             replicas, extra_callbacks, verbose, model_overrides, precision, chief):
    """The fit of `train`: resumes from `out_dir`'s backup and writes its
    checkpoints, history, logs and final model to `written` (`out_dir`
    itself, except on a worker that is not the chief)."""
    seed, epochs, batch_size = settings["seed"], settings["epochs"], settings["batch_size"]
    learning_rate = settings["learning_rate"]
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_val, y_val) = split_arrays([frames, targets], (0.9, 0.1), seed=seed)
    classes = int(targets.max()) + 1 if task == "frames" else None
    input_shape = frames.shape[1:]
    if task == "segmentation":  # windows of the paper's 3 frames
        window = (model_overrides or {}).get("window", 3)
        input_shape = (window,) + frames.shape[2:]
        down = label_downsample(model_name)
        y_train, y_val = y_train[:, :, ::down, ::down], y_val[:, :, ::down, ::down]
    with distribution.scope() if distribution else contextlib.nullcontext(), \
            policy(precision):
        overrides = {k: v for k, v in (model_overrides or {}).items() if k != "window"}
        model = build_model(model_name, input_shape, classes, **overrides)
        _compile(model, task, learning_rate)
        start = RunBackup(out_dir / "backup").restore(model)
        backup = RunBackup(written / "backup")
    best = _keep_history(out_dir / "history.csv", start) if chief else None
    interrupt = InterruptBetweenBatches()  # Ctrl-C lands between batches
    callbacks = [
        interrupt,
        keras.callbacks.ModelCheckpoint(str(written / "best.keras"), save_best_only=True,
                                        initial_value_threshold=best),
        keras.callbacks.CSVLogger(str(written / "history.csv"), append=True),
        keras.callbacks.TensorBoard(str(written / "logs")),
        keras.callbacks.TerminateOnNaN(),
        *extra_callbacks,
        backup,  # last: when it records an epoch, the others have finished it
    ]
    val_batch = max(replicas, min(256, len(x_val)) // replicas * replicas)
    window = input_shape[0]
    if start < epochs:
        with interrupt:
            model.fit(
                _pipeline(task, window, x_train, y_train, batch_size, seed, True, replicas > 1),
                validation_data=_pipeline(task, window, x_val, y_val, val_batch, seed, False,
                                          replicas > 1),
                epochs=epochs, initial_epoch=start, callbacks=callbacks, verbose=verbose,
                shuffle=False,  # the tf.data pipeline shuffles, seeded
            )
    with atomic_path(written / "model.keras") as tmp:
        model.save(tmp)
    backup.delete()
    return model


def _keep_history(path, epochs):
    """Keeps the first `epochs` rows of the history CSV at `path` (rows written
    after the backup's last epoch are from epochs that will run again).

    Returns:
        The lowest `val_loss` of the kept rows, or None.
    """
    import csv

    if not path.is_file():
        return None
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    kept = [row for row in rows if int(row["epoch"]) < epochs]
    if len(kept) < len(rows):
        with atomic_path(path) as tmp, open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(kept)
    losses = [float(row["val_loss"]) for row in kept if row.get("val_loss")]
    return min(losses) if losses else None


def history(out_dir):
    """The epochs recorded in `out_dir/history.csv`, as a dict of lists."""
    import csv

    with open(Path(out_dir) / "history.csv") as f:
        rows = list(csv.DictReader(f))
    return {key: [float(r[key]) for r in rows] for key in rows[0]} if rows else {}



def load_model(path):
    """A `.keras` file, or the `model.keras` of a run folder; `safe_mode` stays on."""
    path = Path(path)
    if path.is_dir():
        path = path / "model.keras"
    if not path.is_file() or path.suffix != ".keras":
        raise ValueError(f"Expected a .keras file or a run folder holding model.keras. "
                         f"Received: {path}")
    return keras.saving.load_model(path)


def _is_image_model(model):
    return len(model.output_shape) == 5


def _is_segmenter(model):
    """A window of frames in, one mask `(batch, rows, cols, 1)` out."""
    return len(model.input_shape) == 5 and len(model.output_shape) == 4 and \
        model.output_shape[-1] == 1


def _evaluate_segmenter(model, arrays, data_dir):
    """Precision, recall, F-measure, ... of the last frame of every window."""
    from keras_crnn.metrics import SegmentationCounts
    from keras_crnn.training import predict_masks

    if "masks" not in arrays:
        raise ValueError(f"{data_dir} must hold `masks` to evaluate a segmenter. "
                         f"Received arrays: {sorted(arrays)}")
    frames = check_frames(arrays["frames"], "frames")
    _check_input(model, frames[:, : model.input_shape[1]], "windows of frames")
    down = frames.shape[2] // model.output_shape[1]
    truth = arrays["masks"][:, model.input_shape[1] - 1:, ::down, ::down]
    predicted = predict_masks(model, frames)
    out = SegmentationCounts().add(truth, predicted).measures()
    out["sequences"] = int(len(frames))
    return out


def evaluate(model_path, data_dir):
    """Per-frame and whole-sequence accuracy (%) of a classifier on a dataset
    folder; for a forecaster, the errors of its forecasts on the 0-255 scale
    (`keras_crnn.metrics.forecast_metrics`) for the last frame and,
    suffixed `_all_frames`, for all; for a segmenter, the CDnet measures
    (precision, recall, F-measure, ...) of every window's last frame."""
    from keras_crnn.metrics import accuracy_standard_error, frame_accuracy, sequence_accuracy
    from keras_crnn.training import predict_labels

    model = load_model(model_path)
    arrays = read_shards(data_dir)
    if _is_image_model(model):
        from keras_crnn.metrics import forecast_metrics
        from keras_crnn.training import predict_images

        inputs, targets = _forecast_pairs(check_frames(arrays["frames"], "frames"))
        _check_input(model, inputs, "inputs (all frames but the last)")
        predicted = predict_images(model, inputs)
        out = forecast_metrics(inputs[:, -1], targets[:, -1], predicted[:, -1])
        every = forecast_metrics(inputs, targets, predicted)
        out.update({f"{k}_all_frames": v for k, v in every.items()})
        out["sequences"] = int(len(inputs))
        return out
    if _is_segmenter(model):
        return _evaluate_segmenter(model, arrays, data_dir)
    if "labels" not in arrays:
        raise ValueError(f"{data_dir} must hold per-frame `labels` to evaluate a classifier. "
                         f"Received arrays: {sorted(arrays)}")
    classes = model.output_shape[-1]
    if arrays["labels"].min() < 0 or arrays["labels"].max() >= classes:
        raise ValueError(f"Labels must lie in [0, {classes}) for this model's {classes} "
                         f"classes. Received: min={arrays['labels'].min()}, "
                         f"max={arrays['labels'].max()}")
    frames = check_frames(arrays["frames"], "frames")
    _check_input(model, frames)
    predicted = predict_labels(model, frames)
    accuracy = frame_accuracy(arrays["labels"], predicted)
    return {
        "accuracy": 100 * accuracy,
        "accuracy_stderr": 100 * accuracy_standard_error(accuracy, arrays["labels"].size),
        "sequence_accuracy": 100 * sequence_accuracy(arrays["labels"], predicted),
        "sequences": int(len(arrays["labels"])),
    }


def read_frame_folder(folder):
    """One sequence from a folder of frame images (PNG/JPEG, sorted by name).

    Returns:
        uint8 `(1, T, rows, cols, channels)`; grey images get one channel.
    """
    from PIL import Image, UnidentifiedImageError

    files = sorted(p for p in Path(folder).iterdir()
                   if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".bmp"))
    if not files:
        raise ValueError(f"{folder} holds no .png/.jpg/.bmp frames")
    frames = []
    for path in files:
        try:
            with Image.open(path) as image:
                frames.append(np.asarray(image))
        except (UnidentifiedImageError, OSError) as error:
            raise ValueError(f"{path} is not a readable image ({error})") from error
    shapes = {f.shape for f in frames}
    if len(shapes) != 1:
        raise ValueError(f"The frames in {folder} must share one size. Received: {sorted(shapes)}")
    sequence = np.stack(frames)
    return (sequence[..., None] if sequence.ndim == 3 else sequence)[None]


def _check_input(model, frames, what="frames"):
    expected = tuple(model.input_shape[1:])
    if tuple(frames.shape[1:]) != expected:
        raise ValueError(f"The model takes {what} of shape (n,) + {expected}. "
                         f"Received: {frames.shape}")


def predict(model_path, inputs, out_path):
    """Labels per frame for the `frames` of an `.npz` file, a dataset folder written
    by `keras-crnn generate`, or a folder of frame images (one sequence).

    Writes `out_path` atomically: `.npz` with `labels` (n, T) and `scores`
    (n, T, classes); for a forecaster, `forecasts` uint8 (n, T, rows, cols,
    channels), the forecast of the frame after each input frame.
    """
    from keras_crnn.training import predict_labels

    inputs, out_path = Path(inputs), Path(out_path)
    if out_path.suffix != ".npz" or out_path.is_dir():
        raise ValueError(f"`out` must be a path ending in .npz (not a folder). "
                         f"Received: {out_path}")
    if not inputs.exists():
        raise FileNotFoundError(f"{inputs} does not exist: expected an .npz with `frames`, a "
                                "dataset folder or a folder of frame images")
    if inputs.is_file() and inputs.suffix != ".npz":
        raise ValueError(f"Expected an .npz with `frames` (n, T, rows, cols, channels), a "
                         f"dataset folder or a folder of frame images. Received: {inputs} "
                         f"(a {inputs.suffix or 'suffix-less'} file)")
    if inputs.is_dir() and (inputs / "manifest.json").is_file():
        frames = read_shards(inputs)["frames"]
    elif inputs.is_dir():
        frames = read_frame_folder(inputs)
    else:
        with np.load(inputs, allow_pickle=False) as data:
            if "frames" not in data.files:
                raise ValueError(f"{inputs} must hold an array `frames` (n, T, rows, cols, "
                                 f"channels). Received arrays: {data.files}")
            frames = data["frames"]
    frames = check_frames(frames, "frames")
    model = load_model(model_path)
    _check_input(model, frames)
    if _is_image_model(model):
        from keras_crnn.training import predict_images

        forecasts = np.rint(np.clip(predict_images(model, frames), 0, 255)).astype(np.uint8)
        with atomic_path(out_path) as tmp, open(tmp, "wb") as f:
            np.savez(f, forecasts=forecasts)
        return out_path
    scores = predict_labels(model, frames)
    with atomic_path(out_path) as tmp, open(tmp, "wb") as f:
        np.savez(f, labels=scores.argmax(-1), scores=scores)
    return out_path


EXPORT_FORMATS = ("saved_model", "keras", "tflite")


def export(model_path, out_path, format="saved_model"):
    """Exports a model: a SavedModel (`serve` signature), a `.keras` copy, or TFLite.

    The SavedModel's `serve` takes float32 frames `(batch,) + model.input_shape[1:]`
    scaled to [0, 1] and returns the per-frame class scores (a forecaster: the
    forecast frames, [0, 1] scale). TFLite uses builtin ops only, unrolling the
    recurrent loops of a model with a static time length when its loops need
    TF ops; it falls back to TF Select ops only when that fails too, and says
    so in the returned note. Every format is written atomically.

    Returns:
        `(path, note)`.

    Raises:
        ValueError: unknown format, or `out_path` exists (a file where a
            SavedModel folder should go, or any existing output).
    """
    if format not in EXPORT_FORMATS:
        raise ValueError(f"`format` must be one of {EXPORT_FORMATS}. Received: {format!r}")
    out_path = Path(out_path)
    if out_path.exists():
        kind = "a file" if out_path.is_file() else "a folder"
        raise ValueError(f"{out_path} exists ({kind}); expected a new path for the export")
    model = load_model(model_path)
    if format == "keras":
        with atomic_path(out_path) as tmp:
            model.save(tmp)
        return out_path, "Keras file"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # assembled beside the target, so the final rename never crosses filesystems
    with tempfile.TemporaryDirectory(dir=out_path.parent) as tmp:
        saved = Path(tmp) / "saved_model"
        model.export(str(saved), verbose=False)
        if format == "saved_model":
            os.replace(saved, out_path)
            returns = ("forecasts of the next frames, [0, 1] scale" if _is_image_model(model)
                       else "per-frame class scores")
            return out_path, (f"SavedModel: serve(float32 {(None,) + tuple(model.input_shape[1:])})"
                              f" -> {returns}")
        flatbuffer, note = _tflite(model, saved, Path(tmp))
        with atomic_path(out_path) as part:
            part.write_bytes(flatbuffer)
        return out_path, note


def _unrolled(model):
    """A copy of `model` (same weights) whose recurrent layers unroll their
    loops (`unroll=True` wherever a layer's config has it), or None when the
    time length is not static."""
    if len(model.input_shape) < 3 or model.input_shape[1] is None:
        return None

    def unroll(config):
        if isinstance(config, dict):
            return {k: True if k == "unroll" else unroll(v) for k, v in config.items()}
        if isinstance(config, list):
            return [unroll(v) for v in config]
        return config

    copy = model.__class__.from_config(unroll(model.get_config()))
    copy.set_weights(model.get_weights())
    return copy


def _tflite(model, saved, tmp):
    """TFLite bytes of `model` (exported at `saved`) and a note: builtin ops
    when possible, if need be with the recurrent loops unrolled (static time
    lengths); TF Select ops (the Flex delegate) only as the last resort."""
    import tensorflow as tf

    try:
        return tf.lite.TFLiteConverter.from_saved_model(str(saved)).convert(), \
            "TFLite, builtin ops only"
    except Exception:  # the converter raises a generic error on unsupported ops
        pass
    copy = _unrolled(model)
    if copy is not None:
        copy.export(str(tmp / "unrolled"), verbose=False)
        try:
            return tf.lite.TFLiteConverter.from_saved_model(str(tmp / "unrolled")).convert(), \
                "TFLite, builtin ops only (recurrent loops unrolled)"
        except Exception:
            pass
    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS,
                                           tf.lite.OpsSet.SELECT_TF_OPS]
    converter._experimental_lower_tensor_list_ops = False
    return converter.convert(), "TFLite with TF Select ops: the runtime needs the Flex delegate"
