"""Write-audit-publish end to end: what gets published, what a failure leaves, the build lock,
a build killed midway, the history tables and the CLI's exit codes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import DemoBuild

from labelhouse.build import build, build_lock
from labelhouse.errors import BuildInProgress, PreflightError
from labelhouse.gates import RawGateFailed
from labelhouse.paths import PROJECT_ROOT

QUIET: Callable[[str], None] = lambda message: None  # noqa: E731


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [sys.executable, "-m", "labelhouse.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def good_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from labelhouse.demo import generate

    raw = tmp_path_factory.mktemp("build") / "raw"
    generate(raw, n_annotations=2500, seed=3)
    return raw


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, good_raw: Path) -> Path:
    """The first good build: published, with its history row."""
    path = tmp_path_factory.mktemp("published") / "labelhouse.duckdb"
    result = build(good_raw, path, progress=QUIET)
    assert result.warehouse == path and path.exists()
    return path


def with_unknown_labels(good_raw: Path, out: Path, share_every: int = 3) -> Path:
    """A copy of the raw exports with every `share_every`-th annotation's label made unknown."""
    shutil.copytree(good_raw, out)
    con = duckdb.connect()
    for f in sorted(out.glob("annotations*.parquet")):
        quoted = "'" + str(f) + "'"
        con.execute(
            f"copy (select * exclude (file_row_number) replace (case when file_row_number % {share_every} = 0 "
            f"then 'lolcat' else label end as label) from read_parquet({quoted}, file_row_number = true)) "
            f"to '{f}.tmp' (format parquet)"
        )
        os.replace(f"{f}.tmp", f)
    con.close()
    return out


def test_published_warehouse_has_history_and_run_folder(warehouse: Path, good_raw: Path) -> None:
    runs = rows(warehouse, "select run_id, status, git_commit, raw_files, n_raw_files, n_failed from audit.build_runs")
    assert len(runs) == 1
    run_id, status, _commit, raw_files, n_files, n_failed = runs[0]
    assert status == "published" and n_failed == 0
    files = {f["file"]: f for f in json.loads(raw_files)}
    on_disk = sorted(p for p in good_raw.iterdir() if p.suffix in (".csv", ".parquet", ".jsonl", ".gz"))
    assert n_files == len(on_disk) == len(files)
    for p in on_disk:
        assert files[p.name]["sha256"] == sha256(p)
    gates = dict(rows(warehouse, "select gate, count(*) from audit.gate_results where status != 'skipped' group by 1"))
    assert gates.get("raw", 0) > 20 and gates.get("mart", 0) > 20
    failed = rows(warehouse, "select count(*) from audit.gate_results where status = 'failed'")[0][0]
    assert failed == 0
    run_dir = warehouse.parent / "runs" / run_id
    assert (run_dir / "gate_summary.html").read_text().count("<tr>") > 40
    html = (run_dir / "gate_summary.html").read_text()
    assert "http://" not in html and "https://" not in html and "<script" not in html  # self-contained
    for gate in ("raw", "mart"):
        payload = json.loads((run_dir / "gx" / f"{gate}_gate.json").read_text())
        assert payload["passed"] and payload["gx_validation_results"]
    assert not list(warehouse.parent.glob("runs/*/candidate.duckdb*"))


