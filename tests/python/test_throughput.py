"""Handle-time percentiles of fct_annotator_daily (read off window ranks, macro
percentile_from_ranks) against numpy.percentile's default 'linear' method, on generated exports
with rounded handle times so that many annotator-days hold ties, and judgements without a start."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest
from conftest import _build


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from labelhouse.demo import generate

    raw = tmp_path_factory.mktemp("throughput") / "raw"
    generate(raw, n_annotations=5000, seed=11)
    # whole-minute handle times (ties in most annotator-days) and some judgements without a start
    con = duckdb.connect()
    for f in sorted(raw.glob("annotations*.parquet")):
        con.execute(
            f"copy (select * replace (case when hash(annotation_id) % 7 = 0 then null else "
            f"strftime(date_trunc('minute', try_cast(submitted_at as timestamptz) at time zone 'UTC') "
            f"- to_minutes(cast(1 + hash(annotation_id) % 4 as bigint)), '%Y-%m-%dT%H:%M:%SZ') end as started_at) "
            f"from read_parquet('{f}')) to '{f}' (format parquet)"
        )
    con.close()
    # the throughput marts and what they read, with their dbt tests (not the whole gated build)
    return _build(raw, tmp_path_factory.mktemp("throughput_wh") / "w.duckdb", select="+fct_annotator_daily")


def test_handle_time_percentiles_match_numpy(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        handle = con.execute(
            "select annotator_id, project_id, submitted_date, handle_seconds from intermediate.int_annotations"
        ).fetchall()
        daily = con.execute(
            "select annotator_id, project_id, activity_date, n_timed_annotations, median_handle_seconds, "
            "p90_handle_seconds from marts.fct_annotator_daily where n_annotations > 0"
        ).fetchall()
    finally:
        con.close()
    values: dict[tuple, list[float]] = {}
    for a, p, d, h in handle:
        values.setdefault((a, p, d), [])
        if h is not None:
            values[(a, p, d)].append(float(h))
    checked = ties = untimed = 0
    for a, p, d, n_timed, median, p90 in daily:
        xs = values[(a, p, d)]
        assert n_timed == len(xs)
        if not xs:
            assert median is None and p90 is None
            untimed += 1
            continue
        assert median == pytest.approx(float(np.percentile(xs, 50)), rel=1e-12, abs=1e-9)
        assert p90 == pytest.approx(float(np.percentile(xs, 90)), rel=1e-12, abs=1e-9)
        checked += 1
        ties += len(set(xs)) < len(xs)
    # the data exercises what the ranks must get right: many days, ties, and untimed judgements
    assert checked > 100 and ties > 10
    assert sum(1 for h in handle if h[3] is None) > 0
