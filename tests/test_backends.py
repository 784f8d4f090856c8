"""One model on every Keras backend: a `.keras` file saved on one backend loads on the
others with the same outputs, and the model builders train with `fit` on the backend
that runs. `make test-backends` runs this file (and the ConvGRU, LSTM and builder
tests) under KERAS_BACKEND=tensorflow, jax and torch, each in its own process."""

import importlib.util
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from keras_crnn.layers import ConvGRU2D
from keras_crnn.models import build_model

OTHERS = [b for b in ("tensorflow", "jax", "torch") if b != keras.backend.backend()]


def _model():
    inputs = keras.Input((4, 8, 8, 2))
    x = ConvGRU2D(4, 3, padding="same", return_sequences=True, dropout=0.1,
                  recurrent_dropout=0.1, name="gru")(inputs)
    x = ConvGRU2D(3, 3, padding="same", go_backwards=True, name="gru_back")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(5, activation="softmax")(x))


@pytest.mark.slow
@pytest.mark.parametrize("other", OTHERS)
def test_keras_file_loads_on_another_backend_with_the_same_outputs(other, tmp_path):
    if importlib.util.find_spec(other) is None:
        pytest.skip(f"the {other} backend is not installed (`pip install -e .[{other}]`)")
    keras.utils.set_random_seed(0)
    model = _model()
    x = np.random.default_rng(3).normal(size=(3, 4, 8, 8, 2)).astype("float32")
    model.save(tmp_path / "model.keras")
    np.save(tmp_path / "x.npy", x)
    script = textwrap.dedent(
        """
        import keras, numpy as np
        import keras_crnn.layers  # registers ConvGRU2D
        model = keras.saving.load_model("model.keras")
        np.save("y.npy", keras.ops.convert_to_numpy(model(np.load("x.npy"))))
        print(keras.backend.backend())
        """
    )
    env = dict(os.environ, KERAS_BACKEND=other, TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-1] == other
    expected = keras.ops.convert_to_numpy(model(x))
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), expected, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["CRNN-2-S", "RFC-Lenet"])
def test_builders_train_on_this_backend(name):
    """A few epochs of `fit` on a task that needs the time axis: the loss falls."""
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((32, 3, 16, 16, 1), dtype=np.float32)
    model = build_model(name, (3, 16, 16, 1), classes=2)
    if name == "RFC-Lenet":  # (batch, 16, 16) foreground probabilities of the last frame
        blocks = np.random.default_rng(1).random((32, 4, 4), dtype=np.float32)
        x[:, -1, ..., 0] = np.kron(blocks, np.ones((4, 4), np.float32))  # 4x4 squares
        y, loss = (x[:, -1, ..., 0] > 0.5).astype("float32"), "binary_crossentropy"
    else:  # a label per frame: was the first frame dimmed? (later frames must remember)
        dimmed = np.arange(32) % 2 == 0
        x[dimmed, 0] *= 0.2
        y = np.repeat(dimmed[:, None], 3, axis=1).astype("int32")
        loss = "sparse_categorical_crossentropy"
    model.compile(keras.optimizers.Adam(3e-3), loss)
    history = model.fit(x, y, batch_size=8, epochs=8, verbose=0).history["loss"]
    assert history[-1] < 0.9 * history[0], history