def test_failure_lock_kill_then_good_build(warehouse: Path, good_raw: Path, tmp_path: Path) -> None:
    before = sha256(warehouse)

    # 1. a raw-gate failure leaves the published bytes alone and keeps its record in the run folder
    bad = with_unknown_labels(good_raw, tmp_path / "bad")
    with pytest.raises(RawGateFailed) as info:
        build(bad, warehouse, full_refresh=True, progress=QUIET)
    assert "label not in the taxonomy" in str(info.value) and info.value.exit_code == 4
    assert sha256(warehouse) == before
    # ... and incrementally, the rewritten files would be ignored by name: the preflight refuses them
    with pytest.raises(PreflightError, match="changed since an earlier build landed it"):
        build(bad, warehouse, progress=QUIET)
    assert sha256(warehouse) == before

    # 2. a second build while one runs is refused (in-process and through the CLI), and
    # 3. killing the running build after its dbt step started changes nothing
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "labelhouse.cli",
            "build",
            "--raw",
            str(good_raw),
            "--warehouse",
            str(warehouse),
            "--no-report",
            "--full-refresh",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        seen = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            seen.append(line)
            if "[2/6]" in line or not line:
                break
        assert any("[2/6]" in s for s in seen), "".join(seen)
        while time.monotonic() < deadline and not list(warehouse.parent.glob("runs/*/candidate.duckdb")):
            time.sleep(0.2)
        time.sleep(1)  # dbt is now writing the candidate
        with pytest.raises(BuildInProgress, match="in progress"):
            build(good_raw, warehouse, progress=QUIET)
        refused = cli("build", "--raw", str(good_raw), "--warehouse", str(warehouse), "--no-report")
        assert refused.returncode == 5 and "in progress" in refused.stderr
        assert proc.poll() is None, "the build finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stdout:
            proc.stdout.close()
    assert sha256(warehouse) == before
    assert rows(warehouse, "select count(*) from audit.build_runs")[0][0] == 1  # still readable, still as it was
    assert list(warehouse.parent.glob("runs/*/candidate.duckdb")), "the killed build's candidate should be there"

    # 4. a good build afterwards publishes normally (full refresh: history is carried over)
    result = build(good_raw, warehouse, full_refresh=True, progress=QUIET)
    assert sha256(warehouse) != before
    assert not list(warehouse.parent.glob("runs/*/candidate.duckdb*")), "stale candidates are cleaned up"
    history = rows(warehouse, "select status, failed_step, exit_code from audit.build_runs order by started_at")
    statuses = [h[0] for h in history]
    assert statuses.count("published") == 2 and statuses.count("failed") == 2 and "interrupted" in statuses
    failed = next(h for h in history if h[0] == "failed" and h[1] == "raw gate")
    assert failed[1] == "raw gate" and failed[2] == 4
    failing = rows(
        warehouse,
        "select problem, observed_value, source_files from audit.gate_results r join audit.build_runs b "
        "using (run_id) where b.failed_step = 'raw gate' and r.status = 'failed'",
    )
    assert [f[0] for f in failing] == ["label not in the taxonomy"]
    assert "annotations_" in failing[0][2]
    assert result.run_id == rows(warehouse, "select max(run_id) from audit.build_runs where status = 'published'")[0][0]


