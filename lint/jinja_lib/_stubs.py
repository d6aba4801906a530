"""Stub renderings of engine-specific macros, for linting only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_STUBS: dict[str, Callable[..., Any]] = {
    "raw_files": lambda entity: [f"raw/{entity}.csv"],
    "raw_file_columns": lambda path: [],
    "raw_file_format": lambda path: "csv",
    "raw_file_reader": lambda path, columns=None: "read_csv('raw.csv')",
    "raw_union": lambda entity, files=None: f"select source_file from raw_{entity}",
    "raw_row_number": lambda path: "row_number() over ()",
    "to_utc_timestamp": lambda expr: f"cast({expr} as timestamp)",
    "try_cast_to": lambda expr, type_: f"try_cast({expr} as {type_})",
    "json_record": lambda columns, prefix="": "to_json(raw_record)",
    "percentile_cont": lambda expr, fraction: f"quantile_cont({expr}, {fraction})",
    "epoch_seconds_between": lambda start, end: f"(epoch({end}) - epoch({start}))",
    "not_materialized": lambda: "",
    "date_spine_days": lambda start, end: f"(select {start} as day union all select {end} as day)",
}


def stub_for(name: str) -> Callable[..., Any]:
    return _STUBS.get(name, lambda *args, **kwargs: "null")
