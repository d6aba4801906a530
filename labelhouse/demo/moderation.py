"""Production moderation decisions and their appeals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from labelhouse.demo.annotators import CONFUSION_PRIOR
from labelhouse.demo.constants import CUTOFF, HOUR, MINUTE, TAXONOMY
from labelhouse.demo.sampling import _rowwise_categorical
from labelhouse.demo.totals import _Totals

ACTIONS: tuple[str, ...] = ("remove", "keep", "restrict")


def _decision_rows(rng: np.random.Generator, core: dict[str, np.ndarray], totals: _Totals) -> pd.DataFrame:
    """Production moderation decisions, some appealed; wrong decisions are overturned more."""
    idx = np.flatnonzero(core["moderated"])
    m = idx.size
    true = core["true"][idx]
    created = core["created"][idx]
    automated = rng.random(m) < 0.4
    correct = rng.random(m) < np.where(automated, 0.82, 0.94)
    wrong = _rowwise_categorical(rng, np.cumsum(CONFUSION_PRIOR[true], axis=1))
    label = np.where(correct, true, wrong)
    severity = np.array([t["severity"] for t in TAXONOMY])[label]
    draw = rng.random(m)
    severe_action = np.where(draw < 0.85, 0, 2)  # mostly remove
    action = np.where(severity == 0, 1, np.where(severity == 1, np.where(draw < 0.6, 2, 0), severe_action))
    decided = np.where(
        automated,
        created + rng.integers(30, 600, m),
        created + rng.lognormal(np.log(10 * HOUR), 0.9, m).astype(np.int64) + 5 * MINUTE,
    )
    # users appeal removals and restrictions, wrong ones far more often
    appeal_rate = np.where(action == 1, 0.03, np.where(correct, 0.15, 0.6))
    appealed = decided + rng.lognormal(np.log(20 * HOUR), 1.0, m).astype(np.int64) + MINUTE
    is_appealed = (rng.random(m) < appeal_rate) & (appealed < CUTOFF)
    resolved = is_appealed & (appealed + rng.lognormal(np.log(36 * HOUR), 0.7, m).astype(np.int64) < CUTOFF)
    p_overturn = np.where(correct, 0.05, 0.8) + np.where(automated, 0.05, 0.0)
    outcome = np.where(resolved, np.where(rng.random(m) < p_overturn, 2, 1), 0)
    keep = decided < CUTOFF
    n = int(keep.sum())
    rows = pd.DataFrame(
        {
            "dec_num": totals.decisions + 1 + np.arange(n, dtype=np.int64),
            "item_num": core["item_num"][idx][keep],
            "action": action[keep].astype(np.int16),
            "label": label[keep].astype(np.int16),
            "decided": decided[keep],
            "automated": automated[keep],
            "appealed": np.where(is_appealed, appealed, -1)[keep],
            "outcome": outcome[keep].astype(np.int16),
            "defect": np.zeros(n, dtype=np.int16),
        }
    )
    totals.decisions += n
    return rows
