"""Version comparison (McNemar), confusion matrices and model-vs-annotators against references.

One raw directory holds binary McNemar scenarios with chosen discordant counts (b, c) as
separate model names, and a multi-class model with three versions over gold and consensus
items judged by annotators of varying accuracy. One dbt build; statsmodels' mcnemar,
scikit-learn's metrics and cohen_kappa_score recompute every row to 1e-9. A second fixture
builds the generated demo data and checks that the better version wins, with evidence.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import TOL, _build, assert_close, is_null, query_df, shared_demo
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from statsmodels.stats.contingency_tables import mcnemar

LABELS = ("benign", "harassment", "hate", "self_harm", "sexual", "spam", "violence")
SELECT = "path:models/staging +fct_model_version_comparison +fct_model_confusion_summary +fct_model_vs_annotators"
# (b, c) of each binary scenario: none discordant, balanced, one-sided, small, large, very large
MCNEMAR_CASES = [(0, 0), (5, 5), (0, 12), (3, 0), (1, 30), (7, 9), (40, 60), (250, 310), (1200, 1350), (20_000, 20_400)]
MIN_ANNOTATOR_ITEMS = 10


def _binary_scenarios(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predictions of v1/v2 for label 'hate' with exactly b and c discordant items per model."""
    predictions, gold = [], []
    for k, (b, c) in enumerate(MCNEMAR_CASES):
        both_right, both_wrong = 30 + k, 10 + k
        right1 = np.array([True] * b + [False] * c + [True] * both_right + [False] * both_wrong)
        right2 = np.array([False] * b + [True] * c + [True] * both_right + [False] * both_wrong)
        n = right1.size
        y = rng.random(n) < 0.4
        items = [f"mc{k}_{i}" for i in range(n)]
        for version, right in (("v1", right1), ("v2", right2)):
            predicted = np.where(right, y, ~y)
            # scores on the predicted side of 0.5, with ties and exact 0 / 0.5 / 1
            score = np.where(predicted, rng.choice([0.5, 0.75, 1.0, 0.9], n), rng.choice([0.0, 0.25, 0.49], n))
            predictions.append(
                pd.DataFrame(
                    {"model_name": f"mcnemar_{k}", "model_version": version, "item_id": items, "label": "hate",
                     "score": score}
                )
            )  # fmt: skip
        gold.append(pd.DataFrame({"item_id": items, "label": np.where(y, "hate", "benign")}))
    return pd.concat(predictions, ignore_index=True), pd.concat(gold, ignore_index=True)


