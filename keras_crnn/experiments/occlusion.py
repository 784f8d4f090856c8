"""Occluded-sequence classification (Zheng et al., GlobalSIP 2018): Tables 1-3.

`keras-crnn reproduce occlusion-table1|occlusion-table2|occlusion-table3
--scale quick|cpu|paper [--dataset digits|letters|shapes|mnist|emnist|cifar10]
[--data-dir DIR]`.

Datasets: `digits` and `letters` (offline glyphs, for the MNIST and EMNIST
columns), `shapes` (offline synthetic stand-in for the CIFAR-10 column), or the
real `mnist`, `emnist`, `cifar10` from `--data-dir` or the Keras cache.

- Table 1: six models on sequences with regular label patterns.
  Paper (MNIST): CNN 89.44 %, CRNN 98.33 %.
- Table 2: the same models on random sequences (no pattern).
  Paper (MNIST): CNN 89.37 %, CRNN 87.89 %.
- Table 3: CRNN on patterned sequences of length T = 5...25 (6...30 for
  letters). Paper (MNIST): 98.33 ... 98.06 %.

Accuracy is the share of test frames classified right, in percent, with its
binomial standard error. Every image is used at most once, and test sequences
use only images that no training sequence uses.
"""

from dataclasses import dataclass

import numpy as np

from keras_crnn.datasets import load_digits, load_image_dataset, split_arrays
from keras_crnn.datasets.core import make_rng
from keras_crnn.datasets.glyphs import DIGITS, LETTERS, TEST_FONTS, TRAIN_FONTS, render_glyphs
from keras_crnn.datasets.occlusion import LEVELS, balanced_levels, occlude
from keras_crnn.datasets.patterns import (
    chain_sequences,
    digit_patterns,
    letter_patterns,
    maximize_pattern_counts,
    patterned_label_sequences,
    random_label_sequences,
)
from keras_crnn.datasets.sequences import assign_images, gather_sequences
from keras_crnn.datasets.shapes import SHAPE_CLASSES, render_shapes

# Offline datasets stand in for a paper column; real ones are that column.
PAPER_COLUMN = {"digits": "MNIST", "mnist": "MNIST", "letters": "EMNIST",
                "emnist": "EMNIST", "shapes": "CIFAR10", "cifar10": "CIFAR10"}
OFFLINE = ("digits", "letters", "shapes")
DATASETS = tuple(PAPER_COLUMN)

_MODELS = ("CNN-2-S", "CNN-4-S", "CNN", "CRNN-2-S", "CRNN-4-S", "CRNN")
PAPER_TABLE1 = {
    "MNIST": dict(zip(_MODELS, (86.22, 88.02, 89.44, 98.27, 98.15, 98.33), strict=True)),
    "EMNIST": dict(zip(_MODELS, (86.01, 87.26, 88.90, 97.95, 97.90, 98.14), strict=True)),
    "CIFAR10": dict(zip(_MODELS, (44.39, 42.12, 54.99, 89.11, 90.18, 90.36), strict=True)),
}
PAPER_TABLE2 = {
    "MNIST": dict(zip(_MODELS, (86.37, 88.28, 89.37, 86.68, 88.15, 87.89), strict=True)),
    "EMNIST": dict(zip(_MODELS, (86.10, 87.81, 89.22, 86.66, 88.16, 87.81), strict=True)),
    "CIFAR10": dict(zip(_MODELS, (44.21, 41.40, 53.88, 45.64, 48.21, 50.62), strict=True)),
}
PAPER_TABLE3 = {  # CRNN accuracy by chain factor (T = factor x 5, or x 6 for letters)
    "MNIST": (98.33, 98.11, 98.23, 98.10, 98.06),
    "EMNIST": (98.14, 97.83, 97.76, 97.78, 97.62),
    "CIFAR10": (90.36, 88.29, 88.11, 88.19, 87.93),
}
PAPER_HUMANS = {  # Tables 4 (patterned) and 5 (random), shown as reference only
    "patterned": {"Non-expert": {"MNIST": 93.96, "EMNIST": 92.52, "CIFAR10": 71.11},
                  "Expert": {"MNIST": 100.00, "EMNIST": 99.26, "CIFAR10": 97.78}},
    "random": {"Non-expert": {"MNIST": 75.56, "EMNIST": 71.79, "CIFAR10": 50.19},
               "Expert": {"MNIST": 81.00, "EMNIST": 78.89, "CIFAR10": 71.67}},
}

