"""Deterministic, realistic demo raw exports for labelhouse.

`generate(out_dir, n_annotations, seed)` writes one raw export directory that follows the raw
contract (`raw_contract` in dbt_project.yml): annotations, items, gold labels, model predictions,
moderation decisions, projects, annotators and thresholds, plus `generator_manifest.json` (row
counts and the ground truth the tests and docs can check the warehouse against).

What the data looks like (all dates fixed, nothing depends on the clock):

* 4 projects, 8 languages, ~200 annotators from 4 vendors; each annotator has a speed (log-normal
  handle times) and a confusion matrix; ~5% of them are deliberately bad (accuracy ~0.4-0.55).
* Items are created from 2026-09-01 to 2026-10-27 with growing volume and a skewed label mix
  (benign ~70%, self_harm ~1%). 3 judgements per item, 5 on ~10%; recent items are still open;
  ~1% of items are judged twice by the same annotator; weekends are slower.
* Honeypots (~5% of judged items) and an expert set (~2% of items, never judged) carry gold labels.
* Model `safety-classifier` v1 (weaker, over-confident) and v2 (better, calibrated) score the gold
  items for every label; a threshold per version and label.
* Annotations are split into weekly Parquet files plus one JSONL day, one CSV day and one re-export
  `.csv.gz` file, with mixed timestamp styles (`Z`, `+07:00`, no offset = UTC). At large sizes the
  JSONL/CSV days keep their first TEXT_FILE_MAX_ROWS rows and spill the rest into `*_bulk.parquet`.
* A handful of deliberately bad rows of every kind the staging layer rejects (see `truth.bad_rows`):
  2..20 per kind, ~0.4% of an entity; below ~15,000 annotations the minimum of 2 per kind can
  exceed 1% of the small entities (gold labels, moderation decisions).

Everything is generated chunk by chunk with vectorised numpy, staged in a scratch DuckDB file
and written with DuckDB's single-threaded writers, so the output is byte-identical for the same
`seed` and `n_annotations`, and memory stays bounded at millions of annotations.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from labelhouse.errors import LabelhouseError

# --------------------------------------------------------------------------------------------
# Public constants
# --------------------------------------------------------------------------------------------

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
MODEL_VERSIONS: tuple[str, ...] = ("v1", "v2")
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
)
MIN_ANNOTATIONS = 2_000

ProgressFn = Callable[[str], None]


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


@dataclass(frozen=True)
class _Project:
    project_id: str
    name: str
    share: float
    sla_hours: int
    due_date: str
    label_mix: tuple[float, ...]  # in LABELS order


PROJECTS: tuple[_Project, ...] = (
    _Project(
        "p_hate_2026q4",
        "Hate speech review Q4 – ตรวจสอบถ้อยคำแสดงความเกลียดชัง",
        0.35,
        24,
        "2026-11-20",
        (0.66, 0.14, 0.10, 0.03, 0.03, 0.01, 0.03),
    ),
    _Project(
        "p_violence_2026q4",
        "Violent extremism sweep – مراجعة التطرف العنيف",
        0.20,
        48,
        "2026-11-30",
        (0.72, 0.04, 0.04, 0.12, 0.02, 0.02, 0.04),
    ),
    _Project(
        "p_spam_2026q4",
        "Spam, scams & fraud – Kiểm duyệt thư rác",
        0.25,
        72,
        "2026-12-15",
        (0.70, 0.01, 0.02, 0.005, 0.23, 0.005, 0.03),
    ),
    _Project(
        "p_general_2026q4",
        "General safety sample – Sampel keamanan umum",
        0.20,
        48,
        "2026-12-31",
        (0.74, 0.04, 0.06, 0.02, 0.06, 0.015, 0.065),
    ),
)
UNKNOWN_PROJECT = "p_legacy_2025q3"
PROJECT_SHARES = np.array([p.share for p in PROJECTS])
PROJECT_SLA_HOURS = np.array([p.sla_hours for p in PROJECTS], dtype=np.float64)
PROJECT_LABEL_CUM = np.cumsum(np.array([p.label_mix for p in PROJECTS]), axis=1)
LABEL_PREVALENCE = PROJECT_SHARES @ np.array([p.label_mix for p in PROJECTS])

LANGUAGES: tuple[str, ...] = ("en", "id", "th", "vi", "ms", "ar", "es", "pt")
LANGUAGE_WEIGHTS = np.array([0.30, 0.14, 0.10, 0.10, 0.08, 0.10, 0.10, 0.08])
LANGUAGE_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("EN", "en-US", "en-GB"),
    ("ID", "id-ID"),
    ("TH", "th-TH"),
    ("VI", "vi-VN"),
    ("MS", "ms-MY"),
    ("AR", "ar-EG"),
    ("ES", "es-MX"),
    ("pt-BR", "PT"),
)
MARKETS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("US", 0.45), ("GB", 0.2), ("PH", 0.15), ("SG", 0.1), ("IN", 0.1)),
    (("ID", 1.0),),
    (("TH", 1.0),),
    (("VN", 1.0),),
    (("MY", 0.85), ("SG", 0.15)),
    (("SA", 0.4), ("EG", 0.4), ("AE", 0.2)),
    (("MX", 0.5), ("ES", 0.3), ("CO", 0.2)),
    (("BR", 0.85), ("PT", 0.15)),
)
CONTENT_TYPES: tuple[str, ...] = ("post", "comment", "message", "profile", "image_caption")
CONTENT_WEIGHTS = np.array([0.45, 0.30, 0.10, 0.05, 0.10])
# priority: 1 = most urgent ... 4 = routine
PRIORITY_WEIGHTS = np.array([0.05, 0.20, 0.45, 0.30])

TEXTS: tuple[tuple[str, ...], ...] = (
    (
        "Just finished my shift, anyone up for coffee?",
        "This blender broke after two days, total waste of money",
        "Check out my new video, link in bio!!!",
        'Can\'t believe the match last night, what a "comeback"',
    ),
    (
        "Selamat pagi semuanya, semoga harimu menyenangkan",
        "Harga barang ini terlalu mahal, ada diskon?",
        "Ayo ikut giveaway, klik tautan di profil",
        "Macetnya parah banget hari ini",
    ),
    (
        "สวัสดีครับ วันนี้อากาศดีมาก",
        "ร้านนี้อาหารอร่อย แต่รอนานไปหน่อย",
        "ใครอยากได้ของฟรี กดลิงก์ในโปรไฟล์เลย",
        "ขอบคุณทุกคนที่มาร่วมงานเมื่อวานนี้",
    ),
    (
        "Chào buổi sáng, hôm nay trời đẹp quá",
        "Sản phẩm này dùng rất tốt, mình sẽ mua lại",
        "Nhấn vào liên kết để nhận quà miễn phí",
        "Trận đấu tối qua thật tuyệt vời",
    ),
    (
        "Selamat pagi semua, jangan lupa sarapan",
        "Barang ini sampai lambat tapi kualitinya bagus",
        "Sertai peraduan kami, klik pautan di bio",
        "Hujan lebat lagi petang ini",
    ),
    (
        "صباح الخير يا أصدقاء",
        "هذا المنتج رائع وأنصح به",
        "اضغط على الرابط للحصول على هدية مجانية",
        "كانت المباراة أمس مثيرة جدا",
    ),
    (
        "Buenos días a todos, ¡feliz lunes!",
        "El envío tardó mucho, pero el producto es bueno",
        "Sigue el enlace de mi perfil para ganar premios",
        "Qué partido tan increíble anoche",
    ),
    (
        "Bom dia, pessoal! Ótima semana",
        "A entrega atrasou, mas o produto é ótimo",
        "Clique no link da bio para ganhar brindes",
        "Que jogo incrível ontem à noite, emoção até o fim",
    ),
)
TEXTS_PER_LANGUAGE = len(TEXTS[0])


@dataclass(frozen=True)
class _Site:
    name: str
    vendor: str
    languages: tuple[str, ...]  # first = always spoken, others sometimes
    weight: float
    utc_offset_hours: int  # for shift hours


SITES: tuple[_Site, ...] = (
    _Site("Manila", "Northwind Labeling", ("en", "es"), 0.22, 8),
    _Site("Mexico City", "Northwind Labeling", ("es", "pt", "en"), 0.10, -6),
    _Site("Bangkok", "Cobalt Review", ("th", "en"), 0.12, 7),
    _Site("Jakarta", "Cobalt Review", ("id", "ms", "en"), 0.13, 7),
    _Site("Kuala Lumpur", "Cobalt Review", ("ms", "id", "en"), 0.08, 8),
    _Site("Ho Chi Minh City", "Lotus Data Services", ("vi", "en"), 0.12, 7),
    _Site("Cairo", "Meridian Trust Ops", ("ar", "en"), 0.12, 3),
    _Site("Lisbon", "Meridian Trust Ops", ("pt", "es", "en"), 0.11, 1),
)
MIN_LANGUAGE_POOL = 8
SHIFT_START_HOUR, SHIFT_END_HOUR = 8, 20  # local working hours of the annotation sites
P_OFF_SHIFT = 0.1  # share of work that happens outside those hours anyway

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

# Model: per-label signal strength (separation of positives) and logit temperature multiplier.
MODEL_SIGNAL = {"v1": 1.5, "v2": 2.6}
MODEL_LOGIT_SCALE = {"v1": 2.2, "v2": 1.0}  # > 1: over-confident
MODEL_SHARED_NOISE = 0.5
THRESHOLDS = {
    "v1": (0.5, 0.6, 0.6, 0.5, 0.7, 0.4, 0.6),
    "v2": (0.5, 0.55, 0.6, 0.45, 0.65, 0.35, 0.55),
}

ACTIONS: tuple[str, ...] = ("remove", "keep", "restrict")
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


# Timestamp styles in the files: 'Z', '+07:00', and no offset (= UTC).
TZ_Z, TZ_PLUS7, TZ_NAIVE = 0, 1, 2
TZ_STYLE_NAMES = ("Z", "+07:00", "no offset (UTC)")
TEXT_FILE_MAX_ROWS = 50_000  # at large sizes the JSONL/CSV days spill into Parquet


@dataclass(frozen=True)
class _AnnotationFile:
    name: str
    fmt: str  # parquet | jsonl | csv | csv.gz
    exported_at: int
    tz_styles: tuple[int, ...]


def _annotation_files() -> tuple[_AnnotationFile, ...]:
    """Weekly Parquet files, then 2026-10-26 as JSONL, 2026-10-27 as CSV, then the re-export."""
    jsonl_day = PERIOD_START + (N_DAYS - 2) * DAY
    files = []
    for week in range(8):
        start = PERIOD_START + week * 7 * DAY
        end = min(start + 7 * DAY, jsonl_day)
        name = f"annotations_{_date(start)}.parquet"
        files.append(_AnnotationFile(name, "parquet", end + 2 * HOUR, (TZ_Z,)))
    files.append(
        _AnnotationFile(f"annotations_{_date(jsonl_day)}.jsonl", "jsonl", jsonl_day + DAY + 2 * HOUR, (TZ_PLUS7,))
    )
    files.append(_AnnotationFile(f"annotations_{_date(CUTOFF - DAY)}.csv", "csv", CUTOFF + 2 * HOUR, (TZ_Z, TZ_NAIVE)))
    files.append(
        _AnnotationFile(f"annotations_reexport_{_date(CUTOFF)}.csv.gz", "csv.gz", REEXPORT_AT, (TZ_PLUS7, TZ_Z))
    )
    return tuple(files)


def _date(epoch_seconds: int) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%d")


def _iso(epoch_seconds: int) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


ANNOTATION_FILES = _annotation_files()
FILE_JSONL, FILE_CSV, FILE_REEXPORT = 8, 9, 10
FILE_EXPORTED_AT = np.array([f.exported_at for f in ANNOTATION_FILES], dtype=np.int64)

# Random streams: every purpose (and every chunk) draws from its own seeded generator.
STREAM_ANNOTATORS, STREAM_PILOT, STREAM_CHUNK, STREAM_BAD = 1, 2, 3, 4


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, *stream])


def _categorical(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """`size` draws of an index with the given (unnormalised) weights."""
    cum = np.cumsum(weights, dtype=np.float64)
    cum /= cum[-1]
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(weights) - 1)


def _rowwise_categorical(rng: np.random.Generator, cum: np.ndarray) -> np.ndarray:
    """One draw per row of a matrix of cumulative probabilities (last column forced to 1)."""
    cum = cum.copy()
    cum[:, -1] = 1.0
    return (rng.random((cum.shape[0], 1)) < cum).argmax(axis=1)


# --------------------------------------------------------------------------------------------
# Annotators
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Items and their judgements (vectorised per chunk)
# --------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class _Plan:
    """When each judgement slot of each item would be submitted, and which slots are used."""

    submitted: np.ndarray  # (m, MAX_JUDGEMENTS)
    used: np.ndarray  # (m, MAX_JUDGEMENTS) bool, before the cutoff is applied
    repeat: np.ndarray  # (m,) bool: the first annotator judges the item again
    repeat_submitted: np.ndarray  # (m,)


def _plan_judgements(rng: np.random.Generator, core: dict[str, np.ndarray]) -> _Plan:
    """3 (or 5) slots per judged item; queue waits scale with the project's SLA."""
    m = core["created"].size
    k = np.where(rng.random(m) < P_FIVE_JUDGEMENTS, 5, 3)
    used = (np.arange(MAX_JUDGEMENTS)[None] < k[:, None]) & ~core["expert"][:, None]
    wait = rng.lognormal(np.log(PROJECT_SLA_HOURS[core["project"]] * 0.2 * HOUR), 0.8)
    delay = wait[:, None] * rng.uniform(0.3, 1.7, (m, MAX_JUDGEMENTS))
    delay += rng.exponential(2 * HOUR, (m, MAX_JUDGEMENTS)) + 2 * MINUTE
    submitted = _weekend_slowdown(rng, core["created"][:, None] + delay.astype(np.int64))
    repeat_submitted = submitted[:, 0] + rng.integers(DAY, 6 * DAY, m)
    repeat = used[:, 0] & (rng.random(m) < P_REPEAT)
    return _Plan(submitted, used, repeat, repeat_submitted)


