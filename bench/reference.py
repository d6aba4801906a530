"""The reference pipeline: the headline figures the way an analyst would compute them in a notebook.

pandas reads the same raw export directory labelhouse builds from, applies the same cleaning
rules, and scikit-learn, statsmodels and `krippendorff` compute

* per project: Krippendorff's alpha (nominal) and Fleiss' kappa,
* per project and annotator pair: Cohen's kappa,
* per project (and 'all') and annotator: accuracy on gold items,
* per model version x label x truth source: ROC AUC, average precision, precision and recall at
  the version's threshold,
* per annotator x project x UTC day: the number of annotations.

Where labelhouse documents a definition, the reference follows it (so both can be compared to
1e-9), and the library does the arithmetic:

* cleaning: the staging rules of models/staging/raw (trim, blank = missing, labels lower-cased
  with '_' for ' ' and '-', ISO-8601 timestamps with their offset honoured and no offset = UTC,
  the row checks, exact duplicates of (annotation_id, exported_at) dropped, the latest export of
  an annotation_id kept, unknown label/project/item rejected);
* an annotator who judged an item more than once counts once in every inter-annotator figure:
  the latest judgement (by submitted_at, then annotation_id); throughput counts every judgement;
* agreement uses the items with >= 2 judgements; items carry 1-5 judgements, which
  statsmodels' fleiss_kappa does not support (it assumes one number of raters per item), so the
  reference uses statsmodels when every pairable item of a project has the same count and
  otherwise the generalisation labelhouse documents (mean per-item agreement, pooled category
  shares). Krippendorff's alpha comes from `krippendorff.alpha(value_counts=...)`, the
  item x category count matrix (the reliability-data matrix of ~200 annotators x 1M items per
  project would not fit in memory);
* Cohen's kappa is sklearn's cohen_kappa_score over the items both annotators judged, NULL when
  they share fewer than 2 items or both used one and the same label (labelhouse's definition);
* truth = the gold label when present, else the plurality of the latest judgements (ties broken
  alphabetically) when it is not tied and there are >= 2 judgements; predicted positive when
  score >= the version's threshold (thresholds export, else 0.5).

Run as a script: `python bench/reference.py RAW_DIR OUT_DIR` writes one Parquet file per figure
family and `timings.json` (seconds per stage) into OUT_DIR.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
from bench_shared import DEFAULT_THRESHOLD, SEED_LABELS, entity_files, timed
from sklearn.metrics import average_precision_score, cohen_kappa_score, precision_score, recall_score, roc_auc_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

# --------------------------------------------------------------------------------------------
# Reading and cleaning
# --------------------------------------------------------------------------------------------


def _read_file(path: Path, columns: list[str]) -> pd.DataFrame:
    """One raw file's contract columns (missing optional ones as NULL), with its name and row order."""
    name = path.name
    if name.endswith(".parquet"):
        frame = pd.read_parquet(path, dtype_backend="pyarrow")
    elif name.endswith(".jsonl"):
        frame = pd.read_json(path, lines=True, dtype=False, convert_dates=False)
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    out = pd.DataFrame(index=frame.index)
    for c in columns:
        out[c] = frame[c] if c in frame.columns else None
    out["source_file"] = name
    out["source_row_number"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    return out


def read_entity(raw_dir: Path, entity: str, columns: list[str]) -> pd.DataFrame:
    others = (
        "annotations",
        "annotation_skips",
        "items",
        "gold_labels",
        "predictions",
        "moderation_decisions",
        "projects",
        "annotators",
        "labels",
        "thresholds",
    )
    frames = [_read_file(p, columns) for p in entity_files(raw_dir, entity, others)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*columns, "source_file", "source_row_number"]})
    return pd.concat(frames, ignore_index=True)


def clean_text(s: pd.Series) -> pd.Series:
    """Trimmed text, NULL when blank (numbers from typed files become their text)."""
    s = s.astype("string[pyarrow]").str.strip()  # Arrow strings: vectorised, not a Python loop
    return s.mask(s == "")


def normalise_label(s: pd.Series) -> pd.Series:
    s = clean_text(s).str.lower().str.replace(" ", "_", regex=False).str.replace("-", "_", regex=False)
    return s.mask(s == "")


