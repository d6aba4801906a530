"""Items: creation times, project, true label, language, role and descriptive attributes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from labelhouse.demo.constants import (
    CUTOFF,
    DAY,
    P_EXPERT,
    P_HARD,
    P_HONEYPOT,
    P_LANGUAGE_VARIANT,
    P_MODERATED,
    PERIOD_START,
    SPAN,
    TAXONOMY,
    VOLUME_LINEAR_SHARE,
)
from labelhouse.demo.sampling import _categorical, _rowwise_categorical
from labelhouse.demo.world import (
    CONTENT_WEIGHTS,
    LANGUAGE_VARIANTS,
    LANGUAGE_WEIGHTS,
    LANGUAGES,
    MARKETS,
    PRIORITY_WEIGHTS,
    PROJECT_LABEL_CUM,
    PROJECT_SHARES,
    TEXTS_PER_LANGUAGE,
)


def _creation_times(rng: np.random.Generator, start: int, size: int, total: int) -> np.ndarray:
    """Sorted creation instants of items start..start+size of `total`, volume growing in time."""
    u = (start + np.sort(rng.random(size)) * size) / total
    a = VOLUME_LINEAR_SHARE
    t = (-a + np.sqrt(a * a + 4 * (1 - a) * u)) / (2 * (1 - a))  # inverse of a*t + (1-a)*t^2
    return PERIOD_START + np.minimum(np.floor(t * SPAN), SPAN - 1).astype(np.int64)


def _items_core(rng: np.random.Generator, start: int, size: int, total: int) -> dict[str, np.ndarray]:
    """What decides an item's judgements: creation, project, truth, language and role."""
    created = _creation_times(rng, start, size, total)
    project = _categorical(rng, PROJECT_SHARES, size)
    true = _rowwise_categorical(rng, PROJECT_LABEL_CUM[project])
    lang = _categorical(rng, LANGUAGE_WEIGHTS, size)
    hard = rng.random(size) < P_HARD
    expert = (created < CUTOFF - 3 * DAY) & (rng.random(size) < P_EXPERT)
    honeypot = ~expert & (rng.random(size) < P_HONEYPOT)
    moderated = ~expert & (rng.random(size) < P_MODERATED)
    return {
        "item_num": np.arange(start + 1, start + size + 1, dtype=np.int64),
        "created": created,
        "project": project,
        "true": true,
        "lang": lang,
        "hard": hard,
        "expert": expert,
        "honeypot": honeypot,
        "moderated": moderated,
    }


def _weekend_slowdown(rng: np.random.Generator, when: np.ndarray) -> np.ndarray:
    """Half the work that would land on a Saturday or Sunday waits for Monday."""
    dow = ((when - PERIOD_START) // DAY + 1) % 7  # Monday = 0; 2026-09-01 is a Tuesday
    push = (dow >= 5) & (rng.random(when.shape) < 0.5)
    return when + np.where(push, (7 - dow) * DAY, 0)


def _item_rows(rng: np.random.Generator, core: dict[str, np.ndarray]) -> pd.DataFrame:
    """Descriptive item attributes, as codes the export SQL turns into text."""
    m = core["item_num"].size
    lang = core["lang"]
    variant_counts = np.array([len(v) for v in LANGUAGE_VARIANTS])
    variant_offset = len(LANGUAGES) + np.concatenate([[0], np.cumsum(variant_counts)[:-1]])
    variant = variant_offset[lang] + (rng.random(m) * variant_counts[lang]).astype(np.int64)
    lang_raw = np.where(rng.random(m) < P_LANGUAGE_VARIANT, variant, lang)
    market_cum, market_offset = _market_tables()
    market = market_offset[lang] + _rowwise_categorical(rng, market_cum[lang])
    severity = np.array([t["severity"] for t in TAXONOMY])[core["true"]]
    priority = _categorical(rng, PRIORITY_WEIGHTS, m) + 1
    priority = np.where((severity >= 3) & (rng.random(m) < 0.5), np.maximum(priority - 1, 1), priority)
    text = lang * TEXTS_PER_LANGUAGE + rng.integers(0, TEXTS_PER_LANGUAGE, m)
    return pd.DataFrame(
        {
            "item_num": core["item_num"],
            "project": core["project"].astype(np.int16),
            "created": core["created"],
            "lang_raw": lang_raw.astype(np.int16),
            "market": market.astype(np.int16),
            "content": _categorical(rng, CONTENT_WEIGHTS, m).astype(np.int16),
            "priority": priority.astype(np.int16),
            "text": text.astype(np.int16),
            "true_label": core["true"].astype(np.int16),
            "defect": np.zeros(m, dtype=np.int16),
        }
    )


def _market_tables() -> tuple[np.ndarray, np.ndarray]:
    """Cumulative market weights per language (padded) and each language's first market index."""
    width = max(len(m) for m in MARKETS)
    cum = np.ones((len(MARKETS), width))
    for li, markets in enumerate(MARKETS):
        w = np.cumsum([p for _, p in markets])
        cum[li, : len(markets)] = w / w[-1]
    offset = np.concatenate([[0], np.cumsum([len(m) for m in MARKETS])[:-1]])
    return cum, offset


def _market_codes() -> list[str]:
    return [code for markets in MARKETS for code, _ in markets]
