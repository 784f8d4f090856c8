"""`keras-crnn demo`: train every model preset briefly on the offline digits.

Sequences of 5 real handwritten digits (scikit-learn's scans, upscaled) whose
labels count up from a random start (e.g. 3-4-5-6-7), half of every frame after
the first hidden behind a black block, so single frames are ambiguous and the
count-up pattern is what a recurrent model can use. Test sequences are built
only from images that no training sequence uses.
"""

import time

import numpy as np

from keras_crnn.datasets import load_digits, split_arrays
from keras_crnn.datasets.sequences import (
    arithmetic_label_sequences,
    assign_images,
    gather_sequences,
)

# Smaller than the presets' defaults so that the demo finishes in about two
# minutes on 2 CPU cores: stride-2 convolutions instead of full-resolution ones.
DEMO_OVERRIDES = {"conv_layers": ((16, 2), (32, 2)), "pool_size": None, "temporal_units": 64}


def demo_data(length=5, train_count=800, test_count=300, seed=0):
    """Count-up digit sequences with the lower half of frames 2..T blacked out.

    Returns:
        `((x_train, y_train), (x_test, y_test), source)` with uint8 frames
        `(n, length, 28, 28, 1)` and labels `(n, length)`.
    """
    data = load_digits()
    images, labels = data.train
    (train_images, train_labels), (test_images, test_labels) = split_arrays(
        [images, labels], (0.75, 0.25), seed=seed
    )
    parts = []
    for i, (imgs, labs, count) in enumerate(
        [(train_images, train_labels, train_count), (test_images, test_labels, test_count)]
    ):
        wanted = arithmetic_label_sequences(count, length, 10, seed=seed + 1 + i)
        # Images repeat across sequences within a split (1797 scans are few),
        # never across the train/test split.
        x = gather_sequences(imgs, assign_images(labs, wanted, seed=seed + 3 + i, replace=True))
        x = x.copy()
        x[:, 1:, 14:] = 0  # frames after the first show only their top half
        parts.append((x, wanted))
    return parts[0], parts[1], data.source


def run_demo(epochs=3, batch_size=32, seed=0, print_fn=print):
    """Builds each preset (with `DEMO_OVERRIDES`), trains it for `epochs`, returns
    and prints a table.

    Returns:
        list of dicts with model, parameters, seconds and test accuracies (%).
    """
    import keras

    from keras_crnn.metrics import frame_accuracy, sequence_accuracy
    from keras_crnn.models import PRESETS, build_model

    (x_train, y_train), (x_test, y_test), source = demo_data(seed=seed)
    x_train = x_train.astype("float32") / 255.0
    x_test = x_test.astype("float32") / 255.0
    print_fn(f"Data: {source}; {len(x_train)} train / {len(x_test)} test sequences of "
             f"{x_train.shape[1]} frames, count-up labels, frames 2-5 half hidden.")
    rows = []
    for name in PRESETS:
        keras.utils.set_random_seed(seed)
        overrides = dict(DEMO_OVERRIDES)
        if PRESETS[name]["config"].get("temporal", "").startswith("conv"):
            overrides["temporal_units"] = 16  # filters of a conv-recurrent layer
        model = build_model(name, x_train.shape[1:], classes=10, **overrides)
        model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
        start = time.perf_counter()
        model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)
        seconds = time.perf_counter() - start
        scores = np.asarray(model(x_test, training=False))
        rows.append({
            "model": name,
            "parameters": model.count_params(),
            "train_seconds": round(seconds, 1),
            "frame_accuracy": 100 * frame_accuracy(y_test, scores),
            "sequence_accuracy": 100 * sequence_accuracy(y_test, scores),
        })
        print_fn(f"  {name}: {model.count_params():,} parameters, trained in {seconds:.0f} s")
    print_fn("")
    print_fn(format_table(rows, epochs))
    return rows


def format_table(rows, epochs):
    lines = [
        f"| model | parameters | train s ({epochs} epochs) | frame acc. % | sequence acc. % |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['parameters']:,} | {r['train_seconds']} | "
            f"{r['frame_accuracy']:.1f} | {r['sequence_accuracy']:.1f} |"
        )
    return "\n".join(lines)

