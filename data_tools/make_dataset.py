#!/usr/bin/env python
"""Writes a generated dataset to disk: a thin front end of `keras-crnn generate`.

    python data_tools/make_dataset.py moving-digits-clutter --out data/md --num 1500 --seq-len 10
    python data_tools/make_dataset.py occluded-digits --out data/occ --num 2000 --seq-len 5

Datasets: see `python data_tools/make_dataset.py --help`.
"""

import sys

from keras_crnn.cli import main

if __name__ == "__main__":
    sys.exit(main(["generate", *sys.argv[1:]]))
