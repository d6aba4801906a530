"""Shared pytest fixtures: build a warehouse from a raw directory with the real dbt project."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from labelhouse.dbt import run_dbt

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SHARED = PROJECT_ROOT.parent / "shared"

BuildFn = Callable[..., Path]


def _build(raw_dir: Path, warehouse: Path, select: str | None = None, **dbt_vars: Any) -> Path:
    args = ["build"]
    if select:
        # tests of the selected models only: not a test that also reads a model left unbuilt
        args += ["--select", select, "--indirect-selection", "cautious"]
    result = run_dbt(args, warehouse=warehouse, raw_dir=raw_dir, extra_vars=dbt_vars)
    if not result.success:
        failed = "\n".join(f"  {n['name']}: {n['status']} {n['message']}" for n in result.failures())
        raise AssertionError(f"dbt build failed: {result.error or ''}\n{failed}")
    return warehouse


def labelhouse_build(raw_dir: Path, warehouse: Path, *, full_refresh: bool = False) -> Path:
    """`labelhouse build --no-report` in this process (it shares the parsed dbt project and the
    loaded Great Expectations with the other builds of the session); AssertionError on failure.
    Tests of exit codes and messages run the CLI as a subprocess instead."""
    from labelhouse.build import build
    from labelhouse.errors import LabelhouseError

    try:
        build(raw_dir, warehouse, full_refresh=full_refresh, progress=lambda _: None, docs=False)
    except LabelhouseError as exc:
        raise AssertionError(f"labelhouse build failed (exit {exc.exit_code}): {exc}") from None
    return warehouse


@pytest.fixture
def build_warehouse(tmp_path: Path) -> BuildFn:
    """build_warehouse(raw_dir, select=None, **vars) -> path of a freshly built DuckDB file."""
    counter = {"n": 0}

    def build(raw_dir: Path, select: str | None = None, **dbt_vars: Any) -> Path:
        counter["n"] += 1
        warehouse = tmp_path / f"warehouse_{counter['n']}.duckdb"
        return _build(raw_dir, warehouse, select, **dbt_vars)

    return build


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    """Run one read-only query on a built warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def query_df(warehouse: Path, sql: str) -> Any:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(sql).df()
    finally:
        con.close()
