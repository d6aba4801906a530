"""The bench: labelhouse against the notebook way, on generated exports of 1M and 10M annotations.

    .venv/bin/python bench/run.py [--sizes 1000000,10000000] [--scratch bench/scratch]

(`make bench` runs it with the default sizes.) Dev tooling, not part of the labelhouse package.

For each size:

1. generate the demo exports into `<scratch>/raw_<n>` once (reused while the generator's
   manifest says the same size and seed);
2. run the whole `labelhouse build --full-refresh` (preflight, dbt staging, raw gate, dbt marts,
   mart gate, publish) plus the report site in a child process, sampling the resident memory of
   that process and all its descendants every 50 ms (peak of the sum = "peak RSS, process
   tree"); os.wait4() also gives the largest single process (ru_maxrss);
3. run the reference pipeline (bench/reference.py: pandas, scikit-learn, statsmodels,
   krippendorff) the same way;
4. compare every headline figure of the published warehouse with the reference (1e-9), and
   print wall time per stage, dbt time per model family, peak RSS and the ratio
   reference / labelhouse per figure family and overall;
5. write the results into docs/benchmarks.md (one block per size, other sizes' blocks kept).

The per-family labelhouse time is the summed dbt execution time of the family's mart and of
every intermediate model it depends on outside intermediate/core (shared ones count in each
family); "load" is staging + intermediate/core against the reference's reading and cleaning.
The overall ratio is wall clock against wall clock, both children from interpreter start to
exit, labelhouse's including its dbt tests, GX gates and report site.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

Progress = Callable[[str], None]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_SCRIPT = Path(__file__).resolve()
DEFAULT_SCRATCH = PROJECT_ROOT / "bench" / "scratch"
SEED = 42
TOLERANCE = 1e-9
SAMPLE_SECONDS = 0.05
DEFAULT_DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
REFERENCE_SCRIPT = PROJECT_ROOT / "bench" / "reference.py"
# The engine limit: the reference's figures as one plain DuckDB SQL script (no dbt, no gates).
PLAIN_SQL_SCRIPT = PROJECT_ROOT / "bench" / "plain_sql.py"
TARGET_PLAIN_SQL_RATIO = 1.5
# The scale targets (issue 13): wall seconds of the whole full build with gates and report, and of
# an incremental daily build, per size; at least 2x faster than the reference in the same run;
# peak RSS of the process tree; load average above which figures are not evidence.
TARGET_FULL_SECONDS = {1_000_000: 12.0, 10_000_000: 48.0}
TARGET_INCREMENTAL_SECONDS = {1_000_000: 6.0, 10_000_000: 15.0}
TARGET_SPEEDUP = 2.0
TARGET_RSS_BYTES = 2 * 1024**3
QUIET_LOAD_AVERAGE = 1.5
QUIET_WAIT_SECONDS = 180
FAMILIES = ("load", "agreement", "pairwise_kappa", "gold_accuracy", "model_eval", "throughput")
FAMILY_TITLES = {
    "load": "read + clean (staging, int core)",
    "agreement": "alpha + Fleiss' kappa",
    "pairwise_kappa": "pairwise Cohen's kappa",
    "gold_accuracy": "annotator gold accuracy",
    "model_eval": "model ROC-AUC/AP/P/R",
    "throughput": "annotator daily throughput",
}
# The mart holding each figure family; its intermediate ancestors (outside core) count with it.
FAMILY_MARTS = {
    "agreement": "fct_agreement",
    "pairwise_kappa": "fct_annotator_pair_agreement",
    "gold_accuracy": "fct_annotator_quality",
    "model_eval": "fct_model_eval",
    "throughput": "fct_annotator_daily",
}


@dataclass(frozen=True)
class Check:
    """How one figure family is read from the warehouse and matched with the reference output."""

    family: str
    sql: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    counts: tuple[str, ...] = ()  # integer columns that must match exactly


CHECKS: tuple[Check, ...] = (
    Check(
        "agreement",
        "select project_id, krippendorff_alpha, fleiss_kappa from marts.fct_agreement where language = 'all'",
        ("project_id",),
        ("krippendorff_alpha", "fleiss_kappa"),
    ),
    Check(
        "pairwise_kappa",
        "select project_id, annotator_a, annotator_b, n_shared_items, cohen_kappa "
        "from marts.fct_annotator_pair_agreement",
        ("project_id", "annotator_a", "annotator_b"),
        ("cohen_kappa",),
        ("n_shared_items",),
    ),
    Check(
        "gold_accuracy",
        "select project_id, annotator_id, n_gold_annotations, gold_accuracy from marts.fct_annotator_quality",
        ("project_id", "annotator_id"),
        ("gold_accuracy",),
        ("n_gold_annotations",),
    ),
    # truth_source 'latent' (Dawid-Skene) has no counterpart in the notebook or the plain script;
    # tests/python/test_latent_truth*.py check it against crowd-kit and scikit-learn instead.
    Check(
        "model_eval",
        "select model_name, model_version, label, truth_source, n_items, n_positive, roc_auc, average_precision, "
        "precision, recall from marts.fct_model_eval where language = 'all' and truth_source <> 'latent'",
        ("model_name", "model_version", "label", "truth_source"),
        ("roc_auc", "average_precision", "precision", "recall"),
        ("n_items", "n_positive"),
    ),
    Check(
        "throughput",
        "select annotator_id, project_id, activity_date, n_annotations from marts.fct_annotator_daily",
        ("annotator_id", "project_id", "activity_date"),
        (),
        ("n_annotations",),
    ),
)


# --------------------------------------------------------------------------------------------
# Running a child process with its memory sampled
# --------------------------------------------------------------------------------------------


@dataclass
class ChildRun:
    """One monitored child process: wall time, exit code and memory."""

    seconds: float
    returncode: int
    peak_tree_rss: int  # bytes: the peak of the summed RSS of the child and its descendants
    max_single_rss: int  # bytes: ru_maxrss of the child from wait4 (largest single process)
    log: str
    cpu_seconds: float = 0.0  # user + system CPU of the child and its waited-for descendants


def run_monitored(cmd: list[str], log_path: Path, interval: float = SAMPLE_SECONDS) -> ChildRun:
    """Run `cmd` with stdout/stderr to `log_path`, sampling the process tree's RSS every `interval`."""
    import psutil

    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "PYTHONUNBUFFERED": "1"}
    peak = 0
    done = threading.Event()
    with open(log_path, "w", encoding="utf-8") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_ROOT)

        def sample() -> None:
            nonlocal peak
            try:
                root = psutil.Process(proc.pid)
            except psutil.NoSuchProcess:
                return
            while not done.is_set():
                total = 0
                try:
                    for p in [root, *root.children(recursive=True)]:
                        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                            total += p.memory_info().rss
                except psutil.NoSuchProcess:
                    return
                peak = max(peak, total)
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    cpu = usage.ru_utime + usage.ru_stime
    return ChildRun(round(seconds, 3), proc.returncode, peak, int(usage.ru_maxrss) * 1024, str(log_path), round(cpu, 3))


