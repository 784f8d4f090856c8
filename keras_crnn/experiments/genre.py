"""Video genre classification (the genre paper): Table I, with and without audio.

`keras-crnn reproduce genre-table1 --scale quick|cpu|paper [--dataset synthetic|videos]
[--data-dir PATH]`.

Data (`genre_data`):

- `synthetic` (default, offline): synthetic genre videos
  (`keras_crnn.datasets.genres`; six genres whose cues are colour, motion and
  sound), each cut into clips of `clip_frames` frames at 4 fps.
- `videos`: real video files in class folders (`ROOT/CLASS/VIDEO`: the
  paper's six genre folders, UCF101, or `data_tools/make_genre_videos.py`),
  decoded at 4 fps with their sound (the `video` extra); or a folder of clips
  that `data_tools/video_clips.py` cached.

Videos are split 80/10/10 (`split_by_video`: no video's clips in two
splits). Sound becomes a log-mel spectrogram per clip (`keras_crnn.audio`).

Training is the paper's two stages (`keras_crnn.models.genre`): a frame
classifier (the scale's encoder + softmax) is trained on single frames; its
pooled features (`pool`) and probabilities (`softmax`) are computed once for
every frame and cached on disk (`$KERAS_CRNN_CACHE`, default
`~/.cache/keras_crnn`, keyed by the data and settings, so a second run
skips stage 1); then

| row | from the cache |
|---|---|
| ConvNet | the frame classifier on the middle frame |
| Time distributed CNN | its probabilities averaged over the clip |
| CNN-RNN | a SimpleRNN trained on the `pool` sequence |
| CNN-LSTM softmax | an LSTM trained on the `softmax` sequence |
| CNN-LSTM pool | an LSTM trained on the `pool` sequence |
| ... + audio | the same LSTM fused with a CNN on the spectrogram |
| CNN-LSTM feature map (ours; quick/cpu scale) | an LSTM on the encoder's last map before pooling, flattened (`map`): it keeps where things are, so motion can show |
| CNN-LSTM pool, fine-tuned end to end (ours; quick/cpu scale) | the CNN-LSTM pool on pixels, its encoder starting from the stage-1 classifier's, every layer trained (`finetune_epochs`) |

The 3D ConvNet has no frame encoder and trains end to end on the clips.
Frame encoders: a small CNN trained here at quick/cpu scale; InceptionV3 at
paper scale (weights from `KERAS_CRNN_INCEPTION_WEIGHTS`, else random).
Accuracy is reported per clip and per video (clip probabilities averaged over
the video's test clips), in percent.

The paper's Table I was measured on UCF101 (101 actions), not on genres:
[ConvNet 65, Time distributed CNN 41, 3D ConvNet 52.8, CNN-RNN 74, CNN-LSTM
softmax 85.4, CNN-LSTM pool 90.3 %].
"""

import hashlib
import json
import os
from pathlib import Path

import numpy as np

PAPER_TABLE1 = {"ConvNet": 65.0, "Time distributed CNN": 41.0, "3D ConvNet": 52.8,
                "CNN-RNN": 74.0, "CNN-LSTM softmax": 85.4, "CNN-LSTM pool": 90.3}