def _multiclass(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A 3-version multi-class model on gold and consensus items judged by 12 annotators."""
    n_items = 900
    prevalence = np.array([0.55, 0.1, 0.12, 0.03, 0.06, 0.1, 0.04])
    truth = rng.choice(len(LABELS), n_items, p=prevalence)
    items = np.array([f"it{i}" for i in range(n_items)])
    is_gold = rng.random(n_items) < 0.5
    accuracy = np.linspace(0.45, 0.95, 12)
    annotations = []
    for i in range(n_items):
        for a in rng.choice(12, rng.choice([2, 3, 5]), replace=False):
            label = truth[i] if rng.random() < accuracy[a] else rng.integers(len(LABELS))
            annotations.append((items[i], f"ann{a:02d}", LABELS[label]))
    annotations_df = pd.DataFrame(annotations, columns=["item_id", "annotator_id", "label"])
    gold = pd.DataFrame({"item_id": items[is_gold], "label": np.array(LABELS)[truth[is_gold]]})
    frames = []
    for version, signal in (("v1", 1.0), ("v2", 2.5), ("v3", 2.5)):
        scored = np.ones(n_items, dtype=bool)
        if version == "v2":
            scored[rng.choice(n_items, 60, replace=False)] = False  # v2 missed some items
        logits = rng.normal(size=(n_items, len(LABELS))) + signal * np.eye(len(LABELS))[truth]
        scores = np.round(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True), 2)  # ties
        for j, label in enumerate(LABELS):
            frames.append(
                pd.DataFrame(
                    {"model_name": "multi", "model_version": version, "item_id": items[scored], "label": label,
                     "score": scores[scored, j]}
                )
            )  # fmt: skip
    return pd.concat(frames, ignore_index=True), gold, annotations_df


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    rng = np.random.default_rng(4)
    raw = tmp_path_factory.mktemp("cmp_raw")
    binary_predictions, binary_gold = _binary_scenarios(rng)
    multi_predictions, multi_gold, annotations = _multiclass(rng)
    predictions = pd.concat([binary_predictions, multi_predictions], ignore_index=True)
    predictions["score"] = [repr(float(s)) for s in predictions.score]
    predictions.to_csv(raw / "predictions.csv", index=False)
    pd.concat([binary_gold, multi_gold]).to_csv(raw / "gold_labels.csv", index=False)
    annotations = annotations.assign(
        annotation_id=[f"a{i}" for i in range(len(annotations))], project_id="p", submitted_at="2026-10-01T00:00:00Z"
    )
    annotations.to_csv(raw / "annotations.csv", index=False)
    warehouse = tmp_path_factory.mktemp("cmp_wh") / "w.duckdb"
    _build(raw, warehouse, SELECT, eval_annotator_min_items=MIN_ANNOTATOR_ITEMS)
    gold_map = pd.concat([binary_gold, multi_gold]).set_index("item_id").label
    return {
        "warehouse": warehouse,
        "predictions": pd.concat([binary_predictions, multi_predictions], ignore_index=True),
        "gold": gold_map,
        "annotations": annotations,
    }


def _consensus(annotations: pd.DataFrame) -> pd.Series:
    """Plurality label of items with >= 2 judgements and no tie for first place."""
    counts = annotations.groupby(["item_id", "label"]).size().unstack(fill_value=0)
    top = counts.max(axis=1)
    unique_top = (counts.eq(top, axis=0)).sum(axis=1) == 1
    enough = counts.sum(axis=1) >= 2
    return counts.idxmax(axis=1)[unique_top & enough]


def _truth(data: dict[str, Any]) -> pd.DataFrame:
    """Truth per item: gold if present, else consensus; with its source."""
    consensus = _consensus(data["annotations"])
    gold = data["gold"]
    truth = pd.DataFrame({"truth_label": consensus, "truth_source": "consensus"})
    truth = truth[~truth.index.isin(gold.index)]
    truth = pd.concat([truth, pd.DataFrame({"truth_label": gold, "truth_source": "gold"})])
    return truth


def test_mcnemar_and_deltas_match_statsmodels_and_sklearn(comparison: dict[str, Any]) -> None:
    mart = query_df(comparison["warehouse"], "select * from marts.fct_model_version_comparison")
    truth = _truth(comparison)
    predictions = comparison["predictions"]
    checked = 0
    for (model_name, label), rows in predictions.groupby(["model_name", "label"]):
        versions = sorted(rows.model_version.unique())
        wide = rows.pivot(index="item_id", columns="model_version", values="score")
        for i, version_a in enumerate(versions):
            for version_b in versions[i + 1 :]:
                pair = wide[[version_a, version_b]].dropna().join(truth, how="inner")
                for source in ("gold", "consensus", "all"):
                    sub = pair if source == "all" else pair[pair.truth_source == source]
                    got = mart[
                        (mart.model_name == model_name) & (mart.label == label) & (mart.version_a == version_a)
                        & (mart.version_b == version_b) & (mart.truth_source == source)
                    ]  # fmt: skip
                    if sub.empty:
                        assert got.empty
                        continue
                    assert len(got) == 1, (model_name, label, version_a, version_b, source)
                    got = got.iloc[0]
                    y = (sub.truth_label == label).to_numpy()
                    pred_a, pred_b = sub[version_a].to_numpy() >= 0.5, sub[version_b].to_numpy() >= 0.5
                    b = int(((pred_a == y) & (pred_b != y)).sum())
                    c = int(((pred_a != y) & (pred_b == y)).sum())
                    assert (got.n_items, got.b, got.c) == (len(sub), b, c)
                    exact = mcnemar([[0, b], [c, 0]], exact=True)
                    assert_close(got.statistic, exact.statistic, "statistic")
                    assert_close(got.p_value, exact.pvalue, f"{model_name} {label} p_value b={b} c={c}")
                    if b + c:
                        chi2 = mcnemar([[0, b], [c, 0]], exact=False, correction=True)
                        assert_close(got.chi2_statistic, chi2.statistic, "chi2_statistic")
                        assert_close(got.chi2_p_value, chi2.pvalue, f"chi2_p_value b={b} c={c}")
                    else:
                        assert is_null(got.chi2_statistic)
                    reference: dict[str, dict[str, float | None]] = {}
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        for side, pred, score in (("a", pred_a, sub[version_a]), ("b", pred_b, sub[version_b])):
                            precision = precision_score(y, pred, zero_division=np.nan)
                            recall = recall_score(y, pred, zero_division=np.nan)
                            reference[side] = {
                                "precision": None if np.isnan(precision) else float(precision),
                                "recall": None if np.isnan(recall) else float(recall),
                                "f1": float(f1_score(y, pred)) if (y | pred).any() else None,
                                "roc_auc": float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else None,
                            }
                            assert_close(got[f"precision_{side}"], precision, "precision")
                            assert_close(got[f"recall_{side}"], recall, "recall")
                            if reference[side]["f1"] is not None:
                                assert_close(got[f"f1_{side}"], reference[side]["f1"], "f1")
                            assert_close(got[f"roc_auc_{side}"], reference[side]["roc_auc"], "roc_auc")
                    # the deltas (b minus a) against scikit-learn's figures, not the mart's own columns
                    for metric in ("precision", "recall", "f1", "roc_auc"):
                        a, b_value = reference["a"][metric], reference["b"][metric]
                        expected = None if a is None or b_value is None else b_value - a
                        if expected is None and metric == "f1":
                            continue  # f1 with no positive and no predicted positive: NULL in the mart
                        assert_close(got[f"delta_{metric}"], expected, f"delta_{metric}")
                    checked += 1
    # truth_source 'latent' (Dawid-Skene labels) is cross-checked in test_latent_truth_source.py
    assert checked == len(mart[mart.truth_source != "latent"])


def test_mcnemar_scenarios_have_the_designed_counts(comparison: dict[str, Any]) -> None:
    mart = query_df(
        comparison["warehouse"],
        "select model_name, b, c, better_version from marts.fct_model_version_comparison "
        "where truth_source = 'all' and model_name like 'mcnemar_%'",
    ).set_index("model_name")
    for k, (b, c) in enumerate(MCNEMAR_CASES):
        assert (mart.loc[f"mcnemar_{k}", "b"], mart.loc[f"mcnemar_{k}", "c"]) == (b, c)
    assert mart.loc["mcnemar_2", "better_version"] == "v2"  # 0 vs 12: p = 2 / 4096
    assert mart.loc["mcnemar_3", "better_version"] is None  # 3 vs 0: p = 0.25


def _argmax_decisions(predictions: pd.DataFrame) -> pd.DataFrame:
    """Arg-max label per model version and item; numpy's argmax takes the first of tied maxima,
    and the columns are in alphabetical order, so ties go to the alphabetically first label."""
    out = []
    for (model_name, version), rows in predictions[predictions.model_name == "multi"].groupby(
        ["model_name", "model_version"]
    ):
        wide = rows.pivot(index="item_id", columns="label", values="score").sort_index(axis=1)
        out.append(
            pd.DataFrame(
                {"model_name": model_name, "model_version": version,
                 "predicted_label": wide.columns[np.argmax(wide.to_numpy(), axis=1)]},
                index=wide.index,
            )
        )  # fmt: skip
    return pd.concat(out)


def test_confusion_and_summary_match_sklearn(comparison: dict[str, Any]) -> None:
    confusion = query_df(comparison["warehouse"], "select * from marts.fct_model_confusion where model_name = 'multi'")
    summary = query_df(
        comparison["warehouse"], "select * from marts.fct_model_confusion_summary where model_name = 'multi'"
    )
    decisions = _argmax_decisions(comparison["predictions"]).join(_truth(comparison), how="inner")
    # three versions x gold, consensus, all; 'latent' is cross-checked in test_latent_truth_source.py
    assert len(summary[summary.truth_source != "latent"]) == 3 * 3
    assert len(summary[summary.truth_source == "latent"]) == 3
    for version, rows in decisions.groupby("model_version"):
        for source in ("gold", "consensus", "all"):
            sub = rows if source == "all" else rows[rows.truth_source == source]
            y, pred = sub.truth_label.to_numpy(), sub.predicted_label.to_numpy()
            labels = sorted(set(y) | set(pred))
            expected = confusion_matrix(y, pred, labels=labels)
            got = confusion[(confusion.model_version == version) & (confusion.truth_source == source)]
            matrix = got.pivot(index="truth_label", columns="predicted_label", values="n_items")
            matrix = matrix.reindex(index=labels, columns=labels).fillna(0).astype(int).to_numpy()
            np.testing.assert_array_equal(matrix, expected)
            row = summary[(summary.model_version == version) & (summary.truth_source == source)].iloc[0]
            assert row.n_items == len(y) and row.n_labels == len(labels)
            assert_close(row.accuracy, accuracy_score(y, pred), "accuracy")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                assert_close(row.macro_f1, f1_score(y, pred, average="macro"), f"macro_f1 {version} {source}")
                assert_close(row.weighted_f1, f1_score(y, pred, average="weighted"), "weighted_f1")


def test_model_vs_annotators_matches_cohen_kappa_score(comparison: dict[str, Any]) -> None:
    mart = query_df(comparison["warehouse"], "select * from marts.fct_model_vs_annotators where model_name = 'multi'")
    decisions = _argmax_decisions(comparison["predictions"])
    annotations = comparison["annotations"]
    references = {"consensus": _consensus(annotations), "gold": comparison["gold"]}
    assert len(mart) == 3 * 2
    for version, rows in decisions.groupby("model_version"):
        for reference, reference_labels in references.items():
            sub = rows.join(reference_labels.rename("reference_label"), how="inner")
            got = mart[(mart.model_version == version) & (mart.reference == reference)].iloc[0]
            assert got.n_items == len(sub)
            assert_close(got.model_kappa, cohen_kappa_score(sub.reference_label, sub.predicted_label), "model kappa")
            assert_close(got.model_agreement, (sub.reference_label == sub.predicted_label).mean(), "agreement")
            judged = annotations[annotations.item_id.isin(sub.index)].join(
                reference_labels.rename("reference_label"), on="item_id", how="inner"
            )
            kappas = []
            for _, own in judged.groupby("annotator_id"):
                if len(own) >= MIN_ANNOTATOR_ITEMS:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        kappa = cohen_kappa_score(own.reference_label, own.label)
                    if not math.isnan(kappa):
                        kappas.append(kappa)
            assert got.n_annotators == len(kappas) > 5
            assert_close(got.median_annotator_kappa, float(np.median(kappas)), f"median kappa {version} {reference}")
    # the stronger versions label more like the reference than the weak one
    by_version = mart[mart.reference == "gold"].set_index("model_version").model_kappa
    assert by_version["v2"] > by_version["v1"] and by_version["v3"] > by_version["v1"]


@pytest.fixture(scope="module")
def demo() -> tuple[Path, dict[str, dict[str, Any]]]:
    """The demo warehouse and the generator's planted facts per model."""
    shared = shared_demo()  # the session's gated build of the default demo exports (conftest.py)
    models = shared.manifest["truth"]["models"]
    assert len(models) >= 2, "the demo has several classifiers"
    return shared.warehouse, models


def test_demo_better_version_wins_with_evidence(demo: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    warehouse, models = demo
    comparison = query_df(
        warehouse,
        "select model_name, version_a, version_b, label, n_positive, b, c, p_value, better_version "
        "from marts.fct_model_version_comparison where truth_source = 'all'",
    )
    assert sorted(comparison.model_name.unique()) == sorted(models)
    for name, truth in models.items():
        rows = comparison[comparison.model_name == name]
        assert len(rows) == len(LABELS), name
        assert (rows.version_a == "v1").all() and (rows.version_b == "v2").all()
        # b = items v1 gets right and v2 wrong: the planted better version never loses...
        wins, losses = (rows.c, rows.b) if truth["better_version"] == "v2" else (rows.b, rows.c)
        assert (wins > losses).all(), name
        assert not (rows.better_version == truth["worse_version"]).any(), name
        # ... and wins significantly on every label with enough positives to tell
        common = rows[rows.n_positive >= 50]
        assert len(common) >= 4, name
        assert (common.better_version == truth["better_version"]).all() and (common.p_value < 0.01).all(), name


def test_demo_calibration_shows_the_miscalibrated_version(demo: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    warehouse, models = demo
    for name, truth in models.items():
        off, better, worse = truth["miscalibrated_version"], truth["better_version"], truth["worse_version"]
        calibrated = next(v for v in truth["versions"] if v != off)
        bins = query_df(
            warehouse,
            "select label, model_version, n_items, calibration_gap from marts.fct_model_calibration "
            f"where model_name = '{name}' and language = 'all' and truth_source = 'all'",
        )
        bins["weighted_gap"] = bins.n_items * bins.calibration_gap.abs()
        per_version = bins.groupby(["label", "model_version"])[["weighted_gap", "n_items"]].sum()
        table_ece = (per_version.weighted_gap / per_version.n_items).unstack()
        assert len(table_ece) == len(LABELS), name
        assert (table_ece[off] > 2 * table_ece[calibrated]).all(), name
        ece = query_df(
            warehouse,
            "select label, model_version, ece, brier_score, roc_auc from marts.fct_model_eval "
            f"where model_name = '{name}' and language = 'all' and truth_source = 'all'",
        ).pivot(index="label", columns="model_version")
        assert len(ece) == len(LABELS), name
        np.testing.assert_allclose(ece[("ece", off)], table_ece[off].loc[ece.index], rtol=0, atol=TOL)
        assert (ece[("brier_score", worse)] > ece[("brier_score", better)]).all(), name
        assert (ece[("roc_auc", worse)] < ece[("roc_auc", better)]).all(), name
