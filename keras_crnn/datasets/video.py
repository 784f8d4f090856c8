"""Video files: frames sampled at a fixed rate, the audio track, class folders.

Decoding uses PyAV (FFmpeg's libraries, with their own binaries in the wheel),
the optional extra `video`: `pip install "keras_crnn[video]"`. Without it,
every function that touches a file raises an `ImportError` naming the extra.

    frames, audio, rate = read_video("clip.mp4", fps=4, size=(112, 112))
    groups = frame_groups(frames, 40)           # 10-second groups at 4 fps

The rest (grouping, class folders, splitting by video) is numpy only.
"""

from pathlib import Path

import numpy as np

from keras_crnn.datasets.core import make_rng

# Files FFmpeg decodes as video; animated GIFs included (UCF101 clips are shared as GIFs)
VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".gif")


def _av():
    try:
        import av
    except ImportError as error:
        raise ImportError("Reading and writing video files needs the optional extra "
                          "`video` (PyAV): pip install 'keras_crnn[video]'") from error
    return av


class _BestEffortClock:
    """FFmpeg's best-effort timestamp of decoded frames (libavcodec's
    `guess_correct_pts`): a frame's pts, unless the stream's pts have gone
    backwards more often than its dts, then its dts. Decoders return frames
    in display order, but an AVI with packed B-frames stamps them in decode
    order (pts 1, 2, 4, 3, ...), while their dts count up."""

    def __init__(self):
        self.last_pts = self.last_dts = None
        self.faulty_pts = self.faulty_dts = 0

    def stamp(self, pts, dts):
        if dts is not None:
            self.faulty_dts += self.last_dts is not None and dts <= self.last_dts
            self.last_dts = dts
        if pts is not None:
            self.faulty_pts += self.last_pts is not None and pts <= self.last_pts
            self.last_pts = pts
        if pts is not None and (self.faulty_pts <= self.faulty_dts or dts is None):
            return pts
        return dts


def read_video(path, fps=4.0, size=None, audio=True, sample_rate=16000):
    """Decodes a video file: frames sampled at `fps` and its mono audio.

    Frame `k` is the first decoded frame shown at or after `k / fps` seconds,
    so a 10 s video at `fps=4` gives 40 frames whatever its own frame rate.

    Args:
        path: a video file FFmpeg can read.
        fps: frames per second to keep (None: every frame).
        size: `(rows, cols)` to resize to (bilinear), or None.
        audio: also decode the first audio track.
        sample_rate: the audio is resampled to this rate.

    Returns:
        `(frames, audio, sample_rate)`: uint8 `(T, rows, cols, 3)`, float32
        `(samples,)` in [-1, 1] (empty without an audio track, or None when
        `audio=False`), and the rate.

    Raises:
        ImportError: PyAV is missing (the extra `video`).
        FileNotFoundError: no such file.
        ValueError: the file holds no video stream, or `fps` is not positive.
    """
    av = _av()
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No video file at {path}")
    if fps is not None and fps <= 0:
        raise ValueError(f"`fps` must be positive or None. Received: fps={fps}")
    from PIL import Image

    frames = []
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as error:
        raise ValueError(f"{path} is not a readable video file: {error}") from None
    with container:
        if not container.streams.video:
            raise ValueError(f"{path} holds no video stream")
        stream = container.streams.video[0]
        next_time = 0.0
        clock = _BestEffortClock()
        for frame in container.decode(stream):
            stamp = clock.stamp(frame.pts, frame.dts)
            time = float(stamp * stream.time_base) if stamp is not None else next_time
            if fps is not None and time + 1e-6 < next_time:
                continue
            image = frame.to_image()  # PIL RGB
            if size is not None:
                image = image.resize((size[1], size[0]), Image.BILINEAR)
            frames.append(np.asarray(image))
            if fps is not None:
                next_time += 1.0 / fps
                while time + 1e-6 >= next_time:  # a gap in the stream: skip the missed slots
                    next_time += 1.0 / fps
    if not frames:
        raise ValueError(f"{path}: no frames could be decoded")
    sound = _read_audio(path, sample_rate) if audio else None
    return np.stack(frames), sound, sample_rate


def _read_audio(path, sample_rate):
    av = _av()
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return np.zeros(0, np.float32)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        chunks = []
        for frame in container.decode(container.streams.audio[0]):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):  # flush
            chunks.append(out.to_ndarray().reshape(-1))
    if not chunks:
        return np.zeros(0, np.float32)
    # Float decoders (MP3, AAC) overshoot full scale a little, and the stereo
    # downmix adds to it: clipped to the documented [-1, 1].
    return np.clip(np.concatenate(chunks), -1.0, 1.0).astype(np.float32)