# --------------------------------------------------------------------------------------------
# The labelhouse child: build + report, with the timings written to JSON
# --------------------------------------------------------------------------------------------


def _keep_each_run_results() -> None:
    """Keep every dbt invocation's run_results.json (the build runs dbt twice into one target)."""
    from labelhouse import build as build_module

    original = build_module.run_dbt
    calls = {"n": 0}

    def run_dbt(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        target = kwargs.get("target_path")
        if target is not None and (Path(target) / "run_results.json").exists():
            calls["n"] += 1
            shutil.copyfile(Path(target) / "run_results.json", Path(target) / f"run_results.{calls['n']}.json")
        return result

    build_module.run_dbt = run_dbt  # type: ignore[assignment]


def labelhouse_child(
    raw_dir: Path, warehouse: Path, report_dir: Path, out_json: Path, *, full_refresh: bool = True, report: bool = True
) -> int:
    """Build and publish the warehouse, render the report; write timings and the run folder to out_json.

    report=False (the incremental leg's baseline, which only sets up the daily build) skips the
    report site and the dbt docs."""
    from labelhouse.build import build
    from labelhouse.errors import LabelhouseError

    _keep_each_run_results()
    say: Progress = lambda message: print(message, flush=True)  # noqa: E731
    out: dict[str, Any] = {"ok": False, "timings": {}, "error": None, "run_dir": None, "report": None}
    start = time.perf_counter()
    try:
        result = build(
            raw_dir, warehouse, full_refresh=full_refresh, progress=say, keep_failed_candidate=True, docs=report
        )
        out["timings"] = dict(result.timings)
        out["run_dir"] = str(result.run_dir)
        out["ok"] = True
    except LabelhouseError as exc:
        out["error"] = str(exc)
        runs = sorted((warehouse.parent / "runs").glob("*"), key=lambda p: p.name)
        if runs:
            out["run_dir"] = str(runs[-1])
            with contextlib.suppress(OSError, ValueError):
                out["timings"] = json.loads((runs[-1] / "run.json").read_text()).get("timings", {})
    out["timings"]["build total"] = round(time.perf_counter() - start, 3)
    if out["ok"] and report:
        try:
            from labelhouse.report import render_site
        except ImportError:
            out["report"] = "labelhouse.report.render_site is not importable: no report rendered"
        else:
            t = time.perf_counter()
            try:
                render_site(warehouse, report_dir, progress=say)
                out["report"] = str(report_dir)
            except LabelhouseError as exc:
                out["report"] = f"report failed: {exc}"
            out["timings"]["report"] = round(time.perf_counter() - t, 3)
    out_json.write_text(json.dumps(out, indent=2) + "\n")
    return 0 if out["ok"] else 1


# --------------------------------------------------------------------------------------------
# dbt timings per model family
# --------------------------------------------------------------------------------------------


def _family_of(path: str) -> str:
    """models/marts/quality/x.sql -> marts/quality; models/staging/raw/base/x.sql -> staging."""
    parts = Path(path).parts
    if not parts or parts[0] != "models":
        return parts[0] if parts else "other"
    if len(parts) >= 3 and parts[1] in ("intermediate", "marts"):
        return f"{parts[1]}/{parts[2]}"
    return parts[1]


@dataclass
class DbtProfile:
    """Where dbt spent its time: per model family, the models' and their tests' summed seconds."""

    models: dict[str, float] = field(default_factory=dict)
    tests: dict[str, float] = field(default_factory=dict)
    n_models: dict[str, int] = field(default_factory=dict)
    n_tests: dict[str, int] = field(default_factory=dict)
    node_span: float = 0.0  # first node start to last node end, summed over the dbt invocations
    slowest: list[tuple[str, str, float]] = field(default_factory=list)  # (name, family, seconds)
    family_seconds: dict[str, float] = field(default_factory=dict)  # per figure family
    family_models: dict[str, list[str]] = field(default_factory=dict)


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    with contextlib.suppress(ValueError):
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return None


def dbt_profile(dbt_dir: Path) -> DbtProfile:
    """Read run_results(.N).json and manifest.json of a build's dbt folder."""
    profile = DbtProfile()
    manifest_path = dbt_dir / "manifest.json"
    if not manifest_path.exists():
        return profile
    manifest = json.loads(manifest_path.read_text())
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    files = sorted(dbt_dir.glob("run_results.*.json")) or [dbt_dir / "run_results.json"]
    model_seconds: dict[str, float] = {}
    for path in files:
        if not path.exists():
            continue
        run = json.loads(path.read_text())
        starts, ends = [], []
        for r in run.get("results", []):
            uid, seconds = r["unique_id"], float(r.get("execution_time") or 0.0)
            for t in r.get("timing", []):
                s, e = _parse_time(t.get("started_at")), _parse_time(t.get("completed_at"))
                if s and e:
                    starts.append(s)
                    ends.append(e)
            node = nodes.get(uid, {})
            kind = uid.split(".")[0]
            if kind in ("model", "seed"):
                family = "seeds" if kind == "seed" else _family_of(node.get("original_file_path", ""))
                profile.models[family] = profile.models.get(family, 0.0) + seconds
                profile.n_models[family] = profile.n_models.get(family, 0) + 1
                model_seconds[uid] = seconds
                profile.slowest.append((node.get("name", uid), family, round(seconds, 2)))
            else:
                tested = (node.get("depends_on") or {}).get("nodes") or []
                parent = next((nodes.get(t, {}) for t in tested if t.startswith("model.")), {})
                if kind == "unit_test":
                    family = "unit tests"
                else:
                    family = _family_of(parent.get("original_file_path", "")) if parent else "other"
                profile.tests[family] = profile.tests.get(family, 0.0) + seconds
                profile.n_tests[family] = profile.n_tests.get(family, 0) + 1
        if starts:
            profile.node_span += (max(ends) - min(starts)).total_seconds()
    profile.slowest.sort(key=lambda row: -row[2])
    profile.slowest = profile.slowest[:12]

    def family_path(uid: str) -> str:
        return _family_of(nodes.get(uid, {}).get("original_file_path", ""))

    def ancestors(uid: str) -> set[str]:
        seen: set[str] = set()
        stack = [uid]
        while stack:
            for parent in (nodes.get(stack.pop(), {}).get("depends_on") or {}).get("nodes") or []:
                if parent.startswith("model.") and parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen

    load = [u for u in model_seconds if family_path(u) == "staging" or family_path(u) == "intermediate/core"]
    profile.family_models["load"] = sorted(nodes[u]["name"] for u in load)
    profile.family_seconds["load"] = sum(model_seconds[u] for u in load)
    for family, mart in FAMILY_MARTS.items():
        uid = f"model.labelhouse.{mart}"
        if uid not in model_seconds:
            continue
        own = {uid} | {
            a
            for a in ancestors(uid)
            if family_path(a).startswith("intermediate/") and family_path(a) != "intermediate/core"
        }
        profile.family_models[family] = sorted(nodes[u]["name"] for u in own)
        profile.family_seconds[family] = sum(model_seconds.get(u, 0.0) for u in own)
    return profile


# --------------------------------------------------------------------------------------------
# Comparing the figures
# --------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    family: str
    rows: int = 0  # rows matched on their keys
    only_labelhouse: int = 0
    only_reference: int = 0
    mismatches: int = 0
    max_abs_diff: float = 0.0
    example: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return (
            self.error is None
            and self.rows > 0
            and not (self.only_labelhouse or self.only_reference or self.mismatches)
        )


def compare_family(check: Check, labelhouse: Any, reference: Any, tol: float = TOLERANCE) -> Comparison:
    """Match two frames on the check's keys; values agree when both NULL or |a - b| <= tol."""
    import numpy as np
    import pandas as pd

    result = Comparison(check.family)
    cols = [*check.keys, *check.counts, *check.values]
    missing = [c for c in cols if c not in reference.columns]
    if missing:
        result.error = f"reference output lacks {missing}"
        return result
    left = labelhouse[cols].copy()
    right = reference[cols].copy()
    for frame in (left, right):
        for k in check.keys:
            frame[k] = frame[k].astype(str)
    merged = left.merge(right, on=list(check.keys), how="outer", suffixes=("_lh", "_ref"), indicator=True)
    result.only_labelhouse = int((merged["_merge"] == "left_only").sum())
    result.only_reference = int((merged["_merge"] == "right_only").sum())
    both = merged[merged["_merge"] == "both"]
    result.rows = len(both)
    bad = np.zeros(len(both), dtype=bool)
    for c in [*check.counts, *check.values]:
        a = pd.to_numeric(both[f"{c}_lh"], errors="coerce").to_numpy(dtype=np.float64)
        b = pd.to_numeric(both[f"{c}_ref"], errors="coerce").to_numpy(dtype=np.float64)
        a_null, b_null = np.isnan(a), np.isnan(b)
        diff = np.where(a_null | b_null, 0.0, np.abs(a - b))
        limit = 0.0 if c in check.counts else tol
        col_bad = (a_null != b_null) | (diff > limit)
        if len(diff):
            result.max_abs_diff = max(result.max_abs_diff, float(diff.max()))
        if col_bad.any() and result.example is None:
            i = int(np.flatnonzero(col_bad)[0])
            key = ", ".join(f"{k}={both[k].iloc[i]}" for k in check.keys)
            result.example = f"{c} at {key}: labelhouse {a[i]!r}, reference {b[i]!r}"
        bad |= col_bad
    result.mismatches = int(bad.sum())
    if result.example is None and (result.only_labelhouse or result.only_reference):
        side = "left_only" if result.only_labelhouse else "right_only"
        row = merged[merged["_merge"] == side].iloc[0]
        where = "labelhouse" if side == "left_only" else "the reference"
        result.example = "only in " + where + ": " + ", ".join(f"{k}={row[k]}" for k in check.keys)
    return result


def compare(warehouse: Path, reference_dir: Path, tol: float = TOLERANCE) -> list[Comparison]:
    """Every figure family of the warehouse (opened read-only) against the reference's Parquet files."""
    import duckdb
    import pandas as pd

    out = []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for check in CHECKS:
            ref_path = reference_dir / f"{check.family}.parquet"
            try:
                labelhouse = con.execute(check.sql).df()
            except duckdb.Error as exc:
                out.append(Comparison(check.family, error=f"labelhouse: {str(exc).splitlines()[0]}"))
                continue
            if not ref_path.exists():
                out.append(Comparison(check.family, error=f"no reference output {ref_path.name}"))
                continue
            out.append(compare_family(check, labelhouse, pd.read_parquet(ref_path), tol))
    finally:
        con.close()
    return out


def compare_outputs(output_dir: Path, reference_dir: Path, tol: float = TOLERANCE) -> list[Comparison]:
    """Every figure family of another pipeline's Parquet outputs (plain_sql.py) against the reference's."""
    import pandas as pd

    out = []
    for check in CHECKS:
        mine, ref = output_dir / f"{check.family}.parquet", reference_dir / f"{check.family}.parquet"
        if not mine.exists() or not ref.exists():
            out.append(Comparison(check.family, error=f"no output {mine.name} on one side"))
            continue
        out.append(compare_family(check, pd.read_parquet(mine), pd.read_parquet(ref), tol))
    return out


# --------------------------------------------------------------------------------------------
# The incremental daily build
# --------------------------------------------------------------------------------------------

# The generator's newest annotation exports: the last day's CSV and the re-export of older
# judgements (late, superseding rows): ~1% of the annotations at 10M, ~3.5% at 1M.
HELD_OUT_PATTERNS = ("annotations_2026-10-27.csv", "annotations_reexport_*")
INCREMENTAL_TARGET = 0.15


@dataclass
class IncrementalRun:
    """A warehouse built without the newest exports, then the exports added and built incrementally."""

    held_out_files: list[str]
    held_out_rows: int
    total_annotation_rows: int
    baseline: ChildRun
    run: ChildRun
    timings: dict[str, float]
    error: str | None
    tables_compared: int = 0
    tables_differing: list[str] = field(default_factory=list)
    dbt: DbtProfile = field(default_factory=lambda: DbtProfile())
    diff: ChildRun | None = None  # `labelhouse diff full incremental`
    diff_verdict: str = ""

    @property
    def share(self) -> float:
        return self.held_out_rows / self.total_annotation_rows if self.total_annotation_rows else math.nan


def _annotation_rows(path: Path) -> int:
    import duckdb

    q = str(path).replace("'", "''")
    if path.name.endswith(".parquet"):
        reader = f"read_parquet('{q}')"
    elif path.name.endswith(".jsonl"):
        reader = f"read_json('{q}', format = 'newline_delimited')"
    else:
        reader = f"read_csv('{q}', all_varchar = true)"
    con = duckdb.connect()
    try:
        return int(con.execute(f"select count(*) from {reader}").fetchall()[0][0])
    finally:
        con.close()


def compare_warehouses(
    a: Path,
    b: Path,
    schemas: tuple[str, ...] = ("marts",),
    tol: float = TOLERANCE,
) -> tuple[int, list[str]]:
    """Tables of `schemas` in warehouse a and b: (number compared, names differing).

    Rows are compared as multisets: first exactly (`except all` both ways, DOUBLE columns rounded
    to 8 decimals); a table that differs there is compared again row by row, rows paired in the
    order of all their columns, DOUBLE columns within `tol` (relative above 1): two builds may add
    floats in another order, and a mean of 3-decimal scores can sit exactly on a rounding boundary.
    """
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{str(a).replace(chr(39), chr(39) * 2)}' as wa (read_only)")
        con.execute(f"attach '{str(b).replace(chr(39), chr(39) * 2)}' as wb (read_only)")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = 'wa' "
            f"and table_schema in ({', '.join(repr(x) for x in schemas)}) and table_type = 'BASE TABLE' "
            "and not starts_with(table_name, 'land_') "
            "order by 1, 2"
        ).fetchall()
        differing = []
        for schema, name in tables:
            cols = con.execute(
                "select column_name, data_type from information_schema.columns where table_catalog = 'wa' "
                "and table_schema = ? and table_name = ? order by ordinal_position",
                [schema, name],
            ).fetchall()
            exprs = ", ".join(f'round("{c}", 8)' if t == "DOUBLE" else f'"{c}"' for c, t in cols)

            def rel(db: str, schema: str = schema, name: str = name, exprs: str = exprs) -> str:
                return f'select {exprs} from {db}."{schema}"."{name}"'

            n = con.execute(
                f"select (select count(*) from ({rel('wa')} except all {rel('wb')})) "
                f"+ (select count(*) from ({rel('wb')} except all {rel('wa')}))"
            ).fetchall()[0][0]
            if n and _rows_differ_beyond(con, f'"{schema}"."{name}"', cols, tol):
                differing.append(f"{schema}.{name}")
        return len(tables), differing
    finally:
        con.close()


