"""The output directory and writing the staged rows to the raw files."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from labelhouse.demo.constants import ENTITIES, MANIFEST_NAME
from labelhouse.demo.dimensions import _write_csv
from labelhouse.demo.files import ANNOTATION_FILES, FILE_REEXPORT, TEXT_FILE_MAX_ROWS, TZ_STYLE_NAMES
from labelhouse.demo.predictions import MODEL_RUNS
from labelhouse.demo.staging import (
    _annotation_select,
    _copy,
    _decisions_select,
    _gold_select,
    _items_select,
    _predictions_select,
    _Stage,
)
from labelhouse.demo.steps import Steps
from labelhouse.errors import LabelhouseError


def _entity_of(name: str) -> str | None:
    """The entity a file name belongs to under the raw contract's naming rule, if any."""
    if not name.endswith((".csv", ".csv.gz", ".jsonl", ".parquet")):
        return None
    matches = [e for e in ENTITIES + ("labels",) if name.startswith(e)]
    return max(matches, key=len) if matches else None


def _prepare_out_dir(out_dir: Path) -> None:
    """Create `out_dir`; remove a previous run's files (those its manifest lists) and refuse
    to mix with other raw exports."""
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = out_dir / MANIFEST_NAME
    if manifest.exists():
        try:
            previous = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
        except (OSError, ValueError):
            previous = {}
        for name in previous:
            if Path(name).name == name:
                (out_dir / name).unlink(missing_ok=True)
        manifest.unlink()
    foreign = sorted(p.name for p in out_dir.iterdir() if p.is_file() and _entity_of(p.name))
    if foreign:
        raise LabelhouseError(
            f"{out_dir} already holds raw export files ({', '.join(foreign[:5])}"
            f"{', ...' if len(foreign) > 5 else ''}) that this generator did not write. "
            "Generate into an empty directory, or remove those files first."
        )


@dataclass(frozen=True)
class _Job:
    """One raw file to write: its name, entity, format and the query giving its rows."""

    name: str
    entity: str
    fmt: str
    select: str
    timestamp_styles: tuple[int, ...] = ()
    spills: bool = False  # the next job writes the rest of this file's rows


def _annotation_jobs(stage: _Stage) -> list[_Job]:
    """One job per annotation file; a JSONL/CSV day beyond TEXT_FILE_MAX_ROWS rows keeps its first
    rows and spills the rest into a `<day>_bulk.parquet` file of the same export."""
    jobs = []
    for i, spec in enumerate(ANNOTATION_FILES):
        table = "ann_re" if i == FILE_REEXPORT else "ann"
        rows = stage.con.execute(f"SELECT count(*) FROM {table} WHERE file = {i}").fetchone()
        if spec.fmt in ("jsonl", "csv") and rows and rows[0] > TEXT_FILE_MAX_ROWS:
            bulk = spec.name.rsplit(".", 1)[0] + "_bulk.parquet"
            jobs.append(
                _Job(
                    spec.name,
                    "annotations",
                    spec.fmt,
                    _annotation_select(i, f"LIMIT {TEXT_FILE_MAX_ROWS}"),
                    spec.tz_styles,
                    spills=True,
                )
            )
            jobs.append(
                _Job(
                    bulk,
                    "annotations",
                    "parquet",
                    _annotation_select(i, f"OFFSET {TEXT_FILE_MAX_ROWS}"),
                    spec.tz_styles,
                )
            )
        else:
            jobs.append(_Job(spec.name, "annotations", spec.fmt, _annotation_select(i), spec.tz_styles))
    return jobs


def _other_jobs() -> list[_Job]:
    """The raw files other than the annotation files (their number does not depend on the data)."""
    jobs = [_Job("items.parquet", "items", "parquet", _items_select())]
    for v, run in enumerate(MODEL_RUNS):
        name = f"predictions_{run.model_name}_{run.version}.parquet"
        jobs.append(_Job(name, "predictions", "parquet", _predictions_select(v)))
    jobs.append(_Job("gold_labels_honeypot.csv", "gold_labels", "csv", _gold_select(0)))
    jobs.append(_Job("gold_labels_expert.csv", "gold_labels", "csv", _gold_select(1)))
    jobs.append(_Job("moderation_decisions.jsonl", "moderation_decisions", "jsonl", _decisions_select()))
    return jobs


def _export_steps() -> int:
    """Progress steps of `_export`: one per annotation file (with its spill file) and other file."""
    return len(ANNOTATION_FILES) + len(_other_jobs())


def _export(stage: _Stage, out_dir: Path, tmp: Path, steps: Steps) -> dict[str, dict[str, Any]]:
    """Write every staged entity to its raw files; returns {file name: {entity, format, rows, ...}}."""
    jobs = _annotation_jobs(stage) + _other_jobs()
    files: dict[str, dict[str, Any]] = {}
    for job in jobs:
        scratch = tmp / job.name
        rows = _copy(stage.con, job.select, scratch, job.fmt)
        shutil.move(str(scratch), str(out_dir / job.name))
        files[job.name] = {"entity": job.entity, "format": job.fmt, "rows": rows}
        if job.timestamp_styles:
            files[job.name]["timestamp_styles"] = [TZ_STYLE_NAMES[style] for style in job.timestamp_styles]
        if not job.spills:
            steps.finish(job.name)
    return files


def _dimension(path: Path, entity: str, frame: pd.DataFrame) -> dict[str, Any]:
    return {"entity": entity, "format": "csv", "rows": _write_csv(frame, path)}
