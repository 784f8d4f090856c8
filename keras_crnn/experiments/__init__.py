"""Experiment specs that reproduce the papers' tables, and their runner.

    from keras_crnn.experiments import reproduce
    table = reproduce("occlusion-table1", scale="quick")
    print(table.to_markdown())

The CLI (`keras-crnn reproduce NAME --scale ...`) and the notebooks call this.
"""

from pathlib import Path

from keras_crnn.atomic import atomic_path
from keras_crnn.experiments import occlusion
from keras_crnn.experiments.results import SCALES, ResultsTable

EXPERIMENTS = {
    "occlusion-table1": occlusion.table1,
    "occlusion-table2": occlusion.table2,
    "occlusion-table3": occlusion.table3,
}
DATASETS = {name: occlusion.DATASETS for name in EXPERIMENTS}


def reproduce(name, scale="quick", dataset="digits", data_dir=None, seed=0, out_dir="results",
              reuse=False, progress=True):
    """Runs experiment `name` at `scale` and writes `out_dir/NAME.json` and `.md`.

    Args:
        name: one of `EXPERIMENTS`.
        scale: `quick` (CI, minutes), `cpu` (a 2-core CPU, under ~30 min) or
            `paper` (the paper's sizes, for a GPU).
        dataset: the data to run on (see `DATASETS[name]`).
        data_dir: folder of a real dataset's files.
        seed: int seed.
        out_dir: where results go; None writes nothing.
        reuse: return the results already in `out_dir` when they are for the
            same scale, dataset and seed, instead of training again.
        progress: show progress bars.

    Returns:
        `ResultsTable`.
    """
    if name not in EXPERIMENTS:
        raise ValueError(f"Unknown experiment. Expected one of {sorted(EXPERIMENTS)}. "
                         f"Received: {name!r}")
    if scale not in SCALES:
        raise ValueError(f"`scale` must be one of {SCALES}. Received: scale={scale!r}")
    if dataset not in DATASETS[name]:
        raise ValueError(f"`dataset` must be one of {DATASETS[name]} for {name}. "
                         f"Received: dataset={dataset!r}")
    path = None if out_dir is None else Path(out_dir) / f"{name}.json"
    if reuse and path is not None and path.exists():
        table = ResultsTable.from_json(path)
        if (table.scale, table.seed) == (scale, seed) and table.rows and \
                table.rows[0]["dataset"] == dataset:
            return table
    table = EXPERIMENTS[name](scale=scale, dataset=dataset, data_dir=data_dir, seed=seed,
                              progress=progress)
    if path is not None:
        table.to_json(path)
        with atomic_path(path.with_suffix(".md")) as tmp:
            tmp.write_text(table.to_markdown(("accuracy",)) + "\n")
    return table


__all__ = ["EXPERIMENTS", "DATASETS", "ResultsTable", "reproduce"]
