"""Video genre classification (the genre paper): Table I, with and without audio.

`keras-crnn reproduce genre-table1 --scale quick|cpu|paper [--dataset synthetic]`.

Data: synthetic genre videos (`keras_crnn.datasets.genres`, six genres whose
cues are colour, motion and sound), each cut into clips of `clip_frames`
frames at 4 fps; videos are split 80/10/10 (`split_by_video`: no video's clips
in two splits). Sound becomes a log-mel spectrogram per clip
(`keras_crnn.audio`). Every model of Table I trains end to end from a frame
encoder given by the scale (a small CNN at quick/cpu scale; InceptionV3 with
random weights, or weights from `KERAS_CRNN_INCEPTION_WEIGHTS`, at paper
scale). Accuracy is reported per clip and per video (clip probabilities
averaged over the video's test clips), in percent.

The paper's Table I was measured on UCF101 (101 actions), not on genres:
[ConvNet 65, Time distributed CNN 41, 3D ConvNet 52.8, CNN-RNN 74, CNN-LSTM
softmax 85.4, CNN-LSTM pool 90.3 %]. Its two-stage training on cached frame
features is not implemented yet: every row here trains end to end.
"""

import os

import numpy as np

PAPER_TABLE1 = {"ConvNet": 65.0, "Time distributed CNN": 41.0, "3D ConvNet": 52.8,
                "CNN-RNN": 74.0, "CNN-LSTM softmax": 85.4, "CNN-LSTM pool": 90.3}
AUDIO_ROWS = ("CNN-LSTM softmax", "CNN-LSTM pool")
DATASETS = ("synthetic",)
SCALES = {
    "quick": {"videos": 36, "clips_per_video": 2, "clip_frames": 8, "size": 32, "epochs": 1,
              "units": 32, "encoder": "small-cnn", "batch_size": 16},
    "cpu": {"videos": 300, "clips_per_video": 3, "clip_frames": 16, "size": 32, "epochs": 6,
            "units": 128, "encoder": "small-cnn", "batch_size": 16},
    "paper": {"videos": 1200, "clips_per_video": 4, "clip_frames": 40, "size": 112,
              "epochs": 30, "units": 2056, "encoder": "inceptionv3", "batch_size": 16},
}
SAMPLE_RATE = 8000


