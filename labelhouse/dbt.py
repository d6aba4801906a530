"""Run dbt in-process through dbtRunner, against a chosen DuckDB file and raw directory."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from labelhouse.paths import PROJECT_ROOT


@dataclass
class DbtResult:
    """What one dbt invocation did: success, and each node's status and timing."""

    success: bool
    nodes: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def failures(self) -> list[dict[str, Any]]:
        return [n for n in self.nodes if n["status"] in ("error", "fail", "runtime error")]


@contextlib.contextmanager
def _env(updates: dict[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in updates}
    os.environ.update(updates)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_dbt(
    args: Sequence[str],
    *,
    warehouse: Path,
    raw_dir: Path,
    extra_vars: dict[str, Any] | None = None,
    quiet: bool = True,
    target_path: Path | None = None,
) -> DbtResult:
    """Run `dbt <args>` on the project with the DuckDB file `warehouse` and raw exports in `raw_dir`.

    Each call gets its own target and log folder (so concurrent builds never share dbt's
    artefacts) unless `target_path` is given.
    """
    from dbt.cli.main import dbtRunner

    dbt_vars = {"raw_dir": str(Path(raw_dir).resolve())}
    dbt_vars.update(extra_vars or {})
    with contextlib.ExitStack() as stack:
        if target_path is None:
            target_path = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lh-dbt-")))
        env = {
            "LABELHOUSE_DUCKDB_PATH": str(Path(warehouse).resolve()),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        stack.enter_context(_env(env))
        cli_args = [
            *args,
            "--project-dir", str(PROJECT_ROOT),
            "--profiles-dir", str(PROJECT_ROOT),
            "--target-path", str(target_path),
            "--log-path", str(target_path / "logs"),
            "--vars", yaml.safe_dump(dbt_vars, default_flow_style=True).strip(),
        ]
        if quiet:
            cli_args = ["--quiet", "--no-use-colors", *cli_args]
        res = dbtRunner().invoke(cli_args)
    nodes: list[dict[str, Any]] = []
    result = res.result
    if result is not None and hasattr(result, "results"):
        for r in result.results:
            nodes.append(
                {
                    "name": r.node.name,
                    "resource_type": str(r.node.resource_type),
                    "status": str(r.status),
                    "message": r.message,
                    "seconds": r.execution_time,
                    "failures": getattr(r, "failures", None),
                }
            )
    error = str(res.exception) if res.exception is not None else None
    return DbtResult(success=bool(res.success), nodes=nodes, error=error)
