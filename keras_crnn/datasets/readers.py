"""Readers of real image datasets, in their usual published file formats.

Nothing is downloaded unless `download=True` is passed. Without a path, a reader
looks in the Keras cache (`$KERAS_HOME/datasets`, default `~/.keras/datasets`).
A missing dataset raises `DatasetNotFoundError` saying which files to put where.

Every reader returns an `ImageSet` of uint8 images `(n, rows, cols, channels)`
and int64 labels. The offline default, `load_digits`, is scikit-learn's bundled
handwritten digits (1797 real 8x8 scans) upscaled to MNIST's 28x28 layout.
"""

import gzip
import os
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image


class DatasetNotFoundError(FileNotFoundError):
    """A real dataset's files are not where the reader looked."""


@dataclass
class ImageSet:
    """Images with labels, split as the dataset publishes them.

    Attributes:
        train: `(images, labels)` or None when only a test split is present.
        test: `(images, labels)` or None when the dataset has no test split
            (experiments then split `train` themselves).
        class_names: one name per label.
        source: where the data came from, for results files.
    """

    train: tuple | None
    test: tuple | None
    class_names: list
    source: str

    def all(self):
        """Train and test images and labels concatenated."""
        parts = [p for p in (self.train, self.test) if p is not None]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def keras_cache_dir():
    """Keras' dataset cache: `$KERAS_HOME/datasets` or `~/.keras/datasets`."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def _search_dirs(path):
    return [Path(path)] if path is not None else [keras_cache_dir()]


def _missing(name, dirs, expected, download_hint=True):
    where = ", ".join(str(d) for d in dirs)
    hint = " or pass download=True to let Keras fetch it" if download_hint else ""
    return DatasetNotFoundError(
        f"{name} was not found in {where}. Expected {expected} there; put the files "
        f"in that folder, pass its path{hint}."
    )


def read_idx(path):
    """Reads an IDX file (MNIST/EMNIST format), gzipped or not, into a numpy array."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"{path} is corrupt or truncated: expected a "
                         f"{'gzipped ' if path.suffix == '.gz' else ''}IDX file. "
                         f"Received: {type(error).__name__}: {error}") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(
            f"{path} is not an unsigned-byte IDX file: expected the magic bytes "
            f"00 00 08 <ndim>. Received: {data[:4].hex(' ')}"
        )
    ndim = data[3]
    if len(data) < 4 + 4 * ndim:
        raise ValueError(f"{path} is truncated: its header announces {ndim} dimensions "
                         f"({4 + 4 * ndim} header bytes). Received: {len(data)} bytes")
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise ValueError(
            f"{path} is truncated or corrupt: its header announces shape {shape} "
            f"({int(np.prod(shape))} values). Received: {body.size} values"
        )
    return body.reshape(shape)


def _find(dirs, names):
    for d in dirs:
        for name in names:
            if (d / name).is_file():
                return d / name
    return None


def _idx_pair(dirs, stem):
    images = _find(dirs, [f"{stem}-images-idx3-ubyte.gz", f"{stem}-images-idx3-ubyte"])
    labels = _find(dirs, [f"{stem}-labels-idx1-ubyte.gz", f"{stem}-labels-idx1-ubyte"])
    if images is None or labels is None:
        return None
    x, y = read_idx(images), read_idx(labels).astype(np.int64)
    if x.ndim != 3 or y.ndim != 1:
        raise ValueError(f"Expected images (n, rows, cols) in {images} and labels (n,) in "
                         f"{labels}. Received: shapes {x.shape} and {y.shape} (files swapped?)")
    if len(x) != len(y):
        raise ValueError(f"{images} holds {len(x)} images but {labels} holds {len(y)} labels")
    return x[..., None], y


def _load_npz(path, keys):
    # allow_pickle stays False: a user's file must not run code when read.
    import zipfile

    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in keys if k not in data.files]
            if missing:
                raise ValueError(
                    f"{path} lacks the arrays {missing}. Expected keys {list(keys)}. "
                    f"Received keys: {data.files}"
                )
            return [data[k] for k in keys]
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} is corrupt or truncated: expected an .npz archive. "
                         f"Received: {type(error).__name__}: {error}") from None


def _image_label_pair(images, labels, where):
    """Checks grey images `(n, rows, cols)` against labels `(n,)`."""
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"{where}: expected images (n, rows, cols) and labels (n,) of one "
                         f"length. Received: shapes {images.shape} and {labels.shape}")
    if not np.issubdtype(images.dtype, np.integer) or images.min() < 0 or images.max() > 255:
        raise ValueError(f"{where}: expected uint8 images (0-255). Received: {images.dtype}")
    return images.astype(np.uint8)[..., None], labels.astype(np.int64)


