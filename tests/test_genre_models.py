"""Genre models of Table I: shapes, encoders, audio fusion (no weights downloaded)."""

from pathlib import Path

import keras
import numpy as np
import pytest

from keras_crnn.models.genre import (
    FEATURE_MODELS,
    GENRE_MODELS,
    build_feature_model,
    build_frame_classifier,
    build_genre_model,
    frame_encoder,
    frame_features,
)

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


@pytest.mark.slow
def test_frame_encoders_and_bad_names():
    assert frame_encoder("inceptionv3", (75, 75, 3)).output_shape == (None, 2048)
    assert frame_encoder("mobilenetv3small", (32, 32, 3)).output_shape[-1] == 576
    assert frame_encoder("small-cnn", (32, 32, 3)).output_shape == (None, 128)
    assert frame_encoder("small-cnn", (32, 32, 3), pooling="flatten").output_shape == \
        (None, 2 * 2 * 128)
    with pytest.raises(ValueError, match="`pooling`.*'max'"):
        frame_encoder("small-cnn", (32, 32, 3), pooling="max")
    with pytest.raises(ValueError, match="Unknown frame encoder.*'resnet'"):
        frame_encoder("resnet", (32, 32, 3))
    with pytest.raises(ValueError, match="Unknown genre model.*'C3D'"):
        build_genre_model("C3D", CLIP)
    with pytest.raises(ValueError, match="needs `spectrogram_shape`"):
        build_genre_model("ConvNet", CLIP, audio=True)


def test_cached_frame_features_are_the_classifiers_outputs():
    """Stage 1 -> 2: `pool` is the encoder's output, `softmax` the classifier's."""
    classifier = build_frame_classifier((32, 32, 3), classes=6)
    clips = np.random.default_rng(2).integers(0, 256, (3, 5, 32, 32, 3), dtype=np.uint8)
    features = frame_features(classifier, clips, batch_size=4, spatial=True)  # cut across clips
    assert features["pool"].shape == (3, 5, 128) and features["softmax"].shape == (3, 5, 6)
    # 32x32 after four 2x2 poolings: a 2x2 map of 128 channels, whose average is `pool`.
    feature_map = features["map"].reshape(3, 5, 2, 2, 128)
    np.testing.assert_allclose(feature_map.mean((2, 3)), features["pool"], atol=1e-5)
    frames = clips.reshape(15, 32, 32, 3).astype(np.float32) / 255
    np.testing.assert_allclose(features["softmax"].reshape(15, 6),
                               np.asarray(classifier(frames, training=False)), atol=1e-5)
    encoder = classifier.get_layer("frame_encoder")
    np.testing.assert_allclose(features["pool"][1, 3], np.asarray(encoder(frames[8:9]))[0],
                               atol=1e-5)
    with pytest.raises(ValueError, match=r"Expected clips.*\(5, 32, 32, 3\)"):
        frame_features(classifier, clips[0])


@pytest.mark.parametrize("audio", [False, True])
@pytest.mark.parametrize("name", FEATURE_MODELS)
def test_feature_models_read_feature_sequences(name, audio):
    model = build_feature_model(name, (5, 12), classes=6, units=8, audio=audio,
                                spectrogram_shape=SOUND)
    rng = np.random.default_rng(3)
    x = rng.random((2, 5, 12), dtype=np.float32)
    y = np.asarray(model([x, rng.random((2,) + SOUND, dtype=np.float32)] if audio else x))
    assert y.shape == (2, 6)
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-5)
    layer = keras.layers.SimpleRNN if name == "CNN-RNN" else keras.layers.LSTM
    assert isinstance(model.get_layer("temporal"), layer)
    with pytest.raises(ValueError, match=r"\(time, features\)"):
        build_feature_model(name, (5, 4, 3))


MOBILENET = (Path(__file__).resolve().parents[2] / "shared" / "data" / "weights" /
             "mobilenet_2_5_224_tf_no_top.h5")


def test_encoders_never_download_and_name_the_missing_file(tmp_path):
    for weights in ("imagenet", str(tmp_path / "missing.h5")):
        with pytest.raises(FileNotFoundError, match="nothing is downloaded.*Received: "
                           f"{weights!r}.*mobilenet_2_5_224_tf_no_top.h5"):
            frame_encoder("mobilenet-0.25", (32, 32, 3), weights=weights)


@pytest.mark.skipif(not MOBILENET.is_file(), reason=f"the ImageNet MobileNet 0.25 file is not "
                    f"at {MOBILENET} (only on CI and machines with ../shared/data)")
def test_mobilenet_encoder_is_imagenet_mobilenet_with_its_preprocessing():
    encoder = frame_encoder("mobilenet-0.25", (64, 64, 3), weights=str(MOBILENET))
    reference = keras.applications.MobileNet(alpha=0.25, include_top=False, pooling="avg",
                                             weights=str(MOBILENET), input_shape=(64, 64, 3))
    frames = np.random.default_rng(0).random((3, 64, 64, 3), dtype=np.float32)  # [0, 1]
    ours = np.asarray(encoder(frames))
    expected = np.asarray(reference(keras.applications.mobilenet.preprocess_input(frames * 255)))
    assert ours.shape == (3, 256)
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-5)
    random = np.asarray(frame_encoder("mobilenet-0.25", (64, 64, 3))(frames))
    assert np.abs(random - expected).max() > 1e-2  # the file's weights, not an initializer's
