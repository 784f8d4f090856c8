"""The synthetic genre clips carry the cues they document: one frame separates 4 of
6 genres, time all 6; the two motion-only pairs look alike frame by frame."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from keras_crnn.datasets.genres import GENRES, genre_clips


@pytest.fixture(scope="module")
def clips():
    return genre_clips(240, length=12, size=16, sample_rate=4000, seed=0)


def _score(features, labels):
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    return cross_val_score(model, features, labels, cv=4).mean()


def test_shapes_balance_and_seed(clips):
    frames, audio, labels = clips
    assert frames.shape == (240, 12, 16, 16, 3) and frames.dtype == np.uint8
    assert audio.shape == (240, 12 * 4000 // 4) and audio.dtype == np.float32
    assert np.abs(audio).max() <= 1.0
    assert np.bincount(labels).tolist() == [40] * len(GENRES)
    first = genre_clips(12, length=4, size=16, sample_rate=4000, seed=3)
    second = genre_clips(12, length=4, size=16, sample_rate=4000, seed=3)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def _motion(frames):
    """Per clip: mean frame-to-frame change, and how often it jumps (cuts)."""
    change = np.abs(np.diff(frames.astype(float), axis=1)).mean(axis=(2, 3, 4))
    return np.stack([change.mean(1), (change > 2 * np.median(change)).mean(1)], 1)


def _audio_features(audio):
    crossings = (np.diff(np.sign(audio), axis=1) != 0).mean(1)[:, None]
    energy = audio.reshape(len(audio), 20, -1).std(-1)  # loudness over time
    return np.hstack([crossings, energy.std(1, keepdims=True)])


def test_each_cue_separates_what_the_docstring_says(clips):
    frames, audio, labels = clips
    colour = frames[:, 0].reshape(len(frames), -1, 3).mean(1)  # one frame's colours
    one_frame = _score(colour, labels)
    with_audio = _score(np.hstack([colour, _audio_features(audio)]), labels)
    with_time = _score(np.hstack([colour, _motion(frames)]), labels)
    assert 0.55 < one_frame < 0.75  # 4/6 = 0.67 at best
    assert 0.75 < with_audio < 0.9  # 5/6 = 0.83: Action and Horror share their sound
    assert with_time > 0.95


@pytest.mark.parametrize("pair", [("Action", "Horror"), ("Romance", "Animation")])
def test_motion_only_pairs_look_alike_in_any_single_frame(clips, pair):
    """A classifier on one frame's pixels or colours is at chance for the pair;
    on the clip's motion (frame changes, cuts) it is not."""
    frames, audio, labels = clips
    chosen = np.isin(labels, [GENRES.index(g) for g in pair])
    y = labels[chosen]
    for t in (0, frames.shape[1] // 2):
        pixels = frames[chosen, t].reshape(chosen.sum(), -1)
        assert _score(pixels, y) < 0.65, (pair, t)
    colour = frames[chosen, 0].reshape(chosen.sum(), -1, 3).mean(1)
    assert _score(colour, y) < 0.65
    assert _score(_motion(frames[chosen]), y) > 0.95
    sound = _score(_audio_features(audio[chosen]), y)
    assert (sound > 0.95) if pair == ("Romance", "Animation") else (sound < 0.65)
