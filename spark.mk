# `make test-spark`: the same dbt models on Apache Spark (a local Spark inside the dbt process,
# dbt-spark `method: session`), compared row by row with the DuckDB build. Included from the
# Makefile. Needs Java 17 on PATH; the Spark environment (.venv-spark, ~630 MB) is separate
# from .venv because pyspark is large and only this check needs it.
PYTHON ?= python3
SPARK_VENV := .venv-spark
SPARK_BIN := $(SPARK_VENV)/bin
SPARK_ANNOTATIONS ?= 10000
SPARK_SEED ?= 7
# Two builds run in one Spark driver (without the newest export, then incremental); at the
# profile's default 2g heap the second sometimes ran out of heap planning fct_alerts.
SPARK_DRIVER_MEMORY ?= 4g

.PHONY: spark-venv test-spark

$(SPARK_VENV)/.installed: requirements-spark.lock
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_BIN)/pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	touch $@

spark-venv: $(SPARK_VENV)/.installed

## Build generated demo exports on DuckDB and on local Spark; every mart must match row by row.
test-spark: spark-venv
	@command -v java >/dev/null 2>&1 || { echo "test-spark needs Java 17 (java on PATH)" >&2; exit 1; }
	SPARK_LOCAL_IP=127.0.0.1 TZ=UTC DBT_SEND_ANONYMOUS_USAGE_STATS=false \
		LABELHOUSE_SPARK_DRIVER_MEMORY=$(SPARK_DRIVER_MEMORY) \
		$(SPARK_BIN)/python tests/spark/compare.py --annotations $(SPARK_ANNOTATIONS) --seed $(SPARK_SEED)
