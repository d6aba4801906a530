"""The shared demo build's reuse check (conftest.reusable_warehouse): a warehouse is reused only
when it is a published build of the same exports with the same code; each way it can differ
is refused."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
from conftest import DemoBuild, reusable_warehouse


def _copy(warehouse: Path, dest: Path, *statements: str) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, dest)
    con = duckdb.connect(str(dest))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()
    return dest


def test_a_published_build_of_the_same_exports_and_code_is_reused(demo_build: DemoBuild, tmp_path: Path) -> None:
    ok, reason = reusable_warehouse(demo_build.raw, _copy(demo_build.warehouse, tmp_path / "w.duckdb"))
    assert ok, reason


def test_other_exports_are_refused(demo_build: DemoBuild, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(demo_build.raw, raw)
    projects = raw / "projects.csv"  # one byte more in one export
    projects.write_text(projects.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    ok, reason = reusable_warehouse(raw, _copy(demo_build.warehouse, tmp_path / "w.duckdb"))
    assert not ok and "other raw exports" in reason


def test_other_model_code_is_refused(demo_build: DemoBuild, tmp_path: Path) -> None:
    copy = _copy(demo_build.warehouse, tmp_path / "w.duckdb", "update audit.model_code set fingerprint = 'older'")
    ok, reason = reusable_warehouse(demo_build.raw, copy)
    assert not ok and "models changed" in reason


def test_an_unpublished_last_build_is_refused(demo_build: DemoBuild, tmp_path: Path) -> None:
    copy = _copy(
        demo_build.warehouse,
        tmp_path / "w.duckdb",
        "insert into audit.build_runs (run_id, started_at, status) "
        "select 'later', max(started_at) + interval 1 hour, 'failed' from audit.build_runs",
    )
    ok, reason = reusable_warehouse(demo_build.raw, copy)
    assert not ok and "not published" in reason


def test_python_code_newer_than_the_warehouse_is_refused(demo_build: DemoBuild, tmp_path: Path) -> None:
    copy = _copy(demo_build.warehouse, tmp_path / "w.duckdb")
    os.utime(copy, (0, 0))
    ok, reason = reusable_warehouse(demo_build.raw, copy)
    assert not ok and "newer than the warehouse" in reason
