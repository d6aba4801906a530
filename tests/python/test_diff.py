"""`labelhouse diff`: two builds of the same exports diff to nothing; moved values, schema changes,
re-ordered rows, NULLs, the markdown snapshot and the inputs it refuses (exit 2).

One small warehouse is built per module (dbt models only, no dbt tests or gates: ~10 s); every
variant is a copy of it altered with DuckDB SQL.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from labelhouse import run_log
from labelhouse.cli import app
from labelhouse.dbt import run_dbt
from labelhouse.diff import (
    HEADLINES,
    DiffInputError,
    diff_warehouses,
    grain_from_model,
    load_grains,
    render_markdown,
    render_text,
)
from labelhouse.paths import PROJECT_ROOT
from labelhouse.preflight import preflight

SNAPSHOT = PROJECT_ROOT / "tests" / "fixtures" / "diff" / "pr_summary.md"
MODELS_ONLY = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


def _dbt(args: list[str], warehouse: Path, raw: Path) -> None:
    result = run_dbt(args, warehouse=warehouse, raw_dir=raw)
    assert result.success, result.error or [n for n in result.nodes if n["status"] != "success"]


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from labelhouse.demo import generate

    path = tmp_path_factory.mktemp("diff") / "raw"
    generate(path, n_annotations=5000, seed=1)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, raw: Path) -> Path:
    """The one build: every model, then the published-run record `labelhouse build` appends."""
    work = tmp_path_factory.mktemp("built")
    warehouse = work / "labelhouse.duckdb"
    _dbt(["build", *MODELS_ONLY], warehouse, raw)
    record = run_log.RunRecord("run-1", run_log.utc_now(), str(raw), git_commit="a" * 40)
    record.raw_files = run_log.raw_file_records(preflight(raw).files)
    record.status, record.finished_at = "published", run_log.utc_now()
    run_log.append_history(warehouse, work / "no-previous.duckdb", record, work / "runs")
    return warehouse


def variant(built: Path, path: Path, *statements: str) -> Path:
    """A copy of the built warehouse with `statements` run on it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built, path)
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["diff", *args])
    return result.exit_code, result.stdout, result.stderr


def mart(result, name):  # type: ignore[no-untyped-def]
    return next(m for m in result.marts if m.mart == name)


def column(result, mart_name, column_name):  # type: ignore[no-untyped-def]
    return next(c for c in mart(result, mart_name).columns if c.column == column_name)


# --------------------------------------------------------------------------------------------


def test_every_mart_has_a_grain_in_the_yml(built: Path) -> None:
    grains = load_grains()
    con = duckdb.connect(str(built), read_only=True)
    try:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
    finally:
        con.close()
    assert marts and sorted(m for m in marts if m not in grains) == []
    assert grains["fct_agreement"] == ["project_id", "language"]
    assert grains["dim_item"] == ["item_id"]
    assert {h.mart for h in HEADLINES} <= set(grains)


def test_grain_from_model_reads_every_test_form() -> None:
    assert grain_from_model({"columns": [{"name": "id", "data_tests": ["not_null", "unique"]}]}) == ["id"]
    assert grain_from_model({"columns": [{"name": "id", "tests": [{"unique": {"config": {"where": "1=1"}}}]}]}) == [
        "id"
    ]
    old_style = {"data_tests": [{"unique_combination": {"columns": ["a", "b"]}}]}
    new_style = {"data_tests": [{"unique_combination": {"arguments": {"columns": ["a", "b"]}}}]}
    dbt_utils = {"tests": [{"dbt_utils.unique_combination_of_columns": {"combination_of_columns": ["a", "b"]}}]}
    assert grain_from_model(old_style) == grain_from_model(new_style) == grain_from_model(dbt_utils) == ["a", "b"]
    assert grain_from_model({"columns": [{"name": "x", "data_tests": ["not_null"]}]}) is None
    checks = {
        "data_tests": [
            {"column_checks": {"name": "c", "arguments": {"unique": [["a", "b", "c"], ["a", "b"]], "not_null": ["a"]}}}
        ]
    }
    assert grain_from_model(checks) == ["a", "b"]
    one_column = {"data_tests": [{"column_checks": {"arguments": {"unique": ["id", {"columns": ["id", "x"]}]}}}]}
    assert grain_from_model(one_column) == ["id"]
    assert grain_from_model({"data_tests": [{"column_checks": {"arguments": {"not_null": ["a"]}}}]}) is None