def _rows_differ_beyond(con: Any, table: str, cols: list[tuple[str, str]], tol: float) -> bool:
    """Pair the rows of wa.table and wb.table in sorted order; True when a pair differs (doubles beyond tol)."""
    exact = [c for c, t in cols if t != "DOUBLE"]
    doubles = [c for c, t in cols if t == "DOUBLE"]
    order = ", ".join([f'"{c}"' for c in exact] + [f'round("{c}", 6)' for c in doubles]) or "1"
    numbered = "select *, row_number() over (order by {order}) as _pair from {db}.{table}"
    problems = ["x._pair is null", "y._pair is null"]
    problems += [f'x."{c}" is distinct from y."{c}"' for c in exact]
    problems += [
        f'(x."{c}" is null) != (y."{c}" is null) or abs(x."{c}" - y."{c}") > {tol!r} * greatest(1.0, abs(y."{c}"))'
        for c in doubles
    ]
    n = con.execute(
        f"select count(*) from ({numbered.format(order=order, db='wa', table=table)}) as x "
        f"full join ({numbered.format(order=order, db='wb', table=table)}) as y on x._pair = y._pair "
        f"where {' or '.join(f'({p})' for p in problems)}"
    ).fetchall()[0][0]
    return bool(n)


def bench_incremental(raw_dir: Path, work: Path, full_warehouse: Path | None, progress: Progress) -> IncrementalRun:
    """Build on all but the newest exports, add them, time the incremental build; compare with the full build."""
    files = sorted(p for p in raw_dir.iterdir() if p.is_file())
    held = [p for p in files if any(p.match(pattern) for pattern in HELD_OUT_PATTERNS)]
    annotation_files = [p for p in files if p.name.startswith("annotations")]
    held_rows = sum(_annotation_rows(p) for p in held)
    total_rows = sum(_annotation_rows(p) for p in annotation_files)
    inc_raw = work / "raw_incremental"
    shutil.rmtree(inc_raw, ignore_errors=True)
    inc_raw.mkdir(parents=True)
    for p in files:
        if p not in held:
            (inc_raw / p.name).symlink_to(p.resolve())
    warehouse = work / "incremental" / "labelhouse.duckdb"
    child = [
        sys.executable,
        str(BENCH_SCRIPT),
        "labelhouse-child",
        str(inc_raw),
        str(warehouse),
        str(work / "incremental_report"),
    ]
    progress(f"  incremental: full build without {', '.join(p.name for p in held)} ({held_rows:,} rows)")
    # the baseline only sets up the daily build: no report site or dbt docs
    baseline = run_monitored([*child, str(work / "baseline.json"), "--no-report"], work / "baseline.log")
    progress(f"    {baseline.seconds:.1f}s")
    for p in held:
        (inc_raw / p.name).symlink_to(p.resolve())
    progress("  incremental: the held-out exports added, labelhouse build (incremental) + report")
    out_json = work / "incremental.json"
    run = run_monitored([*child, str(out_json), "--incremental"], work / "incremental.log")
    out = (
        json.loads(out_json.read_text())
        if out_json.exists()
        else {
            "ok": False,
            "timings": {},
            "error": f"the child exited with {run.returncode}; see {run.log}",
            "run_dir": None,
        }
    )
    progress(
        f"    {run.seconds:.1f}s, peak RSS {_gib(run.peak_tree_rss)}"
        + ("" if out["ok"] else f" -- FAILED: {str(out['error']).splitlines()[0]}")
    )
    result = IncrementalRun(
        [p.name for p in held],
        held_rows,
        total_rows,
        baseline,
        run,
        out.get("timings", {}),
        out.get("error") if not out["ok"] else None,
    )
    if out.get("run_dir"):
        result.dbt = dbt_profile(Path(out["run_dir"]) / "dbt")
    if out["ok"] and full_warehouse is not None and full_warehouse.exists():
        progress("  incremental: comparing its marts and staging with the full build's")
        result.tables_compared, result.tables_differing = compare_warehouses(
            warehouse, full_warehouse, ("staging", "intermediate", "marts")
        )
        progress("  labelhouse diff of the full and the incremental warehouse (child process)")
        diff_log = work / "diff.log"
        result.diff = run_monitored(
            [sys.executable, "-m", "labelhouse.cli", "diff", str(full_warehouse), str(warehouse), "--format", "text"],
            diff_log,
        )
        lines = [line for line in Path(diff_log).read_text(errors="replace").splitlines() if line.strip()]
        result.diff_verdict = lines[0] if lines else ""
        progress(f"    {result.diff.seconds:.1f}s, peak RSS {_gib(result.diff.peak_tree_rss)}: {result.diff_verdict}")
    return result


