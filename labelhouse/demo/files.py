"""The raw annotation files: their names, formats, export times and timestamp styles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from labelhouse.demo.constants import CUTOFF, DAY, HOUR, N_DAYS, PERIOD_START, REEXPORT_AT

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
