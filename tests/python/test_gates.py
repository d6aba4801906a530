"""The Great Expectations gates: fault injection through `build()`, and each suite on its own.

Fault injection: a generated raw directory (labelhouse.demo) is broken one way per test;
`build()` must fail at the right step (preflight exit 2, raw gate exit 4, mart gate exit 6)
with a message naming the problem and the file, and the published warehouse must keep its
exact bytes. The suites themselves are also run directly on small hand-made DuckDB files
(no dbt) so every range, privacy and threshold rule is shown to fail when it should and to
pass when it should.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from labelhouse import gx_compat
from labelhouse.build import build
from labelhouse.dbt import run_dbt
from labelhouse.errors import LabelhouseError, PreflightError
from labelhouse.gates import (
    EXPECTATIONS_DIR,
    Outcome,
    RawGateFailed,
    load_suites,
    reject_reasons,
    resolve,
    run_gate,
)
from labelhouse.paths import PROJECT_ROOT

QUIET: Callable[[str], None] = lambda message: None  # noqa: E731


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def consolidate(raw: Path, entity: str) -> Path:
    """Rewrite every file of one entity as a single CSV (all text), so faults are SQL edits."""
    files = sorted(p for p in raw.iterdir() if p.name.startswith(entity) and not p.name.endswith(".json"))
    con = duckdb.connect()
    selects = []
    for f in files:
        if f.name.endswith(".parquet"):
            selects.append(f"select * from read_parquet({_sql_path(f)})")
        elif f.name.endswith(".jsonl"):
            selects.append(f"select * from read_json({_sql_path(f)}, format = 'newline_delimited')")
        else:
            selects.append(f"select * from read_csv({_sql_path(f)}, header = true, all_varchar = true)")
    columns = None
    for s in selects:
        cols = [r[0] for r in con.sql(f"describe {s}").fetchall()]
        columns = cols if columns is None else [c for c in columns if c in cols]
    assert columns
    union = " union all ".join(
        f"select {', '.join(f'cast({c} as varchar) as {c}' for c in columns)} from ({s})" for s in selects
    )
    out = raw / f"{entity}.csv"
    con.execute(f"create table t as {union}")
    for f in files:
        f.unlink()
    con.execute(f"copy t to {_sql_path(out)} (header, delimiter ',')")
    con.close()
    return out


def rewrite(path: Path, select: str) -> None:
    """Replace a CSV by `select` over it (table `t`, with row number `rn` available)."""
    con = duckdb.connect()
    con.execute(f"create table t0 as select * from read_csv({_sql_path(path)}, header = true, all_varchar = true)")
    con.execute("create table t as select *, row_number() over () as rn from t0")
    con.execute(f"create table out as {select}")
    con.execute(f"copy (select * exclude (rn) from out) to {_sql_path(path)} (header, delimiter ',')")
    con.close()


@pytest.fixture(scope="module")
def base_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated exports with annotations and predictions consolidated into one CSV each."""
    from labelhouse.demo import generate

    raw = tmp_path_factory.mktemp("gates") / "base"
    generate(raw, n_annotations=3000, seed=7)
    consolidate(raw, "annotations")
    consolidate(raw, "predictions")
    return raw


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A stand-in published warehouse: any failed build must leave its bytes alone."""
    warehouse = tmp_path / "wh" / "labelhouse.duckdb"
    warehouse.parent.mkdir()
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts; create table marts.keep as select 42 as answer")
    con.close()
    return warehouse


def faulty(base_raw: Path, tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(base_raw, raw)
    return raw


def assert_fails(raw: Path, warehouse: Path, error: type[LabelhouseError], *needles: str) -> str:
    before = sha256(warehouse)
    with pytest.raises(error) as info:
        build(raw, warehouse, full_refresh=True, progress=QUIET)
    message = str(info.value)
    for needle in needles:
        assert needle in message, f"{needle!r} not in:\n{message}"
    assert sha256(warehouse) == before, "a failed build changed the published warehouse"
    runs = sorted((warehouse.parent / "runs").iterdir())
    record = json.loads((runs[-1] / "run.json").read_text())
    assert record["status"] == "failed" and record["exit_code"] == info.value.exit_code
    assert (runs[-1] / "gate_summary.html").exists()
    assert not list(warehouse.parent.glob("runs/*/candidate.duckdb")), "a failed candidate was left behind"
    return message


# --------------------------------------------------------------------------------------------
# Structural faults: the preflight stops the build (exit 2) before dbt runs
# --------------------------------------------------------------------------------------------


def test_missing_required_column(base_raw: Path, tmp_path: Path, published: Path) -> None:
    raw = faulty(base_raw, tmp_path)
    rewrite(raw / "annotations.csv", "select * exclude (label) from t")
    assert_fails(raw, published, PreflightError, "annotations.csv", "no required column 'label'")


def test_garbage_file(base_raw: Path, tmp_path: Path, published: Path) -> None:
    raw = faulty(base_raw, tmp_path)
    (raw / "annotations_extra.parquet").write_bytes(bytes(range(256)) * 40)
    assert_fails(raw, published, PreflightError, "annotations_extra.parquet", "not Parquet")


def test_empty_export(base_raw: Path, tmp_path: Path, published: Path) -> None:
    raw = faulty(base_raw, tmp_path)
    rewrite(raw / "annotations.csv", "select * from t where false")
    assert_fails(raw, published, PreflightError, "annotations export is empty", "annotations.csv")


def test_non_utf8_bytes(base_raw: Path, tmp_path: Path, published: Path) -> None:
    raw = faulty(base_raw, tmp_path)
    path = raw / "annotations.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[50] = lines[50].replace(b",en,", b",\xff\xfeen,", 1) if b",en," in lines[50] else lines[50][:-1] + b"\xff\n"
    path.write_bytes(b"".join(lines))
    assert_fails(raw, published, PreflightError, "annotations.csv", "not valid UTF-8")


def test_truncated_parquet(base_raw: Path, tmp_path: Path, published: Path) -> None:
    raw = faulty(base_raw, tmp_path)
    items = raw / "items.parquet"
    items.write_bytes(items.read_bytes()[: items.stat().st_size // 2])
    assert_fails(raw, published, PreflightError, "items.parquet", "truncated")


# --------------------------------------------------------------------------------------------
# Row-level faults above the tolerated share: the raw gate fails (exit 4)
# --------------------------------------------------------------------------------------------


def test_null_keys(base_raw: Path, tmp_path: Path, published: Path) -> None:
    raw = faulty(base_raw, tmp_path)
    rewrite(
        raw / "annotations.csv", "select * replace (case when rn % 20 = 0 then null else item_id end as item_id) from t"
    )
    message = assert_fails(raw, published, RawGateFailed, "raw gate FAILED", "null or blank item_id", "annotations.csv")
    assert "null or blank annotation_id" not in message  # only the broken key is blamed


def test_thirty_percent_unknown_labels(base_raw: Path, tmp_path: Path, published: Path) -> None:
    raw = faulty(base_raw, tmp_path)
    rewrite(
        raw / "annotations.csv", "select * replace (case when rn % 10 < 3 then 'lolcat' else label end as label) from t"
    )
    message = assert_fails(raw, published, RawGateFailed, "label not in the taxonomy", "annotations.csv")
    observed = float(message.split("label not in the taxonomy: observed ")[1].split("%")[0])
    assert 29 < observed < 31


def test_submitted_before_started(base_raw: Path, tmp_path: Path, published: Path) -> None:
    raw = faulty(base_raw, tmp_path)
    rewrite(
        raw / "annotations.csv",
        "select * replace ("
        "  case when rn % 5 = 0 and started_at is not null then started_at else submitted_at end as submitted_at,"
        "  case when rn % 5 = 0 and started_at is not null then submitted_at else started_at end as started_at"
        ") from t",
    )
    assert_fails(raw, published, RawGateFailed, "submitted_at before started_at", "annotations.csv")


def test_duplicate_flood(base_raw: Path, tmp_path: Path, published: Path) -> None:
    raw = faulty(base_raw, tmp_path)
    rewrite(raw / "annotations.csv", "select * from t union all select * from t where rn % 4 = 0 order by rn")
    assert_fails(raw, published, RawGateFailed, "annotation_id and exported_at repeated", "annotations.csv")


def test_scores_outside_unit_interval(base_raw: Path, tmp_path: Path, published: Path) -> None:
    raw = faulty(base_raw, tmp_path)
    rewrite(
        raw / "predictions.csv", "select * replace (case when rn % 10 = 0 then '1.7' else score end as score) from t"
    )
    assert_fails(raw, published, RawGateFailed, "score outside [0, 1]", "predictions.csv")


# --------------------------------------------------------------------------------------------
# The raw gate's threshold on a landed warehouse: tolerated below the share, failed above,
# and the share is the suite parameter (not a constant in Python)
# --------------------------------------------------------------------------------------------


def test_row_level_share_is_tolerated_and_parameterised(base_raw: Path, tmp_path: Path) -> None:
    raw = faulty(base_raw, tmp_path)
    # 20 unknown labels in ~3,000 rows (~0.7%): above the 10 tolerated rows, below the 1% share
    rewrite(
        raw / "annotations.csv",
        "select * replace (case when rn % 150 = 0 then 'lolcat' else label end as label) from t",
    )
    landed = tmp_path / "landed.duckdb"
    result = run_dbt(["build", "--select", "+staging"], warehouse=landed, raw_dir=raw)
    assert result.success, result.error
    con = duckdb.connect(str(landed), read_only=True)
    n_unknown, n_rows = con.execute(
        "select count(*) filter (where reject_reason = 'unknown label'), count(*) from staging.base_raw__annotations"
    ).fetchone()  # type: ignore[misc]
    n_rejected = con.execute(
        "select count(*) from staging.rejected_rows where reject_reason = 'unknown label' and entity = 'annotations'"
    ).fetchone()[0]  # type: ignore[index]
    con.close()
    assert 10 < n_unknown < 0.01 * n_rows and n_rejected == n_unknown

    report = run_gate("raw", landed)
    assert report.passed, report.failure_message()
    outcome = next(o for o in report.outcomes if o.problem == "label not in the taxonomy")
    assert outcome.unexpected_count == n_unknown and outcome.status == "passed"

    strict = run_gate("raw", landed, params={"row_level_mostly": 0.999, "tolerated_bad_rows": 0})
    assert not strict.passed
    failed = {o.problem for o in strict.failures}
    assert "label not in the taxonomy" in failed
    outcome = next(o for o in strict.failures if o.problem == "label not in the taxonomy")
    assert outcome.unexpected_count == n_unknown
    assert any("annotations.csv" in f for f in outcome.source_files)


# --------------------------------------------------------------------------------------------
# The mart suites on hand-made warehouses (no dbt): ranges, emptiness, privacy
# --------------------------------------------------------------------------------------------


def make_marts(path: Path, statements: list[str]) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    for s in statements:
        con.execute(s)
    con.close()
    return path


CLEAN = [
    "create table marts.fct_agreement as select 'p1' as project_id, 0.61 as fleiss_kappa, -0.2 as krippendorff_alpha,"
    " 0.7 as gwet_ac1, 0.9 as percent_agreement, -1.4 as fleiss_kappa_ci_low, 10 as n_items",
    "create table marts.fct_model_eval as select 'm' as model_name, 0.8 as precision, 1.0 as recall,"
    " 0.5 as roc_auc, -0.3 as delta_f1, 3.5 as completion_rate_per_day",
    "create table marts.dim_label as select 'hate' as label",
]


def test_clean_marts_pass(tmp_path: Path) -> None:
    report = run_gate("mart", make_marts(tmp_path / "w.duckdb", CLEAN))
    assert report.passed, report.failure_message()
    checked = {o.column for o in report.outcomes if o.status == "passed"}
    # coefficient and rate rules found their columns by name; CI bounds and per-day rates are not ranged
    assert {
        "fleiss_kappa",
        "krippendorff_alpha",
        "gwet_ac1",
        "percent_agreement",
        "precision",
        "recall",
        "roc_auc",
        "delta_f1",
    } <= checked
    assert "fleiss_kappa_ci_low" not in checked and "completion_rate_per_day" not in checked
    # marts and suites that are not there are skipped with a note, not failed
    assert any(o.status == "skipped" and "does not exist" in (o.note or "") for o in report.outcomes)


@pytest.mark.parametrize(
    ("statement", "needle"),
    [
        ("create table marts.fct_annotator_pair_agreement as select 1.5 as cohen_kappa", "cohen_kappa outside [-1, 1]"),
        ("create table marts.fct_model_curve as select -0.01 as precision", "precision outside [0, 1]"),
        ("create table marts.fct_moderation_appeals as select 1.2 as overturn_rate", "overturn_rate outside [0, 1]"),
        ("create table marts.fct_model_calibration as select 'nan'::double as mean_score", "mean_score outside [0, 1]"),
        (
            "create table marts.fct_item_consensus as select 'i1' as item_id, 0.5 as consensus_share, 'guess' as "
            "truth_source",
            "truth_source not gold or consensus",
        ),
        (
            "create table marts.fct_annotator_quality as select 'jane.doe@example.org' as annotator_id",
            "e-mail-like string",
        ),
        ("create table marts.dim_item as select repeat('lorem ipsum ', 30) as item_summary", "raw content text"),
        ("create table marts.dim_item as select 'x' as text", "a column named like raw content text"),
        ("create table marts.fct_label_agreement as select 0.5 as label_share where false", "the mart is empty"),
        (
            "create table marts.fct_model_confusion as select 'm' as model_name, -1 as n_items",
            "n_items is a negative count",
        ),
    ],
)
def test_mart_fault_fails(tmp_path: Path, statement: str, needle: str) -> None:
    report = run_gate("mart", make_marts(tmp_path / "w.duckdb", [*CLEAN, statement]))
    assert not report.passed
    message = report.failure_message()
    assert needle in message, message
    assert len(report.failures) == 1, message


def test_privacy_covers_the_staging_and_intermediate_tables_the_reports_read(tmp_path: Path) -> None:
    leak = "create table intermediate.int_annotations as select 'jane.doe@example.org' as annotator_id"
    report = run_gate("mart", make_marts(tmp_path / "leak.duckdb", [*CLEAN, "create schema intermediate", leak]))
    assert [o.asset for o in report.failures] == ["int_annotations"], report.failure_message()
    assert "e-mail-like string" in report.failure_message()
    # raw_record (the raw row, kept for diagnosis) is not scanned: no report page selects it
    diagnosis = (
        "create table staging.rejected_rows as select 'annotations' as entity, 'unknown label' as "
        'reject_reason, repeat(\'{"annotator_id": "jane.doe@example.org"} \', 9) as raw_record'
    )
    report = run_gate("mart", make_marts(tmp_path / "ok.duckdb", [*CLEAN, "create schema staging", diagnosis]))
    assert not any(o.asset == "rejected_rows" and "e-mail" in o.problem for o in report.failures), (
        report.failure_message()
    )
    # the same value in a column a page does show is caught
    shown = diagnosis.replace("'unknown label' as reject_reason", "'jane.doe@example.org' as reject_reason")
    report = run_gate("mart", make_marts(tmp_path / "shown.duckdb", [*CLEAN, "create schema staging", shown]))
    assert any(o.asset == "rejected_rows" and "e-mail" in o.problem for o in report.failures), report.failure_message()


def test_reconciliation_and_rejected_share(tmp_path: Path) -> None:
    # the gate reads the counts from the model raw_row_reconciliation (its SQL is tested by the dbt
    # test assert_raw_rows_reconcile and test_csv_messages); here, the gate's verdicts on them
    statements = [
        "create schema staging",
        "create table staging.raw_row_reconciliation as select *, n_staged + n_superseded + n_rejected as n_accounted,"
        " n_rejected / n_raw as rejected_share from (values ('annotations', 1000, 900, 20, 80),"
        " ('items', 100, 99, 0, 0)) v(entity, n_raw, n_staged, n_superseded, n_rejected)",
    ]
    report = run_gate("mart", make_marts(tmp_path / "w.duckdb", statements))
    problems = {o.problem: o for o in report.failures}
    # annotations: 900 + 20 + 80 = 1000 reconciles but 8% rejected > 5%; items: 99 + 0 + 0 != 100
    assert set(problems) == {
        "raw rows != staged + superseded + rejected",
        "rejected-row share above max_rejected_share",
    }
    assert "entity=items" in (problems["raw rows != staged + superseded + rejected"].note or "")
    assert "entity=annotations" in (problems["rejected-row share above max_rejected_share"].note or "")
    relaxed = run_gate("mart", tmp_path / "w.duckdb", params={"max_rejected_share": 0.1})
    assert {o.problem for o in relaxed.failures} == {"raw rows != staged + superseded + rejected"}


# --------------------------------------------------------------------------------------------
# Suites and the shim
# --------------------------------------------------------------------------------------------


def test_suite_parameter_reads_a_dbt_var(tmp_path: Path) -> None:
    """{"$DBT_VAR": name} takes the value from dbt_project.yml (one home for a threshold a gate and
    a model share); an unknown var is a clear error naming the file and parameter."""
    import yaml

    project_vars = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())["vars"]
    (annotations,) = [s for s in load_suites("raw") if s.name == "raw_annotations"]
    assert annotations.parameters["freshness_max_age_days"] == project_vars["freshness_max_age_days"]
    suite = {"name": "x", "gate": "raw", "parameters": {"age": {"$DBT_VAR": "no_such_var"}}, "assets": []}
    (tmp_path / "x.json").write_text(json.dumps(suite))
    with pytest.raises(LabelhouseError, match=r"x\.json: parameter 'age' reads dbt var 'no_such_var'"):
        load_suites("raw", tmp_path)


def test_suites_are_valid_gx() -> None:
    gx = gx_compat.install()
    names = set()
    for gate in ("raw", "mart"):
        for suite in load_suites(gate):
            assert suite.name not in names
            names.add(suite.name)
            params = {
                **suite.parameters,
                "taxonomy": ["a"],
                "freshness_min_timestamp": "2026-01-01",
                "text_predicate": "false",
                "table": "t",
            }
            for asset in suite.assets:
                expectations = resolve(asset.get("expectations", []), params)
                gx.ExpectationSuite(name=f"{suite.name}.check", expectations=expectations)
    raw_entities = {s.name.removeprefix("raw_") for s in load_suites("raw")}
    from labelhouse.contract import load_contract

    assert raw_entities == set(load_contract()), "one raw suite per entity of the raw contract"
    assert (EXPECTATIONS_DIR / "raw_annotations.json").exists()


def test_reject_reasons_have_one_home(tmp_path: Path) -> None:
    """The base_raw__ models write every reason through reject_reason(key), the suites name the keys,
    and both are the keys of var('reject_reasons'): no reason text is written anywhere else."""
    import re

    known = reject_reasons()
    base = PROJECT_ROOT / "models" / "staging" / "raw" / "base"
    # reject_if_unknown_reference writes the keys its rules (macro reference_checks) name
    checks = (PROJECT_ROOT / "macros" / "raw" / "reject_checks.sql").read_text()
    rules = checks[checks.index("{% macro reference_checks(") :]
    rules = rules[: rules.index("endmacro")]
    reference_keys = set(re.findall(r"'([a-z0-9_]+)'\s*\]", rules))
    assert len(reference_keys) == 3, "the reference rules name their reasons"
    written = set()
    for model in base.glob("base_raw__*.sql"):
        sql = model.read_text()
        # reject_reason(key) and duplicate_reject_reason(key) write the key itself
        written |= set(re.findall(r"reject_reason\('([a-z0-9_]+)'\)", sql))
        # the column macros write <prefix><column> for each column they are given
        column_macros = (
            ("reject_if_blank", ("null_or_blank_",)),
            ("reject_if_unparsable", ("unparsable_",)),
            ("reject_if_missing_or_unparsable", ("null_", "unparsable_")),
        )
        for macro, prefixes in column_macros:
            for columns in re.findall(r"\b" + macro + r"\(\[([^\]]*)\]", sql):
                written |= {p + c for p in prefixes for c in re.findall(r"'([a-z0-9_]+)'", columns)}
        if "reject_if_unknown_reference(" in sql:
            written |= reference_keys
        for text in known.values():
            assert f"'{text}'" not in sql.replace("''", "'"), f"{model.name} restates the reject reason {text!r}"
    assert written == set(known), "every reason is written by a model, every key used is defined"
    named = {
        key
        for gate in ("raw", "mart")
        for suite in load_suites(gate)
        for asset in suite.assets
        for e in asset.get("expectations", [])
        for key in (e.get("meta") or {}).get("reject_reasons", [])
    }
    assert named <= set(known)
    bad = json.loads((EXPECTATIONS_DIR / "raw_labels.json").read_text())
    bad["assets"][0]["expectations"][1]["meta"]["reject_reasons"] = ["null or blank label"]
    (tmp_path / "raw_labels.json").write_text(json.dumps(bad))
    with pytest.raises(LabelhouseError, match="not a key of var"):
        load_suites("raw", tmp_path)


def _reason_sets(suites: list) -> list[tuple[str, list[str], list[str]]]:
    """(suite, keys, value_set) of every expectation that checks rows against reject reasons."""
    return [
        (suite.name, e["meta"]["reject_reasons"], e["kwargs"]["value_set"])
        for suite in suites
        for asset in suite.assets
        for e in asset.get("expectations", [])
        if (e.get("meta") or {}).get("reject_reasons")
        and "value_set" in e.get("kwargs", {})
        and e["kwargs"].get("column") == "row_status"
    ]


def test_suites_check_the_reason_texts_of_the_one_home(tmp_path: Path) -> None:
    """The raw suites name reason keys only: each `"value_set": "$REJECT_REASONS"` is built from
    var('reject_reasons') when the suites load, so renaming a reason's text there renames what the
    gate checks (a literal list of texts in a suite would keep the old text and fail here)."""
    known = reject_reasons()
    markers = sum(path.read_text().count('"$REJECT_REASONS"') for path in EXPECTATIONS_DIR.glob("raw_*.json"))
    assert markers >= 19, "every raw suite's reject reason check states keys, not texts"
    renamed = {key: f"renamed {key}" for key in known}
    checked = _reason_sets(load_suites("raw", reasons=renamed))
    assert len(checked) == markers
    for suite, keys, value_set in checked:
        assert value_set == [renamed[k] for k in keys], suite
    resolved = json.dumps([s.assets for s in load_suites("raw", reasons=renamed)])
    for text in known.values():
        assert json.dumps(text) not in json.dumps(checked), f"a suite checks the literal reason text {text!r}"
    assert "$REJECT_REASONS" not in resolved
    # with the project's own texts, the same expectations check exactly those texts
    for suite, keys, value_set in _reason_sets(load_suites("raw")):
        assert value_set == [known[k] for k in keys], suite

    def write(edit: Callable[[dict], None]) -> None:
        spec = json.loads((EXPECTATIONS_DIR / "raw_vendor_rates.json").read_text())
        (check,) = [e for e in spec["assets"][0]["expectations"] if e["meta"]["reject_reasons"] == ["unknown_vendor"]]
        edit(check)
        (tmp_path / "raw_vendor_rates.json").write_text(json.dumps(spec))

    write(lambda e: e["kwargs"].update(value_set=[known["unknown_vendor"]]))
    with pytest.raises(LabelhouseError, match=r"raw_vendor_rates\.json: .*value_set lists reject reason text"):
        load_suites("raw", tmp_path)
    write(lambda e: e["kwargs"].update(value_set=["unknown vendor (old text)"]))
    with pytest.raises(LabelhouseError, match=r"raw_vendor_rates\.json: .*write \"value_set\": \"\$REJECT_REASONS\""):
        load_suites("raw", tmp_path)
    write(lambda e: e["meta"].update(reject_reasons=["no_such_reason"]))
    with pytest.raises(LabelhouseError, match=r"raw_vendor_rates\.json: reject reason 'no_such_reason' is not a key"):
        load_suites("raw", tmp_path)
    write(lambda e: e["meta"].pop("reject_reasons"))
    with pytest.raises(LabelhouseError, match=r"raw_vendor_rates\.json: .*meta\.reject_reasons names no key"):
        load_suites("raw", tmp_path)


def test_renamed_reason_text_changes_what_the_raw_gate_fails_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows rejected with a renamed reason's text: the gate reading the renamed texts fails on them
    (and names their file); the gate reading the project's texts does not see them."""
    from labelhouse import gates

    known = reject_reasons()
    renamed = {key: f"{text} (renamed)" for key, text in known.items()}
    warehouse = tmp_path / "raw.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema staging")
    con.execute(
        "create table staging.base_raw__vendor_rates as "
        "select 'vendor_rates.csv' as source_file, range + 1 as source_row_number, 'Acme' as vendor, "
        "'USD' as currency, case when range < 5 then ? end as reject_reason from range(20)",
        [renamed["unknown_vendor"]],
    )
    con.close()

    def vendor_check(reasons: dict[str, str]) -> Outcome:
        monkeypatch.setattr(gates, "reject_reasons", lambda project_dir=None: reasons)
        report = run_gate("raw", warehouse, params={"tolerated_bad_rows": 0})
        (outcome,) = [o for o in report.outcomes if o.problem == "vendor named by no annotator"]
        return outcome

    failed = vendor_check(renamed)
    assert failed.status == "failed" and failed.unexpected_count == 5, failed
    assert failed.source_files == ["vendor_rates.csv (5 rows)"]
    assert vendor_check(known).status == "passed"


def test_shim_pushes_expectations_down(tmp_path: Path) -> None:
    """Without the shim every metric fails with 'list index out of range' (GX #10738)."""
    path = tmp_path / "t.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "create table t as select range as x, case when range % 10 = 0 then null else 'a' end as y from range(1000)"
    )
    con.close()
    gx = gx_compat.install()
    assert gx.__version__ == gx_compat.PINNED_GX_VERSION
    context = gx_compat.new_context()
    datasource = context.data_sources.add_sql(name="t", connection_string=gx_compat.connection_string(path))
    try:
        batch = (
            datasource.add_query_asset("t", query="select * from t").add_batch_definition_whole_table("b").get_batch()
        )
        suite = gx.ExpectationSuite(
            name="s",
            expectations=[
                {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "y", "mostly": 0.95}},
                {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1000, "max_value": 1000}},
            ],
        )
        result = batch.validate(suite).to_json_dict()
    finally:
        gx_compat.release(datasource)
    first, second = result["results"]
    assert first["result"]["unexpected_count"] == 100 and not first["success"]
    assert second["result"]["observed_value"] == 1000 and second["success"]
    # released: the file can be opened for writing again in this process
    duckdb.connect(str(path)).close()
