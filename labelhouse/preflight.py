"""Structural checks on a raw directory before anything is built.

Row-level problems (a null key, an unknown label...) are for staging and the gates; here we stop
only on what makes a build impossible or meaningless: no raw directory, no annotations, a file
that cannot be read, a missing required column. Every message names the file and the column.

CSV files are read with the contract's dialect stated (var raw_csv_dialect, RFC 4180) and in
DuckDB's strict mode, every column, so an invalid UTF-8 byte anywhere is found here. When DuckDB
refuses a file, the file is read again in Python to say what is wrong in the user's terms (invalid
UTF-8 at line N, a row with too many fields, a quote left open, a truncated gzip stream) instead of
passing on DuckDB's message (its sniffer's message lists the encoding it tried, which is not the
problem). A file that is valid RFC 4180 except for mixed line endings (a header fixed by hand in an
editor, rows appended from another system) is accepted when DuckDB's lenient reader, the one the
dbt models use, reads exactly the rows the Python reading found.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from labelhouse.contract import (
    REQUIRED_ENTITIES,
    CsvDialect,
    csv_dialect,
    duckdb_csv_options,
    file_format,
    load_contract,
    raw_files,
)
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


def _reader_sql(path: Path, fmt: str, strict: bool = True, dialect: CsvDialect | None = None) -> str:
    quoted = "'" + str(path).replace("'", "''") + "'"
    if fmt == "parquet":
        return f"read_parquet({quoted})"
    if fmt == "jsonl":
        return f"read_json({quoted}, format = 'newline_delimited')"
    options = duckdb_csv_options(dialect or csv_dialect())
    return f"read_csv({quoted}, {options}, strict_mode = {'true' if strict else 'false'})"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Unreadable(Exception):
    """Why a raw file cannot be read, in the user's terms (the text after 'cannot be read as fmt: ')."""


# --------------------------------------------------------------------------------------------
# DuckDB's message, when nothing more precise is known
# --------------------------------------------------------------------------------------------

_LINE = re.compile(r"\bLine:? (\d+)", re.IGNORECASE)
_ERROR_PREFIX = re.compile(r"^[A-Za-z ]*Error: ")
_CSV_DESCRIPTIONS = (
    "Expected Number of Columns",
    "Value with unterminated quote",
    "Maximum line size",
    "state machine reached an invalid state",
)


def explain_read_error(message: str, fmt: str = "csv", path: Path | None = None, valid_utf8: bool = False) -> str:
    """DuckDB's reader error, said in the user's terms, with its line when DuckDB gives one.
    `valid_utf8`: the file was decoded in Python, so it is never called invalid UTF-8.

    Only DuckDB's own phrases are matched, never the whole message: the message also holds the
    file's path, and a sniffer failure lists the encoding it tried ("Encoding: utf-8"), so words
    such as 'truncated' or 'utf-8' in it prove nothing.
    """
    text = message if path is None else message.replace(str(path), path.name)
    lowered = text.lower()
    line = _LINE.search(text)
    where = f" (line {line.group(1)})" if line else ""
    if fmt == "parquet" and (
        "no magic bytes found at end of file" in lowered or "too small to be a parquet" in lowered
    ):
        return "the Parquet file is truncated or not Parquet at all (no Parquet footer): re-export or re-copy it"
    if not valid_utf8 and ("invalid unicode" in lowered or "invalid utf-8" in lowered):
        return f"the file is not valid UTF-8{where}: re-export it as UTF-8"
    if "unexpected end of gzip stream" in lowered:
        return "the gzip file is truncated (its compressed data ends abruptly): copy it again or re-export it"
    if "is not a gzip stream" in lowered:
        return "the file is named .gz but is not gzip-compressed: rename it, or compress it with gzip"
    if "error when sniffing file" in lowered:
        return "DuckDB could not read it as the contract's CSV (RFC 4180: comma-separated, \" quotes, a header row)"
    lines = [_ERROR_PREFIX.sub("", s).strip() for s in text.strip().splitlines()]
    described = next((s for s in lines if any(d.lower() in s.lower() for d in _CSV_DESCRIPTIONS)), None)
    first = described or next((s for s in lines if s and not s.startswith(("CSV Error on Line", "Original Line"))), "")
    if fmt == "jsonl":
        return f"the file is not valid newline-delimited JSON{where}: {first}"
    return first + where


# --------------------------------------------------------------------------------------------
# Reading the file in Python, to say exactly what is wrong
# --------------------------------------------------------------------------------------------

_GZIP_MAGIC = b"\x1f\x8b"
_LONE_CR = re.compile(rb"(?<=\r)(?!\n)")
_MAX_FIELD = 1 << 30


