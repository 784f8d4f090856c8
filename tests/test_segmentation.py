"""RFCN segmentation models: shapes, sharing, streaming equivalences, the
three-stage recipe, saving."""

from pathlib import Path

import keras
import numpy as np
import pytest

from keras_crnn.models.segmentation import SEGMENTERS, build_segmenter
from keras_crnn.models.streaming import StreamingSegmenter
from keras_crnn.training import fit_segmenter, predict_masks, three_stage_recipe

# The paper's inputs: moving digits (ours are 32x32) and CDnet frames, 240x360
# for VGG-F with labels at half size.
PAPER_SHAPES = {
    "FC-Lenet": ((32, 32, 1), (32, 32, 1)), "RFC-Lenet": ((32, 32, 1), (32, 32, 1)),
    "LSTM": ((32, 32, 1), (32, 32, 1)), "GRU": ((32, 32, 1), (32, 32, 1)),
    "FCN-12s": ((240, 360, 3), (240, 360, 1)), "RFC-12s": ((240, 360, 3), (240, 360, 1)),
    "FC-VGG": ((240, 360, 3), (120, 180, 1)), "RFC-VGG": ((240, 360, 3), (120, 180, 1)),
}


@pytest.mark.parametrize("name", sorted(SEGMENTERS))
def test_every_segmenter_at_the_papers_sizes(name):
    frame_shape, mask_shape = PAPER_SHAPES[name]
    model = build_segmenter(name, frame_shape, width=0.25)
    assert model.input_shape == (None, 3) + frame_shape
    assert model.output_shape == (None,) + mask_shape
    x = np.random.default_rng(0).random((1, 3) + frame_shape, dtype=np.float32)
    y = np.asarray(model(x))
    assert y.shape == (1,) + mask_shape and 0 <= y.min() and y.max() <= 1


def test_strides_and_recurrent_units_follow_the_paper():
    rfc = build_segmenter("RFC-12s", (48, 72, 3), width=0.5)
    assert rfc.get_layer("encoder").layer.output.shape == (None, 4, 6, 32)  # stride 12
    assert rfc.get_layer("temporal").filters == 32  # the coarse map's channels
    assert rfc.get_layer("upsample").strides == (12, 12)
    vgg = build_segmenter("FC-VGG", (64, 96, 3), width=0.5)
    assert vgg.get_layer("encoder").output.shape == (None, 4, 6, 128)  # stride 16
    assert vgg.get_layer("encoder").get_layer("conv1").strides == (4, 4)
    lenet = build_segmenter("RFC-Lenet", (16, 16, 1))
    assert lenet.get_layer("temporal").units == 16 * 16  # one unit per pixel
    with pytest.raises(ValueError, match="Unknown segmenter.*'SegNet'"):
        build_segmenter("SegNet", (32, 32, 1))
    with pytest.raises(ValueError, match="downsamples by 16.*frame_shape=\\(8, 8, 3\\)"):
        build_segmenter("FC-VGG", (8, 8, 3))


@pytest.mark.parametrize("name", ["FC-Lenet", "RFC-12s", "RFC-Lenet", "LSTM"])
def test_streaming_modes_equal_the_model(name):
    """Window mode = the model on the last 3 frames (the first frame repeated at the
    start); stateful mode = the model with return_sequences on the whole video."""
    frame_shape = (24, 24, 1) if name != "RFC-12s" else (24, 36, 3)
    model = build_segmenter(name, frame_shape, width=0.25)
    if name == "RFC-Lenet":  # its head starts out ignoring the GRU: give the GRU a say
        model.get_layer("mask").set_weights([np.array([[[[0.5], [1.0]]]]), np.zeros(1)])
    whole = build_segmenter(name, frame_shape, window=None, return_sequences=True, width=0.25)
    whole.set_weights(model.get_weights())
    video = np.random.default_rng(1).integers(0, 256, (6,) + frame_shape).astype(np.uint8)
    x = video / np.float32(255)
    padded = np.concatenate([x[:1], x[:1], x])
    windows = np.stack([padded[t : t + 3] for t in range(6)])
    expected_window = np.asarray(model(windows))[..., 0]
    expected_stateful = np.asarray(whole(x[None]))[0, ..., 0]
    window = StreamingSegmenter(model, "window").segment(video)
    stateful = StreamingSegmenter(model, "stateful")
    streamed = stateful.segment(video)
    np.testing.assert_allclose(window, expected_window, atol=1e-5)
    np.testing.assert_allclose(streamed, expected_stateful, atol=1e-5)
    if name != "FC-Lenet":  # the state matters: a fresh start differs from a continued one
        assert not np.allclose(stateful.step(video[0]), streamed[0], atol=1e-6)
    stateful.reset()
    np.testing.assert_allclose(stateful.step(video[0]), streamed[0], atol=1e-6)
    with pytest.raises(ValueError, match=r"Expected one frame of shape.*shape=\(5, 5\)"):
        stateful.step(np.zeros((5, 5)))
    with pytest.raises(ValueError, match="mode.*'batch'"):
        StreamingSegmenter(model, "batch")