def _into_shift(rng: np.random.Generator, when: np.ndarray, utc_offset: np.ndarray) -> np.ndarray:
    """Work that would fall outside the annotator's local shift mostly waits for the next shift."""
    local = (when + utc_offset) % DAY
    early = local < SHIFT_START_HOUR * HOUR
    late = local >= SHIFT_END_HOUR * HOUR
    wait = np.where(early, SHIFT_START_HOUR * HOUR - local, DAY - local + SHIFT_START_HOUR * HOUR)
    move = (early | late) & (rng.random(when.shape) >= P_OFF_SHIFT)
    return when + np.where(move, wait + rng.integers(0, 4 * HOUR, when.shape), 0)


@dataclass(frozen=True)
class _Judgements:
    """Who judges each slot, how long it takes, when it is submitted, and what is kept."""

    who: np.ndarray  # (m, MAX_JUDGEMENTS)
    handle: np.ndarray  # (m, MAX_JUDGEMENTS) seconds
    submitted: np.ndarray  # (m, MAX_JUDGEMENTS)
    keep: np.ndarray  # (m, MAX_JUDGEMENTS): used and submitted before the cutoff
    repeat: np.ndarray  # (m,): the first annotator judges the item again (kept)
    repeat_submitted: np.ndarray  # (m,)