def _wrong_kind(path: Path, fmt: str) -> str | None:
    """A file whose bytes are another format than its name says."""
    with path.open("rb") as f:
        head = f.read(4)
    if path.name.endswith(".gz"):
        if head and not head.startswith(_GZIP_MAGIC):
            return "the file is named .csv.gz but is not gzip-compressed: rename it to .csv, or compress it with gzip"
        return None
    if head.startswith(_GZIP_MAGIC):
        if fmt == "csv":
            return "the file is gzip-compressed but named .csv: rename it to .csv.gz"
        return f"the file is gzip-compressed but named .{fmt}: decompress it"
    if head == b"PAR1":
        return f"the file is Parquet but named .{fmt}: rename it to .parquet"
    return None


def _check_gzip(path: Path) -> None:
    """Decompress the whole file; a stream cut short or corrupt is reported with the last whole line."""
    lines = 0
    try:
        with gzip.open(path, "rb") as f:
            while chunk := f.read1(1 << 16):  # read1: keep what was decompressed before the end
                lines += chunk.count(b"\n")
    except EOFError:
        where = f"after line {lines}" if lines else "before the end of its first line"
        raise Unreadable(
            f"the gzip file is truncated: its compressed data ends abruptly {where} "
            "(a copy or download cut short): copy it again or re-export it"
        ) from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise Unreadable(
            f"the gzip data is corrupt after line {lines} ({exc}): copy it again or re-export it"
        ) from None


def _not_utf8(piece: bytes, exc: UnicodeDecodeError, line: int) -> str:
    bad = piece[exc.start : exc.end]
    column = len(piece[: exc.start].decode("utf-8")) + 1
    hint = ""
    if line == 1 and piece.startswith((b"\xff\xfe", b"\xfe\xff")):
        hint = "; it starts with a UTF-16 byte-order mark, so it is probably UTF-16"
    else:
        try:
            as_cp1252 = bad.decode("cp1252")
        except UnicodeDecodeError:
            as_cp1252 = ""
        if as_cp1252.isprintable() and as_cp1252:
            hint = f", which is '{as_cp1252}' in Windows-1252/Latin-1, the file's likely encoding"
    return (
        f"the file is not valid UTF-8 (line {line}, column {column}: byte 0x{bad.hex().upper()}{hint}): "
        "re-export it as UTF-8"
    )


def _ending(piece: bytes) -> str | None:
    for kind, terminator in (("CRLF", b"\r\n"), ("LF", b"\n"), ("CR", b"\r")):
        if piece.endswith(terminator):
            return kind
    return None


def _lines(path: Path, endings: dict[str, int], split_cr: bool) -> Iterator[str]:
    """The file's lines, decoded, each with its terminator. Raises Unreadable at the first invalid
    UTF-8 byte. Lines end at LF, CRLF and (with split_cr) a lone CR, as in a text editor; `endings`
    gets the first line number of each kind of terminator."""
    number = 0
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as stream:
        for chunk in stream:
            pieces = [p for p in _LONE_CR.split(chunk) if p] if split_cr and b"\r" in chunk[:-2] else [chunk]
            for piece in pieces:
                number += 1
                try:
                    text = piece.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise Unreadable(_not_utf8(piece, exc, number)) from None
                if number == 1:
                    text = text.removeprefix("\ufeff")
                if kind := _ending(piece):
                    endings.setdefault(kind, number)
                yield text


@dataclass
class CsvReading:
    """The file as the contract's CSV dialect reads it, in Python."""

    header: list[str]
    n_rows: int
    value_bytes: list[int]  # per column: UTF-8 bytes of all its values
    endings: dict[str, int]  # line terminator -> first line ending with it

    def describe_endings(self) -> str:
        return ", ".join(f"{kind} from line {line}" for kind, line in sorted(self.endings.items(), key=lambda e: e[1]))


def _csv_problem(error: str, start: int, line: int) -> str:
    if "expected after" in error:
        return (
            f"line {line}: a quoted value is followed by other characters before the next comma "
            '(a quote inside a quoted value must be doubled: "")'
        )
    if "unexpected end of data" in error:
        return (
            f"the row that starts on line {start} opens a quoted value that is never closed "
            '(a quote inside a quoted value must be doubled: "")'
        )
    return f"line {line}: {error}"


def read_csv_strictly(path: Path, dialect: CsvDialect | None = None) -> CsvReading:
    """Read a CSV file with the contract's dialect (var raw_csv_dialect, RFC 4180: comma, `"` quotes
    doubled inside a value, a header row), in Python. Raises Unreadable with the first problem and
    its line."""
    dialect = dialect or csv_dialect()
    if problem := _wrong_kind(path, "csv"):
        raise Unreadable(problem)
    if path.name.endswith(".gz"):
        _check_gzip(path)
    endings: dict[str, int] = {}
    doubled = dialect.escape == dialect.quote
    reader = csv.reader(
        _lines(path, endings, split_cr=True),
        delimiter=dialect.delimiter,
        quotechar=dialect.quote,
        doublequote=doubled,
        escapechar=None if doubled else dialect.escape,
        strict=True,
    )
    header: list[str] | None = None
    sizes: list[int] = []
    n_rows = consumed = 0
    limit = csv.field_size_limit(_MAX_FIELD)
    try:
        while True:
            start = consumed + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise Unreadable(_csv_problem(str(exc), start, reader.line_num)) from None
            consumed = reader.line_num
            if not record:  # a blank line: DuckDB skips it too
                continue
            if header is None:
                header, sizes = record, [0] * len(record)
                continue
            if len(record) != len(header):
                raise Unreadable(
                    f"line {start} has {len(record)} fields but the header has {len(header)} "
                    "(a value with an unquoted comma, or a field missing or added)"
                )
            n_rows += 1
            for i, value in enumerate(record):
                sizes[i] += len(value.encode("utf-8"))
    finally:
        csv.field_size_limit(limit)
    return CsvReading(header or [], n_rows, sizes, endings)


