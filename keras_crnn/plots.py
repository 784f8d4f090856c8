"""Figures the notebooks show: image sequences, occlusion levels, learning curves,
forecasts.

Each function returns a matplotlib Figure and draws nothing else.
"""

import matplotlib.pyplot as plt
import numpy as np


def _show(ax, image):
    image = np.asarray(image)
    if image.shape[-1] == 1:
        ax.imshow(image[..., 0], cmap="gray", vmin=0, vmax=255)
    else:
        ax.imshow(image)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_sequences(frames, labels, predicted=None, class_names=None, title=None, size=1.2):
    """A grid of image sequences, one per row, labels above the frames.

    With `predicted`, each frame shows the prediction, green when right and
    red (with the truth) when wrong.

    Args:
        frames: uint8 `(n, time, rows, cols, channels)`.
        labels: int `(n, time)`.
        predicted: optional int `(n, time)`.
        class_names: names of the labels.
    """
    frames = np.asarray(frames)
    n, steps = frames.shape[:2]
    names = class_names or [str(i) for i in range(int(np.max(labels)) + 1)]
    fig, axes = plt.subplots(n, steps, figsize=(size * steps, size * 1.25 * n), squeeze=False)
    for i in range(n):
        for t in range(steps):
            ax = axes[i, t]
            _show(ax, frames[i, t])
            truth = names[labels[i][t]]
            if predicted is None:
                ax.set_title(truth, fontsize=9)
            else:
                guess = names[predicted[i][t]]
                right = guess == truth
                ax.set_title(guess if right else f"{guess} ({truth})", fontsize=9,
                             color="green" if right else "red")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_examples(table, test_frames, class_names):
    """Fig. 3: the test sequences stored in `table.extras["examples"]`, labelled
    with the model's predictions (green right, red wrong)."""
    shown = table.extras["examples"]
    indices = shown.get("indices", list(range(len(shown["true"]))))
    return plot_sequences(np.asarray(test_frames)[indices], shown["true"], shown["predicted"],
                          class_names=class_names)


def plot_occlusion_levels(images, levels_fn, seed=0, size=1.2):
    """Rows: images; columns: occlusion levels 1-5 (`levels_fn(images, levels, seed)`)."""
    images = np.asarray(images)
    columns = [levels_fn(images, np.full(len(images), level), seed=seed) for level in range(1, 6)]
    fig, axes = plt.subplots(len(images), 5, figsize=(size * 5, size * 1.2 * len(images)),
                             squeeze=False)
    for level, occluded in enumerate(columns, start=1):
        for i in range(len(images)):
            _show(axes[i, level - 1], occluded[i])
        axes[0, level - 1].set_title(f"level {level}", fontsize=9)
    fig.tight_layout()
    return fig


def _epoch_axis(ax, metric, log_scale):
    ax.set_xlabel("epoch")
    ax.set_title(metric)
    if log_scale:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)


