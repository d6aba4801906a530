"""`labelhouse diff`: what a change does to the numbers.

Two warehouses built from the same raw exports (the base branch's and a pull request's) are
compared mart by mart, in DuckDB SQL, both files attached read-only to one in-memory
connection (memory_limit 1GB, spilling to a temporary folder), so large warehouses diff in
bounded memory:

- schema: marts and columns added or removed, columns whose type changed;
- rows: per mart, rows only in base, only in head and changed. Rows are paired on the mart's
  documented grain: the `unique` entries of its `column_checks` test (or a `unique_combination`
  test, or a `unique` column test), in the models' yml files (read with PyYAML, no dbt
  invocation). A mart without a grain test is compared as a multiset of whole rows (rows only
  in base / only in head), and the report says so;
- values: per column, rows that moved beyond the tolerance and the largest moves. Floating
  point columns move when |head - base| > tolerance * max(1, min(|base|, |head|)) (absolute
  up to 1, relative above); every other column moves when it is distinct. NULL to a value (or
  back) is always a move.

The headline figures (agreement per project, gold accuracy per annotator, ROC-AUC and F1 per
model version and label, backlog and forecast per project) come first, then the others.
Output is deterministic. Inputs that cannot be compared raise DiffInputError (exit 2): a
missing file, a file that is not a labelhouse warehouse, warehouses built from different raw
exports (the raw file checksums in audit.build_runs of each file's latest published run).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import json
import math
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb
import yaml

from labelhouse.errors import LabelhouseError
from labelhouse.paths import PROJECT_ROOT

MART_SCHEMA = "marts"
AUDIT_RUNS = "audit.build_runs"
MEMORY_LIMIT = "1GB"
DEFAULT_TOLERANCE = 1e-9
TOP_MOVES = 5
EXAMPLES = 3
MARKDOWN_MAX_LINES = 60
MARKDOWN_MOVES_PER_COLUMN = 3
MARKDOWN_MAX_MARTS = 12
MARKDOWN_MAX_NOTES = 5

INTEGER_TYPES = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
)
FLOAT_TYPES = frozenset({"DOUBLE", "FLOAT", "REAL"})


class DiffInputError(LabelhouseError):
    """The two warehouses cannot be compared (missing file, not a warehouse, different exports)."""

    exit_code = 2


class DiffFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    text = "text"


@dataclass(frozen=True)
class Headline:
    """A figure people read first: `mart.column`, counted per `entity` (e.g. per project)."""

    mart: str
    column: str
    entity: tuple[str, ...]
    noun: str


HEADLINES: tuple[Headline, ...] = (
    Headline("fct_agreement", "krippendorff_alpha", ("project_id",), "project"),
    Headline("fct_agreement", "fleiss_kappa", ("project_id",), "project"),
    Headline("fct_annotator_quality", "gold_accuracy", ("annotator_id",), "annotator"),
    Headline("fct_model_eval", "roc_auc", ("model_version", "label"), "model version x label"),
    Headline("fct_model_eval", "f1", ("model_version", "label"), "model version x label"),
    Headline("fct_project_daily", "open_backlog", ("project_id",), "project"),
    Headline("fct_project_daily", "forecast_completion_date", ("project_id",), "project"),
)
_HEADLINE_RANK = {(h.mart, h.column): i for i, h in enumerate(HEADLINES)}


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass
class Move:
    key: list[Any]
    base: Any
    head: Any
    delta: float | None


@dataclass
class ColumnDiff:
    column: str
    kind: str  # float | integer | date | timestamp | other
    n_moved: int
    n_null_changes: int
    max_abs_delta: float | None
    n_entities: int | None = None
    entity_noun: str | None = None
    moves: list[Move] = field(default_factory=list)


@dataclass
class MartDiff:
    mart: str
    status: str  # same | changed | added | removed
    grain: list[str]
    compared_as: str  # grain | rows | none
    note: str | None = None
    rows_base: int | None = None
    rows_head: int | None = None
    only_base: int = 0
    only_head: int = 0
    changed_rows: int = 0
    columns_added: list[list[str]] = field(default_factory=list)  # [name, type]
    columns_removed: list[list[str]] = field(default_factory=list)  # [name, type]
    types_changed: list[list[str]] = field(default_factory=list)  # [name, base type, head type]
    columns: list[ColumnDiff] = field(default_factory=list)
    examples_only_base: list[list[Any]] = field(default_factory=list)
    examples_only_head: list[list[Any]] = field(default_factory=list)

    @property
    def schema_changed(self) -> bool:
        return bool(self.columns_added or self.columns_removed or self.types_changed)

    @property
    def rows_changed(self) -> bool:
        return bool(self.only_base or self.only_head or self.changed_rows)


@dataclass
class WarehouseInfo:
    file: str
    run_id: str | None
    git_commit: str | None
    raw_files: dict[str, str]  # "entity/file" -> sha256


@dataclass
class DiffResult:
    base: WarehouseInfo
    head: WarehouseInfo
    tolerance: float
    exports: str  # same | different | unknown
    export_differences: list[str]
    marts: list[MartDiff]

    @property
    def changed_marts(self) -> list[MartDiff]:
        return [m for m in self.marts if m.status != "same"]

    @property
    def changed(self) -> bool:
        return bool(self.changed_marts)

    def moved_columns(self) -> list[tuple[MartDiff, ColumnDiff]]:
        """Every moved column, headline figures first (in HEADLINES order), then by rows moved."""
        pairs = [(m, c) for m in self.marts for c in m.columns if c.n_moved]
        return sorted(
            pairs,
            key=lambda p: (
                _HEADLINE_RANK.get((p[0].mart, p[1].column), len(HEADLINES)),
                -p[1].n_moved,
                p[0].mart,
                p[1].column,
            ),
        )

    def verdict(self) -> str:
        return _verdict(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict(),
            "changed": self.changed,
            **_jsonable(asdict(self)),
        }


# --------------------------------------------------------------------------------------------
# Grain: from the data tests in the models' yml files
# --------------------------------------------------------------------------------------------


def _test_name_and_args(test: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(test, str):
        return test, {}
    if isinstance(test, dict) and len(test) == 1:
        name, body = next(iter(test.items()))
        body = body if isinstance(body, dict) else {}
        args = body.get("arguments", body)
        return str(name), args if isinstance(args, dict) else {}
    return "", {}


def grain_from_model(model: dict[str, Any]) -> list[str] | None:
    """The narrowest grain a model's tests declare: the `unique` entries of its column_checks test
    (a column, a list of columns or {columns: ...}), a `unique` column test, or a unique
    combination test."""
    candidates: list[list[str]] = []
    for column in model.get("columns") or []:
        for test in column.get("data_tests") or column.get("tests") or []:
            if _test_name_and_args(test)[0].split(".")[-1] == "unique":
                candidates.append([str(column["name"])])
    for test in model.get("data_tests") or model.get("tests") or []:
        name, args = _test_name_and_args(test)
        columns = args.get("columns") or args.get("combination_of_columns")
        if name.split(".")[-1] in ("unique_combination", "unique_combination_of_columns") and columns:
            candidates.append([str(c) for c in columns])
        if name.split(".")[-1] == "column_checks":
            for entry in args.get("unique") or []:
                key = entry.get("columns") if isinstance(entry, dict) else entry
                if key:
                    candidates.append([str(key)] if isinstance(key, str) else [str(c) for c in key])
    return min(candidates, key=len) if candidates else None


def load_grains(project_dir: Path = PROJECT_ROOT) -> dict[str, list[str]]:
    """mart -> grain columns, from every yml file under models/marts of the dbt project."""
    grains: dict[str, list[str]] = {}
    for path in sorted((project_dir / "models" / MART_SCHEMA).rglob("*.yml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise DiffInputError(f"Cannot read the model properties in {path}: {exc}") from None
        for model in doc.get("models") or []:
            grain = grain_from_model(model) if isinstance(model, dict) else None
            if grain:
                grains[str(model["name"])] = grain
    return grains


# --------------------------------------------------------------------------------------------
# Connection and inputs
# --------------------------------------------------------------------------------------------


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextlib.contextmanager
def _attached(base: Path, head: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One in-memory connection with base and head attached read-only as `lh_base` and `lh_head`."""
    spill = Path(tempfile.mkdtemp(prefix="lh-diff-"))
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"set memory_limit = {_lit(MEMORY_LIMIT)}")
        con.execute(f"set temp_directory = {_lit(str(spill))}")
        con.execute("set preserve_insertion_order = false")
        for alias, path in (("lh_base", base), ("lh_head", head)):
            try:
                con.execute(f"attach {_lit(str(path))} as {alias} (read_only)")
            except duckdb.Error as exc:
                raise DiffInputError(f"{path} is not a DuckDB warehouse labelhouse can open: {exc}") from None
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _check_paths(base: Path, head: Path) -> None:
    for role, path in (("base", base), ("head", head)):
        if not path.is_file():
            raise DiffInputError(f"The {role} warehouse {path} does not exist (build it with `labelhouse build`).")
    if base.resolve() == head.resolve():
        raise DiffInputError(f"Base and head are the same file ({base}); pass two warehouses.")


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> dict[str, list[tuple[str, str]]]:
    """Marts of one attached warehouse (tables and views): name -> [(column, type)] in column order."""
    rows = con.execute(
        "select c.table_name, c.column_name, c.data_type from information_schema.columns c "
        "join information_schema.tables t using (table_catalog, table_schema, table_name) "
        "where c.table_catalog = ? and c.table_schema = ? and t.table_type in ('BASE TABLE', 'VIEW') "
        "order by c.table_name, c.ordinal_position",
        [db, MART_SCHEMA],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(str(table), []).append((str(column), str(data_type)))
    return tables


def _has_table(con: duckdb.DuckDBPyConnection, db: str, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_catalog = ? and table_schema = ? "
            "and table_name = ?",
            [db, schema, table],
        ).fetchone()[0]
    )  # type: ignore[index]