def to_utc(s: pd.Series) -> pd.Series:
    """ISO-8601 text -> naive UTC timestamp; an offset is honoured, none means UTC; NaT if unparsable."""
    text = clean_text(s)
    # pandas applies the offset of earlier elements to later naive ones in one ISO8601 array, so
    # texts with and without an offset are parsed apart
    has_offset = text.str.contains(r"(?:Z|[+-]\d\d(?::?\d\d)?)$", regex=True).fillna(False).astype(bool)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if has_offset.any():
        aware = pd.to_datetime(text[has_offset], utc=True, format="ISO8601", errors="coerce")
        out[has_offset] = aware.dt.tz_localize(None)
    if (~has_offset).any():
        out[~has_offset] = pd.to_datetime(text[~has_offset], format="ISO8601", errors="coerce")
    return out


def to_float(s: pd.Series) -> pd.Series:
    """Numbers as float64 (NaN when missing or unparsable); text is parsed, typed columns kept."""
    if not pd.api.types.is_numeric_dtype(s.dtype):
        s = pd.to_numeric(clean_text(s), errors="coerce")
    return pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index)


def _unparsable(text: pd.Series, parsed: pd.Series) -> pd.Series:
    return text.notna() & parsed.isna()


def _latest(frame: pd.DataFrame, keys: list[str], order: list[str], ascending: list[bool]) -> pd.DataFrame:
    """One row per key: the first row after sorting by `order` (NULLs of the first column last)."""
    ranked = frame.sort_values(order, ascending=ascending, na_position="last", kind="stable")
    return ranked.drop_duplicates(keys, keep="first")


def load_labels(raw_dir: Path) -> set[str]:
    labels = read_entity(raw_dir, "labels", ["label"])
    if labels.empty:
        labels = pd.read_csv(SEED_LABELS, dtype=str)
    return set(normalise_label(labels["label"]).dropna())


def load_projects(raw_dir: Path) -> set[str] | None:
    if not entity_files(raw_dir, "projects"):
        return None
    projects = read_entity(raw_dir, "projects", ["project_id"])
    return set(clean_text(projects["project_id"]).dropna())


def load_items(raw_dir: Path, projects: set[str] | None) -> pd.DataFrame | None:
    """Kept items: item_id -> project_id (latest file and row wins); None without an items export."""
    if not entity_files(raw_dir, "items"):
        return None
    raw = read_entity(raw_dir, "items", ["item_id", "project_id", "created_at", "priority"])
    items = pd.DataFrame(
        {
            "item_id": clean_text(raw["item_id"]),
            "project_id": clean_text(raw["project_id"]),
            "source_file": raw["source_file"],
            "source_row_number": raw["source_row_number"],
        }
    )
    created_text = clean_text(raw["created_at"])
    priority_text = clean_text(raw["priority"])
    bad = (
        items["item_id"].isna()
        | items["project_id"].isna()
        | created_text.isna()
        | to_utc(raw["created_at"]).isna()
        | _unparsable(priority_text, to_float(raw["priority"]))
    )
    if projects is not None:
        bad |= ~items["project_id"].isin(projects)
    items = items[~bad]
    items = _latest(items, ["item_id"], ["source_file", "source_row_number"], [False, False])
    return items[["item_id", "project_id"]].rename(columns={"project_id": "item_project_id"})


def load_annotations(
    raw_dir: Path, labels: set[str], projects: set[str] | None, items: pd.DataFrame | None
) -> pd.DataFrame:
    """The current judgements: every check passed, exact duplicates dropped, latest export kept."""
    raw = read_entity(
        raw_dir,
        "annotations",
        [
            "annotation_id",
            "item_id",
            "project_id",
            "annotator_id",
            "label",
            "submitted_at",
            "started_at",
            "exported_at",
            "confidence",
        ],
    )
    a = pd.DataFrame(
        {
            "annotation_id": clean_text(raw["annotation_id"]),
            "item_id": clean_text(raw["item_id"]),
            "project_id": clean_text(raw["project_id"]),
            "annotator_id": clean_text(raw["annotator_id"]),
            "label": normalise_label(raw["label"]),
            "submitted_at": to_utc(raw["submitted_at"]),
            "started_at": to_utc(raw["started_at"]),
            "exported_at": to_utc(raw["exported_at"]),
            "source_file": raw["source_file"],
            "source_row_number": raw["source_row_number"],
        }
    )
    bad = (
        a[["annotation_id", "item_id", "project_id", "annotator_id", "label", "submitted_at"]].isna().any(axis=1)
        | _unparsable(clean_text(raw["started_at"]), a["started_at"])
        | _unparsable(clean_text(raw["exported_at"]), a["exported_at"])
        | (a["started_at"] > a["submitted_at"])
        | ~a["label"].isin(labels)
    )
    if not pd.api.types.is_numeric_dtype(raw["confidence"].dtype):  # typed (numeric) columns always parse
        bad |= _unparsable(clean_text(raw["confidence"]), to_float(raw["confidence"]))
    if projects is not None:
        bad |= ~a["project_id"].isin(projects)
    a = a[~bad]
    if items is not None:
        a = a.merge(items, on="item_id", how="inner")
        a = a[a["item_project_id"] == a["project_id"]].drop(columns="item_project_id")
    # exact re-deliveries (same annotation_id and exported_at): the first row counts
    a = a.sort_values(["source_file", "source_row_number"], kind="stable")
    a = a.drop_duplicates(["annotation_id", "exported_at"], keep="first")
    # re-exports: the latest exported_at wins, then the later file and row
    a = _latest(a, ["annotation_id"], ["exported_at", "source_file", "source_row_number"], [False, False, False])
    a["submitted_date"] = a["submitted_at"].dt.normalize()
    return a[["annotation_id", "item_id", "project_id", "annotator_id", "label", "submitted_at", "submitted_date"]]