AUDIO_ROWS = ("CNN-LSTM softmax", "CNN-LSTM pool")
FEATURES = {"CNN-RNN": "pool", "CNN-LSTM softmax": "softmax", "CNN-LSTM pool": "pool"}
MAP_ROW = "CNN-LSTM feature map"
FINETUNE_ROW = "CNN-LSTM pool, fine-tuned end to end"
DATASETS = ("synthetic", "videos")
SCALES = {
    "quick": {"videos": 36, "clips_per_video": 2, "clip_frames": 8, "size": 32, "epochs": 2,
              "frame_epochs": 2, "frame_stride": 2, "units": 32, "encoder": "small-cnn",
              "batch_size": 16, "spatial": True, "finetune_epochs": 1},
    "cpu": {"videos": 480, "clips_per_video": 3, "clip_frames": 20, "size": 32, "epochs": 15,
            "frame_epochs": 8, "frame_stride": 2, "units": 256, "encoder": "small-cnn",
            "batch_size": 16, "spatial": True, "finetune_epochs": 8},
    "paper": {"videos": 1200, "clips_per_video": 4, "clip_frames": 40, "size": 112,
              "epochs": 30, "frame_epochs": 10, "frame_stride": 4, "units": 2056,
              "encoder": "inceptionv3", "batch_size": 16, "spatial": False,
              "finetune_epochs": 0},
}
SAMPLE_RATE = 8000
MELS = 32
CACHE_VERSION = 2


def genre_data(scale="quick", seed=0, dataset="synthetic", data_dir=None, progress=True):
    """Clips, spectrograms, labels and video ids split by video.

    Returns:
        dict with `train`, `validation`, `test`: `(frames, spectrograms,
        labels, video_ids)` each (uint8 frames `(n, time, rows, cols, 3)`,
        float32 spectrograms `(n, frames, mels)`); `classes` (names); and
        `source`.
    """
    from keras_crnn.datasets.genres import GENRES
    from keras_crnn.datasets.video import split_by_video

    s = SCALES[scale]
    if dataset == "synthetic":
        clips, spectrograms, clip_labels, video_ids, source = _synthetic(s, seed)
        classes = list(GENRES)
    elif dataset == "videos":
        if data_dir is None:
            raise ValueError("The `videos` dataset needs `data_dir` (--data-dir): class folders "
                             "of videos (ROOT/CLASS/VIDEO) or clips from "
                             "data_tools/video_clips.py")
        clips, spectrograms, clip_labels, video_ids, classes, source = _videos(
            Path(data_dir), s, progress)
    else:
        raise ValueError(f"`dataset` must be one of {DATASETS}. Received: {dataset!r}")
    parts = split_by_video(video_ids, (0.8, 0.1, 0.1), seed=seed)
    out = {name: (clips[i], spectrograms[i], clip_labels[i], video_ids[i])
           for name, i in zip(("train", "validation", "test"), parts, strict=True)}
    out["classes"] = classes
    out["source"] = (f"{source}; videos split 80/10/10: {len(set(out['train'][3]))}/"
                     f"{len(set(out['validation'][3]))}/{len(set(out['test'][3]))}")
    return out


def _spectrograms(sound):
    from keras_crnn.audio import log_mel_spectrogram

    return log_mel_spectrogram(sound, SAMPLE_RATE, num_mel_bins=MELS, fft_length=256,
                               hop_length=128)


