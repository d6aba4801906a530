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


def _project_copy(tmp_path: Path, edit: Any = None) -> Path:
    """A second labelhouse project: dbt_project.yml (edited by `edit(vars)`) and expectations/."""
    import shutil

    import yaml

    other = tmp_path / "other_project"
    shutil.copytree(PROJECT_ROOT / "expectations", other / "expectations")
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
    if edit is not None:
        edit(project["vars"])
    (other / "dbt_project.yml").write_text(yaml.safe_dump(project, sort_keys=False))
    return other


def _checked_reason_texts(suites: list[Any]) -> set[str]:
    return {
        text
        for s in suites
        for a in s.assets
        for e in a.get("expectations", [])
        if isinstance((e.get("kwargs") or {}).get("value_set"), list)
        for text in e["kwargs"]["value_set"]
    }


def test_contract_vars_and_suites_are_read_from_the_project_dir(tmp_path: Path) -> None:
    from labelhouse.contract import dbt_vars, load_contract
    from labelhouse.gates import load_suites, reject_reasons

    # a reason some raw suite checks, renamed in the other project
    checked_here = _checked_reason_texts(load_suites("raw"))
    key = next(k for k, text in sorted(reject_reasons().items()) if text in checked_here)

    def edit(v: dict[str, Any]) -> None:
        v["raw_contract"]["annotations"]["optional"].append("reviewer_note_id")
        v["reject_reasons"][key] = "renamed in this team's project"

    other = _project_copy(tmp_path, edit)
    assert "reviewer_note_id" in load_contract(other)["annotations"].optional
    assert "reviewer_note_id" not in load_contract()["annotations"].optional
    assert reject_reasons(other)[key] == "renamed in this team's project" != reject_reasons()[key]
    assert dbt_vars(other)["raw_contract"]["annotations"]["optional"][-1] == "reviewer_note_id"
    # the raw suites come from the other project's expectations/ and check its reason texts
    suites = load_suites("raw", project_dir=other)
    assert {s.path.parent for s in suites} == {other / "expectations"}
    checked = _checked_reason_texts(suites)
    assert "renamed in this team's project" in checked
    assert reject_reasons()[key] not in checked


def test_build_runs_every_step_on_the_project_dir_it_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """build(project_dir=...) reads the other project's contract in the preflight, runs dbt on it
    and gates with its suites: the checkout is not read."""
    import dbt.cli.main as dbt_main

    import labelhouse.build as build_module
    from labelhouse.errors import LabelhouseError, PreflightError

    # a contract that requires a column the fixture lacks: the preflight must refuse by name
    def require(v: dict[str, Any]) -> None:
        v["raw_contract"]["annotations"]["required"].append("reviewer_note_id")

    strict = _project_copy(tmp_path / "strict", require)
    with pytest.raises(PreflightError, match="reviewer_note_id"):
        build_module.build(
            FIXTURES / "handmade", tmp_path / "w1" / "w.duckdb", progress=lambda _: None, project_dir=strict
        )

    # the unchanged contract: dbt runs on the other project, and the gate gets it
    other = _project_copy(tmp_path / "plain")
    dbt_projects: list[str] = []
    gated: list[Any] = []

    class FakeRunner:
        def __init__(self, **_: Any) -> None:
            pass

        def invoke(self, args: list[str]) -> Any:
            dbt_projects.append(args[args.index("--project-dir") + 1])
            return type("Res", (), {"result": None, "success": True, "exception": None})()

    class Stop(LabelhouseError):
        pass

    def fake_gate(gate: str, warehouse: Path, **kwargs: Any) -> Any:
        gated.append(kwargs.get("project_dir"))
        raise Stop("stopped after the first gate")

    monkeypatch.setattr(dbt_main, "dbtRunner", FakeRunner)
    monkeypatch.setattr(build_module, "run_gate", fake_gate)
    with pytest.raises(LabelhouseError, match="stopped after the first gate"):
        build_module.build(
            FIXTURES / "handmade", tmp_path / "w2" / "w.duckdb", progress=lambda _: None, project_dir=other
        )
    assert dbt_projects and set(dbt_projects) == {str(other.resolve())}
    assert gated == [other.resolve()]