# --------------------------------------------------------------------------------------------
# One size
# --------------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    n_annotations: int
    raw_dir: str
    raw_rows: dict[str, int]
    generated_seconds: float | None
    labelhouse: ChildRun
    labelhouse_timings: dict[str, float]
    labelhouse_error: str | None
    report: str | None
    reference: ChildRun
    reference_timings: dict[str, float]
    dbt: DbtProfile
    comparisons: list[Comparison]
    started_at: str
    load_average: tuple[float, float, float]
    incremental: IncrementalRun | None = None
    plain_sql: ChildRun | None = None
    plain_sql_timings: dict[str, float] = field(default_factory=dict)
    plain_sql_comparisons: list[Comparison] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        incremental_ok = self.incremental is None or (
            self.incremental.error is None and not self.incremental.tables_differing
        )
        plain_ok = self.plain_sql is None or (
            self.plain_sql.returncode == 0 and all(c.ok for c in self.plain_sql_comparisons)
        )
        return (
            self.labelhouse_error is None
            and self.reference.returncode == 0
            and all(c.ok for c in self.comparisons)
            and incremental_ok
            and plain_ok
        )

    @property
    def speedup(self) -> float:
        return self.reference.seconds / self.labelhouse.seconds if self.labelhouse.seconds else math.nan


