"""The build history: `audit.build_runs` and `audit.gate_results` in the published warehouse,
plus each run's own record and self-contained HTML gate summary in its run folder.

A failed run never touches the published file, so its record lives in its run folder
(`run.json`); the next successful build imports every such record it has not seen yet, so the
history tables show failed runs too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from labelhouse.gates import GateReport
from labelhouse.paths import PROJECT_ROOT

AUDIT_SCHEMA = "audit"
RUN_RECORD = "run.json"
SUMMARY_HTML = "gate_summary.html"

BUILD_RUNS_DDL = f"""
create table if not exists {AUDIT_SCHEMA}.build_runs (
    run_id varchar primary key,
    started_at timestamp,
    finished_at timestamp,
    status varchar,
    failed_step varchar,
    exit_code integer,
    message varchar,
    git_commit varchar,
    raw_dir varchar,
    raw_files varchar,
    n_raw_files integer,
    n_raw_rows bigint,
    n_expectations integer,
    n_failed integer,
    n_warnings integer,
    timings varchar
)
"""

GATE_RESULTS_DDL = f"""
create table if not exists {AUDIT_SCHEMA}.gate_results (
    run_id varchar,
    gate varchar,
    suite varchar,
    asset varchar,
    expectation varchar,
    column_name varchar,
    problem varchar,
    severity varchar,
    status varchar,
    success boolean,
    observed_value varchar,
    threshold varchar,
    unexpected_count bigint,
    element_count bigint,
    unexpected_share double,
    source_files varchar,
    note varchar
)
"""


# The report's views of the build history (the Data health page only selects from them). They
# live here, beside the tables they read, because the gates write those tables after dbt has run.
AUDIT_VIEWS_SQL = [
    # one row per build and gate outcome (skipped checks left out): how many checks had it
    f"""
create or replace view {AUDIT_SCHEMA}.gate_outcomes_by_run as
select
    runs.started_at,
    results.run_id,
    results.status,
    count(*) as n_checks
from {AUDIT_SCHEMA}.gate_results as results
inner join {AUDIT_SCHEMA}.build_runs as runs on results.run_id = runs.run_id
where results.status <> 'skipped'
group by runs.started_at, results.run_id, results.status
""",
    # the failed and warning checks of the newest build (by started_at)
    f"""
create or replace view {AUDIT_SCHEMA}.latest_gate_problems as
select
    results.run_id,
    results.gate,
    results.asset,
    results.expectation,
    coalesce(results.column_name, '') as column_name,
    results.severity,
    results.status,
    results.unexpected_count,
    results.unexpected_share
from {AUDIT_SCHEMA}.gate_results as results
where
    results.status in ('failed', 'warning')
    and results.run_id = (
        select latest.run_id from {AUDIT_SCHEMA}.build_runs as latest
        order by latest.started_at desc, latest.run_id desc limit 1
    )
""",
]


@dataclass
class RawFileRecord:
    entity: str
    file: str
    format: str
    n_rows: int
    bytes: int
    sha256: str


@dataclass
class RunRecord:
    run_id: str
    started_at: str
    raw_dir: str
    git_commit: str | None = None
    finished_at: str | None = None
    status: str = "running"  # running | published | failed
    failed_step: str | None = None
    exit_code: int = 0
    message: str | None = None
    raw_files: list[RawFileRecord] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    gates: list[dict[str, Any]] = field(default_factory=list)

    def outcome_rows(self) -> list[dict[str, Any]]:
        return [o for g in self.gates for o in g.get("outcomes", [])]


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def git_commit(project_dir: Path | None = None) -> str | None:
    """The checked-out commit of the project in `project_dir` (default: labelhouse.paths.PROJECT_ROOT;
    with '-dirty' when the tree has changes); None outside git."""
    cwd = Path(project_dir or PROJECT_ROOT)
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty else "")


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def raw_file_records(files: list[Any]) -> list[RawFileRecord]:
    """Checksums and row counts of the preflight's raw files (RawFile objects)."""
    return [
        RawFileRecord(f.entity, f.path.name, f.fmt, f.n_rows, f.path.stat().st_size, sha256_file(f.path)) for f in files
    ]