def latest_judgements(annotations: pd.DataFrame) -> pd.DataFrame:
    """Each annotator's latest judgement of each item (by submitted_at, then annotation_id)."""
    ordered = annotations.sort_values(["submitted_at", "annotation_id"], kind="stable")
    return ordered.drop_duplicates(["item_id", "annotator_id"], keep="last")


def load_gold(raw_dir: Path, labels: set[str]) -> pd.DataFrame:
    raw = read_entity(raw_dir, "gold_labels", ["item_id", "label", "labelled_at"])
    g = pd.DataFrame(
        {
            "item_id": clean_text(raw["item_id"]),
            "gold_label": normalise_label(raw["label"]),
            "labelled_at": to_utc(raw["labelled_at"]),
            "source_file": raw["source_file"],
            "source_row_number": raw["source_row_number"],
        }
    )
    bad = (
        g["item_id"].isna()
        | g["gold_label"].isna()
        | _unparsable(clean_text(raw["labelled_at"]), g["labelled_at"])
        | ~g["gold_label"].isin(labels)
    )
    g = _latest(g[~bad], ["item_id"], ["labelled_at", "source_file", "source_row_number"], [False, False, False])
    return g[["item_id", "gold_label"]]


def load_predictions(raw_dir: Path, labels: set[str]) -> pd.DataFrame:
    raw = read_entity(
        raw_dir, "predictions", ["model_name", "model_version", "item_id", "label", "score", "predicted_at"]
    )
    score_text = clean_text(raw["score"])
    p = pd.DataFrame(
        {
            "model_name": clean_text(raw["model_name"]),
            "model_version": clean_text(raw["model_version"]),
            "item_id": clean_text(raw["item_id"]),
            "label": normalise_label(raw["label"]),
            "score": to_float(raw["score"]),
            "predicted_at": to_utc(raw["predicted_at"]),
            "source_file": raw["source_file"],
            "source_row_number": raw["source_row_number"],
        }
    )
    bad = (
        p[["model_name", "model_version", "item_id", "label"]].isna().any(axis=1)
        | score_text.isna()
        | p["score"].isna()
        | (p["score"] < 0)
        | (p["score"] > 1)
        | _unparsable(clean_text(raw["predicted_at"]), p["predicted_at"])
        | ~p["label"].isin(labels)
    )
    p = p[~bad].sort_values(["source_file", "source_row_number"], kind="stable")
    keys = ["model_name", "model_version", "item_id", "label"]
    p = p.drop_duplicates([*keys, "predicted_at"], keep="first")
    p = _latest(p, keys, ["predicted_at", "source_file", "source_row_number"], [False, False, False])
    return p[[*keys, "score"]]


def load_thresholds(raw_dir: Path, labels: set[str]) -> pd.DataFrame:
    keys = ["model_name", "model_version", "label"]
    raw = read_entity(raw_dir, "thresholds", [*keys, "threshold"])
    t = pd.DataFrame(
        {
            "model_name": clean_text(raw["model_name"]),
            "model_version": clean_text(raw["model_version"]),
            "label": normalise_label(raw["label"]),
            "threshold": to_float(raw["threshold"]),
            "source_file": raw["source_file"],
            "source_row_number": raw["source_row_number"],
        }
    )
    bad = t[[*keys, "threshold"]].isna().any(axis=1) | (t["threshold"] < 0) | (t["threshold"] > 1)
    bad |= ~t["label"].isin(labels)
    t = _latest(t[~bad], keys, ["source_file", "source_row_number"], [False, False])
    return t[[*keys, "threshold"]]