def _warehouse_info(con: duckdb.DuckDBPyConnection, db: str, path: Path) -> WarehouseInfo:
    """The file's latest published build run (None fields when it has no audit history)."""
    info = WarehouseInfo(path.name, None, None, {})
    if not _has_table(con, db, "audit", "build_runs"):
        return info
    row = con.execute(
        f"select run_id, git_commit, raw_files from {db}.{AUDIT_RUNS} where status = 'published' "
        "order by finished_at desc nulls last, started_at desc, run_id desc limit 1"
    ).fetchone()
    if row is None:
        return info
    info.run_id, info.git_commit = row[0], row[1]
    for f in json.loads(row[2] or "[]"):
        info.raw_files[f"{f['entity']}/{f['file']}"] = str(f["sha256"])
    return info


def _export_differences(base: WarehouseInfo, head: WarehouseInfo) -> list[str]:
    differences = []
    for name in sorted(set(base.raw_files) | set(head.raw_files)):
        b, h = base.raw_files.get(name), head.raw_files.get(name)
        if b != h:
            what = "only in base" if h is None else "only in head" if b is None else "checksums differ"
            differences.append(f"{name} ({what})")
    return differences


def _check_exports(base: WarehouseInfo, head: WarehouseInfo, allow: bool) -> tuple[str, list[str]]:
    if not base.raw_files or not head.raw_files:
        return "unknown", []
    differences = _export_differences(base, head)
    if differences and not allow:
        shown = ", ".join(differences[:8]) + (f" and {len(differences) - 8} more" if len(differences) > 8 else "")
        raise DiffInputError(
            f"The warehouses were built from different raw exports: {shown}. Build both from the same "
            "exports, or pass --allow-different-exports to compare them anyway."
        )
    return ("different" if differences else "same"), differences


