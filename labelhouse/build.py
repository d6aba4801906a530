"""`labelhouse build`: write, audit, publish.

1. preflight: structural checks on the raw files (always fatal; exit 2);
2. land: `dbt build` of staging (and its seed) into a candidate DuckDB file in
   warehouse/runs/<run_id>/ (exit 3 if dbt fails);
3. raw gate: the GX raw suites on the landed rows (exit 4);
4. write: `dbt build` of everything else, models and dbt tests (exit 3);
5. mart gate: the GX mart suites on the candidate (exit 6);
6. publish: append this run to audit.build_runs / audit.gate_results in the candidate, then
   os.replace() it over the published file.

The published file is only ever replaced by a fully built, fully gated candidate in the same
folder, so readers never see a half-built file and any failure (or a kill) leaves it as it
was. Every run, failed or not, leaves run.json, gate_summary.html and the GX results in its
run folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from labelhouse import run_log
from labelhouse.alerts import write_alerts_md
from labelhouse.dbt import files_fingerprint, run_dbt, shared_manifest, temporary_env
from labelhouse.errors import BuildInProgress, DbtFailed, LabelhouseError, PreflightError
from labelhouse.gates import GateReport, raise_if_failed, run_gate
from labelhouse.paths import PROJECT_ROOT
from labelhouse.preflight import PreflightReport, preflight

Progress = Callable[[str], None]
STAGING_SELECTOR = "+staging"
CANDIDATE_NAME = "candidate.duckdb"
# dbt runs two models at a time below this many annotation rows (small models: overlapping them
# hides dbt's per-node overhead) and one at a time above it, where two large models side by side
# would share DuckDB's memory limit (profiles.yml) and spill or fail where one alone fits.
PARALLEL_MODELS_MAX_ROWS = 2_000_000
THREADS_ENV = "LABELHOUSE_DBT_THREADS"


MODEL_CODE_PATHS = ("dbt_project.yml", "models", "macros", "seeds")
ALERTS_MD = "alerts.md"  # the build's open alerts, in its run folder
MODEL_CODE_TABLE = f"{run_log.AUDIT_SCHEMA}.model_code"


def model_code_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A hash of the dbt project's code (dbt_project.yml, models, macros, seeds).

    Incremental models keep rows computed by earlier code; when the code changed, the next
    build must be a full refresh to give the tables a full refresh gives.
    """
    return files_fingerprint(MODEL_CODE_PATHS, root)


def published_model_code(warehouse: Path) -> str | None:
    """The model-code fingerprint the published warehouse was built with (None: unknown)."""
    if not warehouse.exists():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute(f"select fingerprint from {MODEL_CODE_TABLE}").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return str(rows[0][0]) if rows else None


def _record_model_code(candidate: Path, fingerprint: str) -> None:
    con = duckdb.connect(str(candidate))
    try:
        con.execute(f"create schema if not exists {run_log.AUDIT_SCHEMA}")
        con.execute(f"create or replace table {MODEL_CODE_TABLE} as select ?::varchar as fingerprint", [fingerprint])
    finally:
        con.close()


@dataclass
class BuildResult:
    run_id: str
    warehouse: Path
    run_dir: Path
    preflight: PreflightReport
    timings: dict[str, float] = field(default_factory=dict)
    summary: dict[str, int] = field(default_factory=dict)
    gates: list[GateReport] = field(default_factory=list)


