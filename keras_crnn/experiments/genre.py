"""Video genre classification (the genre paper): Table I, with and without audio.

`keras-crnn reproduce genre-table1 --scale tiny|quick|cpu|paper [--dataset synthetic|videos]
[--data-dir PATH]`.

Data (`keras_crnn.datasets.genre_splits.genre_data`):

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
every frame and cached on disk (`keras_crnn.experiments.genre_features`), so
a second run skips stage 1; then

| row | how |
|---|---|
| ConvNet | `build_model("ConvNet")` with the stage-1 classifier's weights, on the middle frame |
| Time distributed CNN | `build_model("Time distributed CNN")` with those weights: probabilities averaged over the clip |
| CNN-RNN | a SimpleRNN trained on the `pool` sequence |
| CNN-LSTM softmax | an LSTM trained on the `softmax` sequence |
| CNN-LSTM pool | an LSTM trained on the `pool` sequence |
| ... + audio | the same LSTM fused with a CNN on the spectrogram |
| CNN-LSTM feature map (ours; quick/cpu scale) | an LSTM on the encoder's last map before pooling, flattened (`map`): it keeps where things are, so motion can show |
| CNN-LSTM pool, fine-tuned end to end (ours; quick/cpu scale) | the CNN-LSTM pool on pixels, its encoder starting from the stage-1 classifier's, every layer trained (`finetune_epochs`) |

The 3D ConvNet has no frame encoder and trains end to end on the clips.
Frame encoders: without `--weights`, a small CNN trained here (quick/cpu
scale) or InceptionV3 from a random start (paper scale); with `--weights
FILE`, the ImageNet-pretrained MobileNet 0.25 (`mobilenet_2_5_224_tf_no_top.h5`,
tiny/quick/cpu scale) or InceptionV3 (paper scale), frozen in stage 1, where
only its softmax head is trained on frames (the paper retrains InceptionV3's
top). The results' `data_source` names the encoder and its file.
Accuracy is reported per clip and per video (clip probabilities averaged over
the video's test clips), in percent.

The paper's Table I was measured on UCF101 (101 actions), not on genres:
[ConvNet 65, Time distributed CNN 41, 3D ConvNet 52.8, CNN-RNN 74, CNN-LSTM
softmax 85.4, CNN-LSTM pool 90.3 %].
"""

from pathlib import Path

import numpy as np

from keras_crnn.datasets.genre_splits import DATASETS, genre_data
from keras_crnn.experiments.record import Experiment, Finding

PAPER_TABLE1 = {"ConvNet": 65.0, "Time distributed CNN": 41.0, "3D ConvNet": 52.8,
                "CNN-RNN": 74.0, "CNN-LSTM softmax": 85.4, "CNN-LSTM pool": 90.3}
AUDIO_ROWS = ("CNN-LSTM softmax", "CNN-LSTM pool")
FEATURES = {"CNN-RNN": "pool", "CNN-LSTM softmax": "softmax", "CNN-LSTM pool": "pool"}
MAP_ROW = "CNN-LSTM feature map"
FINETUNE_ROW = "CNN-LSTM pool, fine-tuned end to end"
_SHARED = {"frame_stride": 2, "batch_size": 16, "patience": None}
# `encoder` trains from a random start; `pretrained` is the encoder used when
# a weights file is given (`--weights`), frozen in stage 1 (the paper retrains
# only InceptionV3's top).
_PRETRAINED = {"mobilenet-0.25": "ImageNet-pretrained MobileNet 0.25",
               "inceptionv3": "ImageNet-pretrained InceptionV3"}
