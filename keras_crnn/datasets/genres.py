"""Synthetic genre clips (frames + audio) for the video-genre experiments, offline.

Six genres whose cues are designed so that each part of a model has work to do:

| genre | palette (one frame) | motion (time) | shot length (time) | sound (audio) |
|---|---|---|---|---|
| Action | dark red | fast | 3 frames | noise bursts |
| Horror | dark red | slow | 12 frames | noise bursts |
| Romance | warm pink | slow sway | 16 frames | slow low melody |
| Animation | warm pink | fast | 4 frames | fast high melody |
| Sports | green field | medium | 6 frames | crowd noise |
| Science Fiction | dark blue, stars | medium | 8 frames | rising synth sweep |

A clip is a sequence of shots: at every cut the objects (three discs) get new
places, colours and directions, and the palette a new brightness. Places,
colours and brightness are drawn from the same ranges for every genre, so

- a single frame separates Sports and Science Fiction from the rest, but not
  Action from Horror, nor Romance from Animation (same palettes, the same
  per-frame statistics);
- Action and Horror, and Romance and Animation, differ in how things move and
  how often the shot cuts: only time tells them apart;
- sound separates Romance from Animation (and Sports from Science Fiction)
  but not Action from Horror (the same bursts).

So the best accuracy is 4/6 (67 %) from one frame, 5/6 (83 %) from one frame
and the sound, and 100 % from frames over time.

Frames are uint8 `(T, size, size, 3)` at 4 frames per second; audio is a mono
float32 waveform in [-1, 1] at `sample_rate`, covering the same seconds.
`write_genre_videos` writes them as video files with sound in the genre
paper's folder layout (`ROOT/GENRE/VIDEO.mp4`), for the video readers.
"""

from pathlib import Path

import numpy as np

from keras_crnn.atomic import atomic_folder
from keras_crnn.datasets.core import make_rng

GENRES = ("Action", "Animation", "Horror", "Romance", "Sports", "Science Fiction")
_PALETTE = {"Action": "red", "Horror": "red", "Romance": "pink", "Animation": "pink",
            "Sports": "field", "Science Fiction": "space"}
_SPEED = {"Action": 3.0, "Horror": 0.3, "Romance": 0.8, "Animation": 3.0, "Sports": 1.5,
          "Science Fiction": 1.5}  # pixels per frame, as a share of size / 32
_SHOT = {"Action": 3, "Horror": 12, "Romance": 16, "Animation": 4, "Sports": 6,
         "Science Fiction": 8}  # frames between cuts
_SOUND = {"Action": "bursts", "Horror": "bursts", "Romance": "slow_melody",
          "Animation": "fast_melody", "Sports": "crowd", "Science Fiction": "sweep"}


def _frame_base(palette, size, rng):
    yy = np.linspace(0, 1, size)[:, None, None]
    if palette == "red":
        top, bottom = np.array([60, 10, 10]), np.array([20, 0, 0])
    elif palette == "pink":
        top, bottom = np.array([250, 190, 200]), np.array([240, 150, 120])
    elif palette == "field":
        top, bottom = np.array([120, 170, 230]), np.array([40, 150, 50])
        yy = (yy > 0.3).astype(float)  # sky above, grass below
    else:
        top, bottom = np.array([5, 10, 40]), np.array([10, 30, 70])
    base = top * (1 - yy) + bottom * yy
    base = np.broadcast_to(base, (size, size, 3)).copy()
    if palette == "space":  # stars
        stars = rng.random((size, size)) > 0.97
        base[stars] = 230
    return base


def _objects(genre, length, size, rng):
    """Centres (length, k, 2) of k objects moving at the genre's speed within
    one shot, from places drawn anywhere in the frame."""
    k = 3
    speed = _SPEED[genre] * size / 32
    start = rng.uniform(0, size, (k, 2))
    if genre == "Romance":  # a slow sway
        phase = rng.uniform(0, 2 * np.pi, k)
        t = np.arange(length)[:, None]
        offset = np.stack([np.zeros((length, k)), 3 * speed * np.sin(0.5 * t + phase)], -1)
        centres = start + offset
    else:
        angle = rng.uniform(0, 2 * np.pi, k)
        velocity = speed * np.stack([np.sin(angle), np.cos(angle)], -1)
        centres = start + np.arange(length)[:, None, None] * velocity
    return np.abs((centres % (2 * size)) - size)  # bounce off the edges


def _shots(genre, length, rng):
    """Frames per shot of a clip of `length` frames: the genre's shot length,
    the first shot cut short at a random point."""
    shot = _SHOT[genre]
    lengths = [int(rng.integers(1, shot + 1))]
    while sum(lengths) < length:
        lengths.append(shot)
    lengths[-1] -= sum(lengths) - length
    return lengths