def test_two_builds_of_the_same_exports_diff_to_nothing(built: Path, raw: Path, tmp_path: Path) -> None:
    rebuilt = variant(built, tmp_path / "rebuilt.duckdb")
    _dbt(["run", "--select", "marts"], rebuilt, raw)  # every mart computed again from the same exports
    result = diff_warehouses(built, rebuilt)
    assert not result.changed and result.exports == "same"
    con = duckdb.connect(str(built), read_only=True)
    try:
        sql = "select count(*) from information_schema.tables where table_schema = 'marts'"
        n_marts = con.execute(sql).fetchone()[0]
    finally:
        con.close()
    assert n_marts > 20 and len(result.marts) == n_marts and all(m.compared_as == "grain" for m in result.marts)
    assert result.verdict().startswith(f"No changes: {n_marts} marts")
    code, out, _ = invoke(str(built), str(rebuilt), "--fail-on-change", "--format", "markdown")
    assert code == 0 and "No changes" in out


def test_a_changed_formula_shows_the_moved_column_and_its_largest_moves(built: Path, tmp_path: Path) -> None:
    head = variant(
        built,
        tmp_path / "head.duckdb",
        # a bigger move the earlier the project, on the 'all' roll-up only; one move within the tolerance
        "update marts.fct_agreement set krippendorff_alpha = krippendorff_alpha + case project_id "
        "when 'p_general_2026q4' then 0.021 when 'p_hate_2026q4' then 0.004 else 0 end where language = 'all'",
        "update marts.fct_agreement set fleiss_kappa = fleiss_kappa + 1e-12",
    )
    result = diff_warehouses(built, head)
    agreement = mart(result, "fct_agreement")
    assert result.changed and agreement.status == "changed" and agreement.changed_rows == 2
    assert [c.column for c in agreement.columns] == ["krippendorff_alpha"]  # fleiss_kappa moved within 1e-9
    alpha = column(result, "fct_agreement", "krippendorff_alpha")
    assert alpha.n_moved == 2 and alpha.n_entities == 2 and alpha.n_null_changes == 0
    assert alpha.max_abs_delta == pytest.approx(0.021)
    assert [m.key for m in alpha.moves] == [["p_general_2026q4", "all"], ["p_hate_2026q4", "all"]]
    assert [round(m.delta, 6) for m in alpha.moves] == [0.021, 0.004]
    assert alpha.moves[0].head - alpha.moves[0].base == pytest.approx(0.021)
    assert [m.mart for m in result.changed_marts] == ["fct_agreement"]
    assert result.verdict() == "1 mart changed, fct_agreement.krippendorff_alpha moved by up to 0.021 in 2 projects"

    assert not diff_warehouses(built, head, tolerance=0.05).changed
    con = duckdb.connect(str(built), read_only=True)
    n_kappas = con.execute("select count(fleiss_kappa) from marts.fct_agreement").fetchone()[0]  # type: ignore[index]
    con.close()
    assert column(diff_warehouses(built, head, tolerance=0), "fct_agreement", "fleiss_kappa").n_moved == n_kappas > 0

    code, out, _ = invoke(str(built), str(head), "--fail-on-change")
    assert code == 1 and "p_general_2026q4, all: " in out and "(+0.021)" in out
    code, out, _ = invoke(str(built), str(head), "--format", "json")
    assert code == 0 and json.loads(out)["verdict"] == result.verdict()


