"""Results tables in the shared format (../shared/SPEC.md, section 0).

```
{"name", "title", "scale", "data_source", "seed", "epochs", "versions", "created",
 "rows": [{"model", "dataset", "metric", "value", "paper", ...}], "extras": {...}}
```
One row per table cell; metric names lower case; accuracies in percent.
"""

import datetime
import json
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from keras_crnn.atomic import atomic_path
from keras_crnn.experiments.record import SCALES


def versions():
    """Versions of what produced a result."""
    import keras
    import numpy as np

    import keras_crnn

    out = {"keras_crnn": keras_crnn.__version__, "keras": keras.__version__,
           "backend": keras.backend.backend(), "numpy": np.__version__,
           "python": platform.python_version()}
    try:
        import tensorflow as tf

        out["tensorflow"] = tf.__version__
    except ImportError:
        pass
    return out


def format_number(value):
    """Two decimals, or three significant digits for small magnitudes; "" for None.

    >>> [format_number(v) for v in (98.333, 0.000624, None, float("inf"))]
    ['98.33', '0.000624', '', 'inf']
    """
    if value is None:
        return ""
    if value != 0 and abs(value) < 0.1 and np.isfinite(value):
        return f"{value:.3g}"
    return f"{value:.2f}"


@dataclass
class ResultsTable:
    """One reproduced paper table: our numbers beside the paper's."""

    name: str
    title: str
    scale: str
    data_source: str
    seed: int
    epochs: int
    rows: list = field(default_factory=list)
    versions: dict = field(default_factory=versions)
    created: str = field(
        default_factory=lambda: datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        )
    )
    extras: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.scale not in SCALES:
            raise ValueError(f"`scale` must be one of {SCALES}. Received: scale={self.scale!r}")

    def add(self, model, dataset, metric, value, paper=None, **details):
        """Appends one cell; `details` (e.g. `stderr`, `count`) are kept in the row."""
        self.rows.append({"model": model, "dataset": dataset, "metric": metric,
                          "value": float(value),
                          "paper": None if paper is None else float(paper), **details})

    def add_over_seeds(self, model, dataset, metric, values, seeds, paper=None):
        """Appends the mean of per-seed `values`, with `std` (sample standard
        deviation; None for one seed), `seeds` and the `values` themselves."""
        values = [float(v) for v in values]
        std = float(np.std(values, ddof=1)) if len(values) > 1 else None
        self.add(model, dataset, metric, float(np.mean(values)), paper, std=std,
                 seeds=list(seeds), values=values)

    def record_fit(self, model, fit, epochs=None):
        """Keeps a model's training record: its per-epoch `history`, seconds
        of training, and the epochs trained (of at most `epochs`) with the
        best one (`fit` from `keras_crnn.training.fit_model`)."""
        self.extras.setdefault("histories", {})[model] = fit["history"]
        self.extras.setdefault("train_seconds", {})[model] = round(fit["seconds"], 1)
        trained = {"epochs": fit["epochs"], "best_epoch": fit["best_epoch"]}
        if epochs is not None:
            trained["max_epochs"] = epochs
        self.extras.setdefault("train_epochs", {})[model] = trained

    def value(self, model, metric, dataset=None):
        """The value of the first row matching `model`, `metric` (and `dataset`)."""
        for row in self.rows:
            if row["model"] == model and row["metric"] == metric and (
                dataset is None or row["dataset"] == dataset
            ):
                return row["value"]
        raise KeyError(f"No row for model={model!r}, metric={metric!r}, dataset={dataset!r}")

    def to_json(self, path):
        """Writes the table atomically (a temporary file renamed into place)."""
        path = Path(path)
        with atomic_path(path) as tmp, open(tmp, "w") as f:
            json.dump(asdict(self), f, indent=1)
            f.write("\n")
        return path

    @classmethod
    def from_json(cls, path):
        with open(path) as f:
            data = json.load(f)
        return cls(**data)

    def _header(self):
        return [f"**{self.title}** (`{self.name}`, scale `{self.scale}`, {self.epochs} epochs, "
                f"seed {self.seed})", "", f"Data: {self.data_source}", ""]

    def to_wide_markdown(self, metrics):
        """A Markdown table with a row per model and a column per metric in
        `metrics` (those present); the paper's numbers on rows of their own.
        Cells show `value ± stderr` (or `± std` on means over seeds)."""
        models = list(dict.fromkeys(row["model"] for row in self.rows))
        present = [m for m in metrics if any(row["metric"] == m for row in self.rows)]
        cells, papers = {}, {}
        for row in self.rows:
            cell = format_number(row["value"])
            spread = row.get("stderr", row.get("std"))
            if spread is not None:
                cell += f" ± {format_number(spread)}"
            cells.setdefault((row["model"], row["metric"]), cell)
            if row["paper"] is not None:
                papers.setdefault(row["model"], {})[row["metric"]] = row["paper"]
        lines = self._header() + ["| model | " + " | ".join(present) + " |",
                                  "|---|" + "---:|" * len(present)]
        for model in models:
            values = [cells.get((model, m), "") for m in present]
            lines.append(f"| {model} | " + " | ".join(values) + " |")
        for model, paper in papers.items():
            values = [format_number(paper.get(m)) for m in present]
            lines.append(f"| paper: {model} | " + " | ".join(values) + " |")
        return "\n".join(lines)

    def to_markdown(self, metrics=None):
        """A Markdown table: model, dataset, metric, ours (± standard error), paper."""
        lines = self._header() + ["| model | dataset | metric | ours | paper |",
                                  "|---|---|---|---:|---:|"]
        for row in self.rows:
            if metrics is not None and row["metric"] not in metrics:
                continue
            ours = format_number(row["value"])
            if row.get("stderr") is not None:
                ours += f" ± {format_number(row['stderr'])}"
            paper = format_number(row["paper"])
            lines.append(f"| {row['model']} | {row['dataset']} | {row['metric']} | {ours} | {paper} |")
        return "\n".join(lines)


