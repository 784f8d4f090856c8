"""Change-detection videos in the CDnet 2014 folder layout: reader, evaluator and a
synthetic generator for offline runs.

A CDnet video folder holds:

    input/in000001.jpg ...        frames
    groundtruth/gt000001.png ...  0 static, 50 shadow, 85 outside ROI,
                                  170 unknown, 255 motion
    ROI.bmp                       the spatial region of interest (non-zero inside)
    temporalROI.txt               "first last": the 1-based frames evaluated

CDnet evaluates only inside the ROI and the temporal ROI, skips unknown (170)
and outside-ROI (85) pixels, counts shadows (50) as static, accumulates the
confusion counts over a video, and averages the measures per video and then per
category (`keras_crnn.metrics.average_measures`).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, UnidentifiedImageError

from keras_crnn.atomic import atomic_folder
from keras_crnn.datasets.core import make_rng

STATIC, SHADOW, OUTSIDE_ROI, UNKNOWN, MOTION = 0, 50, 85, 170, 255


@dataclass
class CDnetVideo:
    """One CDnet video: frames uint8 `(T, rows, cols, 3)`, labels uint8
    `(T, rows, cols)`, `roi` bool `(rows, cols)`, 1-based inclusive `temporal_roi`."""

    name: str
    frames: np.ndarray
    groundtruth: np.ndarray
    roi: np.ndarray
    temporal_roi: tuple


def _read_image(path, mode):
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert(mode))
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"{path} is not a readable image ({error}). Expected a "
                         "CDnet frame or ground-truth file.") from error


def _stack_one_size(images):
    """Stacks `(path, image)` pairs, naming the first file whose size differs."""
    first_path, first = images[0]
    for path, image in images:
        if image.shape != first.shape:
            raise ValueError(f"{path} is {image.shape[1]}x{image.shape[0]}; expected "
                             f"{first.shape[1]}x{first.shape[0]} like {first_path.name}")
    return np.stack([image for _, image in images])


def read_cdnet_video(folder):
    """Reads a CDnet video folder (see the module docstring).

    Raises:
        FileNotFoundError: a required file or folder is missing (named).
        ValueError: frames and labels disagree in number or size, a file is
            corrupt, or temporalROI.txt is malformed.
    """
    folder = Path(folder)
    frame_files = sorted((folder / "input").glob("in*.jpg"))
    label_files = sorted((folder / "groundtruth").glob("gt*.png"))
    for what, files in [("input/in*.jpg", frame_files), ("groundtruth/gt*.png", label_files)]:
        if not files:
            raise FileNotFoundError(f"No {what} files in {folder}: expected the CDnet 2014 layout")
    if len(frame_files) != len(label_files):
        raise ValueError(f"{folder} has {len(frame_files)} frames but {len(label_files)} "
                         "ground-truth images; expected one per frame")
    roi_file, troi_file = folder / "ROI.bmp", folder / "temporalROI.txt"
    for path in (roi_file, troi_file):
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: expected the CDnet 2014 layout")
    parts = troi_file.read_text().split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{troi_file} must hold two frame numbers 'first last'. "
                         f"Received: {troi_file.read_text()!r}")
    first, last = int(parts[0]), int(parts[1])
    if not 1 <= first <= last <= len(frame_files):
        raise ValueError(f"{troi_file} gives frames {first}-{last}, outside 1-{len(frame_files)}")
    frames = _stack_one_size([(p, _read_image(p, "RGB")) for p in frame_files])
    labels = _stack_one_size([(p, _read_image(p, "L")) for p in label_files])
    roi = _read_image(roi_file, "L") > 0
    if frames.shape[1:3] != labels.shape[1:] or roi.shape != labels.shape[1:]:
        raise ValueError(f"{folder}: frames {frames.shape[1:3]}, ground truth "
                         f"{labels.shape[1:]} and ROI {roi.shape} must have one size")
    return CDnetVideo(folder.name, frames, labels, roi, (first, last))


def resize_video(video, size):
    """`video` with frames, ground truth and ROI resized to `size` `(rows,
    cols)`: frames bilinear, labels and ROI nearest-neighbour (so label values
    stay in {0, 50, 85, 170, 255}). Returns `video` itself at its own size."""
    rows, cols = size
    if video.frames.shape[1:3] == (rows, cols):
        return video
    if rows < 1 or cols < 1:
        raise ValueError(f"`size` must be positive (rows, cols). Received: {size}")

    def each(images, resample):
        return np.stack([np.asarray(Image.fromarray(im).resize((cols, rows), resample))
                         for im in images])

    roi = each(video.roi[None].astype(np.uint8) * 255, Image.NEAREST)[0] > 0
    return CDnetVideo(video.name, each(video.frames, Image.BILINEAR),
                      each(video.groundtruth, Image.NEAREST), roi, video.temporal_roi)


def evaluate_cdnet(video, predictions, threshold=0.5):
    """Confusion counts of binary predictions on one video, as CDnet counts them.

    Args:
        video: `CDnetVideo`.
        predictions: `(T, rows, cols)` scores or masks, one per frame; frames
            outside the temporal ROI are ignored.

    Returns:
        `keras_crnn.metrics.SegmentationCounts` (call `.measures()`).
    """
    from keras_crnn.metrics.segmentation import SegmentationCounts, cdnet_targets

    predictions = np.asarray(predictions)
    if predictions.shape != video.groundtruth.shape:
        raise ValueError(f"`predictions` must have the ground truth's shape "
                         f"{video.groundtruth.shape}. Received: {predictions.shape}")
    first, last = video.temporal_roi
    window = slice(first - 1, last)
    target, valid = cdnet_targets(video.groundtruth[window])
    valid &= video.roi[None]
    return SegmentationCounts().add(target, predictions[window], valid, threshold)


def _person(draw, x, y, height, fill):
    """A people-like silhouette: a body ellipse and a head disc."""
    w = height * 0.35
    draw.ellipse([x - w / 2, y - height * 0.75, x + w / 2, y], fill=fill)
    r = height * 0.13
    draw.ellipse([x - r, y - height - r * 0.2, x + r, y - height * 0.75 + r * 0.6], fill=fill)


def synthetic_cdnet_video(length=60, size=(96, 128), people=(1, 3), seed=0):
    """A CDnet-like video: people-like objects over a static textured background.

    The background is a smoothed random texture with sensor noise on every
    frame and a slow illumination change; objects walk across with their hard
    shadows (labelled 50). A 2-pixel band at object edges is "unknown" (170),
    and a band along the bottom is outside the ROI (85), as in CDnet's labels.

    Returns:
        `CDnetVideo` (frames uint8 RGB), temporal ROI from frame 11 to the end.
    """
    rng = make_rng(seed)
    rows, cols = size
    from scipy.ndimage import binary_dilation, gaussian_filter

    texture = gaussian_filter(rng.uniform(0, 1, (rows, cols, 3)), (3, 3, 0))
    texture = 60 + 140 * (texture - texture.min()) / (np.ptp(texture) + 1e-9)
    roi = np.ones((rows, cols), bool)
    roi[-rows // 8 :] = False
    walkers = []
    for _ in range(rng.integers(people[0], people[1] + 1)):
        height = rng.uniform(0.3, 0.5) * rows
        direction = rng.choice([-1, 1])
        walkers.append({
            "x": rng.uniform(0, cols),
            "y": rng.uniform(height + 2, rows - 2),
            "height": height,
            "speed": direction * rng.uniform(1.0, 2.5),
            "color": rng.uniform(0, 255, 3),
        })
    palette = np.array([w["color"] for w in walkers])
    frames = np.empty((length, rows, cols, 3), np.uint8)
    labels = np.empty((length, rows, cols), np.uint8)
    for t in range(length):
        light = 1.0 + 0.15 * np.sin(2 * np.pi * t / max(length, 1))
        body = Image.new("L", (cols, rows), 0)  # walker index + 1 where a body is
        shadow = Image.new("L", (cols, rows), 0)
        draw_body, draw_shadow = ImageDraw.Draw(body), ImageDraw.Draw(shadow)
        for k, w in enumerate(walkers, start=1):
            x = (w["x"] + w["speed"] * t) % (cols + 40) - 20
            _person(draw_shadow, x + w["height"] * 0.25, w["y"] + 3, w["height"] * 0.5, 255)
            _person(draw_body, x, w["y"], w["height"], k)
        who = np.asarray(body)
        body_mask = who > 0
        shadow_mask = (np.asarray(shadow) > 0) & ~body_mask
        image = texture * light
        image[shadow_mask] *= 0.55
        image[body_mask] = palette[who[body_mask] - 1] * light
        image += rng.normal(0, 6, image.shape)
        frames[t] = np.clip(image, 0, 255).astype(np.uint8)
        label = np.full((rows, cols), STATIC, np.uint8)
        label[shadow_mask] = SHADOW
        label[body_mask] = MOTION
        # a 2-pixel band where object and background meet: one pixel on each side
        label[binary_dilation(body_mask) & binary_dilation(~body_mask)] = UNKNOWN
        label[~roi] = OUTSIDE_ROI
        labels[t] = label
    return CDnetVideo(f"synthetic{seed}", frames, labels, roi, (min(11, length), length))


def write_cdnet_video(video, folder):
    """Writes a `CDnetVideo` in the CDnet 2014 layout; all or nothing.

    The folder is assembled under a temporary name beside it and renamed into
    place at the end, so an interrupted write leaves no partial video.

    Raises:
        FileExistsError: `folder` exists already.
    """
    folder = Path(folder)
    if folder.exists():
        raise FileExistsError(f"{folder} exists; refusing to overwrite a video folder")
    with atomic_folder(folder) as tmp:
        (tmp / "input").mkdir()
        (tmp / "groundtruth").mkdir()
        for t, (frame, label) in enumerate(zip(video.frames, video.groundtruth, strict=True), 1):
            Image.fromarray(frame).save(tmp / "input" / f"in{t:06d}.jpg", quality=95)
            Image.fromarray(label).save(tmp / "groundtruth" / f"gt{t:06d}.png")
        Image.fromarray(video.roi.astype(np.uint8) * 255).save(tmp / "ROI.bmp")
        (tmp / "temporalROI.txt").write_text(f"{video.temporal_roi[0]} {video.temporal_roi[1]}\n")
    return folder
