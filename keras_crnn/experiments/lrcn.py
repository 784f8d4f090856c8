"""LRCN activity recognition (many-to-one) and captioning (one-to-many and
many-to-many), the LRCN paper's three uses.

`keras-crnn reproduce lrcn-activity --scale tiny|quick|cpu|paper [--dataset mnist
--data-dir PATH]` and `keras-crnn reproduce lrcn-captioning --scale ...`.

**Activity recognition.** Clips of a digit performing one of eight actions
(`keras_crnn.datasets.actions`: left, right, up, down, grow, shrink, rotate,
bounce), the digit drawn at random, so the class is the motion. Offline digits
by default, or real MNIST digits. Rows:

| row | model |
|---|---|
| single frame CNN | `LRCN single frame`, trained on frames labelled with their clip's action; the middle frame's prediction |
| frame-averaged CNN | the same model, its predictions averaged over the clip (the LRCN paper's single-frame baseline) |
| LRCN (CNN-LSTM) | `LRCN`: the same CNN per frame, LSTM(256), softmax on the last step |
| LRCN ConvGRU | `LRCN-ConvGRU`: a ConvGRU2D on the CNN's maps instead of the LSTM |

Every model trains to early stopping on the validation clips (the same cap
and patience), over several seeds (mean ± standard deviation). The LRCN paper
measured UCF101, not comparable, so the rows have no paper numbers.

**Captioning.** Offline captioned scenes (`keras_crnn.datasets.captions`):
`scenes` (default), two shapes among grey distractors, noise and (videos)
black bars, "a small red circle moves left then up to the right of a big blue
square" for a video and "a small red circle above a big blue square" for an
image; `simple`, one shape, "a red square moves left" and "a small blue circle
at the top", which a captioner learns exactly. An encoder-decoder LSTM
(`keras_crnn.models.lrcn`) is trained with teacher forcing on each, to early
stopping on the validation items, then decodes the test items greedily and
with a beam of 3; BLEU-1..4 (sacrebleu, 0-100) against the true caption (for a
two-shape image, both ways of saying it: "A above B" and "B below A").
The paper's BLEU scores are on COCO and video datasets that are not
comparable, so the rows have no paper numbers.
"""

import numpy as np

from keras_crnn.datasets.actions import ACTIONS
from keras_crnn.experiments.record import Experiment, Finding

ACTIVITY_DATASETS = ("digits", "mnist")
# Clips (a tenth of `train` validates), frames per clip (odd: a middle frame),
# frame side, the most epochs and the patience of every model, training seeds
# (two at cpu scale: the rows differ by tens of points). At cpu scale LRCN is
# right on 99 % of the validation clips after 5 epochs, and its validation loss
# then creeps towards 0 for tens of epochs (about 9 s each here): the cap of 30
# ends that.
_ACTIVITY = {
    "tiny": {"train": 48, "test": 16, "length": 5, "size": 16, "epochs": 1, "patience": None,
             "batch_size": 16, "seeds": 2},
    "quick": {"train": 480, "test": 160, "length": 7, "size": 32, "epochs": 3,
              "patience": None, "batch_size": 32, "seeds": 1},
    "cpu": {"train": 2400, "test": 1600, "length": 9, "size": 32, "epochs": 30, "patience": 4,
            "batch_size": 32, "seeds": 2},
    "paper": {"train": 20000, "test": 4000, "length": 15, "size": 64, "epochs": 200,
              "patience": 10, "batch_size": 32, "seeds": 3},
}
# Preset -> the rows its test predictions give
ACTIVITY_MODELS = {"LRCN single frame": ("single frame CNN", "frame-averaged CNN"),
                   "LRCN": ("LRCN (CNN-LSTM)",), "LRCN-ConvGRU": ("LRCN ConvGRU",)}
ACTIVITY_ROWS = tuple(row for rows in ACTIVITY_MODELS.values() for row in rows)
EXAMPLE_FRAMES = 5  # frames of each action's example clip kept for the figure

# `scenes` (default): two shapes, the mover's two directions in order and where
# it ends up, distractors, noise and occlusion; `simple`: one shape, one
# direction (captions that a captioner learns exactly).
DATASETS = ("scenes", "simple")
_SCALES = {
    "tiny": {"train": 60, "test": 10, "epochs": 1, "units": 16, "length": 4, "size": 24,
             "batch_size": 32, "patience": None},
    "quick": {"train": 120, "test": 20, "epochs": 2, "units": 32, "length": 4, "size": 24,
              "batch_size": 32, "patience": None},
    "cpu": {"train": 2400, "test": 400, "epochs": 40, "units": 128, "length": 8, "size": 32,
            "batch_size": 32, "patience": 4},
    "paper": {"train": 20000, "test": 1000, "epochs": 100, "units": 512, "length": 8,
              "size": 64, "batch_size": 32, "patience": 10},
}
EXAMPLES = 8


