"""Gold labels: honeypots and the expert set."""

from __future__ import annotations

import numpy as np
import pandas as pd

from labelhouse.demo.constants import DAY, HOUR
from labelhouse.demo.totals import _Totals


def _gold_rows(rng: np.random.Generator, core: dict[str, np.ndarray], totals: _Totals) -> pd.DataFrame:
    """Gold labels: honeypots (prepared before they enter the queue) and the expert set."""
    idx = np.flatnonzero(core["honeypot"] | core["expert"])
    expert = core["expert"][idx]
    created = core["created"][idx]
    labelled = np.where(
        expert,
        created + rng.integers(2 * HOUR, 72 * HOUR, idx.size),
        created - rng.integers(DAY, 20 * DAY, idx.size),
    )
    totals.honeypots += int((~expert).sum())
    totals.experts += int(expert.sum())
    totals.gold += idx.size
    return pd.DataFrame(
        {
            "item_num": core["item_num"][idx],
            "label": core["true"][idx].astype(np.int16),
            "project": core["project"][idx].astype(np.int16),
            "source": expert.astype(np.int16),  # 0 honeypot, 1 expert
            "labelled": labelled,
            "defect": np.zeros(idx.size, dtype=np.int16),
        }
    )
