"""Mixed bfloat16: bfloat16 compute, float32 weights and outputs, and training that learns."""

import json

import keras
import numpy as np
import pytest

from keras_crnn.datasets import write_shards
from keras_crnn.models import build_model
from keras_crnn.precision import check_precision, precision
from keras_crnn.workflow import history, load_model, train


def test_models_built_under_mixed_bfloat16_keep_float32_outputs():
    with precision("mixed_bfloat16"):
        model = build_model("CRNN-2-S", (3, 16, 16, 1), classes=4, temporal_units=8)
    assert keras.config.dtype_policy().name == "float32"  # restored after the block
    assert model.get_layer("temporal").compute_dtype == "bfloat16"
    assert model.get_layer("temporal").variable_dtype == "float32"
    out = model(np.zeros((2, 3, 16, 16, 1), "float32"))
    assert out.dtype == "float32" and model.layers[-1].name == "float32_outputs"
    assert build_model("CRNN-2-S", (3, 16, 16, 1), classes=4).layers[-1].name != \
        "float32_outputs"
    with pytest.raises(ValueError, match="precision.*Received: precision='float16'"):
        check_precision("float16")


@pytest.mark.slow
def test_training_in_mixed_bfloat16_learns_and_is_recorded(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, (64, 3))
    frames = np.zeros((64, 3, 12, 12, 1), np.uint8)
    frames[labels == 1, :6] = 255  # the class is whether the top half is lit
    write_shards(tmp_path / "data", {"frames": frames, "labels": labels}, progress=False)
    run = tmp_path / "run"
    train("CRNN-2-S", tmp_path / "data", run, epochs=6, batch_size=16, verbose=0, learning_rate=3e-3,
          model_overrides={"temporal_units": 16}, precision="mixed_bfloat16")
    losses = history(run)["loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert json.loads((run / "run.json").read_text())["precision"] == "mixed_bfloat16"
    model = load_model(run)
    assert model(frames[:2].astype("float32") / 255).dtype == "float32"