# --------------------------------------------------------------------------------------------
# Comparing one mart
# --------------------------------------------------------------------------------------------


def _kind(data_type: str) -> str:
    t = data_type.upper()
    if t in FLOAT_TYPES or t.startswith("DECIMAL") or t.startswith("NUMERIC"):
        return "float"
    if t in INTEGER_TYPES:
        return "integer"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    return "other"


def _pair_kind(base_type: str, head_type: str) -> str:
    kb, kh = _kind(base_type), _kind(head_type)
    if kb == kh:
        return kb
    return "float" if {kb, kh} <= {"float", "integer"} else "other"


@dataclass(frozen=True)
class _ColumnSql:
    """SQL over the join `b full join h`: changed (boolean), delta (number or NULL), values."""

    name: str
    kind: str
    base: str
    head: str
    changed: str
    delta: str


def _column_sql(name: str, kind: str, same_type: bool, tol: float) -> _ColumnSql:
    b, h = f"b.{_q(name)}", f"h.{_q(name)}"
    if kind == "float":
        bx, hx = f"{b}::double", f"{h}::double"
        scale = f"greatest(1.0, least(abs({bx}), abs({hx})))"
        changed = f"(({bx} is distinct from {hx}) and not coalesce(abs({hx} - {bx}) <= {tol!r} * {scale}, false))"
        return _ColumnSql(name, kind, b, h, changed, f"({hx} - {bx})")
    if not same_type:
        return _ColumnSql(name, kind, b, h, f"({b}::varchar is distinct from {h}::varchar)", "null::double")
    delta = {
        "integer": f"({h}::double - {b}::double)",
        "date": f"date_diff('day', {b}, {h})::double",
        "timestamp": f"(epoch({h}) - epoch({b}))::double",
    }.get(kind, "null::double")
    return _ColumnSql(name, kind, b, h, f"({b} is distinct from {h})", delta)


def _column_sqls(
    base_cols: list[tuple[str, str]], head_cols: list[tuple[str, str]], skip: Sequence[str], tol: float
) -> list[_ColumnSql]:
    head_types = dict(head_cols)
    return [
        _column_sql(name, _pair_kind(t, head_types[name]), t == head_types[name], tol)
        for name, t in base_cols
        if name in head_types and name not in skip
    ]


def _schema_changes(mart: MartDiff, base_cols: list[tuple[str, str]], head_cols: list[tuple[str, str]]) -> None:
    base_types, head_types = dict(base_cols), dict(head_cols)
    mart.columns_added = [[c, t] for c, t in head_cols if c not in base_types]
    mart.columns_removed = [[c, t] for c, t in base_cols if c not in head_types]
    mart.types_changed = [[c, t, head_types[c]] for c, t in base_cols if c in head_types and head_types[c] != t]


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    return int(con.execute(sql, params or []).fetchone()[0])  # type: ignore[index]


