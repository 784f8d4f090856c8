"""Experiments as data: one `Experiment` record per paper table or figure.

A record says what a table is (paper, table, description), how to make it
(the exact command, the datasets it accepts, per-scale settings), what the
paper measured, and the paper's **finding** as data (`Finding`), which
`reproduce` evaluates on the results and prints as holds / does not hold.
A runner takes one `Run` (the record, the scale's settings, dataset, data
folder, seed, progress) and returns a `ResultsTable`.

Every experiment's settings have the keys of `COMMON_SETTINGS` at every scale:
`epochs` (the most epochs to train, or per stage), `batch_size` and
`patience` (early stopping on the validation loss; None trains all `epochs`,
keeping the best epoch's weights).
"""

import fnmatch
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from keras_crnn.atomic import atomic_path

_MEMORY = {}  # `Run.cached` without a cache folder
SCALES = ("tiny", "quick", "cpu", "paper")
SCALE_TEXT = {"tiny": "tests, seconds", "quick": "a smoke check, minutes",
              "cpu": "a 2-core CPU, the committed results", "paper": "the paper's sizes, a GPU"}
COMMON_SETTINGS = ("epochs", "batch_size", "patience")
FINDING_KINDS = ("beats", "atleast", "close", "flat", "all_beat")


@dataclass(frozen=True)
class Finding:
    """A paper's claim about a table, checked on our results.

    `kind`:

    - `"beats"`: the best of the `a` rows exceeds the best of the `b` rows by
      at least `margin`, and by more than 0 (lower is better when
      `higher_is_better` is False);
    - `"atleast"`: the same, where a tie with `margin` 0 counts;
    - `"close"`: the best `a` and best `b` rows differ by at most `margin`;
    - `"flat"`: all rows matching `a` lie within `margin` of each other;
    - `"all_beat"`: the worst of the `a` rows beats the best `b` row (by at
      least `margin`, and by more than 0): every `a` row does.

    Row names are `fnmatch` patterns (`"FC-VGG*"` covers the equal-epochs
    control), matched on `metric` (and `dataset`, when given). Rows that are
    means over seeds carry their `std`; the verdict then says whether the gap
    is beyond the seed spread (larger than the two compared rows' standard
    deviations added).
    """

    text: str
    kind: str
    metric: str
    a: tuple
    b: tuple = ()
    margin: float = 0.0
    higher_is_better: bool = True
    dataset: str | None = None

    def __post_init__(self):
        if self.kind not in FINDING_KINDS:
            raise ValueError(f"Finding kind must be one of {FINDING_KINDS}. "
                             f"Received: kind={self.kind!r}")
        if (self.kind == "flat") == bool(self.b):
            raise ValueError(f"A {self.kind!r} finding takes "
                             f"{'only `a`' if self.kind == 'flat' else '`a` and `b`'} rows. "
                             f"Received: a={self.a}, b={self.b}")

    def _rows(self, table, patterns):
        rows = {row["model"]: row for row in table.rows
                if row["metric"] == self.metric
                and (self.dataset is None or row["dataset"] == self.dataset)
                and any(fnmatch.fnmatchcase(row["model"], p) for p in patterns)}
        if not rows:
            raise KeyError(f"Finding {self.text!r}: no {self.metric} rows match {patterns} in "
                           f"{table.name}")
        return rows

    def _compared(self, table):
        """The `a` and `b` rows the gap is measured between."""
        sign = 1 if self.higher_is_better else -1
        a = self._rows(table, self.a).values()
        b = self._rows(table, self.b).values()
        pick_a = min if self.kind == "all_beat" else max
        return (pick_a(a, key=lambda r: sign * r["value"]),
                max(b, key=lambda r: sign * r["value"]))

    def evaluate(self, table):
        """`(holds, measured)`: whether the finding holds on `table` and the
        measured gap (or spread, for `"flat"`)."""
        if self.kind == "flat":
            a = [r["value"] for r in self._rows(table, self.a).values()]
            spread = max(a) - min(a)
            return spread <= self.margin, spread
        a, b = self._compared(table)
        gap = a["value"] - b["value"]
        if not self.higher_is_better:
            gap = -gap
        if self.kind in ("beats", "all_beat"):
            return gap >= self.margin and gap > 0, gap
        if self.kind == "atleast":
            return gap >= self.margin, gap
        return abs(gap) <= self.margin, gap  # "close"

    def seed_spread(self, table):
        """The compared rows' standard deviations added (None when neither
        row is a mean over seeds, or for `"flat"`)."""
        if self.kind == "flat":
            return None
        stds = [r.get("std") for r in self._compared(table)]
        return None if all(s is None for s in stds) else sum(s or 0.0 for s in stds)

    def verdict(self, table):
        """One Markdown line: the finding, holds / does not hold, the measure
        (and, on means over seeds, whether the gap is beyond their spread)."""
        try:
            holds, measured = self.evaluate(table)
            spread = self.seed_spread(table)
        except KeyError:
            return f"- {self.text}: not measured in this run"
        what = "spread" if self.kind == "flat" else "gap"
        line = (f"- {self.text}: **{'holds' if holds else 'does not hold'}** "
                f"({what} {measured:+.3g} {self.metric}")
        if spread is not None:
            where = "beyond" if abs(measured) > spread else "within"
            line += f", {where} the seed spread {spread:.3g}"
        return line + ")"


