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
        `metrics` (those present); the paper's numbers on rows of their own."""
        models = list(dict.fromkeys(row["model"] for row in self.rows))
        present = [m for m in metrics if any(row["metric"] == m for row in self.rows)]
        cells, papers = {}, {}
        for row in self.rows:
            cells.setdefault((row["model"], row["metric"]), row["value"])
            if row["paper"] is not None:
                papers.setdefault(row["model"], {})[row["metric"]] = row["paper"]
        lines = self._header() + ["| model | " + " | ".join(present) + " |",
                                  "|---|" + "---:|" * len(present)]
        for model in models:
            values = [format_number(cells.get((model, m))) for m in present]
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