def test_a_dropped_column_and_an_added_mart_are_schema_changes(built: Path, tmp_path: Path) -> None:
    head = variant(
        built,
        tmp_path / "head.duckdb",
        "alter table marts.fct_item_consensus drop column adjudication_reason",
        "alter table marts.fct_model_eval alter column n_items type double",
        "create table marts.fct_reviewer_load as select 'p1' as project_id, 3 as n_reviews",
        "drop table marts.fct_model_vs_annotators",
    )
    result = diff_warehouses(built, head)
    consensus = mart(result, "fct_item_consensus")
    assert consensus.status == "changed" and consensus.columns_removed == [["adjudication_reason", "VARCHAR"]]
    assert not consensus.rows_changed and consensus.columns == []  # the other columns still equal
    evaluation = mart(result, "fct_model_eval")
    assert evaluation.types_changed == [["n_items", "BIGINT", "DOUBLE"]] and not evaluation.rows_changed
    added, removed = mart(result, "fct_reviewer_load"), mart(result, "fct_model_vs_annotators")
    assert (added.status, added.rows_base, added.rows_head) == ("added", None, 1)
    assert (removed.status, removed.rows_head) == ("removed", None)
    assert result.verdict().startswith("4 marts changed (1 added, 1 removed), 1 column removed, 1 column retyped")
    markdown = render_markdown(result)
    assert "| `fct_item_consensus` | column removed | `adjudication_reason` | VARCHAR |  |" in markdown
    assert "| `fct_reviewer_load` | mart added |" in markdown


def test_reordered_rows_are_not_changes_with_or_without_a_grain(built: Path, tmp_path: Path) -> None:
    reordered = variant(
        built,
        tmp_path / "reordered.duckdb",
        "create or replace table marts.fct_annotator_daily as "
        "select * from marts.fct_annotator_daily order by hash(annotator_id, activity_date) desc",
        "create or replace table marts.fct_agreement as select * from marts.fct_agreement order by language desc",
    )
    assert not diff_warehouses(built, reordered).changed
    no_grains = tmp_path / "project"  # models' yml without grain tests: every mart compared as whole rows
    (no_grains / "models" / "marts").mkdir(parents=True)
    result = diff_warehouses(built, reordered, project_dir=no_grains)
    assert not result.changed and all(m.compared_as == "rows" for m in result.marts)
    assert "no grain test" in render_text(result)

    moved = variant(
        reordered,
        tmp_path / "moved.duckdb",
        "update marts.fct_agreement set n_items = n_items + 1 where language = 'en'",
    )
    agreement = mart(diff_warehouses(built, moved, project_dir=no_grains), "fct_agreement")
    assert (agreement.compared_as, agreement.only_base, agreement.only_head) == ("rows", 4, 4)
    assert "no grain test" in (agreement.note or "")


def test_null_to_value_is_a_change(built: Path, tmp_path: Path) -> None:
    base = variant(
        built,
        tmp_path / "base.duckdb",
        "update marts.fct_agreement set gwet_ac1 = null where project_id = 'p_spam_2026q4' and language = 'all'",
        "update marts.dim_item set market = null where item_id = 'itm_00000001'",
    )
    result = diff_warehouses(base, built)
    ac1 = column(result, "fct_agreement", "gwet_ac1")
    assert (ac1.n_moved, ac1.n_null_changes, ac1.max_abs_delta) == (1, 1, None)
    assert ac1.moves[0].base is None and ac1.moves[0].head is not None
    market = column(result, "dim_item", "market")
    assert market.n_moved == 1 and market.moves[0].key == ["itm_00000001"] and market.moves[0].base is None
    back = column(diff_warehouses(built, base), "fct_agreement", "gwet_ac1")  # and value to NULL
    assert back.n_null_changes == 1 and back.moves[0].head is None


def test_a_grain_that_is_not_unique_falls_back_to_whole_rows(built: Path, tmp_path: Path) -> None:
    head = variant(
        built,
        tmp_path / "head.duckdb",
        "insert into marts.dim_label select * from marts.dim_label order by label limit 1",
    )
    label = mart(diff_warehouses(built, head), "dim_label")
    assert (label.compared_as, label.only_base, label.only_head) == ("rows", 0, 1)
    assert "not unique" in (label.note or "")


