"""Build the same demo exports on DuckDB and on Apache Spark and compare every mart row by row.

    .venv-spark/bin/python tests/spark/compare.py [--annotations 10000] [--seed 7] [--workdir DIR]

DuckDB runs one full `dbt build` (models, seeds, data tests, unit tests). Spark builds as a daily
build does: first the raw directory without its newest annotations export (models only), then an
incremental `dbt build` with everything, which lands only the new file. Both run in this one
process (dbt-duckdb and dbt-spark[session] are both in .venv-spark).
Then, for every table in the `marts` schema (and the row-level reject log, which pins the
per-file row numbering), the two engines must have the same columns, the same number of rows
and, with rows sorted on their non-float columns, equal values: text, integers, booleans,
dates and timestamps exactly, floating point numbers to 1e-9 (absolute, or relative for large
values). Exits non-zero with a report of the first differences otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from labelhouse.dbt import DbtResult, run_dbt  # noqa: E402
from labelhouse.demo import generate  # noqa: E402
from labelhouse.spark import build_on_spark, prepare_environment, read_table  # noqa: E402

TOLERANCE = 1e-9
# Besides the marts: staging tables whose rows must match too (source_row_number in particular).
EXTRA_TABLES = ("staging.rejected_rows",)
# Columns that are formatted by the engine and legitimately differ in text (JSON key order,
# number formatting of the raw record kept for diagnosis), left out of the comparison.
IGNORED_COLUMNS = {"staging.rejected_rows": {"raw_record"}}

Row = tuple[Any, ...]


def _is_float(value: Any) -> bool:
    return isinstance(value, float | Decimal)


def _normalise(value: Any) -> Any:
    """One Python representation per value across the two drivers."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _sort_key(row: Row, float_columns: set[int]) -> tuple[Any, ...]:
    """Sort on every non-float column first (NULLs first), then on the floats rounded."""
    exact = []
    approximate = []
    for i, v in enumerate(row):
        if i in float_columns:
            approximate.append((v is not None, round(v, 6) if v is not None and math.isfinite(v) else str(v)))
        else:
            exact.append((v is not None, str(v) if v is not None else ""))
    return (*exact, *approximate)


def _values_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b and type(a) is type(b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))
    return a == b


def compare_table(
    name: str, duck: tuple[list[str], list[Row]], spark: tuple[list[str], list[Row]], limit: int = 5
) -> list[str]:
    """Differences between the DuckDB and Spark versions of one table (empty when equal)."""
    duck_cols, duck_rows = duck
    spark_cols, spark_rows = spark
    ignored = IGNORED_COLUMNS.get(name, set())
    if [c.lower() for c in duck_cols] != [c.lower() for c in spark_cols]:
        return [f"{name}: columns differ\n  duckdb: {duck_cols}\n  spark:  {spark_cols}"]
    keep = [i for i, c in enumerate(duck_cols) if c.lower() not in ignored]
    cols = [duck_cols[i] for i in keep]
    duck_rows = [tuple(_normalise(r[i]) for i in keep) for r in duck_rows]
    spark_rows = [tuple(_normalise(r[i]) for i in keep) for r in spark_rows]
    if len(duck_rows) != len(spark_rows):
        return [f"{name}: {len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark"]
    float_columns = {i for i in range(len(cols)) if any(_is_float(r[i]) for r in duck_rows + spark_rows)}
    duck_rows.sort(key=lambda r: _sort_key(r, float_columns))
    spark_rows.sort(key=lambda r: _sort_key(r, float_columns))
    problems: list[str] = []
    for n, (d, s) in enumerate(zip(duck_rows, spark_rows, strict=True)):
        for i, col in enumerate(cols):
            if not _values_equal(d[i], s[i]):
                problems.append(f"{name} row {n} column {col}: duckdb {d[i]!r} != spark {s[i]!r}\n  row: {d}")
                break
        if len(problems) >= limit:
            break
    return problems


def _read_duckdb(path: Path, relation: str) -> tuple[list[str], list[Row]]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute(f"select * from {relation}")
        return [d[0] for d in cur.description], cur.fetchall()


def _duckdb_marts(path: Path) -> list[str]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
    return [f"marts.{r[0]}" for r in rows]


def _spark_marts() -> list[str]:
    from labelhouse.spark import spark_session

    # `show tables` lists the session's temporary views too (the raw file readers): not marts
    rows = spark_session().sql("show tables in marts").collect()
    return sorted(f"marts.{r.tableName}" for r in rows if not r.isTemporary)


