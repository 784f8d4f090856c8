"""ConvGRU1D/2D/3D: eq. 7 against numpy, shapes, masks, serialization, streaming.

Backend-agnostic: `make test-backends` runs this file on JAX and PyTorch too.
"""

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from reference import conv_gru

from keras_crnn.layers import ConvGRU1D, ConvGRU2D, ConvGRU3D

LAYERS = {1: ConvGRU1D, 2: ConvGRU2D, 3: ConvGRU3D}
to_numpy = keras.ops.convert_to_numpy  # a torch output that requires grad has no __array__


def random_weights(layer, rng):
    """Random kernels and a non-zero bias, so every term of eq. 7 counts."""
    weights = [rng.normal(0, 0.3, w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


def inputs(rng, rank, batch=2, time=4, size=7, channels=3):
    return rng.normal(size=(batch, time) + (size,) * rank + (channels,)).astype("float32")


@pytest.mark.parametrize(
    "options",
    [
        dict(padding="valid"),
        dict(padding="same"),
        dict(padding="same", strides=2),
        dict(padding="valid", strides=(2, 1)),
        dict(padding="same", dilation_rate=2),
        dict(padding="valid", go_backwards=True),
    ],
)
def test_conv_gru2d_matches_numpy_reference(options):
    rng = np.random.default_rng(0)
    x = inputs(rng, 2)
    layer = ConvGRU2D(4, 3, return_sequences=True, return_state=True, **options)
    layer.build(x.shape)
    kernel, recurrent_kernel, bias = random_weights(layer, rng)
    outputs, state = layer(x)
    expected, expected_state = conv_gru(
        x,
        kernel,
        recurrent_kernel,
        bias,
        strides=options.get("strides", 1),
        padding=options["padding"],
        dilation=options.get("dilation_rate", 1),
        go_backwards=options.get("go_backwards", False),
    )
    np.testing.assert_allclose(to_numpy(outputs), expected, atol=1e-5)
    np.testing.assert_allclose(to_numpy(state), expected_state, atol=1e-5)


@pytest.mark.parametrize("rank", [1, 3])
def test_conv_gru_1d_3d_match_numpy_reference(rank):
    rng = np.random.default_rng(rank)
    x = inputs(rng, rank, size=6 if rank == 1 else 5, channels=2)
    layer = LAYERS[rank](3, 3, padding="same", return_sequences=True)
    layer.build(x.shape)
    weights = random_weights(layer, rng)
    expected, _ = conv_gru(x, *weights, padding="same")
    np.testing.assert_allclose(to_numpy(layer(x)), expected, atol=1e-5)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_output_shapes(return_sequences, return_state):
    x = np.zeros((3, 5, 9, 8, 2), "float32")
    layer = ConvGRU2D(
        6, (3, 2), strides=2, return_sequences=return_sequences, return_state=return_state
    )
    result = layer(x)
    step = (3, 4, 4, 6)
    output = (3, 5) + step[1:] if return_sequences else step
    if return_state:
        assert [tuple(r.shape) for r in result] == [output, step]
        assert layer.compute_output_shape(x.shape) == (output, step)
    else:
        assert tuple(result.shape) == output
        assert layer.compute_output_shape(x.shape) == output
    # The symbolic (functional) shapes agree with the eager ones.
    symbolic = layer(keras.KerasTensor((None, 5, 9, 8, 2)))
    symbolic = symbolic if return_state else [symbolic]
    assert [s.shape[1:] for s in symbolic] == [output[1:], step[1:]][: len(symbolic)]


def test_weight_shapes_and_counts():
    layer = ConvGRU2D(8, 3)
    layer.build((None, 4, 10, 10, 5))
    assert [tuple(w.shape) for w in layer.trainable_weights] == [
        (3, 3, 5, 24),
        (3, 3, 8, 24),
        (24,),
    ]
    lstm = keras.layers.ConvLSTM2D(8, 3)
    lstm.build((None, 4, 10, 10, 5))
    # Three gate blocks to the LSTM's four.
    assert layer.count_params() * 4 == lstm.count_params() * 3


def test_bidirectional_halves_match_reference():
    rng = np.random.default_rng(3)
    x = inputs(rng, 2, size=6)
    bi = keras.layers.Bidirectional(
        ConvGRU2D(3, 3, padding="same", return_sequences=True), merge_mode=None
    )
    forward, backward = bi(x)
    fw = [w.numpy() for w in bi.forward_layer.weights]
    bw = [w.numpy() for w in bi.backward_layer.weights]
    expected_fw, _ = conv_gru(x, *fw, padding="same")
    expected_bw, _ = conv_gru(x, *bw, padding="same", go_backwards=True)
    np.testing.assert_allclose(to_numpy(forward), expected_fw, atol=1e-5)
    # Bidirectional puts the backward sequence back in chronological order.
    np.testing.assert_allclose(to_numpy(backward), expected_bw[:, ::-1], atol=1e-5)


def test_masked_steps_keep_the_state():
    rng = np.random.default_rng(4)
    x = inputs(rng, 2, time=5, size=5)
    x[0, 3:] = 0.0  # padding the Masking layer recognises
    model_in = keras.Input((5, 5, 5, 3))
    masked = keras.layers.Masking(0.0)(model_in)
    layer = ConvGRU2D(2, 3, padding="same", return_sequences=True)
    model = keras.Model(model_in, layer(masked))
    weights = random_weights(layer, rng)
    mask = np.ones((2, 5), bool)
    mask[0, 3:] = False
    expected, _ = conv_gru(x, *weights, padding="same", mask=mask)
    got = to_numpy(model(x))
    np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_allclose(got[0, 4], got[0, 2], atol=1e-6)


def test_config_round_trip():
    layer = ConvGRU2D(
        5,
        (3, 2),
        strides=(2, 1),
        padding="SAME",
        activation="relu",
        recurrent_activation="hard_sigmoid",
        use_bias=False,
        kernel_regularizer=keras.regularizers.L2(1e-3),
        recurrent_constraint=keras.constraints.MaxNorm(2.0),
        activity_regularizer="l1",
        dropout=0.1,
        recurrent_dropout=0.2,
        seed=7,
        return_sequences=True,
        go_backwards=True,
        name="gru",
    )
    config = layer.get_config()
    assert "cell" not in config
    clone = ConvGRU2D.from_config(config)
    assert clone.get_config() == config
    assert clone.padding == "same" and clone.kernel_size == (3, 2)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is ConvGRU2D and restored.get_config() == config


def _small_model(stateful=False, batch_size=None):
    inp = keras.Input((None, 6, 6, 2), batch_size=batch_size)
    x = ConvGRU2D(4, 3, padding="same", return_sequences=True, stateful=stateful, name="gru")(inp)
    # A per-frame 1x1 head as a Conv3D: keras.layers.TimeDistributed with an
    # unknown time axis drops a step in model.export() (keras-team/keras#19876).
    out = keras.layers.Conv3D(1, (1, 1, 1), name="head")(x)
    return keras.Model(inp, out)


def test_keras_file_round_trip(tmp_path):
    keras.utils.set_random_seed(0)
    model = _small_model()
    x = np.random.default_rng(5).normal(size=(2, 3, 6, 6, 2)).astype("float32")
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe_mode stays on
    assert type(loaded.get_layer("gru")) is ConvGRU2D
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))