def _snapshot_pair(built: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Base and head with fixed values wherever the summary prints one, so the models can evolve."""
    fixed = [
        "update audit.build_runs set git_commit = '{commit}'",
        "update marts.fct_agreement set krippendorff_alpha = 0.6 where language = 'all'",
        "update marts.fct_agreement set fleiss_kappa = 0.55 where language = 'all'",
        "update marts.fct_annotator_quality set gold_accuracy = 0.8 where annotator_id in ('rater_001', 'rater_002')",
    ]
    base = variant(
        built,
        tmp_path / "base.duckdb",
        *(s.format(commit="a" * 40) for s in fixed),
        "update marts.fct_agreement set fleiss_kappa = null where project_id = 'p_spam_2026q4' and language = 'all'",
    )
    head = variant(
        base,
        tmp_path / "head.duckdb",
        "update audit.build_runs set git_commit = '" + "b" * 40 + "'",
        "update marts.fct_agreement set krippendorff_alpha = 0.621 where project_id = 'p_general_2026q4' "
        "and language = 'all'",
        "update marts.fct_agreement set krippendorff_alpha = 0.611 where project_id = 'p_hate_2026q4' "
        "and language = 'all'",
        "update marts.fct_agreement set fleiss_kappa = 0.42 where project_id = 'p_spam_2026q4' and language = 'all'",
        "update marts.fct_annotator_quality set gold_accuracy = 0.75 where annotator_id = 'rater_002' "
        "and project_id = 'all'",
        "alter table marts.fct_item_consensus drop column adjudication_reason",
        "create table marts.fct_reviewer_load as select 'p_general_2026q4' as project_id, 3 as n_reviews",
        "delete from marts.fct_project_daily where activity_date = (select max(activity_date) "
        "from marts.fct_project_daily)",
    )
    return base, head


def test_the_markdown_summary_is_stable(built: Path, tmp_path: Path) -> None:
    base, head = _snapshot_pair(built, tmp_path)
    result = diff_warehouses(base, head)
    markdown = render_markdown(result)
    assert markdown == render_markdown(diff_warehouses(base, head))  # deterministic
    assert len(markdown.splitlines()) <= 60
    assert markdown.count("<details>") == markdown.count("</details>") >= 2
    if os.environ.get("LABELHOUSE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(markdown, encoding="utf-8")
    assert SNAPSHOT.exists(), "run once with LABELHOUSE_UPDATE_SNAPSHOTS=1 to write the snapshot"
    assert markdown == SNAPSHOT.read_text(encoding="utf-8"), (
        "the markdown summary changed; if that is intended, rerun with LABELHOUSE_UPDATE_SNAPSHOTS=1"
    )


def test_different_exports_are_refused_with_the_files_named(built: Path, tmp_path: Path) -> None:
    head = variant(
        built,
        tmp_path / "head.duckdb",
        'update audit.build_runs set raw_files = replace(raw_files, \'"file": "projects.csv"\', '
        '\'"file": "projects_v2.csv"\')',
    )
    with pytest.raises(DiffInputError) as caught:
        diff_warehouses(built, head)
    assert caught.value.exit_code == 2
    assert "projects/projects.csv (only in base)" in str(caught.value)
    assert "projects/projects_v2.csv (only in head)" in str(caught.value)
    code, _, err = invoke(str(built), str(head))
    assert code == 2 and "different raw exports" in err
    code, out, _ = invoke(str(built), str(head), "--allow-different-exports", "--format", "markdown")
    assert code == 0 and "**different exports**" in out


def test_bad_input_exits_2_with_a_message(built: Path, tmp_path: Path) -> None:
    code, _, err = invoke(str(tmp_path / "missing.duckdb"), str(built))
    assert code == 2 and "does not exist" in err
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database")
    code, _, err = invoke(str(built), str(text))
    assert code == 2 and "not a DuckDB warehouse" in err
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    code, _, err = invoke(str(built), str(empty))
    assert code == 2 and "not a labelhouse warehouse" in err
    code, _, err = invoke(str(built), str(built))
    assert code == 2 and "same file" in err
    code, _, err = invoke(str(built), str(built), "--format", "html")
    assert code == 2 and "--format" in err


def test_a_warehouse_without_build_history_is_compared_with_a_note(built: Path, tmp_path: Path) -> None:
    bare = variant(built, tmp_path / "dbt_only.duckdb", "drop table audit.build_runs")  # e.g. plain `dbt build`
    result = diff_warehouses(built, bare)
    assert not result.changed and result.exports == "unknown"
    assert "exports not checked" in render_markdown(result)
