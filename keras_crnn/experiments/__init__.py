"""The papers' tables as `Experiment` records, one registry, and their runner.

    from keras_crnn.experiments import EXPERIMENTS, reproduce
    table = reproduce("occlusion-table1", scale="quick")
    print(EXPERIMENTS["occlusion-table1"].to_markdown(table))

`EXPERIMENTS` maps each name to its record (`keras_crnn.experiments.record`):
paper, table, description, command, datasets, per-scale settings, the paper's
numbers and findings. The records live beside their runners, one module per
paper (`occlusion`, `forecast`, `segmentation`, `genre`, `lrcn`); data
assembly is in `keras_crnn.datasets`, training in `keras_crnn.training`,
presentation in `reports`. The CLI (`keras-crnn reproduce NAME --scale ...`),
the notebooks and the tests all call `reproduce`.
"""

from pathlib import Path

from keras_crnn.atomic import atomic_path
from keras_crnn.experiments import forecast, genre, lrcn, occlusion, segmentation
from keras_crnn.experiments.record import SCALES, Experiment, Finding, Run
from keras_crnn.experiments.results import ResultsTable

EXPERIMENTS = {record.name: record for module in (occlusion, forecast, segmentation, genre, lrcn)
               for record in module.EXPERIMENTS}


def get_experiment(name):
    """The `Experiment` called `name`.

    Raises:
        ValueError: unknown name, listing the known ones.
    """
    if name not in EXPERIMENTS:
        raise ValueError(f"Unknown experiment. Expected one of {sorted(EXPERIMENTS)}. "
                         f"Received: {name!r}")
    return EXPERIMENTS[name]


def to_markdown(table):
    """The Markdown table `reproduce` writes for `table`."""
    return get_experiment(table.name).to_markdown(table)


def figure(table):
    """The paper figure of `table` (matplotlib Figure), or None when it has none."""
    experiment = get_experiment(table.name)
    return experiment.figure(table) if experiment.figure else None


def results_name(name, dataset=None):
    """The results file stem of experiment `name` on `dataset`: `NAME` for the
    record's default (offline) dataset, `NAME-DATASET` for another, e.g.
    `occlusion-table1-mnist`."""
    experiment = get_experiment(name)
    return name if dataset in (None, experiment.datasets[0]) else f"{name}-{dataset}"


def reproduce(name, scale="quick", dataset=None, data_dir=None, seed=0, out_dir="results",
              reuse=False, progress=True, precision="float32", weights=None):
    """Runs experiment `name` at `scale` and writes `out_dir/NAME.json`, `.md`
    and, for experiments with a figure, `.png` (`NAME-DATASET.*` on a dataset
    other than the record's default: `results_name`).

    Args:
        name: a key of `EXPERIMENTS`.
        scale: `tiny` (tests, seconds), `quick` (a smoke check, minutes),
            `cpu` (a 2-core CPU: the committed results) or `paper` (the
            paper's sizes, for a GPU).
        dataset: the data to run on (one of the record's `datasets`; default
            its first, the offline one).
        data_dir: folder of a real dataset's files.
        seed: int seed.
        out_dir: where results go; None writes nothing. Runners that train
            several models keep each finished fit in `out_dir/.cache`
            (`Run.cached`), so an interrupted run resumes with the fits it
            has not made yet.
        reuse: use the results already in `out_dir` when they are for the
            same scale, dataset and seed instead of training again (the
            Markdown and figure are written again from them).
        progress: show progress bars.
        precision: `float32` or `mixed_bfloat16` (`keras_crnn.precision`),
            recorded in the results' `extras["precision"]`.
        weights: a pretrained frame encoder's weights file, for the
            experiments that take one (`genre-table1`: the ImageNet MobileNet
            0.25 file, `mobilenet_2_5_224_tf_no_top.h5`); recorded in
            `extras["weights"]`. Nothing is downloaded.

    Returns:
        `ResultsTable`.

    Raises:
        ValueError: unknown experiment, scale or dataset, or `weights` for an
            experiment that takes none.
    """
    from keras_crnn.precision import check_precision
    from keras_crnn.precision import precision as policy

    experiment = get_experiment(name)
    experiment.settings(scale)  # checks the scale
    check_precision(precision)
    if weights is not None and not experiment.takes_weights:
        raise ValueError(f"{name} takes no encoder weights file; `weights` is for "
                         f"{sorted(n for n, e in EXPERIMENTS.items() if e.takes_weights)}. "
                         f"Received: weights={str(weights)!r}")
    dataset = dataset or experiment.datasets[0]
    if dataset not in experiment.datasets:
        raise ValueError(f"`dataset` must be one of {experiment.datasets} for {name}. "
                         f"Received: dataset={dataset!r}")
    path = None if out_dir is None else Path(out_dir) / f"{results_name(name, dataset)}.json"
    table = None
    if reuse and path is not None and path.exists():
        table = ResultsTable.from_json(path)
        made_from = table.extras.get("dataset", table.rows[0]["dataset"] if table.rows else None)
        made_with = table.extras.get("precision", "float32")
        if (table.scale, table.seed, made_from, made_with) != (scale, seed, dataset, precision):
            table = None
    if table is None:
        with policy(precision):
            cache = None if out_dir is None else Path(out_dir) / ".cache"
            table = experiment.runner(Run(experiment, scale, dataset, data_dir, seed, progress,
                                          precision, cache, weights))
        table.extras.update(dataset=dataset, precision=precision)
        if weights is not None:
            table.extras["weights"] = str(weights)
        if data_dir is not None:
            table.extras["data_dir"] = str(data_dir)
        if path is not None:
            table.to_json(path)
    if path is not None:
        write_report(table, path)
    return table


def write_report(table, path):
    """Writes the Markdown table (`path` with suffix .md) and, when the
    experiment has one, its figure (.png) from a results table."""
    path = Path(path)
    experiment = get_experiment(table.name)
    text = experiment.to_markdown(table) + "\n\nPaper's findings:\n\n" + \
        "\n".join(experiment.verdicts(table))
    with atomic_path(path.with_suffix(".md")) as tmp:
        tmp.write_text(text + "\n")
    fig = figure(table)
    if fig is not None:
        import matplotlib.pyplot as plt

        with atomic_path(path.with_suffix(".png")) as tmp:
            fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
        plt.close(fig)


__all__ = ["EXPERIMENTS", "SCALES", "Experiment", "Finding", "ResultsTable", "Run", "figure",
           "get_experiment", "reproduce", "results_name", "to_markdown", "write_report"]
