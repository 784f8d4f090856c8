"""LRCN captioning: a CNN encoder, an LSTM decoder, greedy and beam-search decoding.

The LRCN paper's three shapes:

- many-to-one (activity recognition): `build_model("LRCN", clip_shape,
  classes=...)`, the package's `CRNN(..., head="sequence")` with a CNN per
  frame (flattened maps, so features keep where things are), an LSTM whose
  last state is classified (`keras_crnn.models.presets`);
- one-to-many (image captioning): `build_captioner("image", ...)`, the image's
  features start the LSTM decoder and, as in LRCN, enter it again at every
  step beside the previous word;
- many-to-many (video captioning): `build_captioner("video", ...)`, a CNN per
  frame, an LSTM encoder whose final state starts the LSTM decoder.

Captions are token ids from `caption_vectorizer` (`keras.layers.TextVectorization`)
with `startseq` and `endseq` around the words. The captioner is trained with
teacher forcing: inputs `[visual, tokens[:, :-1]]`, targets `tokens[:, 1:]`.
`greedy_decode` and `beam_decode` only call the model, so they work on a model
loaded from a `.keras` file; with beam width 1 the beam search is the greedy one.
"""

import keras
import numpy as np

from keras_crnn.models.genre import frame_encoder

START, END = "startseq", "endseq"


def caption_vectorizer(captions, max_words=12):
    """A `TextVectorization` adapted to `captions` (lower case, no punctuation),
    with `startseq`/`endseq` added: ids `(n, max_words + 2)`, 0 = padding."""
    layer = keras.layers.TextVectorization(output_sequence_length=max_words + 2,
                                           standardize="lower_and_strip_punctuation")
    layer.adapt([f"{START} {c} {END}" for c in captions])
    return layer


def encode_captions(vectorizer, captions):
    """Token ids `(n, length)` of `captions` with start and end tokens."""
    return np.asarray(vectorizer([f"{START} {c} {END}" for c in captions]))


def build_captioner(kind, visual_shape, vocabulary_size, max_length, units=256,
                    encoder="small-cnn", embedding=64, pooling="avg"):
    """An encoder-decoder LSTM captioner (see the module docstring).

    Args:
        kind: `"image"` (`visual_shape` = `(rows, cols, 3)`) or `"video"`
            (`(time, rows, cols, 3)`).
        vocabulary_size: `vectorizer.vocabulary_size()`.
        max_length: decoder input length (caption ids minus one).
        units: LSTM units (encoder and decoder).
        encoder: the frame encoder (`keras_crnn.models.genre.frame_encoder`).
        pooling: the encoder's pooling: `"avg"`, or `"flatten"` when the
            caption names where things are ("at the top").
        embedding: word embedding size.

    Returns:
        `keras.Model([visual, tokens], next-token probabilities (batch,
        max_length, vocabulary_size))`.
    """
    if kind not in ("image", "video"):
        raise ValueError(f"`kind` must be 'image' or 'video'. Received: {kind!r}")
    visual = keras.Input(tuple(visual_shape), name="visual")
    tokens = keras.Input((max_length,), dtype="int32", name="tokens")
    if kind == "image":
        features = frame_encoder(encoder, visual_shape, pooling=pooling)(visual)
        h = keras.layers.Dense(units, activation="tanh", name="init_h")(features)
        c = keras.layers.Dense(units, activation="tanh", name="init_c")(features)
        state = [h, c]
    else:
        frames = keras.layers.TimeDistributed(
            frame_encoder(encoder, visual_shape[1:], pooling=pooling), name="encoder")(visual)
        _, h, c = keras.layers.LSTM(units, return_state=True, name="video_encoder")(frames)
        state = [h, c]
    words = keras.layers.Embedding(vocabulary_size, embedding, mask_zero=True,
                                   name="embedding")(tokens)
    if kind == "image":  # the visual features beside every word
        seen = keras.layers.Dense(embedding, activation="relu", name="visual_step")(features)
        seen = keras.layers.RepeatVector(max_length, name="every_step")(seen)
        words = keras.layers.Concatenate(name="word_and_image")([words, seen])
    x = keras.layers.LSTM(units, return_sequences=True, name="decoder")(words,
                                                                        initial_state=state)
    outputs = keras.layers.Dense(vocabulary_size, activation="softmax", name="next_word")(x)
    return keras.Model([visual, tokens], outputs, name=f"{kind}_captioner")