@pytest.mark.slow
@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="SavedModel export needs the TensorFlow backend")
def test_saved_model_serves_without_keras_crnn(tmp_path):
    keras.utils.set_random_seed(0)
    model = _small_model()
    rng = np.random.default_rng(6)
    export_dir = tmp_path / "saved"
    model.export(str(export_dir), verbose=False)
    for steps in (3, 5):  # the time axis stays dynamic in the signature
        np.save(tmp_path / f"x{steps}.npy", rng.normal(size=(2, steps, 6, 6, 2)).astype("float32"))
    script = textwrap.dedent(
        f"""
        import sys, numpy as np, tensorflow as tf
        served = tf.saved_model.load({str(export_dir)!r})
        for steps in (3, 5):
            y = served.serve(np.load(f"x{{steps}}.npy"))
            np.save(f"y{{steps}}.npy", y.numpy())
        assert not any(m.startswith("keras_crnn") for m in sys.modules), "imported keras_crnn"
        """
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=tmp_path)
    for steps in (3, 5):
        expected = to_numpy(model(np.load(tmp_path / f"x{steps}.npy")))
        np.testing.assert_allclose(np.load(tmp_path / f"y{steps}.npy"), expected, atol=1e-5)


def test_stateful_streaming_equals_whole_sequence():
    keras.utils.set_random_seed(1)
    whole = _small_model()
    streaming = _small_model(stateful=True, batch_size=2)
    streaming.set_weights(whole.get_weights())
    x = np.random.default_rng(7).normal(size=(2, 6, 6, 6, 2)).astype("float32")
    expected = to_numpy(whole(x))
    for _ in range(2):  # second pass after reset_states starts from zeros again
        frames = [to_numpy(streaming(x[:, t : t + 1])) for t in range(6)]
        np.testing.assert_allclose(np.concatenate(frames, axis=1), expected, atol=1e-5)
        streaming.get_layer("gru").reset_states()
    # Without a reset, the state carries over and the result differs.
    streaming(x[:, :3])
    assert not np.allclose(to_numpy(streaming(x[:, :1])), expected[:, :1], atol=1e-3)


