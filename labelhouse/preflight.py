"""Structural checks on a raw directory before anything is built.

Row-level problems (a null key, an unknown label...) are for staging and the gates; here we stop
only on what makes a build impossible or meaningless: no raw directory, no annotations, a file
that cannot be read, a missing required column. Every message names the file and the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from labelhouse.contract import REQUIRED_ENTITIES, file_format, load_contract, raw_files
from labelhouse.errors import PreflightError


@dataclass
class RawFile:
    entity: str
    path: Path
    fmt: str
    columns: list[str]
    n_rows: int


@dataclass
class PreflightReport:
    files: list[RawFile] = field(default_factory=list)

    def rows(self, entity: str) -> int:
        return sum(f.n_rows for f in self.files if f.entity == entity)


def _reader_sql(path: Path, fmt: str) -> str:
    quoted = "'" + str(path).replace("'", "''") + "'"
    if fmt == "parquet":
        return f"read_parquet({quoted})"
    if fmt == "jsonl":
        return f"read_json({quoted}, format = 'newline_delimited')"
    return f"read_csv({quoted}, header = true, all_varchar = true)"


_LINE = re.compile(r"Line:? (\d+)", re.IGNORECASE)


def explain_read_error(message: str, fmt: str = "csv") -> str:
    """DuckDB's reader error, said in the user's terms (encoding, truncation), with its line."""
    lowered = message.lower()
    line = _LINE.search(message)
    where = f" (line {line.group(1)})" if line else ""
    if "unicode" in lowered or "utf-8" in lowered or "utf8" in lowered or "byte sequence" in lowered:
        return f"the file is not valid UTF-8{where}: re-export it as UTF-8"
    if "magic bytes" in lowered or "truncated" in lowered or "too small to be a parquet" in lowered:
        return "the Parquet file is truncated or not Parquet at all (no Parquet footer): re-export or re-copy it"
    if fmt == "jsonl":
        return f"the file is not valid newline-delimited JSON{where}: {message.strip().splitlines()[0]}"
    return message.strip().splitlines()[0] + where


def inspect_file(con: duckdb.DuckDBPyConnection, entity: str, path: Path) -> RawFile:
    fmt = file_format(path)
    reader = _reader_sql(path, fmt)
    try:
        columns = [row[0] for row in con.sql(f"describe select * from {reader}").fetchall()]
        n_rows = con.execute(f"select count(*) from {reader}").fetchall()[0][0]  # type: ignore[index]
    except duckdb.Error as exc:
        raise PreflightError(
            f"Raw export file '{path.name}' ({entity}) cannot be read as {fmt}: {explain_read_error(str(exc), fmt)}\n"
            f"Fix or remove the file; see 'The raw export contract' in README.md."
        ) from None
    return RawFile(entity, path, fmt, columns, int(n_rows))


def preflight(raw_dir: Path) -> PreflightReport:
    """Check the raw directory's structure; raise PreflightError naming the file and column."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise PreflightError(f"Raw directory '{raw_dir}' does not exist.")
    contract = load_contract()
    report = PreflightReport()
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        for entity, spec in contract.items():
            for path in raw_files(raw_dir, entity):
                raw = inspect_file(con, entity, path)
                found = {c.strip().lower() for c in raw.columns}
                missing = [c for c in spec.required if c not in found]
                if missing:
                    raise PreflightError(
                        f"Raw export file '{path.name}' ({entity}) has no required column "
                        f"'{missing[0]}'"
                        + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else "")
                        + f".\nRequired columns for {entity}: {', '.join(spec.required)}."
                        + f"\nColumns found: {', '.join(raw.columns)}."
                    )
                report.files.append(raw)
    finally:
        con.close()
    for entity in REQUIRED_ENTITIES:
        files = [f for f in report.files if f.entity == entity]
        if not files:
            raise PreflightError(
                f"No {entity} export in '{raw_dir}': expected files named {entity}*.csv, "
                f"{entity}*.csv.gz, {entity}*.jsonl or {entity}*.parquet."
            )
        if report.rows(entity) == 0:
            names = ", ".join(f.path.name for f in files)
            raise PreflightError(f"The {entity} export is empty: {names} hold no rows.")
    return report