def _synthetic(s, seed):
    from keras_crnn.datasets.genres import genre_clips

    k, length = s["clips_per_video"], s["clip_frames"]
    frames, audio, labels = genre_clips(s["videos"], length=k * length, size=s["size"],
                                        sample_rate=SAMPLE_RATE, seed=seed)
    clips = frames.reshape((s["videos"] * k, length) + frames.shape[2:])
    sound = audio[:, : audio.shape[1] // k * k].reshape(s["videos"] * k, -1)
    source = (f"synthetic genre videos (keras_crnn.datasets.genres, seed {seed}): "
              f"{s['videos']} videos of {k} clips of {length} frames at 4 fps, "
              f"{s['size']}x{s['size']}, audio {SAMPLE_RATE} Hz as {MELS}-band log-mel "
              "spectrograms")
    return (clips, _spectrograms(sound), np.repeat(labels, k), np.repeat(np.arange(s["videos"]), k),
            source)


def _videos(root, s, progress):
    """Class folders of video files, or clips cached by data_tools/video_clips.py."""
    from keras_crnn.datasets import read_shards

    if (root / "manifest.json").is_file():
        arrays = read_shards(root)
        names = root / "classes.json"
        classes = json.loads(names.read_text()) if names.is_file() else \
            [str(c) for c in range(int(arrays["labels"].max()) + 1)]
        return (arrays["frames"], arrays["spectrograms"], arrays["labels"], arrays["video"],
                classes, f"clips cached under {root} (data_tools/video_clips.py), "
                         f"{arrays['frames'].shape[1]} frames each")
    from keras_crnn.datasets.video import read_clips

    k, length = s["clips_per_video"], s["clip_frames"]
    clips, classes, _ = read_clips(root, length, 4.0, (s["size"], s["size"]), SAMPLE_RATE,
                                   max_clips=k, progress=progress)
    return (clips["frames"], _spectrograms(clips["audio"]), clips["labels"], clips["video"],
            classes, f"{len(set(clips['video']))} videos under {root} in {len(classes)} class "
                     f"folders, up to {k} clips of {length} frames at 4 fps, "
                     f"{s['size']}x{s['size']}, audio {SAMPLE_RATE} Hz as {MELS}-band log-mel "
                     "spectrograms")


def video_accuracy(probabilities, labels, video_ids):
    """Accuracy (%) of the genre with the highest clip probability averaged per video."""
    videos = np.unique(video_ids)
    right = [probabilities[video_ids == v].mean(0).argmax() == labels[video_ids == v][0]
             for v in videos]
    return 100.0 * float(np.mean(right))


def cache_dir():
    """Where stage-1 frame features are cached: `$KERAS_CRNN_CACHE` or
    `~/.cache/keras_crnn`."""
    return Path(os.environ.get("KERAS_CRNN_CACHE", Path.home() / ".cache" / "keras_crnn"))


def cached_frame_features(data, settings, seed, weights=None, progress=True):
    """Stage 1: trains the frame classifier on single training frames and
    caches its `pool` and `softmax` outputs for every frame of every split.

    The cache file is keyed by the stage-1 settings, seed, encoder weights
    and a hash of the frames and labels; when it exists nothing is trained
    again.

    Returns:
        dict: `features` (`{split: {"pool": (n, time, f), "softmax": (n,
        time, classes)}}`, plus `map` with `settings["spatial"]`),
        `encoder_weights` (the trained frame encoder's weights), `history`
        and `seconds` of stage 1, `path` of the cache file and `cached`
        (True when read from disk).
    """
    import keras

    from keras_crnn import pipelines
    from keras_crnn.atomic import atomic_path
    from keras_crnn.experiments.training import fit_model
    from keras_crnn.models.genre import build_frame_classifier, frame_features

    splits = ("train", "validation", "test")
    stage1 = {key: settings.get(key) for key in ("encoder", "frame_epochs", "frame_stride",
                                                 "batch_size", "spatial")}
    digest = hashlib.sha256(json.dumps([CACHE_VERSION, stage1, seed, str(weights)],
                                       sort_keys=True).encode())
    for split in splits:
        for array in data[split][:3:2]:  # frames and labels
            digest.update(np.ascontiguousarray(array).data)
    path = cache_dir() / "genre-features" / f"{digest.hexdigest()[:20]}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as cached:
            features = {split: {key.split("_", 1)[1]: cached[key] for key in cached.files
                                if key.startswith(f"{split}_")} for split in splits}
            meta = json.loads(str(cached["meta"]))
            encoder = [cached[f"encoder_{i}"] for i in range(meta.pop("encoder_arrays"))]
        return {"features": features, "encoder_weights": encoder, "path": str(path),
                "cached": True, **meta}

    def frames(split, stride):
        clips, _, labels, _ = data[split]
        chosen = clips[:, ::stride]
        return (chosen.reshape((-1,) + clips.shape[2:]),
                np.repeat(labels, chosen.shape[1]))

    classes = len(data["classes"])
    keras.utils.set_random_seed(seed)
    classifier = build_frame_classifier(data["train"][0].shape[2:], classes, settings["encoder"],
                                        weights)
    batch = 4 * settings["batch_size"]
    train = pipelines.make_dataset(*frames("train", settings["frame_stride"]), batch_size=batch,
                                   seed=seed, scale=1 / 255)
    validation = pipelines.make_dataset(*frames("validation", settings["frame_stride"]),
                                        batch_size=batch, shuffle=False, scale=1 / 255)
    fit = fit_model(classifier, "sparse_categorical_crossentropy", train, validation,
                    settings["frame_epochs"], seed, metrics=["accuracy"],
                    description="stage 1: frame classifier", progress=progress)
    features = {split: frame_features(classifier, data[split][0],
                                      spatial=settings.get("spatial", False))
                for split in splits}
    encoder = classifier.get_layer("frame_encoder").get_weights()
    meta = {"history": fit["history"], "seconds": round(fit["seconds"], 1)}
    arrays = {f"{split}_{kind}": value for split in splits
              for kind, value in features[split].items()}
    arrays.update({f"encoder_{i}": value for i, value in enumerate(encoder)})
    with atomic_path(path) as tmp:
        np.savez(tmp, meta=json.dumps({**meta, "encoder_arrays": len(encoder)}), **arrays)
    return {"features": features, "encoder_weights": encoder, "path": str(path),
            "cached": False, **meta}


def table1(scale="quick", dataset="synthetic", data_dir=None, seed=0, progress=True):
    """Table I: six video classifiers, and the CNN-LSTMs with the audio branch
    (two-stage training; see the module docstring)."""
    import keras

    from keras_crnn.experiments.results import ResultsTable
    from keras_crnn.metrics import accuracy_standard_error
    from keras_crnn.models.genre import build_feature_model, build_genre_model

    s = SCALES[scale]
    data = genre_data(scale, seed, dataset, data_dir, progress)
    weights = os.environ.get("KERAS_CRNN_INCEPTION_WEIGHTS") if s["encoder"] == "inceptionv3" \
        else None
    table = ResultsTable("genre-table1", "Video classifiers (Table I), with and without audio",
                         scale, data["source"], seed, s["epochs"])
    stage1 = cached_frame_features(data, s, seed, weights, progress)
    features = stage1["features"]
    table.extras.update(encoder=s["encoder"], encoder_weights=weights or "random (trained here)",
                        paper_data="UCF101", classes=data["classes"], histories={},
                        train_seconds={}, confusion={},
                        training="two-stage: frame classifier on single frames, features "
                                 "cached, recurrent models on the cached features; the 3D "
                                 "ConvNet end to end" + (
                                     f"; {FINETUNE_ROW}: {s['finetune_epochs']} epochs from "
                                     "the stage-1 encoder" if s.get("finetune_epochs") else ""),
                        stage1={"history": stage1["history"], "seconds": stage1["seconds"],
                                "cached": stage1["cached"],
                                "frame_accuracy": 100 * float(np.mean(
                                    features["test"]["softmax"].argmax(-1)
                                    == data["test"][2][:, None]))})
    _, _, labels, videos = data["test"]

    def report(row, probabilities, paper):
        right = probabilities.argmax(-1) == labels
        accuracy = right.mean()
        table.add(row, dataset, "accuracy", 100 * accuracy, paper,
                  stderr=100 * accuracy_standard_error(accuracy, right.size), count=int(right.size))
        table.add(row, dataset, "video_accuracy", video_accuracy(probabilities, labels, videos),
                  count=len(np.unique(videos)))
        table.extras["confusion"][row] = _confusion(labels, probabilities, len(data["classes"]))

    softmax = features["test"]["softmax"]
    report("ConvNet", softmax[:, softmax.shape[1] // 2], PAPER_TABLE1["ConvNet"])
    report("Time distributed CNN", softmax.mean(1), PAPER_TABLE1["Time distributed CNN"])
    for row in ("ConvNet", "Time distributed CNN"):
        table.extras["train_seconds"][row] = stage1["seconds"]
    rows = [("3D ConvNet", "3D ConvNet", None, False),
            *((name, name, kind, False) for name, kind in FEATURES.items()),
            *((f"{name} + audio", name, FEATURES[name], True) for name in AUDIO_ROWS)]
    if s.get("spatial"):
        rows += [(MAP_ROW, "CNN-LSTM pool", "map", False),
                 (f"{MAP_ROW} + audio", "CNN-LSTM pool", "map", True)]
    if s.get("finetune_epochs"):
        rows.append((FINETUNE_ROW, "CNN-LSTM pool", "pixels", False))
    for row, name, kind, audio in rows:
        keras.utils.set_random_seed(seed)
        settings = s
        if kind in (None, "pixels"):  # trained on the clips' pixels
            model = build_genre_model(name, data["train"][0].shape[1:], len(data["classes"]),
                                      encoder=s["encoder"], weights=weights, units=s["units"])
            if kind == "pixels":
                model.get_layer("encoder").layer.set_weights(stage1["encoder_weights"])
                settings = {**s, "epochs": s["finetune_epochs"]}

            def inputs(split):
                return data[split][0]

            scale_inputs = 1 / 255
        else:
            model = build_feature_model(name, features["train"][kind].shape[1:],
                                        len(data["classes"]), units=s["units"], audio=audio,
                                        spectrogram_shape=data["train"][1].shape[1:])

            def inputs(split, kind=kind, audio=audio):
                return (features[split][kind], data[split][1]) if audio else \
                    features[split][kind]

            scale_inputs = None
        fit = _fit(model, inputs, data, settings, seed, row, scale_inputs, progress)
        probabilities = np.asarray(model.predict(_batches(inputs("test"), None, s, seed,
                                                          scale_inputs), verbose=0))
        report(row, probabilities, PAPER_TABLE1.get(row))
        table.extras["histories"][row] = fit["history"]
        table.extras["train_seconds"][row] = round(fit["seconds"], 1)
    return table


def _batches(x, y, settings, seed, scale, shuffle=False):
    from keras_crnn import pipelines

    return pipelines.make_dataset(x, y, batch_size=settings["batch_size"], shuffle=shuffle,
                                  seed=seed, scale=scale)


def _fit(model, inputs, data, settings, seed, description, scale, progress):
    from keras_crnn.experiments.training import fit_model

    return fit_model(model, "sparse_categorical_crossentropy",
                     _batches(inputs("train"), data["train"][2], settings, seed, scale, True),
                     _batches(inputs("validation"), data["validation"][2], settings, seed, scale),
                     settings["epochs"], seed, metrics=["accuracy"], description=description,
                     progress=progress)


def _confusion(labels, probabilities, classes):
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(labels, probabilities.argmax(-1),
                            labels=list(range(classes))).tolist()


def to_markdown(table):
    """Clip and video accuracy per row, the paper's UCF101 numbers beside."""
    text = table.to_wide_markdown(("accuracy", "video_accuracy"))
    stage1 = table.extras["stage1"]
    return text + ("\n\nThe paper's numbers are on UCF101 (101 "
                   f"actions). Training: {table.extras['training']}. Frame encoder: "
                   f"{table.extras['encoder']}, {table.extras['encoder_weights']}; the stage-1 "
                   f"frame classifier labels {stage1['frame_accuracy']:.1f} % of single test "
                   "frames right.")


def figure(table):
    """Confusion matrix of the best row."""
    from keras_crnn import plots

    best = max((r for r in table.rows if r["metric"] == "accuracy"), key=lambda r: r["value"])
    return plots.plot_confusion(np.asarray(table.extras["confusion"][best["model"]]),
                                table.extras["classes"], title=f"{best['model']}: test clips")
