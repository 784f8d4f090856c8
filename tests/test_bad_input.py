"""Bad input gets one clear line naming what was expected and what came, exit code 2,
and leaves no output behind. (Library-level checks are tested beside each module.)"""

import numpy as np
import pytest

from keras_crnn import datasets as D
from keras_crnn.cli import main
from keras_crnn.datasets import read_shards, write_shards


@pytest.fixture()
def shards(tmp_path):
    rng = np.random.default_rng(0)
    out = tmp_path / "data"
    write_shards(out, {"frames": rng.integers(0, 255, (8, 5, 28, 28, 1), dtype=np.uint8),
                       "labels": rng.integers(0, 10, (8, 5))}, shard_size=4, progress=False)
    return out


def _error(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_unknown_model(shards, tmp_path, capsys):
    assert main(["train", "ResNet50", "--data", str(shards), "--out", str(tmp_path / "r")]) == 2
    assert "Unknown model. Expected one of" in _error(capsys)
    assert not (tmp_path / "r").exists()


def test_missing_data_folder(tmp_path, capsys):
    assert main(["train", "CRNN", "--data", str(tmp_path / "nope"), "--out",
                 str(tmp_path / "r")]) == 2
    assert "manifest.json is missing" in _error(capsys)


def test_corrupt_shard(shards, tmp_path, capsys):
    (shards / "shard-00001.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match="shard-00001.npz is corrupt or truncated"):
        read_shards(shards)
    assert main(["train", "CRNN", "--data", str(shards), "--out", str(tmp_path / "r")]) == 2
    assert "corrupt or truncated" in _error(capsys)


def test_missing_real_dataset_says_where(tmp_path, capsys):
    assert main(["reproduce", "occlusion-table1", "--dataset", "mnist", "--data-dir",
                 str(tmp_path), "--out", str(tmp_path / "res")]) == 2
    err = _error(capsys)
    assert "MNIST was not found" in err and "mnist.npz" in err
    assert not (tmp_path / "res").exists()


def test_unknown_experiment_and_dataset(tmp_path, capsys):
    assert main(["reproduce", "table9", "--out", str(tmp_path)]) == 2
    assert "Unknown experiment" in _error(capsys)
    assert main(["reproduce", "occlusion-table1", "--dataset", "svhn", "--out",
                 str(tmp_path)]) == 2
    assert "'svhn'" in _error(capsys)


def test_labels_out_of_range_for_the_model(shards, tmp_path, capsys):
    import keras

    from keras_crnn.models import build_model

    model = build_model("CNN-2-S", (5, 28, 28, 1), classes=4)
    model.save(tmp_path / "m.keras")
    assert main(["evaluate", str(tmp_path / "m.keras"), "--data", str(shards)]) == 2
    assert "Labels must lie in [0, 4)" in _error(capsys)
    assert keras.saving.load_model(tmp_path / "m.keras")  # the model file is untouched


def test_not_a_model_file(tmp_path, capsys):
    (tmp_path / "model.h5").write_text("x")
    assert main(["export", str(tmp_path / "model.h5"), "--out", str(tmp_path / "e")]) == 2
    assert "Expected a .keras file or a run folder" in _error(capsys)


def test_frames_of_the_wrong_rank(tmp_path, capsys):
    out = tmp_path / "flat"
    write_shards(out, {"frames": np.zeros((4, 28, 28, 1), np.uint8),
                       "labels": np.zeros((4, 5), int)}, progress=False)
    assert main(["train", "CRNN", "--data", str(out), "--out", str(tmp_path / "r")]) == 2
    assert "(n, time, rows, cols, channels). Received: frames.shape=(4, 28, 28, 1)" in \
        _error(capsys)
    assert not (tmp_path / "r").exists()


def test_negative_labels_are_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "neg"
    write_shards(out, {"frames": np.zeros((4, 5, 28, 28, 1), np.uint8),
                       "labels": np.full((4, 5), -1)}, progress=False)
    assert main(["train", "CRNN", "--data", str(out), "--out", str(tmp_path / "r")]) == 2
    assert "`labels` must be >= 0. Received: min=-1" in _error(capsys)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("flag, value", [("--epochs", "0"), ("--epochs", "-3"),
                                         ("--batch-size", "0")])
def test_train_refuses_non_positive_counts_before_writing_the_run(shards, tmp_path, capsys,
                                                                  flag, value):
    run = tmp_path / "r"
    args = ["train", "CNN-2-S", "--data", str(shards), "--out", str(run), "--epochs", "1",
            "--batch-size", "4"]
    bad = args + [flag, value]
    assert main(bad) == 2
    name = flag[2:].replace("-", "_")
    assert f"`{name}` must be a positive integer. Received: {name}={value}" in _error(capsys)
    assert not run.exists()  # nothing written: the corrected command is not refused
    assert main(args) == 0 and (run / "model.keras").is_file()


@pytest.fixture(scope="module")
def untrained_model(tmp_path_factory):
    from keras_crnn.models import build_model

    path = tmp_path_factory.mktemp("model") / "model.keras"
    build_model("CNN-2-S", (5, 28, 28, 1), 10).save(path)
    return path


@pytest.mark.parametrize("command", ["evaluate", "predict"])
@pytest.mark.parametrize("frames, received", [
    (np.full((2, 5, 28, 28, 1), 0.5, "float32"),
     r"float32 with values in \[0.5, 0.5\] \(frames scaled to \[0, 1\]\?"),
    (np.full((2, 5, 28, 28, 1), np.nan, "float32"), r"float32 and 7840 NaN or infinite values"),
    (np.full((2, 5, 28, 28, 1), 300, "int32"), r"int32 with values in \[300, 300\]"),
    (np.zeros((2, 5, 28, 28, 1), bool), r"Received: bool"),
])
def test_frames_that_are_not_uint8_are_refused(untrained_model, tmp_path, capsys, command,
                                               frames, received):
    data = tmp_path / "data"
    write_shards(data, {"frames": frames, "labels": np.zeros((2, 5), int)}, progress=False)
    out = ["--out", str(tmp_path / "p.npz")] if command == "predict" else []
    args = [command, str(untrained_model), str(data)] if command == "predict" else \
        [command, str(untrained_model), "--data", str(data)]
    assert main(args + out) == 2
    err = _error(capsys)
    assert "`frames` must be uint8 frames with values 0-255" in err
    assert __import__("re").search(received, err), err
    assert not (tmp_path / "p.npz").exists()


def test_integer_frames_within_0_255_are_taken_as_uint8():
    from keras_crnn.datasets import check_frames

    frames = np.arange(2 * 5 * 4 * 4).reshape(2, 5, 4, 4, 1) % 256
    checked = check_frames(frames.astype(np.int64))
    assert checked.dtype == np.uint8 and np.array_equal(checked, frames)
    with pytest.raises(ValueError, match=r"shape \(n, time, rows, cols, channels\)"):
        check_frames(frames[0])


def _api_cases():
    """(label, call, expected message) for the Python API."""
    import json

    from keras_crnn import pipelines
    from keras_crnn.datasets import sliding_windows
    from keras_crnn.layers import ConvGRU2D
    from keras_crnn.models import build_model

    x, y = np.zeros((4, 6, 8, 8, 1), np.uint8), np.zeros((4, 6), int)
    seq = np.zeros((1, 2, 8, 8, 1), "float32")

    def manifest(text):
        def call(tmp_path):
            (tmp_path / "manifest.json").write_text(text)
            read_shards(tmp_path)
        return call

    return [
        ("window 0", lambda _: pipelines.make_dataset(x, y, batch_size=2, window=0),
         r"`window` must be a positive integer. Received: window=0"),
        ("stride 0", lambda _: pipelines.make_dataset(x, y, batch_size=2, window=2, stride=0),
         r"`stride` must be a positive integer. Received: stride=0"),
        ("stride 1.5", lambda _: pipelines.make_dataset(x, y, batch_size=2, window=2,
                                                        stride=1.5),
         r"`stride` must be a positive integer. Received: stride=1.5"),
        ("windows stride 0", lambda _: sliding_windows(x, 2, 0), r"Received: stride=0"),
        ("time 0", lambda _: build_model("CRNN", (0, 28, 28, 1), 10),
         r"input_shape` of CRNN must hold positive integers.*\(0, 28, 28, 1\)"),
        ("channels 0", lambda _: build_model("CNN", (5, 28, 28, 0), 10),
         r"Received: input_shape=\(5, 28, 28, 0\)"),
        ("kernel 2.5", lambda _: ConvGRU2D(4, 2.5),
         r"`kernel_size` must be a positive integer or a tuple of 2.*kernel_size=2.5"),
        ("int inputs", lambda _: ConvGRU2D(4, 3)(seq.astype("int32")),
         r"floating-point sequences.*Received: dtype=int32"),
        ("bool inputs", lambda _: ConvGRU2D(4, 3)(seq.astype(bool)), r"Received: dtype=bool"),
        ("mask shape", lambda _: ConvGRU2D(4, 3)(seq, mask=np.ones((1, 3), bool)),
         r"`mask` must have shape \(batch, time\) = \(1, 2\). Received: mask.shape=\(1, 3\)"),
        ("state shape", lambda _: ConvGRU2D(4, 3, padding="same")(
            seq, initial_state=[np.zeros((1, 8, 8, 5), "float32")]),
         r"`initial_state` must have shape \(1, 8, 8, 4\).*Received: \(1, 8, 8, 5\)"),
        ("manifest json", manifest("{not json"),
         r"manifest.json is not a manifest.*JSONDecodeError"),
        ("manifest arrays", manifest(json.dumps({"shards": []})),
         r"manifest.json is not a manifest.*expected JSON with `arrays`.*KeyError"),
    ]


@pytest.mark.parametrize("case", range(len(_api_cases())),
                         ids=[c[0] for c in _api_cases()])
def test_python_api_bad_input(case, tmp_path):
    _, call, message = _api_cases()[case]
    with pytest.raises(ValueError, match=message):
        call(tmp_path)


def test_numpy_integer_filters_are_accepted():
    from keras_crnn.layers import ConvGRU2D

    layer = ConvGRU2D(np.int64(4), np.int32(3), padding="same")
    assert layer(np.zeros((1, 2, 8, 8, 1), "float32")).shape == (1, 8, 8, 4)
    assert layer.get_config()["filters"] == 4 and type(layer.get_config()["filters"]) is int


def _write_mnist(folder, images, labels, images_bytes=None):
    from reference import write_idx

    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / "train-images-idx3-ubyte.gz", images)
    write_idx(folder / "train-labels-idx1-ubyte.gz", labels)
    if images_bytes is not None:
        (folder / "train-images-idx3-ubyte.gz").write_bytes(images_bytes)
    return folder


def _cifar_batches(folder, batch):
    import pickle

    folder = folder / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (folder / name).write_bytes(batch if isinstance(batch, bytes) else pickle.dumps(batch))
    return folder.parent


FILE_CASES = {
    "corrupt gzip": (lambda d: D.load_mnist(_write_mnist(d, np.zeros((2, 4, 4)), np.zeros(2),
                                                         b"\x1f\x8b\x08\x00garbage")),
                     r"train-images-idx3-ubyte.gz is corrupt or truncated.*EOFError"),
    "truncated header": (lambda d: D.load_mnist(_write_mnist(
        d, np.zeros((2, 4, 4)), np.zeros(2), __import__("gzip").compress(b"\0\0\x08\x03\0\0"))),
        r"header announces 3 dimensions \(16 header bytes\). Received: 6 bytes"),
    "swapped idx": (lambda d: D.load_mnist(_write_mnist(d, np.zeros(5), np.zeros((5, 4, 4)))),
                    r"Expected images \(n, rows, cols\).*Received: shapes \(5,\) and \(5, 4, 4\)"),
    "npz lengths": (lambda d: (np.savez(d / "mnist.npz", x_train=np.zeros((10, 4, 4), np.uint8),
                                        y_train=np.zeros(3), x_test=np.zeros((2, 4, 4), np.uint8),
                                        y_test=np.zeros(2)), D.load_mnist(d)),
                    r"x_train/y_train: expected images.*of one length.*\(10, 4, 4\) and \(3,\)"),
    "npz floats": (lambda d: (np.savez(d / "mnist.npz", x_train=np.zeros((2, 4, 4)),
                                       y_train=np.zeros(2), x_test=np.zeros((2, 4, 4)),
                                       y_test=np.zeros(2)), D.load_mnist(d)),
                   r"expected uint8 images \(0-255\). Received: float64"),
    "npz truncated": (lambda d: ((d / "mnist.npz").write_bytes(b"PK\x03\x04cut"),
                                 D.load_mnist(d)),
                      r"mnist.npz is corrupt or truncated.*BadZipFile"),
    "cifar without data": (lambda d: D.load_cifar10(_cifar_batches(d, {b"labels": [0]})),
                           r"data_batch_1 is not a CIFAR-10 python batch.*Received: \[b'labels'\]"),
    "cifar corrupt": (lambda d: D.load_cifar10(_cifar_batches(d, b"\x80\x04\x95")),
                      r"data_batch_1 is corrupt or truncated.*CIFAR-10 python batch"),
}


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_bad_dataset_files_are_named(case, tmp_path):
    call, message = FILE_CASES[case]
    with pytest.raises(ValueError, match=message):
        call(tmp_path)


def test_a_text_file_is_not_a_video(tmp_path):
    pytest.importorskip("av", reason="PyAV (the `video` extra) reads video files")
    from keras_crnn.datasets.video import read_video

    (tmp_path / "clip.mp4").write_text("hello")
    with pytest.raises(ValueError, match=r"clip.mp4 is not a readable video file"):
        read_video(tmp_path / "clip.mp4")


def test_float_labels_are_refused(tmp_path, capsys):
    data = tmp_path / "data"
    write_shards(data, {"frames": np.zeros((4, 5, 28, 28, 1), np.uint8),
                        "labels": np.full((4, 5), 3.5)}, progress=False)
    assert main(["train", "CNN-2-S", "--data", str(data), "--out", str(tmp_path / "r")]) == 2
    assert "`labels` must be integers (class indices). Received: dtype=float64" in _error(capsys)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("case", ["npy input", "folder out", "txt out", "missing input"])
def test_predict_names_what_it_takes(untrained_model, tmp_path, capsys, case):
    frames = np.zeros((1, 5, 28, 28, 1), np.uint8)
    np.save(tmp_path / "in.npy", frames)
    np.savez(tmp_path / "in.npz", frames=frames)
    (tmp_path / "outdir.npz").mkdir()
    inputs, out, message = {
        "npy input": ("in.npy", "p.npz", "Expected an .npz with `frames`.*in.npy \\(a .npy file\\)"),
        "folder out": ("in.npz", "outdir.npz", "`out` must be a path ending in .npz"),
        "txt out": ("in.npz", "p.txt", "`out` must be a path ending in .npz.*p.txt"),
        "missing input": ("nope.npz", "p.npz", "nope.npz does not exist"),
    }[case]
    assert main(["predict", str(untrained_model), str(tmp_path / inputs), "--out",
                 str(tmp_path / out)]) == 2
    assert __import__("re").search(message, _error(capsys))
    assert not (tmp_path / "p.npz").exists()


def test_a_cdnet_ground_truth_of_another_size_is_named(tmp_path):
    from PIL import Image

    from keras_crnn.datasets import cdnet

    folder = cdnet.write_cdnet_video(cdnet.synthetic_cdnet_video(length=4, size=(24, 32)),
                                     tmp_path / "video")
    Image.fromarray(np.zeros((20, 32), np.uint8)).save(folder / "groundtruth" / "gt000003.png")
    with pytest.raises(ValueError, match=r"gt000003.png is 32x20; expected 32x24 like "
                                         r"gt000001.png"):
        cdnet.read_cdnet_video(folder)


def test_the_streaming_segmenter_and_predict_helpers_refuse_scaled_frames():
    from keras_crnn.models import build_model
    from keras_crnn.models.streaming import StreamingSegmenter
    from keras_crnn.training import predict_labels

    segmenter = StreamingSegmenter(build_model("FC-Lenet", (3, 16, 16, 1)))
    with pytest.raises(ValueError, match=r"frames are uint8 \(0-255\); pass scale=1.*float32"):
        segmenter.step(np.full((16, 16, 1), 0.5, "float32"))
    with pytest.raises(ValueError, match="NaN or infinite"):
        StreamingSegmenter(segmenter.model, scale=1).step(np.full((16, 16, 1), np.nan))
    assert segmenter.step(np.zeros((16, 16, 1), np.uint8)).shape == (16, 16)
    with pytest.raises(ValueError, match=r"`x` must be uint8 frames.*float64"):
        predict_labels(build_model("CNN-2-S", (2, 12, 12, 1), 3), np.zeros((1, 2, 12, 12, 1)))


def test_train_out_that_is_a_file(shards, tmp_path, capsys):
    (tmp_path / "r").write_text("notes")
    assert main(["train", "CNN-2-S", "--data", str(shards), "--out", str(tmp_path / "r")]) == 2
    assert "`out` must be a run folder. Received:" in _error(capsys)
    assert (tmp_path / "r").read_text() == "notes"
