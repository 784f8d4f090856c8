"""The CRNN builder and presets: shapes, parameter counts, training, saving."""

import keras
import numpy as np
import pytest

from keras_crnn.layers import ConvGRU2D
from keras_crnn.models import (
    CRNN,
    PRESETS,
    build_model,
    copy_last_frame,
    linear_extrapolation,
)

CLASSIFIERS = sorted(name for name, preset in PRESETS.items()
                     if preset.builder == "crnn" and preset.task == "frames")


@pytest.mark.parametrize("name", CLASSIFIERS)
@pytest.mark.parametrize("head", ["frames", "sequence"])
def test_every_preset_builds_and_runs(name, head):
    model = build_model(name, (4, 16, 16, 1), classes=7, head=head, temporal_units=8)
    x = np.random.default_rng(0).random((2, 4, 16, 16, 1), dtype=np.float32)
    expected = (2, 4, 7) if head == "frames" else (2, 7)
    assert tuple(model(x).shape) == expected
    assert model.output_shape == (None,) + expected[1:]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)).sum(-1), 1.0, rtol=1e-5)  # softmax


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
    with pytest.raises(ValueError, match=r"leaves no pixels.*input_shape=\(5, 4, 4, 1\)"):
        CRNN((5, 4, 4, 1), 10, conv_layers=[(8, 2), (8, 2)])
    with pytest.raises(ValueError, match=r"leaves no pixels of frames of 5x5"):
        CRNN((5, 5, 5, 1), 10, padding="valid", conv_layers=[(8, 1), (8, 1)])
    with pytest.raises(ValueError, match="needs `classes`.*classes=None"):
        CRNN((5, 28, 28, 1))
    with pytest.raises(ValueError, match="residual=True.*head='frames'"):
        CRNN((5, 28, 28, 1), 10, residual=True)
    with pytest.raises(ValueError, match="time, rows, cols, channels"):
        CRNN((28, 28, 1), 10)
    with pytest.raises(ValueError, match="Unknown model.*'resnet'"):
        build_model("resnet", (5, 28, 28, 1), 10)


@pytest.mark.slow
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
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)))


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


def test_the_paper_forecaster_has_the_papers_tensor_sizes():
    """Future-appearance §3.2: 4x32x16x3 -> 4x30x14x64 -> 4x28x12x128 -> 4x14x6x128
    -> 4x10752 -> LSTM 4x384 -> 4x1536 -> 4x32x16x3."""
    model = build_model("forecast-CRNN", (4, 32, 16, 3))
    shapes = {name: model.get_layer(name).output.shape for name in
              ("frame_conv1", "frame_conv2", "frame_pool", "frame_flatten", "temporal",
               "decoder", "predictions")}
    assert shapes == {"frame_conv1": (None, 4, 30, 14, 64), "frame_conv2": (None, 4, 28, 12, 128),
                      "frame_pool": (None, 4, 14, 6, 128), "frame_flatten": (None, 4, 10752),
                      "temporal": (None, 4, 384), "decoder": (None, 4, 1536),
                      "predictions": (None, 4, 32, 16, 3)}
    lstm = model.get_layer("temporal")
    assert (lstm.dropout, lstm.recurrent_dropout) == (0.3, 0.3)
    assert lstm.cell.recurrent_activation is keras.activations.hard_sigmoid
    assert lstm.cell.activation is keras.activations.tanh
    assert isinstance(lstm.cell.recurrent_initializer, keras.initializers.Orthogonal)
    assert model.get_layer("frame_conv1").layer.activation is keras.activations.tanh
    conv = (27 * 64 + 64) + (9 * 64 * 128 + 128)
    assert model.count_params() == conv + 4 * (10752 + 384 + 1) * 384 + 385 * 1536


@pytest.mark.parametrize("name", ["forecast-ConvGRU2D", "forecast-ConvLSTM2D"])
def test_convolutional_forecasters_predict_the_change_from_the_input(name):
    model = build_model(name, (3, 8, 6, 2))
    assert model.output_shape == (None, 3, 8, 6, 2)
    x = np.random.default_rng(0).random((2, 3, 8, 6, 2), dtype=np.float32)
    # Residual: with a zero decoder the forecast is the input frame itself.
    decoder = model.get_layer("decoder")
    decoder.set_weights([np.zeros_like(w) for w in decoder.get_weights()])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)), x, atol=1e-6)


