"""The shared results format: JSON round trip, atomic writes, Markdown."""

import json

import pytest

from keras_crnn.experiments.results import ResultsTable


def _table():
    table = ResultsTable("occlusion-table1", "Table 1", "quick", "offline digits", 0, 2)
    table.add("CRNN", "digits", "accuracy", 97.5, 98.33, stderr=0.4, count=1000)
    table.add("CRNN", "digits", "sequence_accuracy", 90.0)
    return table


def test_json_round_trip_and_schema(tmp_path):
    path = _table().to_json(tmp_path / "sub" / "occlusion-table1.json")
    data = json.loads(path.read_text())
    assert {"name", "scale", "data_source", "seed", "epochs", "versions", "created",
            "rows"} <= set(data)
    assert all({"model", "dataset", "metric", "value", "paper"} <= set(r) for r in data["rows"])
    assert "keras" in data["versions"] and "tensorflow" in data["versions"]
    again = ResultsTable.from_json(path)
    assert again == ResultsTable(**data)
    assert again.value("CRNN", "accuracy") == 97.5
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = _table().to_json(tmp_path / "t.json")
    before = path.read_text()
    broken = _table()
    broken.extras["bad"] = object()  # not JSON-serializable: the dump fails midway
    with pytest.raises(TypeError):
        broken.to_json(path)
    assert path.read_text() == before
    assert list(tmp_path.iterdir()) == [path]


def test_markdown_puts_the_paper_beside_ours():
    md = _table().to_markdown(("accuracy",))
    assert "| CRNN | digits | accuracy | 97.50 ± 0.40 | 98.33 |" in md
    assert "sequence_accuracy" not in md and "offline digits" in md


def test_scale_is_checked():
    with pytest.raises(ValueError, match="scale='big'"):
        ResultsTable("x", "x", "big", "s", 0, 1)
