"""EXPLAIN ANALYZE of the costliest dbt models of a build, summarised per operator (a diagnostic).

    .venv/bin/python bench/explain_models.py WAREHOUSE RUN_DIR [--top 5] [--memory-limit 1500MB]

RUN_DIR is a build's run folder (warehouse/runs/<run_id>/, with dbt/run_results*.json and
dbt/compiled/). The N models with the longest execution time are re-run one at a time as
`create temp table ... as <compiled select>` on a copy of WAREHOUSE, with DuckDB's JSON profiler
on and the build's memory limit, and each is printed as its wall time, peak RSS and its heaviest
operators (operator, rows out, seconds), the markdown that docs/benchmarks.md quotes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import psutil


def costliest_models(run_dir: Path, top: int) -> list[tuple[str, float, Path]]:
    """(model name, dbt execution seconds, compiled SQL file) of the `top` slowest models."""
    seconds: dict[str, float] = {}
    for results in sorted((run_dir / "dbt").glob("run_results*.json")):
        for r in json.loads(results.read_text())["results"]:
            if r["unique_id"].startswith("model."):
                name = r["unique_id"].split(".")[-1]
                seconds[name] = max(seconds.get(name, 0.0), float(r["execution_time"]))
    compiled = {p.stem: p for p in (run_dir / "dbt" / "compiled").rglob("*.sql")}
    ranked = sorted((s, n) for n, s in seconds.items() if n in compiled)[::-1]
    return [(n, s, compiled[n]) for s, n in ranked[:top]]


def _operators(node: dict[str, Any], out: list[tuple[str, int, float]]) -> None:
    """Flatten DuckDB's JSON profile tree (2.x: name, timing, intermediate_rows, children)."""
    name = node.get("name") or node.get("operator_name") or ""
    if name and name not in ("RESULT_COLLECTOR", "CREATE_TABLE_AS"):
        rows = node.get("intermediate_rows", node.get("operator_cardinality", 0))
        out.append((name.strip(), int(rows or 0), float(node.get("timing", node.get("operator_timing", 0.0)) or 0.0)))
    for child in node.get("children", []):
        _operators(child, out)


def explain(
    con: duckdb.DuckDBPyConnection, sql: str, profile: Path
) -> tuple[float, int, list[tuple[str, int, float]], dict[str, Any]]:
    con.execute("pragma enable_profiling = 'json'")
    con.execute(f"pragma profiling_output = '{profile}'")
    peak = [0]
    done = threading.Event()
    proc = psutil.Process()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    try:
        con.execute(f"create or replace temp table explained as {sql}")
    finally:
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        con.execute("pragma disable_profiling")
    ops: list[tuple[str, int, float]] = []
    report = json.loads(profile.read_text())
    roots = report.get("operator", report)
    for root in roots if isinstance(roots, list) else [roots]:
        _operators(root, ops)
    system = report.get("system", {})
    return seconds, peak[0], sorted(ops, key=lambda o: -o[2]), system


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--memory-limit", default="1500MB")
    args = parser.parse_args()
    models = costliest_models(args.run_dir, args.top)
    with tempfile.TemporaryDirectory(prefix="lh-explain-") as tmp:
        copy = Path(tmp) / "candidate.duckdb"  # compiled SQL names the candidate's database
        shutil.copyfile(args.warehouse, copy)
        con = duckdb.connect(str(copy))
        con.execute(f"set memory_limit = '{args.memory_limit}'")
        con.execute(f"set temp_directory = '{Path(tmp) / 'spill'}'")
        for name, dbt_seconds, path in models:
            seconds, rss, ops, system = explain(con, path.read_text(), Path(tmp) / f"{name}.json")
            rows = con.execute("select count(*) from explained").fetchone()
            spilled = float(system.get("total_bytes_spilled", 0) or 0) / 1024**3
            buffers = float(system.get("peak_buffer_memory", 0) or 0) / 1024**3
            print(
                f"#### {name}: {seconds:.1f}s alone ({dbt_seconds:.1f}s in the build), "
                f"{rows[0] if rows else 0:,} rows, peak RSS {rss / 1024**3:.2f} GiB, "
                f"DuckDB buffers {buffers:.2f} GiB, spilled {spilled:.2f} GiB\n"
            )
            print("| operator | rows out | s |\n|---|---|---|")
            for op, card, sec in ops[:6]:
                print(f"| {op} | {card:,} | {sec:.2f} |")
            print()
        con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
