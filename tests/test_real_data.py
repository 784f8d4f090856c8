"""Readers of class-folder image sets and train-only splits; the real files in ../shared/data."""

import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reference import write_idx

from keras_crnn import datasets as D
from keras_crnn.datasets import occluded_sequences

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _write_folders(root, shape, classes=("cat", "dog"), per_class=3, split=None, suffix=".png"):
    rng = np.random.default_rng(len(classes))
    for label, name in enumerate(classes):
        folder = root / (split or "") / name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            pixels = np.full(shape, (40 * label + i) % 250, np.uint8) + rng.integers(0, 3, shape, np.uint8)
            Image.fromarray(pixels).save(folder / f"{i:04d}{suffix}")


def test_class_folders_grey_and_colour(tmp_path):
    _write_folders(tmp_path / "grey", (8, 6), classes=("b", "a"))
    data = D.load_image_folder(tmp_path / "grey")
    assert data.class_names == ["a", "b"] and data.test is None  # alphanumeric, like Keras
    assert data.train[0].shape == (6, 8, 6, 1) and data.train[0].dtype == np.uint8
    np.testing.assert_array_equal(data.train[1], [0, 0, 0, 1, 1, 1])
    assert abs(int(data.train[0][3].mean()) - 0) <= 3  # class "b" was written with level 0
    _write_folders(tmp_path / "rgb", (5, 5, 3), split="train", suffix=".jpg")
    _write_folders(tmp_path / "rgb", (5, 5, 3), split="test", per_class=1, suffix=".jpg")
    data = D.load_image_folder(tmp_path / "rgb", class_names=["dog", "cat"])
    assert data.train[0].shape == (6, 5, 5, 3) and data.test[0].shape == (2, 5, 5, 3)
    np.testing.assert_array_equal(data.test[1], [0, 1])
    assert "6 train, 2 test images" in data.source


def test_a_tar_of_class_folders_reads_like_the_folders(tmp_path):
    _write_folders(tmp_path / "src", (4, 4, 3), split="train")
    with tarfile.open(tmp_path / "set.tar", "w") as tar:
        tar.add(tmp_path / "src" / "train", arcname="train")
    folder, packed = D.load_image_folder(tmp_path / "src"), D.load_image_folder(tmp_path / "set.tar")
    np.testing.assert_array_equal(folder.train[0], packed.train[0])
    np.testing.assert_array_equal(folder.train[1], packed.train[1])


def test_class_folder_errors_name_the_file(tmp_path):
    _write_folders(tmp_path / "mixed", (4, 4))
    Image.fromarray(np.zeros((5, 4), np.uint8)).save(tmp_path / "mixed" / "dog" / "big.png")
    with pytest.raises(ValueError, match=r"dog/big.png is 4x5, expected 4x4"):
        D.load_image_folder(tmp_path / "mixed")
    (tmp_path / "mixed" / "dog" / "big.png").write_bytes(b"not an image")
    with pytest.raises(ValueError, match=r"dog/big.png is not a readable image"):
        D.load_image_folder(tmp_path / "mixed")
    with pytest.raises(ValueError, match=r"class folders \['dog'\] that are not among"):
        D.load_image_folder(tmp_path / "mixed", class_names=["cat"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(D.DatasetNotFoundError, match="holds no images in class folders"):
        D.load_image_folder(tmp_path / "empty")
    (tmp_path / "bad.tar").write_bytes(b"x" * 600)
    with pytest.raises(ValueError, match="not a folder or a tar archive"):
        D.load_image_folder(tmp_path / "bad.tar")


def test_cifar10_from_class_folders(tmp_path):
    _write_folders(tmp_path, (32, 32, 3), classes=D.readers.CIFAR10_CLASSES, per_class=1,
                   split="train", suffix=".jpg")
    data = D.load_cifar10(tmp_path)
    assert data.train[0].shape == (10, 32, 32, 3) and data.test is None
    np.testing.assert_array_equal(data.train[1], np.arange(10))
    assert data.source.startswith("CIFAR-10 class folders")


def test_a_train_only_set_is_split_by_image_with_a_held_out_test(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (120, 28, 28), dtype=np.uint8)
    images[:, 0, 0] = np.arange(120)  # tells the images apart
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.arange(120) % 10)
    train, test, names, source = occluded_sequences._real_pools("mnist", str(tmp_path), 0)
    assert len(test[1]) == 20 and len(train[1]) == 100  # a sixth when under 60,000
    assert not set(train[0][:, 0, 0, 0]) & set(test[0][:, 0, 0, 0])
    assert "20 of its 120 images held out by image (seed 0)" in source
    assert occluded_sequences._real_pools("mnist", str(tmp_path), 0)[0] is train  # read once


@pytest.mark.skipif(not (SHARED / "mnist").is_dir(),
                    reason=f"real MNIST not present at {SHARED / 'mnist'} (only on CI and "
                           "the development machine)")
def test_real_mnist_training_set():
    data = D.load_mnist(SHARED / "mnist")
    assert data.test is None and data.train[0].shape == (60000, 28, 28, 1)
    assert np.bincount(data.train[1])[[0, 9]].tolist() == [5923, 5949]
    occluded_sequences._real_pools.cache_clear()
    train, test, _, source = occluded_sequences._real_pools("mnist", str(SHARED / "mnist"), 0)
    assert (len(train[1]), len(test[1])) == (50000, 10000)


@pytest.mark.skipif(not (SHARED / "mnist").is_dir(),
                    reason=f"real MNIST not present at {SHARED / 'mnist'} (only on CI and "
                           "the development machine)")
def test_segmentation_table1_moves_real_mnist_digits_on_64_pixel_frames():
    from keras_crnn.experiments import EXPERIMENTS
    from keras_crnn.experiments.record import Run
    from keras_crnn.experiments.segmentation import table1_data

    run = Run(EXPERIMENTS["segmentation-table1"], "quick", dataset="mnist",
              data_dir=str(SHARED / "mnist"), progress=False)
    data = table1_data("clean", run)
    frames, masks = data.test
    assert frames.shape[2:] == (64, 64, 1) and "MNIST" in data.source
    np.testing.assert_array_equal(masks, frames > 128)  # labels: the thresholded frames
    assert frames.max() == 255 and masks.sum(axis=(2, 3, 4)).min() > 0


@pytest.mark.skipif(not (SHARED / "cifar10" / "train.tar").is_file(),
                    reason=f"real CIFAR-10 not present at {SHARED / 'cifar10'} (only on CI and "
                           "the development machine)")
def test_real_cifar10_training_set_from_its_tar():
    data = D.load_cifar10(SHARED / "cifar10")
    assert data.test is None and data.train[0].shape == (50000, 32, 32, 3)
    assert np.bincount(data.train[1]).tolist() == [5000] * 10
    assert "train.tar" in data.source


@pytest.mark.skipif(not (SHARED / "mnist").is_dir(),
                    reason=f"real MNIST not present at {SHARED / 'mnist'} (only on CI and "
                           "the development machine)")
def test_lrcn_actions_from_real_mnist_hold_out_a_fifth_of_the_digits():
    from keras_crnn.datasets.actions import action_splits

    data = action_splits(40, 16, length=5, size=32, dataset="mnist",
                         data_dir=str(SHARED / "mnist"))
    assert data.train[0].shape == (36, 5, 32, 32, 1) and data.test[0].shape[0] == 16
    assert "MNIST" in data.source and "12000 of the 60000 images" in data.source
    assert data.test[0].max(axis=(1, 2, 3, 4)).min() > 100  # a digit in every clip
