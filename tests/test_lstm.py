"""keras_crnn.layers.LSTM is keras.layers.LSTM with its input matmul taken out of the loop:
the same weights, config, dropout masks, outputs and gradients."""

import keras
import numpy as np
import pytest
from reference import outputs_and_gradients

from keras_crnn.layers import LSTM as ProjectedLSTM

to_numpy = keras.ops.convert_to_numpy


def _pair(**kwargs):
    x = np.random.default_rng(1).standard_normal((3, 5, 12)).astype("float32")
    layers = [cls(6, seed=3, **kwargs) for cls in (ProjectedLSTM, keras.layers.LSTM)]
    for layer in layers:
        layer.build(x.shape)
    layers[0].set_weights(layers[1].get_weights())
    return layers, x


def _run(layer, x, training):
    outs, grads = outputs_and_gradients(layer, x, training)
    return outs + grads


@pytest.mark.parametrize("kwargs", [
    {}, {"return_sequences": True}, {"return_state": True},
    {"dropout": 0.3, "return_sequences": True},
    {"dropout": 0.3, "recurrent_dropout": 0.3, "return_sequences": True},
    {"recurrent_dropout": 0.4, "return_state": True, "activation": "tanh",
     "recurrent_activation": "hard_sigmoid"},
], ids=str)
@pytest.mark.parametrize("training", [False, True])
def test_outputs_and_gradients_equal_keras_lstm(kwargs, training):
    (projected, reference), x = _pair(**kwargs)
    for a, b in zip(_run(projected, x, training), _run(reference, x, training), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5)


def test_masks_and_backwards_take_keras_loop_and_still_agree():
    (projected, reference), x = _pair(return_sequences=True, go_backwards=True)
    np.testing.assert_allclose(to_numpy(projected(x)), to_numpy(reference(x)), atol=1e-5)
    mask = np.array([[True] * 5, [True] * 3 + [False] * 2, [True] * 5])
    (projected, reference), x = _pair(return_sequences=True)
    np.testing.assert_allclose(to_numpy(projected(x, mask=mask)),
                               to_numpy(reference(x, mask=mask)), atol=1e-5)


def test_config_and_weights_are_keras_lstms(tmp_path):
    layer = ProjectedLSTM(6, dropout=0.2, recurrent_activation="hard_sigmoid")
    config = layer.get_config()
    assert config == {**keras.layers.LSTM.from_config(config).get_config(),
                      "name": config["name"]}
    # A model saved with keras.layers.LSTM: its weights load into ProjectedLSTM.
    def build(cls):
        keras.utils.set_random_seed(0)
        inputs = keras.Input((4, 10))
        return keras.Model(inputs, cls(5, name="temporal")(inputs))

    old, new = build(keras.layers.LSTM), build(ProjectedLSTM)
    old.save(tmp_path / "old.keras")
    new.load_weights(tmp_path / "old.keras")
    x = np.random.default_rng(2).random((2, 4, 10)).astype("float32")
    np.testing.assert_allclose(to_numpy(new(x)),
                               to_numpy(keras.saving.load_model(tmp_path / "old.keras")(x)),
                               atol=1e-5)
    new.save(tmp_path / "new.keras")
    loaded = keras.saving.load_model(tmp_path / "new.keras")
    assert isinstance(loaded.get_layer("temporal"), ProjectedLSTM)
    np.testing.assert_allclose(to_numpy(loaded(x)), to_numpy(new(x)), atol=1e-6)
