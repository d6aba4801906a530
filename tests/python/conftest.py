"""Shared pytest fixtures: build a warehouse from a raw directory with the real dbt project."""

from __future__ import annotations

import atexit
import functools
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

from labelhouse.dbt import run_dbt

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SHARED = PROJECT_ROOT.parent / "shared"

BuildFn = Callable[..., Path]

# ---------------------------------------------------------------------------------------------
# Cross-checks against the references: the one statement of "NULL only where the reference is
# NULL, else equal within TOL", and the reference formulas more than one test file needs.

TOL = 1e-9  # absolute tolerance of a cross-check of a warehouse figure against its reference


def is_null(x: Any) -> bool:
    """SQL NULL as read back from DuckDB or computed by a reference: None, pd.NA or NaN."""
    return x is None or x is pd.NA or (isinstance(x, float | np.floating) and math.isnan(x))


def close(actual: Any, expected: Any, tol: float = TOL) -> bool:
    """True when `actual` is NULL exactly where `expected` is, and else |actual - expected| <= tol."""
    if is_null(expected):
        return is_null(actual)
    return not is_null(actual) and abs(float(actual) - float(expected)) <= tol


def assert_close(actual: Any, expected: Any, what: str, tol: float = TOL) -> None:
    """Assert close(actual, expected, tol), naming `what` and the values when it fails."""
    if is_null(expected):
        assert is_null(actual), f"{what}: expected NULL, got {actual}"
    else:
        assert not is_null(actual), f"{what}: expected {expected}, got NULL"
        assert abs(float(actual) - float(expected)) <= tol, f"{what}: {actual} != {expected}"


def nominal_alpha_from_counts(counts: np.ndarray) -> float:
    """Krippendorff's nominal alpha from an items x categories count matrix (Krippendorff 2011,
    section C): items with fewer than 2 values are not pairable and are left out;
    alpha = 1 - (n - 1) sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1) / (n^2 - sum_c n_c^2)."""
    m = counts.sum(axis=1)
    counts = counts[m >= 2]
    m = m[m >= 2]
    n = m.sum()
    n_c = counts.sum(axis=0)
    disagreement = ((m * m - (counts * counts).sum(axis=1)) / (m - 1)).sum()
    return float(1 - (n - 1) * disagreement / (n * n - (n_c * n_c).sum()))


def jackknife_se(loo: np.ndarray) -> float:
    """Delete-one jackknife standard error from the leave-one-out estimates theta_(i):
    sqrt((n - 1) / n * sum_i (theta_(i) - mean theta)^2)."""
    n = len(loo)
    return math.sqrt((n - 1) / n * float(((loo - loo.mean()) ** 2).sum()))


def _build(raw_dir: Path, warehouse: Path, select: str | None = None, **dbt_vars: Any) -> Path:
    args = ["build"]
    if select:
        # tests of the selected models only: not a test that also reads a model left unbuilt
        args += ["--select", select, "--indirect-selection", "cautious"]
    result = run_dbt(args, warehouse=warehouse, raw_dir=raw_dir, extra_vars=dbt_vars)
    if not result.success:
        failed = "\n".join(f"  {n['name']}: {n['status']} {n['message']}" for n in result.failures())
        raise AssertionError(f"dbt build failed: {result.error or ''}\n{failed}")
    return warehouse


def labelhouse_build(raw_dir: Path, warehouse: Path, *, full_refresh: bool = False) -> Path:
    """`labelhouse build --no-report` in this process (it shares the parsed dbt project and the
    loaded Great Expectations with the other builds of the session); AssertionError on failure.
    Tests of exit codes and messages run the CLI as a subprocess instead."""
    from labelhouse.build import build
    from labelhouse.errors import LabelhouseError

    try:
        build(raw_dir, warehouse, full_refresh=full_refresh, progress=lambda _: None, docs=False)
    except LabelhouseError as exc:
        raise AssertionError(f"labelhouse build failed (exit {exc.exit_code}): {exc}") from None
    return warehouse


