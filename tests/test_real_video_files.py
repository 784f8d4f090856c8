"""The real video files in ../shared/data/video (skipped when absent, as on a
user's fresh clone): frames at 4 fps at the right times, the MP3 track and its
log-mel spectrogram, the GIF's frames, and `data_tools/video_clips.py` on a
class-folder tree of them."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from keras_crnn.datasets import video as V

VIDEOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "video"
# name: (frames, frames per second, index of the first frame: the AVI's starts at 0.04 s)
FILES = {"mmaction2-test.avi": (164, 25, 1), "mmaction2-test.mp4": (300, 30, 0),
         "mmaction2-demo.mp4": (280, 28, 0), "ucf101-v_CricketShot_g04_c01_rgb.gif": (79, 25, 0)}

pytestmark = [
    pytest.mark.skipif(not VIDEOS.is_dir(), reason=f"real video files not present at {VIDEOS} "
                       "(only on CI and machines with ../shared/data)"),
    pytest.mark.skipif(importlib.util.find_spec("av") is None,
                       reason="PyAV (the `video` extra) is not installed"),
]


@pytest.mark.parametrize("name", FILES)
def test_frames_at_4_fps_are_the_ones_shown_at_each_quarter_second(name):
    """Frame k is the first frame shown at or after k / 4 s, in display order.
    The AVI (MPEG-4 with packed B-frames) stamps its frames in decode order
    (pts 1, 2, 4, 3, ...): its frames are timed by FFmpeg's best-effort rule."""
    count, rate, first = FILES[name]
    every, _, _ = V.read_video(VIDEOS / name, fps=None, audio=False)
    assert len(every) == count
    sampled, _, _ = V.read_video(VIDEOS / name, fps=4, audio=False)
    seconds = (count + first) / rate
    assert len(sampled) == int(np.floor(seconds * 4 - 1e-9)) + 1
    shown = [max(0, int(np.ceil(rate * k / 4 - 1e-9)) - first) for k in range(len(sampled))]
    for k, index in enumerate(shown):
        np.testing.assert_array_equal(sampled[k], every[index], err_msg=f"{name} frame {k}")
    small, _, _ = V.read_video(VIDEOS / name, fps=4, size=(56, 64), audio=False)
    assert small.shape == (len(sampled), 56, 64, 3) and small.dtype == np.uint8


def test_the_avi_mp3_track_and_its_log_mel_spectrogram():
    from keras_crnn.audio import log_mel_spectrogram

    frames, audio, rate = V.read_video(VIDEOS / "mmaction2-test.avi", fps=4)
    assert frames.shape == (27, 240, 320, 3) and rate == 16000
    # 6.56 s of video; the MP3 track lasts as long, within a frame of MP3 (1152 samples)
    assert abs(len(audio) / rate - 6.56) < 1152 / 44100 + 0.01
    assert audio.dtype == np.float32 and np.abs(audio).max() <= 1.0  # MP3 decodes to 1.2: clipped
    assert np.sqrt(np.mean(audio ** 2)) > 0.05  # sound, not silence
    spectrogram = log_mel_spectrogram(audio, rate)
    assert spectrogram.shape == (1 + len(audio) // 256, 64) and np.isfinite(spectrogram).all()
    assert spectrogram.std(0).mean() > 3.0  # changes over time (dB)
    for silent in ("mmaction2-test.mp4", "ucf101-v_CricketShot_g04_c01_rgb.gif"):
        assert V.read_video(VIDEOS / silent, fps=4)[1].size == 0  # no audio track


def test_video_clips_script_on_class_folders_of_the_real_files(tmp_path, video_clips):
    tree = {"cricket": ["ucf101-v_CricketShot_g04_c01_rgb.gif"],
            "demo": ["mmaction2-demo.mp4", "mmaction2-test.avi", "mmaction2-test.mp4"]}
    for label, names in tree.items():
        (tmp_path / "in" / label).mkdir(parents=True)
        for name in names:
            (tmp_path / "in" / label / name).symlink_to(VIDEOS / name)
    arrays = video_clips(tmp_path / "in", tmp_path / "out", 32)
    # 4 fps: the GIF 13 frames (1 group of 8), the MP4s 40 (5 each), the AVI 27 (3)
    assert arrays["frames"].shape == (14, 8, 32, 32, 3)
    assert arrays["labels"].tolist() == [0] + [1] * 13
    assert arrays["video"].tolist() == [0] + [1] * 5 + [2] * 3 + [3] * 5
    assert json.loads((tmp_path / "out" / "classes.json").read_text()) == ["cricket", "demo"]
    sound = arrays["spectrograms"]
    assert sound.shape == (14, 126, 64)
    with_sound = arrays["video"] == 2  # only the AVI has a sound track
    assert sound[with_sound].std() > 3.0 and sound[~with_sound].std() < 1e-3