def _audio(sound, seconds, sample_rate, rng):
    n = int(seconds * sample_rate)
    t = np.arange(n) / sample_rate
    if sound == "bursts":
        wave = 0.05 * rng.normal(size=n)
        for start in rng.uniform(0, seconds - 0.3, 6):
            i = int(start * sample_rate)
            wave[i : i + int(0.2 * sample_rate)] += 0.6 * rng.normal(size=int(0.2 * sample_rate))
    elif sound in ("slow_melody", "fast_melody"):
        notes_per_second, base = (1.5, 220.0) if sound == "slow_melody" else (6.0, 660.0)
        steps = rng.choice([0, 2, 4, 5, 7, 9], size=int(seconds * notes_per_second) + 1)
        freq = base * 2 ** (steps[(t * notes_per_second).astype(int)] / 12)
        wave = 0.4 * np.sin(2 * np.pi * np.cumsum(freq) / sample_rate)
    elif sound == "crowd":
        wave = 0.25 * np.convolve(rng.normal(size=n), np.ones(8) / 8, mode="same")
    else:  # sweep
        freq = 300 + 1200 * (t % 2.5) / 2.5
        wave = 0.4 * np.sin(2 * np.pi * np.cumsum(freq) / sample_rate)
    wave += 0.02 * rng.normal(size=n)
    return np.clip(wave, -1, 1).astype(np.float32)


def genre_clips(count, length=40, size=32, fps=4, sample_rate=8000, seed=0):
    """Clips of the six genres in equal numbers (shuffled).

    Args:
        count: number of clips.
        length: frames per clip (40 frames at 4 fps = 10 s, as in the paper).
        size: frame side in pixels.
        fps: frames per second (sets the audio's duration).
        sample_rate: audio samples per second.
        seed: int seed.

    Returns:
        `(frames, audio, labels)`: uint8 `(count, length, size, size, 3)`,
        float32 `(count, length * sample_rate // fps)`, int `(count,)` indexing
        `GENRES`.
    """
    if count < 1 or length < 2 or size < 8:
        raise ValueError(f"Expected count >= 1, length >= 2, size >= 8. Received: "
                         f"count={count}, length={length}, size={size}")
    rng = make_rng(seed)
    labels = rng.permutation(np.resize(np.arange(len(GENRES)), count))
    seconds = length / fps
    frames = np.empty((count, length, size, size, 3), np.uint8)
    audio = np.empty((count, int(seconds * sample_rate)), np.float32)
    yy, xx = np.mgrid[0:size, 0:size]
    radius = size * 0.08
    for i, label in enumerate(labels):
        genre = GENRES[label]
        t = 0
        for shot in _shots(genre, length, rng):  # new places, colours and light at a cut
            base = _frame_base(_PALETTE[genre], size, rng) * rng.uniform(0.8, 1.2)
            colours = rng.uniform(0, 255, (3, 3))
            for centres in _objects(genre, shot, size, rng):
                frame = base.copy()
                for c, colour in zip(centres, colours, strict=True):
                    frame[(yy - c[0]) ** 2 + (xx - c[1]) ** 2 <= radius**2] = colour
                frame += rng.normal(0, 6, frame.shape)
                frames[i, t] = np.clip(frame, 0, 255).astype(np.uint8)
                t += 1
        audio[i] = _audio(_SOUND[genre], seconds, sample_rate, rng)
    return frames, audio, labels


def write_genre_videos(root, count, seconds=20.0, size=64, fps=4, sample_rate=16000, seed=0,
                       force=False, progress=True, chunk=24):
    """Writes `count` synthetic genre videos as MPEG-4 files with sound.

    The layout is the genre paper's: `root/GENRE/GENRE_0000.mp4`, one folder
    per name in `GENRES`; the clips come from `genre_clips`, `chunk` at a
    time (genres balanced within each chunk of a multiple of six). The folder appears complete or not
    at all: videos are written into a temporary folder beside it, which is
    renamed into place. Needs the `video` extra (PyAV).

    Args:
        root: the folder to create.
        count: videos in all (genres in equal numbers).
        seconds, size, fps, sample_rate: length, frame side (even), frames
            and audio samples per second.
        seed: int seed.
        force: replace an existing non-empty `root`.
        progress: show a progress bar.
        chunk: videos generated at a time (bounds the memory used).

    Returns:
        the written paths, in the order of the generated clips.

    Raises:
        FileExistsError: `root` is not empty and `force` is False.
        ImportError: PyAV is missing (names the extra).
    """
    from keras_crnn.datasets.video import _av, write_video

    _av()  # fail before generating anything
    root = Path(root)
    if root.exists() and any(root.iterdir()) and not force:
        raise FileExistsError(f"{root} is not empty. Pass force=True (--force) to replace it.")
    if size % 2:
        raise ValueError(f"Video frames need an even side. Received: size={size}")
    length = int(round(seconds * fps))
    from tqdm.auto import tqdm

    paths, done = [], 0
    with atomic_folder(root, replace=True) as tmp, \
            tqdm(total=count, desc="genre videos", unit="video", disable=not progress) as bar:
        for part in range(0, count, chunk):
            n = min(chunk, count - part)
            # One generator call per chunk, seeded by (seed, chunk): memory stays bounded.
            frames, audio, labels = genre_clips(n, length, size, fps, sample_rate,
                                                seed=np.random.default_rng([seed, part]))
            for clip, sound, label in zip(frames, audio, labels, strict=True):
                genre = GENRES[label]
                path = Path(genre) / f"{genre.lower().replace(' ', '_')}_{done:04d}.mp4"
                write_video(tmp / path, clip, fps, sound, sample_rate)
                paths.append(root / path)
                done += 1
                bar.update(1)
        for genre in GENRES:
            (tmp / genre).mkdir(exist_ok=True)
    return paths
