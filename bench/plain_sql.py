"""The engine limit: bench/reference.py's figures in plain DuckDB SQL, no dbt, no pandas.

One DuckDB database file, one SQL statement per step, driven from Python: what DuckDB alone can
do with the raw exports, as a yardstick for labelhouse's dbt build. It computes exactly the figure
families of bench/reference.py (read its docstring: every definition and cleaning rule is
followed), from the same raw export directory:

* agreement: per project, Krippendorff's alpha (nominal) and Fleiss' kappa (statsmodels', and
  labelhouse's generalisation when the items of a project carry unequal numbers of judgements);
* pairwise_kappa: per project and annotator pair, the items both judged and Cohen's kappa;
* gold_accuracy: per project (and 'all') and annotator, accuracy on gold items;
* model_eval: per model version x label x truth source (and 'all'), ROC AUC, average precision,
  precision and recall at the version's threshold;
* throughput: annotations per annotator x project x UTC day.

The closed forms used (equal to the libraries' arithmetic, to float rounding):

* alpha = 1 - (n - 1) * sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1) / (n^2 - sum_c n_c^2) over the
  items u with m_u >= 2 judgements (n_uc of them with label c; n_c, n: pooled), NULL with fewer
  than 2 labels used (krippendorff raises);
* Fleiss = (P - Pe) / (1 - Pe), P = mean_u (sum_c n_uc^2 - m_u) / (m_u (m_u - 1)),
  Pe = sum_c (n_c / n)^2 (statsmodels' formula when every m_u is equal);
* Cohen = 1 - n (n - agreements) / (n^2 - sum_c a_c b_c) (sklearn's, a_c and b_c the annotators'
  label counts over their n shared items);
* ROC AUC = the Mann-Whitney statistic with ties counted 1/2 (the area of sklearn's ROC curve);
  average precision = sum over distinct scores (descending) of (positives at the score /
  positives) * precision at the score (sklearn's step sum).

Cleaning (bench/reference.py's rules): text trimmed of Unicode white space (as pandas/pyarrow
strip), blank = missing; labels lower-cased with '_' for ' ' and '-'; numbers as pandas'
to_numeric reads them; ISO-8601 timestamps with their offset honoured, no offset = UTC, pandas'
nanosecond range; the row checks; exact re-deliveries (same annotation_id and exported_at, or same
prediction key and predicted_at) keep the first row by file and row; the latest version of a key
wins (exported_at / labelled_at / predicted_at, then the later file and row); unknown
label/project/item rejected (projects and items only when exported). Every raw row ends in
exactly one place: kept, superseded_rows or rejected_rows (with its reason).

Not reproduced (inputs the generator and labelhouse's export contract do not produce):

* pandas' lenient ISO-8601 variants are unparsable here: basic format (20261027T000001), reduced
  precision ('2026', '2026-10', an hour without minutes), '/', '.', ' ' or '\\' as date
  separators, white space before the offset, a '.' without digits, 1-digit offset hours or
  minutes (the reference's own offset test misses those and pandas then mixes time zones in one
  column). Fractions beyond microseconds are truncated (pandas keeps nanoseconds), and the
  datetime64[ns] range is checked on the UTC instant (pandas: on the written wall clock);
* JSON numbers are read correctly rounded; pandas' read_json (precise_float=False) may differ in
  the last bit, which matters only for JSON scores or thresholds;
* typed (non-text) Parquet columns become text DuckDB's way (a DOUBLE id 1.0 is '1.0', pyarrow
  writes '1'); a typed NaN is missing on both sides.

Run as a script: `python bench/plain_sql.py RAW_DIR OUT_DIR` (like bench/reference.py) writes
OUT_DIR/plain_sql.duckdb (every table below), one Parquet file per figure family with the
reference's columns and `timings.json` (seconds per stage: load, then each family) into OUT_DIR.
DuckDB runs with memory_limit = 1500MB, its spill directory inside OUT_DIR, default threads.

Tables in plain_sql.duckdb:
  labels, projects (when exported), items, gold_labels, predictions, thresholds: the kept rows;
  annotation_rows: every raw annotation row typed, with the reason its row checks reject it;
  annotations: the current judgements (after duplicates and supersession);
  superseded_rows, rejected_rows: every raw row not kept, per entity;
  latest_judgements, item_truth; agreement, pairwise_kappa, gold_accuracy, model_eval, throughput.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from bench_shared import DEFAULT_THRESHOLD, FAMILIES, SEED_LABELS, entity_files, timed

ENTITIES = (
    "annotations",
    "annotation_skips",
    "items",
    "gold_labels",
    "predictions",
    "moderation_decisions",
    "projects",
    "annotators",
    "labels",
    "thresholds",
)
DATABASE = "plain_sql.duckdb"
SETTINGS = {"memory_limit": "1500MB"}

# What pandas' str.strip() (pyarrow utf8_trim_whitespace) removes; DuckDB's trim() only strips ' '.
WHITESPACE = (
    0x09,
    0x0A,
    0x0B,
    0x0C,
    0x0D,
    0x1C,
    0x1D,
    0x1E,
    0x1F,
    0x20,
    0x85,
    0xA0,
    0x1680,
    *range(0x2000, 0x200B),
    0x2028,
    0x2029,
    0x202F,
    0x205F,
    0x3000,
)
# pandas' default NA strings, applied when it reads the labels seed (pd.read_csv without options).
PANDAS_NA = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)
# The ISO-8601 forms that pandas (format="ISO8601") and DuckDB's timestamptz cast read alike:
# date, optional time (' ' or 'T'; seconds and up to 9 fraction digits optional), offset only after
# a time. Hour 24, offsets beyond 23:59, zone names and 'epoch'/'infinity' (DuckDB only) are out.
ISO_TIMESTAMP = (
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"(?:[T ](?:[01]?\d|2[0-3]):[0-5]?\d(?::[0-5]?\d(?:\.\d{1,9})?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)?"
)
# pandas' datetime64[ns] range, in microseconds since the epoch.
NS_RANGE_US = (-9_223_372_036_854_775, 9_223_372_036_854_775)

MACROS = f"""
-- trimmed text, NULL when blank; the trim with a character list (slow) only runs when the first or
-- last character could be white space (code point <= 32 or 133..12288)
create or replace temp macro clean_text(x) as nullif(
    case when ord(x) <= 32 or ord(x) between 133 and 12288
           or ord(right(x, 1)) <= 32 or ord(right(x, 1)) between 133 and 12288
         then trim(x, {" || ".join(f"chr({c})" for c in WHITESPACE)})
         else x end, '');
