# `make test` and `make demo` set everything up on a fresh machine: they create
# .venv when it is missing and install the package with the CPU TensorFlow build.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# glibc's malloc tuned for tensors in every process started here (tests, notebooks,
# benchmarks): keras_crnn.runtime.MALLOC_TUNABLES, which `keras-crnn` sets itself.
export GLIBC_TUNABLES ?= glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736

.PHONY: install test test-backends demo bench results lint clean

$(STAMP): setup.cfg setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[cpu,test]"
	touch $(STAMP)

install: $(STAMP)

# Two workers (pytest-xdist): most tests are bound by graph tracing, one core each.
test: $(STAMP)
	$(PY) -m pytest -q -n 2 --durations=15 -m "not workers"

# The backend-agnostic tests (ConvGRU eq. 7, LSTM, builders, metrics, cross-backend
# .keras files) on each Keras backend, each in its own process; then multi-process
# training (the `workers` tests, which `make test` leaves out).
BACKEND_STAMP := $(VENV)/.backends
BACKEND_TESTS := tests/test_backends.py tests/test_conv_gru.py tests/test_conv_gru_fast_paths.py \
	tests/test_lstm.py tests/test_models.py tests/test_metrics.py

$(BACKEND_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[cpu,test,jax,torch]"
	touch $(BACKEND_STAMP)

test-backends: $(BACKEND_STAMP)
	for backend in tensorflow jax torch; do \
		echo "== KERAS_BACKEND=$$backend"; \
		KERAS_BACKEND=$$backend $(PY) -m pytest -q -n 2 -p no:cacheprovider $(BACKEND_TESTS) || exit 1; \
	done
	@echo "== keras-crnn train --workers 2 (JAX DataParallel, two processes)"
	$(PY) -m pytest -q -p no:cacheprovider -m workers tests/test_distributed.py

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
