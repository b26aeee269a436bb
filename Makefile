# Two commands do all the set-up: `make demo` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
# Where the CPU build of torch comes from when it is not at hand: for example
#   make test TORCH_INDEX=https://download.pytorch.org/whl/cpu
# (the default package index resolves torch==2.13.0 to the CUDA build, several GB).
TORCH_INDEX ?=
TORCH_PIP    = $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX),)

.PHONY: demo test test-fast setup build bench clean

demo: setup
	$(BIN)/rnnquiz demo

# Every test (CI's .ci/run); the slowest are listed at the end.
test: setup
	@echo "test tools: PostgreSQL, Chromium and shellcheck (Debian packages, best effort)"
	./scripts/install-postgresql
	./scripts/install-test-tools
	$(BIN)/python -m pytest -q --durations=15

# The grading logic, messages, catalogue, renderers and model, in this process:
# no sandboxed worker, no nbgrader command, no browser (tests/lanes.py).
test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow and not sandbox" --durations=10

setup: $(VENV)/.installed

# One line per step; pip shows its own progress bars for what it downloads (the
# first install takes a minute or two, most of it PyTorch).
$(VENV)/.installed: pyproject.toml constraints.txt
	@echo "setup 1/3: a virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "setup 2/3: rnnquiz with PyTorch (CPU build), NumPy, nbgrader and the test tools"
	$(BIN)/python -m pip install --progress-bar on $(TORCH_PIP) -c constraints.txt -e ".[instructor,dev]"
	@echo "setup 3/3: bubblewrap, the sandbox for student code (Debian package, best effort)"
	./scripts/install-bubblewrap
	touch $@
	@echo "setup: done"

build: setup
	$(BIN)/rnnquiz build

bench: setup
	$(BIN)/python benchmarks/bench_autograde.py
	$(BIN)/python benchmarks/bench_submission_memory.py

clean:
	rm -rf $(VENV) .rnnquiz-demo