create or replace temp macro norm_label(t) as nullif(replace(replace(lower(t), ' ', '_'), '-', '_'), '');
-- text -> double as pandas.to_numeric reads it: NaN is missing, no '_' separators, no overflow to inf
create or replace temp macro to_double(t) as case
    when strpos(t, '_') > 0 or isnan(try_cast(t as double)) then null
    when isinf(try_cast(t as double)) and strpos(lower(t), 'inf') = 0 then null
    else try_cast(t as double) end;
create or replace temp macro utc_us(t) as case
    when regexp_full_match(t, '{ISO_TIMESTAMP}') then epoch_us(try_cast(t as timestamptz)) end;
-- text -> UTC timestamp (offset honoured, none = UTC: the session time zone), NULL if unparsable
create or replace temp macro to_utc(t) as case
    when utc_us(t) between {NS_RANGE_US[0]} and {NS_RANGE_US[1]} then make_timestamp(utc_us(t)) end;
"""


# --------------------------------------------------------------------------------------------
# Raw files
# --------------------------------------------------------------------------------------------


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reader(path: Path, json_columns: list[str] | None = None) -> str:
    """A table function reading one raw file; CSV in the contract's dialect, every value as text."""
    quoted = _literal(str(path))
    if path.name.endswith(".parquet"):
        return f"read_parquet({quoted}, file_row_number = true)"
    if path.name.endswith(".jsonl"):
        if json_columns is None:
            return f"read_json({quoted}, format = 'newline_delimited', sample_size = -1)"
        columns = ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in json_columns)
        return f"read_json({quoted}, format = 'newline_delimited', columns = {{{columns}}})"
    # pandas.read_csv(dtype=str): comma, '"' quotes doubled inside a value, a header, short rows
    # padded with NULL
    return (
        f"read_csv({quoted}, delim = ',', quote = '\"', escape = '\"', header = true, skip = 0, comment = '', "
        "all_varchar = true, null_padding = true, strict_mode = false)"
    )