def _ids(vocabulary):
    index = {word: i for i, word in enumerate(vocabulary)}
    return index[START], index[END]


def _words(vocabulary, ids, end):
    out = []
    for i in ids:
        if i == end or i == 0:
            break
        out.append(vocabulary[i])
    return " ".join(out)


def greedy_decode(model, visual, vocabulary):
    """The most likely next word at every step, until `endseq`.

    Args:
        model: a captioner (`build_captioner`, or loaded).
        visual: a batch of images or videos, scaled as in training.
        vocabulary: `vectorizer.get_vocabulary()`.

    Returns:
        a caption string per item.
    """
    start, end = _ids(vocabulary)
    length = model.input_shape[1][1]
    visual = np.asarray(visual)
    tokens = np.zeros((len(visual), length), np.int32)
    tokens[:, 0] = start
    done = np.zeros(len(visual), bool)
    for t in range(length - 1):
        probabilities = np.asarray(model([visual, tokens], training=False))[:, t]
        tokens[:, t + 1] = np.where(done, 0, probabilities.argmax(-1))
        done |= tokens[:, t + 1] == end
        if done.all():
            break
    last = np.asarray(model([visual, tokens], training=False))[:, length - 1].argmax(-1)
    return [_words(vocabulary, list(row[1:]) + [word], end)
            for row, word in zip(tokens, last, strict=True)]


def beam_decode(model, visual, vocabulary, width=3):
    """Beam search: keeps the `width` most likely captions (sum of log
    probabilities) of every item at every step; finished captions keep their
    score and compete with the live ones. All items and beams go through the
    model together, one call per step.

    Returns:
        a caption string per item.
    """
    start, end = _ids(vocabulary)
    length = model.input_shape[1][1]
    visual = np.asarray(visual)
    n = len(visual)
    tokens = np.zeros((n, width, length + 1), np.int32)
    tokens[:, :, 0] = start
    scores = np.full((n, width), -np.inf)
    scores[:, 0] = 0.0  # one live beam to start with
    done = np.zeros((n, width), bool)
    repeated = np.repeat(visual, width, axis=0)
    for t in range(length):
        if done[np.isfinite(scores)].all():
            break
        p = np.asarray(model([repeated, tokens[:, :, :length].reshape(n * width, length)],
                             training=False))[:, t]
        log_p = np.log(p + 1e-12).reshape(n, width, -1)
        # A finished beam has one continuation: padding, at no cost.
        log_p[done] = -np.inf
        log_p[done, 0] = 0.0
        candidates = (scores[:, :, None] + log_p).reshape(n, -1)
        # A stable sort keeps the earlier beam and the lower word id first among
        # equal scores, so width 1 is the greedy choice.
        best = np.argsort(-candidates, axis=1, kind="stable")[:, :width]
        beam, word = np.divmod(best, log_p.shape[-1])
        rows = np.arange(n)[:, None]
        tokens = tokens[rows, beam]
        tokens[:, :, t + 1] = word
        done = done[rows, beam] | (word == end)
        scores = candidates[rows, best]
    return [_words(vocabulary, list(row[0, 1:]), end) for row in tokens]


def bleu(references, hypotheses, max_order=4):
    """Corpus BLEU-1..`max_order` (0-100) of `hypotheses`, by sacrebleu: words
    split at spaces, sacrebleu's default smoothing ("exp") for n-gram orders
    without a match.

    Args:
        references: one reference caption per hypothesis, or a list of
            equally many references per hypothesis (e.g. "a red circle above
            a blue square" and "a blue square below a red circle").
        hypotheses: the decoded captions.

    Returns:
        dict `{"bleu_1": ..., ..., "bleu_4": ...}`.
    """
    from sacrebleu.metrics import BLEU

    references = [[r] if isinstance(r, str) else list(r) for r in references]
    if len({len(r) for r in references}) > 1:
        raise ValueError("Every hypothesis needs as many references. Received: "
                         f"{sorted({len(r) for r in references})} references per hypothesis")
    streams = [list(stream) for stream in zip(*references, strict=True)]
    return {f"bleu_{n}": BLEU(max_ngram_order=n, tokenize="none")
            .corpus_score(list(hypotheses), streams).score
            for n in range(1, max_order + 1)}