@contextlib.contextmanager
def build_lock(warehouse: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the warehouse; a second build fails fast.

    flock() locks die with their process, so a killed build never leaves a stale lock.
    """
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


@contextlib.contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round(time.perf_counter() - start, 3)


def describe_dbt_failure(
    result_nodes: list[dict], error: str | None, step: str = "", warehouse: Path | None = None
) -> str:
    lines = [f"dbt could not build the candidate warehouse{f' ({step})' if step else ''}."]
    if error:
        lines.append(error.strip())
    for node in result_nodes:
        if node["status"] in ("error", "fail", "runtime error"):
            message = [m.strip() for m in (node["message"] or "").strip().splitlines() if m.strip()]
            first = message[0] if message else ""
            lines.append(f"  {node['status'].upper()} {node['name']}: {first}")
            # a compilation error's useful sentence (the file, what to do) follows the first line
            lines.extend(f"    {m}" for m in message[1:4])
            if node["status"] == "fail" and node["name"].startswith("column_checks_") and warehouse is not None:
                lines.extend(f"    {check}: {n:,} rows" for check, n in _failed_column_checks(node, warehouse))
    lines.append("The published warehouse was not changed.")
    return "\n".join(lines)


def _failed_column_checks(node: dict, warehouse: Path) -> list[tuple[str, int]]:
    """The checks a failed column_checks test lists (its query returns one row per failed check)."""
    sql = node.get("compiled_code")
    if not sql:
        return []
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return []
    try:
        return [(str(c), int(n)) for c, n in con.execute(f"select * from ({sql}) as failed limit 20").fetchall()]
    except duckdb.Error:
        return []
    finally:
        con.close()


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


def _remove_stale_candidates(runs_dir: Path) -> None:
    """Candidates left by killed builds (we hold the lock, so no build is using them)."""
    for stale in runs_dir.glob(f"*/{CANDIDATE_NAME}*"):
        with contextlib.suppress(OSError):
            stale.unlink()


def _dbt_step(
    args: list[str],
    candidate: Path,
    raw_dir: Path,
    target: Path,
    step: str,
    timings: dict[str, float],
    manifest: Any = None,
    progress: Progress | None = None,
    project_dir: Path | None = None,
) -> tuple[int, int]:
    with _timed(timings, step):
        result = run_dbt(
            args,
            warehouse=candidate,
            raw_dir=raw_dir,
            target_path=target,
            manifest=manifest,
            progress=progress,
            project_dir=project_dir,
        )
    with contextlib.suppress(OSError):  # keep each step's node timings (the next step rewrites the file)
        shutil.copyfile(target / "run_results.json", target / f"run_results_{step.split()[-1]}.json")
    if not result.success:
        raise DbtFailed(describe_dbt_failure(result.nodes, result.error, step, candidate))
    n_models = sum(1 for n in result.nodes if n["resource_type"] in ("model", "seed"))
    n_tests = sum(1 for n in result.nodes if n["resource_type"] in ("test", "unit_test"))
    return n_models, n_tests


def build(
    raw_dir: Path,
    warehouse: Path,
    *,
    full_refresh: bool = False,
    progress: Progress = print,
    gate_params: dict[str, Any] | None = None,
    expectations_dir: Path | None = None,
    keep_failed_candidate: bool = False,
    unit_tests: bool = False,
    docs: bool = True,
    project_dir: Path | None = None,
) -> BuildResult:
    """Build the warehouse from raw_dir and publish it at `warehouse`; raise LabelhouseError on failure.

    gate_params overrides suite parameters for this build (e.g. {"row_level_mostly": 0.95});
    expectations_dir points at another folder of suites (tests); keep_failed_candidate keeps a
    failed run's candidate file in its run folder for inspection. unit_tests also runs the dbt
    unit tests (they test the models' code, not the data, so `make test` runs them and a daily
    build skips them). docs writes the dbt docs of the candidate into the run folder's docs/
    (the report site copies them from there). project_dir is the dbt project to build (its
    models, contract, vars and expectations; default labelhouse.paths.PROJECT_ROOT, the checkout
    or LABELHOUSE_PROJECT_DIR).
    """
    warehouse = Path(warehouse).resolve()
    raw_dir = Path(raw_dir).resolve()
    project = Path(project_dir).resolve() if project_dir is not None else PROJECT_ROOT
    with build_lock(warehouse):
        runs_dir = warehouse.parent / "runs"
        _remove_stale_candidates(runs_dir)
        run_id = new_run_id()
        run_dir = runs_dir / run_id
        run_dir.mkdir(parents=True)
        timings: dict[str, float] = {}
        record = run_log.RunRecord(run_id, run_log.utc_now(), str(raw_dir), git_commit=run_log.git_commit(project))
        record.timings = timings
        candidate = run_dir / CANDIDATE_NAME
        gates: list[GateReport] = []
        stack = contextlib.ExitStack()
        step = "preflight"
        run_log.write_record(record, run_dir)
        code = model_code_fingerprint(project)
        if not full_refresh and warehouse.exists() and published_model_code(warehouse) != code:
            progress("      the dbt models changed since the published warehouse was built: full refresh")
            full_refresh = True
        try:
            progress(f"[1/6] Checking raw exports in {raw_dir}")
            with _timed(timings, "preflight"):
                report = preflight(raw_dir, project)
                record.raw_files = run_log.raw_file_records(report.files)
                if not full_refresh:
                    _refuse_rewritten_exports(record.raw_files, warehouse)
            progress(f"      {len(report.files)} files, {report.rows('annotations'):,} annotation rows")
            if THREADS_ENV not in os.environ:
                threads = 2 if report.rows("annotations") < PARALLEL_MODELS_MAX_ROWS else 1
                stack.enter_context(temporary_env({THREADS_ENV: str(threads)}))

            if warehouse.exists() and not full_refresh:
                shutil.copyfile(warehouse, candidate)

            # one parse for every dbt step of the build (and of later builds in this process)
            with _timed(timings, "dbt parse"):
                manifest = shared_manifest(candidate, project_dir=project)

            def audit(gate: str) -> None:
                """Run one GX gate on the candidate, record it, print it, stop the build if it failed."""
                with _timed(timings, f"{gate} gate"):
                    report = run_gate(
                        gate,
                        candidate,
                        expectations_dir=expectations_dir,
                        params=gate_params,
                        results_dir=run_dir / "gx",
                        project_dir=project,
                    )
                gates.append(report)
                run_log.add_gate(record, report)
                progress("      " + report.summary_line())
                for warning in report.warnings:
                    progress("      warning " + warning.line())
                raise_if_failed(report)

            step = "landing (dbt build of staging)"
            progress("[2/6] Landing the raw exports: dbt build of staging into a candidate warehouse")
            n_models, n_tests = _dbt_step(
                ["build", "--select", STAGING_SELECTOR]
                + ([] if unit_tests else ["--exclude-resource-type", "unit_test"])
                + (["--full-refresh"] if full_refresh else []),
                candidate,
                raw_dir,
                run_dir / "dbt",
                "dbt staging",
                timings,
                manifest,
                progress,
                project,
            )
            progress(f"      {n_models} models, {n_tests} tests passed")

            step = "raw gate"
            progress("[3/6] Raw gate: Great Expectations on the landed rows")
            audit("raw")

            step = "write (dbt build of the rest)"
            progress("[4/6] Writing the warehouse: dbt build of intermediate models and marts")
            n_models, n_tests = _dbt_step(
                ["build", "--exclude", STAGING_SELECTOR]
                + ([] if unit_tests else ["--exclude-resource-type", "unit_test"])
                + (["--full-refresh"] if full_refresh else []),
                candidate,
                raw_dir,
                run_dir / "dbt",
                "dbt marts",
                timings,
                manifest,
                progress,
                project,
            )
            progress(f"      {n_models} models, {n_tests} tests passed")

            step = "mart gate"
            progress("[5/6] Mart gate: Great Expectations on the candidate warehouse")
            audit("mart")

            if docs and manifest is not None:
                step = "dbt docs"
                from labelhouse.report.docs import generate_docs

                with _timed(timings, "dbt docs"):
                    generate_docs(candidate, raw_dir, run_dir / "dbt", run_dir / "docs", manifest, project)

            step = "publish"
            progress(f"[6/6] Publishing {warehouse}")
            with _timed(timings, "publish"):
                summary = summarise(candidate)
                _record_model_code(candidate, code)
                record.status = "published"
                record.finished_at = run_log.utc_now()
                run_log.append_history(candidate, warehouse, record, runs_dir)
                os.replace(candidate, warehouse)
        except LabelhouseError as exc:
            _record_failure(record, step, exc.exit_code, str(exc), run_dir, candidate, keep_failed_candidate)
            details = f"\nRun record and gate summary: {run_dir / run_log.SUMMARY_HTML}"
            raise type(exc)(f"{exc}{details}", exit_code=exc.exit_code) from None
        except BaseException as exc:  # a bug or Ctrl-C: still leave a record, never a half-published file
            _record_failure(record, step, 1, f"{type(exc).__name__}: {exc}", run_dir, candidate, keep_failed_candidate)
            raise
        finally:
            stack.close()
        run_log.write_record(record, run_dir)
        run_log.write_summary(record, run_dir)
        progress(f"      gate summary: {run_dir / run_log.SUMMARY_HTML}")
        progress("      " + write_alerts_md(warehouse, run_dir / ALERTS_MD))
        return BuildResult(run_id, warehouse, run_dir, report, timings, summary, gates)


def _refuse_rewritten_exports(records: list[run_log.RawFileRecord], warehouse: Path) -> None:
    """An incremental build lands each file once, by name: a rewritten file would be ignored."""
    changed = run_log.rewritten_files(records, run_log.landed_checksums(warehouse))
    if changed:
        names = ", ".join(f"'{r.file}'" for r in changed[:5]) + (" ..." if len(changed) > 5 else "")
        raise PreflightError(
            f"Raw export file {names} changed since an earlier build landed it (its sha256 differs), and an "
            "incremental build lands each file once, by name. Exports are append-only: add the corrections as "
            "a new file, or rebuild everything with `labelhouse build --full-refresh`."
        )


def _record_failure(
    record: run_log.RunRecord, step: str, exit_code: int, message: str, run_dir: Path, candidate: Path, keep: bool
) -> None:
    record.status = "failed"
    record.failed_step = step
    record.exit_code = exit_code
    record.message = message
    record.finished_at = run_log.utc_now()
    with contextlib.suppress(Exception):
        run_log.write_record(record, run_dir)
        run_log.write_summary(record, run_dir)
    if not keep:
        for path in (candidate, candidate.with_name(candidate.name + ".wal")):
            with contextlib.suppress(OSError):
                path.unlink()
