# Two commands do all the set-up: `make demo` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
# Where the CPU build of torch comes from when it is not at hand: for example
#   make test TORCH_INDEX=https://download.pytorch.org/whl/cpu
# (the default package index resolves torch==2.13.0 to the CUDA build, several GB).
TORCH_INDEX ?=
TORCH_PIP    = $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX),)
PIP          = $(BIN)/python -m pip install --progress-bar on

.PHONY: demo test test-fast docs setup build bench clean

demo: setup
	$(BIN)/rnnquiz demo

# Every test's name as it starts (-v: a long one is never a silent dot), and the
# slowest ones at the end.  CI's .ci/run.
test: setup docs
	@echo "test tools: PostgreSQL, Chromium and shellcheck (Debian packages, best effort)"
	./scripts/install-postgresql
	./scripts/install-test-tools
	@echo "pytest: collecting the tests first (some seconds: they import torch and nbgrader), then one line per test"
	$(BIN)/python -m pytest -v --durations=15

# The grading logic, messages, catalogue, renderers and model, in this process:
# no sandboxed worker, no nbgrader command, no browser (tests/lanes.py).
test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow and not sandbox" --durations=10

# The documentation site, warnings as errors; open site/index.html.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

setup: $(VENV)/.installed

# One line per step; pip shows its own progress bars for what it downloads and
# installs (the first install takes a minute or two, most of it PyTorch).
$(VENV)/.installed: pyproject.toml constraints.txt
	@echo "setup 1/5: a virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "setup 2/5: a recent pip (it shows a progress bar while it installs)"
	$(PIP) --upgrade "pip>=25.1" || echo "setup: pip not upgraded; going on with the one the virtualenv has"
	@echo "setup 3/5: PyTorch $$(sed -n 's/^torch==//p' constraints.txt), CPU build (the biggest download)"
	$(PIP) $(TORCH_PIP) -c constraints.txt torch
	@echo "setup 4/5: rnnquiz with NumPy, nbgrader, matplotlib, MkDocs and the test tools"
	$(PIP) $(TORCH_PIP) -c constraints.txt -e ".[instructor,dev]"
	@echo "setup 5/5: bubblewrap, the sandbox for student code (Debian package, best effort)"
	./scripts/install-bubblewrap
	touch $@
	@echo "setup: done"

build: setup
	$(BIN)/rnnquiz build

bench: setup
	$(BIN)/python benchmarks/bench_autograde.py
	$(BIN)/python benchmarks/bench_gradescope.py
	$(BIN)/python benchmarks/bench_submission_memory.py

clean:
	rm -rf $(VENV) .rnnquiz-demo site
