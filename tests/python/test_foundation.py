"""The foundation: raw contract, staging with rejected rows, throughput figures, CLI errors.

The hand-made exports in tests/fixtures/handmade were worked by hand (see the comments in the
fixture and the unit tests in models/marts/throughput/_throughput__models.yml).
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FIXTURES, PROJECT_ROOT, labelhouse_build, query

HANDMADE = FIXTURES / "handmade"
CLI = [sys.executable, "-m", "labelhouse.cli"]


@pytest.fixture(scope="module")
def handmade_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("handmade") / "w.duckdb"
    return labelhouse_build(HANDMADE, warehouse)


def test_every_kind_of_bad_row_is_rejected_with_its_reason(handmade_warehouse: Path) -> None:
    rows = query(
        handmade_warehouse,
        "select source_file, source_row_number, reject_reason from staging.rejected_rows "
        "where entity = 'annotations' order by source_row_number",
    )
    assert [(r[1], r[2]) for r in rows] == [
        (6, "null or blank annotation_id"),
        (7, "null or blank item_id"),
        (8, "unknown label"),
        (9, "unparsable submitted_at"),
        (10, "submitted_at before started_at"),
        (11, "unknown item_id"),
        (12, "unknown project_id"),
        (13, "duplicate annotation_id and exported_at"),
    ]
    assert {r[0] for r in rows} == {"annotations_2026-10-01.csv"}


def test_nothing_is_lost(handmade_warehouse: Path) -> None:
    raw = query(handmade_warehouse, "select sum(n_rows) from staging.raw_file_inventory where entity = 'annotations'")
    staged = query(handmade_warehouse, "select count(*) from staging.stg_raw__annotations")
    superseded = query(handmade_warehouse, "select count(*) from staging.base_raw__annotations where is_superseded")
    rejected = query(handmade_warehouse, "select count(*) from staging.rejected_rows where entity = 'annotations'")
    # 16 raw rows = 7 staged + 1 superseded (a5's first export) + 8 rejected
    assert (raw[0][0], staged[0][0], superseded[0][0], rejected[0][0]) == (16, 7, 1, 8)


def test_reexport_supersedes_and_offsets_convert_to_utc(handmade_warehouse: Path) -> None:
    rows = dict(
        (r[0], r[1:])
        for r in query(
            handmade_warehouse,
            "select annotation_id, label, cast(submitted_at as varchar), source_file from staging.stg_raw__annotations",
        )
    )
    assert rows["a5"] == ("benign", "2026-10-01 12:02:00", "annotations_2026-10-02.csv")
    # 17:20 at +07:00 is 10:20 UTC; 'Hate' is normalised to 'hate'; no offset means UTC
    assert rows["a2"][1] == "2026-10-01 10:20:00"
    assert rows["a3"][:2] == ("hate", "2026-10-01 11:30:00")


def test_throughput_matches_hand_worked_figures(handmade_warehouse: Path) -> None:
    daily = {
        (r[0], str(r[1])): r[2:]
        for r in query(
            handmade_warehouse,
            "select annotator_id, activity_date, n_annotations, active_hours, annotations_per_active_hour, "
            "median_handle_seconds, p90_handle_seconds from marts.fct_annotator_daily",
        )
    }
    # A on 10-01: 10:00-10:10, 10:05-10:20, 11:00-11:30 -> 50 active minutes, 3 / (50/60) = 3.6 per hour
    n, hours, rate, median, p90 = daily[("A", "2026-10-01")]
    assert n == 3
    assert hours == pytest.approx(50 / 60, abs=1e-12)
    assert rate == pytest.approx(3.6, abs=1e-12)
    assert (median, p90) == pytest.approx((900.0, 1620.0))
    # B on 10-01: 12:00-12:01 and 12:00:30-12:02 -> 2 active minutes, handle 60 s and 90 s
    n, hours, rate, median, p90 = daily[("B", "2026-10-01")]
    assert (n, hours, rate) == (2, pytest.approx(2 / 60), pytest.approx(60.0))
    assert (median, p90) == pytest.approx((75.0, 87.0))
    # A on 10-02: one judgement without started_at: counted, not timed
    assert daily[("A", "2026-10-02")][:3] == (1, None, None)

    project = {
        str(r[0]): r[1:]
        for r in query(
            handmade_warehouse,
            "select activity_date, items_created, items_completed, open_backlog, median_turnaround_hours, "
            "forecast_completion_date, is_on_track from marts.fct_project_daily where project_id = 'p1'",
        )
    }
    # i1 and i2 complete on 10-01 (2 judgements each) after 4h01m and 4h02m; i3 on 10-02 after 24h
    created, completed, backlog, median_tat, forecast, on_track = project["2026-10-01"]
    assert (created, completed, backlog) == (3, 2, 1)
    assert median_tat == pytest.approx((4 + 1 / 60 + 4 + 2 / 60) / 2)
    created, completed, backlog, median_tat, forecast, on_track = project["2026-10-02"]
    assert (created, completed, backlog, median_tat) == (2, 1, 2, pytest.approx(24.0))
    # 3 completed in the trailing 7 days -> 3/7 a day; 10 - 3 = 7 remaining -> 17 days -> 10-19
    assert (str(forecast), on_track) == ("2026-10-19", False)


def _copy_handmade(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(HANDMADE, raw)
    return raw


def _build(raw: Path, warehouse: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "build", "--raw", str(raw), "--warehouse", str(warehouse), "--no-report"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )


def test_missing_required_column_names_file_and_column(tmp_path: Path) -> None:
    raw = _copy_handmade(tmp_path)
    path = raw / "annotations_2026-10-02.csv"
    path.write_text(path.read_text().replace("annotator_id", "rater"))
    proc = _build(raw, tmp_path / "w.duckdb")
    assert proc.returncode != 0
    assert "annotations_2026-10-02.csv" in proc.stderr
    assert "'annotator_id'" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "w.duckdb").exists()


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    raw = _copy_handmade(tmp_path)
    (raw / "annotations_broken.parquet").write_bytes(b"PAR1 this is not parquet")
    proc = _build(raw, tmp_path / "w.duckdb")
    assert proc.returncode != 0
    assert "annotations_broken.parquet" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_mixed_formats_and_optional_columns(tmp_path: Path) -> None:
    """csv, csv.gz, jsonl and parquet files of one entity, with different optional columns."""
    raw = tmp_path / "raw"
    raw.mkdir()
    header = "annotation_id,item_id,project_id,annotator_id,label,submitted_at\n"
    (raw / "annotations_a.csv").write_text(header + "x1,i1,p,A,hate,2026-10-01T10:00:00Z\n")
    with gzip.open(raw / "annotations_b.csv.gz", "wt") as f:
        f.write(header + "x2,i1,p,B,hate,2026-10-01T11:00:00+02:00\n")
    record = {
        "annotation_id": "x3",
        "item_id": "i1",
        "project_id": "p",
        "annotator_id": "C",
        "label": "spam",
        "submitted_at": "2026-10-01T12:00:00",
        "language": "ไทย",
        "extra": [1, 2],
    }
    (raw / "annotations_c.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n")
    table = pa.table(
        {
            "Annotation_ID": ["x4"],
            "item_id": ["i2"],
            "project_id": ["p"],
            "annotator_id": ["A"],
            "label": ["benign"],
            "submitted_at": ["2026-10-02 08:00:00"],
            "started_at": ["2026-10-02 07:59:00"],
            "confidence": [0.9],
        }
    )
    pq.write_table(table, raw / "annotations_d.parquet")
    labelhouse_build(raw, tmp_path / "w.duckdb")  # in this process: the exit codes are tested above
    rows = query(
        tmp_path / "w.duckdb",
        "select annotation_id, cast(submitted_at as varchar), language, confidence "
        "from staging.stg_raw__annotations order by annotation_id",
    )
    assert rows == [
        ("x1", "2026-10-01 10:00:00", None, None),
        ("x2", "2026-10-01 09:00:00", None, None),
        ("x3", "2026-10-01 12:00:00", "ไทย", None),
        ("x4", "2026-10-02 08:00:00", None, 0.9),
    ]


def test_build_is_idempotent(handmade_warehouse: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    tables = [
        "staging.stg_raw__annotations",
        "staging.rejected_rows",
        "marts.fct_annotator_daily",
        "marts.fct_project_daily",
        "marts.dim_item",
    ]

    def snapshot() -> dict[str, list[tuple]]:
        return {t: sorted(query(warehouse, f"select * from {t}"), key=repr) for t in tables}

    shutil.copyfile(handmade_warehouse, warehouse)  # the first build: the module's, copied
    first = snapshot()
    labelhouse_build(HANDMADE, warehouse)
    assert snapshot() == first