def ensure_exports(scratch: Path, n: int, progress: Progress) -> tuple[Path, dict[str, Any], float | None]:
    """The generated raw exports for `n` annotations, generated once and reused."""
    from labelhouse.demo import MANIFEST_NAME, generate

    raw_dir = scratch / f"raw_{n}"
    manifest_path = raw_dir / MANIFEST_NAME
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("n_annotations_requested") == n and manifest.get("seed") == SEED:
            progress(f"  reusing the exports in {raw_dir}")
            return raw_dir, manifest, None
    progress(f"  generating ~{n:,} annotations into {raw_dir} (once; reused by later runs)")
    start = time.perf_counter()
    manifest = generate(raw_dir, n_annotations=n, seed=SEED)
    return raw_dir, manifest, round(time.perf_counter() - start, 3)


def bench_size(n: int, scratch: Path, progress: Progress, *, incremental: bool = True) -> SizeResult:
    progress(f"== {n:,} annotations")
    started_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    raw_dir, manifest, generated = ensure_exports(scratch, n, progress)
    raw_rows = {e: int(v.get("rows", 0)) for e, v in manifest.get("entities", {}).items()}
    work = scratch / f"run_{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warehouse = work / "warehouse" / "labelhouse.duckdb"
    load_before = os.getloadavg()

    progress("  labelhouse build --full-refresh + report (child process)")
    lh_json = work / "labelhouse.json"
    lh = run_monitored(
        [
            sys.executable,
            str(BENCH_SCRIPT),
            "labelhouse-child",
            str(raw_dir),
            str(warehouse),
            str(work / "report"),
            str(lh_json),
        ],
        work / "labelhouse.log",
    )
    lh_out = (
        json.loads(lh_json.read_text())
        if lh_json.exists()
        else {
            "ok": False,
            "timings": {},
            "error": f"the child exited with {lh.returncode}; see {lh.log}",
            "run_dir": None,
            "report": None,
        }
    )
    progress(
        f"    {lh.seconds:.1f}s, peak RSS {_gib(lh.peak_tree_rss)}"
        + ("" if lh_out["ok"] else f" -- FAILED: {str(lh_out['error']).splitlines()[0]}")
    )

    progress("  reference pipeline: pandas + scikit-learn + statsmodels + krippendorff (child process)")
    ref_dir = work / "reference"
    ref = run_monitored([sys.executable, str(REFERENCE_SCRIPT), str(raw_dir), str(ref_dir)], work / "reference.log")
    ref_timings = json.loads((ref_dir / "timings.json").read_text()) if (ref_dir / "timings.json").exists() else {}
    progress(
        f"    {ref.seconds:.1f}s, peak RSS {_gib(ref.peak_tree_rss)}"
        + ("" if ref.returncode == 0 else f" -- FAILED (exit {ref.returncode}); see {ref.log}")
    )

    plain = None
    plain_timings: dict[str, float] = {}
    plain_cmp: list[Comparison] = []
    if PLAIN_SQL_SCRIPT.exists():
        progress("  plain DuckDB SQL script, the engine limit (child process)")
        plain_dir = work / "plain_sql"
        plain = run_monitored(
            [sys.executable, str(PLAIN_SQL_SCRIPT), str(raw_dir), str(plain_dir)], work / "plain_sql.log"
        )
        if (plain_dir / "timings.json").exists():
            plain_timings = json.loads((plain_dir / "timings.json").read_text())
        plain_cmp = compare_outputs(plain_dir, ref_dir) if plain.returncode == 0 else []
        progress(
            f"    {plain.seconds:.1f}s, peak RSS {_gib(plain.peak_tree_rss)}"
            + ("" if plain.returncode == 0 else f" -- FAILED (exit {plain.returncode}); see {plain.log}")
        )

    run_dir = Path(lh_out["run_dir"]) if lh_out.get("run_dir") else None
    profile = dbt_profile(run_dir / "dbt") if run_dir else DbtProfile()
    target = warehouse if lh_out["ok"] else (run_dir / "candidate.duckdb" if run_dir else warehouse)
    if target.exists():
        comparisons = compare(target, ref_dir)
    else:
        comparisons = [Comparison(c.family, error="no warehouse to read") for c in CHECKS]
    inc = bench_incremental(raw_dir, work, warehouse if lh_out["ok"] else None, progress) if incremental else None
    return SizeResult(
        n,
        str(raw_dir),
        raw_rows,
        generated,
        lh,
        lh_out.get("timings", {}),
        lh_out.get("error"),
        lh_out.get("report"),
        ref,
        ref_timings,
        profile,
        comparisons,
        started_at,
        load_before,
        inc,
        plain,
        plain_timings,
        plain_cmp,
    )


