"""What the two yardsticks (reference.py and plain_sql.py) share: which raw files belong to an
entity, the figure families, defaults, and the stage timer. Imported by both scripts (run as
`python bench/<script>.py`, so this folder is on sys.path)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED_LABELS = PROJECT_ROOT / "seeds" / "labels.csv"
DEFAULT_THRESHOLD = 0.5
FAMILIES = ("load", "agreement", "pairwise_kappa", "gold_accuracy", "model_eval", "throughput")
SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".parquet")


def entity_files(raw_dir: Path, entity: str, others: tuple[str, ...] = ()) -> list[Path]:
    """Files of `entity` (name starts with it, longest matching entity of `others` wins), by name."""
    files = []
    for path in raw_dir.iterdir():
        name = path.name
        if not (path.is_file() and name.startswith(entity) and name.endswith(SUFFIXES)):
            continue
        if any(o.startswith(entity) and len(o) > len(entity) and name.startswith(o) for o in others):
            continue
        files.append(path)
    return sorted(files, key=lambda p: p.name)


@contextmanager
def timed(timings: dict[str, float], name: str) -> Iterator[None]:
    """Add the block's wall seconds to timings[name]."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round(timings.get(name, 0.0) + time.perf_counter() - start, 3)