def test_image_head_decodes_maps_with_a_1x1_convolution_and_respects_output_shape():
    model = CRNN((3, 8, 8, 1), head="images", pool_size=None, temporal="convgru2d",
                 temporal_units=4)
    assert isinstance(model.get_layer("predictions").layer, keras.layers.Conv2D)
    assert model.get_layer("predictions").layer.kernel_size == (1, 1)
    dense = CRNN((3, 8, 8, 1), head="images", output_frame_shape=(4, 4, 2), temporal_units=8)
    assert dense.output_shape == (None, 3, 4, 4, 2)
    assert dense.get_layer("decoder").output.shape == (None, 3, 32)


def test_forecasting_baselines_against_their_equations():
    x = np.random.default_rng(1).integers(0, 256, (2, 4, 3, 2, 3)).astype(np.uint8)
    np.testing.assert_array_equal(copy_last_frame(x), x)
    forecast = linear_extrapolation(x)
    expected = np.clip(2 * x[:, 1:].astype(int) - x[:, :-1], 0, 255)
    np.testing.assert_array_equal(forecast[:, 1:], expected)
    np.testing.assert_array_equal(forecast[:, 0], x[:, 0])
    assert forecast.dtype == np.uint8
    with pytest.raises(ValueError, match=r"Expected frames.*shape=\(4, 3, 2\)"):
        copy_last_frame(np.zeros((4, 3, 2)))


@pytest.mark.slow
def test_the_paper_forecaster_learns_and_round_trips(tmp_path):
    """A short fit on growing trees lowers the loss; the saved model predicts the same."""
    from keras_crnn.datasets.lsystem import pine_series

    series, _ = pine_series(48, size=(16, 8), seed=2)
    x, y = series[:, :-1] / 255.0, series[:, 1:] / 255.0
    keras.utils.set_random_seed(0)
    model = build_model("forecast-CRNN", x.shape[1:], temporal_units=32)
    model.compile(keras.optimizers.Adam(1e-3), "mse")
    history = model.fit(x, y, epochs=6, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0]
    path = tmp_path / "forecaster.keras"
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(x[:2])), keras.ops.convert_to_numpy(model(x[:2])), atol=1e-5)


def _registry_case(preset):
    """An input shape and overrides every preset of a builder accepts."""
    if preset.builder == "segmenter":  # VGG-F's masks are at half resolution
        side = 8 if "VGG" in preset.name else 16
        return (3, 16, 16, 3), {"width": 0.25}, (None, side, side, 1)
    if preset.builder == "genre":
        return (4, 32, 32, 3), {"units": 8}, (None, 6)
    if preset.builder == "captioner":
        shape = (16, 16, 3) if preset.config["kind"] == "image" else (3, 16, 16, 3)
        return shape, {"vocabulary_size": 11, "max_length": 5, "units": 8}, (None, 5, 11)
    if preset.task == "images":
        return (4, 32, 16, 3), {}, (None, 4, 32, 16, 3)
    per_clip = preset.config.get("head") == "sequence"
    return (4, 16, 16, 1), {"classes": 7, "temporal_units": 8}, (None,) + ((7,) if per_clip
                                                                          else (4, 7))


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_one_registry_builds_every_papers_models(name):
    from keras_crnn.models import PAPERS, TASKS

    preset = PRESETS[name]
    assert preset.paper in PAPERS and preset.task in TASKS and preset.description
    shape, overrides, output = _registry_case(preset)
    model = build_model(name, shape, **overrides)
    assert model.output_shape == output


def test_registry_errors_name_what_is_needed():
    with pytest.raises(ValueError, match="Unknown model.*Received: 'RFC-99s'"):
        build_model("RFC-99s", (3, 48, 48, 3))
    with pytest.raises(ValueError, match="needs vocabulary_size and max_length"):
        build_model("LRCN video captioner", (3, 16, 16, 3))
    with pytest.raises(ValueError, match=r"takes windows.*input_shape=\(48, 48, 3\)"):
        build_model("FC-Lenet", (48, 48, 3))