# Images per split, epochs, and Table 3's chain factors per scale. "paper" uses
# every image of a real dataset (offline data: MNIST's 60000 / 10000). At cpu
# scale Table 3 trains five CRNNs, so it uses a smaller training pool
# (`table3_train_images`); its rows compare lengths at equal data.
SCALES = {
    "quick": {"train_images": 1500, "test_images": 600, "epochs": 2, "batch_size": 32,
              "factors": (1, 2)},
    "cpu": {"train_images": 16000, "test_images": 4000, "epochs": 8, "batch_size": 32,
            "factors": (1, 2, 3, 4, 5), "table3_train_images": 8000},
    "paper": {"train_images": None, "test_images": None, "epochs": 30, "batch_size": 32,
              "factors": (1, 2, 3, 4, 5)},
}


@dataclass
class OcclusionData:
    """Occluded image sequences of one experiment.

    Frames are uint8 `(n, T, rows, cols, channels)`; labels and occlusion
    levels are int `(n, T)`.
    """

    train: tuple
    validation: tuple
    test: tuple
    levels_test: np.ndarray
    class_names: list
    source: str
    sequences: dict


def _subsample(images, labels, count, seed):
    if count is None or count >= len(labels):
        return images, labels
    keep = make_rng(seed).permutation(len(labels))[:count]
    return images[keep], labels[keep]


