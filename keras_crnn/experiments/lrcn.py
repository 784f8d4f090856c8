"""LRCN captioning (the LRCN paper's one-to-many and many-to-many models).

`keras-crnn reproduce lrcn-captioning --scale quick|cpu|paper`.

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

DATASETS = ("synthetic",)
SCALES = {
    "quick": {"train": 120, "test": 20, "epochs": 2, "units": 32, "length": 4, "size": 16},
    "cpu": {"train": 2400, "test": 200, "epochs": 12, "units": 128, "length": 6, "size": 32},
    "paper": {"train": 20000, "test": 1000, "epochs": 30, "units": 512, "length": 8,
              "size": 64},
}
EXAMPLES = 8


def captioning(scale="quick", dataset="synthetic", data_dir=None, seed=0, progress=True):
    """LRCN video and image captioning: BLEU-1..4, greedy and beam search."""
    import keras

    from keras_crnn import pipelines
    from keras_crnn.datasets.captions import captioned_images, captioned_videos
    from keras_crnn.experiments.results import ResultsTable
    from keras_crnn.experiments.training import fit_model
    from keras_crnn.models.lrcn import (
        beam_decode,
        bleu,
        build_captioner,
        caption_vectorizer,
        encode_captions,
        greedy_decode,
    )

    s = SCALES[scale]
    count = s["train"] + s["test"]
    sets = {"video": captioned_videos(count, length=s["length"], size=s["size"], seed=seed),
            "image": captioned_images(count, size=s["size"], seed=seed)}
    table = ResultsTable("lrcn-captioning", "LRCN captioning (BLEU)", scale,
                         f"synthetic captioned videos ({s['length']} frames) and images "
                         f"(keras_crnn.datasets.captions, seed {seed}), {s['size']}x{s['size']}: "
                         f"{s['train']} training (a tenth validates), {s['test']} test items each",
                         seed, s["epochs"])
    table.extras.update(examples={}, histories={}, train_seconds={})
    for kind, (visual, captions) in sets.items():
        vectorizer = caption_vectorizer(captions, max_words=7)
        ids = encode_captions(vectorizer, captions)
        keras.utils.set_random_seed(seed)
        # Flattened encoder maps keep where the shape is ("at the top", "moves left").
        model = build_captioner(kind, visual.shape[1:], vectorizer.vocabulary_size(),
                                ids.shape[1] - 1, units=s["units"], pooling="flatten")
        n_val = max(1, s["train"] // 10)
        fit_slice, val_slice = slice(0, s["train"] - n_val), slice(s["train"] - n_val, s["train"])

        def batches(part, shuffle, visual=visual, ids=ids):
            return pipelines.make_dataset((visual[part], ids[part, :-1]), ids[part, 1:],
                                          batch_size=32, shuffle=shuffle, seed=seed,
                                          scale=(1 / 255, None))

        fit = fit_model(model, "sparse_categorical_crossentropy", batches(fit_slice, True),
                        batches(val_slice, False), s["epochs"], seed,
                        description=f"{kind} captioner", progress=progress)
        test = slice(s["train"], count)
        x = visual[test].astype(np.float32) / 255.0
        truth = captions[test]
        vocabulary = vectorizer.get_vocabulary()
        for decoding, decoded in (("greedy", greedy_decode(model, x, vocabulary)),
                                  ("beam 3", beam_decode(model, x, vocabulary, width=3))):
            row = f"LRCN {kind} captioner ({decoding})"
            for metric, value in bleu(truth, decoded).items():
                table.add(row, dataset, metric, value)
            table.add(row, dataset, "exact_match", 100 * np.mean(
                [a == b for a, b in zip(truth, decoded, strict=True)]))
            table.extras["examples"][row] = list(zip(truth[:EXAMPLES], decoded[:EXAMPLES],
                                                     strict=True))
        table.extras["histories"][kind] = fit["history"]
        table.extras["train_seconds"][kind] = round(fit["seconds"], 1)
    return table


def to_markdown(table):
    """BLEU per model and decoding, then example captions beside the truth."""
    lines = [table.to_wide_markdown(("bleu_1", "bleu_2", "bleu_3", "bleu_4", "exact_match")), ""]
    for row, pairs in table.extras["examples"].items():
        if "greedy" in row:
            lines += [f"**{row}**, test examples:", "", "| truth | decoded |", "|---|---|"]
            lines += [f"| {truth} | {decoded} |" for truth, decoded in pairs] + [""]
    return "\n".join(lines).rstrip()
