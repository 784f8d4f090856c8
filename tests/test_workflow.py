"""keras-crnn train: a run that is interrupted resumes where it stopped."""

import json

import keras
import numpy as np
import pytest

from keras_crnn.cli import main
from keras_crnn.workflow import evaluate, history, train


class StopAfter(keras.callbacks.Callback):
    """Simulates a kill after `epochs` epochs."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 >= self.epochs:
            raise KeyboardInterrupt


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("data") / "occ"
    assert main(["generate", "occluded-digits", "--out", str(out), "--num", "48",
                 "--seq-len", "5"]) == 0
    return out


@pytest.mark.slow
def test_interrupted_training_resumes(data_dir, tmp_path):
    run = tmp_path / "run"
    kwargs = dict(epochs=3, batch_size=16, seed=0, verbose=0)
    with pytest.raises(KeyboardInterrupt):
        train("CRNN-2-S", data_dir, run, extra_callbacks=[StopAfter(1)], **kwargs)
    assert not (run / "model.keras").exists()  # no final model from a killed run
    assert len(history(run)["epoch"]) == 1
    model = train("CRNN-2-S", data_dir, run, **kwargs)  # the same command again
    assert history(run)["epoch"] == [0.0, 1.0, 2.0]  # epochs 2 and 3 only: resumed
    loaded = keras.saving.load_model(run / "model.keras")
    x = np.zeros((2, 5, 28, 28, 1), "float32")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
    assert json.loads((run / "run.json").read_text())["model"] == "CRNN-2-S"
    assert not (run / "backup").exists()  # removed once model.keras is written


@pytest.mark.slow
def test_a_resumed_run_keeps_its_best_model_and_a_finished_run_is_left_alone(data_dir, tmp_path):
    run = tmp_path / "run"
    kwargs = dict(epochs=3, batch_size=16, seed=0, verbose=0, learning_rate=3e-2)
    with pytest.raises(KeyboardInterrupt):
        train("CNN-2-S", data_dir, run, extra_callbacks=[StopAfter(2)], **kwargs)
    best_before = min(history(run)["val_loss"])
    saved = (run / "best.keras").read_bytes()
    train("CNN-2-S", data_dir, run, **kwargs)
    last = history(run)["val_loss"][-1]
    assert history(run)["epoch"] == [0.0, 1.0, 2.0]
    # best.keras changes after the resume only if the new epoch beat the old best
    assert ((run / "best.keras").read_bytes() == saved) == (last >= best_before)
    files = {p: p.read_bytes() for p in (run / "model.keras", run / "history.csv",
                                          run / "best.keras")}
    train("CNN-2-S", data_dir, run, **kwargs)  # finished: nothing changes
    assert all(p.read_bytes() == data for p, data in files.items())


def test_a_corrupt_backup_state_is_named(data_dir, tmp_path):
    run = tmp_path / "run"
    (run / "backup").mkdir(parents=True)
    (run / "backup" / "state.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"state.json is not a backup state.*expected JSON"):
        train("CNN-2-S", data_dir, run, epochs=1, batch_size=16, verbose=0)


@pytest.mark.slow
def test_a_run_folder_refuses_other_settings(data_dir, tmp_path):
    run = tmp_path / "run"
    train("CNN-2-S", data_dir, run, epochs=1, batch_size=16, verbose=0)
    with pytest.raises(ValueError, match="epochs differ"):
        train("CNN-2-S", data_dir, run, epochs=2, batch_size=16, verbose=0)


def test_unknown_model_and_wrong_data_are_explained(data_dir, tmp_path):
    with pytest.raises(ValueError, match="Unknown model.*'ResNet'"):
        train("ResNet", data_dir, tmp_path / "r")
    seg = tmp_path / "seg"
    assert main(["generate", "moving-digits", "--out", str(seg), "--num", "4",
                 "--seq-len", "3"]) == 0
    with pytest.raises(ValueError, match=r"CRNN learns per-frame classification.*generate "
                       r"occluded-digits.*must hold frames, labels.*'masks'"):
        train("CRNN", seg, tmp_path / "r2")
    with pytest.raises(ValueError, match=r"CNN-LSTM pool learns clip classification.*tasks "
                       r"\['frames', 'images', 'segmentation'\].*build_model"):
        train("CNN-LSTM pool", seg, tmp_path / "r3")
    with pytest.raises(ValueError, match=r"FC-Lenet learns segmentation.*must hold frames, masks"):
        train("FC-Lenet", data_dir, tmp_path / "r4")


@pytest.mark.slow
def test_train_and_evaluate_a_segmenter_on_moving_digits(tmp_path):
    """`keras-crnn train` trains any preset whose task the data has: here an
    RFCN segmenter on 3-frame windows of generated moving digits."""
    seg = tmp_path / "seg"
    assert main(["generate", "moving-digits", "--out", str(seg), "--num", "24",
                 "--seq-len", "5"]) == 0
    model = train("FC-Lenet", seg, tmp_path / "run", epochs=2, batch_size=16, verbose=0)
    assert model.input_shape == (None, 3, 64, 64, 1) and model.output_shape == (None, 64, 64, 1)
    losses = history(tmp_path / "run")["loss"]
    assert len(losses) == 2 and losses[1] < losses[0]
    measures = evaluate(tmp_path / "run", seg)
    assert measures["sequences"] == 24 and 0 <= measures["f_measure"] <= 100


@pytest.mark.slow
def test_evaluate_predict_export_end_to_end(data_dir, tmp_path, capsys):
    import subprocess
    import sys

    run = tmp_path / "run"
    assert main(["train", "CRNN-2-S", "--data", str(data_dir), "--out", str(run),
                 "--epochs", "1", "--batch-size", "16"]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(run), "--data", str(data_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert 0 <= report["accuracy"] <= 100 and report["sequences"] == 48

    frames = np.load(data_dir / "shard-00000.npz")["frames"][:3]
    np.savez(tmp_path / "in.npz", frames=frames)
    assert main(["predict", str(run), str(tmp_path / "in.npz"), "--out",
                 str(tmp_path / "pred.npz")]) == 0
    with np.load(tmp_path / "pred.npz") as pred:
        assert pred["labels"].shape == (3, 5) and pred["scores"].shape == (3, 5, 10)

    saved = tmp_path / "saved"
    assert main(["export", str(run), "--format", "saved_model", "--out", str(saved)]) == 0
    script = (
        "import sys, numpy as np, tensorflow as tf\n"
        f"m = tf.saved_model.load({str(saved)!r})\n"
        f"x = np.load({str(tmp_path / 'in.npz')!r})['frames'].astype('float32') / 255\n"
        f"np.save({str(tmp_path / 'served.npy')!r}, m.serve(x).numpy())\n"
        "assert not any(k.startswith('keras_crnn') for k in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    with np.load(tmp_path / "pred.npz") as pred:
        np.testing.assert_allclose(np.load(tmp_path / "served.npy"), pred["scores"], atol=1e-5)

    capsys.readouterr()
    assert main(["export", str(run), "--format", "tflite", "--out", str(tmp_path / "m.tflite")]) == 0
    # keras_crnn's LSTM unrolls static sequences: builtin ops, no Flex delegate needed.
    assert "builtin ops only" in capsys.readouterr().out
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_path=str(tmp_path / "m.tflite"))
    (inp,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
    interpreter.resize_tensor_input(inp["index"], frames.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(inp["index"], frames.astype("float32") / 255)
    interpreter.invoke()
    with np.load(tmp_path / "pred.npz") as pred:
        np.testing.assert_allclose(interpreter.get_tensor(out["index"]), pred["scores"],
                                   atol=1e-5)

    (tmp_path / "afile").write_text("x")
    assert main(["export", str(run), "--out", str(tmp_path / "afile")]) == 2
    assert "exists (a file)" in capsys.readouterr().err
    np.savez(tmp_path / "bad.npz", frames=np.zeros((2, 4, 28, 28, 1), np.uint8))
    assert main(["predict", str(run), str(tmp_path / "bad.npz"), "--out",
                 str(tmp_path / "p.npz")]) == 2
    assert "frames of shape (n,) + (5, 28, 28, 1)" in capsys.readouterr().err
    assert not (tmp_path / "p.npz").exists()


DISTRIBUTED_SCRIPT = """
import json, sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
from keras_crnn.workflow import evaluate, history, train
no_dropout = {"encoder_dropout": 0.0, "temporal_dropout": 0.0}
for strategy in ("none", "mirrored"):
    train("CNN-2-S", sys.argv[1], sys.argv[2] + "/" + strategy, epochs=2, batch_size=12,
          verbose=0, strategy=strategy, model_overrides=no_dropout)