def _toy_videos(n=24, length=5, size=12, seed=0):
    """A bright square moving right on noise; the mask marks it."""
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 60, (n, length, size, size, 1)).astype(np.uint8)
    masks = np.zeros_like(frames)
    for i in range(n):
        row, col = rng.integers(0, size - 4, 2)
        for t in range(length):
            c = (col + t) % (size - 4)
            frames[i, t, row : row + 4, c : c + 4] = 220
            masks[i, t, row : row + 4, c : c + 4] = 1
    return frames, masks


def test_recurrent_models_start_from_the_fcns_segmentation():
    """RFC-Lenet's head starts out passing the last frame's dense logits; RFC-12s adds
    its ConvGRU's output to the last frame's coarse map before the score."""
    x = np.random.default_rng(3).random((2, 3, 16, 16, 1), dtype=np.float32)
    fcn = build_segmenter("FC-Lenet", (16, 16, 1))
    rfc = build_segmenter("RFC-Lenet", (16, 16, 1), fcn=fcn)
    np.testing.assert_allclose(np.asarray(rfc(x)), np.asarray(fcn(x)), atol=1e-6)
    fcn = build_segmenter("FCN-12s", (24, 24, 1), width=0.25)
    rfc = build_segmenter("RFC-12s", (24, 24, 1), width=0.25, fcn=fcn)
    rfc.get_layer("temporal").set_weights(
        [np.zeros_like(w) for w in rfc.get_layer("temporal").get_weights()])
    # A zero ConvGRU keeps h = 0: the RFC is exactly the FCN on the last frame.
    x = np.random.default_rng(4).random((2, 3, 24, 24, 1), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(rfc(x)), np.asarray(fcn(x)), atol=1e-6)


@pytest.mark.slow
def test_three_stage_recipe_freezes_then_fine_tunes():
    frames, masks = _toy_videos()
    train, validation = (frames[:20], masks[:20]), (frames[20:], masks[20:])
    keras.utils.set_random_seed(0)
    fcn = build_segmenter("FCN-12s", (12, 12, 1), width=0.5)
    seen = {}

    def on_stage(stage, model, fit):
        encoder = model.get_layer("encoder")
        seen[stage] = {"encoder": [keras.ops.convert_to_numpy(w) for w in encoder.weights],
                       "loss": fit["history"]["loss"]}
        if stage != "fcn":
            seen[stage]["temporal"] = [keras.ops.convert_to_numpy(w)
                                       for w in model.get_layer("temporal").weights]

    rfc = three_stage_recipe(
        fcn, lambda f: build_segmenter("RFC-12s", (12, 12, 1), width=0.5, fcn=f),
        train, validation, (3, 2, 2), 8, 0, progress=False, on_stage=on_stage)
    # Stage 2 trains the recurrent unit only: the shared encoder is the FCN's.
    for a, b in zip(seen["fcn"]["encoder"], seen["pretrained"]["encoder"], strict=True):
        np.testing.assert_array_equal(a, b)
    # Stage 3 trains everything: the encoder and the recurrent unit move.
    assert any(not np.array_equal(a, b) for a, b in
               zip(seen["pretrained"]["encoder"], seen["rfc"]["encoder"], strict=True))
    assert any(not np.array_equal(a, b) for a, b in
               zip(seen["pretrained"]["temporal"], seen["rfc"]["temporal"], strict=True))
    assert seen["fcn"]["loss"][-1] < seen["fcn"]["loss"][0]
    # The FCN and the RFC share their layers.
    assert rfc.get_layer("encoder").layer is fcn.get_layer("encoder")
    assert predict_masks(rfc, frames[20:]).shape == (4, 3, 12, 12, 1)


