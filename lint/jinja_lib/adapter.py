"""Lint-time stand-in for dbt's `adapter` in sqlfluff's jinja templater.

sqlfluff renders models without a database, so `adapter.dispatch(...)` returns a stub that
renders plausible SQL of the right shape. Only used by `make lint`; dbt never sees this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from _stubs import stub_for


def dispatch(macro_name: str, macro_namespace: str | None = None) -> Callable[..., Any]:
    return stub_for(macro_name)


def quote(identifier: str) -> str:
    return f'"{identifier}"'


def type() -> str:  # noqa: A001 - mirrors adapter.type()
    return "duckdb"