print(json.dumps({s: history(sys.argv[2] + "/" + s)["loss"] for s in ("none", "mirrored")}))
print(len(tf.distribute.MirroredStrategy().extended.worker_devices))
"""


@pytest.mark.slow
def test_mirrored_training_on_two_logical_cpus_matches_one_device(tmp_path):
    import subprocess
    import sys

    # 40 sequences: 36 to train (3 batches of 12, 6 per replica), 4 to validate,
    # so both runs see the same batches and no remainder is dropped.
    data = tmp_path / "data"
    assert main(["generate", "occluded-digits", "--out", str(data), "--num", "40",
                 "--seq-len", "5"]) == 0
    out = subprocess.run([sys.executable, "-c", DISTRIBUTED_SCRIPT, str(data), str(tmp_path)],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    losses, replicas = json.loads(out[-2]), int(out[-1])
    assert replicas == 2
    # Same initial weights and batches; the replicas' reduction order changes float
    # rounding, which Adam's g / sqrt(v) normalisation magnifies for near-zero
    # gradients (measured: 0.1 % after one epoch, 0.4 % after two).
    np.testing.assert_allclose(losses["mirrored"], losses["none"], rtol=1e-2)
    assert losses["none"][1] < losses["none"][0]


@pytest.mark.slow
def test_killed_training_process_resumes(data_dir, tmp_path):
    """SIGKILL the real command after its first epoch; the same command resumes."""
    import os
    import signal
    import subprocess
    import sys
    import time

    run = tmp_path / "run"
    command = [sys.executable, "-m", "keras_crnn.cli", "train", "CNN-2-S", "--data",
               str(data_dir), "--out", str(run), "--epochs", "40", "--batch-size", "16"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not (
        (run / "history.csv").exists() and len(history(run).get("epoch", [])) >= 1
    ):
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done = len(history(run)["epoch"])
    assert 1 <= done < 40 and not (run / "model.keras").exists()
    finish = command[:-4] + ["--epochs", "40", "--batch-size", "16"]
    assert subprocess.run(finish, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    assert history(run)["epoch"] == list(range(40))  # resumed, each epoch once
    assert (run / "model.keras").exists()


@pytest.mark.slow
def test_predict_reads_a_folder_of_frames(data_dir, tmp_path):
    from PIL import Image

    run = tmp_path / "run"
    train("CNN-2-S", data_dir, run, epochs=1, batch_size=16, verbose=0)
    frames = np.load(data_dir / "shard-00000.npz")["frames"][0]
    folder = tmp_path / "frames"
    folder.mkdir()
    for t, frame in enumerate(frames):
        Image.fromarray(frame[..., 0]).save(folder / f"frame{t:03d}.png")
    assert main(["predict", str(run), str(folder), "--out", str(tmp_path / "p.npz")]) == 0
    with np.load(tmp_path / "p.npz") as pred:
        assert pred["labels"].shape == (1, 5)


@pytest.mark.slow
def test_forecaster_generate_train_evaluate_predict_export(tmp_path, capsys):
    """The user's path for forecasting: pines on disk -> train -> evaluate -> predict
    -> SavedModel, whose forecasts equal the Keras model's."""
    import tensorflow as tf

    from keras_crnn.datasets import read_shards
    from keras_crnn.workflow import load_model

    data, run = tmp_path / "pines", tmp_path / "run"
    assert main(["generate", "pines", "--out", str(data), "--num", "24", "--seq-len", "4"]) == 0
    assert main(["train", "forecast-ConvGRU2D", "--data", str(data), "--out", str(run),
                 "--epochs", "2", "--batch-size", "8"]) == 0
    losses = history(run)["loss"]
    assert len(losses) == 2 and losses[1] < losses[0]
    model = load_model(run)
    assert model.input_shape == (None, 3, 32, 16, 3) and model.output_shape == model.input_shape
    capsys.readouterr()
    assert main(["evaluate", str(run), "--data", str(data), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["sequences"] == 24 and 0 < scores["mae"] < 255
    assert {"mse_changed", "mae_static", "psnr_all_frames"} <= set(scores)

    frames = read_shards(data)["frames"][:, :3]
    np.savez(tmp_path / "in.npz", frames=frames)
    assert main(["predict", str(run), str(tmp_path / "in.npz"), "--out",
                 str(tmp_path / "out.npz")]) == 0
    with np.load(tmp_path / "out.npz") as out:
        forecasts = out["forecasts"]
    assert forecasts.shape == frames.shape and forecasts.dtype == np.uint8
    expected = np.asarray(model(frames / np.float32(255))) * 255
    np.testing.assert_allclose(forecasts, np.clip(np.rint(expected), 0, 255), atol=1)

    assert main(["export", str(run), "--out", str(tmp_path / "sm")]) == 0
    assert "forecasts of the next frames" in capsys.readouterr().out
    loaded = tf.saved_model.load(str(tmp_path / "sm"))  # kept: serve needs its variables
    served = loaded.serve(tf.constant(frames[:2] / np.float32(255)))
    np.testing.assert_allclose(np.asarray(served), expected[:2] / 255, atol=1e-5)
    # Training a forecaster needs at least 2 frames per sequence.
    with pytest.raises(ValueError, match="at least 2 frames"):
        from keras_crnn.workflow import _forecast_pairs

        _forecast_pairs(frames[:, :1])


@pytest.mark.slow
def test_ctrl_c_says_where_the_backup_is(data_dir, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    run = tmp_path / "run"
    command = [sys.executable, "-m", "keras_crnn.cli", "train", "CNN-2-S", "--data",
               str(data_dir), "--out", str(run), "--epochs", "100000", "--batch-size", "16"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not (run / "backup" / "state.json").exists():
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in err
    assert f"backed up in {run}/backup: run the same command again to resume" in err


def test_ctrl_c_stops_fit_at_the_end_of_the_running_batch():
    """The first SIGINT only sets a flag: fit stops at that batch's end with
    KeyboardInterrupt, and the previous handler is back afterwards."""
    import os
    import signal

    import keras

    from keras_crnn.callbacks import InterruptBetweenBatches

    class SignalAtBatch(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.ended = []

        def on_train_batch_begin(self, batch, logs=None):
            if batch == 2:
                os.kill(os.getpid(), signal.SIGINT)  # "Ctrl-C" in the middle of batch 2

        def on_train_batch_end(self, batch, logs=None):
            self.ended.append(batch)

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.zeros((64, 3), "float32"), np.zeros((64, 1), "float32")
    before = signal.getsignal(signal.SIGINT)
    spy = SignalAtBatch()
    with pytest.raises(KeyboardInterrupt), InterruptBetweenBatches() as interrupt:
        model.fit(x, y, batch_size=4, epochs=5, verbose=0, callbacks=[spy, interrupt])
    assert spy.ended == [0, 1, 2]  # batch 2 finished; nothing after it ran
    assert signal.getsignal(signal.SIGINT) is before


def test_a_second_ctrl_c_interrupts_at_once():
    import signal

    from keras_crnn.callbacks import InterruptBetweenBatches

    with InterruptBetweenBatches() as interrupt:
        signal.raise_signal(signal.SIGINT)
        assert interrupt.interrupted
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)


@pytest.mark.slow
@pytest.mark.parametrize("name, shape, classes", [
    ("crnn-gru", (5, 28, 28, 1), 10), ("crnn-convlstm2d", (5, 16, 16, 1), 10),
    ("crnn-convgru2d", (5, 16, 16, 1), 10), ("RFC-Lenet", (3, 32, 32, 1), None),
])
def test_recurrent_presets_export_tflite_that_runs_with_builtin_ops(tmp_path, name, shape,
                                                                    classes):
    """GRU, ConvLSTM2D and ConvGRU loops (Flex ops in a while loop) are unrolled for
    TFLite; the file runs in the plain interpreter and matches Keras."""
    import tensorflow as tf

    from keras_crnn.models import build_model
    from keras_crnn.workflow import export

    model = build_model(name, shape, classes)
    model.save(tmp_path / "m.keras")
    path, note = export(tmp_path / "m.keras", tmp_path / "out" / "m.tflite", "tflite")
    assert "builtin ops only" in note
    x = np.random.default_rng(0).random((1,) + shape).astype("float32")
    interpreter = tf.lite.Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    got = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    np.testing.assert_allclose(got, np.asarray(model(x)), atol=1e-5)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["m.tflite"]  # no leftovers


def test_export_keras_into_a_missing_folder_is_atomic(tmp_path):
    from keras_crnn.models import build_model
    from keras_crnn.workflow import export

    build_model("CNN-2-S", (2, 12, 12, 1), 3).save(tmp_path / "m.keras")
    path, _ = export(tmp_path / "m.keras", tmp_path / "new" / "copy.keras", "keras")
    assert [p.name for p in path.parent.iterdir()] == ["copy.keras"]


@pytest.mark.slow
def test_cli_mirrored_strategy_on_logical_cpus(tmp_path):
    """`--cpu-devices 2` gives `--strategy mirrored` two replicas: a global batch
    that does not split in two is refused before anything is written."""
    import subprocess
    import sys

    data = tmp_path / "data"
    assert main(["generate", "occluded-digits", "--out", str(data), "--num", "24",
                 "--seq-len", "5"]) == 0
    base = [sys.executable, "-m", "keras_crnn.cli", "train", "CNN-2-S", "--data", str(data),
            "--epochs", "1", "--strategy", "mirrored", "--cpu-devices", "2"]
    odd = subprocess.run(base + ["--out", str(tmp_path / "odd"), "--batch-size", "7"],
                         capture_output=True, text=True)
    assert odd.returncode == 2
    assert "multiple of the 2 replicas" in odd.stderr and "batch_size=7" in odd.stderr
    assert not (tmp_path / "odd").exists()
    even = subprocess.run(base + ["--out", str(tmp_path / "even"), "--batch-size", "8"],
                          capture_output=True, text=True)
    assert even.returncode == 0, even.stderr[-2000:]
    assert (tmp_path / "even" / "model.keras").exists()