def _legend_right(fig, axes):
    axes[0, -1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return fig


def plot_learning_curves(histories, metrics=("accuracy", "val_accuracy"), log_scale=False):
    """One panel per metric, one line per model, epochs on the x axis (a log
    y axis with `log_scale`, for losses)."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        for name, history in histories.items():
            if metric in history:
                values = history[metric]
                ax.plot(range(1, len(values) + 1), values, marker="o", label=name)
        _epoch_axis(ax, metric, log_scale)
    return _legend_right(fig, axes)


def plot_learning_curve_bands(curves, metrics=("loss", "val_loss"), log_scale=False):
    """Learning curves over seeds: one panel per metric, one line per model
    (the mean over the seeds still training at each epoch) in a band from
    the lowest to the highest seed.

    Args:
        curves: `{model: [history, ...]}`, one Keras-style history dict
            (`{metric: [per-epoch values]}`) per seed; runs stopped early
            may differ in length.
    """
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        for name, histories in curves.items():
            runs = [h[metric] for h in histories if metric in h]
            if not runs:
                continue
            epochs = np.arange(1, max(len(r) for r in runs) + 1)
            at = [[r[e - 1] for r in runs if len(r) >= e] for e in epochs]
            mean = [np.mean(v) for v in at]
            (line,) = ax.plot(epochs, mean, label=f"{name} ({len(runs)} seed{'s' * (len(runs) > 1)})")
            if len(runs) > 1:
                ax.fill_between(epochs, [min(v) for v in at], [max(v) for v in at],
                                color=line.get_color(), alpha=0.2, linewidth=0)
        _epoch_axis(ax, metric, log_scale)
    return _legend_right(fig, axes)


def plot_level_accuracy(table):
    """Grouped bars: accuracy (%) by occlusion level for each model of a results table."""
    rows = [r for r in table.rows if r["metric"].startswith("accuracy_level_")]
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    width = 0.8 / max(1, len(models))
    for i, model in enumerate(models):
        values = [r["value"] for r in rows if r["model"] == model]
        ax.bar(np.arange(1, len(values) + 1) + (i - len(models) / 2 + 0.5) * width, values,
               width, label=model)
    ax.set_xlabel("occlusion level")
    ax.set_ylabel("accuracy (%)")
    ax.set_xticks(range(1, 6))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_forecasts(series, forecasts, ages=(10, 15, 20, 25, 30), size=1.0):
    """Fig. 7 of the future-appearance paper: real pines and forecasts.

    Each row is one individual: its real images at `ages` (the last one is the
    target), then each model's forecast of the last age.

    Args:
        series: uint8 `(n, len(ages), rows, cols, 3)`.
        forecasts: dict of model name to uint8 `(n, rows, cols, 3)`.
    """
    series = np.asarray(series)
    n, steps = series.shape[:2]
    columns = steps + len(forecasts)
    rows, cols = series.shape[2:4]
    fig, axes = plt.subplots(n, columns, squeeze=False,
                             figsize=(size * columns * max(1.0, cols / rows) * 1.1,
                                      size * n * max(1.0, rows / cols) * 0.6))
    for i in range(n):
        for t in range(steps):
            _show(axes[i, t], series[i, t])
        for j, images in enumerate(forecasts.values()):
            _show(axes[i, steps + j], np.asarray(images)[i])
    for t, age in enumerate(ages[:steps]):
        axes[0, t].set_title(f"age {age}" + (" (real)" if t == steps - 1 else ""), fontsize=8)
    for j, name in enumerate(forecasts):
        label = name.replace("-forecaster", "\nforecaster")
        axes[0, steps + j].set_title(f"{label}\nage {ages[steps - 1]}", fontsize=8)
    fig.tight_layout()
    return fig


def _overlay(ax, frame, mask, color=(1.0, 0.1, 0.1)):
    """A frame with a translucent mask; the mask may be smaller (VGG-F's half size)."""
    frame = np.asarray(frame, np.float32) / 255.0
    if frame.shape[-1] == 1:
        frame = np.repeat(frame, 3, axis=-1)
    mask = np.asarray(mask, bool)
    if mask.shape != frame.shape[:2]:
        factor = frame.shape[0] // mask.shape[0]
        mask = np.repeat(np.repeat(mask, factor, 0), factor, 1)[: frame.shape[0], : frame.shape[1]]
    shown = frame.copy()
    shown[mask] = 0.45 * shown[mask] + 0.55 * np.asarray(color)
    ax.imshow(shown)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_overlays(frames, truth, predictions, size=2.0):
    """Fig. 7 of the RFCN paper: frames with the ground truth and each model's
    mask overlaid (red), one row per frame.

    Args:
        frames: uint8 `(n, rows, cols, channels)`.
        truth: bool `(n, rows, cols)`.
        predictions: dict of model name to bool masks `(n, r, c)` (full or
            half size).
    """
    frames = np.asarray(frames)
    n = len(frames)
    columns = 1 + len(predictions)
    aspect = frames.shape[2] / frames.shape[1]
    fig, axes = plt.subplots(n, columns, squeeze=False,
                             figsize=(size * aspect * columns, size * n))
    for i in range(n):
        _overlay(axes[i, 0], frames[i], truth[i], color=(0.1, 0.9, 0.2))
        for j, masks in enumerate(predictions.values(), start=1):
            _overlay(axes[i, j], frames[i], np.asarray(masks)[i])
    axes[0, 0].set_title("ground truth", fontsize=9)
    for j, name in enumerate(predictions, start=1):
        axes[0, j].set_title(name, fontsize=9)
    fig.tight_layout()
    return fig


def plot_mask_sequences(frames, masks, titles=None, size=1.1):
    """Image sequences (odd rows) above their masks (even rows).

    Args:
        frames: uint8 `(n, T, rows, cols, channels)`.
        masks: `(n, T, rows, cols, 1)` or `(n, T, rows, cols)`.
        titles: optional title per sequence.
    """
    frames, masks = np.asarray(frames), np.asarray(masks)
    n, steps = frames.shape[:2]
    fig, axes = plt.subplots(2 * n, steps, squeeze=False, figsize=(size * steps, size * 2 * n))
    for i in range(n):
        for t in range(steps):
            _show(axes[2 * i, t], frames[i, t])
            mask = masks[i, t].reshape(masks.shape[2:4])
            _show(axes[2 * i + 1, t], (mask * 255).astype(np.uint8)[..., None])
        if titles:
            axes[2 * i, 0].set_ylabel(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


def plot_f_measures(table, metric="f_measure"):
    """Grouped bars of `metric` per model, one group per dataset (condition)."""
    rows = [r for r in table.rows if r["metric"] == metric]
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    width = 0.8 / max(1, len(models))
    for i, model in enumerate(models):
        values = [next((r["value"] for r in rows if r["model"] == model and r["dataset"] == d),
                       np.nan) for d in datasets]
        ax.bar(np.arange(len(datasets)) + (i - len(models) / 2 + 0.5) * width, values, width,
               label=model)
    ax.set_xticks(range(len(datasets)))
    ax.set_xticklabels(datasets, fontsize=8)
    ax.set_ylabel(metric.replace("_", "-"))
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_class_accuracy(clips, class_names, per_class, chance=None, size=0.6):
    """Left, one example clip per class (a row of frames); right, grouped bars
    of each model's accuracy on each class.

    Args:
        clips: uint8 `(classes, frames, rows, cols)` or `(..., channels)`.
        class_names: a name per class.
        per_class: `{model: [accuracy (%) per class]}`.
        chance: draw a line at this accuracy (%).
    """
    clips = np.asarray(clips)
    if clips.ndim == 4:
        clips = clips[..., None]
    n, frames = clips.shape[:2]
    fig = plt.figure(figsize=(frames * size + 7, max(3.0, n * size + 0.6)))
    grid = fig.add_gridspec(n, frames + 1, width_ratios=[1] * frames + [7 / size / 1.2])
    for i in range(n):
        for t in range(frames):
            ax = fig.add_subplot(grid[i, t])
            _show(ax, clips[i, t])
            if t == 0:
                ax.set_ylabel(class_names[i], fontsize=8, rotation=0, ha="right", va="center")
    ax = fig.add_subplot(grid[:, frames])
    width = 0.8 / max(1, len(per_class))
    for j, (model, values) in enumerate(per_class.items()):
        ax.barh(np.arange(len(class_names)) + (j - len(per_class) / 2 + 0.5) * width, values,
                width, label=model)
    if chance is not None:
        ax.axvline(chance, color="k", lw=0.8, ls="--", label="chance")
    ax.set_yticks(range(len(class_names)))
    ax.set_yticklabels([])  # each class's bars sit beside its clip, which is labelled
    ax.set_ylim(len(class_names) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("test accuracy (%)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.01), ncol=2)
    return fig


def plot_confusion(matrix, class_names, title=None):
    """A confusion matrix (rows: true class, columns: predicted), counts in the cells."""
    matrix = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(1 + 0.7 * len(class_names), 0.8 + 0.6 * len(class_names)))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(class_names)))
    ax.set_xticklabels(class_names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(class_names)))
    ax.set_yticklabels(class_names, fontsize=8)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            ax.text(j, i, int(matrix[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def plot_clips_with_sound(clips, spectrograms, titles, frames=6, size=1.0):
    """One clip per row: `frames` frames spread over it, then its log-mel
    spectrogram (time across, mel bands up).

    Args:
        clips: uint8 `(n, time, rows, cols, 3)`.
        spectrograms: `(n, spectrogram frames, mels)`.
        titles: a label per clip (e.g. its genre).
    """
    clips, spectrograms = np.asarray(clips), np.asarray(spectrograms)
    n, steps = clips.shape[:2]
    chosen = np.linspace(0, steps - 1, min(frames, steps)).round().astype(int)
    fig, axes = plt.subplots(n, len(chosen) + 1, squeeze=False,
                             figsize=(size * (len(chosen) + 3), size * n),
                             gridspec_kw={"width_ratios": [1] * len(chosen) + [3]})
    for i in range(n):
        for j, t in enumerate(chosen):
            _show(axes[i, j], clips[i, t])
        axes[i, 0].set_ylabel(titles[i], fontsize=8, rotation=0, ha="right", va="center")
        sound = axes[i, -1]
        sound.imshow(spectrograms[i].T, origin="lower", aspect="auto", cmap="magma")
        sound.set_xticks([])
        sound.set_yticks([])
    for j, t in enumerate(chosen):
        axes[0, j].set_title(f"frame {t}", fontsize=8)
    axes[0, -1].set_title("log-mel spectrogram", fontsize=8)
    fig.tight_layout()
    return fig


def plot_captions(visual, truth, decoded=None, frames=3, size=1.3):
    """Images (or a video's first, middle and last frames) with their captions.

    With `decoded`, the decoded caption is shown too, green when it equals
    the truth and red otherwise.

    Args:
        visual: uint8 images `(n, rows, cols, 3)` or videos `(n, time, rows,
            cols, 3)`.
        truth: a caption per item.
        decoded: optional decoded caption per item.
    """
    visual = np.asarray(visual)
    if visual.ndim == 4:
        visual = visual[:, None]
    n, steps = visual.shape[:2]
    chosen = np.linspace(0, steps - 1, min(frames, steps)).round().astype(int)
    fig, axes = plt.subplots(n, len(chosen) + 1, squeeze=False,
                             figsize=(size * len(chosen) + 4, size * n),
                             gridspec_kw={"width_ratios": [1] * len(chosen) + [3]})
    for i in range(n):
        for j, t in enumerate(chosen):
            _show(axes[i, j], visual[i, t])
        text = axes[i, -1]
        text.axis("off")
        text.text(0, 0.65, f"truth: {truth[i]}", fontsize=9, va="center")
        if decoded is not None:
            text.text(0, 0.3, f"decoded: {decoded[i]}", fontsize=9, va="center",
                      color="green" if decoded[i] == truth[i] else "red")
    fig.tight_layout()
    return fig
