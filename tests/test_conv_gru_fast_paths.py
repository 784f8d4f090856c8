"""ConvGRU's fast path is exact: the unrolled loop from zeros with its first step
in closed form gives the outputs and gradients of the general loop, which still
runs where it must."""

import keras
import numpy as np
import pytest
from reference import outputs_and_gradients

from keras_crnn.layers import ConvGRU2D
from keras_crnn.layers.conv_gru import UNROLL_STEPS

# fp32 sums in another order: TensorFlow agrees to 1e-6, JAX and PyTorch to a few 1e-6.
TOL = dict(atol=1e-5, rtol=1e-5)


def _pair(steps, **kwargs):
    """Two layers with the same weights and dropout seed, built on (2, steps, 6, 6, 3)."""
    layers = [ConvGRU2D(4, 3, padding="same", seed=7, **kwargs) for _ in range(2)]
    x = np.random.default_rng(steps).standard_normal((2, steps, 6, 6, 3)).astype("float32")
    for layer in layers:
        layer.build(x.shape)
    layers[1].set_weights(layers[0].get_weights())
    return layers, x


def _run(layer, x, training, initial_state=None):
    """Outputs (flattened list) and the gradients of their sum w.r.t. x and the weights."""
    return outputs_and_gradients(layer, x, training, initial_state=initial_state)


@pytest.mark.parametrize("steps", [1, 3, 10])
@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("return_state", [True, False])
def test_closed_form_first_step_equals_the_loop_from_zeros(steps, return_sequences,
                                                           return_state):
    (fast, general), x = _pair(steps, return_sequences=return_sequences,
                               return_state=return_state)
    zeros = [np.zeros((2, 6, 6, 4), "float32")]  # an explicit state: the general path
    out_fast, grad_fast = _run(fast, x, False)
    out_general, grad_general = _run(general, x, False, zeros)
    for a, b in zip(out_fast + grad_fast, out_general + grad_general, strict=True):
        np.testing.assert_allclose(a, b, **TOL)


@pytest.mark.parametrize("unroll", [None, True, False])
def test_dropout_masks_and_unrolling_do_not_change_the_result(unroll):
    (fast, general), x = _pair(4, dropout=0.3, recurrent_dropout=0.3, return_sequences=True,
                               unroll=unroll)
    general._unroll = False  # the general loop, not unrolled
    out_fast, grad_fast = _run(fast, x, True)
    out_general, grad_general = _run(general, x, True,
                                     [np.zeros((2, 6, 6, 4), "float32")])
    for a, b in zip(out_fast + grad_fast, out_general + grad_general, strict=True):
        np.testing.assert_allclose(a, b, **TOL)


class Spy(ConvGRU2D):
    """Counts the calls that take the fast path."""

    calls = []

    def _unrolled_from_zeros(self, *args):
        Spy.calls.append(self.name)
        return super()._unrolled_from_zeros(*args)


def test_unroll_default_picks_static_short_sequences_and_keeps_its_config():
    Spy.calls.clear()
    layer = Spy(2, 3, padding="same", return_sequences=True)
    assert layer.get_config()["unroll"] is None
    layer(np.zeros((1, UNROLL_STEPS, 4, 4, 1), "float32"))
    assert len(Spy.calls) == 1
    out = layer(np.zeros((1, UNROLL_STEPS + 2, 4, 4, 1), "float32"))  # Keras' loop
    assert len(Spy.calls) == 1 and out.shape == (1, UNROLL_STEPS + 2, 4, 4, 2)
    assert layer.get_config()["unroll"] is None  # the argument, not the last choice
    assert ConvGRU2D(2, 3, unroll=False).get_config()["unroll"] is False
    with pytest.raises(ValueError, match="unroll.*Received: unroll='yes'"):
        ConvGRU2D(2, 3, unroll="yes")


def test_the_general_loop_still_runs_for_masks_states_and_backwards():
    Spy.calls.clear()
    x = np.random.default_rng(0).random((2, 3, 5, 5, 1)).astype("float32")
    layer = Spy(3, 3, padding="same")
    layer(x)
    assert len(Spy.calls) == 1
    layer(x, mask=np.array([[True, True, False]] * 2))
    layer(x, initial_state=[np.ones((2, 5, 5, 3), "float32")])
    Spy(3, 3, padding="same", go_backwards=True)(x)
    Spy(3, 3, padding="same", unroll=False)(x)
    stream = keras.Sequential([keras.Input((3, 5, 5, 1), batch_size=2),
                               Spy(3, 3, padding="same", stateful=True)])
    stream(x)
    # A graph with an unknown time length: the fast path only takes static ones.
    keras.Model(inputs := keras.Input((None, 5, 5, 1)), Spy(3, 3, padding="same")(inputs))
    assert len(Spy.calls) == 1
