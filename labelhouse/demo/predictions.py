"""Model predictions on the gold items and the models' parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd

from labelhouse.demo.constants import CUTOFF, HOUR, MODEL_VERSIONS, N_LABELS, V2_BACKFILL
from labelhouse.demo.totals import _Totals
from labelhouse.demo.world import LABEL_PREVALENCE

# Model: per-label signal strength (separation of positives) and logit temperature multiplier.
MODEL_SIGNAL = {"v1": 1.5, "v2": 2.6}
MODEL_LOGIT_SCALE = {"v1": 2.2, "v2": 1.0}  # > 1: over-confident
MODEL_SHARED_NOISE = 0.5
THRESHOLDS = {
    "v1": (0.5, 0.6, 0.6, 0.5, 0.7, 0.4, 0.6),
    "v2": (0.5, 0.55, 0.6, 0.45, 0.65, 0.35, 0.55),
}


def _prediction_rows(rng: np.random.Generator, core: dict[str, np.ndarray], totals: _Totals) -> pd.DataFrame:
    """Scores of both model versions for every label on the gold (honeypot and expert) items.

    A positive (item, label) pair gets a latent signal ~ N(mu, 1), a negative ~ N(0, 1); the
    calibrated probability is the posterior given the label's prevalence. v2 separates better
    (larger mu); v1 also multiplies the logit, which makes it over-confident.
    """
    idx = np.flatnonzero(core["honeypot"] | core["expert"])
    m = idx.size
    y = core["true"][idx][:, None] == np.arange(N_LABELS)[None]
    shared = rng.standard_normal((m, N_LABELS))
    created = core["created"][idx]
    log_prior_odds = np.log(LABEL_PREVALENCE / (1 - LABEL_PREVALENCE))
    frames = []
    for v, version in enumerate(MODEL_VERSIONS):
        mu = MODEL_SIGNAL[version]
        own = rng.standard_normal((m, N_LABELS))
        signal = mu * y + np.sqrt(MODEL_SHARED_NOISE) * shared + np.sqrt(1 - MODEL_SHARED_NOISE) * own
        logit = (log_prior_odds[None] + mu * signal - mu * mu / 2) * MODEL_LOGIT_SCALE[version]
        score = np.round(1 / (1 + np.exp(-logit)), 3)
        if version == "v1":
            when = created + rng.integers(5, 300, m)
        else:
            when = np.maximum(created, V2_BACKFILL) + rng.integers(5, 300, m)
            when = np.where(created < V2_BACKFILL, V2_BACKFILL + rng.integers(0, 36 * HOUR, m), when)
        when = np.minimum(when, CUTOFF - 1)
        frames.append(
            pd.DataFrame(
                {
                    "item_num": np.repeat(core["item_num"][idx], N_LABELS),
                    "version": np.full(m * N_LABELS, v, dtype=np.int16),
                    "label": np.tile(np.arange(N_LABELS, dtype=np.int16), m),
                    "score": score.ravel(),
                    "predicted": np.repeat(when, N_LABELS),
                    "defect": np.zeros(m * N_LABELS, dtype=np.int16),
                }
            )
        )
    rows = pd.concat(frames, ignore_index=True)
    totals.predictions += len(rows)
    return rows
