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
from collections.abc import Callable
from dataclasses import dataclass, field

SCALES = ("tiny", "quick", "cpu", "paper")
SCALE_TEXT = {"tiny": "tests, seconds", "quick": "a smoke check, minutes",
              "cpu": "a 2-core CPU, the committed results", "paper": "the paper's sizes, a GPU"}
COMMON_SETTINGS = ("epochs", "batch_size", "patience")
FINDING_KINDS = ("beats", "atleast", "close", "flat")


@dataclass(frozen=True)
class Finding:
    """A paper's claim about a table, checked on our results.

    `kind`:

    - `"beats"`: the best of the `a` rows exceeds the best of the `b` rows by
      at least `margin`, and by more than 0 (lower is better when
      `higher_is_better` is False);
    - `"atleast"`: the same, where a tie with `margin` 0 counts;
    - `"close"`: the best `a` and best `b` rows differ by at most `margin`;
    - `"flat"`: all rows matching `a` lie within `margin` of each other.

    Row names are `fnmatch` patterns (`"FC-VGG*"` covers the equal-epochs
    control), matched on `metric` (and `dataset`, when given).
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

    def _values(self, table, patterns):
        values = {row["model"]: row["value"] for row in table.rows
                  if row["metric"] == self.metric
                  and (self.dataset is None or row["dataset"] == self.dataset)
                  and any(fnmatch.fnmatchcase(row["model"], p) for p in patterns)}
        if not values:
            raise KeyError(f"Finding {self.text!r}: no {self.metric} rows match {patterns} in "
                           f"{table.name}")
        return values

    def evaluate(self, table):
        """`(holds, measured)`: whether the finding holds on `table` and the
        measured gap (or spread, for `"flat"`)."""
        a = self._values(table, self.a)
        if self.kind == "flat":
            spread = max(a.values()) - min(a.values())
            return spread <= self.margin, spread
        b = self._values(table, self.b)
        best = max if self.higher_is_better else min
        gap = best(a.values()) - best(b.values())
        if not self.higher_is_better:
            gap = -gap
        if self.kind == "beats":
            return gap >= self.margin and gap > 0, gap
        if self.kind == "atleast":
            return gap >= self.margin, gap
        return abs(gap) <= self.margin, gap  # "close"

    def verdict(self, table):
        """One Markdown line: the finding, holds / does not hold, the measure."""
        try:
            holds, measured = self.evaluate(table)
        except KeyError:
            return f"- {self.text}: not measured in this run"
        what = "spread" if self.kind == "flat" else "gap"
        return (f"- {self.text}: **{'holds' if holds else 'does not hold'}** "
                f"({what} {measured:+.3g} {self.metric})")


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

    def __post_init__(self):
        if set(self.scales) != set(SCALES):
            raise ValueError(f"{self.name}: settings for every scale {SCALES}. "
                             f"Received: {sorted(self.scales)}")
        keys = {scale: set(s) for scale, s in self.scales.items()}
        if len({frozenset(k) for k in keys.values()}) != 1 or \
                not set(COMMON_SETTINGS) <= keys["tiny"]:
            raise ValueError(f"{self.name}: every scale needs the same settings, including "
                             f"{COMMON_SETTINGS}. Received: {keys}")

    def command(self, dataset=None, data_dir=None):
        """The command that makes the committed (cpu-scale) results (on
        `dataset` from `data_dir` when they are not the record's default)."""
        words = f"keras-crnn reproduce {self.name} --scale cpu"
        if dataset not in (None, self.datasets[0]):
            words += f" --dataset {dataset}"
        if data_dir is not None:
            words += f" --data-dir {data_dir}"
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

    @property
    def settings(self):
        return self.experiment.settings(self.scale)

    def results_table(self, data_source, epochs=None, title=None, name=None):
        """An empty `ResultsTable` for this run."""
        from keras_crnn.experiments.results import ResultsTable

        epochs = self.settings["epochs"] if epochs is None else epochs
        if isinstance(epochs, tuple | list):
            epochs = epochs[0]
        return ResultsTable(name or self.experiment.name, title or self.experiment.title,
                            self.scale, data_source, self.seed, epochs)
