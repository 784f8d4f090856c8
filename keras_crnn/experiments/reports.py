"""Presenting results: Markdown tables and paper figures from a `ResultsTable`.

Nothing here trains; every function reads a results table (or its JSON), so
`reproduce --reuse`, the notebooks and `make results` redraw from results/.
"""

from pathlib import Path

import numpy as np

from keras_crnn.experiments.results import ResultsTable, decode_images, decode_masks

FORECAST_TABLE3_COLUMNS = ("mae", "mse", "snr", "snr_db", "psnr", "ssim", "mae_changed",
                           "mae_static", "mse_changed", "mse_static", "mae_all_frames",
                           "mse_all_frames", "min_val_loss")
FORECAST_FIGURE_COLUMNS = ("min_val_loss", "final_val_loss", "val_loss_rise", "best_epoch",
                           "mae", "mse")
SEGMENTATION_COLUMNS = ("precision", "recall", "f_measure", "f_measure_clean",
                        "f_measure_covered", "f_measure_dropped", "specificity", "fpr", "fnr",
                        "pbc")


def forecast_markdown(table):
    """The results as one wide table (models as rows), paper numbers beneath."""
    if table.name == "forecast-table3":
        return table.to_wide_markdown(FORECAST_TABLE3_COLUMNS)
    text = table.to_wide_markdown(FORECAST_FIGURE_COLUMNS)
    seeds = table.extras.get("seeds")
    if seeds:
        text += (f"\n\nMeans ± standard deviation over training seeds {seeds}; "
                 f"{_epochs_text(table)}.")
    return text


def _epochs_text(table):
    trained = table.extras.get("train_epochs", {}).values()
    if not trained:
        return "no training"
    used = [t["epochs"] for t in trained]
    cap = max(t.get("max_epochs", 0) for t in trained)
    return f"early stopping used {min(used)}-{max(used)} of at most {cap} epochs"


def forecast_figure(table):
    """Fig. 7 for Table 3 (real vs forecast pines), learning curves otherwise."""
    from keras_crnn import plots

    if table.name == "forecast-table3":
        examples = table.extras["examples"]
        forecasts = {name: decode_images(value) for name, value in examples.items()
                     if name not in ("indices", "series")}
        return plots.plot_forecasts(decode_images(examples["series"]), forecasts)
    histories = table.extras["histories"]
    if "seeds" not in table.extras:  # results made before seeds: one curve per variant
        return plots.plot_learning_curves(histories, ("loss", "val_loss"), log_scale=True)
    curves = {label: [histories[f"{label} (seed {seed})"] for seed in table.extras["seeds"]]
              for label in table.extras["variants"]}
    return plots.plot_learning_curve_bands(curves, ("loss", "val_loss"), log_scale=True)


def segmentation_markdown(table):
    """One wide table per dataset (condition), paper numbers beneath."""
    blocks = []
    datasets = list(dict.fromkeys(row["dataset"] for row in table.rows))
    for i, dataset in enumerate(datasets):
        part = ResultsTable(table.name, f"{table.title}: {dataset}", table.scale,
                            table.data_source, table.seed, table.epochs,
                            rows=[r for r in table.rows if r["dataset"] == dataset])
        text = part.to_wide_markdown(SEGMENTATION_COLUMNS)
        if i:  # the header (title, data) once
            text = f"**{dataset}**\n\n" + "\n".join(text.splitlines()[4:])
        blocks.append(text)
    return "\n\n".join(blocks)


def example_masks(table, row):
    """The binary masks of `row` stored by segmentation Tables 2-3 for Fig. 7:
    `(frames, rows, cols)`, frames `table.extras["examples"]["frames"]` of the
    first video."""
    return decode_masks(table.extras["examples"][row])


def load_videos(table, data_dir=None):
    """The videos a segmentation Table 2-3 result was measured on (regenerated
    from the seed for synthetic data; read from `data_dir` for CDnet)."""
    from keras_crnn.datasets.segmentation_videos import change_detection_videos
    from keras_crnn.experiments import EXPERIMENTS

    dataset = "cdnet" if table.data_source.startswith("CDnet") else "synthetic"
    s = EXPERIMENTS[table.name].settings(table.scale)
    return change_detection_videos(dataset, len(table.extras["videos"]), s["video_length"],
                                   data_dir, table.seed, frame_size=s.get("frame_size"))[0]


def segmentation_figure(table):
    """Table 1: F-measure by condition; Tables 2-3: Fig. 7 overlays on the first
    video's test frames (synthetic videos are regenerated from the seed, real
    CDnet videos read again from the folder the result names; without it, the
    F-measure bars instead)."""
    from keras_crnn import plots

    real = table.data_source.startswith("CDnet")
    data_dir = table.extras.get("data_dir")
    if table.name == "segmentation-table1" or "examples" not in table.extras or \
            (real and not (data_dir and Path(data_dir).is_dir())):
        return plots.plot_f_measures(table)
    video = load_videos(table, data_dir if real else None)[0]
    shown = table.extras["examples"]["frames"]
    rows = [row for row in table.extras["examples"] if row != "frames"]
    return plots.plot_overlays(video.frames[shown], video.groundtruth[shown] == 255,
                               {row: example_masks(table, row) for row in rows})


