# blockgrid — the two commands of the Quick start are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_SCALE ?= 0.02
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup system-deps python-deps frontend-deps demo serve test bench lint clean

setup: system-deps python-deps frontend-deps

system-deps:
	@scripts/install-system-deps.sh

python-deps: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

frontend-deps: frontend/node_modules/.installed

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## Load the demo city (embedded PostGIS) and serve the dashboard on http://127.0.0.1:8000/
demo: setup
	BLOCKGRID_ENVIRONMENT=demo $(BIN)/blockgrid demo --scale $(DEMO_SCALE)
	BLOCKGRID_ENVIRONMENT=demo $(BIN)/blockgrid serve

## Run the whole test suite (starts its own throwaway PostGIS cluster)
test: setup
	$(BIN)/pytest

## Benchmarks: results printed as a table and saved under bench/results/
bench: setup
	@scripts/install-system-deps.sh --bench
	BLOCKGRID_ENVIRONMENT=demo $(BIN)/blockgrid bench all

lint: python-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	-$(BIN)/blockgrid db down
	rm -rf var .pytest_cache test-artifacts
