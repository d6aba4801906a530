"""Library functions take the project folder (or the file they need from it) as an argument; the
checkout is only the default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, PROJECT_ROOT

from labelhouse.dbt import run_dbt
from labelhouse.paths import DEFAULT_REPORT_DIR, DEFAULT_WAREHOUSE, default_report_dir


def test_run_dbt_runs_on_the_project_dir_it_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    class FakeRunner:
        def __init__(self, **_: Any) -> None:
            pass

        def invoke(self, args: list[str]) -> Any:
            seen.append(args)
            return type("Res", (), {"result": None, "success": True, "exception": None})()

    import dbt.cli.main as dbt_main

    monkeypatch.setattr(dbt_main, "dbtRunner", FakeRunner)
    other = tmp_path / "project"
    other.mkdir()
    run_dbt(["debug"], warehouse=tmp_path / "w.duckdb", raw_dir=tmp_path, project_dir=other)
    run_dbt(["debug"], warehouse=tmp_path / "w.duckdb", raw_dir=tmp_path)

    def flag(args: list[str], name: str) -> str:
        return args[args.index(name) + 1]

    assert flag(seen[0], "--project-dir") == str(other.resolve()) == flag(seen[0], "--profiles-dir")
    assert flag(seen[1], "--project-dir") == str(PROJECT_ROOT.resolve())


def test_the_default_report_dir_follows_the_project_dir(tmp_path: Path) -> None:
    assert default_report_dir(DEFAULT_WAREHOUSE) == DEFAULT_REPORT_DIR
    assert default_report_dir(tmp_path / "warehouse" / "labelhouse.duckdb", tmp_path) == tmp_path / "reports" / "build"
    assert default_report_dir(tmp_path / "elsewhere" / "w.duckdb") == tmp_path / "elsewhere" / "report"


def test_the_label_studio_import_takes_the_seed_taxonomy_it_is_given(tmp_path: Path) -> None:
    from labelhouse.importers.label_studio import import_export

    export = FIXTURES / "label_studio" / "project_export.json"
    bundled = import_export(export, tmp_path / "a", add_labels=False)
    seed = tmp_path / "labels.csv"
    seed.write_text("label,policy_area,is_violating,severity\nonly_this,x,true,1\n")
    custom = import_export(export, tmp_path / "b", add_labels=False, seed_labels=seed)
    assert set(custom.unknown_labels) > set(bundled.unknown_labels)
    assert "only_this" not in custom.unknown_labels
