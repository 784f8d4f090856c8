"""Moving digits and CDnet-layout videos: generators, reader, evaluator."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from keras_crnn.datasets import cdnet as C
from keras_crnn.datasets import load_digits
from keras_crnn.datasets.moving_digits import COVERED, DROPPED, moving_digits
from keras_crnn.metrics import psnr

DIGITS = load_digits().train[0][:200]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_clean_masks_threshold_the_frames_and_are_seeded():
    data = moving_digits(DIGITS, 6, length=7, size=48, seed=3)
    assert data.frames.shape == data.masks.shape == (6, 7, 48, 48, 1)
    np.testing.assert_array_equal(data.masks, (data.frames > 128).astype(np.uint8))
    assert data.masks.sum(axis=(2, 3, 4)).min() > 0  # a digit is in every frame
    again = moving_digits(DIGITS, 6, length=7, size=48, seed=3)
    np.testing.assert_array_equal(again.frames, data.frames)


def test_digits_move_consistently():
    data = moving_digits(DIGITS, 20, length=6, size=64, digits=(1, 1), seed=4)
    for masks in data.masks[..., 0]:
        centres = np.array([np.argwhere(m).mean(0) for m in masks])
        steps = np.linalg.norm(np.diff(centres, axis=0), axis=1)
        assert steps.max() < 6.5  # speed 2-4 px/frame (mask jitter aside)
        assert np.linalg.norm(centres[-1] - centres[0]) > 0  # it moved


def test_clutter_changes_frames_but_not_targets():
    clean = moving_digits(DIGITS, 5, length=4, size=48, condition="clean", seed=5)
    clutter = moving_digits(DIGITS, 5, length=4, size=48, condition="clutter", seed=5)
    np.testing.assert_array_equal(clutter.masks, clean.masks)
    background = (clutter.frames > 128) & (clean.masks == 0)
    assert background.sum() > 0  # bright clutter where there is no digit


def test_occluded_frames_are_covered_or_dropped_with_targets_kept():
    data = moving_digits(DIGITS, 200, length=5, size=48, condition="occluded", seed=6)
    dropped = data.events == DROPPED
    assert 0.1 < dropped.mean() < 0.2 and 0.2 < (data.events == COVERED).mean() < 0.4
    assert data.frames[dropped].max() == 0
    assert data.masks[dropped].sum() > 0  # the target still marks the digits
    with pytest.raises(ValueError, match="condition.*'rainy'"):
        moving_digits(DIGITS, 1, condition="rainy")


def test_cdnet_round_trip(tmp_path):
    video = C.synthetic_cdnet_video(length=14, size=(48, 64), seed=1)
    assert set(np.unique(video.groundtruth)) == {0, 50, 85, 170, 255}
    folder = C.write_cdnet_video(video, tmp_path / "pedestrians")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pedestrians"]
    read = C.read_cdnet_video(folder)
    np.testing.assert_array_equal(read.groundtruth, video.groundtruth)
    np.testing.assert_array_equal(read.roi, video.roi)
    assert read.temporal_roi == (11, 14)
    assert psnr(video.frames, read.frames) > 30  # a quality-95 JPEG round trip
    with pytest.raises(FileExistsError):
        C.write_cdnet_video(video, folder)


def test_cdnet_evaluation_skips_what_cdnet_skips():
    video = C.synthetic_cdnet_video(length=14, size=(48, 64), seed=2)
    perfect = (video.groundtruth == 255).astype(float)
    noisy = perfect.copy()
    noisy[:10] = 1 - noisy[:10]  # wrong before the temporal ROI (frames 1-10)
    noisy[video.groundtruth == 170] = 1  # wrong on unknown pixels
    noisy[video.groundtruth == 85] = 1  # wrong outside the ROI
    assert C.evaluate_cdnet(video, noisy).measures()["f_measure"] == 1.0
    noisy[video.groundtruth == 50] = 1  # shadows count as static: now false positives
    m = C.evaluate_cdnet(video, noisy).measures()
    assert m["precision"] < 1.0 and m["recall"] == 1.0


def test_cdnet_reader_names_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="input/in"):
        C.read_cdnet_video(tmp_path)
    folder = C.write_cdnet_video(C.synthetic_cdnet_video(length=12, size=(32, 32)), tmp_path / "v")
    (folder / "temporalROI.txt").write_text("5 99\n")
    with pytest.raises(ValueError, match="5-99, outside 1-12"):
        C.read_cdnet_video(folder)
    (folder / "temporalROI.txt").write_text("1 12\n")
    (folder / "input" / "in000003.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match="in000003.jpg is not a readable image"):
        C.read_cdnet_video(folder)


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    video = C.synthetic_cdnet_video(length=12, size=(32, 32))
    saved = []
    original = Image.Image.save

    def failing_save(self, fp, *args, **kwargs):
        saved.append(fp)
        if len(saved) == 5:
            raise KeyboardInterrupt  # the user pressed Ctrl-C mid-write
        return original(self, fp, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "save", failing_save)
    with pytest.raises(KeyboardInterrupt):
        C.write_cdnet_video(video, tmp_path / "v")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_cdnet_windows_script_writes_windows_of_the_temporal_roi(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from keras_crnn.datasets import read_shards

    video = C.synthetic_cdnet_video(length=16, size=(24, 32), seed=3)
    folder = C.write_cdnet_video(video, tmp_path / "ped")
    script = Path(__file__).parent.parent / "data_tools" / "cdnet_windows.py"
    out = tmp_path / "windows"
    subprocess.run([sys.executable, str(script), str(folder), "--out", str(out)], check=True,
                   capture_output=True)
    arrays = read_shards(out)
    first, last = video.temporal_roi  # 1-based, inclusive
    assert arrays["frame"].tolist() == list(range(first - 1, last))
    read = C.read_cdnet_video(folder)
    k = 4
    end = arrays["frame"][k]
    np.testing.assert_array_equal(arrays["frames"][k], read.frames[end - 2 : end + 1])
    np.testing.assert_array_equal(arrays["masks"][k, ..., 0], read.groundtruth[end] == 255)
    assert not arrays["valid"][k][~read.roi].any()
    assert not arrays["valid"][k][read.groundtruth[end] == 170].any()


def test_resize_video_keeps_label_values_and_the_roi():
    video = C.synthetic_cdnet_video(length=12, size=(48, 64), seed=4)
    small = C.resize_video(video, (24, 32))
    assert small.frames.shape == (12, 24, 32, 3) and small.frames.dtype == np.uint8
    assert small.groundtruth.shape == (12, 24, 32) and small.roi.shape == (24, 32)
    assert set(np.unique(small.groundtruth)) <= set(np.unique(video.groundtruth))
    assert small.temporal_roi == video.temporal_roi
    # nearest-neighbour halving keeps every other pixel of the labels
    np.testing.assert_array_equal(small.groundtruth, video.groundtruth[:, 1::2, 1::2])
    assert C.resize_video(video, (48, 64)) is video
    with pytest.raises(ValueError, match="positive"):
        C.resize_video(video, (0, 32))


@pytest.mark.skipif(not (SHARED / "cdnet2014" / "baseline" / "highway").is_dir(),
                    reason=f"the CDnet 2014 highway video is not present at {SHARED} (only "
                           "on CI and the development machine)")
def test_real_cdnet_highway():
    from keras_crnn.datasets.segmentation_videos import change_detection_videos
    video = C.read_cdnet_video(SHARED / "cdnet2014" / "baseline" / "highway")
    assert video.frames.shape == (1700, 240, 320, 3) and video.temporal_roi == (470, 1700)
    assert set(np.unique(video.groundtruth)) <= {0, 50, 85, 170, 255}
    videos, source = change_detection_videos("cdnet", 1, 0, SHARED / "cdnet2014" / "baseline",
                                             frame_size=(60, 80))
    assert videos[0].frames.shape == (1700, 60, 80, 3)
    assert "highway (1700 frames of 240x320, resized to 60x80)" in source


def test_video_splits_cut_the_temporal_roi_in_order():
    from keras_crnn.datasets.segmentation_videos import (
        SPLIT_TABLE2,
        SPLIT_TABLE3,
        describe_split,
        video_splits,
    )
    video = C.synthetic_cdnet_video(length=111, size=(24, 32), seed=5)
    first, last = video.temporal_roi[0] - 1, video.temporal_roi[1]  # frames 10 ... 110
    n = last - first
    for split, (train, validation) in ((SPLIT_TABLE2, (72, 80)), (SPLIT_TABLE3, (70, 90))):
        tr, va, te, (lo, hi) = video_splits(video, 3, 2, split)
        assert tr[0].shape[1] == train * n // 100 and (lo, hi) == (first + validation, last)
        assert va[0].shape[1] == validation - train + 2 and te[0].shape[1] == hi - lo + 2
        np.testing.assert_array_equal(te[0][0, 2:], video.frames[lo:hi])  # 2 frames of context
        assert te[1].shape[2:4] == (12, 16) and set(np.unique(te[1])) <= {0, 1}
    assert "next 20 % validates, the last 10 % tests" in describe_split(SPLIT_TABLE3)
    with pytest.raises(ValueError, match="summing to 1"):
        video_splits(video, 3, split=(0.8, 0.1, 0.2))
