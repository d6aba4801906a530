"""Deterministic, realistic demo raw exports for labelhouse.

`generate(out_dir, n_annotations, seed)` (in `pipeline`) writes one raw export directory that follows the raw
contract (`raw_contract` in dbt_project.yml): annotations, items, gold labels, model predictions,
moderation decisions, projects, annotators, thresholds and vendor rates, plus `generator_manifest.json` (row
counts and the ground truth the tests and docs can check the warehouse against).

What the data looks like (all dates fixed, nothing depends on the clock):

* 4 projects, 8 languages, ~200 annotators from 4 vendors; each annotator has a speed (log-normal
  handle times) and a confusion matrix; ~5% of them are deliberately bad (accuracy ~0.4-0.55).
* Items are created from 2026-09-01 to 2026-10-27 with growing volume and a skewed label mix
  (benign ~70%, self_harm ~1%). 3 judgements per item, 5 on ~10%; recent items are still open;
  ~1% of items are judged twice by the same annotator; weekends are slower.
* Honeypots (~5% of judged items) and an expert set (~2% of items, never judged) carry gold labels.
* Two models score the gold items for every label, a threshold per model, version and label:
  `safety-classifier` v1 (weaker, over-confident) and v2 (better, calibrated), and the small
  `safety-lite` v1 (calibrated) and v2 (a regression: weaker and under-confident; the
  `worse_model_version` scenario, on by default: with it off v2 is v1's equal); the planted
  facts per model are in the manifest's `truth.models`.
* Annotations are split into weekly Parquet files plus one JSONL day, one CSV day and one re-export
  `.csv.gz` file, with mixed timestamp styles (`Z`, `+07:00`, no offset = UTC). At large sizes the
  JSONL/CSV days keep their first TEXT_FILE_MAX_ROWS rows and spill the rest into `*_bulk.parquet`.
* A handful of deliberately bad rows of every kind the staging layer rejects (see `truth.bad_rows`):
  2..20 per kind, ~0.4% of an entity; below ~15,000 annotations the minimum of 2 per kind can
  exceed 1% of the small entities (gold labels, moderation decisions).

Everything is generated chunk by chunk with vectorised numpy, staged in a scratch DuckDB file
and written with DuckDB's single-threaded writers, so the output is byte-identical for the same
`seed` and `n_annotations`, and memory stays bounded at millions of annotations.

The package follows the generator's steps: `constants` (public names, the period, base rates),
`world` (projects, languages, sites), `sampling` (seeded streams), `annotators`, `items`,
`judgements`, `gold`, `predictions`, `moderation`, `totals`, `defects` and `bad_rows` (the
deliberately bad rows), `files` (the raw annotation files), `staging` (the scratch DuckDB file
and export SQL), `output` (writing the files), `dimensions` (the small CSV files), `manifest`
`scenarios` (optional planted scenarios) and `pipeline` (the `generate` entry point).
"""

from labelhouse.demo.constants import (
    ENTITIES,
    LABELS,
    LITE_MODEL_NAME,
    MANIFEST_NAME,
    MIN_ANNOTATIONS,
    MODEL_NAME,
    MODEL_VERSIONS,
    TAXONOMY,
)
from labelhouse.demo.pipeline import generate
from labelhouse.demo.predictions import MODEL_NAMES
from labelhouse.demo.scenarios import Scenarios
from labelhouse.demo.world import LANGUAGES, PROJECTS

__all__ = [
    "ENTITIES",
    "LABELS",
    "LANGUAGES",
    "LITE_MODEL_NAME",
    "MANIFEST_NAME",
    "MIN_ANNOTATIONS",
    "MODEL_NAME",
    "MODEL_NAMES",
    "MODEL_VERSIONS",
    "PROJECTS",
    "Scenarios",
    "TAXONOMY",
    "generate",
]
