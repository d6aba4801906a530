"""Build the dbt project on Apache Spark (dbt-spark, `method: session`) and read its tables back.

Needs the separate Spark environment (`requirements-spark.lock`: dbt-spark[session], pyspark,
and Java 17). The `spark` target in profiles.yml runs a local Spark inside this Python process;
its tables and Derby metastore live under `spark_dir` (env LABELHOUSE_SPARK_DIR). The raw
files are listed by the `spark__raw_files` macro itself (Spark's binaryFile source), so no
listing has to be passed in; `raw_files_listing` can still override it (see macros/raw).

    python -m labelhouse.spark --raw data/demo/raw --spark-dir warehouse/spark
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from labelhouse.dbt import DbtResult, run_dbt

SPARK_ENV_DEFAULTS = {
    # Spark binds its driver to the machine's hostname otherwise, which may not resolve.
    "SPARK_LOCAL_IP": "127.0.0.1",
    # pyspark turns timestamps into Python datetimes in the process time zone.
    "TZ": "UTC",
}


def prepare_environment(spark_dir: Path) -> None:
    """Point the `spark` target at spark_dir and set what a local Spark needs (once per process)."""
    for key, value in SPARK_ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if hasattr(time, "tzset"):
        time.tzset()
    os.environ["LABELHOUSE_SPARK_DIR"] = str(Path(spark_dir).resolve())


def build_on_spark(
    raw_dir: Path,
    spark_dir: Path,
    *,
    args: Sequence[str] = ("build",),
    fresh: bool = True,
    extra_vars: dict[str, Any] | None = None,
) -> DbtResult:
    """Run `dbt <args> --target spark` on raw_dir; fresh=True starts from an empty metastore."""
    spark_dir = Path(spark_dir).resolve()
    if fresh and spark_dir.exists():
        shutil.rmtree(spark_dir)
    spark_dir.mkdir(parents=True, exist_ok=True)
    prepare_environment(spark_dir)
    return run_dbt(
        [*args, "--target", "spark"],
        # the duckdb output is rendered too (profiles are parsed whole) but never opened
        warehouse=spark_dir / "unused.duckdb",
        raw_dir=raw_dir,
        extra_vars=extra_vars,
    )


def spark_session() -> Any:
    """The SparkSession dbt-spark created in this process (or a new local one)."""
    from pyspark.sql import SparkSession

    return SparkSession.builder.enableHiveSupport().getOrCreate()


def read_table(relation: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of a Spark table such as 'marts.fct_agreement'."""
    df = spark_session().table(relation)
    return list(df.columns), [tuple(row) for row in df.collect()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw", type=Path, required=True, help="raw export directory")
    parser.add_argument("--spark-dir", type=Path, default=Path("warehouse/spark"), help="tables + metastore")
    parser.add_argument("--select", default=None, help="dbt selection, e.g. +fct_agreement")
    parser.add_argument("--incremental", action="store_true", help="keep earlier tables (no fresh start)")
    ns = parser.parse_args(argv)
    args = ["build"] + (["--select", ns.select] if ns.select else [])
    started = time.perf_counter()
    result = build_on_spark(ns.raw, ns.spark_dir, args=args, fresh=not ns.incremental)
    elapsed = time.perf_counter() - started
    for node in result.failures():
        print(f"FAILED {node['name']}: {node['message']}", file=sys.stderr)
    if result.error:
        print(result.error, file=sys.stderr)
    print(f"spark build {'passed' if result.success else 'FAILED'} in {elapsed:.1f} s ({len(result.nodes)} nodes)")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
