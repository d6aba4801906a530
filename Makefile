# labelhouse: `make build` builds everything on the bundled demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PYTHONDONTWRITEBYTECODE := 1

SQL_PATHS := models macros tests analyses
PY_PATHS := labelhouse tests/python tests/spark examples bench

.PHONY: build test lint fix dbt-test pytest bench clean venv

include spark.mk

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

venv: $(VENV)/.installed

## Build, gate and publish the warehouse (and reports) from freshly generated demo exports.
build: venv
	$(BIN)/labelhouse build

## Every check: SQL and Python lint, the dbt build with its tests on demo data, pytest.
test: venv lint dbt-test pytest

lint: venv
	$(BIN)/sqlfluff lint $(SQL_PATHS) --processes 2 --disable-progress-bar
	$(BIN)/ruff check $(wildcard $(PY_PATHS))

fix: venv
	$(BIN)/sqlfluff fix $(SQL_PATHS) --processes 2 --disable-progress-bar
	$(BIN)/ruff check --fix $(wildcard $(PY_PATHS))

dbt-test: venv
	$(BIN)/labelhouse build --warehouse warehouse/test/labelhouse.duckdb --unit-tests

pytest: venv
	$(BIN)/pytest -q

bench: venv
	$(BIN)/labelhouse bench

clean:
	rm -rf target logs warehouse data reports/build