def write_video(path, frames, fps, audio=None, sample_rate=16000):
    """Writes uint8 frames `(T, rows, cols, 3)` (even rows and cols) and optional
    mono float audio in [-1, 1] as an MPEG-4 file (mpeg4 video, AAC audio),
    all-or-nothing."""
    from keras_crnn.atomic import atomic_path

    av = _av()
    frames = np.asarray(frames, np.uint8)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.shape[1] % 2 or frames.shape[2] % 2:
        raise ValueError("Expected uint8 frames (T, rows, cols, 3) with even rows and cols. "
                         f"Received: shape={frames.shape}")
    with atomic_path(path) as tmp:
        with av.open(str(tmp), mode="w", format="mp4") as container:
            video = container.add_stream("mpeg4", rate=int(round(fps)))
            video.width, video.height = frames.shape[2], frames.shape[1]
            video.pix_fmt = "yuv420p"
            video.bit_rate = 4_000_000
            sound = None
            if audio is not None:
                sound = container.add_stream("aac", rate=sample_rate)
                sound.layout = "mono"
            for image in frames:
                for packet in video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                    container.mux(packet)
            for packet in video.encode():
                container.mux(packet)
            if sound is not None:
                samples = np.asarray(audio, np.float32).reshape(1, -1)
                chunk = 1024
                for start in range(0, samples.shape[1], chunk):
                    frame = av.AudioFrame.from_ndarray(
                        np.ascontiguousarray(samples[:, start:start + chunk]), format="flt",
                        layout="mono")
                    frame.sample_rate = sample_rate
                    for packet in sound.encode(frame):
                        container.mux(packet)
                for packet in sound.encode():
                    container.mux(packet)
    return Path(path)


def frame_groups(frames, group=40):
    """Consecutive, non-overlapping groups of `group` frames (the genre paper's
    40 frames = 10 s at 4 fps); a shorter rest is dropped.

    Returns:
        `(len(frames) // group, group, ...)`.
    """
    frames = np.asarray(frames)
    count = len(frames) // group
    if count == 0:
        raise ValueError(f"A group needs {group} frames. Received: {len(frames)} frames")
    return frames[: count * group].reshape((count, group) + frames.shape[1:])


def class_folders(root):
    """Video files in class-per-folder layout (UCF101, the genre paper's six
    folders): `root/CLASS/*.mp4`.

    Returns:
        `(paths, labels, class_names)`, classes in sorted order.
    """
    root = Path(root)
    classes = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    paths, labels = [], []
    for label, name in enumerate(classes):
        files = sorted(p for p in (root / name).iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
        paths += files
        labels += [label] * len(files)
    if not paths:
        raise FileNotFoundError(f"No videos ({', '.join(VIDEO_SUFFIXES)}) in class folders "
                                f"under {root}: expected ROOT/CLASS/VIDEO")
    return paths, np.array(labels), classes


def read_clips(root, group=40, fps=4.0, size=None, sample_rate=16000, max_clips=None,
               progress=True):
    """Every video of class folders (`class_folders`) cut into clips of
    `group` frames, each with the sound of the same seconds.

    Args:
        root: `ROOT/CLASS/VIDEO` files.
        group: frames per clip (the genre paper: 40 = 10 s at 4 fps).
        fps, size, sample_rate: as in `read_video`.
        max_clips: keep at most this many clips per video (the first ones).
        progress: show a progress bar over the videos.

    Returns:
        `(arrays, classes, skipped)`: `arrays` holds uint8 `frames` `(n,
        group, rows, cols, 3)`, float32 `audio` `(n, group / fps *
        sample_rate)` (zero-padded where a file's sound ends early), `labels`
        and `video` (the index of the source file, for `split_by_video`);
        `skipped` lists the files shorter than one clip.

    Raises:
        ValueError: no video lasts one clip.
    """
    from tqdm.auto import tqdm

    paths, labels, classes = class_folders(root)
    samples = int(round(group / fps * sample_rate))
    parts = {"frames": [], "audio": [], "labels": [], "video": []}
    skipped = []
    for index, (path, label) in enumerate(tqdm(list(zip(paths, labels, strict=True)),
                                               desc="decoding videos", unit="video",
                                               disable=not progress)):
        frames, audio, _ = read_video(path, fps, size, sample_rate=sample_rate)
        if len(frames) < group:
            skipped.append(path)
            continue
        clips = frame_groups(frames, group)[:max_clips]
        sound = np.zeros(len(clips) * samples, np.float32)
        sound[: min(len(audio), len(sound))] = audio[: len(sound)]
        parts["frames"].append(clips)
        parts["audio"].append(sound.reshape(len(clips), samples))
        parts["labels"].append(np.full(len(clips), label))
        parts["video"].append(np.full(len(clips), index))
    if not parts["frames"]:
        raise ValueError(f"No video under {root} lasts {group} frames at {fps:g} fps "
                         f"({group / fps:g} s)")
    return {key: np.concatenate(value) for key, value in parts.items()}, classes, skipped


def split_by_video(video_ids, fractions=(0.8, 0.1, 0.1), seed=0):
    """Splits items (clips) so that all items of one video land in one split.

    Args:
        video_ids: one video id per item.
        fractions: shares of the videos per split.
        seed: int seed of the shuffle of the videos.

    Returns:
        a list of index arrays into `video_ids`, one per split.
    """
    video_ids = np.asarray(video_ids)
    videos = np.unique(video_ids)
    if abs(sum(fractions) - 1) > 1e-6 or min(fractions) < 0:
        raise ValueError(f"`fractions` must be non-negative and sum to 1. Received: {fractions}")
    order = make_rng(seed).permutation(videos)
    bounds = np.rint(np.cumsum(fractions)[:-1] * len(videos)).astype(int)
    return [np.flatnonzero(np.isin(video_ids, part)) for part in np.split(order, bounds)]