# --------------------------------------------------------------------------------------------
# Output: the console table and docs/benchmarks.md
# --------------------------------------------------------------------------------------------


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / 1024**3:.2f} GiB"


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "-"
    return f"{a / b:.1f}x"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def render_result(r: SizeResult) -> list[str]:
    """The markdown tables for one size (also printed to the console)."""
    lines = [f"### {r.n_annotations:,} annotations", ""]
    rows = ", ".join(f"{e} {v:,}" for e, v in r.raw_rows.items() if v)
    lines += [f"Raw exports (seed {SEED}): {rows}.", ""]
    if r.labelhouse_error:
        lines += [
            f"**labelhouse build FAILED**: `{r.labelhouse_error.splitlines()[0]}` "
            "(figures below compared on the failed candidate where it exists)",
            "",
        ]
    # stages
    stage_rows = [[name, f"{sec:.1f}"] for name, sec in r.labelhouse_timings.items() if name != "build total"]
    stage_rows.append(
        ["**whole child process** (interpreter, build, gates, report)", f"**{r.labelhouse.seconds:.1f}**"]
    )
    lines += ["labelhouse stages (wall seconds):", ""] + _table(["stage", "s"], stage_rows) + [""]
    # dbt families
    fams = sorted(set(r.dbt.models) | set(r.dbt.tests))
    fam_rows = [
        [
            f,
            str(r.dbt.n_models.get(f, 0)),
            f"{r.dbt.models.get(f, 0.0):.1f}",
            str(r.dbt.n_tests.get(f, 0)),
            f"{r.dbt.tests.get(f, 0.0):.1f}",
        ]
        for f in fams
    ]
    dbt_wall = sum(v for k, v in r.labelhouse_timings.items() if k.startswith("dbt"))
    lines += (
        [
            "dbt per model family (summed node execution seconds; with two dbt threads the sums exceed wall time; "
            f"dbt wall {dbt_wall:.1f}s, of which nodes were running for {r.dbt.node_span:.1f}s and the rest is "
            "dbt start-up, parsing and compilation):",
            "",
        ]
        + _table(["family", "models", "model s", "tests", "test s"], fam_rows)
        + [""]
    )
    slow = ", ".join(f"{name} {sec:.1f}s" for name, _, sec in r.dbt.slowest[:8])
    lines += [f"Slowest models: {slow}.", ""]
    # ratios
    ratio_rows = []
    for fam in FAMILIES:
        ref_s = r.reference_timings.get(fam)
        lh_s = r.dbt.family_seconds.get(fam)
        ratio_rows.append(
            [
                FAMILY_TITLES[fam],
                f"{ref_s:.2f}" if ref_s is not None else "-",
                f"{lh_s:.2f}" if lh_s is not None else "-",
                _ratio(ref_s, lh_s),
            ]
        )
    ratio_rows.append(
        [
            "**overall (wall, whole process)**",
            f"**{r.reference.seconds:.1f}**",
            f"**{r.labelhouse.seconds:.1f}**",
            f"**{_ratio(r.reference.seconds, r.labelhouse.seconds)}**",
        ]
    )
    ratio_rows.append(
        [
            "overall (CPU user+sys, whole process)",
            f"{r.reference.cpu_seconds:.1f}",
            f"{r.labelhouse.cpu_seconds:.1f}",
            _ratio(r.reference.cpu_seconds, r.labelhouse.cpu_seconds),
        ]
    )
    lines += [
        "Reference / labelhouse per figure family (labelhouse: summed dbt model seconds of the family's "
        "mart and its intermediate models; tests, gates and start-up only in the overall row):",
        "",
    ]
    lines += _table(["figure family", "reference s", "labelhouse s", "ratio"], ratio_rows) + [""]
    lines += _table(
        ["peak RSS", "process tree (sampled every 50 ms)", "largest single process (ru_maxrss)"],
        [
            ["labelhouse", _gib(r.labelhouse.peak_tree_rss), _gib(r.labelhouse.max_single_rss)],
            ["reference", _gib(r.reference.peak_tree_rss), _gib(r.reference.max_single_rss)],
        ]
        + (
            [["plain DuckDB SQL", _gib(r.plain_sql.peak_tree_rss), _gib(r.plain_sql.max_single_rss)]]
            if r.plain_sql
            else []
        ),
    ) + [""]
    if r.plain_sql is not None:
        agree = (
            "every figure family equal to the reference"
            if r.plain_sql_comparisons and all(c.ok for c in r.plain_sql_comparisons)
            else "NOT equal to the reference: "
            + ", ".join(f"{c.family} ({c.error or c.example})" for c in r.plain_sql_comparisons if not c.ok)
        )
        ratio = r.labelhouse.seconds / r.plain_sql.seconds if r.plain_sql.seconds else math.nan
        lines += [
            f"Plain DuckDB SQL script (bench/plain_sql.py, the engine limit: the reference's figures, "
            f"supersession and rejected rows, every result a table; no dbt, tests, gates or report): "
            f"{r.plain_sql.seconds:.1f}s wall, {r.plain_sql.cpu_seconds:.1f}s CPU; {agree}. "
            f"labelhouse / plain SQL = {ratio:.2f}x (target <= {TARGET_PLAIN_SQL_RATIO:g}x: "
            f"{'met' if ratio <= TARGET_PLAIN_SQL_RATIO else 'MISSED'}).",
            "",
        ]
    # agreement of the numbers
    cmp_rows = []
    for c in r.comparisons:
        status = "ok" if c.ok else ("ERROR" if c.error else "MISMATCH")
        detail = c.error or c.example or ""
        cmp_rows.append(
            [
                c.family,
                status,
                f"{c.rows:,}",
                str(c.only_labelhouse),
                str(c.only_reference),
                str(c.mismatches),
                f"{c.max_abs_diff:.1e}",
                detail.replace("|", "/"),
            ]
        )
    lines += [f"Same numbers? (tolerance {TOLERANCE:g}; counts exact):", ""]
    lines += _table(
        ["family", "status", "rows", "only labelhouse", "only reference", "mismatches", "max |diff|", "first problem"],
        cmp_rows,
    ) + [""]
    if r.incremental is not None:
        lines += render_incremental(r.incremental, r.labelhouse.seconds, r.n_annotations)
    speed_ok = r.speedup >= TARGET_SPEEDUP
    rss_ok = r.labelhouse.peak_tree_rss <= TARGET_RSS_BYTES
    full_target = TARGET_FULL_SECONDS.get(r.n_annotations)
    full = (
        (
            f"full build {r.labelhouse.seconds:.1f}s (target <= {full_target:g}s: "
            f"{'met' if r.labelhouse.seconds <= full_target else 'MISSED'}); "
        )
        if full_target
        else ""
    )
    quiet = max(r.load_average[:1]) <= QUIET_LOAD_AVERAGE
    lines += [
        f"Targets: {full}speed-up {r.speedup:.2f}x (target >= {TARGET_SPEEDUP:g}x: {'met' if speed_ok else 'MISSED'}); "
        f"labelhouse peak RSS {_gib(r.labelhouse.peak_tree_rss)} (target <= 2 GiB: {'met' if rss_ok else 'MISSED'}). "
        f"Load average when the size started: {', '.join(f'{x:.1f}' for x in r.load_average)}"
        + ("." if quiet else f" (above {QUIET_LOAD_AVERAGE:g}: not a quiet machine, so the times are not evidence)."),
        "",
    ]
    return lines


