"""The deliberately bad values and the defect kinds per entity."""

from __future__ import annotations

from collections.abc import Sequence

from labelhouse.demo.constants import LABELS

BAD_LABELS: tuple[str, ...] = ("hatespeech", "nsfw", "scam_bait", "other")
ALL_LABELS: tuple[str, ...] = LABELS + BAD_LABELS
BAD_TIMESTAMPS: tuple[str, ...] = ("not-a-date", "2026-13-45T25:61:00Z", "yesterday")
BAD_DECIDED_BY: tuple[str, ...] = ("bot", "system", "moderator")
BAD_SCORES: tuple[float, ...] = (1.2, -0.05, 1.7)

ANNOTATION_DEFECTS: tuple[str, ...] = (
    "null_annotation_id",
    "blank_item_id",
    "unknown_label",
    "unparsable_submitted_at",
    "submitted_before_started",
    "duplicate_row",
    "unknown_item_id",
    "unknown_project_id",
)
PREDICTION_DEFECTS: tuple[str, ...] = ("score_out_of_range", "null_score", "unknown_label")
DECISION_DEFECTS: tuple[str, ...] = ("invalid_decided_by", "unparsable_decided_at")
ITEM_DEFECTS: tuple[str, ...] = ("null_item_id",)
GOLD_DEFECTS: tuple[str, ...] = ("unknown_label",)


def _defect_code(kinds: Sequence[str], kind: str) -> int:
    """1-based code of a defect kind (0 = a good row)."""
    return kinds.index(kind) + 1
