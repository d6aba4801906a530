"""The small dimension files: projects, annotators, thresholds and vendor rates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from labelhouse.demo.annotators import _Annotators
from labelhouse.demo.constants import LABELS
from labelhouse.demo.predictions import MODEL_RUNS, _ModelVersion
from labelhouse.demo.scenarios import LATE_DUE_DATE, LATE_PROJECT, LATE_TARGET_FACTOR
from labelhouse.demo.world import LANGUAGES, PROJECTS, SITES


def _write_csv(frame: pd.DataFrame, path: Path) -> int:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return len(frame)


def _projects_frame(items_per_project: np.ndarray, late_project: bool = False) -> pd.DataFrame:
    """Projects with a target a bit above what was generated, so none is finished; with
    `late_project`, LATE_PROJECT gets a far larger target and an early due date."""
    target = (np.ceil(items_per_project * 1.25 / 100) * 100).astype(np.int64) + 100
    due = [p.due_date for p in PROJECTS]
    if late_project:
        target[LATE_PROJECT] = int(np.ceil(items_per_project[LATE_PROJECT] * LATE_TARGET_FACTOR / 100) * 100)
        due[LATE_PROJECT] = LATE_DUE_DATE
    return pd.DataFrame(
        {
            "project_id": [p.project_id for p in PROJECTS],
            "name": [p.name for p in PROJECTS],
            "labels_per_item": 3,
            "target_items": target,
            "due_date": due,
            "sla_hours": [p.sla_hours for p in PROJECTS],
        }
    )


def _annotators_frame(annotators: _Annotators) -> pd.DataFrame:
    languages = ["|".join(LANGUAGES[li] for li in np.flatnonzero(row)) for row in annotators.speaks]
    return pd.DataFrame(
        {
            "annotator_id": annotators.ids(),
            "vendor": [SITES[s].vendor for s in annotators.site],
            "site": [SITES[s].name for s in annotators.site],
            "languages": languages,
            "started_on": annotators.started_on,
        }
    )


def _thresholds_frame(runs: tuple[_ModelVersion, ...] = MODEL_RUNS) -> pd.DataFrame:
    rows = [
        {"model_name": run.model_name, "model_version": run.version, "label": label, "threshold": run.thresholds[k]}
        for run in runs
        for k, label in enumerate(LABELS)
    ]
    return pd.DataFrame(rows)


# What each vendor charges: (vendor, site or None for vendor-wide, currency, valid_from, hourly, per judgement).
# Northwind charges per active hour in USD, with a cheaper Mexico City site rate and a raise on
# 2026-10-01; Cobalt Review and Lotus Data Services charge per judgement in USD (Lotus only from
# 2026-09-15, so its first two weeks have no rate and no cost); Meridian Trust Ops charges per
# active hour in EUR, raised on 2026-10-12. Fixed, so the same for every seed.
VENDOR_RATES: tuple[tuple[str, str | None, str, str, float | None, float | None], ...] = (
    ("Northwind Labeling", None, "USD", "2026-08-01", 9.0, None),
    ("Northwind Labeling", None, "USD", "2026-10-01", 9.5, None),
    ("Northwind Labeling", "Mexico City", "USD", "2026-08-01", 7.5, None),
    ("Cobalt Review", None, "USD", "2026-08-01", None, 0.06),
    ("Lotus Data Services", None, "USD", "2026-09-15", None, 0.05),
    ("Meridian Trust Ops", None, "EUR", "2026-08-01", 14.0, None),
    ("Meridian Trust Ops", None, "EUR", "2026-10-12", 15.0, None),
)


RATE_COLUMNS = ("vendor", "site", "currency", "valid_from", "hourly_rate", "per_judgement_rate")


def _vendor_rates_frame() -> pd.DataFrame:
    return pd.DataFrame(VENDOR_RATES, columns=list(RATE_COLUMNS))
