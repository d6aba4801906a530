"""Running numbers across chunks."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from labelhouse.demo.constants import N_LABELS


@dataclass
class _Totals:
    """Running numbers across chunks (ids are global sequences)."""

    annotations: int = 0
    reexports: int = 0
    reexport_label_changes: int = 0
    repeats: int = 0
    decisions: int = 0
    items: int = 0
    predictions: int = 0
    gold: int = 0
    backlog_items: int = 0
    judged_items: int = 0
    honeypots: int = 0
    experts: int = 0
    label_counts: np.ndarray = field(default_factory=lambda: np.zeros(N_LABELS, dtype=np.int64))