def _offline_pools(dataset, train_count, test_count, seed):
    """Offline images: glyphs from disjoint train/test fonts (+ real digit scans), or
    synthetic shapes for the CIFAR-10 column."""
    train_count = train_count or (50000 if dataset == "shapes" else 60000)
    test_count = test_count or 10000
    if dataset == "shapes":
        pools = []
        for i, count in enumerate((train_count, test_count)):
            labels = np.repeat(np.arange(10), max(1, count // 10))
            pools.append((render_shapes(labels, seed=seed + 100 + i), labels))
        source = ("offline shapes: synthetic CIFAR-10 stand-in (ten coloured shape classes, "
                  f"32x32; not CIFAR-10); {len(pools[0][1])} train / {len(pools[1][1])} "
                  "test images")
        return pools[0], pools[1], source
    if dataset == "digits":
        chars, both_cases = DIGITS, False
        real = load_digits()
        (real_train, real_train_y), (real_test, real_test_y) = split_arrays(
            real.train, (0.8, 0.2), seed=seed
        )
        note = (f"{len(real_train_y)}/{len(real_test_y)} scikit-learn digit scans + glyphs "
                "rendered from matplotlib's fonts (test fonts unseen in training)")
    else:
        chars, both_cases = LETTERS, True
        real_train = real_test = np.zeros((0, 28, 28, 1), np.uint8)
        real_train_y = real_test_y = np.zeros(0, np.int64)
        note = "glyph letters (upper and lower case) rendered from matplotlib's fonts " \
               "(test fonts unseen in training)"
    classes = len(chars)
    pools = []
    for i, (fonts, count, real_x, real_y) in enumerate(
        [(TRAIN_FONTS, train_count, real_train, real_train_y),
         (TEST_FONTS, test_count, real_test, real_test_y)]
    ):
        per_class = max(1, (count - len(real_y)) // classes)
        labels = np.repeat(np.arange(classes), per_class)
        glyphs = render_glyphs(labels, chars, fonts=fonts, seed=seed + 100 + i,
                               both_cases=both_cases)
        pools.append((np.concatenate([real_x, glyphs]), np.concatenate([real_y, labels])))
    source = f"offline {dataset}: {note}; {len(pools[0][1])} train / {len(pools[1][1])} test images"
    return pools[0], pools[1], source


def _image_pools(dataset, data_dir, train_count, test_count, seed):
    if dataset not in DATASETS:
        raise ValueError(f"`dataset` must be one of {DATASETS}. Received: {dataset!r}")
    if dataset in OFFLINE:
        train, test, source = _offline_pools(dataset, train_count, test_count, seed)
        names = {"digits": list(DIGITS), "letters": list(LETTERS),
                 "shapes": list(SHAPE_CLASSES)}[dataset]
        return train, test, names, source
    data = load_image_dataset(dataset, path=data_dir)
    train, test = data.train, data.test
    source = data.source
    if train is None or test is None:  # one split only: split it by image
        train, test = split_arrays(train or test, (0.8, 0.2), seed=seed)
        source += "; split 80/20 by image here"
    train = _subsample(*train, train_count, seed)
    test = _subsample(*test, test_count, seed + 1)
    source += f"; {len(train[1])} train / {len(test[1])} test images used"
    return train, test, data.class_names, source


def _build_sequences(images, labels, patterns, counts, patterned, factor, seed):
    """Patterned or random occluded sequences from one pool, chained by `factor`.

    Random sequences are as many as the patterned ones (`counts.sum()`), of
    distinct images drawn at random.
    """
    if patterned:
        wanted = patterned_label_sequences(patterns, counts, seed=seed)
        indices = assign_images(labels, wanted, seed=seed + 1)
    else:
        wanted, indices = random_label_sequences(labels, int(counts.sum()), patterns.shape[1],
                                                 seed=seed)
    wanted, indices = chain_sequences([wanted, indices], factor)
    frames = gather_sequences(images, indices)
    levels = balanced_levels(indices.size, seed=seed + 2).reshape(indices.shape)
    flat = occlude(frames.reshape((-1,) + frames.shape[2:]), levels.ravel(), seed=seed + 3)
    return flat.reshape(frames.shape), wanted, levels


def occlusion_data(dataset="digits", scale="quick", patterned=True, factor=1, data_dir=None,
                   seed=0, train_images=None, test_images=None):
    """Builds the occluded sequences of one experiment.

    Args:
        dataset: `digits`/`letters` (offline), `mnist`, `emnist` or `cifar10`.
        scale: `quick`, `cpu` or `paper`: sets the images per split.
        patterned: label patterns packed by the MILP (Tables 1, 3), or random
            sequences (Table 2) with as many sequences as the patterned ones.
        factor: base sequences chained into one (Table 3); T = factor x 5
            (x 6 for letters).
        data_dir: folder of a real dataset's files (default: Keras cache).
        seed: int seed of everything.
        train_images, test_images: override the scale's image counts.

    Returns:
        `OcclusionData`.
    """
    settings = SCALES[scale]
    train_count = train_images if train_images is not None else settings["train_images"]
    test_count = test_images if test_images is not None else settings["test_images"]
    train_pool, test_pool, names, source = _image_pools(dataset, data_dir, train_count,
                                                        test_count, seed)
    patterns = letter_patterns() if len(names) == 26 else digit_patterns()
    parts, info = [], {}
    for i, (images, labels) in enumerate([train_pool, test_pool]):
        counts, lp = maximize_pattern_counts(patterns, np.bincount(labels, minlength=len(names)))
        x, y, levels = _build_sequences(images, labels, patterns, counts, patterned, factor,
                                        seed + 10 * i)
        parts.append((x, y, levels))
        info["train" if i == 0 else "test"] = {**lp, "sequences": len(y)}
        if patterned:
            info["train" if i == 0 else "test"]["pattern_mix"] = {
                "-".join(names[c] for c in p): int(n)
                for p, n in zip(patterns, counts, strict=True)
            }
    (x, y, _), (x_test, y_test, levels_test) = parts
    (x_train, y_train), (x_val, y_val) = split_arrays([x, y], (0.9, 0.1), seed=seed)
    kind = "patterned (MILP-packed)" if patterned else "random"
    source += f"; {kind} sequences of {y.shape[1]} frames, 5 occlusion levels 1:1:1:1:1"
    return OcclusionData((x_train, y_train), (x_val, y_val), (x_test, y_test), levels_test,
                         names, source, info)


def _evaluate(table, model_name, model, data, dataset, paper, fit):
    """Adds accuracy (± s.e.), sequence accuracy and per-level accuracy rows."""
    from keras_crnn.experiments.training import predict_labels
    from keras_crnn.metrics import accuracy_standard_error, sequence_accuracy

    x_test, y_test = data.test
    predicted = predict_labels(model, x_test).argmax(-1)
    right = predicted == y_test
    accuracy = right.mean()
    table.add(model_name, dataset, "accuracy", 100 * accuracy, paper,
              stderr=100 * accuracy_standard_error(accuracy, right.size), count=int(right.size))
    table.add(model_name, dataset, "sequence_accuracy", 100 * sequence_accuracy(y_test, predicted),
              count=len(y_test))
    for level in LEVELS:
        at_level = right[data.levels_test == level]
        table.add(model_name, dataset, f"accuracy_level_{level}", 100 * at_level.mean(),
                  count=int(at_level.size))
    table.extras.setdefault("histories", {})[model_name] = fit["history"]
    table.extras.setdefault("train_seconds", {})[model_name] = round(fit["seconds"], 1)
    return predicted


def _run_models(name, title, paper_table, patterned, scale, dataset, data_dir, seed, progress,
                models=_MODELS):
    from keras_crnn.experiments.results import ResultsTable
    from keras_crnn.experiments.training import fit_classifier
    from keras_crnn.models import build_model

    settings = SCALES[scale]
    data = occlusion_data(dataset, scale, patterned=patterned, data_dir=data_dir, seed=seed)
    column = PAPER_COLUMN[dataset]
    table = ResultsTable(name, title, scale, data.source, seed, settings["epochs"])
    table.extras.update(sequences=data.sequences, paper_column=column,
                        paper_humans=PAPER_HUMANS["patterned" if patterned else "random"])
    x_train, _ = data.train
    for model_name in models:
        model = build_model(model_name, x_train.shape[1:], len(data.class_names))
        fit = fit_classifier(model, data.train, data.validation, settings["epochs"],
                             settings["batch_size"], seed, description=model_name,
                             progress=progress)
        predicted = _evaluate(table, model_name, model, data, dataset,
                              paper_table[column][model_name], fit)
        if model_name == "CRNN":  # a few test sequences for the notebook's Fig. 3
            table.extras["examples"] = {"predicted": predicted[:8].tolist(),
                                        "true": data.test[1][:8].tolist()}
    return table


def table1(scale="quick", dataset="digits", data_dir=None, seed=0, progress=True):
    """Table 1: six models on occluded sequences with regular label patterns."""
    return _run_models("occlusion-table1", "Occluded sequences with regular patterns (Table 1)",
                       PAPER_TABLE1, True, scale, dataset, data_dir, seed, progress)


def table2(scale="quick", dataset="digits", data_dir=None, seed=0, progress=True):
    """Table 2: six models on occluded random sequences (no pattern)."""
    return _run_models("occlusion-table2", "Occluded sequences without patterns (Table 2)",
                       PAPER_TABLE2, False, scale, dataset, data_dir, seed, progress)


def table3(scale="quick", dataset="digits", data_dir=None, seed=0, progress=True):
    """Table 3: CRNN accuracy on patterned sequences of growing length T."""
    from keras_crnn.experiments.results import ResultsTable
    from keras_crnn.experiments.training import fit_classifier
    from keras_crnn.models import build_model

    settings = SCALES[scale]
    column = PAPER_COLUMN[dataset]
    table = None
    for i, factor in enumerate(settings["factors"]):
        data = occlusion_data(dataset, scale, patterned=True, factor=factor, data_dir=data_dir,
                              seed=seed, train_images=settings.get("table3_train_images"))
        if table is None:
            table = ResultsTable("occlusion-table3", "CRNN by sequence length (Table 3)", scale,
                                 data.source, seed, settings["epochs"])
            table.extras.update(paper_column=column, sequences={})
        length = data.train[1].shape[1]
        table.extras["sequences"][f"T={length}"] = data.sequences
        model = build_model("CRNN", data.train[0].shape[1:], len(data.class_names))
        fit = fit_classifier(model, data.train, data.validation, settings["epochs"],
                             settings["batch_size"], seed, description=f"CRNN T={length}",
                             progress=progress)
        _evaluate(table, f"CRNN T={length}", model, data, dataset, PAPER_TABLE3[column][i], fit)
    return table


def example_images(dataset="digits", count=4, data_dir=None, seed=0):
    """Un-occluded test images of `count` different classes (for Fig. 2).

    Returns:
        uint8 `(count, rows, cols, channels)` and their int labels.
    """
    _, (images, labels), _, _ = _image_pools(dataset, data_dir, 1000, 1000, seed)
    firsts = [np.flatnonzero(labels == c)[0] for c in np.unique(labels)[:count]]
    return images[firsts], labels[firsts]
