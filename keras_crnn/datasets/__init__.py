"""Seeded, framework-free (numpy + Pillow) dataset generators and readers.

Nothing here imports TensorFlow or Keras; `keras_crnn.pipelines` wraps these
arrays in `tf.data`.
"""

from keras_crnn.datasets.core import (
    check_frames,
    check_images,
    check_sequences,
    make_rng,
    sliding_windows,
    split_arrays,
    split_indices,
    window_starts,
)
from keras_crnn.datasets.readers import (
    READERS,
    DatasetNotFoundError,
    ImageSet,
    keras_cache_dir,
    load_cifar10,
    load_digits,
    load_emnist_letters,
    load_image_dataset,
    load_image_folder,
    load_mnist,
    read_idx,
)
from keras_crnn.datasets.writer import read_shards, write_shards

__all__ = [
    "check_frames", "check_images", "check_sequences", "make_rng", "sliding_windows", "split_arrays",
    "split_indices", "window_starts", "READERS", "DatasetNotFoundError", "ImageSet",
    "keras_cache_dir", "load_cifar10", "load_digits", "load_emnist_letters",
    "load_image_dataset", "load_image_folder", "load_mnist", "read_idx", "read_shards", "write_shards",
]