def load_mnist(path=None, download=False):
    """MNIST from `mnist.npz` (Keras' format) or the four IDX files.

    Args:
        path: folder holding `mnist.npz`, or `train-images-idx3-ubyte.gz`,
            `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`,
            `t10k-labels-idx1-ubyte.gz` (gzipped or not; the test pair alone is
            accepted). Default: the Keras cache.
        download: fetch it through `keras.datasets.mnist` when it is missing.
    """
    dirs = _search_dirs(path)
    npz = _find(dirs, ["mnist.npz"])
    if npz is not None:
        x_train, y_train, x_test, y_test = _load_npz(
            npz, ["x_train", "y_train", "x_test", "y_test"]
        )
        return ImageSet(
            _image_label_pair(x_train, y_train, f"{npz} x_train/y_train"),
            _image_label_pair(x_test, y_test, f"{npz} x_test/y_test"),
            [str(i) for i in range(10)],
            f"MNIST ({npz})",
        )
    train, test = _idx_pair(dirs, "train"), _idx_pair(dirs, "t10k")
    if train is not None or test is not None:
        note = "" if train is not None else "; test split only"
        return ImageSet(train, test, [str(i) for i in range(10)], f"MNIST IDX ({dirs[0]}{note})")
    if download:
        return _keras_download("mnist")
    raise _missing("MNIST", dirs, "mnist.npz or the IDX files (train-/t10k-images/labels)")


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles CIFAR-10's python batches: dicts of bytes, lists and numpy arrays
    only; any other class in the file is refused instead of being run."""

    _ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to load {module}.{name} from a CIFAR-10 batch: expected only "
            "numpy arrays, lists and bytes."
        )


def _cifar_python_batch(path):
    try:
        with open(path, "rb") as f:
            batch = _ArrayUnpickler(f, encoding="bytes").load()
    except pickle.UnpicklingError as error:
        if str(error).startswith("Refusing"):  # a class that would run code
            raise
        raise ValueError(f"{path} is corrupt or truncated: expected a CIFAR-10 python batch. "
                         f"Received: UnpicklingError: {error}") from None
    except (EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError) as error:
        raise ValueError(f"{path} is corrupt or truncated: expected a CIFAR-10 python batch. "
                         f"Received: {type(error).__name__}: {error}") from None
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        keys = sorted(batch) if isinstance(batch, dict) else type(batch).__name__
        raise ValueError(f"{path} is not a CIFAR-10 python batch: expected a dict with "
                         f"b'data' and b'labels'. Received: {keys}")
    data = np.asarray(batch[b"data"], dtype=np.uint8)
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3072 or len(data) != len(labels):
        raise ValueError(f"{path}: expected data (n, 3072) and n labels. Received: "
                         f"data {data.shape}, {len(labels)} labels")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels


def _cifar_binary_batch(path):
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % 3073:
        raise ValueError(
            f"{path} is not a CIFAR-10 binary batch: expected records of 3073 bytes. "
            f"Received: {raw.size} bytes"
        )
    raw = raw.reshape(-1, 3073)
    return raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), raw[:, 0].astype(np.int64)


CIFAR10_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
]


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
SPLITS = ("train", "test")


def _decode(data, name, mode):
    """An image file's pixels, converted to PIL `mode` ("L", "RGB"; None: as stored)."""
    import io

    try:
        with Image.open(io.BytesIO(data)) as image:
            if mode is None:  # as stored: grey (and palette-free) images stay 2-D
                return np.asarray(image.convert("L") if image.mode in ("1", "I;16") else image)
            return np.asarray(image.convert(mode))
    except (OSError, SyntaxError, ValueError) as error:
        raise ValueError(f"{name} is not a readable image: {error}") from None


def _folder_members(path):
    """`(name, bytes)` of every image file under folder or tar `path`."""
    import tarfile

    if path.is_file():
        try:
            archive = tarfile.open(path)
        except tarfile.TarError as error:
            raise ValueError(f"{path} is not a folder or a tar archive of image folders: "
                             f"{error}") from None
        with archive:
            for member in archive:
                if member.isfile() and member.name.lower().endswith(IMAGE_SUFFIXES):
                    yield member.name, archive.extractfile(member).read()
        return
    for file in sorted(path.rglob("*")):
        if file.is_file() and file.suffix.lower() in IMAGE_SUFFIXES:
            yield file.relative_to(path).as_posix(), file.read_bytes()


