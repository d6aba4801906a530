"""Lint-time stand-in for dbt's cross-database macros (`dbt.date_trunc`, ...)."""

from __future__ import annotations

from typing import Any


def date_trunc(datepart: str, date: str) -> str:
    return f"date_trunc('{datepart}', {date})"


def safe_cast(field: str, type_: str) -> str:
    return f"try_cast({field} as {type_})"


def dateadd(datepart: str, interval: Any, from_date_or_timestamp: str) -> str:
    return f"({from_date_or_timestamp} + interval {interval} {datepart})"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def concat(fields: list[str]) -> str:
    return "concat(" + ", ".join(fields) + ")"


def type_string() -> str:
    return "varchar"


def type_float() -> str:
    return "double"


def type_int() -> str:
    return "integer"


def type_bigint() -> str:
    return "bigint"


def type_timestamp() -> str:
    return "timestamp"


def hash(field: str) -> str:  # noqa: A001 (dbt's name)
    return f"md5(cast({field} as varchar))"