def _file_select(con: duckdb.DuckDBPyConnection, path: Path, columns: list[str]) -> str:
    """One file's contract columns as text (missing ones NULL; names matched trimmed and lower-cased),
    with its name and 1-based row number."""
    described = con.execute(f"describe select * from {_reader(path)}").fetchall()
    actual = {str(name).strip().lower(): (str(name), str(kind)) for name, kind, *_ in described}
    reader = _reader(path, [name for name, *_ in described]) if path.name.endswith(".jsonl") else _reader(path)
    row_number = "file_row_number + 1" if path.name.endswith(".parquet") else "row_number() over ()"
    exprs = [f"{_literal(path.name)} as source_file", f"cast({row_number} as bigint) as source_row_number"]
    for c in columns:
        if c not in actual:
            exprs.append(f"cast(null as varchar) as {c}")
            continue
        name, kind = actual[c]
        if kind in ("FLOAT", "DOUBLE") and path.name.endswith(".parquet"):  # pandas: a typed NaN is missing
            exprs.append(f"case when isnan({_ident(name)}) then null else cast({_ident(name)} as varchar) end as {c}")
        else:
            exprs.append(f"cast({_ident(name)} as varchar) as {c}")
    return f"select {', '.join(exprs)} from {reader}"


def raw_union(con: duckdb.DuckDBPyConnection, raw_dir: Path, entity: str, columns: list[str]) -> str:
    """Every row of the entity's files: source_file, source_row_number and the columns, as text."""
    selects = [_file_select(con, p, columns) for p in entity_files(raw_dir, entity, ENTITIES)]
    if not selects:
        typed = ", ".join(f"cast(null as varchar) as {c}" for c in columns)
        return f"select null::varchar as source_file, null::bigint as source_row_number, {typed} limit 0"
    return "\nunion all\n".join(selects)


def raw_record(columns: list[str], prefix: str = "") -> str:
    return "cast(to_json({" + ", ".join(f"{_literal(c)}: {prefix}{c}" for c in columns) + "}) as varchar)"


# --------------------------------------------------------------------------------------------
# Duplicates and versions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Versions:
    """How the rows of one entity that passed their checks become one row per key."""

    table: str  # <entity>_rows: source_file, source_row_number, the typed columns, reject_reason
    keys: tuple[str, ...]
    order: str  # the kept version first
    dedup: tuple[str, ...] | None = None  # exact re-deliveries: same keys + these, first by file and row


def fate_sql(v: Versions) -> str:
    """Rows that passed their checks but are not kept: duplicates and superseded versions, with the
    row that counts instead. Only keys that occur more than once are ranked."""
    keys = ", ".join(v.keys)
    dedup_cols = ", ".join([*v.keys, *(v.dedup or ())])
    dup_rank = (
        f"row_number() over (partition by {dedup_cols} order by source_file, source_row_number)"
        if v.dedup is not None
        else "1"
    )
    first = f"(partition by {dedup_cols} order by source_file, source_row_number)"
    return f"""
    with valid as (
        select * from {v.table} where reject_reason is null
    ),
    repeated as (
        select {keys} from valid group by {keys} having count(*) > 1
    ),
    candidates as (
        select valid.* from valid semi join repeated using ({keys})
    ),
    deduped as (
        select *,
            {dup_rank} as dup_rank,
            first_value(source_file) over {first} as first_file,
            first_value(source_row_number) over {first} as first_row
        from candidates
    ),
    versioned as (
        select *,
            row_number() over w as version_rank,
            first_value(source_file) over w as kept_file,
            first_value(source_row_number) over w as kept_row
        from deduped
        where dup_rank = 1
        window w as (partition by {keys} order by {v.order})
    )
    select source_file, source_row_number, 'duplicate' as fate, first_file as kept_file, first_row as kept_row
    from deduped where dup_rank > 1
    union all
    select source_file, source_row_number, 'superseded', kept_file, kept_row
    from versioned where version_rank > 1
    """


def kept_sql(v: Versions, columns: str) -> str:
    """The kept rows: passed every check, neither a duplicate nor superseded."""
    return f"""
    select {columns}
    from {v.table} anti join {v.table}_fate using (source_file, source_row_number)
    where reject_reason is null
    """


# --------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------


