"""The annotator population: sites, languages, accuracy, confusions and speed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labelhouse.demo.constants import DAY, HOUR, N_LABELS, PERIOD_START
from labelhouse.demo.files import _date
from labelhouse.demo.sampling import STREAM_ANNOTATORS, _categorical, _rng
from labelhouse.demo.world import LANGUAGES, MIN_LANGUAGE_POOL, SITES

# Which wrong label a mistaken judgement picks, per true label (rows: true, columns: given).
CONFUSION_PRIOR = np.array(
    [
        [0.00, 0.15, 0.20, 0.05, 0.35, 0.05, 0.20],
        [0.30, 0.00, 0.45, 0.15, 0.02, 0.02, 0.06],
        [0.40, 0.35, 0.00, 0.10, 0.05, 0.05, 0.05],
        [0.20, 0.30, 0.15, 0.00, 0.02, 0.25, 0.08],
        [0.70, 0.03, 0.05, 0.02, 0.00, 0.02, 0.18],
        [0.30, 0.05, 0.10, 0.40, 0.02, 0.00, 0.13],
        [0.45, 0.05, 0.15, 0.05, 0.20, 0.10, 0.00],
    ]
)
CLASS_ACCURACY_SHIFT = np.array([0.03, -0.04, -0.06, -0.03, 0.0, -0.05, -0.02])
HARD_ITEM_ACCURACY_FACTOR = 0.8


@dataclass(frozen=True)
class _Annotators:
    """The annotator population: attributes plus each one's hidden quality and speed."""

    site: np.ndarray
    speaks: np.ndarray  # (n, n_languages) bool
    accuracy: np.ndarray  # (n, n_labels): P(correct | true label)
    confusion_cum: np.ndarray  # (n, n_labels, n_labels): cumulative P(given | true, wrong)
    handle_log_median: np.ndarray
    handle_sigma: np.ndarray
    weight: np.ndarray
    is_bad: np.ndarray
    started_on: list[str]

    @property
    def count(self) -> int:
        return int(self.site.size)

    def ids(self) -> list[str]:
        return [_annotator_id(i) for i in range(self.count)]

    @property
    def utc_offset(self) -> np.ndarray:
        """Seconds to add to UTC to get each annotator's local time."""
        return np.array([SITES[s].utc_offset_hours * HOUR for s in self.site], dtype=np.int64)


def _annotator_id(index: int) -> str:
    return f"rater_{index + 1:03d}"


def _annotator_count(n_annotations: int) -> int:
    return int(min(200, max(20, n_annotations // 300)))


def _annotator_languages(rng: np.random.Generator, site: np.ndarray) -> np.ndarray:
    """Languages each annotator speaks: the site's first always, the others often."""
    speaks = np.zeros((site.size, len(LANGUAGES)), dtype=bool)
    for a, s in enumerate(site):
        langs = SITES[s].languages
        speaks[a, LANGUAGES.index(langs[0])] = True
        for other in langs[1:]:
            speaks[a, LANGUAGES.index(other)] = rng.random() < (0.85 if other == "en" else 0.5)
    for li in range(len(LANGUAGES)):  # every language needs enough distinct annotators
        missing = MIN_LANGUAGE_POOL - int(speaks[:, li].sum())
        if missing > 0:
            candidates = [a for a in rng.permutation(site.size) if not speaks[a, li]]
            speaks[candidates[:missing], li] = True
    return speaks


def _annotator_confusions(rng: np.random.Generator, is_bad: np.ndarray) -> np.ndarray:
    """Per-annotator cumulative distribution of the wrong label given the true label."""
    n = is_bad.size
    off = CONFUSION_PRIOR[None] * rng.gamma(2.0, 1.0, (n, N_LABELS, N_LABELS))
    off /= off.sum(axis=2, keepdims=True)
    uniform = (1 - np.eye(N_LABELS)) / (N_LABELS - 1)
    off = np.where(is_bad[:, None, None], 0.5 * off + 0.5 * uniform[None], off)
    off[:, np.arange(N_LABELS), np.arange(N_LABELS)] = 0.0
    off /= off.sum(axis=2, keepdims=True)
    cum = np.cumsum(off, axis=2)
    cum[:, :, -1] = 1.0
    return cum


def _make_annotators(seed: int, n: int) -> _Annotators:
    """Build `n` annotators; a deterministic ~5% (at least 2) are bad."""
    rng = _rng(seed, STREAM_ANNOTATORS)
    site = _categorical(rng, np.array([s.weight for s in SITES]), n)
    speaks = _annotator_languages(rng, site)
    is_bad = np.zeros(n, dtype=bool)
    is_bad[rng.choice(n, size=max(2, round(0.05 * n)), replace=False)] = True
    base = np.where(is_bad, rng.uniform(0.40, 0.55, n), rng.uniform(0.80, 0.95, n))
    accuracy = base[:, None] + CLASS_ACCURACY_SHIFT[None] + rng.normal(0, 0.02, (n, N_LABELS))
    accuracy = np.where(is_bad[:, None], accuracy.clip(0.25, 0.70), accuracy.clip(0.60, 0.995))
    median = np.where(is_bad, rng.uniform(12, 28, n), rng.uniform(30, 110, n))
    started = PERIOD_START - rng.integers(10, 540, n) * DAY
    return _Annotators(
        site=site,
        speaks=speaks,
        accuracy=accuracy,
        confusion_cum=_annotator_confusions(rng, is_bad),
        handle_log_median=np.log(median),
        handle_sigma=rng.uniform(0.45, 0.75, n),
        weight=rng.lognormal(0.0, 0.4, n),
        is_bad=is_bad,
        started_on=[_date(int(s)) for s in started],
    )


def _language_pools(annotators: _Annotators) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per language: the annotators who speak it and their cumulative work weights."""
    pools = []
    for li in range(len(LANGUAGES)):
        members = np.flatnonzero(annotators.speaks[:, li])
        pools.append((members, np.cumsum(annotators.weight[members])))
    return pools
