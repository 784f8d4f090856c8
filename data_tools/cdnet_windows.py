#!/usr/bin/env python
"""Converts CDnet 2014 video folders (real or synthetic) into sliding windows on disk.

    python data_tools/cdnet_windows.py data/cdnet/pedestrians --out data/ped-windows
    python data_tools/cdnet_windows.py data/cdnet/* --out data/all-windows --window 3

Writes `.npz` shards + `manifest.json` (`keras_crnn.datasets.read_shards`) with,
for every window whose last frame lies in the video's temporal ROI:
`frames` uint8 (n, window, rows, cols, 3), `masks` uint8 (n, rows, cols, 1)
(1 = motion), `valid` bool (n, rows, cols) (inside the ROI, label known), and
`video` / `frame` (the video index and the 0-based index of the last frame).
All-or-nothing: a failed run leaves no output folder.
"""

import argparse
import sys

import numpy as np
from tqdm import tqdm

from keras_crnn.datasets import write_shards
from keras_crnn.datasets.cdnet import read_cdnet_video
from keras_crnn.datasets.core import sliding_windows
from keras_crnn.metrics.segmentation import cdnet_targets


def video_windows(video, window):
    """The windows of one `CDnetVideo` whose last frame is in its temporal ROI."""
    first, last = video.temporal_roi
    start = max(0, first - window)  # windows ending at frame `first` (1-based) and later
    frames = sliding_windows(video.frames[None, start:last], window)
    ends = np.arange(start + window - 1, last)
    targets, valid = cdnet_targets(video.groundtruth[ends])
    return {"frames": np.ascontiguousarray(frames), "masks": targets.astype(np.uint8)[..., None],
            "valid": valid & video.roi[None], "frame": ends}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("videos", nargs="+", help="CDnet video folders (input/, groundtruth/, "
                                                  "ROI.bmp, temporalROI.txt)")
    parser.add_argument("--out", required=True, help="new folder for the shards")
    parser.add_argument("--window", type=int, default=3, help="frames per window (default 3)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder")
    args = parser.parse_args(argv)
    parts = []
    for k, folder in enumerate(tqdm(args.videos, desc="videos", unit="video")):
        part = video_windows(read_cdnet_video(folder), args.window)
        part["video"] = np.full(len(part["frame"]), k)
        parts.append(part)
    shapes = {p["frames"].shape[2:] for p in parts}
    if len(shapes) > 1:
        raise SystemExit(f"cdnet_windows: the videos have different frame sizes {sorted(shapes)}; "
                         "convert each size to its own folder")
    arrays = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    manifest = write_shards(args.out, arrays, force=args.force,
                            source=f"CDnet-layout videos {args.videos}, windows of {args.window}")
    print(f"wrote {len(arrays['frame'])} windows in {len(manifest['shards'])} shard(s) to "
          f"{args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
