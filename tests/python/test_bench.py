"""The bench (bench/run.py) end to end at 5,000 annotations: both pipelines run, the figures agree.

One module-scoped run of bench.main (generate, full labelhouse build + report in a child
process, the reference pipeline in another, the comparison, the doc), then checks on what it
produced. The comparison itself is checked to fail on a perturbed, a missing and a NULL figure,
so an "ok" cannot come from comparing nothing.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT_ROOT


def _load_bench() -> object:
    """bench/run.py is dev tooling outside the package: import it from its file."""
    spec = importlib.util.spec_from_file_location("labelhouse_bench_run", PROJECT_ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


bench: Any = _load_bench()
N = 5_000
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    scratch = tmp_path_factory.mktemp("bench")
    doc = scratch / "benchmarks.md"
    doc.write_text(
        "# Benchmarks\n\nHand-written notes stay.\n\n<!-- bench:results -->\n"
        "<!-- bench:10000000 -->\nold 10M block\n<!-- /bench:10000000 -->\n<!-- /bench:results -->\n"
        "\n## Analysis\n\nKept too.\n"
    )
    messages: list[str] = []
    code = bench.main([N], scratch, progress=messages.append, doc=doc, quiet_wait=0)
    result = json.loads((scratch / f"run_{N}" / "result.json").read_text())
    return {"code": code, "scratch": scratch, "doc": doc, "messages": messages, "result": result}


def _warehouse(run: dict[str, Any]) -> Path:
    published = run["scratch"] / f"run_{N}" / "warehouse" / "labelhouse.duckdb"
    if published.exists():
        return published
    return next((run["scratch"] / f"run_{N}" / "warehouse" / "runs").glob("*/candidate.duckdb"))


def test_every_figure_family_agrees_with_the_reference(run: dict[str, Any]) -> None:
    comparisons = {c["family"]: c for c in run["result"]["comparisons"]}
    assert set(comparisons) == {c.family for c in bench.CHECKS}
    for family, c in comparisons.items():
        assert c["error"] is None, (family, c["error"])
        assert c["rows"] > 0, family
        assert (c["only_labelhouse"], c["only_reference"], c["mismatches"]) == (0, 0, 0), (family, c["example"])
        assert c["max_abs_diff"] <= bench.TOLERANCE


def test_the_build_succeeds_and_bench_exits_zero(run: dict[str, Any]) -> None:
    assert run["result"]["labelhouse_error"] is None
    assert run["code"] == 0


def test_timings_memory_and_dbt_families_are_recorded(run: dict[str, Any]) -> None:
    r = run["result"]
    for child in ("labelhouse", "reference"):
        assert r[child]["returncode"] == 0
        assert r[child]["seconds"] > 0 and r[child]["cpu_seconds"] > 0
        # a Python process with pandas/duckdb loaded is far above 50 MB; sampling saw it
        assert r[child]["peak_tree_rss"] > 50 * 1024**2
        assert r[child]["max_single_rss"] > 50 * 1024**2
    assert set(r["reference_timings"]) == set(bench.FAMILIES)
    assert {"preflight", "dbt staging", "dbt marts"} <= set(r["labelhouse_timings"])
    assert set(r["dbt"]["family_seconds"]) == set(bench.FAMILIES)
    for family, mart in bench.FAMILY_MARTS.items():
        assert mart in r["dbt"]["family_models"][family]
    assert "stg_raw__annotations" in r["dbt"]["family_models"]["load"]
    # both dbt invocations (staging, then the rest) are in the per-family figures
    assert r["dbt"]["models"]["staging"] > 0 and r["dbt"]["models"]["marts/quality"] > 0


def test_the_doc_gets_this_size_and_keeps_the_rest(run: dict[str, Any]) -> None:
    text = run["doc"].read_text()
    assert "Hand-written notes stay." in text and "## Analysis\n\nKept too." in text
    assert "old 10M block" in text
    assert text.index(f"<!-- bench:{N} -->") < text.index("<!-- bench:10000000 -->")
    assert "Same numbers?" in text and "cores" in text and f"python bench/run.py --sizes {N}" in text
    # the doc is committed: the scratch folder (a path of this machine) is not written into it
    assert "--scratch <scratch dir>" in text and str(run["scratch"]) not in text
    assert any("Same numbers?" in m for m in run["messages"])
    # a second write of the same size replaces its block instead of adding one
    bench.write_doc([_size_result(run["result"])], run["doc"], "python bench/run.py --sizes 5000")
    again = run["doc"].read_text()
    assert again.count(f"<!-- bench:{N} -->") == 1 and again.count(f"<!-- /bench:{N} -->") == 1
    assert "old 10M block" in again and "Kept too." in again


def _size_result(d: dict[str, Any]) -> bench.SizeResult:
    """A SizeResult back from its result.json."""
    return bench.SizeResult(
        **{
            **d,
            "labelhouse": bench.ChildRun(**d["labelhouse"]),
            "reference": bench.ChildRun(**d["reference"]),
            "dbt": bench.DbtProfile(**d["dbt"]),
            "comparisons": [bench.Comparison(**c) for c in d["comparisons"]],
            "load_average": tuple(d["load_average"]),
            "incremental": _incremental_run(d["incremental"]) if d.get("incremental") else None,
            "plain_sql": bench.ChildRun(**d["plain_sql"]) if d.get("plain_sql") else None,
            "plain_sql_comparisons": [bench.Comparison(**c) for c in d.get("plain_sql_comparisons", [])],
        }
    )


def _incremental_run(d: dict[str, Any]) -> bench.IncrementalRun:
    return bench.IncrementalRun(
        **{
            **d,
            "baseline": bench.ChildRun(**d["baseline"]),
            "run": bench.ChildRun(**d["run"]),
            "dbt": bench.DbtProfile(**d["dbt"]),
            "diff": bench.ChildRun(**d["diff"]) if d.get("diff") else None,
        }
    )


def test_the_incremental_daily_build_is_measured_and_equals_the_full_build(run: dict[str, Any]) -> None:
    inc = run["result"]["incremental"]
    assert inc["error"] is None
    assert inc["held_out_files"] and 0 < inc["held_out_rows"] < inc["total_annotation_rows"]
    assert inc["baseline"]["returncode"] == 0 and inc["run"]["returncode"] == 0
    assert inc["run"]["seconds"] > 0 and {"dbt staging", "dbt marts"} <= set(inc["timings"])
    # every staging (landing aside), intermediate and mart table was compared, and all are equal
    assert inc["tables_compared"] >= 40 and inc["tables_differing"] == []
    assert "Incremental build" in run["doc"].read_text()
    # and labelhouse diff of the two warehouses ran and found nothing moved
    assert inc["diff"]["returncode"] == 0 and inc["diff_verdict"].startswith("No changes")


def test_the_plain_sql_yardstick_gives_the_reference_figures(run: dict[str, Any]) -> None:
    result = run["result"]
    assert result["plain_sql"]["returncode"] == 0 and result["plain_sql"]["seconds"] > 0
    families = {c["family"] for c in result["plain_sql_comparisons"]}
    assert families == {c.family for c in bench.CHECKS}
    assert all(c["mismatches"] == 0 and not c["error"] and c["rows"] > 0 for c in result["plain_sql_comparisons"])
    assert "Plain DuckDB SQL script" in run["doc"].read_text()


def test_the_warehouse_comparison_finds_a_changed_row(run: dict[str, Any], tmp_path: Path) -> None:
    full = _warehouse(run)
    changed = tmp_path / "changed.duckdb"
    changed.write_bytes(full.read_bytes())
    con = duckdb.connect(str(changed))
    try:
        con.execute(
            "update marts.fct_annotator_daily set n_annotations = n_annotations + 1 "
            "where rowid = (select min(rowid) from marts.fct_annotator_daily)"
        )
        con.execute(
            "update marts.fct_agreement set krippendorff_alpha = krippendorff_alpha + 1e-7 "
            "where rowid = (select min(rowid) from marts.fct_agreement where krippendorff_alpha is not null)"
        )
    finally:
        con.close()
    n, differing = bench.compare_warehouses(full, changed, ("marts",))
    assert n > 10 and differing == ["marts.fct_agreement", "marts.fct_annotator_daily"]
    assert bench.compare_warehouses(full, full, ("marts",))[1] == []


def test_the_comparison_fails_on_a_changed_missing_or_null_figure(run: dict[str, Any]) -> None:
    ref_dir = run["scratch"] / f"run_{N}" / "reference"
    con = duckdb.connect(str(_warehouse(run)), read_only=True)
    try:
        check = next(c for c in bench.CHECKS if c.family == "pairwise_kappa")
        labelhouse = con.execute(check.sql).df()
    finally:
        con.close()
    reference = pd.read_parquet(ref_dir / "pairwise_kappa.parquet")
    assert bench.compare_family(check, labelhouse, reference).ok

    defined = np.flatnonzero(reference["cohen_kappa"].notna().to_numpy())
    changed = reference.copy()
    changed.loc[changed.index[defined[0]], "cohen_kappa"] += 1e-7
    c = bench.compare_family(check, labelhouse, changed)
    assert (c.mismatches, c.ok) == (1, False) and c.max_abs_diff == pytest.approx(1e-7, rel=1e-3)

    nulled = reference.copy()
    nulled.loc[nulled.index[defined[1]], "cohen_kappa"] = np.nan
    assert bench.compare_family(check, labelhouse, nulled).mismatches == 1

    dropped = reference.drop(reference.index[0])
    c = bench.compare_family(check, labelhouse, dropped)
    assert (c.only_labelhouse, c.ok) == (1, False)

    recounted = reference.copy()
    recounted.loc[recounted.index[0], "n_shared_items"] += 1
    assert bench.compare_family(check, labelhouse, recounted).mismatches == 1