def render_incremental(inc: IncrementalRun, full_seconds: float, n: int | None = None) -> list[str]:
    lines = [
        f"Incremental daily build: the warehouse built without {', '.join(inc.held_out_files)} "
        f"({inc.held_out_rows:,} annotation rows, {inc.share:.1%} of {inc.total_annotation_rows:,}; "
        f"that build, without report, took {inc.baseline.seconds:.1f}s), then those exports added and "
        "`labelhouse build` (incremental) + report:",
        "",
    ]
    if inc.error:
        return [*lines, f"**incremental build FAILED**: `{inc.error.splitlines()[0]}`", ""]
    stage_rows = [[name, f"{sec:.1f}"] for name, sec in inc.timings.items() if name != "build total"]
    stage_rows.append(["**whole child process**", f"**{inc.run.seconds:.1f}**"])
    lines += _table(["stage", "s"], stage_rows) + [""]
    slow = ", ".join(f"{name} {sec:.1f}s" for name, _, sec in inc.dbt.slowest[:8])
    if slow:
        lines += [f"Slowest models of the incremental build: {slow}.", ""]
    share = inc.run.seconds / full_seconds if full_seconds else math.nan
    target = TARGET_INCREMENTAL_SECONDS.get(n or 0, INCREMENTAL_TARGET * full_seconds)
    ok = inc.run.seconds <= target
    same = "all equal" if not inc.tables_differing else "DIFFERENT: " + ", ".join(inc.tables_differing)
    lines += [
        f"Incremental build {inc.run.seconds:.1f}s = {share:.0%} of the full build's {full_seconds:.1f}s "
        f"(target <= {target:.0f}s: {'met' if ok else 'MISSED'}); peak RSS {_gib(inc.run.peak_tree_rss)}. "
        f"Its {inc.tables_compared} staging, intermediate and mart tables against the full build's "
        f"(doubles to {TOLERANCE:g}): {same}.",
        "",
    ]
    if inc.diff is not None:
        lines += [
            f"`labelhouse diff` of the full and the incremental warehouse: {inc.diff.seconds:.1f}s, peak RSS "
            f"{_gib(inc.diff.peak_tree_rss)} (target < 20 s and 2 GiB at 10M); "
            f"it said: `{inc.diff_verdict}`.",
            "",
        ]
    return lines


