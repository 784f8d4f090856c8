"""Stage 1 of the genre paper's two-stage training, cached on disk.

A frame classifier (`keras_crnn.models.genre.build_frame_classifier`) is
trained on single frames; its pooled features (`pool`), probabilities
(`softmax`) and, optionally, unpooled maps (`map`) are computed once for every
frame of every split and cached in `$KERAS_CRNN_CACHE/genre-features/`
(default `~/.cache/keras_crnn`), keyed by the data and the stage-1 settings,
so a second run skips this stage.
"""

import hashlib
import json
import os
from pathlib import Path

import numpy as np

CACHE_VERSION = 4
SPLITS = ("train", "validation", "test")
STAGE1_SETTINGS = ("encoder", "frame_epochs", "frame_stride", "batch_size", "spatial")


def cache_dir():
    """Where stage-1 frame features are cached: `$KERAS_CRNN_CACHE` or
    `~/.cache/keras_crnn`."""
    return Path(os.environ.get("KERAS_CRNN_CACHE", Path.home() / ".cache" / "keras_crnn"))


def _cache_path(data, settings, seed, weights):
    stage1 = {key: settings.get(key) for key in STAGE1_SETTINGS}
    digest = hashlib.sha256(json.dumps([CACHE_VERSION, stage1, seed, str(weights)],
                                       sort_keys=True).encode())
    for split in SPLITS:
        for array in data[split][:3:2]:  # frames and labels
            digest.update(np.ascontiguousarray(array).data)
    return cache_dir() / "genre-features" / f"{digest.hexdigest()[:20]}.npz"


def _read(path):
    with np.load(path, allow_pickle=False) as cached:
        features = {split: {key.split("_", 1)[1]: cached[key] for key in cached.files
                            if key.startswith(f"{split}_")} for split in SPLITS}
        meta = json.loads(str(cached["meta"]))
        weights = {part: [cached[f"{part}_weight_{i}"] for i in range(meta.pop(f"{part}_arrays"))]
                   for part in ("encoder", "head")}
    return {"features": features, "encoder_weights": weights["encoder"],
            "head_weights": weights["head"], "path": str(path), "cached": True, **meta}


def cached_frame_features(data, settings, seed, weights=None, progress=True):
    """Trains the frame classifier on single training frames (every
    `frame_stride`-th frame; with `weights`, only its softmax head) and
    caches its features for every frame.

    Args:
        data: `keras_crnn.datasets.genre_splits.genre_data`'s dict.
        settings: `encoder`, `frame_epochs`, `frame_stride`, `batch_size`,
            `spatial` (also cache `map`).
        weights: the encoder's weights file, or None.

    Returns:
        dict: `features` (`{split: {"pool": (n, time, f), "softmax": (n,
        time, classes)}}`, plus `map` with `spatial`), `encoder_weights` and
        `head_weights` (the trained frame encoder's and softmax layer's),
        `history` and `seconds` of stage 1, `path` of the cache file and
        `cached` (True when read from disk).
    """
    import keras

    from keras_crnn import pipelines
    from keras_crnn.atomic import atomic_path
    from keras_crnn.models.genre import build_frame_classifier, frame_features
    from keras_crnn.training import fit_model

    path = _cache_path(data, settings, seed, weights)
    if path.is_file():
        return _read(path)

    def frames(split):
        clips, _, labels, _ = data[split]
        chosen = clips[:, ::settings["frame_stride"]]
        return chosen.reshape((-1,) + clips.shape[2:]), np.repeat(labels, chosen.shape[1])

    keras.utils.set_random_seed(seed)
    # A pretrained encoder stays frozen: only its softmax head learns the genres.
    classifier = build_frame_classifier(data["train"][0].shape[2:], len(data["classes"]),
                                        settings["encoder"], weights,
                                        train_encoder=weights is None)
    batch = 4 * settings["batch_size"]
    fit = fit_model(classifier, "sparse_categorical_crossentropy",
                    pipelines.make_dataset(*frames("train"), batch_size=batch, seed=seed,
                                           scale=1 / 255),
                    pipelines.make_dataset(*frames("validation"), batch_size=batch,
                                           shuffle=False, scale=1 / 255),
                    settings["frame_epochs"], seed, metrics=["accuracy"],
                    description="stage 1: frame classifier", progress=progress)
    features = {split: frame_features(classifier, data[split][0],
                                      spatial=settings.get("spatial", False))
                for split in SPLITS}
    parts = {"encoder": classifier.get_layer("frame_encoder").get_weights(),
             "head": classifier.get_layer("frame_scores").get_weights()}
    meta = {"history": fit["history"], "seconds": round(fit["seconds"], 1)}
    arrays = {f"{split}_{kind}": value for split in SPLITS
              for kind, value in features[split].items()}
    for part, values in parts.items():
        arrays.update({f"{part}_weight_{i}": value for i, value in enumerate(values)})
    counts = {f"{part}_arrays": len(values) for part, values in parts.items()}
    with atomic_path(path) as tmp:
        np.savez(tmp, meta=json.dumps({**meta, **counts}), **arrays)
    return {"features": features, "encoder_weights": parts["encoder"],
            "head_weights": parts["head"], "path": str(path), "cached": False, **meta}
