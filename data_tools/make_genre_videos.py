#!/usr/bin/env python
"""Writes synthetic genre videos (six genres, frames and sound) as real video files.

    python data_tools/make_genre_videos.py --out data/genre-videos --videos 120 --seconds 20

ROOT/GENRE/VIDEO.mp4 (mpeg4 video at 4 fps, AAC mono audio; the layout of the genre
paper's six folders), from `keras_crnn.datasets.genres`, whose table says which cue
(colour, motion, sound) separates which genres. `keras-crnn reproduce genre-table1
--dataset videos --data-dir ROOT` and `data_tools/video_clips.py` read them back.
Writing video files needs the `video` extra (PyAV); without it the same clips are
written as `.npz` shards (`frames`, `audio`, `labels`) instead. All-or-nothing.
"""

import argparse
import sys

from keras_crnn.datasets.genres import GENRES, genre_clips, write_genre_videos


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--out", required=True, help="new folder for the videos")
    parser.add_argument("--videos", type=int, default=120, help="videos in all (default 120)")
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="length of each video (default 20 s)")
    parser.add_argument("--size", type=int, default=64, help="frame side, even (default 64)")
    parser.add_argument("--sample-rate", type=int, default=16000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="replace an existing folder")
    args = parser.parse_args(argv)
    try:
        paths = write_genre_videos(args.out, args.videos, seconds=args.seconds, size=args.size,
                                   sample_rate=args.sample_rate, seed=args.seed,
                                   force=args.force)
    except ImportError as error:
        from keras_crnn.datasets import write_shards

        print(f"{error}\nWriting arrays instead of video files.", file=sys.stderr)
        frames, audio, labels = genre_clips(args.videos, length=int(round(args.seconds * 4)),
                                            size=args.size, sample_rate=args.sample_rate,
                                            seed=args.seed)
        write_shards(args.out, {"frames": frames, "audio": audio, "labels": labels},
                     force=args.force, source=f"synthetic genre clips {list(GENRES)}, seed "
                                              f"{args.seed}, 4 fps, {args.sample_rate} Hz audio")
        print(f"wrote {len(labels)} clips as shards to {args.out}")
        return 0
    print(f"wrote {len(paths)} videos in {len(GENRES)} genre folders to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
