# Two commands do all the set-up: `make demo` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
# Where the CPU build of torch comes from when it is not at hand: for example
#   make test TORCH_INDEX=https://download.pytorch.org/whl/cpu
# (the default package index resolves torch==2.13.0 to the CUDA build, several GB).
TORCH_INDEX ?=
TORCH_PIP    = $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX),)

.PHONY: demo test setup build bench clean

demo: setup
	$(BIN)/rnnquiz demo

test: setup
	$(BIN)/python -m pytest -q

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q $(TORCH_PIP) -c constraints.txt -e ".[instructor,dev]"
	./scripts/install-bubblewrap
	./scripts/install-postgresql
	touch $@

build: setup
	$(BIN)/rnnquiz build

bench: setup
	$(BIN)/python benchmarks/bench_autograde.py
	$(BIN)/python benchmarks/bench_submission_memory.py

clean:
	rm -rf $(VENV) .rnnquiz-demo
