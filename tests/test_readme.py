"""The README's result tables are generated from results/, and the layers import downwards."""

import ast
from pathlib import Path

import pytest

from keras_crnn.experiments import EXPERIMENTS, ResultsTable, results_name
from keras_crnn.experiments.readme import SECTION, render

ROOT = Path(__file__).parent.parent
RESULTS = sorted((ROOT / "results").glob("*.json"))


def test_readme_sections_equal_the_results():
    text = (ROOT / "README.md").read_text()
    _, changed = render(text, ROOT / "results")
    assert not changed, f"run `make results`: {changed} differ from results/"


def test_render_rewrites_a_stale_section(tmp_path):
    text = "intro\n<!-- results: occlusion-table2 -->\n| old | table |\n<!-- /results -->\nend\n"
    new, changed = render(text, ROOT / "results")
    assert changed == ["occlusion-table2"] and new.startswith("intro\n<!-- results:")
    assert "| old | table |" not in new and new.endswith("<!-- /results -->\nend\n")
    assert render(new, ROOT / "results")[1] == []
    with pytest.raises(FileNotFoundError, match="no-such-table"):
        render("<!-- results: no-such-table -->\n<!-- /results -->", ROOT / "results")


@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.stem)
def test_every_committed_result_is_in_the_readme_with_its_verdicts(path):
    """A finding that does not hold is said plainly in the README."""
    table = ResultsTable.from_json(path)
    experiment = EXPERIMENTS[table.name]
    sections = {m["name"]: m["body"] for m in SECTION.finditer((ROOT / "README.md").read_text())}
    assert path.stem == results_name(table.name, table.extras.get("dataset"))
    assert path.stem in sections
    for finding in experiment.findings:
        verdict = finding.verdict(table)
        try:
            holds, _ = finding.evaluate(table)
        except KeyError:  # results from before the finding existed say so
            assert verdict.endswith("not measured in this run")
        else:
            assert ("**holds**" if holds else "**does not hold**") in verdict
        assert verdict in sections[path.stem]


def test_no_lower_layer_imports_the_experiments():
    lower = [p for p in (ROOT / "keras_crnn").rglob("*.py")
             if "experiments" not in p.parts and p.name != "cli.py"]
    assert len(lower) > 30
    for path in lower:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.startswith("keras_crnn.experiments") for n in names), path
