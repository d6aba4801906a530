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
from conftest import FIXTURES, PROJECT_ROOT, assert_build_says_node_progress, labelhouse_build

from labelhouse.build import STAGING_SELECTOR
from labelhouse.dbt import run_dbt

CLI = [sys.executable, "-m", "labelhouse.cli"]
SKIP_TABLES = {"build_runs", "gate_results"}


def _build(raw: Path, warehouse: Path, *extra: str) -> None:
    labelhouse_build(raw, warehouse, full_refresh="--full-refresh" in extra)


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


@pytest.fixture(scope="module")
def day_one(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Day one's exports and their build, made once for the module; tests take copies."""
    base = tmp_path_factory.mktemp("day_one")
    raw = base / "raw"
    shutil.copytree(FIXTURES / "handmade", raw)
    (raw / "annotations_2026-10-02.csv").unlink()
    (raw / "predictions_m_v1.csv").write_text(
        "model_name,model_version,item_id,label,score,predicted_at\n"
        "m,v1,i1,hate,0.9,2026-10-01T00:00:00Z\n"
        "m,v1,i2,hate,0.2,2026-10-01T00:00:00Z\n"
        "m,v1,i3,hate,0.7,2026-10-01T00:00:00Z\n"
        "m,v1,i3,hate,0.7,2026-10-01T00:00:00Z\n"
        "m,v1,i2,hatespeech,0.5,2026-10-01T00:00:00Z\n"
    )
    warehouse = base / "built" / "w.duckdb"
    _build(raw, warehouse)
    return raw, warehouse


@pytest.fixture
def raw_day_one(tmp_path: Path, day_one: tuple[Path, Path]) -> Path:
    """A copy of day one's exports, for the test to add to."""
    raw = tmp_path / "raw"
    shutil.copytree(day_one[0], raw)
    return raw


@pytest.fixture
def built_day_one(tmp_path: Path, day_one: tuple[Path, Path]) -> Path:
    """A copy of day one's published warehouse with its run folders (a build finds exports by name)."""
    built = tmp_path / "built"
    shutil.copytree(day_one[1].parent, built)
    return built / day_one[1].name


def test_incremental_build_equals_full_refresh(raw_day_one: Path, built_day_one: Path, tmp_path: Path) -> None:
    incremental = built_day_one
    full = tmp_path / "full" / "w.duckdb"

    # the next daily exports: a re-export superseding a5, a late judgement of day one (a8, by a new
    # annotator D), new work, and a re-export moving a4 to another day (with a5 rejected below, B's day
    # one is left with no judgement: its working-time partition must disappear)
    shutil.copy(FIXTURES / "handmade" / "annotations_2026-10-02.csv", raw_day_one)
    (raw_day_one / "annotations_2026-10-03.csv").write_text(
        "annotation_id,item_id,project_id,annotator_id,label,submitted_at,started_at,language,exported_at\n"
        "a1,i1,p1,A,benign,2026-10-01T10:10:00Z,2026-10-01T10:00:00Z,en,2026-10-04T00:00:00Z\n"
        "a8,i5,p1,D,spam,2026-10-01T23:00:00Z,2026-10-01T22:50:00Z,ar,2026-10-04T00:00:00Z\n"
        "a9,i5,p1,A,spam,2026-10-03T09:00:00Z,2026-10-03T08:55:00Z,ar,2026-10-04T00:00:00Z\n"
        "a4,i1,p1,B,hate,2026-10-03T12:01:00Z,2026-10-03T12:00:00Z,en,2026-10-04T00:00:00Z\n"
    )
    # new reference exports: item i9 (so b6, rejected on day one as an unknown item, is now kept) and a
    # re-export moving item i2 to a new project p2 (so a2 and a5, kept on day one, are now rejected)
    (raw_day_one / "projects_2026-10-03.csv").write_text("project_id,name\np2,Spam\n")
    (raw_day_one / "items_2026-10-03.csv").write_text(
        "item_id,project_id,created_at,language\ni9,p1,2026-10-01T08:00:00Z,en\ni2,p2,2026-10-01T08:00:00Z,th\n"
    )
    # a re-scoring of i1 (supersedes day one's score), a new model version, and a duplicate of a
    # day-one row in another file (a re-export, so it supersedes rather than being rejected)
    (raw_day_one / "predictions_m_v1_rescored.csv").write_text(
        "model_name,model_version,item_id,label,score,predicted_at\n"
        "m,v1,i1,hate,0.4,2026-10-03T00:00:00Z\n"
        "m,v1,i3,hate,0.7,2026-10-01T00:00:00Z\n"
        "m,v2,i1,hate,0.8,2026-10-03T00:00:00Z\n"
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
        "annotations_2026-10-03.csv": 4,
    }
    # and staging really ran incrementally: base_raw__annotations was updated in place (delete + insert
    # by raw-row key), not rebuilt; the statuses above prove the re-derived rows are right
    latest_run = sorted((incremental.parent / "runs").iterdir())[-1]
    for model in (
        "base_raw__annotations",
        "base_raw__items",
        "base_raw__predictions",
        "int_annotator_active_intervals",
    ):
        executed = next((latest_run / "dbt" / "run").rglob(f"{model}.sql")).read_text()
        assert "delete from" in executed.lower(), model
    statuses = dict(_snapshot_statuses(incremental))
    assert statuses["b6"] == (None, False)
    assert statuses["a2"] == ("project_id differs from the item's project", False)
    con = duckdb.connect(str(incremental), read_only=True)
    try:
        b_days = con.execute(
            "select distinct submitted_date::varchar from intermediate.int_annotator_active_intervals "
            "where annotator_id = 'B' order by 1"
        ).fetchall()
    finally:
        con.close()
    assert b_days == [("2026-10-02",), ("2026-10-03",)]


def _snapshot_statuses(warehouse: Path) -> list[tuple[str, tuple[str | None, bool]]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select annotation_id, reject_reason, is_superseded from staging.base_raw__annotations "
            "where annotation_id in ('a2', 'b6')"
        ).fetchall()
    finally:
        con.close()
    return [(r[0], (r[1], r[2])) for r in rows]


def test_removed_export_requires_full_refresh(raw_day_one: Path, built_day_one: Path) -> None:
    warehouse = built_day_one
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
    # the advice works: a full refresh lands the renamed file (the staging step is where the
    # removed export was refused; the rest of a full build does not look at the raw files)
    result = run_dbt(
        ["build", "--select", STAGING_SELECTOR, "--full-refresh", "--exclude-resource-type", "unit_test"],
        warehouse=warehouse,
        raw_dir=raw_day_one,
    )
    assert result.success, result.error
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        files = {r[0] for r in con.execute("select distinct source_file from staging.land_raw__annotations").fetchall()}
    finally:
        con.close()
    assert files == {"annotations_2026-10-01_fixed.csv", "annotations_2026-10-02.csv"}


def test_changed_model_code_forces_full_refresh(
    raw_day_one: Path, built_day_one: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from labelhouse.build import model_code_fingerprint, published_model_code

    warehouse = built_day_one
    assert published_model_code(warehouse) == model_code_fingerprint()

    # the fingerprint covers the dbt code: any edit of a model changes it
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("dbt_project.yml", "models", "macros", "seeds"):
        source = PROJECT_ROOT / name
        (shutil.copy if source.is_file() else shutil.copytree)(source, copy / name)
    assert model_code_fingerprint(copy) == model_code_fingerprint()
    model = copy / "models" / "staging" / "raw" / "stg_raw__annotations.sql"
    model.write_text(model.read_text() + "\n-- edited\n")
    assert model_code_fingerprint(copy) != model_code_fingerprint()

    # a warehouse built by other model code: the next build is a full refresh, which would otherwise
    # keep incremental rows computed by the old code
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("update audit.model_code set fingerprint = 'older code'")
    finally:
        con.close()
    # (in this process: what the build says is what `labelhouse build` prints)
    from labelhouse.build import build

    monkeypatch.setenv("LABELHOUSE_PROGRESS", "plain")  # pytest's stderr may be a terminal
    said: list[str] = []
    build(raw_day_one, warehouse, progress=said.append, docs=False)
    assert any("dbt models changed" in line and "full refresh" in line for line in said), said
    # and, not on a terminal, the build says dbt's node progress (test_progress.py)
    assert_build_says_node_progress(said)
    assert published_model_code(warehouse) == model_code_fingerprint()
