"""Every notebook runs top to bottom at the tiny scale (nbclient) on the tiny
results the experiment tests made (copied to a temporary folder, never results/),
so the notebooks reuse them instead of training again."""

import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from keras_crnn.experiments import EXPERIMENTS

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
PREFIX = {"occluded_sequences": "occlusion-", "future_appearance": "forecast-",
          "video_segmentation": "segmentation-", "video_genre": "genre-", "lrcn": "lrcn-"}


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_at_tiny_scale(path, tmp_path, monkeypatch, tiny_results):
    for name in EXPERIMENTS:
        if name.startswith(PREFIX[path.stem]):
            folder, _ = tiny_results(name)
            shutil.copy(folder / f"{name}.json", tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.json")}
    monkeypatch.setenv("KERAS_CRNN_SCALE", "tiny")
    monkeypatch.setenv("KERAS_CRNN_RESULTS", str(tmp_path))
    monkeypatch.setenv("KERAS_CRNN_CACHE", str(tmp_path / "cache"))
    # The kernel must be this interpreter (with keras_crnn), whatever PATH says.
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    shown = [p.stem for p in tmp_path.glob("*.md")]
    assert shown, "the notebook reproduced no table"
    for name in shown:  # reused, not retrained
        assert (tmp_path / f"{name}.json").read_bytes() == before[f"{name}.json"]
