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

from keras_crnn.atomic import atomic_path

SCALES = ("quick", "cpu", "paper")


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

    def to_markdown(self, metrics=None):
        """A Markdown table: model, dataset, metric, ours (± standard error), paper."""
        lines = [
            f"**{self.title}** (`{self.name}`, scale `{self.scale}`, {self.epochs} epochs, "
            f"seed {self.seed})",
            "",
            f"Data: {self.data_source}",
            "",
            "| model | dataset | metric | ours | paper |",
            "|---|---|---|---:|---:|",
        ]
        for row in self.rows:
            if metrics is not None and row["metric"] not in metrics:
                continue
            ours = f"{row['value']:.2f}"
            if row.get("stderr") is not None:
                ours += f" ± {row['stderr']:.2f}"
            paper = "" if row["paper"] is None else f"{row['paper']:.2f}"
            lines.append(f"| {row['model']} | {row['dataset']} | {row['metric']} | {ours} | {paper} |")
        return "\n".join(lines)
