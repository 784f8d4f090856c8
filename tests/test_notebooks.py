"""Every notebook runs top to bottom at quick scale (nbclient), writing results to a
temporary folder, never to results/."""

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_at_quick_scale(path, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_CRNN_SCALE", "quick")
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
    assert list(tmp_path.glob("*.json")), "the notebook wrote no results"