def assert_build_says_node_progress(lines: list[str]) -> None:
    """What `labelhouse build` said (not on a terminal: LABELHOUSE_PROGRESS=plain) has dbt's
    progress lines in both dbt steps, each step ending with a complete count, and running models."""
    import re

    node_lines = [(i, line) for i, line in enumerate(lines) if re.match(r"\s+dbt \d+/\d+ nodes, ", line)]
    landing, writing, gate = (
        next(i for i, line in enumerate(lines) if line.startswith(s)) for s in ("[2/6]", "[4/6]", "[5/6]")
    )
    for start, end in ((landing, writing), (writing, gate)):
        step = [line for i, line in node_lines if start < i < end]
        assert step, lines[start:end]
        found = re.search(r"(\d+)/(\d+) nodes", step[-1])
        assert found is not None
        done, total = map(int, found.groups())
        assert done == total > 0
    assert any(": running " in line for _, line in node_lines)


@pytest.fixture
def build_warehouse(tmp_path: Path) -> BuildFn:
    """build_warehouse(raw_dir, select=None, **vars) -> path of a freshly built DuckDB file."""
    counter = {"n": 0}

    def build(raw_dir: Path, select: str | None = None, **dbt_vars: Any) -> Path:
        counter["n"] += 1
        warehouse = tmp_path / f"warehouse_{counter['n']}.duckdb"
        return _build(raw_dir, warehouse, select, **dbt_vars)

    return build


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    """Run one read-only query on a built warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def query_df(warehouse: Path, sql: str) -> Any:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# The shared demo warehouse: the default demo exports (the generator's 60,000 annotations, seed
# 42: what `labelhouse build` and `make dbt-test` build), gated and published once per session.
# Every test that only reads a demo warehouse uses it (fixture `demo_build`, or `shared_demo()` from
# helpers that are not fixtures); a test that writes copies it first (`demo_copy`).

DEMO_ANNOTATIONS = 60_000
DEMO_SEED = 42
# The warehouse `make dbt-test` has just built from the same demo exports (reused when fresh)
MAKE_DBT_TEST_WAREHOUSE = PROJECT_ROOT / "warehouse" / "test" / "labelhouse.duckdb"
REUSE_ENV = "LABELHOUSE_TEST_REUSE_WAREHOUSE"  # "0": always build the session's own
# Code that shapes a build besides the dbt project (whose fingerprint the build records).
BUILD_CODE_PATHS = ("labelhouse", "expectations", "profiles.yml")


@dataclass(frozen=True)
class DemoBuild:
    raw: Path  # the demo exports, generated for this session
    warehouse: Path  # the published warehouse (a session copy: tests may not write to it)
    manifest: dict[str, Any]  # the generator's manifest (planted truth under "truth")
    reused: str | None  # why the make dbt-test warehouse was reused, or None (built here)


def _session_dir(name: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix=f"lh-tests-{name}-"))
    atexit.register(shutil.rmtree, root, True)
    return root


def reusable_warehouse(raw: Path, warehouse: Path = MAKE_DBT_TEST_WAREHOUSE) -> tuple[bool, str]:
    """Whether `warehouse` is a published build of exactly the exports in `raw` with the current
    code: (ok, reason). Every run it published read files with the same names and sha256 as
    `raw` holds; its recorded model-code fingerprint is the project's; no file of the build
    code (the labelhouse package, the expectations, profiles.yml) is newer than it."""
    from labelhouse.build import model_code_fingerprint, published_model_code
    from labelhouse.preflight import preflight
    from labelhouse.run_log import raw_file_records

    if os.environ.get(REUSE_ENV) == "0":
        return False, f"{REUSE_ENV}=0"
    if not warehouse.is_file():
        return False, f"no {warehouse.name} from make dbt-test"
    built_at = warehouse.stat().st_mtime
    for name in BUILD_CODE_PATHS:
        path = PROJECT_ROOT / name
        for f in [path] if path.is_file() else path.rglob("*"):
            if f.is_file() and "__pycache__" not in f.parts and f.stat().st_mtime > built_at:
                return False, f"{f.relative_to(PROJECT_ROOT)} is newer than the warehouse"
    if published_model_code(warehouse) != model_code_fingerprint():
        return False, "the dbt models changed since it was built"
    expected = {r.file: r.sha256 for r in raw_file_records(preflight(raw).files)}
    try:
        runs = query(warehouse, "select status, raw_files from audit.build_runs order by started_at")
    except duckdb.Error as exc:
        return False, f"no build history ({exc})"
    published = [json.loads(files) for status, files in runs if status == "published"]
    if not runs or runs[-1][0] != "published":
        return False, "its last build was not published"
    for files in published:
        if {f["file"]: f["sha256"] for f in files} != expected:
            return False, "a build of it read other raw exports than the demo's"
    return True, f"{len(published)} published build(s) of the same exports and code"


def _copy_published(warehouse: Path, dest: Path) -> Path:
    """The warehouse file and its last published run folder (the build's dbt docs), copied."""
    (run_id,) = query(
        warehouse, "select run_id from audit.build_runs where status = 'published' order by finished_at desc limit 1"
    )[0]
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, dest / warehouse.name)
    run_dir = warehouse.parent / "runs" / str(run_id)
    if run_dir.is_dir():
        shutil.copytree(run_dir, dest / "runs" / str(run_id), ignore=shutil.ignore_patterns("candidate.duckdb*"))
    return dest / warehouse.name


