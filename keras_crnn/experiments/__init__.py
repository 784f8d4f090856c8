"""Experiment specs that reproduce the papers' tables, and their runner.

    from keras_crnn.experiments import reproduce
    table = reproduce("occlusion-table1", scale="quick")
    print(table.to_markdown())

The CLI (`keras-crnn reproduce NAME --scale ...`) and the notebooks call this.
"""

from pathlib import Path

from keras_crnn.atomic import atomic_path
from keras_crnn.experiments import forecast, genre, lrcn, occlusion, segmentation
from keras_crnn.experiments.results import SCALES, ResultsTable

EXPERIMENTS = {
    "occlusion-table1": occlusion.table1,
    "occlusion-table2": occlusion.table2,
    "occlusion-table3": occlusion.table3,
    **forecast.EXPERIMENTS,
    **segmentation.EXPERIMENTS,
    "genre-table1": genre.table1,
    "lrcn-captioning": lrcn.captioning,
}
DATASETS = {**{name: occlusion.DATASETS for name in EXPERIMENTS if name.startswith("occlusion")},
            **{name: forecast.DATASETS for name in forecast.EXPERIMENTS},
            **segmentation.DATASETS, "genre-table1": genre.DATASETS,
            "lrcn-captioning": lrcn.DATASETS}
# The module behind each experiment; its optional `to_markdown(table)` and
# `figure(table)` present the results.
_MODULES = {**{name: occlusion for name in EXPERIMENTS if name.startswith("occlusion")},
            **{name: forecast for name in forecast.EXPERIMENTS},
            **{name: segmentation for name in segmentation.EXPERIMENTS},
            "genre-table1": genre, "lrcn-captioning": lrcn}


def to_markdown(table):
    """The Markdown table `reproduce` writes for `table`."""
    module = _MODULES.get(table.name)
    if hasattr(module, "to_markdown"):
        return module.to_markdown(table)
    return table.to_markdown(("accuracy",))


def figure(table):
    """The paper figure of `table` (matplotlib Figure), or None when it has none."""
    module = _MODULES.get(table.name)
    return module.figure(table) if hasattr(module, "figure") else None


def reproduce(name, scale="quick", dataset=None, data_dir=None, seed=0, out_dir="results",
              reuse=False, progress=True):
    """Runs experiment `name` at `scale` and writes `out_dir/NAME.json`, `.md`
    and, for experiments with a figure, `.png`.

    Args:
        name: one of `EXPERIMENTS`.
        scale: `quick` (CI, minutes), `cpu` (a 2-core CPU, under ~30 min) or
            `paper` (the paper's sizes, for a GPU).
        dataset: the data to run on (see `DATASETS[name]`; default its first).
        data_dir: folder of a real dataset's files.
        seed: int seed.
        out_dir: where results go; None writes nothing.
        reuse: use the results already in `out_dir` when they are for the
            same scale, dataset and seed instead of training again (the
            Markdown and figure are written again from them).
        progress: show progress bars.

    Returns:
        `ResultsTable`.
    """
    if name not in EXPERIMENTS:
        raise ValueError(f"Unknown experiment. Expected one of {sorted(EXPERIMENTS)}. "
                         f"Received: {name!r}")
    if scale not in SCALES:
        raise ValueError(f"`scale` must be one of {SCALES}. Received: scale={scale!r}")
    dataset = dataset or DATASETS[name][0]
    if dataset not in DATASETS[name]:
        raise ValueError(f"`dataset` must be one of {DATASETS[name]} for {name}. "
                         f"Received: dataset={dataset!r}")
    path = None if out_dir is None else Path(out_dir) / f"{name}.json"
    table = None
    if reuse and path is not None and path.exists():
        table = ResultsTable.from_json(path)
        made_from = table.extras.get("dataset", table.rows[0]["dataset"] if table.rows else None)
        if (table.scale, table.seed, made_from) != (scale, seed, dataset):
            table = None
    if table is None:
        table = EXPERIMENTS[name](scale=scale, dataset=dataset, data_dir=data_dir, seed=seed,
                                  progress=progress)
        table.extras["dataset"] = dataset
        if path is not None:
            table.to_json(path)
    if path is not None:
        write_report(table, path)
    return table


def write_report(table, path):
    """Writes the Markdown table (`path` with suffix .md) and, when the
    experiment has one, its figure (.png) from a results table."""
    path = Path(path)
    with atomic_path(path.with_suffix(".md")) as tmp:
        tmp.write_text(to_markdown(table) + "\n")
    fig = figure(table)
    if fig is not None:
        import matplotlib.pyplot as plt

        with atomic_path(path.with_suffix(".png")) as tmp:
            fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
        plt.close(fig)


__all__ = ["EXPERIMENTS", "DATASETS", "ResultsTable", "figure", "reproduce", "to_markdown"]