def _grain_problem(
    grain: list[str] | None, base_cols: list[tuple[str, str]], head_cols: list[tuple[str, str]]
) -> str | None:
    """Why the mart cannot be paired on its grain (None: it can, unless the grain proves not unique)."""
    if not grain:
        return "no grain test (unique / unique_combination) in the models' yml: compared as whole rows"
    for role, cols in (("base", base_cols), ("head", head_cols)):
        missing = [k for k in grain if k not in dict(cols)]
        if missing:
            return f"grain column {', '.join(missing)} missing in {role}: compared as whole rows"
    return None


def _rows_multiset(
    con: duckdb.DuckDBPyConnection,
    mart: MartDiff,
    base_cols: list[tuple[str, str]],
    head_cols: list[tuple[str, str]],
    tol: float,
) -> None:
    """Rows only in base / only in head, as multisets of the common columns (floats rounded to the tolerance)."""
    digits = max(0, math.ceil(-math.log10(tol))) if tol > 0 else 15
    head_types = dict(head_cols)
    exprs = []
    for name, t in base_cols:
        if name not in head_types:
            continue
        kind = _pair_kind(t, head_types[name])
        if kind == "float":
            exprs.append(f"round({_q(name)}::double, {digits})")
        elif t != head_types[name]:
            exprs.append(f"{_q(name)}::varchar")
        else:
            exprs.append(_q(name))
    select = ", ".join(exprs) or "1"
    rel = f"select {select} from {{db}}.{MART_SCHEMA}.{_q(mart.mart)}"
    b, h = rel.format(db="lh_base"), rel.format(db="lh_head")
    mart.only_base = _count(con, f"select count(*) from ({b} except all {h})")
    mart.only_head = _count(con, f"select count(*) from ({h} except all {b})")


def _join_sql(mart: str, grain: list[str]) -> str:
    on = " and ".join(f"b.{_q(k)} is not distinct from h.{_q(k)}" for k in grain)
    table = f"{MART_SCHEMA}.{_q(mart)}"
    return (
        f"(select *, true as __lh_in from lh_base.{table}) as b "
        f"full join (select *, true as __lh_in from lh_head.{table}) as h on {on}"
    )


def _entity_for(mart: str, column: str, grain: list[str]) -> Headline | None:
    for h in HEADLINES:
        if h.mart == mart and h.column == column and set(h.entity) <= set(grain):
            return h
    return None


def _aggregate_sql(mart: str, grain: list[str], cols: list[_ColumnSql]) -> str:
    both = "b.__lh_in and h.__lh_in"
    parts = [
        "count(*) filter (where h.__lh_in is null)",
        "count(*) filter (where b.__lh_in is null)",
        f"count(*) filter (where {both} and ({' or '.join(c.changed for c in cols) or 'false'}))",
        f"count(*) filter (where {both})",
    ]
    for c in cols:
        moved = f"{both} and {c.changed}"
        nulls = f"{moved} and (({c.base} is null) != ({c.head} is null))"
        headline = _entity_for(mart, c.name, grain)
        entity = (
            f"count(distinct ({', '.join('b.' + _q(e) for e in headline.entity)},)) filter (where {moved})"
            if headline
            else "null"
        )
        parts += [
            f"count(*) filter (where {moved})",
            f"count(*) filter (where {nulls})",
            f"max(abs({c.delta})) filter (where {moved})",
            entity,
        ]
    return f"select {', '.join(parts)} from {_join_sql(mart, grain)}"


def _order_keys(alias: str, grain: list[str]) -> str:
    return ", ".join(f"{alias}.{_q(k)} nulls first" for k in grain)


def _top_moves(con: duckdb.DuckDBPyConnection, mart: str, grain: list[str], c: _ColumnSql, n: int) -> list[Move]:
    """The largest moves of one column: NULL changes first, then by |delta|, ties by the grain."""
    keys = ", ".join(f"b.{_q(k)}" for k in grain)
    rows = con.execute(
        f"select {keys}, {c.base}, {c.head}, {c.delta} as delta from {_join_sql(mart, grain)} "
        f"where b.__lh_in and h.__lh_in and {c.changed} "
        f"order by (delta is null) desc, round(abs(delta), 12) desc nulls last, {_order_keys('b', grain)} "
        f"limit {int(n)}"
    ).fetchall()
    k = len(grain)
    return [Move(list(r[:k]), r[k], r[k + 1], r[k + 2]) for r in rows]