def test_three_stage_recipe_takes_a_patience_per_stage(monkeypatch):
    from keras_crnn import training

    calls = []

    def fake_fit(model, train, validation, epochs, batch_size, seed, **kwargs):
        calls.append((epochs, kwargs["patience"]))
        return {"history": {}}

    monkeypatch.setattr(training, "fit_segmenter", fake_fit)
    fcn = build_segmenter("FCN-12s", (12, 12, 1), width=0.25)
    build = lambda f: build_segmenter("RFC-12s", (12, 12, 1), width=0.25, fcn=f)  # noqa: E731
    three_stage_recipe(fcn, build, None, None, (30, 4, 5), 8, 0, patience=(10, 2, 3))
    assert calls == [(30, 10), (4, 2), (5, 3)]
    calls.clear()
    three_stage_recipe(fcn, build, None, None, (3, 2, 2), 8, 0, patience=5)
    assert [p for _, p in calls] == [5, 5, 5]
    with pytest.raises(ValueError, match="one per stage"):
        three_stage_recipe(fcn, build, None, None, (3, 2, 2), 8, 0, patience=(1, 2))


@pytest.mark.slow
def test_frozen_pretrained_layers_stay_frozen_and_models_round_trip(tmp_path):
    frames, masks = _toy_videos(n=8, size=16)
    encoder_weights = tmp_path / "encoder.weights.h5"
    source = build_segmenter("FC-VGG", (16, 16, 1), width=0.25)
    source.get_layer("encoder").save_weights(encoder_weights)
    model = build_segmenter("FC-VGG", (16, 16, 1), width=0.25,
                            encoder_weights=encoder_weights, frozen_layers=2)
    conv1 = model.get_layer("encoder").get_layer("conv1")
    np.testing.assert_array_equal(np.asarray(conv1.kernel),
                                  np.asarray(source.get_layer("encoder").get_layer("conv1").kernel))
    before = np.asarray(conv1.kernel).copy()
    half = (frames, masks[:, :, ::2, ::2])
    fit_segmenter(model, half, half, 1, 4, 0, progress=False)
    assert not conv1.trainable
    np.testing.assert_array_equal(np.asarray(conv1.kernel), before)
    for name in ("RFC-12s", "RFC-Lenet", "FC-VGG"):
        shape = (24, 24, 1)
        model = build_segmenter(name, shape, width=0.25)
        path = tmp_path / f"{name}.keras"
        model.save(path)
        again = keras.saving.load_model(path)
        x = np.random.default_rng(2).random((2, 3) + shape, dtype=np.float32)
        np.testing.assert_allclose(np.asarray(again(x)), np.asarray(model(x)), atol=1e-6)


HIGHWAY = Path(__file__).resolve().parents[2] / "shared" / "data" / "cdnet2014" / "baseline" / \
    "highway"


@pytest.mark.skipif(not HIGHWAY.is_dir(), reason=f"the CDnet 2014 highway video is not present "
                    f"at {HIGHWAY} (only on CI and the development machine)")
@pytest.mark.parametrize("name", ["RFC-12s", "RFC-VGG"])
def test_streaming_the_real_highway_at_full_size(name):
    """On 240x320 highway test frames: window mode = the model on each frame's
    window, stateful mode = the whole-sequence model, frame for frame."""
    from keras_crnn.datasets.cdnet import read_cdnet_video

    video = read_cdnet_video(HIGHWAY).frames[1500:1506]  # test frames (the last 20 %)
    model = build_segmenter(name, video.shape[1:], width=0.25)
    whole = build_segmenter(name, video.shape[1:], window=None, return_sequences=True,
                            width=0.25)
    whole.set_weights(model.get_weights())
    x = video / np.float32(255)
    padded = np.concatenate([x[:1], x[:1], x])
    windows = np.stack([padded[t : t + 3] for t in range(len(x))])
    np.testing.assert_allclose(StreamingSegmenter(model, "window").segment(video),
                               np.asarray(model(windows))[..., 0], atol=1e-5)
    np.testing.assert_allclose(StreamingSegmenter(model, "stateful").segment(video),
                               np.asarray(whole(x[None]))[0, ..., 0], atol=1e-5)
