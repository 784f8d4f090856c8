"""Genre clips with their sound, split by video, for the genre paper's Table I.

- `synthetic` (offline): synthetic genre videos (`keras_crnn.datasets.genres`;
  six genres whose cues are colour, motion and sound), each cut into clips.
- `videos`: real video files in class folders (`ROOT/CLASS/VIDEO`: the paper's
  six genre folders, UCF101, or `data_tools/make_genre_videos.py`), decoded at
  4 fps with their sound (the `video` extra); or a folder of clips that
  `data_tools/video_clips.py` cached.

Videos are split 80/10/10 (`split_by_video`: no video's clips in two splits);
sound becomes a log-mel spectrogram per clip (`keras_crnn.audio`).
"""

import json
from pathlib import Path

import numpy as np

SAMPLE_RATE = 8000
MELS = 32
FPS = 4.0
DATASETS = ("synthetic", "videos")


def spectrograms(sound):
    """Log-mel spectrograms `(n, frames, MELS)` of `(n, samples)` sound at `SAMPLE_RATE`."""
    from keras_crnn.audio import log_mel_spectrogram

    return log_mel_spectrogram(sound, SAMPLE_RATE, num_mel_bins=MELS, fft_length=256,
                               hop_length=128)


def genre_data(videos, clips_per_video, clip_frames, size, seed=0, dataset="synthetic",
               data_dir=None, progress=True):
    """Clips, spectrograms, labels and video ids split by video.

    Args:
        videos: synthetic videos to generate (`synthetic` only).
        clips_per_video, clip_frames: clips cut from each video, frames each
            (at 4 fps).
        size: frames are `size` x `size`.
        dataset, data_dir: `synthetic`, or `videos` with its folder.

    Returns:
        dict with `train`, `validation`, `test`: `(frames, spectrograms,
        labels, video_ids)` each (uint8 frames `(n, time, rows, cols, 3)`,
        float32 spectrograms `(n, frames, mels)`); `classes` (names); and
        `source`.
    """
    from keras_crnn.datasets.genres import GENRES
    from keras_crnn.datasets.video import split_by_video

    if dataset == "synthetic":
        clips, sound, clip_labels, video_ids, source = _synthetic(
            videos, clips_per_video, clip_frames, size, seed)
        classes = list(GENRES)
    elif dataset == "videos":
        if data_dir is None:
            raise ValueError("The `videos` dataset needs `data_dir` (--data-dir): class folders "
                             "of videos (ROOT/CLASS/VIDEO) or clips from "
                             "data_tools/video_clips.py")
        clips, sound, clip_labels, video_ids, classes, source = _videos(
            Path(data_dir), clips_per_video, clip_frames, size, progress)
    else:
        raise ValueError(f"`dataset` must be one of {DATASETS}. Received: {dataset!r}")
    parts = split_by_video(video_ids, (0.8, 0.1, 0.1), seed=seed)
    out = {name: (clips[i], sound[i], clip_labels[i], video_ids[i])
           for name, i in zip(("train", "validation", "test"), parts, strict=True)}
    out["classes"] = classes
    out["source"] = (f"{source}; videos split 80/10/10: {len(set(out['train'][3]))}/"
                     f"{len(set(out['validation'][3]))}/{len(set(out['test'][3]))}")
    return out


def _synthetic(videos, k, length, size, seed):
    from keras_crnn.datasets.genres import genre_clips

    frames, audio, labels = genre_clips(videos, length=k * length, size=size,
                                        sample_rate=SAMPLE_RATE, seed=seed)
    clips = frames.reshape((videos * k, length) + frames.shape[2:])
    sound = audio[:, : audio.shape[1] // k * k].reshape(videos * k, -1)
    source = (f"synthetic genre videos (keras_crnn.datasets.genres, seed {seed}): "
              f"{videos} videos of {k} clips of {length} frames at 4 fps, "
              f"{size}x{size}, audio {SAMPLE_RATE} Hz as {MELS}-band log-mel spectrograms")
    return (clips, spectrograms(sound), np.repeat(labels, k), np.repeat(np.arange(videos), k),
            source)


def _videos(root, k, length, size, progress):
    """Class folders of video files, or clips cached by data_tools/video_clips.py."""
    from keras_crnn.datasets import read_shards

    if (root / "manifest.json").is_file():
        arrays = read_shards(root)
        names = root / "classes.json"
        classes = json.loads(names.read_text()) if names.is_file() else \
            [str(c) for c in range(int(arrays["labels"].max()) + 1)]
        return (arrays["frames"], arrays["spectrograms"], arrays["labels"], arrays["video"],
                classes, f"clips cached under {root} (data_tools/video_clips.py), "
                         f"{arrays['frames'].shape[1]} frames each")
    from keras_crnn.datasets.video import read_clips

    clips, classes, _ = read_clips(root, length, FPS, (size, size), SAMPLE_RATE, max_clips=k,
                                   progress=progress)
    return (clips["frames"], spectrograms(clips["audio"]), clips["labels"], clips["video"],
            classes, f"{len(set(clips['video']))} videos under {root} in {len(classes)} class "
                     f"folders, up to {k} clips of {length} frames at 4 fps, {size}x{size}, "
                     f"audio {SAMPLE_RATE} Hz as {MELS}-band log-mel spectrograms")
