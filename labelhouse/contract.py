"""The raw export contract, read from dbt_project.yml (var `raw_contract`): one source of truth."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from labelhouse.paths import PROJECT_ROOT

RAW_SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".parquet")
REQUIRED_ENTITIES = ("annotations",)

#: How the preflight's DuckDB reader reads a CSV beyond its dialect: a header row (the contract
#: names columns), nothing skipped, no comment lines, every value text, a row with a missing field an
#: error (never padded). The dbt reader (macro duckdb__raw_file_reader) states the same;
#: tests/python/test_csv_messages.py keeps them equal.
CSV_READ_POLICY = "header = true, skip = 0, comment = '', all_varchar = true, null_padding = false"


@functools.cache
def dbt_vars(project_dir: Path | None = None) -> dict[str, Any]:
    """The vars of the dbt project's dbt_project.yml, read once per project (the contract, the CSV
    dialect, the gates' reasons and parameters and the report pages all read them). project_dir:
    the dbt project (default: labelhouse.paths.PROJECT_ROOT)."""
    project = yaml.safe_load((Path(project_dir or PROJECT_ROOT) / "dbt_project.yml").read_text())
    return dict(project["vars"])


@dataclass(frozen=True)
class CsvDialect:
    """The contract's CSV dialect (var `raw_csv_dialect`, RFC 4180 by default)."""

    delimiter: str
    quote: str
    escape: str


@functools.cache
def csv_dialect(project_dir: Path | None = None) -> CsvDialect:
    """The CSV dialect of the dbt project in `project_dir` (default: labelhouse.paths.PROJECT_ROOT),
    var `raw_csv_dialect`: stated to every reader, never sniffed (DuckDB's sniffer decides the quote
    character from the first rows, so a file whose first quoted value comes late would be misread)."""
    d = dbt_vars(project_dir)["raw_csv_dialect"]
    return CsvDialect(str(d["delimiter"]), str(d["quote"]), str(d["escape"]))


def duckdb_csv_options(dialect: CsvDialect) -> str:
    """DuckDB read_csv options for `dialect` and CSV_READ_POLICY."""

    def lit(c: str) -> str:
        return "'" + c.replace("'", "''") + "'"

    return (
        f"delim = {lit(dialect.delimiter)}, quote = {lit(dialect.quote)}, escape = {lit(dialect.escape)}, "
        f"{CSV_READ_POLICY}"
    )


@dataclass(frozen=True)
class EntityContract:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


@functools.cache
def load_contract(project_dir: Path | None = None) -> dict[str, EntityContract]:
    """The raw export contract of the dbt project in `project_dir` (default: labelhouse.paths.PROJECT_ROOT)."""
    raw = dbt_vars(project_dir)["raw_contract"]
    return {
        name: EntityContract(name, tuple(spec["required"]), tuple(spec.get("optional") or ()))
        for name, spec in raw.items()
    }


def raw_files(raw_dir: Path, entity: str) -> list[Path]:
    """The files of one entity in raw_dir, sorted, as the dbt macro `raw_files` finds them."""
    pattern = re.compile(re.escape(entity) + r".*\.(csv|csv\.gz|jsonl|parquet)$")
    return sorted(p for p in Path(raw_dir).iterdir() if p.is_file() and pattern.fullmatch(p.name))


def file_format(path: Path) -> str:
    name = path.name
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".jsonl"):
        return "jsonl"
    return "csv"