def test_mart_gate_failure_exit_code(good_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(good_raw, raw)
    con = duckdb.connect()
    for f in sorted(raw.glob("annotations*.parquet")):
        con.execute(
            f"copy (select * replace (case when annotator_id = 'rater_001' then 'first.last@example.com' "
            f"else annotator_id end as annotator_id) from read_parquet('{f}')) to '{f}.tmp' (format parquet)"
        )
        os.replace(f"{f}.tmp", f)
    con.close()
    published = tmp_path / "wh" / "labelhouse.duckdb"
    published.parent.mkdir()
    con = duckdb.connect(str(published))
    con.execute("create table stand_in as select 1 as x")
    con.close()
    before = sha256(published)
    result = cli("build", "--raw", str(raw), "--warehouse", str(published), "--no-report")
    assert result.returncode == 6, result.stdout + result.stderr
    assert "mart gate FAILED" in result.stderr and "e-mail-like" in result.stderr
    assert sha256(published) == before


def test_cli_preflight_and_lock_exit_codes(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "items.csv").write_text("item_id,project_id,created_at\ni1,p1,2026-10-01\n")
    warehouse = tmp_path / "wh" / "labelhouse.duckdb"
    result = cli("build", "--raw", str(raw), "--warehouse", str(warehouse), "--no-report")
    assert result.returncode == 2 and "No annotations export" in result.stderr
    assert not warehouse.exists()
    with build_lock(warehouse.resolve()):
        result = cli("build", "--raw", str(raw), "--warehouse", str(warehouse), "--no-report")
    assert result.returncode == 5 and "in progress" in result.stderr


def test_a_failed_column_checks_test_names_its_checks(tmp_path: Path) -> None:
    """A failing column_checks test is one dbt test for many checks: the message lists which failed."""
    from labelhouse.build import describe_dbt_failure

    warehouse = tmp_path / "candidate.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    con.execute("create table marts.m as select * from (values (1, null), (2, 1.5)) as t(id, score)")
    con.close()
    compiled = (
        "select failed_check, n_rows from (select 'not_null(score)' as failed_check, "
        "sum(case when score is null then 1 else 0 end) as n_rows from candidate.marts.m union all "
        "select 'between(score, 0, 1)', sum(case when score > 1 then 1 else 0 end) from candidate.marts.m "
        "union all select 'not_null(id)', sum(case when id is null then 1 else 0 end) from candidate.marts.m) "
        "as checks where n_rows > 0"
    )
    node = {
        "name": "column_checks_m",
        "status": "fail",
        "message": "Got 2 results, configured to fail if != 0",
        "compiled_code": compiled,
    }
    message = describe_dbt_failure([node], None, "dbt marts", warehouse)
    assert "FAIL column_checks_m: Got 2 results" in message
    assert "not_null(score): 1 rows" in message
    assert "between(score, 0, 1): 1 rows" in message
    assert "not_null(id)" not in message
    assert "The published warehouse was not changed." in message


def test_the_report_of_another_warehouse_goes_beside_it(warehouse: Path) -> None:
    """`labelhouse report --warehouse X` (and `build --warehouse X`) must not overwrite the project's site."""
    from labelhouse.paths import DEFAULT_REPORT_DIR, DEFAULT_WAREHOUSE, default_report_dir

    assert default_report_dir(DEFAULT_WAREHOUSE) == DEFAULT_REPORT_DIR
    assert default_report_dir(warehouse) == warehouse.parent / "report"
    result = cli("report", "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (warehouse.parent / "report" / "index.html").is_file()
    assert str(warehouse.parent / "report" / "index.html") in result.stdout


def test_column_checks_counts_each_check_and_grain_like_pandas(tmp_path: Path) -> None:
    """The column_checks test macro, compiled by dbt and run on a table with duplicate keys, NULL
    keys and rows outside a `where`: each failed check's n_rows equals pandas' count, and a check
    that holds gives no row (so a build fails exactly on the broken checks)."""
    from labelhouse.dbt import run_dbt

    df = pd.DataFrame(
        {
            "a": ["x", "x", "x", "y", None, None, "z"],
            "b": [1, 1, 2, 1, 7, 7, None],
            "id": [1, 2, 2, 3, None, None, 4],
            "score": [0.5, 1.5, None, 0.2, 0.1, 0.9, 2.0],
        }
    )
    macro = (
        "{{ test_column_checks(model='m', "
        "unique=['id', ['a', 'b'], {'columns': ['a'], 'where': 'score < 1'}, ['b', 'score']], "
        "not_null=['score'], ranges={'score': {'max_value': 1}}) }}"
    )
    result = run_dbt(["compile", "--inline", macro], warehouse=tmp_path / "w.duckdb", raw_dir=tmp_path)
    assert result.success, result.error
    con = duckdb.connect()
    con.register("m", df)
    got = dict(con.execute(result.nodes[0]["compiled_code"]).fetchall())

    def duplicated_rows(frame: pd.DataFrame, columns: list[str]) -> int:
        sizes = frame.groupby(columns, dropna=False).size()
        return int(sizes[sizes > 1].sum())

    expected = {
        "unique(id)": duplicated_rows(df.dropna(subset=["id"]), ["id"]),  # NULL ids ignored: 2
        "unique(a, b)": duplicated_rows(df, ["a", "b"]),  # (x, 1) twice and (NULL, 7) twice: 4
        "unique(a) where score < 1": duplicated_rows(df[df.score < 1], ["a"]),  # NULL twice: 2
        "not_null(score)": int(df.score.isna().sum()),
        "between(score, null, 1)": int((df.score > 1).sum()),
    }
    assert expected == {
        "unique(id)": 2,
        "unique(a, b)": 4,
        "unique(a) where score < 1": 2,
        "not_null(score)": 1,
        "between(score, null, 1)": 2,
    }
    assert got == expected  # unique(b, score) holds: no row


def test_dbt_closes_the_warehouse_when_its_command_ends(demo_copy: Path, demo_build: DemoBuild) -> None:
    """The profile keeps the DuckDB file open across a command's nodes (keep_open); run_dbt closes
    it when the command ends. Opened in the same process with another configuration (read-only,
    as the gates and the publish step do), a database dbt left open raises "Can't open a
    connection to same database file with a different configuration"."""
    from labelhouse.dbt import run_dbt

    target = demo_copy.parent / "target"
    result = run_dbt(["run", "--select", "dim_label"], warehouse=demo_copy, raw_dir=demo_build.raw, target_path=target)
    assert result.success, result.error
    con = duckdb.connect(str(demo_copy), read_only=True)
    try:
        assert con.execute("select count(*) from marts.dim_label").fetchone()[0] > 0
    finally:
        con.close()
    # and the command's log is at info level unless LABELHOUSE_DBT_LOG_LEVEL says otherwise
    log = (target / "logs" / "dbt.log").read_text()
    assert "dim_label" in log and "[debug]" not in log