def _judgements(
    rng: np.random.Generator,
    core: dict[str, np.ndarray],
    annotators: _Annotators,
    pools: list[tuple[np.ndarray, np.ndarray]],
) -> _Judgements:
    """Assign annotators to the planned slots and fit the work into their shifts."""
    plan = _plan_judgements(rng, core)
    who = _assign_annotators(rng, core["lang"], pools)
    handle = _handle_seconds(rng, annotators, who)
    offset = annotators.utc_offset
    submitted = _into_shift(rng, plan.submitted, offset[who])
    submitted = np.maximum(submitted, core["created"][:, None] + handle + 30)
    keep = plan.used & (submitted < CUTOFF)
    repeat_submitted = np.maximum(_into_shift(rng, plan.repeat_submitted, offset[who[:, 0]]), submitted[:, 0] + DAY)
    repeat = plan.repeat & keep[:, 0] & (repeat_submitted < CUTOFF)
    return _Judgements(who, handle, submitted, keep, repeat, repeat_submitted)


def _annotations_per_item(seed: int, annotators: _Annotators, pools: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Mean number of kept judgements per item, from a pilot run of the same process."""
    rng = _rng(seed, STREAM_PILOT)
    core = _items_core(rng, 0, PILOT_ITEMS, PILOT_ITEMS)
    j = _judgements(rng, core, annotators, pools)
    return float(j.keep.sum() + j.repeat.sum()) / PILOT_ITEMS


def _assign_annotators(
    rng: np.random.Generator, lang: np.ndarray, pools: list[tuple[np.ndarray, np.ndarray]]
) -> np.ndarray:
    """(m, MAX_JUDGEMENTS) distinct annotators per item, who speak the item's language."""
    out = np.zeros((lang.size, MAX_JUDGEMENTS), dtype=np.int64)
    for li, (members, cum) in enumerate(pools):
        rows = np.flatnonzero(lang == li)
        if rows.size == 0:
            continue

        def draw(count: int, members: np.ndarray = members, cum: np.ndarray = cum) -> np.ndarray:
            pos = np.searchsorted(cum, rng.random(count) * cum[-1], side="right")
            return members[np.minimum(pos, members.size - 1)]

        picks = draw(rows.size * MAX_JUDGEMENTS).reshape(rows.size, MAX_JUDGEMENTS)
        for j in range(1, MAX_JUDGEMENTS):
            for _ in range(200):
                dup = (picks[:, j : j + 1] == picks[:, :j]).any(axis=1)
                if not dup.any():
                    break
                picks[dup, j] = draw(int(dup.sum()))
        out[rows] = picks
    return out


def _handle_seconds(rng: np.random.Generator, annotators: _Annotators, who: np.ndarray) -> np.ndarray:
    """Log-normal handle times around each annotator's own median, 4 s to 30 min."""
    log_t = annotators.handle_log_median[who] + annotators.handle_sigma[who] * rng.standard_normal(who.shape)
    return np.clip(np.rint(np.exp(log_t)), 4, 1_800).astype(np.int64)


def _judge(
    rng: np.random.Generator, annotators: _Annotators, who: np.ndarray, true: np.ndarray, hard: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Labels from each annotator's confusion matrix, and a self-reported confidence."""
    p_correct = annotators.accuracy[who, true] * np.where(hard, HARD_ITEM_ACCURACY_FACTOR, 1.0)
    correct = rng.random(who.size) < p_correct
    wrong = (rng.random((who.size, 1)) < annotators.confusion_cum[who, true]).argmax(axis=1)
    label = np.where(correct, true, wrong)
    confidence = np.where(
        correct, 0.55 + 0.45 * rng.beta(5.0, 1.8, who.size), 0.35 + 0.5 * rng.beta(2.0, 2.5, who.size)
    )
    return label, np.round(confidence, 2)


def _route(submitted: np.ndarray) -> np.ndarray:
    """Annotation file index from the submission day."""
    day = (submitted - PERIOD_START) // DAY
    return np.where(day >= N_DAYS - 1, FILE_CSV, np.where(day == N_DAYS - 2, FILE_JSONL, day // 7))


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


def _annotation_rows(
    rng: np.random.Generator,
    core: dict[str, np.ndarray],
    annotators: _Annotators,
    pools: list[tuple[np.ndarray, np.ndarray]],
    totals: _Totals,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chunk's judgements (and their re-exports) as staging rows."""
    j = _judgements(rng, core, annotators, pools)
    judged = ~core["expert"]
    totals.judged_items += int(judged.sum())
    totals.backlog_items += int((judged & (j.keep.sum(axis=1) < 3)).sum())
    totals.repeats += int(j.repeat.sum())

    item_idx, slot = np.nonzero(j.keep)
    rep_idx = np.flatnonzero(j.repeat)
    idx = np.concatenate([item_idx, rep_idx])
    first = j.who[rep_idx, 0]
    who = np.concatenate([j.who[item_idx, slot], first])
    handle = np.concatenate([j.handle[item_idx, slot], _handle_seconds(rng, annotators, first)])
    submitted = np.concatenate([j.submitted[item_idx, slot], j.repeat_submitted[rep_idx]])
    label, confidence = _judge(rng, annotators, who, core["true"][idx], core["hard"][idx])
    n = idx.size
    ann_num = totals.annotations + 1 + np.arange(n, dtype=np.int64)
    totals.annotations += n
    rows = pd.DataFrame(
        {
            "ann_num": ann_num,
            "item_num": core["item_num"][idx],
            "project": core["project"][idx].astype(np.int16),
            "annotator": who.astype(np.int16),
            "label": label.astype(np.int16),
            "started": submitted - handle,
            "submitted": submitted,
            "confidence": confidence,
            "lang": core["lang"][idx].astype(np.int16),
            "file": _route(submitted).astype(np.int16),
            "defect": np.zeros(n, dtype=np.int16),
        }
    )
    return rows, _reexports(rng, rows, core["true"][idx], totals)


def _reexports(rng: np.random.Generator, rows: pd.DataFrame, true: np.ndarray, totals: _Totals) -> pd.DataFrame:
    """~0.5% of judgements exported again later; half of them with a reworked label."""
    pick = rng.random(len(rows)) < P_REEXPORT
    again = rows.loc[pick].copy()
    old = again["label"].to_numpy()
    truth = true[pick]
    change = rng.random(old.size) < 0.5
    other = (old + 1 + rng.integers(0, N_LABELS - 1, old.size)) % N_LABELS
    new = np.where(change, np.where(old != truth, truth, other), old)
    again["label"] = new.astype(np.int16)
    again["file"] = np.int16(FILE_REEXPORT)
    totals.reexports += int(pick.sum())
    totals.reexport_label_changes += int((new != old).sum())
    return again


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


# --------------------------------------------------------------------------------------------
# Staging (a scratch DuckDB file) and export SQL
# --------------------------------------------------------------------------------------------

STAGING_TABLES: dict[str, str] = {
    "items": "seq BIGINT, item_num BIGINT, project SMALLINT, created BIGINT, lang_raw SMALLINT, market SMALLINT, "
    "content SMALLINT, priority SMALLINT, text SMALLINT, true_label SMALLINT, defect SMALLINT",
    "ann": "seq BIGINT, ann_num BIGINT, item_num BIGINT, project SMALLINT, annotator SMALLINT, label SMALLINT, "
    "started BIGINT, submitted BIGINT, confidence DOUBLE, lang SMALLINT, file SMALLINT, defect SMALLINT",
    "ann_re": "seq BIGINT, ann_num BIGINT, item_num BIGINT, project SMALLINT, annotator SMALLINT, label SMALLINT, "
    "started BIGINT, submitted BIGINT, confidence DOUBLE, lang SMALLINT, file SMALLINT, defect SMALLINT",
    "preds": "seq BIGINT, item_num BIGINT, version SMALLINT, label SMALLINT, score DOUBLE, predicted BIGINT, "
    "defect SMALLINT",
    "gold": "seq BIGINT, item_num BIGINT, label SMALLINT, project SMALLINT, source SMALLINT, labelled BIGINT, "
    "defect SMALLINT",
    "decisions": "seq BIGINT, dec_num BIGINT, item_num BIGINT, action SMALLINT, label SMALLINT, decided BIGINT, "
    "automated BOOLEAN, appealed BIGINT, outcome SMALLINT, defect SMALLINT",
}


class _Stage:
    """A scratch DuckDB database holding the generated rows as compact codes."""

    def __init__(self, path: Path, temp_dir: Path) -> None:
        self.con = duckdb.connect(str(path))
        # One thread: DuckDB's multi-threaded writers do not produce byte-identical files.
        self.con.execute("SET threads = 1")
        self.con.execute("SET memory_limit = '768MB'")
        self.con.execute("SET preserve_insertion_order = true")
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute(f"SET temp_directory = {_sql_str(str(temp_dir))}")
        self.sizes: dict[str, int] = {}
        for name, columns in STAGING_TABLES.items():
            self.con.execute(f"CREATE TABLE {name} ({columns})")
            self.sizes[name] = 0

    def append(self, table: str, rows: pd.DataFrame) -> None:
        """Append rows, numbering them with a per-table sequence (the `seq` column)."""
        if rows.empty:
            return
        rows = rows.assign(seq=self.sizes[table] + np.arange(len(rows), dtype=np.int64))
        self.con.register("_chunk", rows)
        self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _chunk")
        self.con.unregister("_chunk")
        self.sizes[table] += len(rows)

    def close(self) -> None:
        self.con.close()


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values: Sequence[str]) -> str:
    """A DuckDB list literal, indexed 1-based: `{list}[code + 1]`."""
    return "[" + ", ".join(_sql_str(v) for v in values) + "]"


def _ts_sql(column: str, style: int) -> str:
    """ISO-8601 text of an epoch-seconds column in one timestamp style."""
    shift = f" + {PLUS7}" if style == TZ_PLUS7 else ""
    text = f"strftime(make_timestamp(({column}{shift})::BIGINT * 1000000), '%Y-%m-%dT%H:%M:%S')"
    suffix = {TZ_Z: " || 'Z'", TZ_PLUS7: " || '+07:00'", TZ_NAIVE: ""}[style]
    return text + suffix


def _ts_mixed_sql(column: str, styles: Sequence[int], key: str) -> str:
    """Timestamp text whose style rotates with `key` (a row number) over `styles`."""
    if len(styles) == 1:
        return _ts_sql(column, styles[0])
    cases = " ".join(f"WHEN {i} THEN {_ts_sql(column, s)}" for i, s in enumerate(styles))
    return f"CASE {key} % {len(styles)} {cases} END"


def _item_id_sql(column: str) -> str:
    return f"'itm_' || lpad({column}::VARCHAR, 8, '0')"


def _annotation_select(file_index: int, slice_sql: str = "") -> str:
    """Rows of one annotation file; `slice_sql` (LIMIT / OFFSET) splits an oversized text file."""
    spec = ANNOTATION_FILES[file_index]
    d = {k: _defect_code(ANNOTATION_DEFECTS, k) for k in ANNOTATION_DEFECTS}

    def ts(column: str) -> str:
        return _ts_mixed_sql(column, spec.tz_styles, "ann_num")

    table = "ann_re" if file_index == FILE_REEXPORT else "ann"
    return f"""
        SELECT
            CASE WHEN defect = {d["null_annotation_id"]} THEN NULL
                 ELSE 'ann_' || lpad(ann_num::VARCHAR, 9, '0') END AS annotation_id,
            CASE WHEN defect = {d["blank_item_id"]} THEN '   ' ELSE {_item_id_sql("item_num")} END AS item_id,
            {_sql_list([p.project_id for p in PROJECTS] + [UNKNOWN_PROJECT])}[project + 1] AS project_id,
            'rater_' || lpad((annotator + 1)::VARCHAR, 3, '0') AS annotator_id,
            {_sql_list(ALL_LABELS)}[label + 1] AS label,
            {ts("started")} AS started_at,
            CASE WHEN defect = {d["unparsable_submitted_at"]}
                 THEN {_sql_list(BAD_TIMESTAMPS)}[ann_num % {len(BAD_TIMESTAMPS)} + 1]
                 ELSE {ts("submitted")} END AS submitted_at,
            {_sql_list(LANGUAGES)}[lang + 1] AS language,
            confidence,
            {ts(str(spec.exported_at))} AS exported_at,
        FROM {table}
        WHERE file = {file_index}
        ORDER BY submitted, ann_num, defect, seq
        {slice_sql}
    """


def _items_select() -> str:
    raw_languages = list(LANGUAGES) + [v for variants in LANGUAGE_VARIANTS for v in variants]
    texts = [t for per_language in TEXTS for t in per_language]
    return f"""
        SELECT
            CASE WHEN defect = 1 THEN NULL ELSE {_item_id_sql("item_num")} END AS item_id,
            {_sql_list([p.project_id for p in PROJECTS])}[project + 1] AS project_id,
            {_ts_sql("created", TZ_Z)} AS created_at,
            {_sql_list(raw_languages)}[lang_raw + 1] AS language,
            {_sql_list(_market_codes())}[market + 1] AS market,
            {_sql_list(CONTENT_TYPES)}[content + 1] AS content_type,
            priority::INTEGER AS priority,
            {_sql_list(texts)}[text + 1] AS text,
        FROM items
        ORDER BY item_num, defect, seq
    """


def _predictions_select(version: int) -> str:
    d = {k: _defect_code(PREDICTION_DEFECTS, k) for k in PREDICTION_DEFECTS}
    bad_scores = "[" + ", ".join(str(s) for s in BAD_SCORES) + "]"
    return f"""
        SELECT
            {_sql_str(MODEL_NAME)} AS model_name,
            {_sql_str(MODEL_VERSIONS[version])} AS model_version,
            {_item_id_sql("item_num")} AS item_id,
            {_sql_list(ALL_LABELS)}[label + 1] AS label,
            CASE WHEN defect = {d["null_score"]} THEN NULL
                 WHEN defect = {d["score_out_of_range"]} THEN {bad_scores}[seq % {len(BAD_SCORES)} + 1]
                 ELSE score END AS score,
            {_ts_sql("predicted", TZ_Z)} AS predicted_at,
        FROM preds
        WHERE version = {version}
        ORDER BY item_num, label, seq
    """


def _gold_select(source: int) -> str:
    return f"""
        SELECT
            {_item_id_sql("item_num")} AS item_id,
            {_sql_list(ALL_LABELS)}[label + 1] AS label,
            {_sql_list([p.project_id for p in PROJECTS])}[project + 1] AS project_id,
            {_sql_str(("honeypot", "expert")[source])} AS source,
            {_ts_sql("labelled", TZ_Z)} AS labelled_at,
        FROM gold
        WHERE source = {source}
        ORDER BY item_num, seq
    """


def _decisions_select() -> str:
    d = {k: _defect_code(DECISION_DEFECTS, k) for k in DECISION_DEFECTS}
    styles = (TZ_Z, TZ_PLUS7)
    return f"""
        SELECT
            'dec_' || lpad(dec_num::VARCHAR, 8, '0') AS decision_id,
            {_item_id_sql("item_num")} AS item_id,
            {_sql_list(ACTIONS)}[action + 1] AS action,
            {_sql_list(ALL_LABELS)}[label + 1] AS label,
            CASE WHEN defect = {d["unparsable_decided_at"]}
                 THEN {_sql_list(BAD_TIMESTAMPS)}[dec_num % {len(BAD_TIMESTAMPS)} + 1]
                 ELSE {_ts_mixed_sql("decided", styles, "dec_num")} END AS decided_at,
            CASE WHEN defect = {d["invalid_decided_by"]}
                 THEN {_sql_list(BAD_DECIDED_BY)}[dec_num % {len(BAD_DECIDED_BY)} + 1]
                 WHEN automated THEN 'automated' ELSE 'human' END AS decided_by,
            CASE WHEN appealed < 0 THEN NULL ELSE {_ts_mixed_sql("appealed", styles, "dec_num")} END AS appealed_at,
            CASE outcome WHEN 1 THEN 'upheld' WHEN 2 THEN 'overturned' END AS appeal_outcome,
        FROM decisions
        ORDER BY dec_num, seq
    """


def _copy(con: duckdb.DuckDBPyConnection, select: str, path: Path, fmt: str) -> int:
    """Write a query to one file; returns the row count. gzip is done here (mtime 0)."""
    if fmt == "csv.gz":
        plain = path.with_name(path.name[: -len(".gz")] + ".tmp")
        rows = _copy(con, select, plain, "csv")
        with plain.open("rb") as src, path.open("wb") as raw, gzip.GzipFile("", "wb", 6, raw, mtime=0) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        plain.unlink()
        return rows
    options = {
        "parquet": "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000",
        "csv": "FORMAT csv, HEADER true",
        "jsonl": "FORMAT json",
    }[fmt]
    result = con.execute(f"COPY ({select}) TO {_sql_str(str(path))} ({options})").fetchone()
    return int(result[0]) if result else 0


# --------------------------------------------------------------------------------------------
# Deliberately bad rows
# --------------------------------------------------------------------------------------------


def _bad_per_kind(rows: int, kinds: int) -> int:
    """A handful of bad rows per kind: 2..20, about 0.4% of the entity in all."""
    return int(np.clip(int(rows * 0.004 / kinds), 2, 20))


def _pick(rng: np.random.Generator, population: int, kinds: Sequence[str], per_kind: int) -> pd.DataFrame:
    """Distinct random source rows (by seq) for each defect kind."""
    total = per_kind * len(kinds)
    src = rng.choice(population, size=total, replace=False)
    return pd.DataFrame(
        {
            "src_seq": src.astype(np.int64),
            "kind": np.repeat(np.arange(1, len(kinds) + 1), per_kind).astype(np.int16),
            "j": np.tile(np.arange(per_kind), len(kinds)).astype(np.int64),
        }
    )


def _with_picks(stage: _Stage, picks: pd.DataFrame, sql: str) -> None:
    stage.con.register("_picks", picks)
    stage.con.execute(sql)
    stage.con.unregister("_picks")


def _bad_annotations(stage: _Stage, rng: np.random.Generator, per_kind: int, totals: _Totals) -> None:
    """Extra annotation rows, each copied from a good one and broken in exactly one way."""
    picks = _pick(rng, stage.sizes["ann"], ANNOTATION_DEFECTS, per_kind)
    picks["new_ann_num"] = totals.annotations + 1 + np.arange(len(picks), dtype=np.int64)
    picks["new_seq"] = stage.sizes["ann"] + np.arange(len(picks), dtype=np.int64)
    d = {k: _defect_code(ANNOTATION_DEFECTS, k) for k in ANNOTATION_DEFECTS}
    _with_picks(
        stage,
        picks,
        f"""
        INSERT INTO ann BY NAME
        SELECT
            p.new_seq AS seq,
            CASE WHEN p.kind = {d["duplicate_row"]} THEN a.ann_num ELSE p.new_ann_num END AS ann_num,
            CASE WHEN p.kind = {d["unknown_item_id"]} THEN {UNKNOWN_ITEM_BASE} + p.j ELSE a.item_num END AS item_num,
            CASE WHEN p.kind = {d["unknown_project_id"]} THEN {len(PROJECTS)} ELSE a.project END AS project,
            a.annotator,
            CASE WHEN p.kind = {d["unknown_label"]} THEN {N_LABELS} + p.j % {len(BAD_LABELS)}
                 ELSE a.label END AS label,
            CASE WHEN p.kind = {d["submitted_before_started"]} THEN 2 * a.submitted - a.started + 60
                 ELSE a.started END AS started,
            a.submitted, a.confidence, a.lang, a.file,
            p.kind AS defect,
        FROM _picks AS p
        JOIN ann AS a ON a.seq = p.src_seq
        """,
    )
    stage.sizes["ann"] += len(picks)
    totals.annotations += len(picks)


def _bad_in_place(stage: _Stage, rng: np.random.Generator, table: str, kinds: Sequence[str]) -> int:
    """Break existing rows of `table` in place (defect code); returns the count per kind."""
    per_kind = _bad_per_kind(stage.sizes[table], len(kinds))
    picks = _pick(rng, stage.sizes[table], kinds, per_kind)
    _with_picks(stage, picks, f"UPDATE {table} SET defect = p.kind FROM _picks AS p WHERE {table}.seq = p.src_seq")
    return per_kind


def _bad_rows(stage: _Stage, seed: int, n_annotations: int, totals: _Totals) -> dict[str, dict[str, int]]:
    """Add every kind of deliberately bad row; returns the count of each kind per entity."""
    rng = _rng(seed, STREAM_BAD)
    per_ann = _bad_per_kind(n_annotations, len(ANNOTATION_DEFECTS))
    _bad_annotations(stage, rng, per_ann, totals)

    per_item = _bad_per_kind(stage.sizes["items"], len(ITEM_DEFECTS))
    picks = _pick(rng, stage.sizes["items"], ITEM_DEFECTS, per_item)
    picks["new_seq"] = stage.sizes["items"] + np.arange(len(picks), dtype=np.int64)
    _with_picks(
        stage,
        picks,
        "INSERT INTO items BY NAME SELECT p.new_seq AS seq, i.* EXCLUDE (seq, defect), p.kind AS defect "
        "FROM _picks AS p JOIN items AS i ON i.seq = p.src_seq",
    )
    stage.sizes["items"] += len(picks)

    per_pred = _bad_in_place(stage, rng, "preds", PREDICTION_DEFECTS[:2])
    unknown = _pick(rng, stage.sizes["preds"], ("unknown_label",), per_pred)
    unknown["new_seq"] = stage.sizes["preds"] + np.arange(len(unknown), dtype=np.int64)
    _with_picks(
        stage,
        unknown,
        f"""
        INSERT INTO preds BY NAME
        SELECT p.new_seq AS seq, r.item_num, r.version, {N_LABELS} + p.j % {len(BAD_LABELS)} AS label,
               r.score, r.predicted, {_defect_code(PREDICTION_DEFECTS, "unknown_label")} AS defect
        FROM _picks AS p JOIN preds AS r ON r.seq = p.src_seq
        """,
    )
    stage.sizes["preds"] += len(unknown)

    per_decision = _bad_in_place(stage, rng, "decisions", DECISION_DEFECTS)
    per_gold = _bad_in_place(stage, rng, "gold", GOLD_DEFECTS)
    stage.con.execute(f"UPDATE gold SET label = {N_LABELS} + seq % {len(BAD_LABELS)} WHERE defect = 1")
    return {
        "annotations": dict.fromkeys(ANNOTATION_DEFECTS, per_ann),
        "items": dict.fromkeys(ITEM_DEFECTS, per_item),
        "predictions": dict.fromkeys(PREDICTION_DEFECTS, per_pred),
        "moderation_decisions": dict.fromkeys(DECISION_DEFECTS, per_decision),
        "gold_labels": dict.fromkeys(GOLD_DEFECTS, per_gold),
    }


# --------------------------------------------------------------------------------------------
# Small dimension files
# --------------------------------------------------------------------------------------------


def _write_csv(frame: pd.DataFrame, path: Path) -> int:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return len(frame)


def _projects_frame(items_per_project: np.ndarray) -> pd.DataFrame:
    """Projects with a target a bit above what was generated, so none is finished."""
    target = (np.ceil(items_per_project * 1.25 / 100) * 100).astype(np.int64) + 100
    return pd.DataFrame(
        {
            "project_id": [p.project_id for p in PROJECTS],
            "name": [p.name for p in PROJECTS],
            "labels_per_item": 3,
            "target_items": target,
            "due_date": [p.due_date for p in PROJECTS],
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


def _thresholds_frame() -> pd.DataFrame:
    rows = [
        {"model_name": MODEL_NAME, "model_version": v, "label": label, "threshold": THRESHOLDS[v][k]}
        for v in MODEL_VERSIONS
        for k, label in enumerate(LABELS)
    ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------


def _entity_of(name: str) -> str | None:
    """The entity a file name belongs to under the raw contract's naming rule, if any."""
    if not name.endswith((".csv", ".csv.gz", ".jsonl", ".parquet")):
        return None
    matches = [e for e in ENTITIES + ("labels",) if name.startswith(e)]
    return max(matches, key=len) if matches else None


def _prepare_out_dir(out_dir: Path) -> None:
    """Create `out_dir`; remove a previous run's files (those its manifest lists) and refuse
    to mix with other raw exports."""
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = out_dir / MANIFEST_NAME
    if manifest.exists():
        try:
            previous = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
        except (OSError, ValueError):
            previous = {}
        for name in previous:
            if Path(name).name == name:
                (out_dir / name).unlink(missing_ok=True)
        manifest.unlink()
    foreign = sorted(p.name for p in out_dir.iterdir() if p.is_file() and _entity_of(p.name))
    if foreign:
        raise LabelhouseError(
            f"{out_dir} already holds raw export files ({', '.join(foreign[:5])}"
            f"{', ...' if len(foreign) > 5 else ''}) that this generator did not write. "
            "Generate into an empty directory, or remove those files first."
        )


def _n_items(n_annotations: int, seed: int, annotators: _Annotators) -> int:
    """How many items give ~n_annotations rows in all (re-exports and bad rows included)."""
    bad = _bad_per_kind(n_annotations, len(ANNOTATION_DEFECTS)) * len(ANNOTATION_DEFECTS)
    valid = (n_annotations - bad) / (1 + P_REEXPORT)
    per_item = _annotations_per_item(seed, annotators, _language_pools(annotators))
    return max(1, round(valid / per_item))


def _generate_rows(
    stage: _Stage, seed: int, n_items: int, annotators: _Annotators, totals: _Totals, say: ProgressFn
) -> np.ndarray:
    """Generate every chunk into the staging tables; returns the item count per project."""
    pools = _language_pools(annotators)
    per_project = np.zeros(len(PROJECTS), dtype=np.int64)
    n_chunks = -(-n_items // CHUNK_ITEMS)
    for c in range(n_chunks):
        start = c * CHUNK_ITEMS
        size = min(CHUNK_ITEMS, n_items - start)
        rng = _rng(seed, STREAM_CHUNK, c)
        core = _items_core(rng, start, size, n_items)
        ann, ann_re = _annotation_rows(rng, core, annotators, pools, totals)
        stage.append("items", _item_rows(rng, core))
        stage.append("ann", ann)
        stage.append("ann_re", ann_re)
        stage.append("preds", _prediction_rows(rng, core, totals))
        stage.append("gold", _gold_rows(rng, core, totals))
        stage.append("decisions", _decision_rows(rng, core, totals))
        per_project += np.bincount(core["project"], minlength=len(PROJECTS))
        totals.label_counts += np.bincount(core["true"], minlength=N_LABELS)
        totals.items += size
        say(f"generated items {start + size:,}/{n_items:,} ({totals.annotations:,} annotations)")
    return per_project


@dataclass(frozen=True)
class _Job:
    """One raw file to write: its name, entity, format and the query giving its rows."""

    name: str
    entity: str
    fmt: str
    select: str
    timestamp_styles: tuple[int, ...] = ()


def _annotation_jobs(stage: _Stage) -> list[_Job]:
    """One job per annotation file; a JSONL/CSV day beyond TEXT_FILE_MAX_ROWS rows keeps its first
    rows and spills the rest into a `<day>_bulk.parquet` file of the same export."""
    jobs = []
    for i, spec in enumerate(ANNOTATION_FILES):
        table = "ann_re" if i == FILE_REEXPORT else "ann"
        rows = stage.con.execute(f"SELECT count(*) FROM {table} WHERE file = {i}").fetchone()
        if spec.fmt in ("jsonl", "csv") and rows and rows[0] > TEXT_FILE_MAX_ROWS:
            bulk = spec.name.rsplit(".", 1)[0] + "_bulk.parquet"
            jobs.append(
                _Job(
                    spec.name,
                    "annotations",
                    spec.fmt,
                    _annotation_select(i, f"LIMIT {TEXT_FILE_MAX_ROWS}"),
                    spec.tz_styles,
                )
            )
            jobs.append(
                _Job(
                    bulk,
                    "annotations",
                    "parquet",
                    _annotation_select(i, f"OFFSET {TEXT_FILE_MAX_ROWS}"),
                    spec.tz_styles,
                )
            )
        else:
            jobs.append(_Job(spec.name, "annotations", spec.fmt, _annotation_select(i), spec.tz_styles))
    return jobs


def _export(stage: _Stage, out_dir: Path, tmp: Path, say: ProgressFn) -> dict[str, dict[str, Any]]:
    """Write every staged entity to its raw files; returns {file name: {entity, format, rows, ...}}."""
    jobs = _annotation_jobs(stage)
    jobs.append(_Job("items.parquet", "items", "parquet", _items_select()))
    for v, version in enumerate(MODEL_VERSIONS):
        jobs.append(
            _Job(f"predictions_{MODEL_NAME}_{version}.parquet", "predictions", "parquet", _predictions_select(v))
        )
    jobs.append(_Job("gold_labels_honeypot.csv", "gold_labels", "csv", _gold_select(0)))
    jobs.append(_Job("gold_labels_expert.csv", "gold_labels", "csv", _gold_select(1)))
    jobs.append(_Job("moderation_decisions.jsonl", "moderation_decisions", "jsonl", _decisions_select()))
    files: dict[str, dict[str, Any]] = {}
    for job in jobs:
        say(f"writing {job.name}")
        scratch = tmp / job.name
        rows = _copy(stage.con, job.select, scratch, job.fmt)
        shutil.move(str(scratch), str(out_dir / job.name))
        files[job.name] = {"entity": job.entity, "format": job.fmt, "rows": rows}
        if job.timestamp_styles:
            files[job.name]["timestamp_styles"] = [TZ_STYLE_NAMES[style] for style in job.timestamp_styles]
    return files


def generate(
    out_dir: Path,
    n_annotations: int = 60_000,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Write a deterministic demo raw export directory and return its manifest.

    Args:
        out_dir: directory to write into (created if missing). Files of a previous run of this
            generator (listed in its manifest) are replaced; other raw export files make it fail.
        n_annotations: approximate number of annotation rows in all files together (re-exports
            and deliberately bad rows included); at least MIN_ANNOTATIONS.
        seed: random seed; the same seed and n_annotations give byte-identical files.
        progress: optional callback receiving short progress messages.

    Returns:
        The manifest, also written as `generator_manifest.json`: the files with their entity,
        format and row count, per-entity totals, and a `truth` section (bad annotator ids, bad
        row counts per kind and entity, the better model version, ...).
    """
    if n_annotations < MIN_ANNOTATIONS:
        raise LabelhouseError(f"n_annotations must be at least {MIN_ANNOTATIONS:,} (got {n_annotations:,}).")
    if seed < 0:
        raise LabelhouseError(f"seed must be a non-negative integer (got {seed}).")
    say: ProgressFn = progress or (lambda _message: None)
    out_dir = Path(out_dir)
    _prepare_out_dir(out_dir)

    annotators = _make_annotators(seed, _annotator_count(n_annotations))
    n_items = _n_items(n_annotations, seed, annotators)
    say(f"generating {n_items:,} items for ~{n_annotations:,} annotations with {annotators.count} annotators")
    totals = _Totals()
    with tempfile.TemporaryDirectory(prefix="labelhouse-generate-") as tmp_name:
        tmp = Path(tmp_name)
        stage = _Stage(tmp / "stage.duckdb", tmp / "spill")
        try:
            per_project = _generate_rows(stage, seed, n_items, annotators, totals, say)
            bad_rows = _bad_rows(stage, seed, n_annotations, totals)
            files = _export(stage, out_dir, tmp, say)
        finally:
            stage.close()

    files["projects.csv"] = _dimension(out_dir / "projects.csv", "projects", _projects_frame(per_project))
    files["annotators.csv"] = _dimension(out_dir / "annotators.csv", "annotators", _annotators_frame(annotators))
    files["thresholds.csv"] = _dimension(out_dir / "thresholds.csv", "thresholds", _thresholds_frame())
    manifest = _manifest(seed, n_annotations, files, annotators, bad_rows, totals)
    (out_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"wrote {len(files)} files to {out_dir}")
    return manifest


def _dimension(path: Path, entity: str, frame: pd.DataFrame) -> dict[str, Any]:
    return {"entity": entity, "format": "csv", "rows": _write_csv(frame, path)}


def _manifest(
    seed: int,
    n_annotations: int,
    files: dict[str, dict[str, Any]],
    annotators: _Annotators,
    bad_rows: dict[str, dict[str, int]],
    totals: _Totals,
) -> dict[str, Any]:
    """The summary: files, per-entity totals and the ground truth behind the data."""
    files = dict(sorted(files.items()))
    entities = {
        e: {
            "files": sum(1 for f in files.values() if f["entity"] == e),
            "rows": sum(f["rows"] for f in files.values() if f["entity"] == e),
        }
        for e in ENTITIES
    }
    ids = annotators.ids()
    return {
        "generator": "labelhouse.generate",
        "format_version": 1,
        "seed": seed,
        "n_annotations_requested": n_annotations,
        "period": {"items_created_from": _iso(PERIOD_START), "cutoff": _iso(CUTOFF)},
        "files": files,
        "entities": entities,
        "truth": {
            "bad_annotator_ids": [ids[i] for i in np.flatnonzero(annotators.is_bad)],
            "annotators": annotators.count,
            "model_name": MODEL_NAME,
            "better_model_version": "v2",
            "worse_model_version": "v1",
            "miscalibrated_model_version": "v1",
            "bad_rows": bad_rows,
            "items": totals.items,
            "judged_items": totals.judged_items,
            "open_backlog_items": totals.backlog_items,
            "honeypot_items": totals.honeypots,
            "expert_items": totals.experts,
            "self_consistency_repeats": totals.repeats,
            "reexported_annotations": totals.reexports,
            "reexport_label_changes": totals.reexport_label_changes,
            "true_label_counts": {label: int(c) for label, c in zip(LABELS, totals.label_counts, strict=True)},
            "priority_scale": "1 = most urgent ... 4 = routine",
            "ignored_extra_columns": {"items": ["text"]},
        },
    }
