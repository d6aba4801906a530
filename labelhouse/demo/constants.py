"""Public constants, the simulated period and the base rates of the demo world."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

TAXONOMY: tuple[dict[str, Any], ...] = (
    {"label": "benign", "policy_area": "none", "is_violating": False, "severity": 0},
    {"label": "hate", "policy_area": "hate_speech", "is_violating": True, "severity": 3},
    {"label": "harassment", "policy_area": "harassment", "is_violating": True, "severity": 2},
    {"label": "violence", "policy_area": "violent_extremism", "is_violating": True, "severity": 4},
    {"label": "spam", "policy_area": "spam", "is_violating": True, "severity": 1},
    {"label": "self_harm", "policy_area": "self_harm", "is_violating": True, "severity": 4},
    {"label": "sexual", "policy_area": "adult_content", "is_violating": True, "severity": 3},
)
"""The bundled default label taxonomy (same content as seeds/labels.csv)."""

LABELS: tuple[str, ...] = tuple(str(t["label"]) for t in TAXONOMY)
MODEL_NAME = "safety-classifier"
LITE_MODEL_NAME = "safety-lite"  # a second, smaller and faster classifier
MODEL_VERSIONS: tuple[str, ...] = ("v1", "v2")  # of each model
MANIFEST_NAME = "generator_manifest.json"
ENTITIES: tuple[str, ...] = (
    "annotations",
    "items",
    "gold_labels",
    "predictions",
    "moderation_decisions",
    "projects",
    "annotators",
    "thresholds",
    "vendor_rates",
)
MIN_ANNOTATIONS = 2_000


def _epoch(text: str) -> int:
    """Seconds since the epoch of a naive ISO timestamp read as UTC."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


# --------------------------------------------------------------------------------------------
# The simulated world
# --------------------------------------------------------------------------------------------

MINUTE = 60
HOUR = 3_600
DAY = 86_400
PERIOD_START = _epoch("2026-09-01T00:00:00")  # a Tuesday
CUTOFF = _epoch("2026-10-28T00:00:00")  # nothing happens at or after this instant
SPAN = CUTOFF - PERIOD_START
N_DAYS = SPAN // DAY  # 57
V2_BACKFILL = _epoch("2026-10-05T00:00:00")
REEXPORT_AT = CUTOFF + 6 * HOUR
PLUS7 = 7 * HOUR

N_LABELS = len(LABELS)
MAX_JUDGEMENTS = 5
P_FIVE_JUDGEMENTS = 0.10
P_EXPERT = 0.0205
P_HONEYPOT = 0.05
P_MODERATED = 0.10
P_HARD = 0.15
P_REPEAT = 0.012
P_REEXPORT = 0.005
P_LANGUAGE_VARIANT = 0.01
VOLUME_LINEAR_SHARE = 0.7  # item volume grows ~1.9x from the first to the last day
CHUNK_ITEMS = 100_000
PILOT_ITEMS = 100_000
UNKNOWN_ITEM_BASE = 90_000_000
