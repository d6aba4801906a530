"""The generator manifest: files, per-entity totals and the planted truth."""

from __future__ import annotations

from typing import Any

import numpy as np

from labelhouse.demo.annotators import _Annotators
from labelhouse.demo.constants import CUTOFF, ENTITIES, LABELS, PERIOD_START
from labelhouse.demo.dimensions import RATE_COLUMNS, VENDOR_RATES
from labelhouse.demo.files import _iso
from labelhouse.demo.predictions import MODEL_NAMES, MODEL_RUNS
from labelhouse.demo.scenarios import _Planted
from labelhouse.demo.totals import _Totals


def _manifest(
    seed: int,
    n_annotations: int,
    files: dict[str, dict[str, Any]],
    annotators: _Annotators,
    bad_rows: dict[str, dict[str, int]],
    totals: _Totals,
    planted: _Planted,
) -> dict[str, Any]:
    """The summary: files, per-entity totals and the ground truth behind the data."""
    files = dict(sorted(files.items()))
    entities = {
        e: {
            "files": sum(1 for f in files.values() if f["entity"] == e),
            "rows": sum(f["rows"] for f in files.values() if f["entity"] == e),
        }
        for e in ENTITIES
    }
    ids = annotators.ids()
    return {
        "generator": "labelhouse.demo",
        "format_version": 2,
        "seed": seed,
        "n_annotations_requested": n_annotations,
        "period": {"items_created_from": _iso(PERIOD_START), "cutoff": _iso(CUTOFF)},
        "files": files,
        "entities": entities,
        "truth": {
            "bad_annotator_ids": [ids[i] for i in np.flatnonzero(annotators.is_bad)],
            "annotators": annotators.count,
            "models": {
                name: {
                    "versions": [run.version for run in MODEL_RUNS if run.model_name == name],
                    **planted.model_truth()[name],
                }
                for name in MODEL_NAMES
            },
            "bad_rows": bad_rows,
            "items": totals.items,
            "judged_items": totals.judged_items,
            "open_backlog_items": totals.backlog_items,
            "honeypot_items": totals.honeypots,
            "expert_items": totals.experts,
            "self_consistency_repeats": totals.repeats,
            "reexported_annotations": totals.reexports,
            "reexport_label_changes": totals.reexport_label_changes,
            "true_label_counts": {label: int(c) for label, c in zip(LABELS, totals.label_counts, strict=True)},
            "priority_scale": "1 = most urgent ... 4 = routine",
            "ignored_extra_columns": {"items": ["text"]},
            "scenarios": planted.manifest(annotators),
            "guideline_versions": planted.guideline_versions(),
            "vendor_rates": [dict(zip(RATE_COLUMNS, r, strict=True)) for r in VENDOR_RATES],
        },
    }
