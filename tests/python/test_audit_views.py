"""The build-history views the Data health page reads (labelhouse.run_log.AUDIT_VIEWS_SQL),
against the same figures computed in pandas from the audit tables, on the shared demo build and
on a copy with a later failed build added (the views must follow the newest build and leave
skipped checks out)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from conftest import DemoBuild


def _expected(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    runs = con.sql("select run_id, started_at from audit.build_runs").df()
    results = con.sql("select * from audit.gate_results").df()
    counted = results[results["status"] != "skipped"].merge(runs, on="run_id")
    outcomes = (
        counted.groupby(["started_at", "run_id", "status"])
        .size()
        .rename("n_checks")
        .reset_index()
        .sort_values(["started_at", "run_id", "status"])
        .reset_index(drop=True)
    )
    latest = runs.sort_values(["started_at", "run_id"]).iloc[-1]["run_id"]
    problems = results[(results["run_id"] == latest) & results["status"].isin(["failed", "warning"])].copy()
    problems["column_name"] = problems["column_name"].fillna("")
    problems = (
        problems[
            [
                "run_id",
                "gate",
                "asset",
                "expectation",
                "column_name",
                "severity",
                "status",
                "unexpected_count",
                "unexpected_share",
            ]
        ]
        .sort_values(["status", "asset", "expectation", "column_name"])
        .reset_index(drop=True)
    )
    return outcomes, problems


def _check(warehouse: Path) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        outcomes, problems = _expected(con)
        got_outcomes = con.sql("select * from audit.gate_outcomes_by_run order by started_at, run_id, status").df()
        got_problems = con.sql(
            "select * from audit.latest_gate_problems order by status, asset, expectation, column_name"
        ).df()
    finally:
        con.close()
    assert len(outcomes) > 0
    pd.testing.assert_frame_equal(got_outcomes, outcomes, check_dtype=False)
    pd.testing.assert_frame_equal(got_problems, problems, check_dtype=False)
    return got_problems


def test_audit_views_equal_pandas_on_the_demo(demo_build: DemoBuild) -> None:
    _check(demo_build.warehouse)


def test_audit_views_follow_the_newest_build(demo_copy: Path) -> None:
    con = duckdb.connect(str(demo_copy))
    try:
        con.execute(
            "insert into audit.build_runs (run_id, started_at, status) "
            "select 'zz-later', max(started_at) + interval 1 hour, 'failed' from audit.build_runs"
        )
        con.execute(
            "insert into audit.gate_results (run_id, gate, asset, expectation, column_name, severity, status) values "
            "('zz-later', 'raw', 'annotations', 'expect_x', null, 'error', 'failed'), "
            "('zz-later', 'raw', 'annotations', 'expect_y', 'label', 'warning', 'warning'), "
            "('zz-later', 'raw', 'items', 'expect_z', null, 'error', 'skipped'), "
            "('zz-later', 'raw', 'items', 'expect_w', null, 'error', 'passed')"
        )
    finally:
        con.close()
    problems = _check(demo_copy)
    assert problems["run_id"].unique().tolist() == ["zz-later"]
    assert sorted(problems["expectation"]) == ["expect_x", "expect_y"]
