"""The project's `table` materialization on DuckDB (macros/utils/table_materialization.sql).

It creates each table under its own name in one transaction instead of dbt-duckdb's create,
rename, rename, drop. These tests run it in a one-model dbt project, so they read nothing but
that macro: a rebuild replaces the table and leaves no temporary or backup relation, a failing
model leaves the previous table as it was, a contract is still enforced, and what the macro does
not handle is refused by name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_ROOT

from labelhouse.dbt import run_dbt


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "models").mkdir(parents=True)
    (root / "macros").mkdir()
    shutil.copy(PROJECT_ROOT / "macros" / "utils" / "table_materialization.sql", root / "macros")
    shutil.copy(PROJECT_ROOT / "profiles.yml", root)
    (root / "dbt_project.yml").write_text(
        "name: labelhouse\nversion: '0.1.0'\nconfig-version: 2\nprofile: labelhouse\n"
        "models:\n  labelhouse:\n    +materialized: table\n"
    )
    (root / "models" / "m.sql").write_text("select {{ var('value') }} as x, 'a' as y\n")
    (root / "models" / "schema.yml").write_text(
        "version: 2\nmodels:\n  - name: typed\n    config:\n      contract: {enforced: true}\n"
        "    columns:\n      - name: x\n        data_type: integer\n"
    )
    (root / "models" / "typed.sql").write_text("select {{ var('typed', 1) }} as x\n")
    return root


def _run(project: Path, warehouse: Path, select: str, **dbt_vars: object) -> tuple[bool, str]:
    result = run_dbt(
        ["run", "--select", select], warehouse=warehouse, raw_dir=project, extra_vars=dbt_vars, project_dir=project
    )
    return result.success, " ".join(str(n["message"]) for n in result.nodes) + (result.error or "")


def _relations(warehouse: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select table_name, table_type from information_schema.tables order by 1").fetchall()
    finally:
        con.close()


def _rows(warehouse: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select * from {table}").fetchall()
    finally:
        con.close()


def test_rebuild_replaces_failure_keeps_and_contract_holds(project: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    assert _run(project, warehouse, "m", value=1)[0]
    assert _rows(warehouse, "m") == [(1, "a")]

    # a rebuild over the existing table: the new rows, and no __dbt_tmp or __dbt_backup left
    assert _run(project, warehouse, "m", value=2)[0]
    assert _rows(warehouse, "m") == [(2, "a")]
    assert _relations(warehouse) == [("m", "BASE TABLE")]

    # a model that fails after the old table was dropped in its transaction: rolled back
    ok, message = _run(project, warehouse, "m", value="error('boom')")
    assert not ok and "boom" in message
    assert _rows(warehouse, "m") == [(2, "a")]

    # the contract is enforced as with dbt-duckdb's materialization
    assert _run(project, warehouse, "typed")[0]
    ok, message = _run(project, warehouse, "typed", typed="'text'")
    assert not ok and "contract" in message.lower()
    assert _rows(warehouse, "typed") == [(1,)]


def test_what_it_does_not_handle_is_refused_by_name(project: Path, tmp_path: Path) -> None:
    (project / "models" / "m.sql").write_text("{{ config(sorted_by=['x']) }}\nselect 1 as x\n")
    ok, message = _run(project, tmp_path / "w.duckdb", "m", value=1)
    assert not ok and "table_materialization.sql" in message and "sorted_by" in message