def _examples_only(con: duckdb.DuckDBPyConnection, mart: str, grain: list[str], side: str) -> list[list[Any]]:
    other = "h" if side == "b" else "b"
    keys = ", ".join(f"{side}.{_q(k)}" for k in grain)
    rows = con.execute(
        f"select {keys} from {_join_sql(mart, grain)} where {other}.__lh_in is null "
        f"order by {_order_keys(side, grain)} limit {EXAMPLES}"
    ).fetchall()
    return [list(r) for r in rows]


def _rows_keyed(
    con: duckdb.DuckDBPyConnection,
    mart: MartDiff,
    base_cols: list[tuple[str, str]],
    head_cols: list[tuple[str, str]],
    tol: float,
) -> bool:
    """Pair the rows on the grain; False (nothing recorded) when the grain proves not unique.

    A key duplicated on one side and present on the other pairs a row twice, so the paired and
    unpaired rows no longer add up to each side's row count. (Duplicates without a partner are
    reported, correctly, as rows only on their side.)
    """
    grain = mart.grain
    cols = _column_sqls(base_cols, head_cols, grain, tol)
    row = con.execute(_aggregate_sql(mart.mart, grain, cols)).fetchone()
    assert row is not None
    only_base, only_head, changed_rows, matched = (int(v) for v in row[:4])
    if matched + only_base != mart.rows_base or matched + only_head != mart.rows_head:
        return False
    mart.only_base, mart.only_head, mart.changed_rows = only_base, only_head, changed_rows
    for i, c in enumerate(cols):
        n_moved, n_nulls, max_delta, n_entities = row[4 + 4 * i : 8 + 4 * i]
        if not n_moved:
            continue
        headline = _entity_for(mart.mart, c.name, grain)
        mart.columns.append(
            ColumnDiff(
                c.name,
                c.kind,
                int(n_moved),
                int(n_nulls),
                None if max_delta is None else float(max_delta),
                None if n_entities is None else int(n_entities),
                headline.noun if headline else None,
                _top_moves(con, mart.mart, grain, c, TOP_MOVES),
            )
        )
    mart.columns.sort(key=lambda c: (_HEADLINE_RANK.get((mart.mart, c.column), len(HEADLINES)), -c.n_moved, c.column))
    if mart.only_base:
        mart.examples_only_base = _examples_only(con, mart.mart, grain, "b")
    if mart.only_head:
        mart.examples_only_head = _examples_only(con, mart.mart, grain, "h")
    return True


def _compare_mart(
    con: duckdb.DuckDBPyConnection,
    name: str,
    base_cols: list[tuple[str, str]] | None,
    head_cols: list[tuple[str, str]] | None,
    grain: list[str] | None,
    tol: float,
) -> MartDiff:
    table = f"{MART_SCHEMA}.{_q(name)}"
    if base_cols is None or head_cols is None:
        present = "lh_head" if base_cols is None else "lh_base"
        mart = MartDiff(name, "added" if base_cols is None else "removed", grain or [], "none")
        n = _count(con, f"select count(*) from {present}.{table}")
        mart.rows_base, mart.rows_head = (None, n) if base_cols is None else (n, None)
        return mart
    mart = MartDiff(name, "same", grain or [], "grain")
    _schema_changes(mart, base_cols, head_cols)
    mart.rows_base = _count(con, f"select count(*) from lh_base.{table}")
    mart.rows_head = _count(con, f"select count(*) from lh_head.{table}")
    problem = _grain_problem(grain, base_cols, head_cols)
    if problem is None and not _rows_keyed(con, mart, base_cols, head_cols, tol):
        problem = f"the grain ({', '.join(mart.grain)}) is not unique: compared as whole rows"
    if problem:
        mart.compared_as, mart.note = "rows", problem
        _rows_multiset(con, mart, base_cols, head_cols, tol)
    if mart.schema_changed or mart.rows_changed:
        mart.status = "changed"
    return mart


