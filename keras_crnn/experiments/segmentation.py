"""Recurrent FCN video segmentation (the RFCN paper): Tables 1-3.

`keras-crnn reproduce segmentation-table1|segmentation-table2|segmentation-table3
--scale quick|cpu|paper [--dataset ...] [--data-dir DIR]`.

- Table 1, moving digits (`keras_crnn.datasets.moving_digits`), 32x32 frames,
  3-frame windows, the mask of each window's last frame: FC-Lenet, LSTM and
  GRU on the flattened frames, and RFC-Lenet trained with the three-stage
  recipe from the FC-Lenet (its "GRU pretrained" stage is reported too).
  Three conditions: `clean` (the paper's; segmentation is thresholding),
  `clutter` (static clutter and noise: only motion tells digits apart) and
  `occluded` (moving bars, dropped frames; F also split by what happened to
  the last frame). Paper (clean): FC-Lenet F .894, LSTM .856, GRU .914,
  RFC-Lenet .916.
- Table 2, one change-detection video (80 % of its frames for training, the
  last 20 % for testing): FC-Lenet, FC-VGG, GRU pretrained and RFC-VGG
  (three-stage recipe). Paper: .924, .602, .644, .657.
- Table 3, six change-detection videos, one model trained on the first 80 % of
  each: FCN-12s, GRU pretrained, RFC-12s; measures per video, then averaged
  over the videos as CDnet does. Paper: .685, .69, .70.

Change-detection data: synthetic CDnet-layout videos
(`keras_crnn.datasets.cdnet.synthetic_cdnet_video`, 96x144) offline, or real
CDnet 2014 video folders with `--dataset cdnet --data-dir DIR` (Table 2 uses
the first video folder, Table 3 up to six). Measures follow CDnet: only
inside the ROI and the temporal ROI, unknown pixels skipped; FC-VGG and
RFC-VGG predict at half resolution (as in the paper), scored against the
ground truth subsampled by 2.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

WINDOW = 3
TABLE1_MODELS = ("FC-Lenet", "LSTM", "GRU", "RFC-Lenet")
PAPER_TABLE1 = {"FC-Lenet": (0.868, 0.922, 0.894), "LSTM": (0.941, 0.786, 0.856),
                "GRU": (0.955, 0.877, 0.914), "RFC-Lenet": (0.96, 0.877, 0.916)}
PAPER_TABLE2 = {"FC-Lenet": (0.931, 0.919, 0.924), "FC-VGG": (0.620, 0.584, 0.602),
                "GRU pretrained": (0.686, 0.607, 0.644), "RFC-VGG": (0.663, 0.652, 0.657)}
PAPER_TABLE3 = {"FCN-12s": (0.827, 0.585, 0.685), "GRU pretrained": (0.835, 0.587, 0.69),
                "RFC-12s": (0.797, 0.623, 0.70)}
CONDITIONS = ("clean", "clutter", "occluded")
DIGIT_DATASETS = ("digits", "mnist")
VIDEO_DATASETS = ("synthetic", "cdnet")
FRAME_SIZE = 32
VIDEO_SIZE = (96, 144)

# Sequences (Table 1) or frames per video (Tables 2-3), epochs per stage
# (FCN, recurrent unit alone, end to end), batch sizes and encoder width per
# scale. Table 2 trains on one video (about 210 windows at cpu scale), so it
# uses small batches and more epochs to get a similar number of updates as
# Table 3's six videos. The paper trains up to 500 epochs with early stopping;
# its data sizes are not given, so "paper" uses sizes a GPU handles in hours.
SCALES = {
    "quick": {"train": 40, "test": 16, "length": 6, "epochs": (1, 1, 1), "video_length": 40,
              "videos": 2, "table2_epochs": (1, 1, 1), "table2_batch_size": 8,
              "table3_epochs": (1, 1, 1), "width": 0.25, "batch_size": 32},
    "cpu": {"train": 800, "test": 200, "length": 8, "epochs": (5, 3, 3), "video_length": 300,
            "videos": 6, "table2_epochs": (40, 20, 20), "table2_batch_size": 8,
            "table3_epochs": (16, 8, 8), "width": 0.5, "batch_size": 32},
    "paper": {"train": 6000, "test": 1000, "length": 10, "epochs": (100, 50, 50),
              "video_length": 1200, "videos": 6, "table2_epochs": (200, 100, 100),
              "table2_batch_size": 8, "table3_epochs": (200, 100, 100), "width": 1.0,
              "batch_size": 32},
}
EVENT_NAMES = ("clean", "covered", "dropped")
EXAMPLE_FRAMES = 4


@dataclass
class SegmentationData:
    """Frames uint8 `(n, T, rows, cols, 1)`, masks {0, 1} of the same shape, and
    the events of every frame (moving digits) for train, validation and test."""

    train: tuple
    validation: tuple
    test: tuple
    test_events: np.ndarray
    source: str


def _digit_images(dataset, data_dir, size):
    from PIL import Image

    from keras_crnn.datasets.readers import load_digits, load_mnist

    images = load_mnist(data_dir) if dataset == "mnist" else load_digits()
    pool = np.concatenate([split[0] for split in (images.train, images.test) if split])
    side = size * 7 // 16  # 14 px digits on 32 px frames
    small = np.stack([np.asarray(Image.fromarray(im[..., 0]).resize((side, side),
                                                                     Image.BILINEAR))
                      for im in pool])
    return small[..., None], images.source


def digit_videos(condition, scale="quick", dataset="digits", data_dir=None, seed=0):
    """Moving-digit sequences of `condition` split for Table 1 (10 % of the
    training sequences validate)."""
    from keras_crnn.datasets.moving_digits import moving_digits

    settings = SCALES[scale]
    images, source = _digit_images(dataset, data_dir, FRAME_SIZE)
    count = settings["train"] + settings["test"]
    data = moving_digits(images, count, length=settings["length"], size=FRAME_SIZE,
                         condition=condition, seed=seed)
    n_test, n_val = settings["test"], max(1, settings["train"] // 10)
    parts = np.split(np.arange(count), [count - n_test - n_val, count - n_test])
    train, val, test = ((data.frames[i], data.masks[i]) for i in parts)
    return SegmentationData(train, val, test, data.events[parts[2]],
                            f"moving digits ({condition}), {FRAME_SIZE}x{FRAME_SIZE}, "
                            f"{settings['length']} frames, from {source}: "
                            f"{len(parts[0])}/{len(parts[1])}/{len(parts[2])} sequences")


def _measure_rows(table, model, dataset, counts, paper=None):
    measures = counts.measures()
    for i, metric in enumerate(("precision", "recall", "f_measure")):
        table.add(model, dataset, metric, measures[metric], None if paper is None else paper[i])
    for metric in ("specificity", "fpr", "fnr", "pbc"):
        table.add(model, dataset, metric, measures[metric])
    return measures


def _evaluate_digits(table, name, model, data, condition, paper):
    from keras_crnn.experiments.training import predict_masks
    from keras_crnn.metrics import SegmentationCounts

    frames, masks = data.test
    predicted = predict_masks(model, frames)  # (n, T - window + 1, rows, cols, 1)
    truth = masks[:, WINDOW - 1:]
    dataset = f"moving digits ({condition})"
    _measure_rows(table, name, dataset, SegmentationCounts().add(truth, predicted),
                  paper if condition == "clean" else None)
    if condition == "occluded":
        events = data.test_events[:, WINDOW - 1:]
        for code, event in enumerate(EVENT_NAMES):
            where = events == code
            counts = SegmentationCounts().add(truth[where], predicted[where])
            table.add(name, dataset, f"f_measure_{event}", counts.measures()["f_measure"],
                      frames=int(where.sum()))


def _record(table, name, fit, epochs):
    table.extras.setdefault("histories", {})[name] = fit["history"]
    table.extras.setdefault("train_seconds", {})[name] = round(fit["seconds"], 1)
    table.extras.setdefault("train_epochs", {})[name] = epochs


def table1(scale="quick", dataset="digits", data_dir=None, seed=0, progress=True):
    """Table 1: moving digits, FC-Lenet vs LSTM, GRU and RFC-Lenet (3 conditions)."""
    from keras_crnn.experiments.results import ResultsTable
    from keras_crnn.experiments.training import fit_segmenter, three_stage_recipe
    from keras_crnn.models.segmentation import build_segmenter

    settings = SCALES[scale]
    fcn_epochs, gru_epochs, rfc_epochs = settings["epochs"]
    frame_shape = (FRAME_SIZE, FRAME_SIZE, 1)
    source = digit_videos("clean", scale, dataset, data_dir, seed).source
    table = ResultsTable("segmentation-table1", "Moving digits (Table 1)", scale,
                         source.replace("(clean)", "(clean, clutter, occluded)"), seed,
                         fcn_epochs)
    table.extras.update(window=WINDOW, epochs_per_stage=list(settings["epochs"]))
    for condition in CONDITIONS:
        data = digit_videos(condition, scale, dataset, data_dir, seed)
        for name in ("LSTM", "GRU"):
            model = build_segmenter(name, frame_shape)
            fit = fit_segmenter(model, data.train, data.validation, fcn_epochs,
                                settings["batch_size"], seed, description=f"{name} {condition}",
                                progress=progress)
            _record(table, f"{name} ({condition})", fit, fcn_epochs)
            _evaluate_digits(table, name, model, data, condition, PAPER_TABLE1[name])

        def on_stage(stage, model, fit, condition=condition, data=data, table=table):
            name = {"fcn": "FC-Lenet", "pretrained": "GRU pretrained", "rfc": "RFC-Lenet"}[stage]
            epochs = {"fcn": fcn_epochs, "pretrained": gru_epochs, "rfc": rfc_epochs}[stage]
            _record(table, f"{name} ({condition})", fit, epochs)
            _evaluate_digits(table, name, model, data, condition, PAPER_TABLE1.get(name))

        three_stage_recipe(
            build_segmenter("FC-Lenet", frame_shape),
            lambda fcn: build_segmenter("RFC-Lenet", frame_shape, fcn=fcn),
            data.train, data.validation, settings["epochs"], settings["batch_size"], seed,
            progress=progress, on_stage=on_stage)
    return table


def _videos(dataset, scale, data_dir, seed, count):
    from keras_crnn.datasets.cdnet import read_cdnet_video, synthetic_cdnet_video

    settings = SCALES[scale]
    if dataset == "cdnet":
        if data_dir is None:
            raise ValueError("--dataset cdnet needs --data-dir: a folder of CDnet 2014 video "
                             "folders (each with input/, groundtruth/, ROI.bmp, "
                             "temporalROI.txt)")
        folders = sorted(p for p in Path(data_dir).iterdir() if (p / "input").is_dir())
        if not folders:
            raise FileNotFoundError(f"No CDnet video folders (with input/) in {data_dir}")
        videos = [read_cdnet_video(p) for p in folders[:count]]
        source = f"CDnet 2014 videos from {data_dir}: {', '.join(v.name for v in videos)}"
    else:
        videos = [synthetic_cdnet_video(length=settings["video_length"], size=VIDEO_SIZE,
                                        seed=seed + i) for i in range(count)]
        source = (f"synthetic CDnet-layout videos (keras_crnn.datasets.cdnet, seeds "
                  f"{seed}-{seed + count - 1}), {settings['video_length']} frames of "
                  f"{VIDEO_SIZE[0]}x{VIDEO_SIZE[1]}")
    return videos, source + "; first 80 % of each video's temporal ROI trains (its last " \
        "tenth validates), the last 20 % tests"


def _video_splits(video, downsample=1):
    """`(train, validation, test, test_range)` as 1-sequence `(frames, masks)`
    pairs; test windows reach back into the frames before the test range."""
    frames = video.frames.astype(np.uint8)
    if frames.shape[-1] != 3:
        frames = np.repeat(frames, 3, axis=-1)
    masks = (video.groundtruth[:, ::downsample, ::downsample] == 255).astype(np.uint8)[..., None]
    first, last = video.temporal_roi[0] - 1, video.temporal_roi[1]
    split = first + int(0.8 * (last - first))
    val_start = first + int(0.72 * (last - first))

    def part(lo, hi):
        return frames[None, lo:hi], masks[None, lo:hi]

    return (part(first, val_start), part(val_start - WINDOW + 1, split),
            part(split - WINDOW + 1, last), (split, last))


def _concat(parts):
    """Stacks the one-sequence parts of several videos as rows; videos of
    different lengths are cut to the shortest."""
    length = min(p[0].shape[1] for p in parts)
    return (np.concatenate([p[0][:, :length] for p in parts]),
            np.concatenate([p[1][:, :length] for p in parts]))


def _test_video(model, video, downsample):
    """CDnet confusion counts of `model` on the test part of `video`, the
    predicted masks `(frames, rows, cols)` and the index of the first test frame."""
    from keras_crnn.experiments.training import predict_masks
    from keras_crnn.metrics import SegmentationCounts, cdnet_targets

    _, _, test, (lo, hi) = _video_splits(video, downsample)
    predicted = predict_masks(model, test[0])[0, ..., 0]
    truth, valid = cdnet_targets(video.groundtruth[lo:hi, ::downsample, ::downsample])
    valid &= video.roi[None, ::downsample, ::downsample]
    return SegmentationCounts().add(truth, predicted, valid), predicted, lo


def _video_table(name, title, dataset, scale, data_dir, seed, progress, count, fcn_name,
                 rnn_name, paper, epochs, batch_size, extra_fcn=None):
    from keras_crnn.experiments.results import ResultsTable
    from keras_crnn.experiments.training import fit_segmenter, three_stage_recipe
    from keras_crnn.metrics import average_measures
    from keras_crnn.models.segmentation import build_segmenter, label_downsample

    settings = SCALES[scale]
    videos, source = _videos(dataset, scale, data_dir, seed, count)
    table = ResultsTable(name, title, scale, source, seed, epochs[0])
    table.extras.update(window=WINDOW, epochs_per_stage=list(epochs), batch_size=batch_size,
                        width=settings["width"], videos=[v.name for v in videos])
    frame_shape = videos[0].frames.shape[1:3] + (3,)
    label = f"{len(videos)} video{'s' if len(videos) > 1 else ''}"

    def evaluate(row, model):
        """Adds `row`: measures per video, averaged over the videos."""
        down = frame_shape[0] // model.output_shape[1]
        tested = [_test_video(model, video, down) for video in videos]
        measures = average_measures([counts.measures() for counts, _, _ in tested])
        # Fig. 7: the first video's masks of a few test frames, bits packed.
        _, predicted, lo = tested[0]
        shown = np.linspace(0, len(predicted) - 1, EXAMPLE_FRAMES).astype(int)
        masks = predicted[shown] > 0.5
        examples = table.extras.setdefault("examples", {"frames": (lo + shown).tolist()})
        examples[row] = {"shape": list(masks.shape), "bits": np.packbits(masks).tobytes().hex()}
        for i, metric in enumerate(("precision", "recall", "f_measure")):
            table.add(row, label, metric, measures[metric], paper.get(row, (None,) * 3)[i])
        for metric in ("specificity", "fpr", "fnr", "pbc"):
            table.add(row, label, metric, measures[metric])

    def splits(model_name):
        down = label_downsample(model_name)
        parts = [_video_splits(v, down) for v in videos]
        return _concat([p[0] for p in parts]), _concat([p[1] for p in parts])

    fcn_epochs, gru_epochs, rfc_epochs = epochs
    width = settings["width"]

    def fcn_row(row, model_name, model_epochs):
        train, validation = splits(model_name)
        model = build_segmenter(model_name, frame_shape, width=width)
        fit = fit_segmenter(model, train, validation, model_epochs, batch_size, seed,
                            description=row, progress=progress)
        _record(table, row, fit, model_epochs)
        evaluate(row, model)

    if extra_fcn:  # Table 2's FC-Lenet row
        fcn_row(extra_fcn, extra_fcn, fcn_epochs)
    train, validation = splits(fcn_name)

    def on_stage(stage, model, fit):
        row = {"fcn": fcn_name, "pretrained": "GRU pretrained", "rfc": rnn_name}[stage]
        _record(table, row, fit, {"fcn": fcn_epochs, "pretrained": gru_epochs,
                                  "rfc": rfc_epochs}[stage])
        evaluate(row, model)

    three_stage_recipe(
        build_segmenter(fcn_name, frame_shape, width=width),
        lambda fcn: build_segmenter(rnn_name, frame_shape, width=width, fcn=fcn),
        train, validation, epochs, batch_size, seed, progress=progress, on_stage=on_stage)
    # A control the paper does not have: the FCN trained for as many epochs as the
    # recurrent model's three stages together.
    total = fcn_epochs + gru_epochs + rfc_epochs
    fcn_row(f"{fcn_name} ({total} epochs)", fcn_name, total)
    return table


def example_masks(table, row):
    """The binary masks of `row` stored by Tables 2-3 for Fig. 7: `(frames, rows, cols)`,
    frames `table.extras["examples"]["frames"]` of the first video."""
    stored = table.extras["examples"][row]
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(stored["bits"]), np.uint8))
    return bits[: int(np.prod(stored["shape"]))].reshape(stored["shape"]).astype(bool)


def load_videos(table, data_dir=None):
    """The videos a Table 2-3 result was measured on (regenerated from the seed
    for synthetic data; read from `data_dir` for CDnet)."""
    dataset = "cdnet" if table.data_source.startswith("CDnet") else "synthetic"
    return _videos(dataset, table.scale, data_dir, table.seed, len(table.extras["videos"]))[0]


def table2(scale="quick", dataset="synthetic", data_dir=None, seed=0, progress=True):
    """Table 2: one change-detection video, FC-Lenet, FC-VGG, GRU pretrained, RFC-VGG."""
    settings = SCALES[scale]
    return _video_table("segmentation-table2", "One change-detection video (Table 2)", dataset,
                        scale, data_dir, seed, progress, 1, "FC-VGG", "RFC-VGG", PAPER_TABLE2,
                        settings["table2_epochs"], settings["table2_batch_size"],
                        extra_fcn="FC-Lenet")


def table3(scale="quick", dataset="synthetic", data_dir=None, seed=0, progress=True):
    """Table 3: six change-detection videos, FCN-12s, GRU pretrained, RFC-12s."""
    return _video_table("segmentation-table3", "Six change-detection videos (Table 3)",
                        dataset, scale, data_dir, seed, progress, SCALES[scale]["videos"],
                        "FCN-12s", "RFC-12s", PAPER_TABLE3, SCALES[scale]["table3_epochs"],
                        SCALES[scale]["batch_size"])


EXPERIMENTS = {"segmentation-table1": table1, "segmentation-table2": table2,
               "segmentation-table3": table3}
DATASETS = {"segmentation-table1": DIGIT_DATASETS, "segmentation-table2": VIDEO_DATASETS,
            "segmentation-table3": VIDEO_DATASETS}
COLUMNS = ("precision", "recall", "f_measure", "f_measure_clean", "f_measure_covered",
           "f_measure_dropped", "specificity", "fpr", "fnr", "pbc")


def to_markdown(table):
    """One wide table per dataset (condition), paper numbers beneath."""
    from keras_crnn.experiments.results import ResultsTable

    blocks = []
    datasets = list(dict.fromkeys(row["dataset"] for row in table.rows))
    for i, dataset in enumerate(datasets):
        part = ResultsTable(table.name, f"{table.title}: {dataset}", table.scale,
                            table.data_source, table.seed, table.epochs,
                            rows=[r for r in table.rows if r["dataset"] == dataset])
        text = part.to_wide_markdown(COLUMNS)
        if i:  # the header (title, data) once
            text = "\n".join(text.splitlines()[4:])
            text = f"**{dataset}**\n\n{text}"
        blocks.append(text)
    return "\n\n".join(blocks)


def figure(table):
    """Table 1: F-measure by condition; Tables 2-3: Fig. 7 overlays on the first
    video's test frames (synthetic videos are regenerated from the seed; real
    CDnet results have no stored frames and get the bars instead)."""
    from keras_crnn import plots

    if table.name == "segmentation-table1" or "examples" not in table.extras or \
            table.data_source.startswith("CDnet"):
        return plots.plot_f_measures(table)
    video = load_videos(table)[0]
    shown = table.extras["examples"]["frames"]
    rows = [row for row in table.extras["examples"] if row != "frames"]
    return plots.plot_overlays(video.frames[shown], video.groundtruth[shown] == 255,
                               {row: example_masks(table, row) for row in rows})


def streaming_demo(scale="quick", seed=0, frames=24):
    """Streams a synthetic change-detection video through an RFC-12s in both
    modes of `StreamingSegmenter`.

    The model is trained with the three-stage recipe on the first 80 % of the
    video (Table 2's epochs and batch size at `scale`); the last frames are then
    segmented one at a time.

    Returns:
        dict with the streamed `frames` uint8 `(frames, rows, cols, 3)`, their
        `truth` (bool), the `window` and `stateful` masks (probabilities), and
        the milliseconds per frame of each mode (`window_ms`, `stateful_ms`).
    """
    import time

    from keras_crnn.experiments.training import three_stage_recipe
    from keras_crnn.models.segmentation import build_segmenter
    from keras_crnn.models.streaming import StreamingSegmenter

    settings = SCALES[scale]
    video = _videos("synthetic", scale, None, seed, 1)[0][0]
    train, validation, _, (lo, hi) = _video_splits(video)
    shape = video.frames.shape[1:]
    rfc = three_stage_recipe(
        build_segmenter("FCN-12s", shape, width=settings["width"]),
        lambda fcn: build_segmenter("RFC-12s", shape, width=settings["width"], fcn=fcn),
        train, validation, settings["table2_epochs"], settings["table2_batch_size"], seed,
        progress=False)
    stream = video.frames[max(lo, hi - frames):hi]
    out = {"frames": stream, "truth": video.groundtruth[max(lo, hi - frames):hi] == 255}
    for mode in ("window", "stateful"):
        segmenter = StreamingSegmenter(rfc, mode)
        segmenter.segment(stream[:3])  # warm up
        start = time.perf_counter()
        out[mode] = segmenter.segment(stream)
        out[f"{mode}_ms"] = 1e3 * (time.perf_counter() - start) / len(stream)
    return out