def add_gate(record: RunRecord, report: GateReport) -> None:
    record.gates.append(
        {
            "gate": report.gate,
            "passed": report.passed,
            "seconds": report.seconds,
            "summary": report.summary_line(),
            "outcomes": report.to_rows(),
        }
    )


def write_record(record: RunRecord, run_dir: Path) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / RUN_RECORD
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(record), indent=2, default=str))
    tmp.replace(path)
    return path


def read_record(path: Path) -> RunRecord | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    data["raw_files"] = [RawFileRecord(**f) for f in data.get("raw_files", [])]
    return RunRecord(**data)


def _run_row(record: RunRecord) -> tuple[Any, ...]:
    outcomes = record.outcome_rows()
    return (
        record.run_id,
        record.started_at,
        record.finished_at,
        record.status,
        record.failed_step,
        record.exit_code,
        record.message,
        record.git_commit,
        record.raw_dir,
        json.dumps([asdict(f) for f in record.raw_files]),
        len(record.raw_files),
        sum(f.n_rows for f in record.raw_files),
        sum(1 for o in outcomes if o["status"] != "skipped"),
        sum(1 for o in outcomes if o["status"] == "failed"),
        sum(1 for o in outcomes if o["status"] == "warning"),
        json.dumps(record.timings),
    )


def _gate_rows(record: RunRecord) -> list[tuple[Any, ...]]:
    return [
        (
            record.run_id,
            o["gate"],
            o["suite"],
            o["asset"],
            o["expectation"],
            o["column"],
            o["problem"],
            o["severity"],
            o["status"],
            o["status"] in ("passed", "warning"),
            o["observed"],
            o["threshold"],
            o["unexpected_count"],
            o["element_count"],
            o["unexpected_share"],
            "; ".join(o["source_files"]) or None,
            o["note"],
        )
        for o in record.outcome_rows()
    ]


