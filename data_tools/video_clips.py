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

from keras_crnn.atomic import atomic_path
from keras_crnn.audio import log_mel_spectrogram
from keras_crnn.datasets import write_shards
from keras_crnn.datasets.video import read_clips


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
    try:
        clips, classes, skipped = read_clips(args.root, args.group, args.fps, tuple(args.size),
                                             args.sample_rate)
    except ValueError as error:
        raise SystemExit(f"video_clips: {error}") from error
    for path in skipped:
        print(f"skipped {path}: shorter than {args.group} frames at {args.fps} fps")
    arrays = {"frames": clips["frames"],
              "spectrograms": log_mel_spectrogram(clips["audio"], args.sample_rate, args.mels),
              "labels": clips["labels"], "video": clips["video"]}
    manifest = write_shards(args.out, arrays, force=args.force,
                            source=f"videos under {args.root}, classes {classes}, "
                                   f"{args.fps} fps, groups of {args.group}")
    with atomic_path(Path(args.out) / "classes.json") as tmp:
        tmp.write_text(json.dumps(classes))
    print(f"wrote {len(arrays['labels'])} clips of {len(set(arrays['video']))} videos in "
          f"{len(manifest['shards'])} shard(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
