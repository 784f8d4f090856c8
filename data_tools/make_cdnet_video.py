#!/usr/bin/env python
"""Writes synthetic change-detection videos in the CDnet 2014 folder layout.

    python data_tools/make_cdnet_video.py --out data/cdnet --videos 6 --frames 300

Each video gets `input/`, `groundtruth/`, `ROI.bmp` and `temporalROI.txt`, and is
written all-or-nothing (see `keras_crnn.datasets.cdnet`).
"""

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from keras_crnn.datasets.cdnet import synthetic_cdnet_video, write_cdnet_video


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--out", required=True, help="folder that receives one folder per video")
    parser.add_argument("--videos", type=int, default=6, help="number of videos (default 6)")
    parser.add_argument("--frames", type=int, default=300, help="frames per video (default 300)")
    parser.add_argument("--rows", type=int, default=240)
    parser.add_argument("--cols", type=int, default=320)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for k in tqdm(range(args.videos), desc="videos", unit="video"):
        video = synthetic_cdnet_video(args.frames, (args.rows, args.cols), seed=args.seed + k)
        write_cdnet_video(video, Path(args.out) / f"synthetic{args.seed + k:02d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
