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


def test_learning_curve_bands_follow_the_seeds_still_training():
    curves = {"a": [{"val_loss": [4.0, 2.0, 1.0]}, {"val_loss": [2.0, 1.0]}],
              "b": [{"val_loss": [3.0]}]}
    fig = plots.plot_learning_curve_bands(curves, ("val_loss",))
    ax = fig.axes[0]
    a, b = ax.get_lines()
    np.testing.assert_allclose(a.get_ydata(), [3.0, 1.5, 1.0])  # epoch 3: one seed left
    np.testing.assert_allclose(b.get_ydata(), [3.0])
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].max() == 4.0 and band[:, 1].min() == 1.0
    assert len(ax.collections) == 1  # one seed: no band
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a (2 seeds)", "b (1 seed)"]


def test_class_accuracy_puts_each_class_beside_its_clip():
    rng = np.random.default_rng(0)
    clips = rng.integers(0, 255, (3, 4, 16, 16), dtype=np.uint8)
    fig = plots.plot_class_accuracy(clips, ["left", "right", "up"],
                                    {"a": [10.0, 20.0, 30.0], "b": [90.0, 80.0, 70.0]},
                                    chance=33.3)
    assert len(fig.axes) == 3 * 4 + 1
    assert [fig.axes[i * 4].get_ylabel() for i in range(3)] == ["left", "right", "up"]
    bars = fig.axes[-1]
    widths = [p.get_width() for p in bars.patches]
    assert widths == [10.0, 20.0, 30.0, 90.0, 80.0, 70.0]
    centres = [p.get_y() + p.get_height() / 2 for p in bars.patches[:3]]
    assert np.allclose(centres, [-0.2, 0.8, 1.8]) and bars.get_ylim() == (2.5, -0.5)
