"""LRCN captioning (the LRCN paper's one-to-many and many-to-many models).

`keras-crnn reproduce lrcn-captioning --scale tiny|quick|cpu|paper`.

Offline data whose captions are fully determined by the pixels
(`keras_crnn.datasets.captions`): videos of a coloured shape moving one way
("a red square moves left") and images of a shape of a size at a place ("a
small blue circle at the top"). An encoder-decoder LSTM
(`keras_crnn.models.lrcn`) is trained with teacher forcing on each, then
decodes the test items greedily and with a beam of 3; BLEU-1..4 (sacrebleu,
0-100) against the one true caption. The paper's BLEU scores are on COCO and
video datasets that are not comparable, so the rows have no paper numbers.
"""

import numpy as np

from keras_crnn.experiments.record import Experiment, Finding

DATASETS = ("synthetic",)
_SCALES = {
    "tiny": {"train": 60, "test": 10, "epochs": 1, "units": 16, "length": 4, "size": 16,
             "batch_size": 32, "patience": None},
    "quick": {"train": 120, "test": 20, "epochs": 2, "units": 32, "length": 4, "size": 16,
              "batch_size": 32, "patience": None},
    "cpu": {"train": 2400, "test": 200, "epochs": 12, "units": 128, "length": 6, "size": 32,
            "batch_size": 32, "patience": None},
    "paper": {"train": 20000, "test": 1000, "epochs": 30, "units": 512, "length": 8,
              "size": 64, "batch_size": 32, "patience": None},
}
EXAMPLES = 8


def captioning(run):
    """LRCN video and image captioning: BLEU-1..4, greedy and beam search."""
    import keras

    from keras_crnn import pipelines
    from keras_crnn.datasets.captions import captioned_images, captioned_videos
    from keras_crnn.models import build_model
    from keras_crnn.models.lrcn import (
        beam_decode,
        bleu,
        caption_vectorizer,
        encode_captions,
        greedy_decode,
    )
    from keras_crnn.training import fit_model

    s, seed = run.settings, run.seed
    count = s["train"] + s["test"]
    sets = {"video": captioned_videos(count, length=s["length"], size=s["size"], seed=seed),
            "image": captioned_images(count, size=s["size"], seed=seed)}
    table = run.results_table(
        f"synthetic captioned videos ({s['length']} frames) and images "
        f"(keras_crnn.datasets.captions, seed {seed}), {s['size']}x{s['size']}: "
        f"{s['train']} training (a tenth validates), {s['test']} test items each")
    table.extras.update(examples={})
    n_val = max(1, s["train"] // 10)
    fit_part, val_part = slice(0, s["train"] - n_val), slice(s["train"] - n_val, s["train"])
    for kind, (visual, captions) in sets.items():
        vectorizer = caption_vectorizer(captions, max_words=7)
        ids = encode_captions(vectorizer, captions)
        keras.utils.set_random_seed(seed)
        # Flattened encoder maps keep where the shape is ("at the top", "moves left").
        model = build_model(f"LRCN {kind} captioner", visual.shape[1:],
                            vocabulary_size=vectorizer.vocabulary_size(),
                            max_length=ids.shape[1] - 1, units=s["units"])

        def batches(part, shuffle, visual=visual, ids=ids):
            return pipelines.make_dataset((visual[part], ids[part, :-1]), ids[part, 1:],
                                          batch_size=s["batch_size"], shuffle=shuffle,
                                          seed=seed, scale=(1 / 255, None))

        fit = fit_model(model, "sparse_categorical_crossentropy", batches(fit_part, True),
                        batches(val_part, False), s["epochs"], seed,
                        description=f"{kind} captioner", progress=run.progress,
                        patience=s["patience"])
        x = visual[s["train"]:count].astype(np.float32) / 255.0
        truth = captions[s["train"]:count]
        vocabulary = vectorizer.get_vocabulary()
        for decoding, decoded in (("greedy", greedy_decode(model, x, vocabulary)),
                                  ("beam 3", beam_decode(model, x, vocabulary, width=3))):
            row = f"LRCN {kind} captioner ({decoding})"
            for metric, value in bleu(truth, decoded).items():
                table.add(row, run.dataset, metric, value)
            table.add(row, run.dataset, "exact_match", 100 * np.mean(
                [a == b for a, b in zip(truth, decoded, strict=True)]))
            table.extras["examples"][row] = list(zip(truth[:EXAMPLES], decoded[:EXAMPLES],
                                                     strict=True))
        table.record_fit(kind, fit, s["epochs"])
    return table


def _records():
    from keras_crnn.experiments import reports

    return (Experiment(
        "lrcn-captioning", "lrcn-and-encoder-decoder-lstm", "captioning (§5-6)",
        "LRCN captioning (BLEU)",
        "An image captioner (one-to-many) and a video captioner (many-to-many), "
        "encoder-decoder LSTMs trained with teacher forcing, decode the test items greedily "
        "and with a beam of 3; BLEU-1..4 and exact match.", captioning, _SCALES, DATASETS,
        findings=(Finding("beam search (3) is at least as good as greedy decoding (BLEU-4, "
                          "video)", "atleast", "bleu_4", ("LRCN video captioner (beam 3)",),
                          ("LRCN video captioner (greedy)",)),),
        summary_metrics=("bleu_1", "bleu_2", "bleu_3", "bleu_4", "exact_match"),
        markdown=reports.lrcn_markdown),)


EXPERIMENTS = _records()
