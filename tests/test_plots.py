"""Figures of the genre and captioning notebooks: one row per item, the right panels."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from keras_crnn import plots  # noqa: E402


def test_clips_with_sound_and_captions_have_a_row_per_item():
    rng = np.random.default_rng(0)
    clips = rng.integers(0, 255, (3, 8, 16, 16, 3), dtype=np.uint8)
    fig = plots.plot_clips_with_sound(clips, rng.random((3, 20, 8)), ["a", "b", "c"], frames=4)
    assert len(fig.axes) == 3 * 5
    assert [ax.get_title() for ax in fig.axes[:5]] == ["frame 0", "frame 2", "frame 5",
                                                       "frame 7", "log-mel spectrogram"]
    images = rng.integers(0, 255, (2, 16, 16, 3), dtype=np.uint8)
    fig = plots.plot_captions(images, ["a red square", "a blue circle"],
                              ["a red square", "a red circle"])
    assert len(fig.axes) == 2 * 2
    colours = [t.get_color() for t in fig.axes[3].texts]
    assert [t.get_text() for t in fig.axes[3].texts] == ["truth: a blue circle",
                                                         "decoded: a red circle"]
    assert colours[1] == "red" and fig.axes[1].texts[1].get_color() == "green"
    assert len(plots.plot_captions(clips, ["x"] * 3).axes) == 3 * 4
