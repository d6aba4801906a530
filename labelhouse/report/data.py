"""Run a page's named queries read-only on the warehouse and turn the rows into JSON-ready data."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from labelhouse.report.pages import ReportPageError

# The most rows one page query may ship into a page (the page carries its data). A query that
# returns more fails the render, naming the page, the query and its row count: a chart or table
# of more rows needs a chart-sized rpt_ model (models/marts/reporting), never a silent cut.
MAX_ROWS = 20_000


@dataclass
class Dataset:
    name: str
    columns: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)  # column -> temporal|quantitative|nominal|boolean
    rows: list[list[Any]] = field(default_factory=list)
    date_column: str | None = None
    missing: str | None = None  # why the query could not run (a table not in this warehouse)

    @property
    def available(self) -> bool:
        return self.missing is None

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]

    def first(self) -> dict[str, Any]:
        return dict(zip(self.columns, self.rows[0], strict=True)) if self.rows else {}


def _kind(type_name: str) -> str:
    t = type_name.upper()
    if t.startswith(("DATE", "TIMESTAMP")):
        return "temporal"
    if t == "BOOLEAN":
        return "boolean"
    if t.startswith(
        (
            "TINYINT",
            "SMALLINT",
            "INTEGER",
            "BIGINT",
            "HUGEINT",
            "UBIGINT",
            "UINTEGER",
            "USMALLINT",
            "UTINYINT",
            "DOUBLE",
            "FLOAT",
            "REAL",
            "DECIMAL",
            "UHUGEINT",
        )
    ):
        return "quantitative"
    return "nominal"


def _json_value(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, dt.datetime):
        # Naive UTC in the warehouse: say so, so browsers do not read it as local time.
        return v.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    return str(v)


_MISSING_TABLE = re.compile(
    r"Table with name (\S+) does not exist|Catalog \"?(\w+)\"? does not exist|"
    r"Schema with name (\S+) does not exist",
    re.I,
)


def run_query(con: duckdb.DuckDBPyConnection, name: str, sql: str, where: str) -> Dataset:
    """Rows of one named query; a table missing from the warehouse gives an unavailable Dataset.

    More than MAX_ROWS rows is a ReportPageError that names `where` (the page), the query and
    its row count."""
    try:
        cur = con.execute(sql)
        description = cur.description or []
        raw = cur.fetchmany(MAX_ROWS + 1)
    except duckdb.CatalogException as exc:
        m = _MISSING_TABLE.search(str(exc))
        what = next((g for g in m.groups() if g), None) if m else None
        what = (what or "a table it reads").strip('"')
        return Dataset(name, missing=f"{what} has not been built in this warehouse")
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise ReportPageError(f"{where}: query '{name}' failed: {first}") from None
    if len(raw) > MAX_ROWS:
        (n_rows,) = con.execute(f"select count(*) from ({sql}) as page_query").fetchone()
        raise ReportPageError(
            f"{where}: query '{name}' returns {n_rows:,} rows, more than the {MAX_ROWS:,} a page query may ship:"
            " aggregate or thin them in a reporting model (models/marts/reporting/rpt_*) and select from it"
        )
    columns = [d[0] for d in description]
    kinds = {d[0]: _kind(str(d[1])) for d in description}
    rows = [[_json_value(v) for v in r] for r in raw]
    date_column = next((c for c in columns if kinds[c] == "temporal"), None)
    return Dataset(name, columns, kinds, rows, date_column, None)
