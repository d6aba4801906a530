"""Staging (a scratch DuckDB file) and the export SQL of every raw file."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from labelhouse.demo.constants import PLUS7
from labelhouse.demo.defects import (
    ALL_LABELS,
    ANNOTATION_DEFECTS,
    BAD_DECIDED_BY,
    BAD_SCORES,
    BAD_TIMESTAMPS,
    DECISION_DEFECTS,
    PREDICTION_DEFECTS,
    _defect_code,
)
from labelhouse.demo.files import ANNOTATION_FILES, FILE_REEXPORT, TZ_NAIVE, TZ_PLUS7, TZ_Z
from labelhouse.demo.items import _market_codes
from labelhouse.demo.moderation import ACTIONS
from labelhouse.demo.predictions import MODEL_RUNS
from labelhouse.demo.scenarios import GUIDELINE_CHANGE_AT, GUIDELINE_PROJECT, GUIDELINE_VERSIONS
from labelhouse.demo.world import CONTENT_TYPES, LANGUAGE_VARIANTS, LANGUAGES, PROJECTS, TEXTS, UNKNOWN_PROJECT

STAGING_TABLES: dict[str, str] = {
    "items": "seq BIGINT, item_num BIGINT, project SMALLINT, created BIGINT, lang_raw SMALLINT, market SMALLINT, "
    "content SMALLINT, priority SMALLINT, text SMALLINT, true_label SMALLINT, defect SMALLINT",
    "ann": "seq BIGINT, ann_num BIGINT, item_num BIGINT, project SMALLINT, annotator SMALLINT, label SMALLINT, "
    "started BIGINT, submitted BIGINT, confidence DOUBLE, lang SMALLINT, file SMALLINT, defect SMALLINT",
    "ann_re": "seq BIGINT, ann_num BIGINT, item_num BIGINT, project SMALLINT, annotator SMALLINT, label SMALLINT, "
    "started BIGINT, submitted BIGINT, confidence DOUBLE, lang SMALLINT, file SMALLINT, defect SMALLINT",
    "preds": "seq BIGINT, item_num BIGINT, version SMALLINT, label SMALLINT, score DOUBLE, predicted BIGINT, "
    "defect SMALLINT",
    "gold": "seq BIGINT, item_num BIGINT, label SMALLINT, project SMALLINT, source SMALLINT, labelled BIGINT, "
    "defect SMALLINT",
    "decisions": "seq BIGINT, dec_num BIGINT, item_num BIGINT, action SMALLINT, label SMALLINT, decided BIGINT, "
    "automated BOOLEAN, appealed BIGINT, outcome SMALLINT, defect SMALLINT",
}


class _Stage:
    """A scratch DuckDB database holding the generated rows as compact codes."""

    def __init__(self, path: Path, temp_dir: Path) -> None:
        self.con = duckdb.connect(str(path))
        # One thread: DuckDB's multi-threaded writers do not produce byte-identical files.
        self.con.execute("SET threads = 1")
        self.con.execute("SET memory_limit = '768MB'")
        self.con.execute("SET preserve_insertion_order = true")
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute(f"SET temp_directory = {_sql_str(str(temp_dir))}")
        self.sizes: dict[str, int] = {}
        for name, columns in STAGING_TABLES.items():
            self.con.execute(f"CREATE TABLE {name} ({columns})")
            self.sizes[name] = 0

    def append(self, table: str, rows: pd.DataFrame) -> None:
        """Append rows, numbering them with a per-table sequence (the `seq` column)."""
        if rows.empty:
            return
        rows = rows.assign(seq=self.sizes[table] + np.arange(len(rows), dtype=np.int64))
        self.con.register("_chunk", rows)
        self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _chunk")
        self.con.unregister("_chunk")
        self.sizes[table] += len(rows)

    def close(self) -> None:
        self.con.close()


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values: Sequence[str]) -> str:
    """A DuckDB list literal, indexed 1-based: `{list}[code + 1]`."""
    return "[" + ", ".join(_sql_str(v) for v in values) + "]"


def _ts_sql(column: str, style: int) -> str:
    """ISO-8601 text of an epoch-seconds column in one timestamp style."""
    shift = f" + {PLUS7}" if style == TZ_PLUS7 else ""
    text = f"strftime(make_timestamp(({column}{shift})::BIGINT * 1000000), '%Y-%m-%dT%H:%M:%S')"
    suffix = {TZ_Z: " || 'Z'", TZ_PLUS7: " || '+07:00'", TZ_NAIVE: ""}[style]
    return text + suffix


def _ts_mixed_sql(column: str, styles: Sequence[int], key: str) -> str:
    """Timestamp text whose style rotates with `key` (a row number) over `styles`."""
    if len(styles) == 1:
        return _ts_sql(column, styles[0])
    cases = " ".join(f"WHEN {i} THEN {_ts_sql(column, s)}" for i, s in enumerate(styles))
    return f"CASE {key} % {len(styles)} {cases} END"


def _item_id_sql(column: str) -> str:
    return f"'itm_' || lpad({column}::VARCHAR, 8, '0')"


def _annotation_select(file_index: int, slice_sql: str = "") -> str:
    """Rows of one annotation file; `slice_sql` (LIMIT / OFFSET) splits an oversized text file."""
    spec = ANNOTATION_FILES[file_index]
    d = {k: _defect_code(ANNOTATION_DEFECTS, k) for k in ANNOTATION_DEFECTS}

    def ts(column: str) -> str:
        return _ts_mixed_sql(column, spec.tz_styles, "ann_num")

    table = "ann_re" if file_index == FILE_REEXPORT else "ann"
    return f"""
        SELECT
            CASE WHEN defect = {d["null_annotation_id"]} THEN NULL
                 ELSE 'ann_' || lpad(ann_num::VARCHAR, 9, '0') END AS annotation_id,
            CASE WHEN defect = {d["blank_item_id"]} THEN '   ' ELSE {_item_id_sql("item_num")} END AS item_id,
            {_sql_list([p.project_id for p in PROJECTS] + [UNKNOWN_PROJECT])}[project + 1] AS project_id,
            'rater_' || lpad((annotator + 1)::VARCHAR, 3, '0') AS annotator_id,
            {_sql_list(ALL_LABELS)}[label + 1] AS label,
            {ts("started")} AS started_at,
            CASE WHEN defect = {d["unparsable_submitted_at"]}
                 THEN {_sql_list(BAD_TIMESTAMPS)}[ann_num % {len(BAD_TIMESTAMPS)} + 1]
                 ELSE {ts("submitted")} END AS submitted_at,
            {_sql_list(LANGUAGES)}[lang + 1] AS language,
            confidence,
            {ts(str(spec.exported_at))} AS exported_at,
            CASE WHEN project = {GUIDELINE_PROJECT} AND submitted >= {GUIDELINE_CHANGE_AT}
                 THEN '{GUIDELINE_VERSIONS[1]}' ELSE '{GUIDELINE_VERSIONS[0]}' END AS guideline_version,
        FROM {table}
        WHERE file = {file_index}
        ORDER BY submitted, ann_num, defect, seq
        {slice_sql}
    """


def _items_select() -> str:
    raw_languages = list(LANGUAGES) + [v for variants in LANGUAGE_VARIANTS for v in variants]
    texts = [t for per_language in TEXTS for t in per_language]
    return f"""
        SELECT
            CASE WHEN defect = 1 THEN NULL ELSE {_item_id_sql("item_num")} END AS item_id,
            {_sql_list([p.project_id for p in PROJECTS])}[project + 1] AS project_id,
            {_ts_sql("created", TZ_Z)} AS created_at,
            {_sql_list(raw_languages)}[lang_raw + 1] AS language,
            {_sql_list(_market_codes())}[market + 1] AS market,
            {_sql_list(CONTENT_TYPES)}[content + 1] AS content_type,
            priority::INTEGER AS priority,
            {_sql_list(texts)}[text + 1] AS text,
        FROM items
        ORDER BY item_num, defect, seq
    """


def _predictions_select(version: int) -> str:
    """Rows of one model version's file; `version` indexes MODEL_RUNS."""
    d = {k: _defect_code(PREDICTION_DEFECTS, k) for k in PREDICTION_DEFECTS}
    bad_scores = "[" + ", ".join(str(s) for s in BAD_SCORES) + "]"
    return f"""
        SELECT
            {_sql_str(MODEL_RUNS[version].model_name)} AS model_name,
            {_sql_str(MODEL_RUNS[version].version)} AS model_version,
            {_item_id_sql("item_num")} AS item_id,
            {_sql_list(ALL_LABELS)}[label + 1] AS label,
            CASE WHEN defect = {d["null_score"]} THEN NULL
                 WHEN defect = {d["score_out_of_range"]} THEN {bad_scores}[seq % {len(BAD_SCORES)} + 1]
                 ELSE score END AS score,
            {_ts_sql("predicted", TZ_Z)} AS predicted_at,
        FROM preds
        WHERE version = {version}
        ORDER BY item_num, label, seq
    """


