"""The entry point: `generate`."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from labelhouse.demo.annotators import _annotator_count, _Annotators, _language_pools, _make_annotators
from labelhouse.demo.bad_rows import _bad_per_kind, _bad_rows
from labelhouse.demo.constants import CHUNK_ITEMS, MANIFEST_NAME, MIN_ANNOTATIONS, N_LABELS, P_REEXPORT
from labelhouse.demo.defects import ANNOTATION_DEFECTS
from labelhouse.demo.dimensions import _annotators_frame, _projects_frame, _thresholds_frame, _vendor_rates_frame
from labelhouse.demo.gold import _gold_rows
from labelhouse.demo.items import _item_rows, _items_core
from labelhouse.demo.judgements import _annotation_rows, _annotations_per_item
from labelhouse.demo.manifest import _manifest
from labelhouse.demo.moderation import _decision_rows
from labelhouse.demo.output import _dimension, _export, _export_steps, _prepare_out_dir
from labelhouse.demo.predictions import MODEL_NAMES, _prediction_rows
from labelhouse.demo.sampling import STREAM_CHUNK, STREAM_MODELS, _rng
from labelhouse.demo.scenarios import Scenarios, _plant, _Planted
from labelhouse.demo.staging import _Stage
from labelhouse.demo.steps import ProgressFn, Steps
from labelhouse.demo.totals import _Totals
from labelhouse.demo.world import PROJECTS
from labelhouse.errors import LabelhouseError


def _n_items(n_annotations: int, seed: int, annotators: _Annotators) -> int:
    """How many items give ~n_annotations rows in all (re-exports and bad rows included)."""
    bad = _bad_per_kind(n_annotations, len(ANNOTATION_DEFECTS)) * len(ANNOTATION_DEFECTS)
    valid = (n_annotations - bad) / (1 + P_REEXPORT)
    per_item = _annotations_per_item(seed, annotators, _language_pools(annotators))
    return max(1, round(valid / per_item))


def _generate_rows(
    stage: _Stage,
    seed: int,
    n_items: int,
    annotators: _Annotators,
    totals: _Totals,
    steps: Steps,
    planted: _Planted,
) -> np.ndarray:
    """Generate every chunk into the staging tables; returns the item count per project."""
    pools = _language_pools(annotators)
    per_project = np.zeros(len(PROJECTS), dtype=np.int64)
    n_chunks = -(-n_items // CHUNK_ITEMS)
    for c in range(n_chunks):
        start = c * CHUNK_ITEMS
        size = min(CHUNK_ITEMS, n_items - start)
        rng = _rng(seed, STREAM_CHUNK, c)
        core = _items_core(rng, start, size, n_items)
        ann, ann_re = _annotation_rows(rng, core, annotators, pools, totals, planted)
        stage.append("items", _item_rows(rng, core))
        stage.append("ann", ann)
        stage.append("ann_re", ann_re)
        # the first model draws from the chunk's stream (as when it was the only one), the others from their own
        model_rngs = (rng, *(_rng(seed, STREAM_MODELS, c, k) for k in range(1, len(MODEL_NAMES))))
        stage.append("preds", _prediction_rows(model_rngs, core, totals, planted.model_runs()))
        stage.append("gold", _gold_rows(rng, core, totals))
        stage.append("decisions", _decision_rows(rng, core, totals))
        per_project += np.bincount(core["project"], minlength=len(PROJECTS))
        totals.label_counts += np.bincount(core["true"], minlength=N_LABELS)
        totals.items += size
        steps.finish(f"items {start + size:,}/{n_items:,} ({totals.annotations:,} annotations)")
    return per_project


def generate(
    out_dir: Path,
    n_annotations: int = 60_000,
    seed: int = 42,
    progress: ProgressFn | None = None,
    scenarios: Scenarios | None = None,
) -> dict:
    """Write a deterministic demo raw export directory and return its manifest.

    Args:
        out_dir: directory to write into (created if missing). Files of a previous run of this
            generator (listed in its manifest) are replaced; other raw export files make it fail.
        n_annotations: approximate number of annotation rows in all files together (re-exports
            and deliberately bad rows included); at least MIN_ANNOTATIONS.
        seed: random seed; the same seed and n_annotations give byte-identical files.
        progress: optional callback, called as (done_steps, total_steps, step_label) after each
            step: each chunk of items, the bad rows, each raw file and the manifest.
        scenarios: optional planted scenarios (a drifting annotator, a week of low agreement in one
            project, a late project: off by default; a worse newer model version: on by default).
            What was planted is in `truth.scenarios`, the model versions' facts in `truth.models`.

    Returns:
        The manifest, also written as `generator_manifest.json`: the files with their entity,
        format and row count, per-entity totals, and a `truth` section (bad annotator ids, bad
        row counts per kind and entity, the planted facts per model, ...).
    """
    if n_annotations < MIN_ANNOTATIONS:
        raise LabelhouseError(f"n_annotations must be at least {MIN_ANNOTATIONS:,} (got {n_annotations:,}).")
    if seed < 0:
        raise LabelhouseError(f"seed must be a non-negative integer (got {seed}).")
    out_dir = Path(out_dir)
    _prepare_out_dir(out_dir)

    annotators = _make_annotators(seed, _annotator_count(n_annotations))
    n_items = _n_items(n_annotations, seed, annotators)
    planted = _plant(scenarios, annotators)
    dimensions = ("projects.csv", "annotators.csv", "thresholds.csv", "vendor_rates.csv")
    steps = Steps(-(-n_items // CHUNK_ITEMS) + 1 + _export_steps() + len(dimensions) + 1, progress)
    totals = _Totals()
    with tempfile.TemporaryDirectory(prefix="labelhouse-generate-") as tmp_name:
        tmp = Path(tmp_name)
        stage = _Stage(tmp / "stage.duckdb", tmp / "spill")
        try:
            per_project = _generate_rows(stage, seed, n_items, annotators, totals, steps, planted)
            bad_rows = _bad_rows(stage, seed, n_annotations, totals)
            steps.finish("bad rows")
            files = _export(stage, out_dir, tmp, steps)
        finally:
            stage.close()

    frames = (
        _projects_frame(per_project, planted.scenarios.late_project),
        _annotators_frame(annotators),
        _thresholds_frame(planted.model_runs()),
        _vendor_rates_frame(),
    )
    for name, frame in zip(dimensions, frames, strict=True):
        files[name] = _dimension(out_dir / name, name.removesuffix(".csv"), frame)
        steps.finish(name)
    manifest = _manifest(seed, n_annotations, files, annotators, bad_rows, totals, planted)
    (out_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    steps.finish(MANIFEST_NAME)
    return manifest