@dataclass(frozen=True)
class Experiment:
    """One paper table or figure and how to reproduce it."""

    name: str
    paper: str
    table: str
    title: str
    description: str
    runner: Callable
    scales: dict
    datasets: tuple
    paper_numbers: dict = field(default_factory=dict)
    findings: tuple = ()
    summary_metrics: tuple = ("accuracy",)
    markdown: Callable | None = None
    figure: Callable | None = None
    takes_weights: bool = False  # a pretrained frame encoder's file (`--weights`)

    def __post_init__(self):
        if set(self.scales) != set(SCALES):
            raise ValueError(f"{self.name}: settings for every scale {SCALES}. "
                             f"Received: {sorted(self.scales)}")
        keys = {scale: set(s) for scale, s in self.scales.items()}
        if len({frozenset(k) for k in keys.values()}) != 1 or \
                not set(COMMON_SETTINGS) <= keys["tiny"]:
            raise ValueError(f"{self.name}: every scale needs the same settings, including "
                             f"{COMMON_SETTINGS}. Received: {keys}")

    def command(self, dataset=None, data_dir=None, weights=None):
        """The command that makes the committed (cpu-scale) results (on
        `dataset` from `data_dir` when they are not the record's default,
        with the frame encoder's `weights` file when one was given)."""
        words = f"keras-crnn reproduce {self.name} --scale cpu"
        if dataset not in (None, self.datasets[0]):
            words += f" --dataset {dataset}"
        if data_dir is not None:
            words += f" --data-dir {data_dir}"
        if weights is not None:
            words += f" --weights {weights}"
        return words

    def settings(self, scale):
        if scale not in SCALES:
            raise ValueError(f"`scale` must be one of {SCALES}. Received: scale={scale!r}")
        return dict(self.scales[scale])

    def to_markdown(self, table):
        """The full Markdown table `reproduce` writes (`results/NAME.md`)."""
        if self.markdown is not None:
            return self.markdown(table)
        return table.to_markdown(self.summary_metrics)

    def verdicts(self, table):
        """Markdown lines, one per finding."""
        return [finding.verdict(table) for finding in self.findings]


@dataclass(frozen=True)
class Run:
    """What one run of an experiment needs: passed to its runner."""

    experiment: Experiment
    scale: str
    dataset: str
    data_dir: str | None = None
    seed: int = 0
    progress: bool = True
    precision: str = "float32"
    cache_dir: str | None = None
    weights: str | None = None

    @property
    def settings(self):
        return self.experiment.settings(self.scale)

    def cached(self, key, compute):
        """`compute()`, a JSON-able dict, kept under `cache_dir` by `key`.

        `key` is a JSON-able dict naming everything the result depends on
        (not the experiment's name, so that two experiments that train the
        same model share one fit, e.g. the baseline of Figures 3-6). The
        scale, dataset, data folder, precision and weights file are added to it. A run that
        is interrupted and started again computes only what is missing; each
        result is written atomically. Without a `cache_dir`, results are kept
        in memory for this process.
        """
        key = {**key, "scale": self.scale, "dataset": self.dataset,
               "data_dir": self.data_dir, "precision": self.precision}
        if self.weights is not None:
            key["weights"] = str(self.weights)
        text = json.dumps(key, sort_keys=True)
        key = json.loads(text)  # tuples as the stored lists
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        if self.cache_dir is None:
            if digest not in _MEMORY:
                _MEMORY[digest] = compute()
            return _MEMORY[digest]
        path = Path(self.cache_dir) / f"{digest}.json"
        if path.exists():
            stored = json.loads(path.read_text())
            if stored.get("key") == key:
                return stored["result"]
        result = compute()
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps({"key": key, "result": result}) + "\n")
        return result


    def results_table(self, data_source, epochs=None, title=None, name=None):
        """An empty `ResultsTable` for this run."""
        from keras_crnn.experiments.results import ResultsTable

        epochs = self.settings["epochs"] if epochs is None else epochs
        if isinstance(epochs, tuple | list):
            epochs = epochs[0]
        return ResultsTable(name or self.experiment.name, title or self.experiment.title,
                            self.scale, data_source, self.seed, epochs)
