# blockgrid — the two commands of the Quick start are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_SCALE ?= 0.02
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup system-deps python-deps frontend-deps lock lock-upgrade demo serve test bench lint clean

setup: system-deps python-deps frontend-deps

system-deps:
	@scripts/install-system-deps.sh

python-deps: $(VENV)/.installed

# Installs exactly the hashed lock (pip itself and the build backend included), then
# blockgrid on top of it without resolving anything (docs/development.md).
$(VENV)/.installed: requirements/dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

## Refresh the Python locks after changing dependencies in pyproject.toml: keeps every pin
## that still fits; `make lock-upgrade` moves all pins to the newest releases instead.
# One target only: CPython 3.11 on x86_64 Linux (what this project's machines and CI run).
LOCK_TARGET := --python-version 3.11.7 --python-platform x86_64-unknown-linux-gnu
UV_COMPILE = $(BIN)/uv pip compile --quiet --generate-hashes $(LOCK_TARGET) \
	--custom-compile-command 'make lock' $(UV_FLAGS)

lock: python-deps
	$(UV_COMPILE) pyproject.toml --extra dev requirements/build.in -o requirements/dev.lock
	$(UV_COMPILE) pyproject.toml requirements/build.in -c requirements/dev.lock \
		-o requirements/runtime.lock

lock-upgrade: UV_FLAGS = --upgrade
lock-upgrade: lock

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
	cd frontend && npm run --if-present lint && npm run --if-present test

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