# Recurrent and 3D rows train to early stopping on the validation clips at cpu
# and paper scale (`patience`, at most `epochs`); stage 1 trains `frame_epochs`
# and keeps its best epoch. The validation loss of the feature rows is noisy (144
# clips) and falls slowly: with patience 5 CNN-LSTM pool stopped at epoch 15 with
# 74 % validation accuracy, with patience 20 it went on to 92 % (best epoch 43).
_SCALES = {
    "tiny": {**_SHARED, "videos": 18, "clips_per_video": 2, "clip_frames": 4, "size": 32,
             "epochs": 1, "frame_epochs": 1, "units": 8, "encoder": "small-cnn",
             "pretrained": "mobilenet-0.25", "spatial": True, "finetune_epochs": 1},
    "quick": {**_SHARED, "videos": 36, "clips_per_video": 2, "clip_frames": 8, "size": 32,
              "epochs": 2, "frame_epochs": 2, "units": 32, "encoder": "small-cnn",
              "pretrained": "mobilenet-0.25", "spatial": True, "finetune_epochs": 1},
    "cpu": {**_SHARED, "videos": 480, "clips_per_video": 3, "clip_frames": 20, "size": 32,
            "epochs": 60, "patience": 20, "frame_epochs": 8, "units": 256,
            "encoder": "small-cnn", "pretrained": "mobilenet-0.25", "spatial": True,
            "finetune_epochs": 8},
    "paper": {**_SHARED, "videos": 1200, "clips_per_video": 4, "clip_frames": 40, "size": 112,
              "epochs": 100, "patience": 10, "frame_epochs": 10, "frame_stride": 4,
              "units": 2056, "encoder": "inceptionv3", "pretrained": "inceptionv3",
              "spatial": False, "finetune_epochs": 0},
}


def video_accuracy(probabilities, labels, video_ids):
    """Accuracy (%) of the genre with the highest clip probability averaged per video."""
    videos = np.unique(video_ids)
    right = [probabilities[video_ids == v].mean(0).argmax() == labels[video_ids == v][0]
             for v in videos]
    return 100.0 * float(np.mean(right))


def _rows(s):
    """`(row, preset, inputs, audio)`: inputs `stage1` (the stage-1 weights on
    pixels), `pixels` (trained end to end), `finetune`, or a cached feature."""
    rows = [("ConvNet", "ConvNet", "stage1", False),
            ("Time distributed CNN", "Time distributed CNN", "stage1", False),
            ("3D ConvNet", "3D ConvNet", "pixels", False),
            *((name, name, kind, False) for name, kind in FEATURES.items()),
            *((f"{name} + audio", name, FEATURES[name], True) for name in AUDIO_ROWS)]
    if s["spatial"]:
        rows += [(MAP_ROW, "CNN-LSTM pool", "map", False),
                 (f"{MAP_ROW} + audio", "CNN-LSTM pool", "map", True)]
    if s["finetune_epochs"]:
        rows.append((FINETUNE_ROW, "CNN-LSTM pool", "finetune", False))
    return rows


def _model(preset, kind, audio, data, stage1, s, weights):
    """The model of one row and what it reads: `(model, inputs(split), scale)`."""
    from keras_crnn.models import build_model
    from keras_crnn.models.genre import build_feature_model

    classes = len(data["classes"])
    if kind in FEATURES.values() or kind == "map":
        features = stage1["features"]
        model = build_feature_model(preset, features["train"][kind].shape[1:], classes,
                                    units=s["units"], audio=audio,
                                    spectrogram_shape=data["train"][1].shape[1:])
        return model, lambda split: ((features[split][kind], data[split][1]) if audio
                                     else features[split][kind]), None
    model = build_model(preset, data["train"][0].shape[1:], classes, encoder=s["encoder"],
                        weights=weights, units=s["units"])
    if kind == "stage1":  # the stage-1 classifier's encoder and softmax, on clips
        encoder = model.get_layer("frame_encoder" if preset == "ConvNet" else "encoder")
        getattr(encoder, "layer", encoder).set_weights(stage1["encoder_weights"])
        head = "predictions" if preset == "ConvNet" else "frame_scores"
        model.get_layer(head).set_weights(stage1["head_weights"])
    elif kind == "finetune":
        model.get_layer("encoder").layer.set_weights(stage1["encoder_weights"])
    return model, lambda split: data[split][0], 1 / 255


