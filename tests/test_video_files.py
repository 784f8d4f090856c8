"""Video files (PyAV, the `video` extra): frame sampling, audio, spectrograms, splits."""

import sys

import numpy as np
import pytest

from keras_crnn.audio import log_mel_spectrogram, mel_frequencies
from keras_crnn.datasets import video as V


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """3 s at 25 fps whose frame i is grey level 3 i, with a 440 Hz tone."""
    frames = np.repeat(3 * np.arange(75, dtype=np.uint8), 32 * 48 * 3).reshape(75, 32, 48, 3)
    t = np.arange(3 * 16000) / 16000
    audio = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return V.write_video(tmp_path_factory.mktemp("v") / "clip.mp4", frames, 25, audio)


def test_frames_are_sampled_at_4_fps(clip):
    frames, audio, rate = V.read_video(clip, fps=4)
    assert frames.shape == (12, 32, 48, 3) and frames.dtype == np.uint8
    # Frame k is the first one shown at or after k / 4 s: index ceil(6.25 k).
    shown = frames.reshape(12, -1).mean(1) / 3
    np.testing.assert_allclose(shown, np.ceil(6.25 * np.arange(12)), atol=0.5)
    every, _, _ = V.read_video(clip, fps=None, audio=False)
    assert len(every) == 75
    small, _, _ = V.read_video(clip, fps=2, size=(16, 24), audio=False)
    assert small.shape == (6, 16, 24, 3)
    # AAC pads a little at both ends; the tone is intact.
    assert rate == 16000 and 48000 <= len(audio) < 48000 + 2048
    spectrum = np.abs(np.fft.rfft(audio[4000:44000]))
    assert np.fft.rfftfreq(40000, 1 / 16000)[spectrum.argmax()] == pytest.approx(440, abs=1)


def test_log_mel_spectrogram_shape_and_pitch():
    t = np.arange(2 * 16000) / 16000
    for hz in (440.0, 2000.0):
        tone = (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)
        spectrogram = log_mel_spectrogram(tone, 16000, num_mel_bins=64, hop_length=256)
        assert spectrogram.shape == (1 + len(tone) // 256, 64)
        centres = mel_frequencies(64, 16000)
        peak = spectrogram.mean(0).argmax()
        assert abs(centres[peak] - hz) < np.diff(centres)[max(peak - 1, 0)]
    batch = log_mel_spectrogram(np.zeros((3, 4000), np.float32), hop_length=200)
    assert batch.shape == (3, 21, 64)
    with pytest.raises(ValueError, match=r"mono audio.*shape=\(2, 2, 2\)"):
        log_mel_spectrogram(np.zeros((2, 2, 2)))


def test_groups_class_folders_and_split_by_video(tmp_path, clip):
    groups = V.frame_groups(np.arange(100), 40)
    assert groups.shape == (2, 40) and groups[1, 0] == 40
    with pytest.raises(ValueError, match="needs 40 frames. Received: 39"):
        V.frame_groups(np.arange(39), 40)
    for name in ("Horror", "Action"):
        (tmp_path / name).mkdir()
        for k in range(2):
            (tmp_path / name / f"{k}.mp4").write_bytes(clip.read_bytes())
    (tmp_path / "Action" / "notes.txt").write_text("not a video")
    paths, labels, classes = V.class_folders(tmp_path)
    assert classes == ["Action", "Horror"] and labels.tolist() == [0, 0, 1, 1]
    assert [p.name for p in paths] == ["0.mp4", "1.mp4"] * 2
    with pytest.raises(FileNotFoundError, match="ROOT/CLASS/VIDEO"):
        V.class_folders(tmp_path / "Action")
    # 50 videos of 3-7 clips each: every video's clips stay in one split.
    video_ids = np.repeat(np.arange(50), np.random.default_rng(0).integers(3, 8, 50))
    splits = V.split_by_video(video_ids, (0.8, 0.1, 0.1), seed=1)
    assert sorted(np.concatenate(splits).tolist()) == list(range(len(video_ids)))
    seen = [set(video_ids[s]) for s in splits]
    assert not (seen[0] & seen[1] or seen[0] & seen[2] or seen[1] & seen[2])
    assert [len(s) for s in seen] == [40, 5, 5]


def test_a_missing_extra_is_named(monkeypatch, clip):
    monkeypatch.setitem(sys.modules, "av", None)
    with pytest.raises(ImportError, match=r"extra `video`.*keras_crnn\[video\]"):
        V.read_video(clip)


@pytest.mark.slow
def test_video_clips_script_caches_frames_and_spectrograms(tmp_path, video_clips):
    rng = np.random.default_rng(0)
    for name, seconds in (("Action", 5), ("Romance", 3)):
        (tmp_path / "in" / name).mkdir(parents=True)
        frames = rng.integers(0, 255, (seconds * 8, 16, 16, 3)).astype(np.uint8)
        tone = np.sin(np.arange(seconds * 16000) * 0.2).astype(np.float32)
        V.write_video(tmp_path / "in" / name / "a.mp4", frames, 8, tone)
    arrays = video_clips(tmp_path / "in", tmp_path / "out", 8)
    # 5 s at 4 fps = 20 frames: 2 groups of 8; 3 s = 12 frames: 1 group.
    assert arrays["frames"].shape == (3, 8, 8, 8, 3)
    assert arrays["labels"].tolist() == [0, 0, 1] and arrays["video"].tolist() == [0, 0, 1]
    assert (tmp_path / "out" / "classes.json").read_text() == '["Action", "Romance"]'
    # 8 frames at 4 fps = 2 s of sound = 32000 samples: 1 + 32000 // 256 frames.
    assert arrays["spectrograms"].shape == (3, 126, 64)


def test_synthetic_genre_videos_are_real_files_in_genre_folders(tmp_path):
    import subprocess
    from pathlib import Path

    from keras_crnn.datasets.genres import GENRES, genre_clips

    script = Path(__file__).parent.parent / "data_tools" / "make_genre_videos.py"
    out = tmp_path / "videos"
    subprocess.run([sys.executable, str(script), "--out", str(out), "--videos", "6",
                    "--seconds", "3", "--size", "32", "--sample-rate", "8000"],
                   check=True, capture_output=True)
    paths, labels, classes = V.class_folders(out)
    assert sorted(classes) == sorted(GENRES) and np.bincount(labels).tolist() == [1] * 6
    # The files hold the generator's clips: frames (lossy codec) and sound.
    frames, audio, truth = genre_clips(6, 12, 32, 4, 8000, seed=np.random.default_rng([0, 0]))
    for clip, sound, label in zip(frames, audio, truth, strict=True):
        path = next(p for p in paths if p.parent.name == GENRES[label])
        decoded, decoded_sound, rate = V.read_video(path, 4, sample_rate=8000)
        assert decoded.shape == clip.shape and rate == 8000
        assert np.abs(decoded.astype(float) - clip).mean() < 12
        assert abs(np.std(decoded_sound[: len(sound)]) - np.std(sound)) < 0.3 * np.std(sound)
    before = sorted(p.name for p in out.rglob("*.mp4"))
    failed = subprocess.run([sys.executable, str(script), "--out", str(out), "--videos", "6"],
                            capture_output=True, text=True)
    assert failed.returncode != 0 and "is not empty" in failed.stderr
    assert sorted(p.name for p in out.rglob("*.mp4")) == before  # nothing lost