def machine_lines(command: str) -> list[str]:
    import psutil

    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    packages = [
        "duckdb",
        "dbt-core",
        "dbt-duckdb",
        "great-expectations",
        "pandas",
        "numpy",
        "pyarrow",
        "scikit-learn",
        "statsmodels",
        "krippendorff",
    ]
    versions = []
    for p in packages:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{p} {metadata.version(p)}")
    return [
        f"- Machine: {os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 1024**3:.1f} GiB memory, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {', '.join(versions)}",
        f"- Command: `{command}`",
    ]


RESULTS_BEGIN, RESULTS_END = "<!-- bench:results -->", "<!-- /bench:results -->"
_BLOCK = re.compile(r"<!-- bench:(\d+) -->.*?<!-- /bench:\1 -->", re.S)


def write_doc(results: list[SizeResult], doc: Path, command: str) -> None:
    """Rewrite this run's sizes' blocks in `doc`, keeping other sizes' blocks and the hand-written text."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else _DOC_TEMPLATE
    if RESULTS_BEGIN not in text or RESULTS_END not in text:
        text = text.rstrip() + f"\n\n{RESULTS_BEGIN}\n{RESULTS_END}\n"
    head, rest = text.split(RESULTS_BEGIN, 1)
    body, tail = rest.split(RESULTS_END, 1)
    blocks = {int(m.group(1)): m.group(0) for m in _BLOCK.finditer(body)}
    for r in results:
        lines = [*render_result(r), f"Run {r.started_at}.", "", *machine_lines(command)]
        blocks[r.n_annotations] = "\n".join(
            [f"<!-- bench:{r.n_annotations} -->", *lines, f"<!-- /bench:{r.n_annotations} -->"]
        )
    body = "\n\n".join(blocks[n] for n in sorted(blocks))
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(f"{head}{RESULTS_BEGIN}\n\n{body}\n\n{RESULTS_END}{tail}", encoding="utf-8")


_DOC_TEMPLATE = """# Benchmarks

Generated by `make bench` (bench/run.py; see bench/README.md). Each size's block between the `bench:`
markers is rewritten by a run of that size; everything else in this file is kept.

<!-- bench:results -->
<!-- /bench:results -->
"""


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def main(
    sizes: list[int],
    scratch: Path,
    progress: Progress = print,
    *,
    doc: Path | None = DEFAULT_DOC,
    quiet_wait: float = QUIET_WAIT_SECONDS,
) -> int:
    """Benchmark each size; print the tables; write `doc` (None: don't). Exit 0 when every figure agreed.

    Before each size, wait up to `quiet_wait` seconds for the load average to settle (a test of the
    bench itself, which runs beside other tests, passes 0: its timings are not evidence anyway).
    """
    scratch = Path(scratch).resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    command = "python bench/run.py --sizes " + ",".join(str(s) for s in sizes)
    if scratch != DEFAULT_SCRATCH.resolve():
        command += " --scratch <scratch dir>"  # the doc is committed: no path of this machine
    results = []
    for n in sizes:
        # the previous size's own processes raise the 1-minute average: let it settle first
        deadline = time.monotonic() + quiet_wait
        while os.getloadavg()[0] > QUIET_LOAD_AVERAGE and time.monotonic() < deadline:
            time.sleep(5)
        load = os.getloadavg()[0]
        if load > QUIET_LOAD_AVERAGE:
            progress(
                f"warning: load average {load:.2f} > {QUIET_LOAD_AVERAGE:g}: another build, test suite or CI "
                "is running; the timings of this run are not evidence (the doc records the load)"
            )
        result = bench_size(n, scratch, progress)
        results.append(result)
        progress("")
        for line in render_result(result):
            progress(line)
        (scratch / f"run_{n}" / "result.json").write_text(json.dumps(asdict(result), indent=2, default=str) + "\n")
        if doc is not None:
            write_doc([result], doc, command)
    if doc is not None:
        progress(f"Wrote {doc}")
    return 0 if results and all(r.ok for r in results) else 1


def _child_main(argv: list[str]) -> int:
    incremental = "--incremental" in argv
    no_report = "--no-report" in argv
    argv = [a for a in argv if a not in ("--incremental", "--no-report")]
    if len(argv) == 5 and argv[0] == "labelhouse-child":
        raw, warehouse, report, out = (Path(a) for a in argv[1:])
        return labelhouse_child(raw, warehouse, report, out, full_refresh=not incremental, report=not no_report)
    print(
        "usage: python bench/run.py labelhouse-child RAW WAREHOUSE REPORT_DIR OUT_JSON [--incremental] [--no-report]",
        file=sys.stderr,
    )
    return 2


def cli(argv: list[str]) -> int:
    """`python bench/run.py [--sizes ...] [--scratch ...]`, or the labelhouse child the bench starts."""
    if argv and argv[0] == "labelhouse-child":
        return _child_main(argv)
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Benchmark labelhouse against a pandas/scikit-learn reference pipeline."
    )
    parser.add_argument("--sizes", default="1000000,10000000", help="Comma-separated annotation counts.")
    parser.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH, help="Where generated data goes.")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes must be comma-separated integers, not {args.sizes!r}")
    return main(sizes, args.scratch, progress=lambda message: print(message, flush=True))


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
