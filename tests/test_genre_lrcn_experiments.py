"""The genre-table1 data, its stage-1 cache, and the rows built on the stage-1 weights."""

import numpy as np
import pytest

from keras_crnn.datasets.genre_splits import genre_data
from keras_crnn.experiments import EXPERIMENTS, genre
from keras_crnn.experiments.genre_features import cached_frame_features

TINY = EXPERIMENTS["genre-table1"].settings("tiny")


def _data(seed=1, **kwargs):
    return genre_data(TINY["videos"], TINY["clips_per_video"], TINY["clip_frames"], TINY["size"],
                      seed, **kwargs)


def test_genre_data_keeps_videos_whole_and_video_accuracy_averages_clips():
    data = genre_data(36, 2, 8, 32, seed=2)
    ids = [set(data[split][3].tolist()) for split in ("train", "validation", "test")]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    frames, spectrograms, labels, videos = data["train"]
    assert frames.shape[1:] == (8, 32, 32, 3) and spectrograms.shape[2] == 32
    for v in set(videos.tolist()):  # one genre per video
        assert len(set(labels[videos == v].tolist())) == 1
    # Two videos: the first right only on average over its clips.
    p = np.array([[0.6, 0.4], [0.1, 0.9], [0.2, 0.8], [0.3, 0.7]])
    assert genre.video_accuracy(p, np.array([0, 0, 1, 1]), np.array([5, 5, 6, 6])) == 50.0
    assert genre.video_accuracy(p, np.array([1, 1, 1, 1]), np.array([5, 5, 6, 6])) == 100.0


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_CRNN_CACHE", str(tmp_path / "cache"))


@pytest.mark.slow
def test_stage1_features_are_cached_once(tiny, tmp_path):
    data = _data()
    first = cached_frame_features(data, TINY, 1, progress=False)
    again = cached_frame_features(data, TINY, 1, progress=False)
    assert not first["cached"] and again["cached"] and again["path"] == first["path"]
    assert str(tmp_path / "cache") in first["path"]
    for split in ("train", "validation", "test"):
        n = len(data[split][0])
        assert first["features"][split]["pool"].shape == (n, 4, 128)
        assert again["features"][split]["map"].shape == (n, 4, 2 * 2 * 128)
        np.testing.assert_array_equal(first["features"][split]["softmax"],
                                      again["features"][split]["softmax"])
    assert again["history"] == first["history"]
    assert len(again["encoder_weights"]) == 8  # four convolutions: kernels and biases
    for a, b in zip(first["encoder_weights"], again["encoder_weights"], strict=True):
        np.testing.assert_array_equal(a, b)
    assert [w.shape for w in again["head_weights"]] == [(128, 6), (6,)]
    other = _data(seed=2)  # other frames: another cache entry
    assert cached_frame_features(other, TINY, 1, progress=False)["cached"] is False


@pytest.mark.slow
def test_convnet_rows_are_the_presets_with_the_stage1_weights(tiny):
    """ConvNet and Time distributed CNN are `build_model` presets loaded with the
    frame classifier's weights: they give its softmax on the middle frame and
    its softmax averaged over the clip."""
    data = _data()
    stage1 = cached_frame_features(data, TINY, 1, progress=False)
    softmax = stage1["features"]["test"]["softmax"]
    clips = data["test"][0]
    for row, expected in (("ConvNet", softmax[:, softmax.shape[1] // 2]),
                          ("Time distributed CNN", softmax.mean(1))):
        model, inputs, scale = genre._model(row, "stage1", False, data, stage1, TINY, None)
        predicted = np.asarray(model(inputs("test").astype("float32") * scale, training=False))
        assert inputs("test") is clips
        np.testing.assert_allclose(predicted, expected, atol=1e-5)


def test_genre_data_from_video_files(tiny, tmp_path):
    from keras_crnn.datasets.genres import GENRES, write_genre_videos

    write_genre_videos(tmp_path / "videos", 12, seconds=2.5, size=32, sample_rate=8000,
                       progress=False)
    data = _data(dataset="videos", data_dir=tmp_path / "videos", progress=False)
    assert data["classes"] == sorted(GENRES)
    clips = np.concatenate([data[split][0] for split in ("train", "validation", "test")])
    # 2.5 s at 4 fps = 10 frames: two clips of 4 frames per video.
    assert clips.shape == (24, 4, 32, 32, 3)
    assert data["train"][1].shape[1:] == (1 + 8000 // 128, 32)  # 1 s of sound per clip
    ids = [set(data[split][3].tolist()) for split in ("train", "validation", "test")]
    assert sum(map(len, ids)) == 12 and not (ids[0] & ids[1] or ids[0] & ids[2])
    with pytest.raises(ValueError, match="needs `data_dir`"):
        _data(dataset="videos")