def _check_jsonl(path: Path) -> None:
    """Raise Unreadable at the first line that is not UTF-8 or not JSON."""
    if problem := _wrong_kind(path, "jsonl"):
        raise Unreadable(problem)
    for number, text in enumerate(_lines(path, {}, split_cr=False), start=1):
        if not text.strip():
            continue
        try:
            json.loads(text.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            raise Unreadable(
                f"the file is not valid newline-delimited JSON: line {number}, column {exc.colno}: {exc.msg}"
            ) from None


# --------------------------------------------------------------------------------------------
# Inspecting one file
# --------------------------------------------------------------------------------------------


def _read(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, strict: bool = True, dialect: CsvDialect | None = None
) -> tuple[list[str], int]:
    reader = _reader_sql(path, fmt, strict, dialect)
    columns = [row[0] for row in con.sql(f"describe select * from {reader}").fetchall()]
    # count(column) for every CSV column: DuckDB checks the UTF-8 of the values it reads, and
    # count(*) alone reads none past the sniffer's sample
    counted = ", ".join(f"count({_ident(c)})" for c in columns) if fmt == "csv" else ""
    n_rows = con.execute(f"select count(*){', ' if counted else ''}{counted} from {reader}").fetchall()[0][0]  # type: ignore[index]
    return columns, int(n_rows)


def _read_rescued_csv(
    con: duckdb.DuckDBPyConnection, path: Path, message: str, dialect: CsvDialect | None = None
) -> tuple[list[str], int]:
    """DuckDB's strict reader refused a CSV: say why, or accept it if it is valid RFC 4180 that only
    strict mode refuses (mixed line endings) and the lenient reader reads exactly the same rows."""
    reading = read_csv_strictly(path, dialect)
    reader = _reader_sql(path, "csv", strict=False, dialect=dialect)
    try:
        columns = [row[0] for row in con.sql(f"describe select * from {reader}").fetchall()]
        sizes = ", ".join(f"coalesce(sum(strlen({_ident(c)})), 0)" for c in columns)
        got = con.execute(f"select count(*), {sizes} from {reader}").fetchall()[0]  # type: ignore[index]
    except duckdb.Error as exc:
        message, got, columns = str(exc), None, []
    if got is not None and len(columns) == len(reading.header) and list(got) == [reading.n_rows, *reading.value_bytes]:
        return columns, reading.n_rows
    if len(reading.endings) > 1:
        raise Unreadable(
            f"the file mixes line endings ({reading.describe_endings()}) and DuckDB cannot read it "
            "consistently: save it with one kind of line ending (e.g. dos2unix)"
        )
    raise Unreadable(explain_read_error(message, "csv", path, valid_utf8=True))


def inspect_file(con: duckdb.DuckDBPyConnection, entity: str, path: Path, dialect: CsvDialect | None = None) -> RawFile:
    fmt = file_format(path)
    try:
        try:
            columns, n_rows = _read(con, path, fmt, dialect=dialect)
        except duckdb.Error as exc:
            if fmt == "csv":
                columns, n_rows = _read_rescued_csv(con, path, str(exc), dialect)
            else:
                if fmt == "jsonl":
                    _check_jsonl(path)
                raise Unreadable(explain_read_error(str(exc), fmt, path, valid_utf8=fmt == "jsonl")) from None
    except Unreadable as problem:
        raise PreflightError(
            f"Raw export file '{path.name}' ({entity}) cannot be read as {fmt}: {problem}\n"
            f"Fix or remove the file; see 'The raw export contract' in README.md."
        ) from None
    return RawFile(entity, path, fmt, columns, n_rows)


def preflight(raw_dir: Path, project_dir: Path | None = None) -> PreflightReport:
    """Check the raw directory's structure against the contract of the dbt project in `project_dir`
    (default: labelhouse.paths.PROJECT_ROOT); raise PreflightError naming the file and column."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise PreflightError(f"Raw directory '{raw_dir}' does not exist.")
    contract = load_contract(project_dir)
    dialect = csv_dialect(project_dir)
    report = PreflightReport()
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        for entity, spec in contract.items():
            for path in raw_files(raw_dir, entity):
                raw = inspect_file(con, entity, path, dialect)
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