def load_image_folder(path, class_names=None):
    """Images in class folders, the layout `keras.utils.image_dataset_from_directory`
    reads: `path/<class>/*.png|jpg`, or `path/train/<class>/...` with an
    optional `path/test/<class>/...`; `path` may be a folder or a tar archive of
    either layout (read without extracting it).

    Classes are the folder names in alphanumeric order (or `class_names`, in
    that order: then every folder must be one of them). All images must share
    one size; grey images give one channel, any other mode three (RGB).

    Returns:
        `ImageSet`; `test` is None when there is no `test/` folder.

    Raises:
        DatasetNotFoundError: `path` is missing or holds no images.
        ValueError: an unreadable image, images of different sizes, or a
            class folder that is not one of `class_names`.
    """
    path = Path(path)
    if not path.exists():
        raise DatasetNotFoundError(f"{path} does not exist. Expected a folder or tar archive "
                                   "of class folders (<class>/*.jpg or train/<class>/*.jpg)")
    found = {}  # split -> class -> list of (name, bytes)
    for name, data in _folder_members(path):
        parts = name.split("/")
        if len(parts) < 2:
            continue  # an image beside the class folders belongs to no class
        split = parts[-3] if len(parts) >= 3 and parts[-3] in SPLITS else "train"
        found.setdefault(split, {}).setdefault(parts[-2], []).append((name, data))
    if not found:
        raise DatasetNotFoundError(
            f"{path} holds no images in class folders. Expected <class>/*.png|jpg "
            f"(or train/<class>/...). Received: no file ending in {', '.join(IMAGE_SUFFIXES)} "
            "one folder deep or more")
    folders = sorted(set().union(*found.values()))
    names = list(class_names) if class_names is not None else folders
    unknown = sorted(set(folders) - set(names))
    if unknown:
        raise ValueError(f"{path} has class folders {unknown} that are not among the expected "
                         f"classes {names}")
    first_name, first_data = next(iter(next(iter(found.values())).values()))[0]
    mode = "L" if _decode(first_data, first_name, None).ndim == 2 else "RGB"
    shape = None  # every image must have the first one's
    splits = {}
    for split, classes in found.items():
        images, labels = [], []
        for label, class_name in enumerate(names):
            for name, data in classes.get(class_name, ()):
                image = _decode(data, name, mode)
                if shape is None:
                    shape, first_name = image.shape, name
                if image.shape != shape:
                    raise ValueError(f"{path}: {name} is {image.shape[1]}x{image.shape[0]}, "
                                     f"expected {shape[1]}x{shape[0]} like {first_name}")
                images.append(image)
                labels.append(label)
        x = np.stack(images)
        splits[split] = (x if x.ndim == 4 else x[..., None], np.asarray(labels, np.int64))
    counts = ", ".join(f"{len(splits[s][1])} {s}" for s in SPLITS if s in splits)
    return ImageSet(splits.get("train"), splits.get("test"), names,
                    f"class folders ({path}; {counts} images)")


def load_cifar10(path=None, download=False):
    """CIFAR-10 from its python batches, binary batches or class folders.

    Args:
        path: folder holding `cifar-10-batches-py/` (`data_batch_1..5`,
            `test_batch`) or `cifar-10-batches-bin/` (`data_batch_1..5.bin`,
            `test_batch.bin`), or those files directly; or class folders named
            as CIFAR-10's classes (`train/airplane/*.jpg` ..., or a tar of them,
            e.g. `train.tar`; see `load_image_folder`). Default: the Keras cache.
        download: fetch it through `keras.datasets.cifar10` when missing.
    """
    dirs = []
    for d in _search_dirs(path):
        dirs += [d, d / "cifar-10-batches-py", d / "cifar-10-batches-bin"]
    for suffix, reader in [("", _cifar_python_batch), (".bin", _cifar_binary_batch)]:
        test_file = _find(dirs, [f"test_batch{suffix}"])
        train_files = [_find(dirs, [f"data_batch_{i}{suffix}"]) for i in range(1, 6)]
        if test_file is None and not any(train_files):
            continue
        train = None
        if all(train_files):
            parts = [reader(f) for f in train_files]
            train = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
        test = reader(test_file) if test_file is not None else None
        folder = (test_file or train_files[0]).parent
        note = "" if train is not None else "; test split only"
        return ImageSet(train, test, list(CIFAR10_CLASSES), f"CIFAR-10 ({folder}{note})")
    for folder in _cifar_folders(dirs[0]):
        data = load_image_folder(folder, class_names=CIFAR10_CLASSES)
        if data.train is not None and data.train[0].shape[1:] != (32, 32, 3):
            raise ValueError(f"{folder} holds {data.train[0].shape[1:]} images; "
                             "CIFAR-10's are (32, 32, 3)")
        return ImageSet(data.train, data.test, data.class_names,
                        f"CIFAR-10 {data.source}")
    if download:
        return _keras_download("cifar10")
    raise _missing("CIFAR-10", dirs[:1], "cifar-10-batches-py/, cifar-10-batches-bin/, "
                   "class folders (train/airplane/*.jpg ...) or train.tar of them")


