"""Where things live: the dbt project root and the default locations under it."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = PROJECT_ROOT / "data" / "demo" / "raw"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "labelhouse.duckdb"
DEFAULT_REPORT_DIR = PROJECT_ROOT / "reports" / "build"


def default_report_dir(warehouse: Path) -> Path:
    """Where the report site of `warehouse` goes by default: reports/build for the project's own
    warehouse (what `make build` prints), else a `report` folder beside the warehouse, so a build
    of another warehouse never overwrites the site of the project's."""
    if Path(warehouse).resolve() == DEFAULT_WAREHOUSE.resolve():
        return DEFAULT_REPORT_DIR
    return Path(warehouse).resolve().parent / "report"