class Pipeline:
    def __init__(self, con: duckdb.DuckDBPyConnection, raw_dir: Path, progress: Callable[[str], None]) -> None:
        self.con = con
        self.raw_dir = raw_dir
        self.progress = progress
        self.versions: dict[str, Versions] = {}
        self.rejects: list[str] = []  # selects of rejected_rows, one per entity

    def table(self, name: str, query: str, temp: bool = False) -> None:
        start = time.perf_counter()
        self.con.execute(f"create or replace {'temp ' if temp else ''}table {name} as {query}")
        if name not in FAMILIES:  # a family's line comes from run()
            self.progress(f"plain_sql:   {name}: {self.count(name):,} rows in {time.perf_counter() - start:.2f}s")

    def count(self, name: str) -> int:
        return int(self.con.execute(f"select count(*) from {name}").fetchone()[0])

    def has(self, entity: str) -> bool:
        return bool(entity_files(self.raw_dir, entity, ENTITIES))

    def resolve(
        self, entity: str, v: Versions, kept_name: str, kept_columns: str, record: list[str], dedup_reason: str
    ) -> None:
        """<table>_fate (temp), the kept table, and the entity's rejected rows (failed checks, then
        duplicates with their typed columns `record`)."""
        self.versions[entity] = v
        self.table(f"{v.table}_fate", fate_sql(v), temp=True)
        self.table(kept_name, kept_sql(v, kept_columns))
        self.rejects.append(f"""
            select '{entity}' as entity, source_file, source_row_number, reject_reason, raw_record
            from {v.table} where reject_reason is not null
            union all
            select '{entity}', f.source_file, f.source_row_number,
                {_literal(dedup_reason)} || ' (first: ' || f.kept_file || ' row ' || f.kept_row || ')',
                {raw_record(record, "r.")}
            from {v.table}_fate f join {v.table} r using (source_file, source_row_number)
            where f.fate = 'duplicate'
        """)

    # ---------------------------------------------------------------- reference entities

    def entity_rows(
        self,
        entity: str,
        table: str,
        columns: list[str],
        typed: list[str],
        checks: list[tuple[str, str]],
        output: list[str],
        joins: str = "",
    ) -> None:
        """<table>: every raw row of `entity`, typed, with the first failed check as reject_reason and,
        for rejected rows only, the row as read (raw_record)."""
        raw = raw_union(self.con, self.raw_dir, entity, columns)
        when = "\n".join(f"when {cond} then {_literal(reason)}" for cond, reason in checks)
        self.table(
            table,
            f"""
            with raw as ({raw}),
            typed as (
                select raw.*, {", ".join(typed)} from raw
            ),
            checked as (
                select t.*, case {when} end as reject_reason
                from typed t
                {joins}
            )
            select source_file, source_row_number, {", ".join(output)}, reject_reason,
                case when reject_reason is not null then {raw_record(columns)} end as raw_record
            from checked
        """,
        )

    def load_labels(self) -> None:
        raw = raw_union(self.con, self.raw_dir, "labels", ["label"])
        n_rows = int(self.con.execute(f"select count(*) from ({raw})").fetchone()[0])
        if n_rows == 0:  # no labels export: the seed, read as pandas reads it
            na = ", ".join(_literal(s) for s in PANDAS_NA)
            raw = (
                f"select label from read_csv({_literal(str(SEED_LABELS))}, header = true, all_varchar = true) "
                f"where label not in ({na})"
            )
        self.table(
            "labels",
            f"""
            select distinct norm_label(clean_text(label)) as label from ({raw})
            where norm_label(clean_text(label)) is not null
        """,
        )

    def load_projects(self) -> None:
        if not self.has("projects"):
            return
        raw = raw_union(self.con, self.raw_dir, "projects", ["project_id"])
        self.table(
            "projects",
            f"""
            select distinct clean_text(project_id) as project_id from ({raw})
            where clean_text(project_id) is not null
        """,
        )

    def load_items(self) -> None:
        if not self.has("items"):
            return
        checks = [
            ("t.item_key is null", "null or blank item_id"),
            ("t.project_key is null", "null or blank project_id"),
            ("t.created_text is null", "null created_at"),
            ("t.created_ts is null", "unparsable created_at"),
            ("t.priority_text is not null and to_double(t.priority_text) is null", "unparsable priority"),
        ]
        joins = ""
        if self.has("projects"):
            joins = "left join projects p on t.project_key = p.project_id"
            checks.append(("p.project_id is null", "unknown project_id"))
        self.entity_rows(
            "items",
            "item_rows",
            ["item_id", "project_id", "created_at", "priority"],
            [
                "clean_text(item_id) as item_key",
                "clean_text(project_id) as project_key",
                "clean_text(created_at) as created_text",
                "to_utc(clean_text(created_at)) as created_ts",
                "clean_text(priority) as priority_text",
            ],
            checks,
            ["item_key as item_id", "project_key as project_id"],
            joins,
        )
        v = Versions("item_rows", ("item_id",), "source_file desc, source_row_number desc")
        self.resolve("items", v, "items", "item_id, project_id", ["item_id", "project_id"], "duplicate item_id")

    def load_annotations(self) -> None:
        checks = [
            ("t.annotation_key is null", "null or blank annotation_id"),
            ("t.item_key is null", "null or blank item_id"),
            ("t.project_key is null", "null or blank project_id"),
            ("t.annotator_key is null", "null or blank annotator_id"),
            ("t.label_key is null", "null or blank label"),
            ("t.submitted_text is null", "null submitted_at"),
            ("t.submitted_ts is null", "unparsable submitted_at"),
            ("t.started_text is not null and t.started_ts is null", "unparsable started_at"),
            ("t.exported_text is not null and t.exported_ts is null", "unparsable exported_at"),
            ("t.confidence_text is not null and to_double(t.confidence_text) is null", "unparsable confidence"),
            ("t.started_ts > t.submitted_ts", "submitted_at before started_at"),
            ("l.label is null", "unknown label"),
        ]
        joins = "left join labels l on t.label_key = l.label"
        if self.has("projects"):
            joins += "\nleft join projects p on t.project_key = p.project_id"
            checks.append(("p.project_id is null", "unknown project_id"))
        if self.has("items"):
            joins += "\nleft join items i on t.item_key = i.item_id"
            checks.append(("i.item_id is null", "unknown item_id"))
            checks.append(("i.project_id <> t.project_key", "project_id differs from the item's project"))
        self.entity_rows(
            "annotations",
            "annotation_rows",
            [
                "annotation_id",
                "item_id",
                "project_id",
                "annotator_id",
                "label",
                "submitted_at",
                "started_at",
                "exported_at",
                "confidence",
            ],
            [
                "clean_text(annotation_id) as annotation_key",
                "clean_text(item_id) as item_key",
                "clean_text(project_id) as project_key",
                "clean_text(annotator_id) as annotator_key",
                "norm_label(clean_text(label)) as label_key",
                "clean_text(submitted_at) as submitted_text",
                "to_utc(clean_text(submitted_at)) as submitted_ts",
                "clean_text(started_at) as started_text",
                "to_utc(clean_text(started_at)) as started_ts",
                "clean_text(exported_at) as exported_text",
                "to_utc(clean_text(exported_at)) as exported_ts",
                "clean_text(confidence) as confidence_text",
            ],
            checks,
            [
                "annotation_key as annotation_id",
                "item_key as item_id",
                "project_key as project_id",
                "annotator_key as annotator_id",
                "label_key as label",
                "submitted_ts as submitted_at",
                "started_ts as started_at",
                "exported_ts as exported_at",
            ],
            joins,
        )
        v = Versions(
            "annotation_rows",
            ("annotation_id",),
            "exported_at desc nulls last, source_file desc, source_row_number desc",
            dedup=("exported_at",),
        )
        self.resolve(
            "annotations",
            v,
            "annotations",
            "annotation_id, item_id, project_id, annotator_id, label, submitted_at, "
            "cast(submitted_at as date) as submitted_date, exported_at, source_file, source_row_number",
            [
                "annotation_id",
                "item_id",
                "project_id",
                "annotator_id",
                "label",
                "submitted_at",
                "started_at",
                "exported_at",
            ],
            "duplicate annotation_id and exported_at",
        )

    def load_gold(self) -> None:
        self.entity_rows(
            "gold_labels",
            "gold_label_rows",
            ["item_id", "label", "labelled_at"],
            [
                "clean_text(item_id) as item_key",
                "norm_label(clean_text(label)) as label_key",
                "clean_text(labelled_at) as labelled_text",
                "to_utc(clean_text(labelled_at)) as labelled_ts",
            ],
            [
                ("t.item_key is null", "null or blank item_id"),
                ("t.label_key is null", "null or blank label"),
                ("t.labelled_text is not null and t.labelled_ts is null", "unparsable labelled_at"),
                ("l.label is null", "unknown label"),
            ],
            ["item_key as item_id", "label_key as gold_label", "labelled_ts as labelled_at"],
            "left join labels l on t.label_key = l.label",
        )
        v = Versions(
            "gold_label_rows", ("item_id",), "labelled_at desc nulls last, source_file desc, source_row_number desc"
        )
        self.resolve(
            "gold_labels",
            v,
            "gold_labels",
            "item_id, gold_label",
            ["item_id", "gold_label", "labelled_at"],
            "duplicate item_id",
        )

    def load_predictions(self) -> None:
        keys = ("model_name", "model_version", "item_id", "label")
        self.entity_rows(
            "predictions",
            "prediction_rows",
            [*keys, "score", "predicted_at"],
            [
                "clean_text(model_name) as model_key",
                "clean_text(model_version) as version_key",
                "clean_text(item_id) as item_key",
                "norm_label(clean_text(label)) as label_key",
                "clean_text(score) as score_text",
                "to_double(clean_text(score)) as score_value",
                "clean_text(predicted_at) as predicted_text",
                "to_utc(clean_text(predicted_at)) as predicted_ts",
            ],
            [
                ("t.model_key is null", "null or blank model_name"),
                ("t.version_key is null", "null or blank model_version"),
                ("t.item_key is null", "null or blank item_id"),
                ("t.label_key is null", "null or blank label"),
                ("t.score_text is null", "null score"),
                ("t.score_value is null", "unparsable score"),
                ("t.score_value < 0 or t.score_value > 1", "score out of range"),
                ("t.predicted_text is not null and t.predicted_ts is null", "unparsable predicted_at"),
                ("l.label is null", "unknown label"),
            ],
            [
                "model_key as model_name",
                "version_key as model_version",
                "item_key as item_id",
                "label_key as label",
                "score_value as score",
                "predicted_ts as predicted_at",
            ],
            "left join labels l on t.label_key = l.label",
        )
        v = Versions(
            "prediction_rows",
            keys,
            "predicted_at desc nulls last, source_file desc, source_row_number desc",
            dedup=("predicted_at",),
        )
        self.resolve(
            "predictions",
            v,
            "predictions",
            "model_name, model_version, item_id, label, score",
            [*keys, "score", "predicted_at"],
            "duplicate prediction and predicted_at",
        )

    def load_thresholds(self) -> None:
        keys = ("model_name", "model_version", "label")
        self.entity_rows(
            "thresholds",
            "threshold_rows",
            [*keys, "threshold"],
            [
                "clean_text(model_name) as model_key",
                "clean_text(model_version) as version_key",
                "norm_label(clean_text(label)) as label_key",
                "to_double(clean_text(threshold)) as threshold_value",
            ],
            [
                ("t.model_key is null", "null or blank model_name"),
                ("t.version_key is null", "null or blank model_version"),
                ("t.label_key is null", "null or blank label"),
                ("t.threshold_value is null", "null or unparsable threshold"),
                ("t.threshold_value < 0 or t.threshold_value > 1", "threshold out of range"),
                ("l.label is null", "unknown label"),
            ],
            [
                "model_key as model_name",
                "version_key as model_version",
                "label_key as label",
                "threshold_value as threshold",
            ],
            "left join labels l on t.label_key = l.label",
        )
        v = Versions("threshold_rows", keys, "source_file desc, source_row_number desc")
        self.resolve(
            "thresholds",
            v,
            "thresholds",
            "model_name, model_version, label, threshold",
            [*keys, "threshold"],
            "duplicate threshold",
        )

    def finish_rows(self) -> None:
        """rejected_rows and superseded_rows over every entity."""
        self.table("rejected_rows", "\nunion all\n".join(self.rejects))
        superseded = [
            f"""
            select '{entity}' as entity, f.source_file, f.source_row_number,
                {raw_record(list(v.keys), "r.")} as key,
                f.kept_file as superseded_by_file, f.kept_row as superseded_by_row
            from {v.table}_fate f join {v.table} r using (source_file, source_row_number)
            where f.fate = 'superseded'
        """
            for entity, v in self.versions.items()
        ]
        self.table("superseded_rows", "\nunion all\n".join(superseded))

    def latest_judgements(self) -> None:
        self.table(
            "latest_judgements",
            """
            select project_id, item_id, annotator_id, label, annotation_id, submitted_at
            from annotations
            qualify row_number() over (
                partition by item_id, annotator_id order by submitted_at desc, annotation_id desc
            ) = 1
        """,
        )

    def item_truth(self) -> None:
        self.table(
            "item_truth",
            """
            with votes as (
                select item_id, label, count(*) as n_votes from latest_judgements group by item_id, label
            ),
            per_item as (
                select item_id, sum(n_votes) as n_judgements, max(n_votes) as top from votes group by item_id
            ),
            plurality as (
                select v.item_id, min(v.label) as label, count(*) as n_top, any_value(p.n_judgements) as n_judgements
                from votes v join per_item p on v.item_id = p.item_id and v.n_votes = p.top
                group by v.item_id
            )
            select item_id, gold_label as truth_label, 'gold' as truth_source from gold_labels
            union all
            select c.item_id, c.label, 'consensus'
            from plurality c anti join gold_labels g on c.item_id = g.item_id
            where c.n_judgements >= 2 and c.n_top = 1
        """,
        )

    # ---------------------------------------------------------------- figure families

    def agreement(self) -> None:
        self.table(
            "agreement",
            """
            with counts as (
                select project_id, item_id, label, count(*) as n
                from latest_judgements group by project_id, item_id, label
            ),
            units as (  -- the pairable items: >= 2 judgements
                select project_id, item_id, sum(n) as m, sum(n * n) as sum_sq
                from counts group by project_id, item_id
                having sum(n) >= 2
            ),
            by_size as (  -- exact integer sums per number of judgements m, divided once
                select project_id, m,
                    count(*) as n_items,
                    sum(m * m - sum_sq) as disagreeing_pairs,
                    sum(sum_sq - m) as agreeing_pairs
                from units group by project_id, m
            ),
            per_project as (
                select project_id,
                    sum(n_items) as n_items,
                    sum(cast(disagreeing_pairs as double) / (m - 1)) as d_observed,
                    sum(cast(agreeing_pairs as double) / (m * (m - 1))) as sum_item_agreement
                from by_size group by project_id
            ),
            categories as (
                select c.project_id, c.label, sum(c.n) as n_c
                from counts c semi join units u using (project_id, item_id)
                group by c.project_id, c.label
            ),
            pooled as (
                select project_id, count(*) as n_labels, sum(n_c) as n, sum(n_c * n_c) as sum_nc_sq
                from categories group by project_id
            ),
            stats as (
                select p.project_id, p.n_items, p.d_observed, p.sum_item_agreement, c.n_labels,
                    cast(c.n as double) as n, cast(c.sum_nc_sq as double) as sum_nc_sq
                from per_project p join pooled c using (project_id)
            )
            select project_id,
                case when n_labels >= 2 then 1 - (n - 1) * d_observed / (n * n - sum_nc_sq) end
                    as krippendorff_alpha,
                case when n * n - sum_nc_sq > 0 then
                    (sum_item_agreement / n_items - sum_nc_sq / (n * n)) / (1 - sum_nc_sq / (n * n)) end
                    as fleiss_kappa
            from stats
            order by project_id
        """,
        )

    def pairwise_kappa(self) -> None:
        self.table(
            "pairwise_kappa",
            """
            with cells as (  -- the confusion matrix of every pair over the items both judged
                select a.project_id, a.annotator_id as annotator_a, b.annotator_id as annotator_b,
                    a.label as label_a, b.label as label_b, count(*) as n
                from latest_judgements a
                join latest_judgements b
                    on a.project_id = b.project_id and a.item_id = b.item_id and a.annotator_id < b.annotator_id
                group by all
            ),
            totals as (
                select project_id, annotator_a, annotator_b,
                    sum(n) as n, coalesce(sum(n) filter (where label_a = label_b), 0) as agreements
                from cells group by all
            ),
            marginal_a as (
                select project_id, annotator_a, annotator_b, label_a as label, sum(n) as n_a from cells group by all
            ),
            marginal_b as (
                select project_id, annotator_a, annotator_b, label_b as label, sum(n) as n_b from cells group by all
            ),
            chance as (
                select project_id, annotator_a, annotator_b, sum(n_a * n_b) as sum_ab
                from marginal_a join marginal_b using (project_id, annotator_a, annotator_b, label)
                group by all
            )
            select t.project_id, t.annotator_a, t.annotator_b, cast(t.n as bigint) as n_shared_items,
                case when t.n >= 2 and t.n * t.n - coalesce(c.sum_ab, 0) <> 0 then
                    1 - cast(t.n * (t.n - t.agreements) as double) / cast(t.n * t.n - coalesce(c.sum_ab, 0) as double)
                end as cohen_kappa
            from totals t left join chance c using (project_id, annotator_a, annotator_b)
            order by t.project_id, t.annotator_a, t.annotator_b
        """,
        )

    def gold_accuracy(self) -> None:
        self.table(
            "gold_accuracy",
            """
            with graded as (
                select l.project_id, l.annotator_id,
                    case when g.gold_label is not null then cast(l.label = g.gold_label as integer) end as correct
                from latest_judgements l left join gold_labels g on l.item_id = g.item_id
            )
            select coalesce(project_id, 'all') as project_id, annotator_id,
                avg(correct) as gold_accuracy, count(correct) as n_gold_annotations
            from graded
            group by grouping sets ((project_id, annotator_id), (annotator_id))
            order by project_id, annotator_id
        """,
        )

    def model_eval(self) -> None:
        self.table(
            "model_eval",
            f"""
            with scored as (
                select p.model_name, p.model_version, p.label, t.truth_source, p.score,
                    coalesce(th.threshold, {DEFAULT_THRESHOLD}) as threshold,
                    t.truth_label = p.label as is_positive
                from predictions p
                join item_truth t on p.item_id = t.item_id
                left join thresholds th
                    on p.model_name = th.model_name and p.model_version = th.model_version and p.label = th.label
            ),
            by_score as (  -- per group and distinct score; truth_source NULL = 'all'
                select model_name, model_version, label, truth_source, score, any_value(threshold) as threshold,
                    count(*) filter (where is_positive) as n_pos,
                    count(*) filter (where not is_positive) as n_neg
                from scored
                group by grouping sets ((model_name, model_version, label, truth_source, score),
                                        (model_name, model_version, label, score))
            ),
            curve as (
                select *,
                    coalesce(sum(n_neg) over (partition by model_name, model_version, label, truth_source
                        order by score rows between unbounded preceding and 1 preceding), 0) as neg_below,
                    sum(n_pos) over down as tp,
                    sum(n_pos + n_neg) over down as predicted_positive
                from by_score
                window down as (partition by model_name, model_version, label, truth_source
                    order by score desc rows between unbounded preceding and current row)
            ),
            groups as (
                select model_name, model_version, label, coalesce(truth_source, 'all') as truth_source,
                    sum(n_pos + n_neg) as n_items, sum(n_pos) as n_positive, sum(n_neg) as n_negative,
                    sum(n_pos * (2 * neg_below + n_neg)) as twice_pairs_below,
                    fsum(n_pos * (tp / predicted_positive)) as weighted_precision,
                    coalesce(sum(n_pos) filter (where score >= threshold), 0) as true_positive,
                    coalesce(sum(n_pos + n_neg) filter (where score >= threshold), 0) as predicted
                from curve group by all
            )
            select model_name, model_version, label, truth_source,
                cast(n_items as bigint) as n_items, cast(n_positive as bigint) as n_positive,
                case when n_positive > 0 and n_negative > 0 then
                    cast(twice_pairs_below as double) / (2.0 * n_positive * n_negative) end as roc_auc,
                case when n_positive > 0 then weighted_precision / n_positive end as average_precision,
                case when predicted > 0 then true_positive / predicted end as precision,
                case when n_positive > 0 then true_positive / n_positive end as recall
            from groups
            order by model_name, model_version, label, truth_source
        """,
        )

    def throughput(self) -> None:
        self.table(
            "throughput",
            """
            select annotator_id, project_id, submitted_date as activity_date, count(*) as n_annotations
            from annotations
            group by annotator_id, project_id, submitted_date
            order by annotator_id, project_id, activity_date
        """,
        )