def table1(run):
    """Table I: six video classifiers, and the CNN-LSTMs with the audio branch
    (two-stage training; see the module docstring)."""
    import keras

    from keras_crnn import pipelines
    from keras_crnn.experiments.genre_features import cached_frame_features
    from keras_crnn.metrics import accuracy_standard_error
    from keras_crnn.training import fit_model

    s = run.settings
    data = genre_data(s["videos"], s["clips_per_video"], s["clip_frames"], s["size"], run.seed,
                      run.dataset, run.data_dir, run.progress)
    weights = run.weights
    s = {**s, "encoder": s["pretrained"] if weights else s["encoder"]}
    encoder_text = (f"{_PRETRAINED.get(s['encoder'], s['encoder'])} ({Path(weights).name}), "
                    "frozen; its softmax head trained on frames" if weights else
                    f"{s['encoder']} (random start, trained here on frames)")
    table = run.results_table(f"{data['source']}; frame encoder: {encoder_text}")
    stage1 = cached_frame_features(data, s, run.seed, weights, run.progress)
    _, _, labels, videos = data["test"]
    table.extras.update(
        encoder=s["encoder"], encoder_weights=str(weights) if weights else "random (trained here)",
        paper_data="UCF101", classes=data["classes"], confusion={},
        training="two-stage: frame classifier on single frames, features cached, recurrent "
                 "models on the cached features; the 3D ConvNet end to end" + (
                     f"; {FINETUNE_ROW}: {s['finetune_epochs']} epochs from the stage-1 "
                     "encoder" if s["finetune_epochs"] else ""),
        stage1={"history": stage1["history"], "seconds": stage1["seconds"],
                "cached": stage1["cached"], "frame_accuracy": 100 * float(np.mean(
                    stage1["features"]["test"]["softmax"].argmax(-1) == labels[:, None]))})

    def batches(x, y, scale, shuffle=False):
        return pipelines.make_dataset(x, y, batch_size=s["batch_size"], shuffle=shuffle,
                                      seed=run.seed, scale=scale)

    for row, preset, kind, audio in _rows(s):
        keras.utils.set_random_seed(run.seed)
        model, inputs, scale = _model(preset, kind, audio, data, stage1, s, weights)
        if kind == "stage1":
            table.extras.setdefault("train_seconds", {})[row] = stage1["seconds"]
        else:
            epochs = s["finetune_epochs"] if kind == "finetune" else s["epochs"]
            fit = fit_model(model, "sparse_categorical_crossentropy",
                            batches(inputs("train"), data["train"][2], scale, True),
                            batches(inputs("validation"), data["validation"][2], scale),
                            epochs, run.seed, metrics=["accuracy"], description=row,
                            progress=run.progress, patience=s["patience"])
            table.record_fit(row, fit, epochs)
        probabilities = np.asarray(model.predict(batches(inputs("test"), None, scale),
                                                 verbose=0))
        right = probabilities.argmax(-1) == labels
        accuracy = right.mean()
        table.add(row, run.dataset, "accuracy", 100 * accuracy, PAPER_TABLE1.get(row),
                  stderr=100 * accuracy_standard_error(accuracy, right.size), count=int(right.size))
        table.add(row, run.dataset, "video_accuracy", video_accuracy(probabilities, labels, videos),
                  count=len(np.unique(videos)))
        table.extras["confusion"][row] = _confusion(labels, probabilities, len(data["classes"]))
    return table


def _confusion(labels, probabilities, classes):
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(labels, probabilities.argmax(-1),
                            labels=list(range(classes))).tolist()


def _records():
    from keras_crnn.experiments import reports

    return (Experiment(
        "genre-table1", "video-genre-classification-crnn", "Table I",
        "Video classifiers (Table I), with and without audio",
        "The six video classifiers of Table I on genre clips, trained in the paper's two "
        "stages (a frame classifier, then recurrent models on its cached features), and "
        "the CNN-LSTMs fused with a CNN on the clip's log-mel spectrogram; clip and video "
        "accuracy, confusion matrices.", table1, _SCALES, DATASETS, PAPER_TABLE1,
        findings=(Finding("CNN-LSTM pool beats ConvNet by at least 10 points (paper +25.3)",
                          "beats", "accuracy", ("CNN-LSTM pool",), ("ConvNet",), 10.0),
                  Finding("CNN-LSTM pool beats CNN-LSTM softmax (paper +4.9)", "beats",
                          "accuracy", ("CNN-LSTM pool",), ("CNN-LSTM softmax",))),
        summary_metrics=("accuracy", "video_accuracy"), markdown=reports.genre_markdown,
        figure=reports.genre_figure, takes_weights=True),)


EXPERIMENTS = _records()
