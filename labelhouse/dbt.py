"""Run dbt in-process through dbtRunner, against a chosen DuckDB file and raw directory."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from labelhouse.paths import PROJECT_ROOT
from labelhouse.progress import DbtProgress


@dataclass
class DbtResult:
    """What one dbt invocation did: success, and each node's status and timing."""

    success: bool
    nodes: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    manifest: Any = None  # the parsed dbt Manifest, for `parse` (reuse it with run_dbt(manifest=...))

    def failures(self) -> list[dict[str, Any]]:
        return [n for n in self.nodes if n["status"] in ("error", "fail", "runtime error")]


@contextlib.contextmanager
def temporary_env(updates: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block; restore (or remove) them after."""
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


NO_ARTEFACT_COMMANDS = ("build", "run", "test", "seed", "compile")  # run with --no-write-json
LOG_LEVEL_ENV = "LABELHOUSE_DBT_LOG_LEVEL"  # dbt.log level of every dbt command (info unless set: debug, warn...)


def run_dbt(
    args: Sequence[str],
    *,
    warehouse: Path,
    raw_dir: Path,
    extra_vars: dict[str, Any] | None = None,
    quiet: bool = True,
    target_path: Path | None = None,
    manifest: Any = None,
    reuse_manifest: bool = True,
    progress: Callable[[str], None] | None = None,
    project_dir: Path | None = None,
) -> DbtResult:
    """Run `dbt <args>` on the project in `project_dir` (default: labelhouse.paths.PROJECT_ROOT, whose
    profiles.yml it also uses) with the DuckDB file `warehouse` and raw exports in `raw_dir`.

    Each call gets its own target and log folder (so concurrent builds never share dbt's
    artefacts) unless `target_path` is given. dbt's parse is skipped: the command runs on
    `manifest`, by default the process's shared parse of the project (shared_manifest);
    reuse_manifest=False makes dbt parse (for `parse` itself).
    With `progress`, nodes done of total, the running model and the elapsed time are reported
    while dbt runs (a live bar on a terminal, lines through `progress` otherwise: labelhouse.progress).
    """
    from dbt.cli.main import dbtRunner

    project = Path(project_dir).resolve() if project_dir is not None else PROJECT_ROOT
    if manifest is None and reuse_manifest and args and args[0] not in ("parse", "debug", "deps", "clean"):
        target = args[list(args).index("--target") + 1] if "--target" in args else "duckdb"
        manifest = shared_manifest(warehouse, target, project_dir=project)
    dbt_vars = {"raw_dir": str(Path(raw_dir).resolve())}
    dbt_vars.update(extra_vars or {})
    keep_results = target_path is not None
    no_artefacts = bool(args) and args[0] in NO_ARTEFACT_COMMANDS
    with contextlib.ExitStack() as stack:
        if target_path is None:
            target_path = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lh-dbt-")))
        env = {
            "LABELHOUSE_DUCKDB_PATH": str(Path(warehouse).resolve()),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        stack.enter_context(temporary_env(env))
        cli_args = [
            *args,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(target_path),
            "--log-path",
            str(target_path / "logs"),
            "--vars",
            yaml.safe_dump(dbt_vars, default_flow_style=True).strip(),
        ]
        if quiet:
            cli_args = ["--quiet", "--no-use-colors", *cli_args]
        # dbt.log at info (a line per node, its status and seconds); debug adds every statement
        # and costs ~20% of a small build's dbt time in event formatting (LOG_LEVEL_ENV=debug).
        cli_args = ["--log-level-file", os.environ.get(LOG_LEVEL_ENV, "info"), *cli_args]
        if no_artefacts:
            # dbt would write manifest.json (3 MB), graph.gpickle and run_results.json after every
            # command: ~0.4 s of a test-sized build step. Only run_results.json is read (the node
            # timings a build keeps in its run folder), so it is written below, when kept.
            cli_args = ["--no-write-json", *cli_args]
        callbacks = []
        if progress is not None:
            tracker = stack.enter_context(DbtProgress(say=progress))
            callbacks.append(tracker.callback)
        try:
            res = dbtRunner(manifest=manifest, callbacks=callbacks).invoke(cli_args)
        finally:
            close_duckdb()
        if keep_results and no_artefacts and hasattr(res.result, "write"):
            res.result.write(str(target_path / "run_results.json"))
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
                    "compiled_code": getattr(r.node, "compiled_code", None),
                }
            )
    error = str(res.exception) if res.exception is not None else None
    parsed = result if args and args[0] == "parse" and res.success else None
    return DbtResult(success=bool(res.success), nodes=nodes, error=error, manifest=parsed)


def close_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb kept open for the command just run.

    The profile keeps the file open across a command's nodes (`keep_open: true`): without it
    dbt-duckdb closes the database after every node (a checkpoint) and opens it again for the
    next (~4% of a small build's node time; more while other processes compete for the disk).
    Once the command is done, the gates, the publish step and Python open the file themselves,
    so it is closed here.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # dbt-spark only
        return
    with DuckDBConnectionManager._LOCK:
        env, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if env is not None:
        env.close()


PARSE_CACHE = Path("target") / "labelhouse-parse"  # under the project dir
PARSE_CACHE_ROOT = PROJECT_ROOT / PARSE_CACHE  # the default project's
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "data-tests", "analyses")
_MANIFESTS: dict[tuple[str, str, str, str], Any] = {}


def files_fingerprint(names: Sequence[str], root: Path = PROJECT_ROOT) -> str:
    """A hash of the named files and folders under root (paths and contents, in sorted order)."""
    digest = hashlib.sha256()
    for name in names:
        path = root / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            digest.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def shared_manifest(warehouse: Path, target: str = "duckdb", project_dir: Path | None = None) -> Any:
    """The parsed dbt project for builds of a DuckDB file named like `warehouse` (None if parsing
    failed: the dbt step that follows then parses itself and reports the error).

    Parsing does not depend on the raw directory or on vars given at run time (they are read
    when models compile), only on the project's files, the target and the warehouse file's stem
    (dbt-duckdb's database name). So a manifest is parsed once per process for each of those
    and reused by every dbt step of every build; across processes dbt's partial-parse state is
    kept in <project_dir>/target/labelhouse-parse/, so a new process with unchanged files parses in ~1 s.
    """
    project = Path(project_dir).resolve() if project_dir is not None else PROJECT_ROOT
    stem = Path(warehouse).stem
    key = (str(project), files_fingerprint(PROJECT_FILES, project), target, stem)
    if key in _MANIFESTS:
        return _MANIFESTS[key]
    cache = project / PARSE_CACHE / f"{target}-{stem}"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            args = ["parse"] + ([] if target == "duckdb" else ["--target", target])
            result = run_dbt(
                args,
                warehouse=cache / f"{stem}.duckdb",
                raw_dir=cache / "raw",
                target_path=cache,
                reuse_manifest=False,
                project_dir=project,
            )
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    if result.manifest is not None:
        _MANIFESTS[key] = result.manifest
    return result.manifest
