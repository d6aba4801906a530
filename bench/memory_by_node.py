"""Peak memory per dbt node of one full `labelhouse build` (a diagnostic, not a test).

    .venv/bin/python bench/memory_by_node.py RAW_DIR WORK_DIR

Runs the bench's labelhouse child (full refresh + report) on RAW_DIR into WORK_DIR, samples the
resident memory of its whole process tree every 0.1 s, then reads the run's dbt run_results
timings and prints, for the nodes running at the highest samples, the peak RSS seen while each
ran, plus the peak outside any dbt node (gates, report, start-up).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import psutil

from labelhouse.paths import PROJECT_ROOT


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    for p in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def main(raw: Path, work: Path, top: int = 15) -> int:
    work.mkdir(parents=True, exist_ok=True)
    out = work / "child.json"
    with open(work / "child.log", "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                str(PROJECT_ROOT / "bench" / "run.py"),
                "labelhouse-child",
                str(raw),
                str(work / "warehouse" / "labelhouse.duckdb"),
                str(work / "report"),
                str(out),
            ],
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        root = psutil.Process(proc.pid)
        samples: list[tuple[dt.datetime, int]] = []
        while proc.poll() is None:
            try:
                samples.append((dt.datetime.now(dt.UTC), _tree_rss(root)))
            except psutil.Error:
                break
            time.sleep(0.1)
    result = json.loads(out.read_text())
    if not result.get("run_dir"):
        print(f"the build left no run folder: {result.get('error')}", file=sys.stderr)
        return 1
    nodes = []
    for f in sorted((Path(result["run_dir"]) / "dbt").glob("run_results*.json")):
        for r in json.loads(f.read_text())["results"]:
            for t in r.get("timing", []):
                if t["name"] == "execute" and t.get("started_at"):
                    start = dt.datetime.fromisoformat(t["started_at"].replace("Z", "+00:00"))
                    end = dt.datetime.fromisoformat(t["completed_at"].replace("Z", "+00:00"))
                    nodes.append((start, end, r["unique_id"].split(".", 2)[-1]))
    peak_at, peak = max(samples, key=lambda s: s[1])
    print(f"timings: {result.get('timings')}")
    print(f"peak RSS {peak / 1024**3:.2f} GiB at {peak_at:%H:%M:%S}")
    per_node: dict[str, int] = {}
    for start, end, name in nodes:
        seen = max((rss for at, rss in samples if start <= at <= end), default=0)
        per_node[name] = max(per_node.get(name, 0), seen)
    for name, rss in sorted(per_node.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{rss / 1024**3:6.2f} GiB  {name}")
    outside = max((rss for at, rss in samples if not any(s <= at <= e for s, e, _ in nodes)), default=0)
    print(f"{outside / 1024**3:6.2f} GiB  outside dbt nodes (gates, report, start-up)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