def connect(out_dir: Path) -> duckdb.DuckDBPyConnection:
    """A fresh plain_sql.duckdb in out_dir, spilling into out_dir/duckdb_tmp, session time zone UTC."""
    database = out_dir / DATABASE
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    spill = out_dir / "duckdb_tmp"
    shutil.rmtree(spill, ignore_errors=True)
    con = duckdb.connect(str(database), config={**SETTINGS, "temp_directory": str(spill)})
    con.execute("set TimeZone = 'UTC'")
    con.execute(MACROS)
    return con


def run(raw_dir: Path, out_dir: Path, progress: Callable[[str], None] = print) -> dict[str, float]:
    """Compute every figure family from `raw_dir` into out_dir/plain_sql.duckdb and Parquet files."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    con = connect(out_dir)
    try:
        p = Pipeline(con, raw_dir, progress)
        with timed(timings, "load"):
            p.load_labels()
            p.load_projects()
            p.load_items()
            p.load_annotations()
            p.latest_judgements()
            p.load_gold()
            p.load_predictions()
            p.load_thresholds()
            p.item_truth()
            p.finish_rows()
        progress(
            f"plain_sql: loaded {p.count('annotations'):,} annotations, {p.count('predictions'):,} predictions "
            f"({p.count('rejected_rows'):,} rows rejected, {p.count('superseded_rows'):,} superseded) "
            f"in {timings['load']:.1f}s"
        )
        for name in FAMILIES[1:]:
            with timed(timings, name):
                getattr(p, name)()
            progress(f"plain_sql: {name} ({p.count(name):,} rows) in {timings[name]:.1f}s")
        for name in FAMILIES[1:]:
            con.execute(f"copy {name} to {_literal(str(out_dir / f'{name}.parquet'))} (format parquet)")
    finally:
        con.close()
    shutil.rmtree(out_dir / "duckdb_tmp", ignore_errors=True)
    (out_dir / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    return timings


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/plain_sql.py RAW_DIR OUT_DIR")
    run(Path(sys.argv[1]), Path(sys.argv[2]), progress=lambda m: print(m, flush=True))