def cache_settings(settings, *left_out):
    """`settings` as JSON-able values for a `Run.cached` key, without the keys
    `left_out` (e.g. `"seeds"`: one seed's fits do not depend on how many
    seeds a table averages)."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in settings.items()
            if k not in left_out}


def fit_record(fit, max_epochs):
    """The JSON-able part of a `keras_crnn.training.fit_model` record, with
    its cap `max_epochs`: what `ResultsTable.record_fit` keeps, and what runs
    keep in their cache (`Run.cached`)."""
    return {**{k: fit[k] for k in ("history", "seconds", "epochs", "best_epoch")},
            "max_epochs": max_epochs}


def encode_images(images):
    """uint8 images as `{"shape", "hex"}`, compact inside a results JSON."""
    images = np.ascontiguousarray(images, np.uint8)
    return {"shape": list(images.shape), "hex": images.tobytes().hex()}


def decode_images(encoded):
    """The uint8 array `encode_images` stored.

    >>> decode_images(encode_images(np.arange(6, dtype=np.uint8).reshape(2, 3))).tolist()
    [[0, 1, 2], [3, 4, 5]]
    """
    return np.frombuffer(bytes.fromhex(encoded["hex"]), np.uint8).reshape(encoded["shape"])


def encode_masks(masks):
    """Boolean masks as `{"shape", "bits"}` (bits packed, hex)."""
    masks = np.asarray(masks, bool)
    return {"shape": list(masks.shape), "bits": np.packbits(masks).tobytes().hex()}


def decode_masks(encoded):
    """The boolean masks `encode_masks` stored.

    >>> decode_masks(encode_masks(np.eye(3, dtype=bool))).astype(int).tolist()
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    """
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(encoded["bits"]), np.uint8))
    return bits[: int(np.prod(encoded["shape"]))].reshape(encoded["shape"]).astype(bool)