def diff_warehouses(
    base: Path,
    head: Path,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    project_dir: Path = PROJECT_ROOT,
    allow_different_exports: bool = False,
) -> DiffResult:
    """Compare the marts of two warehouses; raise DiffInputError when they cannot be compared."""
    if not (tolerance >= 0 and math.isfinite(tolerance)):
        raise DiffInputError(f"--tolerance must be a finite number >= 0, not {tolerance}.")
    base, head = Path(base), Path(head)
    _check_paths(base, head)
    grains = load_grains(project_dir)
    with _attached(base, head) as con:
        tables = {}
        for role, db, path in (("base", "lh_base", base), ("head", "lh_head", head)):
            tables[role] = _tables(con, db)
            if not tables[role]:
                raise DiffInputError(
                    f"{path} is not a labelhouse warehouse: it has no tables in schema '{MART_SCHEMA}'."
                )
        base_info = _warehouse_info(con, "lh_base", base)
        head_info = _warehouse_info(con, "lh_head", head)
        exports, differences = _check_exports(base_info, head_info, allow_different_exports)
        marts = [
            _compare_mart(con, name, tables["base"].get(name), tables["head"].get(name), grains.get(name), tolerance)
            for name in sorted(set(tables["base"]) | set(tables["head"]))
        ]
    return DiffResult(base_info, head_info, tolerance, exports, differences, marts)


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def fmt_value(value: Any) -> str:
    """A value as the report shows it (6 significant digits for floats)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:.6g}"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:39] + "…"


_UNITS = {"date": " days", "timestamp": " s"}


def fmt_delta(delta: float | None, kind: str, signed: bool = True) -> str:
    if delta is None or (isinstance(delta, float) and math.isnan(delta)):
        return "–"
    sign = "+" if signed else ""
    if kind == "float":
        return f"{delta:{sign}.3g}"
    return f"{delta:{sign},.0f}{_UNITS.get(kind, '')}"


def _commit(info: WarehouseInfo) -> str:
    if not info.git_commit:
        return "commit unknown"
    commit = info.git_commit
    return commit[:7] + ("-dirty" if commit.endswith("-dirty") else "")


def _moved_phrase(mart: MartDiff, col: ColumnDiff) -> str:
    where = (
        _plural(col.n_entities, col.entity_noun)
        if col.n_entities is not None and col.entity_noun
        else _plural(col.n_moved, "row")
    )
    if col.max_abs_delta is not None and col.kind != "other":
        return f"{mart.mart}.{col.column} moved by up to {fmt_delta(col.max_abs_delta, col.kind, False)} in {where}"
    return f"{mart.mart}.{col.column} changed in {where}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


def _verdict(result: DiffResult) -> str:
    if not result.changed:
        n_rows = sum(m.rows_head or 0 for m in result.marts)
        return (
            f"No changes: {_plural(len(result.marts), 'mart')}, {n_rows:,} rows identical "
            f"within tolerance {result.tolerance:g}."
        )
    statuses = [
        f"{n} {status}" for status in ("added", "removed") if (n := sum(1 for m in result.marts if m.status == status))
    ]
    parts = [f"{_plural(len(result.changed_marts), 'mart')} changed" + (f" ({', '.join(statuses)})" * bool(statuses))]
    for what, attr in (("added", "columns_added"), ("removed", "columns_removed"), ("retyped", "types_changed")):
        n = sum(len(getattr(m, attr)) for m in result.marts)
        if n:
            parts.append(f"{_plural(n, 'column')} {what}")
    moved = result.moved_columns()
    if moved:
        parts.append(_moved_phrase(*moved[0]))
    else:
        n_rows = sum(m.only_base + m.only_head for m in result.marts)
        if n_rows:
            parts.append(f"{n_rows:,} rows only in base or only in head")
    return ", ".join(parts)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _count_cell(n: int | None) -> str:
    return "–" if n is None else f"{n:,}"


def _context_line(result: DiffResult) -> str:
    b, h = result.base, result.head
    exports = {
        "same": f"same exports ({_plural(len(h.raw_files), 'raw file')})",
        "different": f"**different exports** ({', '.join(result.export_differences[:3])}"
        f"{' …' if len(result.export_differences) > 3 else ''})",
        "unknown": "exports not checked (no audit.build_runs)",
    }[result.exports]
    return (
        f"base `{b.file}` ({_commit(b)}) → head `{h.file}` ({_commit(h)}) · {exports} · tolerance {result.tolerance:g}"
    )


def _moved_cell(mart: MartDiff) -> str:
    if mart.status in ("added", "removed"):
        return f"mart {mart.status}"
    cells = [f"{c.column} ({c.n_moved:,})" for c in mart.columns[:4]]
    if not mart.columns and (mart.only_base or mart.only_head):
        cells.append("rows only on one side")
    if len(mart.columns) > 4:
        cells.append(f"+{len(mart.columns) - 4} more")
    if mart.compared_as == "rows":
        cells.append("compared as whole rows")
    if mart.schema_changed:
        cells.append("schema")
    return _md(", ".join(cells))


def _mart_table(result: DiffResult, limit: int = MARKDOWN_MAX_MARTS) -> list[str]:
    lines = [
        _row(["mart", "rows base → head", "only base", "only head", "changed rows", "what moved"]),
        "|---|--:|--:|--:|--:|---|",
    ]
    changed = result.changed_marts
    for m in changed[:limit]:
        paired = m.compared_as == "grain"
        counts = [f"{m.only_base:,}", f"{m.only_head:,}"] if m.compared_as != "none" else ["–", "–"]
        lines.append(
            _row(
                [
                    f"`{m.mart}`",
                    f"{_count_cell(m.rows_base)} → {_count_cell(m.rows_head)}",
                    *counts,
                    f"{m.changed_rows:,}" if paired else "–",
                    _moved_cell(m),
                ]
            )
        )
    if len(changed) > limit:
        lines += [
            "",
            f"…and {_plural(len(changed) - limit, 'more changed mart')}: "
            f"{', '.join(m.mart for m in changed[limit:])} (see `--format json`).",
        ]
    return lines


def _key_text(key: list[Any]) -> str:
    return ", ".join(fmt_value(v) for v in key)


def _headline_table(result: DiffResult) -> list[str]:
    """A row per headline figure that moved; the unchanged ones named on one line."""
    by_name = {m.mart: m for m in result.marts}
    lines = [_row(["headline figure", "rows moved", "largest move", "base → head", "where"]), "|---|--:|--:|---|---|"]
    quiet = []
    for h in HEADLINES:
        mart = by_name.get(h.mart)
        col = next((c for c in mart.columns if c.column == h.column), None) if mart else None
        if mart is None or col is None:
            quiet.append(
                f"`{h.mart}.{h.column}`"
                + (
                    " (mart missing)"
                    if mart is None
                    else f" (mart {mart.status})"
                    if mart.status in ("added", "removed")
                    else ""
                )
            )
            continue
        top = next((mv for mv in col.moves if mv.delta is not None), col.moves[0])
        nulls = f" ({col.n_null_changes:,} NULL ↔ value)" if col.n_null_changes else ""
        lines.append(
            _row(
                [
                    f"`{h.mart}.{h.column}`",
                    f"{col.n_moved:,}{nulls}",
                    fmt_delta(top.delta, col.kind),
                    _md(f"{fmt_value(top.base)} → {fmt_value(top.head)}"),
                    _md(f"{', '.join(mart.grain)} = {_key_text(top.key)}"),
                ]
            )
        )
    if len(lines) == 2:
        return [f"Headline figures unchanged: {', '.join(quiet)}."]
    return [*lines, *(["", f"Unchanged headline figures: {', '.join(quiet)}."] if quiet else [])]


def _schema_lines(result: DiffResult, limit: int = 8) -> list[str]:
    changes = []
    for m in result.marts:
        if m.status in ("added", "removed"):
            changes.append(
                _row(
                    [
                        f"`{m.mart}`",
                        f"mart {m.status}",
                        "",
                        "",
                        _plural((m.rows_head if m.status == "added" else m.rows_base) or 0, "row"),
                    ]
                )
            )
        changes += [_row([f"`{m.mart}`", "column added", f"`{c}`", "", _md(t)]) for c, t in m.columns_added]
        changes += [_row([f"`{m.mart}`", "column removed", f"`{c}`", _md(t), ""]) for c, t in m.columns_removed]
        changes += [_row([f"`{m.mart}`", "type changed", f"`{c}`", _md(b), _md(h)]) for c, b, h in m.types_changed]
    if not changes:
        return []
    shown = changes[:limit]
    more = [f"…and {len(changes) - limit} more (see `--format json`)", ""] if len(changes) > limit else []
    return [
        f"<details><summary>Schema changes ({len(changes)})</summary>",
        "",
        _row(["mart", "change", "column", "base", "head"]),
        "|---|---|---|---|---|",
        *shown,
        "",
        *more,
        "</details>",
    ]


def _moves_block(mart: MartDiff, col: ColumnDiff, n: int) -> list[str]:
    nulls = f", {col.n_null_changes:,} NULL ↔ value" if col.n_null_changes else ""
    header = [
        f"**`{mart.mart}.{col.column}`**: {_plural(col.n_moved, 'row')} moved{nulls}",
        "",
        _row([*(_md(k) for k in mart.grain), "base", "head", "move"]),
        "|" + "---|" * (len(mart.grain) + 3),
    ]
    body = [
        _row(
            [
                *(_md(fmt_value(v)) for v in mv.key),
                _md(fmt_value(mv.base)),
                _md(fmt_value(mv.head)),
                fmt_delta(mv.delta, col.kind),
            ]
        )
        for mv in col.moves[:n]
    ]
    return [*header, *body, ""]


def _rows_lines(result: DiffResult) -> list[str]:
    """Marts not paired on their grain (and why), and example keys of rows only on one side."""
    lines = [f"- `{m.mart}`: {_md(m.note)}" for m in result.marts if m.note]
    for m in result.changed_marts:
        for label, examples, n in (
            ("only in base", m.examples_only_base, m.only_base),
            ("only in head", m.examples_only_head, m.only_head),
        ):
            if examples:
                keys = "; ".join(_md(_key_text(e)) for e in examples)
                lines.append(f"- `{m.mart}` {label} ({', '.join(m.grain)}): {keys}{' …' if len(examples) < n else ''}")
    return lines


def _moves_lines(result: DiffResult, budget: int) -> list[str]:
    """The largest moves per column, headline figures first, as many columns as fit in `budget` lines."""
    moved = result.moved_columns()
    if not moved:
        return []
    opening = [f"<details><summary>Largest moves ({_plural(len(moved), 'column')})</summary>", ""]
    blocks, skipped = [], []
    used = len(opening) + 3
    for mart, col in moved:
        block = _moves_block(mart, col, MARKDOWN_MOVES_PER_COLUMN)
        if used + len(block) <= budget:
            blocks += block
            used += len(block)
        else:
            skipped.append(f"`{mart.mart}.{col.column}`")
    more = []
    if skipped:
        shown = ", ".join(skipped[:6]) + (f" +{len(skipped) - 6} more" if len(skipped) > 6 else "")
        more = [f"Also moved: {shown} (see `--format json`).", ""]
    return [*opening, *blocks, *more, "</details>"]


def render_markdown(result: DiffResult, max_lines: int = MARKDOWN_MAX_LINES) -> str:
    """A GitHub job summary / PR comment: verdict, tables, details folded; at most ~max_lines lines."""
    lines = ["### labelhouse diff", "", f"**{_md(result.verdict())}**", "", _context_line(result), ""]
    rows = _rows_lines(result)
    if not result.changed:
        return "\n".join([*lines, *rows]).rstrip() + "\n"
    lines += [*_mart_table(result), ""]
    unchanged = [m.mart for m in result.marts if m.status == "same"]
    if unchanged:
        lines += [f"Unchanged: {_plural(len(unchanged), 'mart')}.", ""]
    lines += [*_headline_table(result), ""]
    if rows:
        extra = len(rows) - MARKDOWN_MAX_NOTES
        notes = rows[:MARKDOWN_MAX_NOTES] + ([f"- …and {extra} more"] if extra > 0 else [])
        lines += ["<details><summary>Rows and comparison notes</summary>", "", *notes, "", "</details>", ""]
    schema = _schema_lines(result)
    if schema:
        lines += [*schema, ""]
    lines += _moves_lines(result, max(0, max_lines - len(lines)))
    return "\n".join(lines).rstrip() + "\n"


def _text_mart(m: MartDiff) -> list[str]:
    if m.status in ("added", "removed"):
        n = m.rows_head if m.status == "added" else m.rows_base
        return [f"{m.mart} [mart {m.status}]: {_plural(n or 0, 'row')}"]
    grain = ", ".join(m.grain) if m.compared_as == "grain" else "whole rows"
    lines = [
        f"{m.mart} [paired on {grain}]: rows {m.rows_base:,} -> {m.rows_head:,}, only base {m.only_base:,}, "
        f"only head {m.only_head:,}" + (f", changed {m.changed_rows:,}" if m.compared_as == "grain" else "")
    ]
    lines += [f"  note: {m.note}"] if m.note else []
    lines += [f"  column added: {c} {t}" for c, t in m.columns_added]
    lines += [f"  column removed: {c} {t}" for c, t in m.columns_removed]
    lines += [f"  type changed: {c} {b} -> {h}" for c, b, h in m.types_changed]
    for label, examples in (("only in base", m.examples_only_base), ("only in head", m.examples_only_head)):
        if examples:
            lines.append(f"  {label}: " + "; ".join(_key_text(e) for e in examples))
    for c in m.columns:
        nulls = f", {c.n_null_changes:,} NULL <-> value" if c.n_null_changes else ""
        lines.append(f"  {c.column}: {_plural(c.n_moved, 'row')} moved{nulls}")
        for mv in c.moves:
            delta = f" ({fmt_delta(mv.delta, c.kind)})" if mv.delta is not None else ""
            lines.append(f"    {_key_text(mv.key)}: {fmt_value(mv.base)} -> {fmt_value(mv.head)}{delta}")
    return lines


def render_text(result: DiffResult) -> str:
    """Plain text for a terminal: the verdict, the headline figures that moved, then every changed mart."""
    lines = [result.verdict(), _context_line(result).replace("`", "").replace("**", "")]
    headlines = [(m, c) for m, c in result.moved_columns() if (m.mart, c.column) in _HEADLINE_RANK]
    if headlines:
        lines += ["", "Headline figures:"]
        lines += [f"  {_moved_phrase(m, c)} ({_plural(c.n_moved, 'row')})" for m, c in headlines]
    for m in result.changed_marts:
        lines += ["", *_text_mart(m)]
    unchanged = [m for m in result.marts if m.status == "same"]
    if unchanged and result.changed:
        lines += ["", f"Unchanged: {_plural(len(unchanged), 'mart')}."]
    lines += [f"Note: {m.mart}: {m.note}" for m in unchanged if m.note]
    return "\n".join(lines) + "\n"


def render_json(result: DiffResult) -> str:
    return json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n"


def render(result: DiffResult, fmt: DiffFormat | str = DiffFormat.text) -> str:
    fmt = DiffFormat(fmt)
    if fmt is DiffFormat.markdown:
        return render_markdown(result)
    if fmt is DiffFormat.json:
        return render_json(result)
    return render_text(result)
