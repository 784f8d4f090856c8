"""Writing generated datasets to disk as `.npz` shards, atomically.

    out_dir/
      shard-00000.npz ...   arrays sharing their first axis, `shard_size` rows each
      manifest.json         written last: names, shapes, dtypes, shards, source

The whole folder is written beside `out_dir` and renamed into place when
complete (replacing an old dataset only then), so an interrupted run leaves the
old folder as it was and no half-written shard. `read_shards` loads a
folder back with `allow_pickle=False`.
"""

import json
import zipfile
from pathlib import Path

import numpy as np

from keras_crnn.atomic import atomic_folder

MANIFEST = "manifest.json"


def write_shards(out_dir, arrays, shard_size=1000, force=False, source="", progress=True):
    """Writes `arrays` (a dict of arrays with one first axis) as `.npz` shards.

    Args:
        out_dir: folder to write; created if missing.
        arrays: e.g. `{"frames": (n, T, H, W, C) uint8, "labels": (n, T) int}`.
        shard_size: rows per shard.
        force: replace a non-empty folder (the new dataset is written beside
            it and swapped in when complete; a kill leaves the old one).
        source: what produced the data, kept in the manifest.
        progress: show a progress bar.

    Returns:
        The manifest dict.

    Raises:
        FileExistsError: `out_dir` is not empty and `force` is False.
        ValueError: the arrays disagree in length or are empty.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not force:
        raise FileExistsError(f"{out_dir} is not empty. Pass force=True (--force) to write "
                              "into it anyway.")
    lengths = {name: len(a) for name, a in arrays.items()}
    if not arrays or len(set(lengths.values())) != 1 or 0 in lengths.values():
        raise ValueError(f"Expected non-empty arrays of one length. Received lengths: {lengths}")
    if not isinstance(shard_size, int) or shard_size < 1:
        raise ValueError(f"`shard_size` must be a positive integer. Received: {shard_size!r}")
    total = next(iter(lengths.values()))
    starts = range(0, total, shard_size)
    from tqdm.auto import tqdm

    shards = []
    # The new dataset is written in a folder beside `out_dir` and swapped in at
    # the end: until then the old one (with --force) is untouched.
    with atomic_folder(out_dir, replace=True) as tmp_dir:
        for k, start in enumerate(tqdm(starts, desc=f"writing {out_dir.name}", unit="shard",
                                       disable=not progress)):
            name = f"shard-{k:05d}.npz"
            part = {key: np.asarray(a[start : start + shard_size]) for key, a in arrays.items()}
            with open(tmp_dir / name, "wb") as f:
                np.savez(f, **part)
            shards.append(name)
        manifest = {
            "rows": total,
            "shards": shards,
            "arrays": {k: {"shape": list(np.shape(a)), "dtype": str(np.asarray(a[:1]).dtype)}
                       for k, a in arrays.items()},
            "source": source,
        }
        (tmp_dir / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def read_shards(folder):
    """Loads a folder written by `write_shards` into a dict of arrays.

    Raises:
        FileNotFoundError: no manifest (not a dataset folder, or an interrupted
            write).
        ValueError: a shard is missing or does not match the manifest.
    """
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{manifest_path} is missing: {folder} is not a complete "
                                "dataset written by `keras-crnn generate`")
    try:
        manifest = json.loads(manifest_path.read_text())
        parts = {key: [] for key in manifest["arrays"]}
        names = list(manifest["shards"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{manifest_path} is not a manifest written by `keras-crnn generate` "
                         f"(expected JSON with `arrays` and `shards`): "
                         f"{type(error).__name__}: {error}") from None

    for name in names:
        path = folder / name
        if not path.is_file():
            raise ValueError(f"{path} is listed in the manifest but missing")
        try:
            with np.load(path, allow_pickle=False) as shard:
                for key in parts:
                    if key not in shard.files:
                        raise ValueError(f"{path} lacks the array {key!r}. "
                                         f"Received: {shard.files}")
                    parts[key].append(shard[key])
        except (OSError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"{path} is corrupt or truncated ({error}); expected an .npz "
                             "shard written by `keras-crnn generate`") from error
    arrays = {key: np.concatenate(chunks) for key, chunks in parts.items()}
    for key, array in arrays.items():
        if list(array.shape) != manifest["arrays"][key]["shape"]:
            raise ValueError(f"{folder}: {key} has shape {array.shape}, the manifest says "
                             f"{manifest['arrays'][key]['shape']}")
    return arrays
