"""Genre models of Table I: shapes, encoders, audio fusion (no weights downloaded)."""

import keras
import numpy as np
import pytest

from keras_crnn.models.genre import GENRE_MODELS, build_genre_model, frame_encoder

CLIP = (6, 32, 32, 3)
SOUND = (40, 16)


@pytest.mark.parametrize("audio", [False, True])
@pytest.mark.parametrize("name", GENRE_MODELS)
def test_every_table1_model_gives_genre_probabilities(name, audio):
    model = build_genre_model(name, CLIP, classes=6, units=16, audio=audio,
                              spectrogram_shape=SOUND if audio else None)
    rng = np.random.default_rng(0)
    x = rng.random((2,) + CLIP, dtype=np.float32)
    inputs = [x, rng.random((2,) + SOUND, dtype=np.float32)] if audio else x
    y = np.asarray(model(inputs))
    assert y.shape == (2, 6)
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-5)
    assert ("fusion" in {layer.name for layer in model.layers}) == audio


def test_the_models_see_what_they_should():
    """ConvNet sees the middle frame only; the others see every frame."""
    convnet = build_genre_model("ConvNet", CLIP, dropout=0)
    lstm = build_genre_model("CNN-LSTM pool", CLIP, units=8, dropout=0)
    x = np.random.default_rng(1).random((1,) + CLIP, dtype=np.float32)
    changed = x.copy()
    changed[0, 0] = 0.0  # the first frame
    np.testing.assert_allclose(np.asarray(convnet(x)), np.asarray(convnet(changed)), atol=1e-6)
    changed_middle = x.copy()
    changed_middle[0, CLIP[0] // 2] = 0.0
    assert not np.allclose(np.asarray(convnet(x)), np.asarray(convnet(changed_middle)))
    assert not np.allclose(np.asarray(lstm(x)), np.asarray(lstm(changed)))
    assert lstm.get_layer("temporal").units == 8
    assert isinstance(build_genre_model("CNN-RNN", CLIP, units=4).get_layer("temporal"),
                      keras.layers.SimpleRNN)


def test_frame_encoders_and_bad_names():
    assert frame_encoder("inceptionv3", (75, 75, 3)).output_shape == (None, 2048)
    assert frame_encoder("mobilenetv3small", (32, 32, 3)).output_shape[-1] == 576
    assert frame_encoder("small-cnn", (32, 32, 3)).output_shape == (None, 128)
    with pytest.raises(ValueError, match="Unknown frame encoder.*'resnet'"):
        frame_encoder("resnet", (32, 32, 3))
    with pytest.raises(ValueError, match="Unknown genre model.*'C3D'"):
        build_genre_model("C3D", CLIP)
    with pytest.raises(ValueError, match="needs `spectrogram_shape`"):
        build_genre_model("ConvNet", CLIP, audio=True)
