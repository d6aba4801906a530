"""`labelhouse build`: preflight, write a candidate warehouse with dbt, then publish it atomically.

The published DuckDB file is only ever replaced by os.replace() of a fully built candidate in
the same folder, so readers never see a half-built file, and a failed run leaves it untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from labelhouse.dbt import run_dbt
from labelhouse.errors import BuildInProgress, DbtFailed
from labelhouse.preflight import PreflightReport, preflight

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    run_id: str
    warehouse: Path
    run_dir: Path
    preflight: PreflightReport
    timings: dict[str, float] = field(default_factory=dict)
    summary: dict[str, int] = field(default_factory=dict)


@contextlib.contextmanager
def build_lock(warehouse: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the warehouse; a second build fails fast."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.parent / f".{warehouse.name}.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildInProgress(
                f"A build of {warehouse} is in progress (lock {lock_path} is held). "
                "Wait for it to finish and run again."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def new_run_id() -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def _timed(timings: dict[str, float], name: str) -> contextlib.AbstractContextManager[None]:
    import time

    @contextlib.contextmanager
    def cm() -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            timings[name] = round(time.perf_counter() - start, 3)

    return cm()


def describe_dbt_failure(result_nodes: list[dict], error: str | None) -> str:
    lines = ["dbt could not build the candidate warehouse."]
    if error:
        lines.append(error.strip())
    for node in result_nodes:
        if node["status"] in ("error", "fail", "runtime error"):
            message = (node["message"] or "").strip().splitlines()
            lines.append(f"  {node['status'].upper()} {node['name']}: {message[0] if message else ''}")
    return "\n".join(lines)


def summarise(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        queries = {
            "annotations staged": "select count(*) from staging.stg_raw__annotations",
            "items": "select count(*) from staging.stg_raw__items",
            "annotators": "select count(distinct annotator_id) from staging.stg_raw__annotations",
            "rows rejected": "select count(*) from staging.rejected_rows",
        }
        return {k: int(con.execute(q).fetchall()[0][0]) for k, q in queries.items()}  # type: ignore[index]
    finally:
        con.close()


def build(
    raw_dir: Path,
    warehouse: Path,
    *,
    full_refresh: bool = False,
    progress: Progress = print,
) -> BuildResult:
    """Build the warehouse from raw_dir and publish it at `warehouse`; raise LabelhouseError on failure."""
    warehouse = Path(warehouse).resolve()
    raw_dir = Path(raw_dir).resolve()
    with build_lock(warehouse):
        run_id = new_run_id()
        run_dir = warehouse.parent / "runs" / run_id
        run_dir.mkdir(parents=True)
        timings: dict[str, float] = {}

        progress(f"[1/3] Checking raw exports in {raw_dir}")
        with _timed(timings, "preflight"):
            report = preflight(raw_dir)
        n_files = len(report.files)
        progress(f"      {n_files} files, {report.rows('annotations'):,} annotation rows")

        candidate = run_dir / "candidate.duckdb"
        if warehouse.exists() and not full_refresh:
            shutil.copyfile(warehouse, candidate)
        progress("[2/3] Building the candidate warehouse with dbt (models and tests)")
        args = ["build"] + (["--full-refresh"] if full_refresh else [])
        with _timed(timings, "dbt build"):
            result = run_dbt(args, warehouse=candidate, raw_dir=raw_dir, target_path=run_dir / "dbt")
        if not result.success:
            raise DbtFailed(describe_dbt_failure(result.nodes, result.error))
        n_models = sum(1 for n in result.nodes if n["resource_type"] == "model")
        n_tests = sum(1 for n in result.nodes if n["resource_type"] in ("test", "unit_test"))
        progress(f"      {n_models} models, {n_tests} tests passed")

        progress(f"[3/3] Publishing {warehouse}")
        with _timed(timings, "publish"):
            summary = summarise(candidate)
            os.replace(candidate, warehouse)
        return BuildResult(run_id, warehouse, run_dir, report, timings, summary)
