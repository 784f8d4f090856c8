"""Data core and readers: seeded splits, windows, real-dataset file formats."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from reference import write_idx as _write_idx

from keras_crnn import datasets as D


def test_make_rng_requires_a_seed():
    assert D.make_rng(3).integers(1000) == np.random.default_rng(3).integers(1000)
    with pytest.raises(ValueError, match="seed=None"):
        D.make_rng(None)


def test_split_indices_disjoint_covering_shuffled_and_seeded():
    parts = D.split_indices(103, (0.8, 0.1, 0.1), seed=1)
    joined = np.concatenate(parts)
    assert sorted(joined.tolist()) == list(range(103))
    assert [len(p) for p in parts] == [82, 10, 11]
    assert not np.array_equal(parts[0], np.sort(parts[0]))  # shuffled before cutting
    again = D.split_indices(103, (0.8, 0.1, 0.1), seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again, strict=True))
    other = D.split_indices(103, (0.8, 0.1, 0.1), seed=2)
    assert not np.array_equal(parts[0], other[0])
    with pytest.raises(ValueError, match="sum to 1"):
        D.split_indices(10, (0.5, 0.4))


def test_split_arrays_keeps_rows_together():
    x = np.arange(20)
    (x_train, y_train), (x_test, y_test) = D.split_arrays([x, x * 10], (0.75, 0.25), seed=0)
    assert np.array_equal(y_train, x_train * 10) and np.array_equal(y_test, x_test * 10)
    with pytest.raises(ValueError, match=r"Received lengths: \[20, 3\]"):
        D.split_arrays([x, x[:3]])


def test_sliding_windows_match_a_loop():
    seq = np.arange(2 * 7 * 3).reshape(2, 7, 3)
    got = D.sliding_windows(seq, window=3, stride=2)
    expected = np.stack([seq[i, s : s + 3] for i in range(2) for s in range(0, 5, 2)])
    np.testing.assert_array_equal(got, expected)
    with pytest.raises(ValueError, match=r"window.*time=7.*window=8"):
        D.sliding_windows(seq, window=8)


def test_check_images_names_what_came():
    with pytest.raises(ValueError, match="uint8.*float64"):
        D.check_images(np.zeros((2, 4, 4, 1)))
    with pytest.raises(ValueError, match=r"shape=\(4, 4\)"):
        D.check_images(np.zeros((4, 4), np.uint8))


def test_mnist_from_npz_and_idx(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, 5)
    np.savez(tmp_path / "mnist.npz", x_train=x, y_train=y, x_test=x[:2], y_test=y[:2])
    data = D.load_mnist(tmp_path)
    assert data.train[0].shape == (5, 28, 28, 1) and data.test[0].shape == (2, 28, 28, 1)
    np.testing.assert_array_equal(data.train[0][..., 0], x)
    assert "mnist.npz" in data.source

    idx_dir = tmp_path / "idx"
    idx_dir.mkdir()
    _write_idx(idx_dir / "t10k-images-idx3-ubyte.gz", x)
    _write_idx(idx_dir / "t10k-labels-idx1-ubyte.gz", y)
    data = D.load_mnist(idx_dir)
    assert data.train is None and "test split only" in data.source
    np.testing.assert_array_equal(data.test[1], y)


def test_truncated_idx_is_reported(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte"
    _write_idx(path, np.zeros((3, 4, 4)))
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(ValueError, match=r"truncated or corrupt.*\(3, 4, 4\).*43 values"):
        D.read_idx(path)


def test_missing_dataset_says_where_to_put_it(tmp_path):
    with pytest.raises(D.DatasetNotFoundError, match=rf"{tmp_path}.*mnist.npz"):
        D.load_mnist(tmp_path)
    with pytest.raises(D.DatasetNotFoundError, match="emnist-letters"):
        D.load_emnist_letters(tmp_path)
    with pytest.raises(D.DatasetNotFoundError, match="cifar-10-batches"):
        D.load_cifar10(tmp_path)


def test_mnist_default_is_the_keras_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(D.DatasetNotFoundError, match=str(tmp_path / "datasets")):
        D.load_mnist()


def test_cifar10_python_and_binary_batches(tmp_path):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    labels = [3, 1, 4, 1]
    flat = images.transpose(0, 3, 1, 2).reshape(4, -1)
    py_dir = tmp_path / "cifar-10-batches-py"
    py_dir.mkdir()
    with open(py_dir / "test_batch", "wb") as f:
        pickle.dump({b"data": flat, b"labels": labels}, f)
    data = D.load_cifar10(tmp_path)
    np.testing.assert_array_equal(data.test[0], images)
    assert data.test[1].tolist() == labels and data.train is None

    bin_dir = tmp_path / "bin" / "cifar-10-batches-bin"
    bin_dir.mkdir(parents=True)
    records = np.concatenate([np.array(labels, np.uint8)[:, None], flat], axis=1)
    records.tofile(bin_dir / "test_batch.bin")
    data = D.load_cifar10(tmp_path / "bin")
    np.testing.assert_array_equal(data.test[0], images)


def test_cifar10_batch_that_runs_code_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    with open(tmp_path / "test_batch", "wb") as f:
        pickle.dump({b"data": Evil(), b"labels": []}, f)
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load"):
        D.load_cifar10(tmp_path)


def test_emnist_letters_are_transposed_and_zero_based(tmp_path):
    img = np.zeros((1, 28, 28), np.uint8)
    img[0, 2, 5] = 255  # stored transposed: row 2, col 5 is row 5, col 2
    _write_idx(tmp_path / "emnist-letters-test-images-idx3-ubyte.gz", img)
    _write_idx(tmp_path / "emnist-letters-test-labels-idx1-ubyte.gz", [1])
    data = D.load_emnist_letters(tmp_path)
    assert data.test[0][0, 5, 2, 0] == 255 and data.test[1].tolist() == [0]
    assert data.class_names[0] == "a"


def test_offline_digits():
    data = D.load_digits()
    x, y = data.train
    assert x.shape == (1797, 28, 28, 1) and x.dtype == np.uint8
    assert x.max() == 255 and x[:, :3].max() == 0  # centred, black border
    assert sorted(set(y.tolist())) == list(range(10))
    assert data.test is None and "offline" in data.source


def test_datasets_do_not_import_tensorflow():
    code = "import sys, keras_crnn.datasets; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
