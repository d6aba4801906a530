"""Where things live: the dbt project root and the default locations under it."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = PROJECT_ROOT / "data" / "demo" / "raw"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "labelhouse.duckdb"
DEFAULT_REPORT_DIR = PROJECT_ROOT / "reports" / "build"