def item_truth(latest: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Per item: gold if present, else the untied plurality of >= 2 latest judgements."""
    votes = latest.groupby(["item_id", "label"], observed=True).size().rename("n_votes").reset_index()
    votes["n_judgements"] = votes.groupby("item_id")["n_votes"].transform("sum")
    votes["top"] = votes.groupby("item_id")["n_votes"].transform("max")
    top = votes[votes["n_votes"] == votes["top"]].sort_values(["item_id", "label"], kind="stable")
    n_top = top.groupby("item_id").size()
    consensus = top.drop_duplicates("item_id", keep="first").set_index("item_id")
    consensus["is_tie"] = n_top.reindex(consensus.index) > 1
    consensus = consensus[(consensus["n_judgements"] >= 2) & ~consensus["is_tie"]]
    truth = pd.DataFrame({"truth_label": consensus["label"].astype(object), "truth_source": "consensus"})
    gold_truth = gold.set_index("item_id").rename(columns={"gold_label": "truth_label"})
    gold_truth["truth_source"] = "gold"
    truth = pd.concat([gold_truth, truth[~truth.index.isin(gold_truth.index)]])
    return truth.rename_axis("item_id").reset_index()


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def _count_matrix(latest: pd.DataFrame) -> pd.DataFrame:
    """Item x label counts per project (items with >= 2 judgements: the pairable ones)."""
    counts = latest.groupby(["project_id", "item_id", "label"], observed=True).size().unstack(fill_value=0)
    return counts[counts.sum(axis=1) >= 2]


def fleiss_kappa(table: np.ndarray) -> float:
    """Fleiss' kappa of an item x category count table; statsmodels when every item has the same
    number of judgements, else labelhouse's generalisation (see the module docstring)."""
    m = table.sum(axis=1)
    if len(table) == 0:
        return float("nan")
    n_c = table.sum(axis=0)
    n = n_c.sum()
    if n * n - (n_c * n_c).sum() <= 0:
        return float("nan")
    if (m == m[0]).all():
        return float(sm_fleiss_kappa(table, method="fleiss"))
    p_bar = ((table * table).sum(axis=1) - m) / (m * (m - 1.0))
    p_e = ((n_c / n) ** 2).sum()
    return float((p_bar.mean() - p_e) / (1 - p_e))


def agreement(latest: pd.DataFrame) -> pd.DataFrame:
    counts = _count_matrix(latest)
    rows = []
    for project_id, table in counts.groupby(level="project_id"):
        values = table.to_numpy(dtype=np.float64)
        used = values[:, values.sum(axis=0) > 0]
        try:
            alpha = float(krippendorff.alpha(value_counts=used, level_of_measurement="nominal"))
        except ValueError:  # one category only: no expected disagreement
            alpha = float("nan")
        rows.append({"project_id": project_id, "krippendorff_alpha": alpha, "fleiss_kappa": fleiss_kappa(used)})
    return pd.DataFrame(rows, columns=["project_id", "krippendorff_alpha", "fleiss_kappa"])


def pairwise_kappa(latest: pd.DataFrame) -> pd.DataFrame:
    """Cohen's kappa for every annotator pair of a project over the items both judged."""
    slim = latest[["project_id", "item_id", "annotator_id", "label"]].copy()
    for c in slim.columns:
        slim[c] = slim[c].astype("category")
    pairs = slim.merge(slim, on=["project_id", "item_id"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["annotator_id_a"].astype(str) < pairs["annotator_id_b"].astype(str)]
    labels_a = pairs["label_a"].astype(str).to_numpy()
    labels_b = pairs["label_b"].astype(str).to_numpy()
    keys = pairs[["project_id", "annotator_id_a", "annotator_id_b"]].astype(str)
    rows = []
    for (project_id, a, b), idx in keys.groupby(["project_id", "annotator_id_a", "annotator_id_b"]).indices.items():
        kappa = float("nan")
        if len(idx) >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # undefined kappa (one shared label) is NaN
                kappa = float(cohen_kappa_score(labels_a[idx], labels_b[idx]))
        rows.append((project_id, a, b, len(idx), kappa))
    return pd.DataFrame(rows, columns=["project_id", "annotator_a", "annotator_b", "n_shared_items", "cohen_kappa"])


def gold_accuracy(latest: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Per project (and 'all') and annotator: share of their judgements of gold items that match."""
    graded = latest[["project_id", "annotator_id", "item_id", "label"]].merge(gold, on="item_id", how="left")
    graded["correct"] = np.where(graded["gold_label"].isna(), np.nan, graded["label"] == graded["gold_label"])
    both = pd.concat([graded, graded.assign(project_id="all")], ignore_index=True)
    out = both.groupby(["project_id", "annotator_id"])["correct"].agg(["mean", "count"]).reset_index()
    return out.rename(columns={"mean": "gold_accuracy", "count": "n_gold_annotations"})


def model_eval(predictions: pd.DataFrame, truth: pd.DataFrame, thresholds: pd.DataFrame) -> pd.DataFrame:
    scored = predictions.merge(truth, on="item_id", how="inner")
    scored = scored.merge(thresholds, on=["model_name", "model_version", "label"], how="left")
    scored["threshold"] = scored["threshold"].fillna(DEFAULT_THRESHOLD)
    scored["y_true"] = (scored["truth_label"] == scored["label"]).astype(np.int8)
    scored["y_pred"] = (scored["score"] >= scored["threshold"]).astype(np.int8)
    both = pd.concat([scored, scored.assign(truth_source="all")], ignore_index=True)
    rows = []
    keys = ["model_name", "model_version", "label", "truth_source"]
    for key, g in both.groupby(keys):
        y, s, yp = g["y_true"].to_numpy(), g["score"].to_numpy(), g["y_pred"].to_numpy()
        n_pos = int(y.sum())
        two_classes = 0 < n_pos < len(y)
        rows.append(
            (
                *key,
                len(y),
                n_pos,
                roc_auc_score(y, s) if two_classes else np.nan,
                average_precision_score(y, s) if n_pos else np.nan,
                precision_score(y, yp, zero_division=np.nan),
                recall_score(y, yp) if n_pos else np.nan,
            )
        )
    return pd.DataFrame(
        rows, columns=[*keys, "n_items", "n_positive", "roc_auc", "average_precision", "precision", "recall"]
    )


def throughput(annotations: pd.DataFrame) -> pd.DataFrame:
    daily = annotations.groupby(["annotator_id", "project_id", "submitted_date"]).size()
    out = daily.rename("n_annotations").reset_index().rename(columns={"submitted_date": "activity_date"})
    out["activity_date"] = out["activity_date"].dt.date
    return out


# --------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------


def run(raw_dir: Path, out_dir: Path, progress: Callable[[str], None] = print) -> dict[str, float]:
    """Compute every figure family from `raw_dir`, write them to `out_dir`; return seconds per family."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    results: dict[str, pd.DataFrame] = {}
    with timed(timings, "load"):
        labels = load_labels(raw_dir)
        projects = load_projects(raw_dir)
        items = load_items(raw_dir, projects)
        annotations = load_annotations(raw_dir, labels, projects, items)
        latest = latest_judgements(annotations)
        gold = load_gold(raw_dir, labels)
        predictions = load_predictions(raw_dir, labels)
        thresholds = load_thresholds(raw_dir, labels)
        truth = item_truth(latest, gold)
    progress(
        f"reference: loaded {len(annotations):,} annotations, {len(predictions):,} predictions "
        f"in {timings['load']:.1f}s"
    )
    steps: list[tuple[str, Callable[[], pd.DataFrame]]] = [
        ("agreement", lambda: agreement(latest)),
        ("pairwise_kappa", lambda: pairwise_kappa(latest)),
        ("gold_accuracy", lambda: gold_accuracy(latest, gold)),
        ("model_eval", lambda: model_eval(predictions, truth, thresholds)),
        ("throughput", lambda: throughput(annotations)),
    ]
    for name, step in steps:
        with timed(timings, name):
            results[name] = step()
        progress(f"reference: {name} ({len(results[name]):,} rows) in {timings[name]:.1f}s")
    for name, frame in results.items():
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)
    (out_dir / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    return timings


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/reference.py RAW_DIR OUT_DIR")
    run(Path(sys.argv[1]), Path(sys.argv[2]), progress=lambda m: print(m, flush=True))
