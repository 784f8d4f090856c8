"""keras-crnn train: a run that is interrupted resumes where it stopped."""

import json

import keras
import numpy as np
import pytest

from keras_crnn.cli import main
from keras_crnn.workflow import history, train


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
    with pytest.raises(ValueError, match=r"frames` and per-frame `labels`.*masks"):
        train("CRNN", seg, tmp_path / "r2")