def test_stateful_needs_static_batch():
    with pytest.raises(ValueError, match="batch size must be static"):
        _small_model(stateful=True)


def test_dropout_only_in_training_and_seeded():
    x = np.random.default_rng(8).normal(size=(2, 3, 6, 6, 2)).astype("float32")

    def run():
        keras.utils.set_random_seed(3)
        layer = ConvGRU2D(3, 3, padding="same", dropout=0.3, recurrent_dropout=0.3, seed=11)
        return to_numpy(layer(x, training=True)), to_numpy(layer(x)), to_numpy(layer(x))

    train_a, infer_a, infer_again = run()
    train_b, infer_b, _ = run()
    np.testing.assert_array_equal(train_a, train_b)  # seeded determinism
    np.testing.assert_array_equal(infer_a, infer_b)
    np.testing.assert_array_equal(infer_a, infer_again)  # inference is deterministic
    assert not np.allclose(train_a, infer_a)


@pytest.mark.slow
def test_loss_falls_on_a_task_that_needs_time():
    """Which way a dot moves is invisible in any single frame."""
    rng = np.random.default_rng(9)
    n, steps, size = 64, 4, 8
    x = np.zeros((n, steps, size, size, 1), "float32")
    y = rng.integers(0, 2, n).astype("float32")
    for i in range(n):
        row, start = rng.integers(0, size), rng.integers(2, size - 2)
        for t in range(steps):
            col = (start + (t if y[i] else -t)) % size
            x[i, t, row, col] = 1.0
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((steps, size, size, 1)),
            ConvGRU2D(8, 3, padding="same"),
            keras.layers.GlobalMaxPooling2D(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(keras.optimizers.Adam(0.02), "binary_crossentropy")
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, batch_size=16, epochs=12, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.6 * first


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(filters=0, kernel_size=3), "filters"),
        (dict(filters=4, kernel_size=(3, 3, 3)), "kernel_size"),
        (dict(filters=4, kernel_size=3, padding="causal"), "padding"),
        (dict(filters=4, kernel_size=3, dropout=1.5), "dropout"),
        (dict(filters=4, kernel_size=3, strides=2, dilation_rate=2), "dilation_rate"),
    ],
)
def test_invalid_arguments_name_what_came(kwargs, message):
    with pytest.raises(ValueError, match=f"{message}.*Received"):
        ConvGRU2D(**kwargs)


def test_wrong_input_rank_is_explained():
    with pytest.raises(ValueError, match=r"expected ndim=5, found ndim=4.*\(2, 3, 8, 1\)"):
        ConvGRU2D(2, 3)(np.zeros((2, 3, 8, 1), "float32"))
    with pytest.raises(ValueError, match=r"ConvGRU2D expects inputs of shape.*Received"):
        ConvGRU2D(2, 3).build((2, 3, 8, 1))
    with pytest.raises(ValueError, match="too small"):
        ConvGRU2D(2, 5)(np.zeros((1, 2, 3, 3, 1), "float32"))
