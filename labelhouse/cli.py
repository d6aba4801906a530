"""The labelhouse command line."""

from __future__ import annotations

import logging
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import click
import typer

from labelhouse.errors import LabelhouseError
from labelhouse.paths import DEFAULT_RAW_DIR, DEFAULT_WAREHOUSE, default_report_dir

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# GX announces its temporary Data Docs folder at INFO; labelhouse prints its own summaries.
logging.getLogger("great_expectations").setLevel(logging.WARNING)

app = typer.Typer(
    help="labelhouse: a tested analytics warehouse for Trust & Safety labeling operations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _say(message: str) -> None:
    typer.echo(message)


def _fail(exc: LabelhouseError) -> None:
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(exc.exit_code)


def _run_generator(out: Path, n_annotations: int, seed: int, scenarios: Any = None) -> dict:
    """Run the demo generator with a progress bar (live on a terminal, plain lines otherwise)."""
    from labelhouse.demo import generate as run_generate
    from labelhouse.progress import Progress

    with Progress("generate", unit="steps", say=lambda line: typer.echo(line, err=True), indent="  ") as bar:
        return run_generate(
            out,
            n_annotations=n_annotations,
            seed=seed,
            progress=lambda done, total, step: bar.step(done, total, step),
            **({"scenarios": scenarios} if scenarios is not None else {}),
        )


@app.command()
def generate(
    out: Path = typer.Option(..., "--out", help="Directory to write the demo exports into."),
    annotations: int = typer.Option(60_000, "--annotations", help="Approximate number of annotations."),
    seed: int = typer.Option(42, "--seed", help="Random seed (same seed and size, same files)."),
    drifting_annotator: bool = typer.Option(
        False, "--drifting-annotator", help="Plant an annotator whose accuracy drops in the last 7 days."
    ),
    agreement_drop: bool = typer.Option(
        False, "--agreement-drop", help="Plant a week in which one project's agreement drops."
    ),
    late_project: bool = typer.Option(
        False, "--late-project", help="Plant a project forecast to finish after its due date."
    ),
    guideline_change: bool = typer.Option(
        False, "--guideline-change", help="Make the old guideline version of the project that changes it worse."
    ),
    worse_model_version: bool = typer.Option(
        True,
        "--worse-model-version/--no-worse-model-version",
        help="Plant a newer model version worse than the previous one (safety-lite v2; on by default).",
    ),
) -> None:
    """Write a realistic, deterministic set of demo raw exports."""
    from labelhouse.demo import Scenarios

    scenarios = Scenarios(drifting_annotator, agreement_drop, late_project, guideline_change, worse_model_version)
    summary = _run_generator(out, annotations, seed, scenarios)
    n_files = len(summary.get("files", {}))
    _say(f"Wrote {n_files} files to {out}")


def ensure_demo(raw_dir: Path, n_annotations: int = 60_000, seed: int = 42) -> None:
    """Generate the default demo exports unless they are already there."""
    if (raw_dir / "generator_manifest.json").exists():
        return
    _say(f"Generating demo exports into {raw_dir}")
    _run_generator(raw_dir, n_annotations, seed)


@app.command()
def build(
    raw: Path = typer.Option(None, "--raw", help="Raw export directory (default: generated demo exports)."),
    warehouse: Path = typer.Option(DEFAULT_WAREHOUSE, "--warehouse", help="Published DuckDB file."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild everything from the raw files."),
    report: bool = typer.Option(True, "--report/--no-report", help="Render the report site after publishing."),
    unit_tests: bool = typer.Option(
        False, "--unit-tests/--no-unit-tests", help="Also run the dbt unit tests (make test does)."
    ),
    project_dir: Path = typer.Option(
        None,
        "--project-dir",
        help="The labelhouse dbt project to build (models, contract, expectations, report pages; "
        "default: the one labelhouse runs from, or LABELHOUSE_PROJECT_DIR).",
    ),
) -> None:
    """Build, check and publish the warehouse from a raw export directory."""
    from labelhouse.build import build as run_build

    try:
        if raw is None:
            raw = DEFAULT_RAW_DIR
            ensure_demo(raw)
        result = run_build(
            raw,
            warehouse,
            full_refresh=full_refresh,
            progress=_say,
            unit_tests=unit_tests,
            docs=report,
            project_dir=project_dir,
        )
    except LabelhouseError as exc:
        _fail(exc)
        return
    _say("")
    _say(f"Published {result.warehouse}")
    for name, value in result.summary.items():
        _say(f"  {name:<22} {value:>12,}")
    _say("  timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()))
    if report:
        site = _render_report(
            result.warehouse,
            default_report_dir(result.warehouse, project_dir),
            None if project_dir is None else Path(project_dir) / "reports" / "pages",
        )
        _say(f"Report site: {site / 'index.html'}")


class AlertFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class AlertLevel(StrEnum):
    warning = "warning"
    critical = "critical"


@app.command()
def alerts(
    warehouse: Path = typer.Option(DEFAULT_WAREHOUSE, "--warehouse", help="Published DuckDB file to read."),
    fmt: AlertFormat = typer.Option(AlertFormat.text, "--format", help="Output format."),
    fail_on: AlertLevel | None = typer.Option(
        None, "--fail-on", help="Exit 1 when any alert reaches this severity (for CI and cron)."
    ),
) -> None:
    """Print the open alerts of the published warehouse (marts.fct_alerts)."""
    from labelhouse.alerts import format_alerts, reaches, read_alerts

    try:
        found = read_alerts(warehouse)
    except LabelhouseError as exc:
        _fail(exc)
        return
    _say(format_alerts(found, fmt.value))
    if fail_on is not None and reaches(found, fail_on.value):
        raise typer.Exit(1)


def _render_report(warehouse: Path, out: Path, pages_dir: Path | None = None) -> Path:
    from labelhouse.report import render_site

    return render_site(warehouse, out, progress=_say, pages_dir=pages_dir)


@app.command()
def report(
    warehouse: Path = typer.Option(DEFAULT_WAREHOUSE, "--warehouse", help="Published DuckDB file to read."),
    out: Path = typer.Option(
        None,
        "--out",
        help="Folder for the static site (default: reports/build for the project's warehouse, "
        "else a `report` folder beside the warehouse).",
    ),
) -> None:
    """Render the static report site from the published warehouse."""
    try:
        site = _render_report(warehouse, out or default_report_dir(warehouse))
    except LabelhouseError as exc:
        _fail(exc)
        return
    _say(f"Report site: {site / 'index.html'}")


@app.command()
def diff(
    base: Path = typer.Argument(..., help="Warehouse built from the base branch (e.g. main)."),
    head: Path = typer.Argument(..., help="Warehouse built from the change, on the same raw exports."),
    output_format: str = typer.Option("text", "--format", help="markdown (GitHub job summary), json or text."),
    fail_on_change: bool = typer.Option(False, "--fail-on-change", help="Exit 1 when anything changed."),
    tolerance: float = typer.Option(
        1e-9, "--tolerance", help="Floats move when |head - base| > tolerance * max(1, min(|base|, |head|))."
    ),
    allow_different_exports: bool = typer.Option(
        False, "--allow-different-exports", help="Compare warehouses built from different raw exports anyway."
    ),
) -> None:
    """Compare the marts of two warehouses: schema, rows and values (exit 2 if they cannot be compared)."""
    from labelhouse.diff import DiffFormat, DiffInputError, diff_warehouses, render

    try:
        if output_format not in {f.value for f in DiffFormat}:
            raise DiffInputError(f"--format must be markdown, json or text, not {output_format!r}.")
        result = diff_warehouses(base, head, tolerance=tolerance, allow_different_exports=allow_different_exports)
    except LabelhouseError as exc:
        _fail(exc)
        return
    typer.echo(render(result, output_format), nl=False)
    if fail_on_change and result.changed:
        raise typer.Exit(1)


import_app = typer.Typer(help="Convert labeling-platform exports to the raw export contract.")
app.add_typer(import_app, name="import")


@import_app.command("label-studio")
def import_label_studio(
    export: Path = typer.Argument(..., help="Label Studio JSON export (an array of tasks)."),
    out: Path = typer.Option(..., "--out", help="Raw directory to write the contract files into."),
    project: str = typer.Option(None, "--project", help="project_id to use (default: the task's project)."),
    from_name: str = typer.Option(None, "--from-name", help="Choice group to read when there are several."),
    language_key: str = typer.Option("language", "--language-key", help="Key of task data holding the language."),
    add_labels: bool = typer.Option(
        True, "--add-labels/--no-add-labels", help="Add choices outside the taxonomy to a labels file."
    ),
) -> None:
    """Convert a Label Studio JSON export into raw contract files."""
    from labelhouse.importers.label_studio import import_export

    try:
        summary = import_export(
            export,
            out,
            project_id=project,
            from_name=from_name,
            language_key=language_key,
            add_labels=add_labels,
            progress=_say,
        )
    except LabelhouseError as exc:
        _fail(exc)
        return
    for line in summary.lines():
        _say(line)


def main() -> None:
    """Console entry point: never a bare traceback, always a message and an exit code."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except LabelhouseError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - last resort: a message instead of a traceback
        typer.secho(
            f"error: unexpected {type(exc).__name__}: {exc}\n"
            "This is a bug in labelhouse; set LABELHOUSE_DEBUG=1 to see the traceback.",
            fg=typer.colors.RED,
            err=True,
        )
        if os.environ.get("LABELHOUSE_DEBUG"):
            raise
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
