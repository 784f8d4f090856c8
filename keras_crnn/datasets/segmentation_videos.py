"""The RFCN paper's data, split for its tables (numpy and Pillow only).

- `digit_videos`: moving-digit sequences (`keras_crnn.datasets.moving_digits`)
  from the offline digits or real MNIST, split into train / validation / test
  sequences (Table 1).
- `change_detection_videos`: synthetic CDnet-layout videos or real CDnet 2014
  video folders (Tables 2-3); `video_splits` cuts one into consecutive train /
  validation / test parts of its temporal ROI (the paper's Table 2: the first
  80 % trains, its last tenth validates, the last 20 % tests; Table 3: 70 / 20
  / 10 %) and `stack_videos` puts several videos' parts side by side.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

VIDEO_SIZE = (96, 144)
# Fractions of a video's temporal ROI for (train, validation, test), in order
SPLIT_TABLE2 = (0.72, 0.08, 0.2)
SPLIT_TABLE3 = (0.7, 0.2, 0.1)


@dataclass
class SegmentationData:
    """Frames uint8 `(n, T, rows, cols, 1)`, masks {0, 1} of the same shape, and
    the events of every test frame (moving digits) for train, validation and test."""

    train: tuple
    validation: tuple
    test: tuple
    test_events: np.ndarray
    source: str


def digit_images(dataset, data_dir, size):
    """Digits `(n, side, side, 1)` uint8 for frames of `size` pixels (14 px
    digits on 32 px frames), from `digits` (offline) or `mnist`; and their source."""
    from PIL import Image

    from keras_crnn.datasets.readers import load_digits, load_mnist

    images = load_mnist(data_dir) if dataset == "mnist" else load_digits()
    pool = np.concatenate([split[0] for split in (images.train, images.test) if split])
    side = size * 7 // 16
    small = np.stack([np.asarray(Image.fromarray(im[..., 0]).resize((side, side),
                                                                     Image.BILINEAR))
                      for im in pool])
    return small[..., None], images.source


def digit_videos(condition, train, test, length, size=32, dataset="digits", data_dir=None,
                 seed=0):
    """Moving-digit sequences of `condition` (`clean`, `clutter`, `occluded`):
    `train` sequences (a tenth of them validate) and `test` sequences of
    `length` frames of `size` x `size`.

    Returns:
        `SegmentationData`.
    """
    from keras_crnn.datasets.moving_digits import moving_digits

    images, source = digit_images(dataset, data_dir, size)
    count = train + test
    data = moving_digits(images, count, length=length, size=size, condition=condition,
                         seed=seed)
    n_val = max(1, train // 10)
    parts = np.split(np.arange(count), [count - test - n_val, count - test])
    fit, val, held_out = ((data.frames[i], data.masks[i]) for i in parts)
    return SegmentationData(fit, val, held_out, data.events[parts[2]],
                            f"moving digits ({condition}), {size}x{size}, {length} frames, "
                            f"from {source}: {len(parts[0])}/{len(parts[1])}/{len(parts[2])} "
                            "sequences")


def change_detection_videos(dataset, count, length, data_dir=None, seed=0, size=VIDEO_SIZE,
                            frame_size=None, split=SPLIT_TABLE2):
    """`count` change-detection videos and their source.

    Args:
        dataset: `synthetic` (`keras_crnn.datasets.cdnet.synthetic_cdnet_video`,
            seeds `seed ... seed + count - 1`, `length` frames of `size`) or
            `cdnet` (the first `count` CDnet 2014 video folders in `data_dir`,
            each with input/, groundtruth/, ROI.bmp, temporalROI.txt), resized
            to `frame_size` `(rows, cols)` when given (`cdnet.resize_video`).
        split: the `video_splits` fractions the source describes.

    Returns:
        `(videos, source)`.
    """
    from keras_crnn.datasets.cdnet import read_cdnet_video, resize_video, synthetic_cdnet_video

    if dataset == "cdnet":
        if data_dir is None:
            raise ValueError("--dataset cdnet needs --data-dir: a folder of CDnet 2014 video "
                             "folders (each with input/, groundtruth/, ROI.bmp, "
                             "temporalROI.txt)")
        folders = sorted(p for p in Path(data_dir).iterdir() if (p / "input").is_dir())
        if not folders:
            raise FileNotFoundError(f"No CDnet video folders (with input/) in {data_dir}")
        videos = [read_cdnet_video(p) for p in folders[:count]]
        full = videos[0].frames.shape[1:3]
        if frame_size is not None:
            videos = [resize_video(v, frame_size) for v in videos]
        rows, cols = videos[0].frames.shape[1:3]
        source = (f"CDnet 2014 videos from {data_dir}: {', '.join(v.name for v in videos)} "
                  f"({len(videos[0].frames)} frames of {full[0]}x{full[1]}"
                  f"{f', resized to {rows}x{cols}' if (rows, cols) != full else ''})")
    else:
        videos = [synthetic_cdnet_video(length=length, size=size, seed=seed + i)
                  for i in range(count)]
        source = (f"synthetic CDnet-layout videos (keras_crnn.datasets.cdnet, seeds "
                  f"{seed}-{seed + count - 1}), {length} frames of {size[0]}x{size[1]}")
    return videos, f"{source}; {describe_split(split)}"


def describe_split(split):
    """`video_splits`' `split` in words.

    >>> describe_split((0.7, 0.2, 0.1))
    "the first 70 % of each video's temporal ROI trains, the next 20 % validates, the last 10 % tests"
    """
    train, validation, test = (round(100 * f) for f in split)
    if round(100 * split[1] / (split[0] + split[1])) == 10:
        return (f"first {train + validation} % of each video's temporal ROI trains (its last "
                f"tenth validates), the last {test} % tests")
    return (f"the first {train} % of each video's temporal ROI trains, the next {validation} % "
            f"validates, the last {test} % tests")


def video_splits(video, window, downsample=1, split=SPLIT_TABLE2):
    """`(train, validation, test, test_range)` of one video as 1-sequence
    `(frames, masks)` pairs (frames with 3 channels, masks {0, 1} subsampled
    by `downsample`): consecutive parts of its temporal ROI in the `split`
    fractions `(train, validation, test)`. The validation and test parts
    reach `window - 1` frames back, so that their first window ends on their
    first frame."""
    if len(split) != 3 or min(split) <= 0 or abs(sum(split) - 1) > 1e-6:
        raise ValueError("`split` must be three positive fractions (train, validation, test) "
                         f"summing to 1. Received: split={split}")
    frames = video.frames.astype(np.uint8)
    if frames.shape[-1] != 3:
        frames = np.repeat(frames, 3, axis=-1)
    masks = (video.groundtruth[:, ::downsample, ::downsample] == 255).astype(np.uint8)[..., None]
    first, last = video.temporal_roi[0] - 1, video.temporal_roi[1]
    # rounded, so that 0.72 + 0.08 cuts where 0.8 does
    val_start = first + int(round(split[0], 6) * (last - first))
    test_start = first + int(round(split[0] + split[1], 6) * (last - first))

    def part(lo, hi):
        return frames[None, lo:hi], masks[None, lo:hi]

    return (part(first, val_start), part(val_start - window + 1, test_start),
            part(test_start - window + 1, last), (test_start, last))


def stack_videos(parts):
    """Stacks one-sequence `(frames, masks)` parts of several videos as rows;
    videos of different lengths are cut to the shortest."""
    length = min(p[0].shape[1] for p in parts)
    return (np.concatenate([p[0][:, :length] for p in parts]),
            np.concatenate([p[1][:, :length] for p in parts]))
