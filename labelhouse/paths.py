"""Where things live by default: the dbt project root and the default locations under it.

These are defaults only: functions that read the project or write under it take the folder as an
argument (e.g. run_dbt(project_dir=...), import_export(seed_labels=...)). LABELHOUSE_PROJECT_DIR
points the defaults at another copy of the dbt project (say, when labelhouse is installed as a
package rather than run from its checkout).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("LABELHOUSE_PROJECT_DIR") or Path(__file__).resolve().parent.parent).resolve()
SEED_LABELS = PROJECT_ROOT / "seeds" / "labels.csv"
DEFAULT_RAW_DIR = PROJECT_ROOT / "data" / "demo" / "raw"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "labelhouse.duckdb"
DEFAULT_REPORT_DIR = PROJECT_ROOT / "reports" / "build"


def default_report_dir(warehouse: Path, project_dir: Path | None = None) -> Path:
    """Where the report site of `warehouse` goes by default: reports/build for the project's own
    warehouse (what `make build` prints), else a `report` folder beside the warehouse, so a build
    of another warehouse never overwrites the site of the project's."""
    root = Path(project_dir) if project_dir is not None else PROJECT_ROOT
    if Path(warehouse).resolve() == (root / DEFAULT_WAREHOUSE.relative_to(PROJECT_ROOT)).resolve():
        return root / DEFAULT_REPORT_DIR.relative_to(PROJECT_ROOT)
    return Path(warehouse).resolve().parent / "report"