def _check(result: DbtResult, engine: str) -> None:
    if not result.success:
        for node in result.failures():
            print(f"[{engine}] FAILED {node['name']}: {node['message']}", file=sys.stderr)
        raise SystemExit(f"the {engine} build failed: {result.error or 'see the failures above'}")


def _newest_annotations_export(raw_dir: Path) -> Path:
    files = sorted(f for f in raw_dir.iterdir() if f.name.startswith("annotations") and f.is_file())
    if len(files) < 2:
        raise SystemExit(f"{raw_dir} needs two annotations exports for the incremental Spark build")
    return files[-1]


def _spark_landed_files(entity: str) -> set[str]:
    columns, rows = read_table(f"staging.land_raw__{entity}")
    at = columns.index("source_file")
    return {r[at] for r in rows}


def run(raw_dir: Path, workdir: Path, dbt_args: Sequence[str]) -> int:
    started = time.perf_counter()
    duck_path = workdir / "duckdb" / "labelhouse.duckdb"
    duck_path.parent.mkdir(parents=True, exist_ok=True)
    duck_path.unlink(missing_ok=True)
    _check(run_dbt(list(dbt_args), warehouse=duck_path, raw_dir=raw_dir), "duckdb")
    duck_seconds = time.perf_counter() - started
    print(f"duckdb build: {duck_seconds:.1f} s")

    # Spark builds incrementally, as a daily build does: first without the newest annotations
    # export, then with it (only the new file is landed). Its marts must still equal DuckDB's
    # full build.
    day_one = workdir / "raw_day_one"
    newest = _newest_annotations_export(raw_dir)
    shutil.rmtree(day_one, ignore_errors=True)
    day_one.mkdir(parents=True)
    for f in sorted(raw_dir.iterdir()):
        if f.is_file() and f != newest:
            shutil.copy2(f, day_one / f.name)
    prepare_environment(workdir / "spark")
    started = time.perf_counter()
    models_only = ["build", "--exclude-resource-type", "test", "unit_test"]
    _check(build_on_spark(day_one, workdir / "spark", args=models_only), "spark, without the newest export")
    first_seconds = time.perf_counter() - started
    print(f"spark build (local, session) without {newest.name}: {first_seconds:.1f} s")
    started = time.perf_counter()
    _check(build_on_spark(raw_dir, workdir / "spark", args=dbt_args, fresh=False), "spark, incremental")
    spark_seconds = time.perf_counter() - started
    print(f"spark incremental build adding {newest.name}: {spark_seconds:.1f} s")
    landed = _spark_landed_files("annotations")
    if newest.name not in landed:
        print(f"FAILED: the incremental Spark build did not land {newest.name}", file=sys.stderr)
        return 1

    tables = _duckdb_marts(duck_path)
    problems: list[str] = []
    spark_tables = _spark_marts()
    if spark_tables != tables:
        problems.append(f"mart tables differ\n  duckdb: {tables}\n  spark:  {spark_tables}")
    for name in [*tables, *EXTRA_TABLES]:
        duck = _read_duckdb(duck_path, name)
        spark = read_table(name)
        diffs = compare_table(name, duck, spark)
        status = "ok" if not diffs else "DIFFERENT"
        print(f"{name:<45} {len(duck[1]):>7} rows x {len(duck[0]):>3} columns  {status}")
        problems.extend(diffs)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"FAILED: {len(problems)} difference(s) between DuckDB and Spark", file=sys.stderr)
        return 1
    print(f"PASSED: {len(tables)} marts (+{len(EXTRA_TABLES)} staging table) equal on DuckDB and Spark")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--annotations", type=int, default=10_000, help="demo size (generated)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--raw", type=Path, default=None, help="use this raw directory instead of generating")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the builds here (default: a temp dir)")
    parser.add_argument("--models-only", action="store_true", help="dbt run + seed instead of dbt build")
    ns = parser.parse_args(argv)
    dbt_args = ["build", "--exclude-resource-type", "test", "unit_test"] if ns.models_only else ["build"]
    with tempfile.TemporaryDirectory(prefix="lh-spark-") as tmp:
        workdir = (ns.workdir or Path(tmp)).resolve()
        raw_dir = ns.raw
        if raw_dir is None:
            raw_dir = workdir / "raw"
            generate(raw_dir, n_annotations=ns.annotations, seed=ns.seed)
        return run(raw_dir.resolve(), workdir, dbt_args)


if __name__ == "__main__":
    sys.exit(main())