def append_history(candidate: Path, published: Path, record: RunRecord, runs_dir: Path) -> None:
    """Write this run (and earlier failed runs from their folders) into the candidate's audit tables.

    The history starts from the previous published warehouse (when the candidate does not
    already carry it), so it survives full refreshes.
    """
    con = duckdb.connect(str(candidate))
    try:
        con.execute(f"create schema if not exists {AUDIT_SCHEMA}")
        has_history = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = 'build_runs'",
            [AUDIT_SCHEMA],
        ).fetchone()[0]  # type: ignore[index]
        con.execute(BUILD_RUNS_DDL)
        con.execute(GATE_RESULTS_DDL)
        for view_sql in AUDIT_VIEWS_SQL:
            con.execute(view_sql)
        if not has_history and published.exists():
            con.execute(f"attach '{published}' as previous (read_only)")
            try:
                old = {
                    r[0]
                    for r in con.execute(
                        "select table_name from information_schema.tables "
                        "where table_catalog = 'previous' and table_schema = ?",
                        [AUDIT_SCHEMA],
                    ).fetchall()
                }
                for table in ("build_runs", "gate_results"):
                    if table in old:
                        con.execute(f"insert into {AUDIT_SCHEMA}.{table} select * from previous.{AUDIT_SCHEMA}.{table}")
            finally:
                con.execute("detach previous")
        seen = {r[0] for r in con.execute(f"select run_id from {AUDIT_SCHEMA}.build_runs").fetchall()}
        records = [record]
        for path in sorted(runs_dir.glob(f"*/{RUN_RECORD}")):
            earlier = read_record(path)
            if earlier is None or earlier.run_id == record.run_id:
                continue
            if earlier.status == "running":  # killed midway: we hold the lock, so it is not running
                earlier.status = "interrupted"
            if earlier.status in ("failed", "interrupted"):
                records.append(earlier)
        for rec in records:
            if rec.run_id in seen:
                continue
            con.execute(f"insert into {AUDIT_SCHEMA}.build_runs values ({', '.join('?' * 16)})", _run_row(rec))
            rows = _gate_rows(rec)
            if rows:
                con.executemany(f"insert into {AUDIT_SCHEMA}.gate_results values ({', '.join('?' * 17)})", rows)
        con.execute("checkpoint")
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# HTML summary: one self-contained page, no scripts, no external assets
# --------------------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2328}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f6f8fa}
.passed{color:#1a7f37}.failed{color:#cf222e;font-weight:600}.warning{color:#9a6700}.skipped{color:#656d76}
.banner{padding:.6rem 1rem;border-radius:6px;margin:1rem 0}.ok{background:#dafbe1}.bad{background:#ffebe9}
code,small{color:#57606a}
"""


def render_summary(record: RunRecord) -> str:
    e = html.escape
    ok = record.status == "published"
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>labelhouse build {e(record.run_id)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Build {e(record.run_id)}</h1>",
        f"<div class='banner {'ok' if ok else 'bad'}'><b>{e(record.status.upper())}</b>",
        f" &mdash; {e(record.failed_step or 'every gate passed')}</div>"
        if not ok
        else " &mdash; every gate passed</div>",
        f"<p><small>started {e(record.started_at)} UTC, finished {e(record.finished_at or '')} UTC, "
        f"commit <code>{e(record.git_commit or 'unknown')}</code>, raw <code>{e(record.raw_dir)}</code></small></p>",
    ]
    if record.message and not ok:
        parts.append(f"<pre>{e(record.message)}</pre>")
    parts.append(
        "<h2>Raw files</h2><table><tr><th>entity</th><th>file</th><th>rows</th><th>bytes</th><th>sha256</th></tr>"
    )
    for f in record.raw_files:
        parts.append(
            f"<tr><td>{e(f.entity)}</td><td>{e(f.file)}</td><td>{f.n_rows:,}</td><td>{f.bytes:,}</td>"
            f"<td><code>{e(f.sha256[:16])}…</code></td></tr>"
        )
    parts.append("</table>")
    for gate in record.gates:
        parts.append(f"<h2>{e(gate['summary'])}</h2>")
        parts.append(
            "<table><tr><th>status</th><th>table</th><th>check</th><th>observed</th><th>threshold</th>"
            "<th>files / examples</th></tr>"
        )
        order = {"failed": 0, "warning": 1, "passed": 2, "skipped": 3}
        for o in sorted(gate["outcomes"], key=lambda o: (order.get(o["status"], 9), o["asset"])):
            where = "<br>".join(e(f) for f in o["source_files"]) or e(o.get("note") or "")
            parts.append(
                f"<tr><td class='{e(o['status'])}'>{e(o['status'])}</td><td>{e(o['asset'])}</td>"
                f"<td>{e(o['problem'])}<br><small>{e(o['expectation'])}"
                f"{(' on ' + e(o['column'])) if o['column'] else ''}</small></td>"
                f"<td>{e(o['observed'] or '')}</td><td>{e(o['threshold'] or '')}</td><td>{where}</td></tr>"
            )
        parts.append("</table>")
    if record.timings:
        parts.append("<h2>Timings</h2><table>")
        parts += [f"<tr><td>{e(k)}</td><td>{v:.2f} s</td></tr>" for k, v in record.timings.items()]
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def write_summary(record: RunRecord, run_dir: Path) -> Path:
    path = run_dir / SUMMARY_HTML
    path.write_text(render_summary(record), encoding="utf-8")
    return path


def landed_checksums(published: Path) -> dict[tuple[str, str], str]:
    """(entity, file) -> sha256 of every raw file the published warehouse's builds have landed."""
    if not published.exists():
        return {}
    try:
        con = duckdb.connect(str(published), read_only=True)
    except duckdb.Error:
        return {}
    try:
        has = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = 'build_runs'",
            [AUDIT_SCHEMA],
        ).fetchone()[0]  # type: ignore[index]
        if not has:
            return {}
        rows = con.execute(
            f"select raw_files from {AUDIT_SCHEMA}.build_runs where status = 'published' order by started_at"
        ).fetchall()
    finally:
        con.close()
    checksums: dict[tuple[str, str], str] = {}
    for (raw_files,) in rows:
        for f in json.loads(raw_files or "[]"):
            checksums[(f["entity"], f["file"])] = f["sha256"]
    return checksums


def rewritten_files(records: list[RawFileRecord], landed: dict[tuple[str, str], str]) -> list[RawFileRecord]:
    """Raw files whose name was landed before but whose bytes have changed since."""
    return [r for r in records if landed.get((r.entity, r.file), r.sha256) != r.sha256]