def _gold_select(source: int) -> str:
    return f"""
        SELECT
            {_item_id_sql("item_num")} AS item_id,
            {_sql_list(ALL_LABELS)}[label + 1] AS label,
            {_sql_list([p.project_id for p in PROJECTS])}[project + 1] AS project_id,
            {_sql_str(("honeypot", "expert")[source])} AS source,
            {_ts_sql("labelled", TZ_Z)} AS labelled_at,
        FROM gold
        WHERE source = {source}
        ORDER BY item_num, seq
    """


def _decisions_select() -> str:
    d = {k: _defect_code(DECISION_DEFECTS, k) for k in DECISION_DEFECTS}
    styles = (TZ_Z, TZ_PLUS7)
    return f"""
        SELECT
            'dec_' || lpad(dec_num::VARCHAR, 8, '0') AS decision_id,
            {_item_id_sql("item_num")} AS item_id,
            {_sql_list(ACTIONS)}[action + 1] AS action,
            {_sql_list(ALL_LABELS)}[label + 1] AS label,
            CASE WHEN defect = {d["unparsable_decided_at"]}
                 THEN {_sql_list(BAD_TIMESTAMPS)}[dec_num % {len(BAD_TIMESTAMPS)} + 1]
                 ELSE {_ts_mixed_sql("decided", styles, "dec_num")} END AS decided_at,
            CASE WHEN defect = {d["invalid_decided_by"]}
                 THEN {_sql_list(BAD_DECIDED_BY)}[dec_num % {len(BAD_DECIDED_BY)} + 1]
                 WHEN automated THEN 'automated' ELSE 'human' END AS decided_by,
            CASE WHEN appealed < 0 THEN NULL ELSE {_ts_mixed_sql("appealed", styles, "dec_num")} END AS appealed_at,
            CASE outcome WHEN 1 THEN 'upheld' WHEN 2 THEN 'overturned' END AS appeal_outcome,
        FROM decisions
        ORDER BY dec_num, seq
    """


def _copy(con: duckdb.DuckDBPyConnection, select: str, path: Path, fmt: str) -> int:
    """Write a query to one file; returns the row count. gzip is done here (mtime 0)."""
    if fmt == "csv.gz":
        plain = path.with_name(path.name[: -len(".gz")] + ".tmp")
        rows = _copy(con, select, plain, "csv")
        with plain.open("rb") as src, path.open("wb") as raw, gzip.GzipFile("", "wb", 6, raw, mtime=0) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        plain.unlink()
        return rows
    options = {
        "parquet": "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000",
        "csv": "FORMAT csv, HEADER true",
        "jsonl": "FORMAT json",
    }[fmt]
    result = con.execute(f"COPY ({select}) TO {_sql_str(str(path))} ({options})").fetchone()
    return int(result[0]) if result else 0
