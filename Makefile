# labelhouse: `make build` builds everything on the bundled demo data; `make test` runs every check.
# `make` alone prints the targets with the `## ` comment written above each one.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PYTHONDONTWRITEBYTECODE := 1

# Most of a test's time is dbt's single-threaded Python, so two test processes use both cores.
PYTEST_WORKERS ?= 2

SQL_PATHS := models macros data-tests analyses
PY_PATHS := labelhouse tests/python tests/spark examples bench

.PHONY: help build test lint fix dbt-test pytest bench clean venv

include spark.mk

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	# crowd-kit (test reference for the Dawid-Skene EM) declares transformers and torch, which its
	# aggregation module never imports: installed alone; its real dependencies are in requirements.lock.
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps crowd-kit==1.4.2
	touch $@

## Print this help.
help:
	@echo "labelhouse: make <target>"
	@awk '/^## / { d = d (d ? " " : "") substr($$0, 4); next } \
		/^[A-Za-z0-9_.-]+:([^=]|$$)/ { if (d) { t = $$0; sub(/:.*/, "", t); printf "  %-11s %s\n", t, d } } \
		{ d = "" }' $(MAKEFILE_LIST)

## Create .venv with the pinned dependencies (the targets that run a tool do this first).
venv: $(VENV)/.installed

## Build, gate and publish the warehouse (and reports) from freshly generated demo exports.
build: venv
	$(BIN)/labelhouse build

## Every check: SQL and Python lint, the dbt build with its tests on demo data, pytest.
# Lint runs beside the demo build (dbt's Python keeps about one core busy); pytest then reuses
# that build's warehouse, so it starts after it. Any failure fails the target.
test: venv
	$(MAKE) --no-print-directory -j2 lint dbt-test
	$(MAKE) --no-print-directory pytest

## sqlfluff lint of the SQL (models, macros, tests and the report pages' SQL blocks), ruff check and ruff format --check of the Python.
## A SQL file clean under unchanged rules and macros is not linted again (lint/sqlfluff_cached.py).
lint: venv
	$(BIN)/python lint/sqlfluff_cached.py $(SQL_PATHS)
	$(BIN)/python lint/page_sql.py
	$(BIN)/ruff check $(wildcard $(PY_PATHS)) lint
	$(BIN)/ruff format --check $(wildcard $(PY_PATHS)) lint

## Apply sqlfluff fix, ruff check --fix and ruff format.
fix: venv
	$(BIN)/sqlfluff fix $(SQL_PATHS) --processes 2 --disable-progress-bar
	$(BIN)/python lint/page_sql.py --fix
	$(BIN)/ruff check --fix $(wildcard $(PY_PATHS)) lint
	$(BIN)/ruff format $(wildcard $(PY_PATHS)) lint

## The gated build on demo data with the dbt unit tests, into warehouse/test/labelhouse.duckdb.
dbt-test: venv
	$(BIN)/labelhouse build --warehouse warehouse/test/labelhouse.duckdb --unit-tests

## The Python test suite, in PYTEST_WORKERS processes (2; one test file per process at a time, longest first).
pytest: venv
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

## Benchmarks (bench/run.py; large generated exports, minutes). SIZES=5000 for a quick try.
bench: venv
	$(BIN)/python bench/run.py $(if $(SIZES),--sizes $(SIZES))

## Delete what build/test generate from the demo: target, logs, data/demo, warehouse/test,
## reports/build (`labelhouse report` renders it again). Keeps warehouse/labelhouse.duckdb and
## warehouse/runs, where a build of your own exports is published by default, and the rest of data/.
clean:
	rm -rf target logs data/demo warehouse/test reports/build
