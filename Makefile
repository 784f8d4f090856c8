# `make test` and `make demo` set everything up on a fresh machine: they create
# .venv when it is missing and install the package with the CPU TensorFlow build.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test demo bench results lint clean

$(STAMP): setup.cfg setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[cpu,test]"
	touch $(STAMP)

install: $(STAMP)

# Two workers (pytest-xdist): most tests are bound by graph tracing, one core each.
test: $(STAMP)
	$(PY) -m pytest -q -n 2 --durations=15

demo: $(STAMP)
	$(VENV)/bin/keras-crnn demo

# README result sections from results/*.json (see keras_crnn/experiments/readme.py)
results: $(STAMP)
	$(PY) -m keras_crnn.experiments.readme README.md results

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
