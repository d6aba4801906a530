"""A tiny, pinned shim that lets Great Expectations push expectations down to DuckDB as SQL.

GX 1.x has no DuckDB data source; through `duckdb-engine` its SQL data source computes every
metric as "list index out of range" (GX issues #10738, #11579): `execute_query` returns the
cursor result after the `with engine.connect()` block has closed the connection, and DuckDB
drops a closed connection's pending result. The fix is to buffer the rows (`Result.freeze()`)
before the connection closes. Nothing else is patched: regex expectations are not used (GX
would emit PostgreSQL's `~`, a full match in DuckDB); suites use DuckDB's `regexp_matches` in
`unexpected_rows_expectation` queries instead.

The shim is pinned to the GX version it was written against: any other version fails loudly
(`GxCompatError`), and tests/python/test_gates.py checks that metrics really come back.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

PINNED_GX_VERSION = "1.24.1"

_installed = False


class GxCompatError(RuntimeError):
    """The installed GX (or duckdb-engine) is not the version this shim was written for."""


def install() -> Any:
    """Import GX with analytics off, patch SQL result buffering once, and return the module."""
    global _installed
    # GX would otherwise send usage analytics on every context; builds never use the network.
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    # GX logs at INFO (temporary docs folders...) and dbt's logging setup would print it.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx

    # ... and GX sets its own logger levels on import: quiet them again afterwards.
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)
    from great_expectations.execution_engine import sqlalchemy_execution_engine as sql_engine

    if gx.__version__ != PINNED_GX_VERSION:
        raise GxCompatError(
            f"labelhouse's GX/DuckDB shim is pinned to great_expectations=={PINNED_GX_VERSION}, "
            f"found {gx.__version__}. Install the pinned version (requirements.lock) or re-check "
            "labelhouse/gx_compat.py against the new GX and update PINNED_GX_VERSION."
        )
    try:
        import duckdb_engine  # noqa: F401 - registers the duckdb:// SQLAlchemy dialect
    except ImportError as exc:
        raise GxCompatError("The gates need duckdb-engine (pinned in requirements.lock): pip install it.") from exc
    if _installed:
        return gx
    engine_cls = sql_engine.SqlAlchemyExecutionEngine
    if not hasattr(engine_cls, "_execute_query_with_recovery"):
        raise GxCompatError("GX's SqlAlchemyExecutionEngine changed shape; re-check labelhouse/gx_compat.py.")

    def execute_query(self: Any, query: Any) -> Any:
        # Same as GX's own method, except that rows are read before the connection closes.
        with self.get_connection() as connection:
            result = self._execute_query_with_recovery(connection, query)
            frozen = result.freeze() if result.returns_rows else None
        return frozen() if frozen is not None else result

    engine_cls.execute_query = execute_query
    _installed = True
    return gx


def connection_string(warehouse: Path) -> str:
    """A read-only duckdb-engine URL: the gates never write the file they audit."""
    return f"duckdb:///{Path(warehouse).resolve()}?access_mode=read_only"


def new_context() -> Any:
    """An ephemeral GX context (nothing written to disk) without progress bars."""
    gx = install()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    # GX re-serialises the whole project config to YAML after every data asset added (two per
    # table, ~10% of a mart gate); an ephemeral context's config lives in memory and nothing reads
    # the serialised copy back, so the save is skipped (the gate's results are unchanged).
    context._save_project_config = lambda *args, **kwargs: None
    return context


def release(datasource: Any) -> None:
    """Close every DuckDB connection GX opened for `datasource`, so the file can be written again.

    GX keeps two SQLAlchemy engines (the data source's and its execution engine's); DuckDB only
    lets the next writer (dbt, the publish step) in once both pools are closed.
    """
    datasource.get_execution_engine().engine.dispose()
    datasource.get_engine().dispose()
