"""An incremental build after adding an export gives exactly the tables of a full refresh.

Covers late rows (a judgement of an old day arriving in a new file) and superseded rows (a
re-export of an old annotation_id with a later exported_at and another label).
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, PROJECT_ROOT

CLI = [sys.executable, "-m", "labelhouse.cli"]
SKIP_TABLES = {"build_runs", "gate_results"}


def _build(raw: Path, warehouse: Path, *extra: str) -> None:
    proc = subprocess.run(
        [*CLI, "build", "--raw", str(raw), "--warehouse", str(warehouse), "--no-report", *extra],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _normalise(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float):
        return round(value, 12)
    return value


def _snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('staging', 'intermediate', 'marts') and table_type = 'BASE TABLE'"
        ).fetchall()
        out = {}
        for schema, name in tables:
            if name in SKIP_TABLES:
                continue
            rows = con.execute(f'select * from "{schema}"."{name}"').fetchall()
            out[f"{schema}.{name}"] = sorted((tuple(_normalise(v) for v in r) for r in rows), key=repr)
        return out
    finally:
        con.close()


@pytest.fixture
def raw_day_one(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURES / "handmade", raw)
    (raw / "annotations_2026-10-02.csv").unlink()
    return raw


def test_incremental_build_equals_full_refresh(raw_day_one: Path, tmp_path: Path) -> None:
    incremental = tmp_path / "incremental" / "w.duckdb"
    full = tmp_path / "full" / "w.duckdb"
    _build(raw_day_one, incremental)

    # the next daily export: a re-export superseding a5, a late judgement of day one, new work
    shutil.copy(FIXTURES / "handmade" / "annotations_2026-10-02.csv", raw_day_one)
    (raw_day_one / "annotations_2026-10-03.csv").write_text(
        "annotation_id,item_id,project_id,annotator_id,label,submitted_at,started_at,language,exported_at\n"
        "a1,i1,p1,A,benign,2026-10-01T10:10:00Z,2026-10-01T10:00:00Z,en,2026-10-04T00:00:00Z\n"
        "a8,i5,p1,B,spam,2026-10-01T23:00:00Z,2026-10-01T22:50:00Z,ar,2026-10-04T00:00:00Z\n"
        "a9,i5,p1,A,spam,2026-10-03T09:00:00Z,2026-10-03T08:55:00Z,ar,2026-10-04T00:00:00Z\n"
    )
    _build(raw_day_one, incremental)
    _build(raw_day_one, full, "--full-refresh")

    got, want = _snapshot(incremental), _snapshot(full)
    assert set(got) == set(want)
    differing = [name for name in want if got[name] != want[name]]
    assert differing == []
    # the incremental build really landed only the new files once each
    con = duckdb.connect(str(incremental), read_only=True)
    try:
        per_file = dict(
            con.execute("select source_file, count(*) from staging.land_raw__annotations group by 1").fetchall()
        )
    finally:
        con.close()
    assert per_file == {
        "annotations_2026-10-01.csv": 13,
        "annotations_2026-10-02.csv": 3,
        "annotations_2026-10-03.csv": 3,
    }


def test_removed_export_requires_full_refresh(raw_day_one: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _build(raw_day_one, warehouse)
    # the day-one export is renamed (removed under its old name) and a new day arrives
    (raw_day_one / "annotations_2026-10-01.csv").rename(raw_day_one / "annotations_2026-10-01_fixed.csv")
    shutil.copy(FIXTURES / "handmade" / "annotations_2026-10-02.csv", raw_day_one)
    proc = subprocess.run(
        [*CLI, "build", "--raw", str(raw_day_one), "--warehouse", str(warehouse), "--no-report"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert proc.returncode != 0
    assert "annotations_2026-10-01.csv" in proc.stderr and "full-refresh" in proc.stderr
    _build(raw_day_one, warehouse, "--full-refresh")
