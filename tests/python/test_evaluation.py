"""fct_model_eval, fct_model_curve and fct_model_calibration against scikit-learn and statsmodels.

Many binary evaluation cases (ties, scores of exactly 0 and 1, a single class, 0.1% prevalence,
no predicted positives, scores on calibration bin edges, mixed gold/consensus truth and
languages) are written into ONE raw directory as different model names, built once, and every
group ('all' roll-ups included) is recomputed with the reference libraries to 1e-9. A second,
slow test does the same for 1,000,000 predictions.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import TOL, _build, assert_close, is_null, query_df
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    log_loss,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)
from statsmodels.stats.proportion import proportion_confint

POSITIVE, NEGATIVE = "hate", "benign"
LANGUAGES = ("en", "fr")


@dataclass
class Case:
    """One binary evaluation problem: truth and scores per item, scored as model `name`."""

    name: str
    y: np.ndarray
    scores: np.ndarray
    threshold: float | None = None
    languages: np.ndarray | None = None
    gold: np.ndarray | None = None  # True = truth from gold, False = from annotator consensus
    extra: dict[str, Any] = field(default_factory=dict)


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    # the scikit-learn docstring example: AUC 0.75, AP 0.8333...
    cases.append(Case("docstring", np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])))
    # heavy ties (one decimal), mixed truth sources and languages
    n = 600
    y = (rng.random(n) < 0.3).astype(int)
    s = np.clip(np.round(0.35 * y + rng.random(n) * 0.65, 1), 0, 1)
    cases.append(Case("ties", y, s, languages=rng.choice(LANGUAGES, n), gold=rng.random(n) < 0.5))
    # many scores of exactly 0 and 1, some on the wrong side (log loss clipping)
    n = 400
    y = (rng.random(n) < 0.5).astype(int)
    s = np.where(rng.random(n) < 0.6, rng.choice([0.0, 1.0], n), rng.random(n))
    cases.append(Case("extremes", y, s, languages=rng.choice(LANGUAGES, n), gold=rng.random(n) < 0.5))
    # a single class present
    cases.append(Case("all_positive", np.ones(50, dtype=int), np.round(rng.random(50), 2)))
    cases.append(Case("all_negative", np.zeros(50, dtype=int), np.round(rng.random(50), 2)))
    # 0.1% prevalence
    n = 20_000
    y = np.zeros(n, dtype=int)
    y[rng.choice(n, 20, replace=False)] = 1
    s = 1 / (1 + np.exp(-(rng.normal(size=n) + 3.0 * y - 2.5)))
    cases.append(Case("rare", y, s))
    # no predicted positives at its threshold
    n = 100
    y = (rng.random(n) < 0.4).astype(int)
    cases.append(Case("none_predicted", y, rng.random(n) * 0.9, threshold=0.95))
    # a custom threshold and continuous scores over two languages
    n = 5_000
    y = (rng.random(n) < 0.2).astype(int)
    s = 1 / (1 + np.exp(-(rng.normal(size=n) * 1.3 + 2.0 * y - 1.0)))
    cases.append(Case("custom_threshold", y, s, threshold=0.3, languages=rng.choice(LANGUAGES, n)))
    # scores exactly on calibration bin edges, as literals and as numpy computes the edges
    edges = [k / 10 for k in range(11)] + [k * 0.1 for k in range(11)]
    edges += [e + d for e in (0.3, 0.7) for d in (-1e-12, 1e-12)]
    n = 700
    cases.append(Case("bin_edges", (rng.random(n) < 0.5).astype(int), rng.choice(edges, n)))
    # precision crosses exactly 0.9 and the best recall is reached at several thresholds
    y = np.array([1] * 9 + [0] + [1] * 9 + [0] * 3 + [1] + [0] * 5)
    s = np.linspace(0.99, 0.01, len(y))
    cases.append(Case("operating_points", y, s))
    # a single scored item
    cases.append(Case("single_item", np.array([1]), np.array([0.7])))
    return cases


def _write_raw(cases: list[Case], raw: Path, rng: np.random.Generator) -> pd.DataFrame:
    """Write every case into one raw directory; return the frame of (model, item, y, score, ...)."""
    raw.mkdir(parents=True, exist_ok=True)
    frames = []
    for case in cases:
        n = len(case.y)
        frames.append(
            pd.DataFrame(
                {
                    "model_name": f"case_{case.name}",
                    "item_id": [f"{case.name}_{i}" for i in range(n)],
                    "y": case.y,
                    "score": case.scores.astype(float),
                    "language": case.languages if case.languages is not None else "en",
                    "truth_source": np.where(case.gold, "gold", "consensus") if case.gold is not None else "gold",
                    "threshold": case.threshold if case.threshold is not None else 0.5,
                }
            )
        )
    truth = pd.concat(frames, ignore_index=True)
    truth["truth_label"] = np.where(truth.y == 1, POSITIVE, NEGATIVE)

    pd.DataFrame(
        {
            "item_id": truth.item_id,
            "project_id": "p_eval",
            "created_at": "2026-10-01T00:00:00Z",
            "language": truth.language,
        }
    ).to_csv(raw / "items.csv", index=False)
    gold = truth[truth.truth_source == "gold"]
    pd.DataFrame({"item_id": gold.item_id, "label": gold.truth_label}).to_csv(raw / "gold_labels.csv", index=False)

    # consensus items: two or three agreeing annotators, sometimes one dissenter
    rows = []
    for item_id, label in truth.loc[truth.truth_source == "consensus", ["item_id", "truth_label"]].itertuples(
        index=False
    ):
        votes = [label, label] + ([NEGATIVE if label == POSITIVE else POSITIVE] if rng.random() < 0.3 else [])
        rows += [(item_id, f"ann_{j}", v) for j, v in enumerate(votes)]
    # items with no truth at all (one judgement, or a tie): their scores must be ignored
    for i in range(30):
        rows.append((f"untruthed_{i}", "ann_0", POSITIVE))
        if i % 2:
            rows.append((f"untruthed_{i}", "ann_1", NEGATIVE))
    annotations = pd.DataFrame(rows, columns=["item_id", "annotator_id", "label"])
    annotations.insert(0, "annotation_id", [f"a{i}" for i in range(len(annotations))])
    annotations["project_id"] = "p_eval"
    annotations["submitted_at"] = "2026-10-01T12:00:00Z"
    annotations.to_csv(raw / "annotations.csv", index=False)

    predictions = pd.DataFrame(
        {
            "model_name": truth.model_name,
            "model_version": "v1",
            "item_id": truth.item_id,
            "label": POSITIVE,
            "score": [repr(float(v)) for v in truth.score],
        }
    )
    untruthed = pd.DataFrame(
        {
            "model_name": "case_ties",
            "model_version": "v1",
            "item_id": [f"untruthed_{i}" for i in range(30)],
            "label": POSITIVE,
            "score": "0.99",
        }
    )
    pd.concat([predictions, untruthed]).to_csv(raw / "predictions.csv", index=False)
    thresholds = [(f"case_{c.name}", "v1", POSITIVE, c.threshold) for c in cases if c.threshold is not None]
    pd.DataFrame(thresholds, columns=["model_name", "model_version", "label", "threshold"]).to_csv(
        raw / "thresholds.csv", index=False
    )
    return truth


def _groups(truth: pd.DataFrame) -> Iterator[tuple[tuple[str, str, str], pd.DataFrame]]:
    """Every evaluation group the mart must hold, with its reference rows."""
    for model_name, model_rows in truth.groupby("model_name"):
        for language in [*sorted(model_rows.language.unique()), "all"]:
            for source in [*sorted(model_rows.truth_source.unique()), "all"]:
                rows = model_rows
                if language != "all":
                    rows = rows[rows.language == language]
                if source != "all":
                    rows = rows[rows.truth_source == source]
                if len(rows):
                    yield (str(model_name), language, source), rows


def _none_if_nan(v: Any) -> Any:
    return None if is_null(v) else v


def reference_metrics(y: np.ndarray, s: np.ndarray, threshold: float) -> dict[str, Any]:
    """The fct_model_eval metrics of one group, computed with scikit-learn / statsmodels."""
    y = np.asarray(y, dtype=int)
    s = np.asarray(s, dtype=float)
    pred = (s >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision, recall, f1, _ = precision_recall_fscore_support(
            y, pred, average="binary", labels=[0, 1], zero_division=np.nan
        )
    both_classes = 0 < y.sum() < len(y)
    out: dict[str, Any] = {
        "n_items": len(y),
        "n_positive": int(y.sum()),
        "tp": int(tp),
        "fp": int(fp),
        "fn": int(fn),
        "tn": int(tn),
        "precision": _none_if_nan(float(precision)),
        "recall": _none_if_nan(float(recall)),
        "f1": None if tp + fp + fn == 0 else float(f1),
        "fpr": fp / (fp + tn) if fp + tn else None,
        "accuracy": accuracy_score(y, pred),
        "prevalence": y.mean(),
        "roc_auc": roc_auc_score(y, s) if both_classes else None,
        "average_precision": average_precision_score(y, s) if y.sum() else None,
        "brier_score": brier_score_loss(y, s, labels=[0, 1]) if not both_classes else brier_score_loss(y, s),
        "log_loss": log_loss(y, s, labels=[0, 1]),
    }
    for name, count, nobs in (("precision", tp, tp + fp), ("recall", tp, y.sum())):
        if nobs:
            low, high = proportion_confint(count, nobs, alpha=0.05, method="wilson")
            out[f"{name}_ci_lower"], out[f"{name}_ci_upper"] = float(low), float(high)
        else:
            out[f"{name}_ci_lower"] = out[f"{name}_ci_upper"] = None
    # operating points on the precision-recall curve (the final sentinel point has no threshold)
    out["recall_at_precision_90"] = out["threshold_at_precision_90"] = out["precision_at_recall_80"] = None
    if y.sum():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p_curve, r_curve, t_curve = precision_recall_curve(y, s)
        p_curve, r_curve = p_curve[:-1], r_curve[:-1]
        ok = p_curve >= 0.9
        if ok.any():
            best = r_curve[ok].max()
            out["recall_at_precision_90"] = best
            out["threshold_at_precision_90"] = t_curve[ok & (r_curve == best)].max()
        if (r_curve >= 0.8).any():
            out["precision_at_recall_80"] = p_curve[r_curve >= 0.8].max()
    # expected calibration error over 10 equal-width bins, numpy's edge convention
    bins = np.searchsorted(np.linspace(0, 1, 11)[1:-1], s)
    ece = 0.0
    for b in np.unique(bins):
        in_bin = bins == b
        ece += in_bin.sum() / len(s) * abs(s[in_bin].mean() - y[in_bin].mean())
    out["ece"] = ece
    return out


EVAL_COLUMNS = [
    "n_items", "n_positive", "tp", "fp", "fn", "tn", "precision", "recall", "f1", "fpr", "accuracy",
    "prevalence", "roc_auc", "average_precision", "brier_score", "log_loss", "ece",
    "precision_ci_lower", "precision_ci_upper", "recall_ci_lower", "recall_ci_upper",
    "recall_at_precision_90", "threshold_at_precision_90", "precision_at_recall_80",
]  # fmt: skip


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    rng = np.random.default_rng(20261125)
    raw = tmp_path_factory.mktemp("eval_raw")
    truth = _write_raw(_cases(rng), raw, rng)
    warehouse = tmp_path_factory.mktemp("eval_wh") / "w.duckdb"
    _build(
        raw,
        warehouse,
        "+fct_model_eval +fct_model_curve +fct_model_calibration path:models/staging",
        eval_curve_max_points=50,
    )
    return warehouse, truth


def _mart(warehouse: Path, name: str) -> pd.DataFrame:
    df = query_df(warehouse, f"select * from marts.{name}")
    return df.astype(object).where(df.notna(), None)


def test_every_group_matches_sklearn(evaluation: tuple[Path, pd.DataFrame]) -> None:
    warehouse, truth = evaluation
    mart = _mart(warehouse, "fct_model_eval").set_index(["model_name", "language", "truth_source"])
    assert set(mart.model_version) == {"v1"} and set(mart.label) == {POSITIVE}
    expected_keys = set()
    for key, rows in _groups(truth):
        expected_keys.add(key)
        ref = reference_metrics(rows.y.values, rows.score.values, float(rows.threshold.iloc[0]))
        got = mart.loc[key]
        assert_close(got["threshold"], float(rows.threshold.iloc[0]), f"{key} threshold")
        for column in EVAL_COLUMNS:
            assert_close(got[column], ref[column], f"{key} {column}")
    # truth_source 'latent' (Dawid-Skene labels of the judged items) is cross-checked in
    # test_latent_truth_source.py
    assert {key for key in mart.index if key[2] != "latent"} == expected_keys


def test_docstring_example(evaluation: tuple[Path, pd.DataFrame]) -> None:
    warehouse, _ = evaluation
    auc, ap = query_df(
        warehouse,
        "select roc_auc, average_precision from marts.fct_model_eval "
        "where model_name = 'case_docstring' and language = 'all' and truth_source = 'all'",
    ).iloc[0]
    assert abs(auc - 0.75) < TOL and abs(ap - 0.8333333333333333) < TOL


def test_undefined_metrics_are_null(evaluation: tuple[Path, pd.DataFrame]) -> None:
    warehouse, _ = evaluation
    mart = _mart(warehouse, "fct_model_eval").query("language == 'all' and truth_source == 'all'")
    mart = mart.set_index("model_name")
    assert mart.loc["case_all_negative", "roc_auc"] is None
    assert mart.loc["case_all_negative", "average_precision"] is None
    assert mart.loc["case_all_negative", "recall"] is None
    assert mart.loc["case_all_positive", "roc_auc"] is None
    assert mart.loc["case_none_predicted", "precision"] is None
    assert mart.loc["case_none_predicted", "precision_ci_lower"] is None
    assert mart.loc["case_rare", "n_positive"] == 20


def test_scores_without_truth_are_not_evaluated(evaluation: tuple[Path, pd.DataFrame]) -> None:
    warehouse, truth = evaluation
    n = query_df(
        warehouse,
        "select n_items from marts.fct_model_eval "
        "where model_name = 'case_ties' and language = 'all' and truth_source = 'all'",
    ).iloc[0, 0]
    assert n == (truth.model_name == "case_ties").sum()


def test_full_curve_matches_sklearn_and_thinned_curve_is_a_subset(evaluation: tuple[Path, pd.DataFrame]) -> None:
    warehouse, truth = evaluation
    full = query_df(warehouse, "select * from intermediate.int_model_curve where language = 'all'")
    thin = query_df(warehouse, "select * from marts.fct_model_curve where language = 'all'")
    for (model_name, source), rows in truth.assign(all="all").groupby(["model_name", "all"]):
        y, s = rows.y.values, rows.score.values
        curve = full[(full.model_name == model_name) & (full.truth_source == source)].sort_values("score_rank")
        if 0 < y.sum() < len(y):
            fpr, tpr, thresholds = roc_curve(y, s, drop_intermediate=False)
            np.testing.assert_allclose(curve.threshold, thresholds[1:], rtol=0, atol=TOL)
            np.testing.assert_allclose(curve.fpr, fpr[1:], rtol=0, atol=TOL)
            np.testing.assert_allclose(curve.recall, tpr[1:], rtol=0, atol=TOL)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                precision, recall, pr_thresholds = precision_recall_curve(y, s)
            np.testing.assert_allclose(curve.threshold, pr_thresholds[::-1], rtol=0, atol=TOL)
            np.testing.assert_allclose(curve.precision, precision[:-1][::-1], rtol=0, atol=TOL)
        kept = thin[(thin.model_name == model_name) & (thin.truth_source == source)]
        assert len(kept) <= 50
        assert len(kept) == min(50, len(curve))
        assert {1, len(curve)} <= set(kept.score_rank)
        merged = kept.merge(curve, on="score_rank", suffixes=("", "_full"))
        assert len(merged) == len(kept)
        for column in ("threshold", "tp", "fp", "fn", "tn"):
            assert (merged[column] == merged[f"{column}_full"]).all()


def test_calibration_bins_match_sklearn(evaluation: tuple[Path, pd.DataFrame]) -> None:
    warehouse, truth = evaluation
    bins = query_df(warehouse, "select * from marts.fct_model_calibration")
    for (model_name, language, source), rows in _groups(truth):
        got = bins[
            (bins.model_name == model_name) & (bins.language == language) & (bins.truth_source == source)
        ].sort_values("bin_index")
        y, s = rows.y.values, rows.score.values
        if 0 < y.sum() < len(y):  # calibration_curve needs both classes to know the positive label
            prob_true, prob_pred = calibration_curve(y, s, n_bins=10, strategy="uniform")
            np.testing.assert_allclose(got.positive_rate, prob_true, rtol=0, atol=TOL)
            np.testing.assert_allclose(got.mean_score, prob_pred, rtol=0, atol=TOL)
        ids = np.searchsorted(np.linspace(0, 1, 11)[1:-1], s)
        np.testing.assert_array_equal(got.bin_index, np.unique(ids))
        np.testing.assert_array_equal(got.n_items, np.bincount(ids)[np.unique(ids)])


def _million_case(raw: Path, n: int, rng: np.random.Generator) -> pd.DataFrame:
    raw.mkdir(parents=True, exist_ok=True)
    y = (rng.random(n) < 0.05).astype(int)
    s = 1 / (1 + np.exp(-(rng.normal(size=n) + 2.5 * y - 2.0)))
    s = np.round(s, 4)  # heavy ties
    s[rng.random(n) < 0.01] = 0.0
    s[rng.random(n) < 0.01] = 1.0
    items = np.char.add("m", np.arange(n).astype(str))
    labels = np.where(y == 1, POSITIVE, NEGATIVE)
    pd.DataFrame({"item_id": items, "label": labels}).to_csv(raw / "gold_labels.csv", index=False)
    pd.DataFrame({"model_name": "big", "model_version": "v1", "item_id": items, "label": POSITIVE, "score": s}).to_csv(
        raw / "predictions.csv", index=False, float_format="%.4f"
    )
    return pd.DataFrame({"y": y, "score": s})


@pytest.mark.slow
def test_one_million_predictions(tmp_path_factory: pytest.TempPathFactory) -> None:
    rng = np.random.default_rng(7)
    raw = tmp_path_factory.mktemp("million_raw")
    frame = _million_case(raw, 1_000_000, rng)
    warehouse = tmp_path_factory.mktemp("million_wh") / "w.duckdb"
    started = time.perf_counter()
    _build(raw, warehouse, "+fct_model_eval +fct_model_curve +fct_model_calibration path:models/staging")
    print(f"dbt build of the evaluation marts on 1,000,000 predictions: {time.perf_counter() - started:.1f} s")
    got = _mart(warehouse, "fct_model_eval").set_index("truth_source").loc["all"]
    got = got[got.language == "all"].iloc[0]
    ref = reference_metrics(frame.y.values, frame.score.values, 0.5)
    for column in EVAL_COLUMNS:
        assert_close(got[column], ref[column], f"1M {column}")