def genre_data(scale="quick", seed=0):
    """Clips, spectrograms, labels and video ids split by video.

    Returns:
        dict with `train`, `validation`, `test`: `(frames, spectrograms,
        labels, video_ids)` each; and `source`.
    """
    from keras_crnn.audio import log_mel_spectrogram
    from keras_crnn.datasets.genres import genre_clips
    from keras_crnn.datasets.video import split_by_video

    s = SCALES[scale]
    k, length = s["clips_per_video"], s["clip_frames"]
    frames, audio, labels = genre_clips(s["videos"], length=k * length, size=s["size"],
                                        sample_rate=SAMPLE_RATE, seed=seed)
    clips = frames.reshape((s["videos"] * k, length) + frames.shape[2:])
    sound = audio[:, : audio.shape[1] // k * k].reshape(s["videos"] * k, -1)
    spectrograms = log_mel_spectrogram(sound, SAMPLE_RATE, num_mel_bins=32, fft_length=256,
                                       hop_length=128)
    clip_labels, video_ids = np.repeat(labels, k), np.repeat(np.arange(s["videos"]), k)
    parts = split_by_video(video_ids, (0.8, 0.1, 0.1), seed=seed)
    out = {name: (clips[i], spectrograms[i], clip_labels[i], video_ids[i])
           for name, i in zip(("train", "validation", "test"), parts, strict=True)}
    out["source"] = (f"synthetic genre videos (keras_crnn.datasets.genres, seed {seed}): "
                     f"{s['videos']} videos of {k} clips of {length} frames at 4 fps, "
                     f"{s['size']}x{s['size']}, audio {SAMPLE_RATE} Hz as 32-band log-mel "
                     f"spectrograms; videos split 80/10/10: "
                     f"{len(set(out['train'][3]))}/{len(set(out['validation'][3]))}/"
                     f"{len(set(out['test'][3]))}")
    return out


def video_accuracy(probabilities, labels, video_ids):
    """Accuracy (%) of the genre with the highest clip probability averaged per video."""
    videos = np.unique(video_ids)
    right = [probabilities[video_ids == v].mean(0).argmax() == labels[video_ids == v][0]
             for v in videos]
    return 100.0 * float(np.mean(right))


def table1(scale="quick", dataset="synthetic", data_dir=None, seed=0, progress=True):
    """Table I: six video classifiers, and the CNN-LSTMs with the audio branch."""
    import keras

    from keras_crnn.experiments.results import ResultsTable
    from keras_crnn.experiments.training import fit_model
    from keras_crnn.metrics import accuracy_standard_error
    from keras_crnn.models.genre import GENRE_MODELS, build_genre_model

    s = SCALES[scale]
    data = genre_data(scale, seed)
    weights = os.environ.get("KERAS_CRNN_INCEPTION_WEIGHTS") if s["encoder"] == "inceptionv3" \
        else None
    table = ResultsTable("genre-table1", "Video classifiers (Table I), with and without audio",
                         scale, data["source"], seed, s["epochs"])
    table.extras.update(encoder=s["encoder"], encoder_weights=weights or "random (trained here)",
                        paper_data="UCF101", histories={}, train_seconds={})
    spectrogram_shape = data["train"][1].shape[1:]
    rows = [(name, False) for name in GENRE_MODELS] + [(name, True) for name in AUDIO_ROWS]
    for name, audio in rows:
        row = f"{name} + audio" if audio else name
        keras.utils.set_random_seed(seed)
        model = build_genre_model(name, data["train"][0].shape[1:], units=s["units"],
                                  encoder=s["encoder"], weights=weights, audio=audio,
                                  spectrogram_shape=spectrogram_shape)

        def inputs(split, audio=audio):
            frames = data[split][0].astype(np.float32) / 255.0
            return [frames, data[split][1]] if audio else frames

        fit = _fit(fit_model, model, inputs("train"), data["train"][2], inputs("validation"),
                   data["validation"][2], s, seed, row, progress)
        probabilities = np.asarray(model.predict(inputs("test"), batch_size=32, verbose=0))
        _, _, labels, videos = data["test"]
        right = probabilities.argmax(-1) == labels
        accuracy = right.mean()
        table.add(row, dataset, "accuracy", 100 * accuracy, None if audio else PAPER_TABLE1[name],
                  stderr=100 * accuracy_standard_error(accuracy, right.size), count=int(right.size))
        table.add(row, dataset, "video_accuracy", video_accuracy(probabilities, labels, videos),
                  count=len(np.unique(videos)))
        table.extras["histories"][row] = fit["history"]
        table.extras["train_seconds"][row] = round(fit["seconds"], 1)
        table.extras.setdefault("confusion", {})[row] = _confusion(labels, probabilities)
    return table


def _fit(fit_model, model, x, y, x_val, y_val, settings, seed, description, progress):
    import tensorflow as tf

    def dataset(inputs, labels, shuffle):
        features = tuple(inputs) if isinstance(inputs, list) else inputs
        ds = tf.data.Dataset.from_tensor_slices((features, labels))
        if shuffle:
            ds = ds.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
        return ds.batch(settings["batch_size"]).prefetch(tf.data.AUTOTUNE)

    return fit_model(model, "sparse_categorical_crossentropy", dataset(x, y, True),
                     dataset(x_val, y_val, False), settings["epochs"], seed,
                     metrics=["accuracy"], description=description, progress=progress)


def _confusion(labels, probabilities):
    from sklearn.metrics import confusion_matrix

    from keras_crnn.datasets.genres import GENRES

    return confusion_matrix(labels, probabilities.argmax(-1),
                            labels=list(range(len(GENRES)))).tolist()


def to_markdown(table):
    """Clip and video accuracy per row, the paper's UCF101 numbers beside."""
    text = table.to_wide_markdown(("accuracy", "video_accuracy"))
    return text + ("\n\nThe paper's numbers are on UCF101 (101 actions), ours on six "
                   f"synthetic genres; frame encoder: {table.extras['encoder']}, "
                   f"{table.extras['encoder_weights']}.")


def figure(table):
    """Confusion matrix of the best row."""
    from keras_crnn import plots
    from keras_crnn.datasets.genres import GENRES

    best = max((r for r in table.rows if r["metric"] == "accuracy"), key=lambda r: r["value"])
    return plots.plot_confusion(np.asarray(table.extras["confusion"][best["model"]]), GENRES,
                                title=f"{best['model']}: test clips")