def captioning(run):
    """LRCN video and image captioning: BLEU-1..4, greedy and beam search."""
    import keras

    from keras_crnn import pipelines
    from keras_crnn.datasets import captions as data
    from keras_crnn.models import build_model
    from keras_crnn.models.lrcn import (
        beam_decode,
        bleu,
        caption_vectorizer,
        encode_captions,
        greedy_decode,
    )
    from keras_crnn.training import fit_model

    s, seed = run.settings, run.seed
    count = s["train"] + s["test"]
    scenes = run.dataset == "scenes"
    videos, images = ((data.captioned_scene_videos, data.captioned_scene_images) if scenes
                      else (data.captioned_videos, data.captioned_images))
    sets = {"video": videos(count, length=s["length"], size=s["size"], seed=seed),
            "image": images(count, size=s["size"], seed=seed)}
    what = ("two-shape scenes with distractors, noise and occlusion (one shape moves, "
            "then turns)" if scenes else "one-shape scenes")
    table = run.results_table(
        f"synthetic captioned videos ({s['length']} frames) and images, {what} "
        f"(keras_crnn.datasets.captions, seed {seed}), {s['size']}x{s['size']}: "
        f"{s['train']} training (a tenth validates), {s['test']} test items each")
    table.extras.update(examples={})
    n_val = max(1, s["train"] // 10)
    fit_part, val_part = slice(0, s["train"] - n_val), slice(s["train"] - n_val, s["train"])
    for kind, (visual, captions) in sets.items():
        vectorizer = caption_vectorizer(captions[:s["train"]],  # the training words only
                                        max_words=max(len(c.split()) for c in captions))
        ids = encode_captions(vectorizer, captions)
        keras.utils.set_random_seed(seed)
        # Flattened encoder maps keep where the shape is ("at the top", "moves left").
        model = build_model(f"LRCN {kind} captioner", visual.shape[1:],
                            vocabulary_size=vectorizer.vocabulary_size(),
                            max_length=ids.shape[1] - 1, units=s["units"])

        def batches(part, shuffle, visual=visual, ids=ids):
            return pipelines.make_dataset((visual[part], ids[part, :-1]), ids[part, 1:],
                                          batch_size=s["batch_size"], shuffle=shuffle,
                                          seed=seed, scale=(1 / 255, None))

        fit = fit_model(model, "sparse_categorical_crossentropy", batches(fit_part, True),
                        batches(val_part, False), s["epochs"], seed,
                        description=f"{kind} captioner", progress=run.progress,
                        patience=s["patience"])
        x = visual[s["train"]:count].astype(np.float32) / 255.0
        truth = captions[s["train"]:count]
        # A two-shape image may be said either way round: both are references.
        references = [[c, data.converse_caption(c)] for c in truth] \
            if scenes and kind == "image" else [[c] for c in truth]
        vocabulary = vectorizer.get_vocabulary()
        for decoding, decoded in (("greedy", greedy_decode(model, x, vocabulary)),
                                  ("beam 3", beam_decode(model, x, vocabulary, width=3))):
            row = f"LRCN {kind} captioner ({decoding})"
            for metric, value in bleu(references, decoded).items():
                table.add(row, run.dataset, metric, value)
            table.add(row, run.dataset, "exact_match", 100 * np.mean(
                [d in r for r, d in zip(references, decoded, strict=True)]))
            table.extras["examples"][row] = list(zip(truth[:EXAMPLES], decoded[:EXAMPLES],
                                                     strict=True))
        table.record_fit(kind, fit, s["epochs"])
    return table


def _activity_seed(run, data, seed):
    """One seed's fits and test predictions (a JSON-able dict for the cache)."""
    import keras

    from keras_crnn import pipelines
    from keras_crnn.experiments.results import fit_record
    from keras_crnn.models import build_model
    from keras_crnn.training import fit_model

    s = run.settings
    frames = data.train[0]
    length = frames.shape[1]
    out = {"fits": {}, "predicted": {}}
    for preset, rows in ACTIVITY_MODELS.items():
        per_frame = len(rows) == 2  # the frame classifier: every frame carries the clip's label

        def batches(part, shuffle, per_frame=per_frame):
            x, y = part
            if per_frame and y is not None:
                y = np.repeat(y[:, None], length, 1)
            return pipelines.make_dataset(x, y, batch_size=s["batch_size"], shuffle=shuffle,
                                          seed=seed, scale=1 / 255)

        keras.utils.set_random_seed(seed)
        model = build_model(preset, frames.shape[1:], classes=len(ACTIONS))
        fit = fit_model(model, "sparse_categorical_crossentropy", batches(data.train, True),
                        batches(data.validation, False), s["epochs"], seed, metrics=["accuracy"],
                        description=f"{preset} (seed {seed})", progress=run.progress,
                        patience=s["patience"])
        out["fits"][preset] = fit_record(fit, s["epochs"])
        probabilities = np.asarray(model.predict(batches((data.test[0], None), False),
                                                 verbose=0))
        if per_frame:  # (n, T, classes): the middle frame, and the clip average
            predictions = (probabilities[:, length // 2], probabilities.mean(1))
        else:
            predictions = (probabilities,)
        for row, p in zip(rows, predictions, strict=True):
            out["predicted"][row] = p.argmax(-1).tolist()
    return out


def activity(run):
    """LRCN activity recognition on moving-digit actions: single-frame and
    frame-averaged CNNs against LRCN and its ConvGRU variant."""
    from sklearn.metrics import confusion_matrix

    from keras_crnn.datasets.actions import action_splits
    from keras_crnn.experiments.results import cache_settings, encode_images
    from keras_crnn.metrics import accuracy_standard_error

    s = run.settings
    data = action_splits(s["train"], s["test"], s["length"], s["size"], run.dataset,
                         run.data_dir, run.seed)
    seeds = [run.seed + i for i in range(s["seeds"])]
    table = run.results_table(data.source)
    settings = cache_settings(s, "seeds")
    runs = [run.cached({"table": "lrcn-activity", "settings": settings, "seed": seed,
                        "data_seed": run.seed}, lambda seed=seed: _activity_seed(run, data, seed))
            for seed in seeds]
    truth = data.test[1]
    classes = len(ACTIONS)
    table.extras.update(actions=list(ACTIONS), seeds=seeds, confusion={}, per_action={},
                        training=f"every model: early stopping on the validation clips "
                                 f"(patience {s['patience']}, at most {s['epochs']} epochs)")
    for row in ACTIVITY_ROWS:
        predicted = np.array([r["predicted"][row] for r in runs])  # (seeds, test clips)
        right = predicted == truth
        accuracy = 100 * right.mean(1)
        if len(seeds) > 1:
            table.add_over_seeds(row, run.dataset, "accuracy", accuracy, seeds)
        else:
            table.add(row, run.dataset, "accuracy", accuracy[0],
                      stderr=100 * accuracy_standard_error(right.mean(), right.size),
                      count=int(right.size))
        table.extras["per_action"][row] = [100 * float(right[:, truth == k].mean())
                                           for k in range(classes)]
        table.extras["confusion"][row] = np.sum(  # over the seeds
            [confusion_matrix(truth, p, labels=list(range(classes))) for p in predicted],
            0).tolist()
    for preset in ACTIVITY_MODELS:
        for seed, r in zip(seeds, runs, strict=True):
            fit = r["fits"][preset]
            table.record_fit(preset if len(seeds) == 1 else f"{preset} (seed {seed})", fit,
                             fit["max_epochs"])
    frames, labels = data.test
    keep = np.linspace(0, frames.shape[1] - 1, EXAMPLE_FRAMES).round().astype(int)
    examples = np.stack([frames[np.flatnonzero(labels == k)[0]][keep] for k in range(classes)
                         if (labels == k).any()])
    table.extras["examples"] = encode_images(examples[..., 0])
    return table


def _records():
    from keras_crnn.experiments import reports

    return (Experiment(
        "lrcn-activity", "lrcn-and-encoder-decoder-lstm", "activity recognition (§4)",
        "LRCN activity recognition",
        "Moving-digit actions (the class is the motion, the digit is random): a CNN on single "
        "frames and its clip average against LRCN (CNN per frame, LSTM, softmax on the last "
        "step) and a ConvGRU variant; every model to early stopping, over seeds.", activity,
        _ACTIVITY, ACTIVITY_DATASETS,
        findings=(Finding("LRCN beats the single-frame CNN by at least 20 points", "beats",
                          "accuracy", ("LRCN (CNN-LSTM)",), ("single frame CNN",), 20.0),
                  Finding("both recurrent models beat the frame-averaged CNN (the LRCN "
                          "paper's baseline)", "all_beat", "accuracy", ("LRCN*",),
                          ("frame-averaged CNN",))),
        markdown=reports.activity_markdown, figure=reports.activity_figure), Experiment(
        "lrcn-captioning", "lrcn-and-encoder-decoder-lstm", "captioning (§5-6)",
        "LRCN captioning (BLEU)",
        "An image captioner (one-to-many) and a video captioner (many-to-many), "
        "encoder-decoder LSTMs trained with teacher forcing, decode the test items greedily "
        "and with a beam of 3; BLEU-1..4 and exact match.", captioning, _SCALES, DATASETS,
        findings=tuple(Finding(f"beam search (3) is at least as good as greedy decoding "
                               f"(BLEU-4, {kind})", "atleast", "bleu_4",
                               (f"LRCN {kind} captioner (beam 3)",),
                               (f"LRCN {kind} captioner (greedy)",))
                       for kind in ("video", "image")),
        summary_metrics=("bleu_1", "bleu_2", "bleu_3", "bleu_4", "exact_match"),
        markdown=reports.lrcn_markdown),)


EXPERIMENTS = _records()
