#!/usr/bin/env python
"""Converts class-per-folder videos into cached clips: frames at 4 fps in groups of
40 (10 s) and the log-mel spectrogram of each group's sound.

    python data_tools/video_clips.py data/genres --out data/genre-clips --size 112 112

ROOT/CLASS/VIDEO files (UCF101, the genre paper's six folders) are decoded with
PyAV (the `video` extra). Writes `.npz` shards + `manifest.json`
(`keras_crnn.datasets.read_shards`): `frames` uint8 (n, group, rows, cols, 3),
`spectrograms` float32 (n, frames, mels), `labels`, `video` (the index of the
source file, for splitting by video: `keras_crnn.datasets.video.split_by_video`)
and the class names in `classes.json` (`keras-crnn reproduce genre-table1 --dataset
videos --data-dir OUT` reads them). All-or-nothing.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from keras_crnn.atomic import atomic_path
from keras_crnn.audio import log_mel_spectrogram
from keras_crnn.datasets import write_shards
from keras_crnn.datasets.video import class_folders, frame_groups, read_video


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("root", help="folder of class folders of videos")
    parser.add_argument("--out", required=True, help="new folder for the shards")
    parser.add_argument("--fps", type=float, default=4.0, help="frames per second (default 4)")
    parser.add_argument("--group", type=int, default=40, help="frames per clip (default 40)")
    parser.add_argument("--size", type=int, nargs=2, default=(112, 112), metavar=("ROWS", "COLS"))
    parser.add_argument("--sample-rate", type=int, default=16000)
    parser.add_argument("--mels", type=int, default=64)
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder")
    args = parser.parse_args(argv)
    paths, labels, classes = class_folders(args.root)
    parts = {"frames": [], "spectrograms": [], "labels": [], "video": []}
    samples_per_group = int(args.group / args.fps * args.sample_rate)
    for index, (path, label) in enumerate(tqdm(list(zip(paths, labels, strict=True)),
                                               desc="videos", unit="video")):
        frames, audio, _ = read_video(path, args.fps, tuple(args.size),
                                      sample_rate=args.sample_rate)
        if len(frames) < args.group:
            tqdm.write(f"skipped {path}: {len(frames)} frames at {args.fps} fps, fewer than "
                       f"{args.group}")
            continue
        groups = frame_groups(frames, args.group)
        sound = np.zeros(len(groups) * samples_per_group, np.float32)
        sound[: min(len(audio), len(sound))] = audio[: len(sound)]
        parts["frames"].append(groups)
        parts["spectrograms"].append(log_mel_spectrogram(
            sound.reshape(len(groups), samples_per_group), args.sample_rate, args.mels))
        parts["labels"].append(np.full(len(groups), label))
        parts["video"].append(np.full(len(groups), index))
    if not parts["frames"]:
        raise SystemExit(f"video_clips: no video under {args.root} is {args.group} frames long")
    arrays = {key: np.concatenate(value) for key, value in parts.items()}
    manifest = write_shards(args.out, arrays, force=args.force,
                            source=f"videos under {args.root}, classes {classes}, "
                                   f"{args.fps} fps, groups of {args.group}")
    with atomic_path(Path(args.out) / "classes.json") as tmp:
        tmp.write_text(json.dumps(classes))
    print(f"wrote {len(arrays['labels'])} clips of {len(parts['frames'])} videos in "
          f"{len(manifest['shards'])} shard(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
