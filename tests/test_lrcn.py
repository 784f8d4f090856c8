"""LRCN captioners: shapes, teacher forcing, greedy = beam width 1, BLEU by hand."""

import keras
import numpy as np
import pytest

from keras_crnn.datasets.captions import captioned_images, captioned_videos, converse_caption
from keras_crnn.models.lrcn import (
    beam_decode,
    bleu,
    build_captioner,
    caption_vectorizer,
    encode_captions,
    greedy_decode,
)


def test_bleu_against_hand_checked_cases():
    assert bleu(["a red square moves left"], ["a red square moves left"])["bleu_4"] == \
        pytest.approx(100)
    # 7 words, clipped unigram matches the(2) cat(1) on mat = 5; bigrams 3 of 6; no
    # brevity penalty (7 >= 6).
    scores = bleu(["the cat is on the mat"], ["the cat the cat on the mat"], max_order=2)
    assert scores["bleu_1"] == pytest.approx(100 * 5 / 7)
    assert scores["bleu_2"] == pytest.approx(100 * np.sqrt(5 / 7 * 3 / 6))
    # A short hypothesis pays the brevity penalty exp(1 - 5/3).
    short = bleu(["a red square moves left"], ["a red square"], max_order=1)["bleu_1"]
    assert short == pytest.approx(100 * np.exp(1 - 5 / 3))


def test_bleu_takes_several_references_per_caption():
    """A hypothesis that equals either reference scores 100; n-grams are
    clipped by the reference that holds them most often."""
    said = "a small red circle above a big blue square"
    other = converse_caption(said)
    assert other == "a big blue square below a small red circle"
    both = [[said, other], [said, other]]
    assert bleu(both, [said, other])["bleu_4"] == pytest.approx(100)
    assert bleu([said, said], [said, other])["bleu_4"] < 90  # the converse: a miss
    # "the the the": 'the' clipped at 2 (the reference with two), unigram precision 2/3
    scores = bleu([["the cat", "the the cat"]], ["the the the"], max_order=1)
    assert scores["bleu_1"] == pytest.approx(100 * 2 / 3)
    with pytest.raises(ValueError, match="as many references.*\\[1, 2\\]"):
        bleu([["a"], ["a", "b"]], ["a", "b"])
    with pytest.raises(ValueError, match="RELATION.*Received: 'a red square moves left'"):
        converse_caption("a red square moves left")


def test_video_and_image_captioners_shapes():
    frames, captions = captioned_videos(4, length=3, size=16, seed=0)
    vectorizer = caption_vectorizer(captions, max_words=5)
    ids = encode_captions(vectorizer, captions)
    assert ids.shape == (4, 7)
    vocabulary = vectorizer.get_vocabulary()
    assert [vocabulary[i] for i in ids[0] if i] == ["startseq"] + captions[0].split() + ["endseq"]
    video = build_captioner("video", frames.shape[1:], vectorizer.vocabulary_size(), 6, units=8)
    assert video.output_shape == (None, 6, vectorizer.vocabulary_size())
    assert isinstance(video.get_layer("encoder"), keras.layers.TimeDistributed)
    images, _ = captioned_images(2, size=16)
    image = build_captioner("image", images.shape[1:], 10, 6, units=8)
    assert image.output_shape == (None, 6, 10)
    with pytest.raises(ValueError, match="'image' or 'video'.*'audio'"):
        build_captioner("audio", (16, 16, 3), 10, 6)


@pytest.mark.slow
def test_a_trained_captioner_decodes_greedy_equal_to_beam_width_1(tmp_path):
    images, captions = captioned_images(96, size=16, seed=1)
    vectorizer = caption_vectorizer(captions, max_words=6)
    ids = encode_captions(vectorizer, captions)
    x = images / np.float32(255)
    keras.utils.set_random_seed(0)
    model = build_captioner("image", images.shape[1:], vectorizer.vocabulary_size(),
                            ids.shape[1] - 1, units=32)
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy")
    history = model.fit([x, ids[:, :-1]], ids[:, 1:], epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    path = tmp_path / "captioner.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    vocabulary = vectorizer.get_vocabulary()
    greedy = greedy_decode(loaded, x[:6], vocabulary)
    assert greedy == beam_decode(loaded, x[:6], vocabulary, width=1)
    assert all(g and "startseq" not in g and "endseq" not in g for g in greedy)
    wider = beam_decode(loaded, x[:6], vocabulary, width=3)
    assert len(wider) == 6 and all(isinstance(c, str) for c in wider)
    # The learned captions start like the data's ("a small ..." / "a big ...").
    assert sum(g.split()[0] == "a" for g in greedy) >= 5


class _BigramModel:
    """A stand-in captioner whose next-word probabilities depend on the previous
    word only: after `startseq`, "a" is likelier than "b", but "a" leads nowhere
    likely, while "b" ends at once."""

    VOCABULARY = ["", "[UNK]", "startseq", "endseq", "a", "b"]
    input_shape = [(None, 1), (None, 4)]

    def __init__(self):
        table = np.full((6, 6), 1e-6)
        table[2, [4, 5]] = [0.55, 0.45]  # startseq -> a | b
        table[4, [3, 4, 5]] = [0.33, 0.34, 0.33]  # a -> endseq | a | b
        table[5, [3, 4]] = [0.9, 0.1]  # b -> endseq | a
        self.table = table / table.sum(1, keepdims=True)

    def __call__(self, inputs, training=False):
        return self.table[np.asarray(inputs[1])]


def test_beam_search_finds_the_likelier_caption_greedy_misses():
    model, visual = _BigramModel(), np.zeros((2, 1), np.float32)
    vocabulary = _BigramModel.VOCABULARY
    # Greedy: a (0.55), a (0.34), a, a: 0.55 * 0.34^3 = 0.022.
    assert greedy_decode(model, visual, vocabulary) == ["a a a a"] * 2
    assert beam_decode(model, visual, vocabulary, width=1) == ["a a a a"] * 2
    # Width 2 keeps "b" (0.45), which ends with 0.9: 0.405 beats every "a ..." caption.
    assert beam_decode(model, visual, vocabulary, width=2) == ["b"] * 2
