"""The CRNN builder and presets: shapes, parameter counts, training, saving."""

import keras
import numpy as np
import pytest

from keras_crnn.layers import ConvGRU2D
from keras_crnn.models import CRNN, PRESETS, build_model


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("head", ["frames", "sequence"])
def test_every_preset_builds_and_runs(name, head):
    model = build_model(name, (4, 16, 16, 1), classes=7, head=head, temporal_units=8)
    x = np.random.default_rng(0).random((2, 4, 16, 16, 1), dtype=np.float32)
    expected = (2, 4, 7) if head == "frames" else (2, 7)
    assert tuple(model(x).shape) == expected
    assert model.output_shape == (None,) + expected[1:]
    np.testing.assert_allclose(np.asarray(model(x)).sum(-1), 1.0, rtol=1e-5)  # softmax


def test_parameter_count_of_the_occlusion_crnn():
    # Two 3x3 convs (32, 64), 2x2 pooling, LSTM(256), Dense(10) on 5x28x28x1.
    model = CRNN((5, 28, 28, 1), classes=10)
    conv = (9 * 1 * 32 + 32) + (9 * 32 * 64 + 64)
    features = 14 * 14 * 64
    lstm = 4 * (features + 256 + 1) * 256
    assert model.count_params() == conv + lstm + 256 * 10 + 10
    assert model.get_layer("frame_flatten").output.shape == (None, 5, features)


def test_strided_variants_and_conv_recurrence():
    model = CRNN((5, 28, 28, 1), 10, conv_layers=[(32, 2), (64, 2)], pool_size=None)
    assert model.get_layer("frame_flatten").output.shape == (None, 5, 7 * 7 * 64)
    model = CRNN((5, 28, 28, 1), 10, temporal="convgru2d", temporal_units=16)
    assert isinstance(model.get_layer("temporal"), ConvGRU2D)
    assert model.get_layer("temporal").output.shape == (None, 5, 14, 14, 16)


def test_invalid_configurations_are_explained():
    with pytest.raises(ValueError, match="temporal.*Received: 'rnn'"):
        CRNN((5, 28, 28, 1), 10, temporal="rnn")
    with pytest.raises(ValueError, match=r"downsamples by 8.*input_shape=\(5, 4, 4, 1\)"):
        CRNN((5, 4, 4, 1), 10, conv_layers=[(8, 2), (8, 2)])
    with pytest.raises(ValueError, match="time, rows, cols, channels"):
        CRNN((28, 28, 1), 10)
    with pytest.raises(ValueError, match="Unknown model.*'resnet'"):
        build_model("resnet", (5, 28, 28, 1), 10)


def test_recurrence_learns_a_pattern_the_cnn_cannot_see():
    """Labels run 0,1,2,... from a random start; frame content is noise except
    for the first frame, so only a recurrent model can label the later frames."""
    steps, classes = 4, 4

    def make(n, seed):
        rng = np.random.default_rng(seed)
        start = rng.integers(0, classes, n)
        labels = (start[:, None] + np.arange(steps)) % classes
        x = rng.normal(0, 0.1, (n, steps, 8, 8, 1)).astype("float32")
        x[np.arange(n), 0, start, 0, 0] += 3.0  # the start shows in frame 0 only
        return x, labels

    x, labels = make(256, 0)
    x_test, labels_test = make(256, 1)
    results = {}
    for temporal in ("dense", "gru"):
        keras.utils.set_random_seed(0)
        model = CRNN((steps, 8, 8, 1), classes, conv_layers=[(8, 1)], temporal=temporal,
                     temporal_units=16)
        model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        before = model.evaluate(x, labels, verbose=0)[0]
        model.fit(x, labels, epochs=15, batch_size=32, verbose=0)
        assert model.evaluate(x, labels, verbose=0)[0] < before  # loss falls for both
        results[temporal] = model.evaluate(x_test, labels_test, verbose=0)[1]
    # Held out: the CNN can only get frame 0 right, 0.25 + 0.75 * 0.25 = 0.44.
    assert results["gru"] > 0.9
    assert results["dense"] < 0.55


def test_preset_keras_round_trip(tmp_path):
    keras.utils.set_random_seed(0)
    model = build_model("crnn-convgru2d", (3, 8, 8, 1), classes=3, temporal_units=4)
    x = np.random.default_rng(1).random((2, 3, 8, 8, 1), dtype=np.float32)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x)))


def test_occlusion_paper_models_shapes_and_parameter_counts():
    """Parameter counts from the paper's tensor sizes (§3.2) on 5x28x28x1, 10 classes."""
    from keras_crnn.models import OCCLUSION_MODELS

    conv = {"c1": 9 * 1 * 32 + 32, "c2": 9 * 32 * 64 + 64, "c1b": 9 * 32 * 32 + 32,
            "c2b": 9 * 64 * 64 + 64}
    head = 256 * 10 + 10

    def lstm(features):
        return 4 * (features + 256 + 1) * 256

    def dense(features):
        return features * 256 + 256

    expected = {
        "CNN": conv["c1"] + conv["c2"] + dense(14 * 14 * 64) + head,
        "CNN-2-S": conv["c1"] + conv["c2"] + dense(7 * 7 * 64) + head,
        "CNN-4-S": sum(conv.values()) + dense(7 * 7 * 64) + head,
        "CRNN": conv["c1"] + conv["c2"] + lstm(14 * 14 * 64) + head,
        "CRNN-2-S": conv["c1"] + conv["c2"] + lstm(7 * 7 * 64) + head,
        "CRNN-4-S": sum(conv.values()) + lstm(7 * 7 * 64) + head,
    }
    assert set(OCCLUSION_MODELS) == set(expected)
    x = np.zeros((2, 5, 28, 28, 1), "float32")
    for name in OCCLUSION_MODELS:
        model = build_model(name, (5, 28, 28, 1), classes=10)
        assert model.count_params() == expected[name], name
        assert tuple(model(x).shape) == (2, 5, 10)
