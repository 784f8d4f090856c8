"""The genre-table1 and lrcn-captioning experiments at a tiny scale."""

import numpy as np
import pytest

from keras_crnn.experiments import genre, lrcn, reproduce, to_markdown


def test_genre_data_keeps_videos_whole_and_video_accuracy_averages_clips():
    data = genre.genre_data("quick", seed=2)
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
    monkeypatch.setitem(genre.SCALES, "quick", {
        "videos": 18, "clips_per_video": 2, "clip_frames": 4, "size": 32, "epochs": 1,
        "frame_epochs": 1, "frame_stride": 2, "units": 8, "encoder": "small-cnn",
        "batch_size": 8, "spatial": True, "finetune_epochs": 1})
    monkeypatch.setitem(lrcn.SCALES, "quick", {
        "train": 40, "test": 6, "epochs": 1, "units": 8, "length": 3, "size": 16})


def test_stage1_features_are_cached_once(tiny, tmp_path):
    data = genre.genre_data("quick", seed=1)
    settings = genre.SCALES["quick"]
    first = genre.cached_frame_features(data, settings, 1, progress=False)
    again = genre.cached_frame_features(data, settings, 1, progress=False)
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
    other = genre.genre_data("quick", seed=2)  # other frames: another cache entry
    assert genre.cached_frame_features(other, settings, 1, progress=False)["cached"] is False


def test_genre_data_from_video_files(tiny, tmp_path):
    from keras_crnn.datasets.genres import GENRES, write_genre_videos

    write_genre_videos(tmp_path / "videos", 12, seconds=2.5, size=32, sample_rate=8000,
                       progress=False)
    data = genre.genre_data("quick", dataset="videos", data_dir=tmp_path / "videos",
                            progress=False)
    assert data["classes"] == sorted(GENRES)
    clips = np.concatenate([data[split][0] for split in ("train", "validation", "test")])
    # 2.5 s at 4 fps = 10 frames: two clips of 4 frames per video.
    assert clips.shape == (24, 4, 32, 32, 3)
    assert data["train"][1].shape[1:] == (1 + 8000 // 128, 32)  # 1 s of sound per clip
    ids = [set(data[split][3].tolist()) for split in ("train", "validation", "test")]
    assert sum(map(len, ids)) == 12 and not (ids[0] & ids[1] or ids[0] & ids[2])
    with pytest.raises(ValueError, match="needs `data_dir`"):
        genre.genre_data("quick", dataset="videos")


def test_tiny_genre_table_and_captioning(tiny, tmp_path):
    table = reproduce("genre-table1", "quick", out_dir=tmp_path, progress=False)
    rows = list(dict.fromkeys(r["model"] for r in table.rows))
    assert rows == ["ConvNet", "Time distributed CNN", "3D ConvNet", "CNN-RNN",
                    "CNN-LSTM softmax", "CNN-LSTM pool", "CNN-LSTM softmax + audio",
                    "CNN-LSTM pool + audio", "CNN-LSTM feature map",
                    "CNN-LSTM feature map + audio", "CNN-LSTM pool, fine-tuned end to end"]
    assert table.value("CNN-LSTM pool", "accuracy") >= 0
    assert np.asarray(table.extras["confusion"]["ConvNet"]).sum() == \
        next(r["count"] for r in table.rows if r["metric"] == "accuracy")
    assert (tmp_path / "genre-table1.png").exists()
    assert "| paper: CNN-LSTM pool | 90.30 |" in to_markdown(table)
    assert table.extras["stage1"]["cached"] is False and table.extras["classes"][0] == "Action"
    captions = reproduce("lrcn-captioning", "quick", out_dir=tmp_path, progress=False)
    assert {r["metric"] for r in captions.rows} == {"bleu_1", "bleu_2", "bleu_3", "bleu_4",
                                                    "exact_match"}
    assert len(captions.extras["examples"]["LRCN video captioner (greedy)"]) == 6
    assert all(0 <= r["value"] <= 100 for r in captions.rows)
