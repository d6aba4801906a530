"""Model predictions on the gold items and the models' parameters.

Two classifiers, two versions each, every one with planted facts the warehouse must find:

* `safety-classifier`: v1 separates less and is over-confident (logit x 2.2); v2 is better and
  calibrated; v2 backfills the items created before its release.
* `safety-lite` (a small, fast classifier): v1 is calibrated; v2 (a further-distilled release)
  separates WORSE and is under-confident (logit x 0.5), so the newer version is not the better one.
  That regression is the `worse_model_version` scenario, on by default; with it off, v2 has v1's
  separation, calibration and thresholds (same release date, same random draws): a newer version
  that is neither better nor worse, the negative control of the model-regression alert.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from labelhouse.demo.constants import CUTOFF, HOUR, LITE_MODEL_NAME, MODEL_NAME, N_LABELS, V2_BACKFILL, _epoch
from labelhouse.demo.totals import _Totals
from labelhouse.demo.world import LABEL_PREVALENCE


@dataclass(frozen=True)
class _ModelVersion:
    """One model version: how well it separates, how it is (mis)calibrated, when it went live."""

    model_name: str
    version: str
    signal: float  # separation of positives (mu of the latent signal)
    logit_scale: float  # multiplies the calibrated logit: > 1 over-confident, < 1 under-confident
    released: int | None  # items created before it are scored in a backfill after it; None: as created
    thresholds: tuple[float, ...]  # per label, in LABELS order


MODEL_SHARED_NOISE = 0.5
MODEL_RUNS: tuple[_ModelVersion, ...] = (
    _ModelVersion(MODEL_NAME, "v1", 1.5, 2.2, None, (0.5, 0.6, 0.6, 0.5, 0.7, 0.4, 0.6)),
    _ModelVersion(MODEL_NAME, "v2", 2.6, 1.0, V2_BACKFILL, (0.5, 0.55, 0.6, 0.45, 0.65, 0.35, 0.55)),
    _ModelVersion(LITE_MODEL_NAME, "v1", 2.2, 1.0, None, (0.5, 0.5, 0.55, 0.5, 0.6, 0.4, 0.5)),
    _ModelVersion(
        LITE_MODEL_NAME, "v2", 1.3, 0.5, _epoch("2026-10-14T00:00:00"), (0.5, 0.5, 0.5, 0.5, 0.55, 0.45, 0.5)
    ),
)
"""Every model version; its index is the `version` code of the staged predictions."""

MODEL_NAMES: tuple[str, ...] = tuple(dict.fromkeys(run.model_name for run in MODEL_RUNS))

_WORSE_VERSION = 3  # index in MODEL_RUNS of the planted regression (safety-lite v2)
_WORSE_PREVIOUS = 2  # the version it is a regression of (safety-lite v1)


def _model_runs(worse_model_version: bool = True) -> tuple[_ModelVersion, ...]:
    """MODEL_RUNS, or without the worse_model_version scenario: safety-lite v2 with v1's
    separation, calibration and thresholds (its release date kept, so the files differ only in
    v2's scores and thresholds)."""
    if worse_model_version:
        return MODEL_RUNS
    previous, worse = MODEL_RUNS[_WORSE_PREVIOUS], MODEL_RUNS[_WORSE_VERSION]
    same = _ModelVersion(
        worse.model_name, worse.version, previous.signal, previous.logit_scale, worse.released, previous.thresholds
    )
    return (*MODEL_RUNS[:_WORSE_VERSION], same, *MODEL_RUNS[_WORSE_VERSION + 1 :])


MODEL_TRUTH: dict[str, dict[str, str]] = {
    MODEL_NAME: {
        "better_version": "v2",
        "worse_version": "v1",
        "miscalibrated_version": "v1",
        "miscalibration": "over-confident",
    },
    LITE_MODEL_NAME: {
        "better_version": "v1",
        "worse_version": "v2",
        "miscalibrated_version": "v2",
        "miscalibration": "under-confident",
    },
}
"""The planted facts per model (written to the manifest)."""


def _model_truth(worse_model_version: bool = True) -> dict[str, dict[str, str | None]]:
    """MODEL_TRUTH, or without the worse_model_version scenario: safety-lite's versions are
    equivalent (no better, worse or miscalibrated version)."""
    if worse_model_version:
        return dict(MODEL_TRUTH)
    name = MODEL_RUNS[_WORSE_VERSION].model_name
    return {**MODEL_TRUTH, name: {key: None for key in MODEL_TRUTH[name]}}


def _prediction_rows(
    rngs: tuple[np.random.Generator, ...],
    core: dict[str, np.ndarray],
    totals: _Totals,
    runs: tuple[_ModelVersion, ...] = MODEL_RUNS,
) -> pd.DataFrame:
    """Scores of every model version for every label on the gold (honeypot and expert) items.

    A positive (item, label) pair gets a latent signal ~ N(mu, 1), a negative ~ N(0, 1); the
    calibrated probability is the posterior given the label's prevalence, and the logit is then
    multiplied by the version's `logit_scale` (> 1 over-confident, < 1 under-confident). The
    versions of one model share half their noise. `rngs` holds one generator per model name;
    `runs` is MODEL_RUNS or its variant without the worse_model_version scenario (_model_runs).
    """
    idx = np.flatnonzero(core["honeypot"] | core["expert"])
    m = idx.size
    y = core["true"][idx][:, None] == np.arange(N_LABELS)[None]
    created = core["created"][idx]
    log_prior_odds = np.log(LABEL_PREVALENCE / (1 - LABEL_PREVALENCE))
    frames = []
    for name, rng in zip(MODEL_NAMES, rngs, strict=True):
        shared = rng.standard_normal((m, N_LABELS))
        for v, run in enumerate(runs):
            if run.model_name != name:
                continue
            mu = run.signal
            own = rng.standard_normal((m, N_LABELS))
            signal = mu * y + np.sqrt(MODEL_SHARED_NOISE) * shared + np.sqrt(1 - MODEL_SHARED_NOISE) * own
            logit = (log_prior_odds[None] + mu * signal - mu * mu / 2) * run.logit_scale
            score = np.round(1 / (1 + np.exp(-logit)), 3)
            if run.released is None:
                when = created + rng.integers(5, 300, m)
            else:
                when = np.maximum(created, run.released) + rng.integers(5, 300, m)
                when = np.where(created < run.released, run.released + rng.integers(0, 36 * HOUR, m), when)
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
