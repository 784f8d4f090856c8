"""README result sections generated from results/*.json: `make results`.

A README section between

    <!-- results: NAME -->
    <!-- /results -->

is rewritten with `reports.summary` of `results/NAME.json` (the command, the
data, a compact table and the paper's findings, holds / does not hold), so the
README's numbers are never hand copies. `python -m keras_crnn.experiments.readme
README.md results` rewrites them; `--check` only reports sections that differ
(exit 1), as the tests do.
"""

import argparse
import re
import sys
from pathlib import Path

SECTION = re.compile(r"(<!-- results: (?P<name>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /results -->)",
                     re.S)


def section(name, results_dir):
    """The generated Markdown of results `name` (from `results_dir/NAME.json`)."""
    from keras_crnn.experiments import get_experiment
    from keras_crnn.experiments.reports import summary
    from keras_crnn.experiments.results import ResultsTable

    path = Path(results_dir) / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"The README names results {name!r}, but {path} does not exist")
    table = ResultsTable.from_json(path)  # NAME or NAME-DATASET: the table names its record
    return summary(get_experiment(table.name), table)


def render(text, results_dir):
    """`text` with every results section rewritten; and the names of the
    sections that changed."""
    changed = []

    def replace(match):
        body = section(match["name"], results_dir) + "\n"
        if body != match["body"]:
            changed.append(match["name"])
        return match.group(1) + body + match.group(4)

    return SECTION.sub(replace, text), changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("readme", nargs="?", default="README.md")
    parser.add_argument("results", nargs="?", default="results")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a section differs from results/")
    args = parser.parse_args(argv)
    readme = Path(args.readme)
    text, changed = render(readme.read_text(), args.results)
    if args.check:
        for name in changed:
            print(f"{readme}: section {name} differs from {args.results}/{name}.json "
                  "(run `make results`)")
        return 1 if changed else 0
    if changed:
        from keras_crnn.atomic import atomic_path

        with atomic_path(readme) as tmp:
            tmp.write_text(text)
    print(f"{readme}: {len(changed)} section(s) rewritten" + (f": {', '.join(changed)}"
                                                              if changed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