def _cifar_folders(root):
    """Candidate class-folder locations of CIFAR-10 under `root`."""
    if root.is_file():
        yield root
        return
    if any((d / CIFAR10_CLASSES[0]).is_dir() for d in (root, root / "train")):
        yield root
        return
    yield from sorted(root.glob("*.tar"))


def load_emnist_letters(path=None):
    """EMNIST letters (26 classes, labels 0-25 for a-z) from the IDX files.

    Args:
        path: folder holding `emnist-letters-train-images-idx3-ubyte.gz`,
            `emnist-letters-train-labels-idx1-ubyte.gz` and the `test` pair
            (gzipped or not), as in EMNIST's published `gzip` archive.
    """
    dirs = _search_dirs(path)
    dirs = dirs + [d / "gzip" for d in dirs]
    train = _idx_pair(dirs, "emnist-letters-train")
    test = _idx_pair(dirs, "emnist-letters-test")
    if train is None and test is None:
        raise _missing(
            "EMNIST letters",
            dirs[:1],
            "emnist-letters-{train,test}-{images-idx3,labels-idx1}-ubyte.gz",
            download_hint=False,
        )

    def fix(pair):
        if pair is None:
            return None
        # EMNIST stores images transposed, and letters are labelled 1-26.
        return np.ascontiguousarray(pair[0].transpose(0, 2, 1, 3)), pair[1] - 1

    note = "" if train is not None else "; test split only"
    names = [chr(ord("a") + i) for i in range(26)]
    return ImageSet(fix(train), fix(test), names, f"EMNIST letters ({dirs[0]}{note})")


def load_digits(size=28):
    """scikit-learn's 1797 handwritten digits as MNIST-like uint8 images.

    Each 8x8 scan (values 0-16) is scaled to 0-255, resized to a
    `round(size * 20 / 28)` box with bilinear filtering and centred on a
    `size x size` black canvas, as MNIST centres its digits in a 20x20 box.

    Returns:
        `ImageSet` with every image in `train` and no test split.
    """
    from sklearn.datasets import load_digits as sk_digits

    if not isinstance(size, int) or size < 8:
        raise ValueError(f"`size` must be an integer >= 8. Received: size={size!r}")
    bunch = sk_digits()
    box = max(8, round(size * 20 / 28))
    offset = (size - box) // 2
    images = np.zeros((len(bunch.images), size, size, 1), np.uint8)
    for i, img in enumerate(bunch.images):
        scan = Image.fromarray((img * (255.0 / 16.0)).astype(np.uint8))
        images[i, offset : offset + box, offset : offset + box, 0] = np.asarray(
            scan.resize((box, box), Image.BILINEAR)
        )
    return ImageSet(
        (images, bunch.target.astype(np.int64)),
        None,
        [str(i) for i in range(10)],
        "scikit-learn handwritten digits (1797 scans, 8x8 upscaled to "
        f"{size}x{size}; offline default)",
    )


def _keras_download(name):
    import keras

    (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data()
    if x_train.ndim == 3:
        x_train, x_test = x_train[..., None], x_test[..., None]
    names = CIFAR10_CLASSES if name == "cifar10" else [str(i) for i in range(10)]
    return ImageSet(
        (x_train, y_train.reshape(-1).astype(np.int64)),
        (x_test, y_test.reshape(-1).astype(np.int64)),
        list(names),
        f"{name} (keras.datasets download)",
    )


READERS = {
    "mnist": load_mnist,
    "cifar10": load_cifar10,
    "emnist": load_emnist_letters,
    "digits": lambda path=None: load_digits(),
}


def load_image_dataset(name, path=None):
    """One of `READERS` by name: `mnist`, `cifar10`, `emnist` or `digits`."""
    if name not in READERS:
        raise ValueError(f"Unknown dataset. Expected one of {sorted(READERS)}. Received: {name!r}")
    return READERS[name](path=path)