@functools.cache
def shared_demo() -> DemoBuild:
    """The session's demo build (see DemoBuild); the first call generates and builds or reuses."""
    from labelhouse.build import build
    from labelhouse.demo import generate

    root = _session_dir("demo")
    raw = root / "raw"
    manifest = generate(raw, n_annotations=DEMO_ANNOTATIONS, seed=DEMO_SEED)
    ok, reason = reusable_warehouse(raw)
    if ok:
        return DemoBuild(raw, _copy_published(MAKE_DBT_TEST_WAREHOUSE, root / "warehouse"), manifest, reason)
    result = build(raw, root / "warehouse" / "labelhouse.duckdb", full_refresh=True, progress=lambda _: None)
    return DemoBuild(raw, result.warehouse, manifest, None)


@functools.cache
def shared_demo_site() -> Path:
    """The report site of the shared demo warehouse, rendered once per session."""
    from labelhouse.report import render_site

    demo = shared_demo()
    return render_site(demo.warehouse, _session_dir("site") / "site", progress=lambda _: None, raw_dir=demo.raw)


@pytest.fixture(scope="session")
def demo_build() -> DemoBuild:
    """The shared demo build: read it, never write to it (see demo_copy)."""
    return shared_demo()


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A private copy of the shared demo warehouse file, for a test that writes to it."""
    copy = tmp_path / "demo_copy" / "labelhouse.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(shared_demo().warehouse, copy)
    return copy


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say whether this session reused the make dbt-test warehouse or built its own."""
    if shared_demo.cache_info().currsize:
        demo = shared_demo()
        how = f"reused warehouse/test/ ({demo.reused})" if demo.reused else "built in this session"
        terminalreporter.write_line(f"labelhouse: shared demo warehouse {how}")


# ---------------------------------------------------------------------------------------------
# Scheduling: `make test` runs the files in two processes (xdist --dist loadfile, with
# --no-loadscope-reorder so that xdist keeps this order). Longest file first keeps both busy to the
# end; in collection (alphabetical) order one sat idle for a minute while the other ran a long
# file. The seconds are a rough measure of each file (`pytest --durations`); files not listed
# run after these, in collection order.
FILE_SECONDS = {
    "test_bench.py": 89,
    "test_incremental.py": 86,
    "test_build.py": 60,
    "test_alerts.py": 40,
    "test_foundation.py": 37,
    "test_label_studio.py": 34,
    "test_diff.py": 32,
    "test_agreement.py": 30,
    "test_report_browser.py": 29,
    "test_gates.py": 28,
    "test_evaluation.py": 23,
    "test_guideline_versions.py": 21,
    "test_cost_quality.py": 17,
    "test_reports.py": 15,
    "test_latent_truth.py": 13,
    "test_progress.py": 10,
    "test_annotator_quality.py": 10,
    "test_model_comparison.py": 8,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the collected tests by file, longest file first (see FILE_SECONDS); stable within a file."""
    items.sort(key=lambda item: -FILE_SECONDS.get(item.path.name, 0))