def genre_markdown(table):
    """Clip and video accuracy per row, the paper's UCF101 numbers beside."""
    text = table.to_wide_markdown(("accuracy", "video_accuracy"))
    stage1 = table.extras["stage1"]
    return text + ("\n\nThe paper's numbers are on UCF101 (101 "
                   f"actions). Training: {table.extras['training']}. Frame encoder: "
                   f"{table.extras['encoder']}, {table.extras['encoder_weights']}; the stage-1 "
                   f"frame classifier labels {stage1['frame_accuracy']:.1f} % of single test "
                   "frames right.")


def genre_figure(table):
    """Confusion matrix of the best row."""
    from keras_crnn import plots

    best = max((r for r in table.rows if r["metric"] == "accuracy"), key=lambda r: r["value"])
    return plots.plot_confusion(np.asarray(table.extras["confusion"][best["model"]]),
                                table.extras["classes"], title=f"{best['model']}: test clips")


def activity_markdown(table):
    """Accuracy per row, then each row's accuracy per action."""
    actions = table.extras["actions"]
    per_action = table.extras["per_action"]
    lines = [summary_table(table, ("accuracy",)), "", "Accuracy (%) per action:", "",
             "| model | " + " | ".join(actions) + " |", "|---|" + "---:|" * len(actions)]
    lines += [f"| {row} | " + " | ".join(f"{v:.1f}" for v in values) + " |"
              for row, values in per_action.items()]
    seeds = table.extras.get("seeds") or []
    note = f"Means ± standard deviation over training seeds {seeds}; " if len(seeds) > 1 else ""
    return "\n".join(lines + ["", f"{note}{_epochs_text(table)}."]).rstrip()


def activity_figure(table):
    """An example test clip per action beside every row's accuracy per action."""
    from keras_crnn import plots
    from keras_crnn.experiments.results import decode_images

    actions = table.extras["actions"]
    return plots.plot_class_accuracy(decode_images(table.extras["examples"]), actions,
                                     table.extras["per_action"], chance=100 / len(actions))


def lrcn_markdown(table):
    """BLEU per model and decoding, then example captions beside the truth."""
    lines = [table.to_wide_markdown(("bleu_1", "bleu_2", "bleu_3", "bleu_4", "exact_match")), ""]
    for row, pairs in table.extras["examples"].items():
        if "greedy" in row:
            lines += [f"**{row}**, test examples:", "", "| truth | decoded |", "|---|---|"]
            lines += [f"| {truth} | {decoded} |" for truth, decoded in pairs] + [""]
    return "\n".join(lines).rstrip()


def _short(value):
    """Three significant digits below 10, two decimals above.

    >>> [_short(v) for v in (0.07123, 0.7105, 9.899, 272.54, None)]
    ['0.0712', '0.711', '9.9', '272.54', '']
    """
    if value is None:
        return ""
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.2f}"


def summary_table(table, metrics):
    """A compact Markdown table: a row per model, a column per metric in
    `metrics` (per dataset, when the rows have several), ± the standard error
    where there is one (or the standard deviation of a mean over seeds), and
    the paper's value of the first metric."""
    datasets = list(dict.fromkeys(r["dataset"] for r in table.rows))
    cells, paper = {}, {}
    for r in table.rows:
        spread = r.get("stderr") or r.get("std")
        text = _short(r["value"]) + (f" ± {_short(spread)}" if spread else "")
        cells.setdefault((r["model"], r["metric"], r["dataset"]), text)
        if r["metric"] == metrics[0] and r["paper"] is not None:
            paper.setdefault(r["model"], r["paper"])
    columns = [(m, d) for m in metrics for d in datasets
               if any(key[1:] == (m, d) for key in cells)]
    names = [m if len(datasets) == 1 else f"{m}, {d}" for m, d in columns]
    if paper:
        names.append(f"paper: {metrics[0]}")
    lines = ["| model | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for model in dict.fromkeys(r["model"] for r in table.rows):
        values = [cells.get((model, m, d), "") for m, d in columns]
        if paper:
            values.append(_short(paper.get(model)))
        lines.append(f"| {model} | " + " | ".join(values) + " |")
    return "\n".join(lines)


def summary(experiment, table):
    """The README's section for one results table: the command, the data, a
    compact table of `experiment.summary_metrics` and each finding's verdict."""
    trained = sorted({e["epochs"] for e in table.extras.get("train_epochs", {}).values()
                      if isinstance(e, dict)})
    epochs = (f"{trained[0]}-{trained[-1]} epochs trained" if len(trained) > 1 else
              f"{trained[0]} epochs" if trained else f"{table.epochs} epochs")
    dataset, data_dir = table.extras.get("dataset"), table.extras.get("data_dir")
    trained_seeds = table.extras.get("seeds") or [table.seed]
    seeds = (f"seed {trained_seeds[0]}" if len(trained_seeds) == 1 else
             "training seeds " + ", ".join(map(str, trained_seeds)))
    stem = experiment.name if dataset in (None, experiment.datasets[0]) else \
        f"{experiment.name}-{dataset}"
    return "\n".join([
        f"`{experiment.command(dataset, data_dir, table.extras.get('weights'))}`: "
        f"{experiment.table}, scale "
        f"`{table.scale}`, {seeds}, {epochs}; [results/{stem}.md](results/{stem}.md)",
        "",
        f"Data: {table.data_source}", "", summary_table(table, experiment.summary_metrics), "",
        "The paper's findings on these results:", "", *experiment.verdicts(table)])
