# Two commands do all the set-up: `make demo` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: demo test setup build bench clean

demo: setup
	$(BIN)/rnnquiz demo

test: setup
	$(BIN)/python -m pytest -q

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	./scripts/install-bubblewrap
	touch $@

build: setup
	$(BIN)/rnnquiz build

bench: setup
	$(BIN)/python benchmarks/bench_autograde.py

clean:
	rm -rf $(VENV) .rnnquiz-demo
