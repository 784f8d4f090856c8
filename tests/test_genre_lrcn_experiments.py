"""The genre-table1 data, its stage-1 cache, and the rows built on the stage-1 weights."""

from pathlib import Path

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


MOBILENET = (Path(__file__).resolve().parents[2] / "shared" / "data" / "weights" /
             "mobilenet_2_5_224_tf_no_top.h5")


@pytest.mark.slow
@pytest.mark.skipif(not MOBILENET.is_file(), reason=f"the ImageNet MobileNet 0.25 file is not "
                    f"at {MOBILENET} (only on CI and machines with ../shared/data)")
def test_a_pretrained_encoder_stays_frozen_and_the_results_name_it(tiny, tmp_path):
    """With `weights`, stage 1 trains only the softmax head: the cached encoder
    weights are the ImageNet file's, and `pool` is that encoder's output."""
    from keras_crnn.experiments import reproduce
    from keras_crnn.models.genre import frame_encoder

    data = _data()
    settings = {**TINY, "encoder": "mobilenet-0.25"}
    stage1 = cached_frame_features(data, settings, 1, weights=str(MOBILENET), progress=False)
    imagenet = frame_encoder("mobilenet-0.25", data["train"][0].shape[2:], str(MOBILENET))
    for trained, original in zip(stage1["encoder_weights"], imagenet.get_weights(), strict=True):
        np.testing.assert_array_equal(trained, original)
    clips = data["test"][0]
    pool = np.asarray(imagenet(clips.reshape((-1,) + clips.shape[2:]).astype("float32") / 255))
    np.testing.assert_allclose(stage1["features"]["test"]["pool"].reshape(pool.shape), pool,
                               rtol=1e-4, atol=1e-4)  # other batch sizes, other sums
    table = reproduce("genre-table1", "tiny", out_dir=tmp_path / "out", progress=False,
                      weights=str(MOBILENET))
    assert table.extras["encoder"] == "mobilenet-0.25"
    assert table.extras["weights"] == str(MOBILENET)
    assert "ImageNet-pretrained MobileNet 0.25 (mobilenet_2_5_224_tf_no_top.h5), frozen" in \
        table.data_source


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


@pytest.fixture(scope="module")
def genre_videos(tmp_path_factory):
    """Twelve generated genre videos with sound as MPEG-4 files in genre folders."""
    from keras_crnn.datasets.genres import write_genre_videos

    root = tmp_path_factory.mktemp("genre") / "videos"
    write_genre_videos(root, 12, seconds=2.5, size=32, sample_rate=8000, progress=False)
    return root


def test_genre_data_from_video_files(tiny, genre_videos):
    from keras_crnn.datasets.genres import GENRES

    data = _data(dataset="videos", data_dir=genre_videos, progress=False)
    assert data["classes"] == sorted(GENRES)
    clips = np.concatenate([data[split][0] for split in ("train", "validation", "test")])
    # 2.5 s at 4 fps = 10 frames: two clips of 4 frames per video.
    assert clips.shape == (24, 4, 32, 32, 3)
    assert data["train"][1].shape[1:] == (1 + 8000 // 128, 32)  # 1 s of sound per clip
    ids = [set(data[split][3].tolist()) for split in ("train", "validation", "test")]
    assert sum(map(len, ids)) == 12 and not (ids[0] & ids[1] or ids[0] & ids[2])
    with pytest.raises(ValueError, match="needs `data_dir`"):
        _data(dataset="videos")


@pytest.mark.slow
def test_table1_on_video_files(tiny, tmp_path, genre_videos):
    """`reproduce genre-table1 --dataset videos`: every row from the decoded
    files, video accuracy over the test videos, the folder in the results."""
    from keras_crnn.experiments import reproduce

    table = reproduce("genre-table1", "tiny", dataset="videos", data_dir=genre_videos,
                      out_dir=tmp_path / "out", progress=False)
    assert (tmp_path / "out" / "genre-table1-videos.json").exists()
    assert f"12 videos under {genre_videos} in 6 class" in table.data_source
    test_videos = len(set(_data(dataset="videos", data_dir=genre_videos,
                                progress=False)["test"][3].tolist()))
    rows = {row["model"]: row for row in table.rows if row["metric"] == "video_accuracy"}
    assert set(rows) == {name for name, *_ in genre._rows(TINY)}
    for row in rows.values():
        assert row["dataset"] == "videos" and row["count"] == test_videos
        right = row["value"] * test_videos / 100  # a whole number of videos
        assert 0 <= row["value"] <= 100 and right == pytest.approx(round(right))
