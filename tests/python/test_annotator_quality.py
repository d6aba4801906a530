"""Cross-check fct_annotator_quality, its weekly trend and fct_item_consensus.

Generated data (2 projects, a few deliberately bad annotators, gold items, re-queued repeats)
in one raw directory, one dbt build with explicit thresholds; every figure is recomputed
independently in pandas and compared with scikit-learn (Cohen's kappa) and statsmodels (Wilson
interval) to 1e-9. A second build on the demo generator's data checks that the annotators it
made bad are flagged.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import DemoBuild, assert_close, is_null, query_df
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.proportion import proportion_confint

from labelhouse.dbt import run_dbt

LABELS = ["benign", "hate", "harassment", "violence", "spam"]
VARS = {
    "quality_min_gold_items": 15,
    "quality_gold_accuracy_threshold": 0.65,
    "quality_min_consensus_judgements": 40,
    "quality_consensus_agreement_threshold": 0.6,
    "adjudication_share_threshold": 0.7,
}
BAD = {"ann_03", "ann_11", "ann_17"}


def build_quality_marts(raw: Path, warehouse: Path, **dbt_vars: Any) -> Path:
    args = ["build", "--select", "+marts.quality", "--indirect-selection", "cautious"]
    result = run_dbt(args, warehouse=warehouse, raw_dir=raw, extra_vars=dbt_vars)
    if not result.success:
        failed = "\n".join(f"  {n['name']}: {n['status']} {n['message']}" for n in result.failures())
        raise AssertionError(f"dbt build failed: {result.error or ''}\n{failed}")
    return warehouse


def _generate(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(2026)
    annotators = [f"ann_{k:02d}" for k in range(20)]
    prevalence = np.array([0.7, 0.1, 0.08, 0.05, 0.07])
    rows: list[dict[str, Any]] = []
    gold: list[dict[str, Any]] = []
    start = pd.Timestamp("2026-10-05")
    for project, n_items in [("proj_a", 700), ("proj_b", 350)]:
        for i in range(n_items):
            item_id = f"{project}_{i:05d}"
            truth = int(rng.choice(len(LABELS), p=prevalence))
            if rng.random() < 0.3:
                gold.append({"item_id": item_id, "label": LABELS[truth], "project_id": project})
            m = int(rng.choice([1, 2, 3, 3, 3, 4, 5]))
            day = start + pd.Timedelta(hours=int(rng.integers(0, 24 * 21)))
            for j, a in enumerate(rng.choice(annotators, size=m, replace=False)):
                acc = 0.35 if a in BAD else 0.88
                # a bad annotator's misses are uniform over the labels, a good one's follow prevalence
                misses = np.full(len(LABELS), 1 / len(LABELS)) if a in BAD else prevalence
                n_times = 2 if rng.random() < 0.08 else 1
                if rng.random() < 0.01:
                    n_times = 3
                for t in range(n_times):
                    label = truth if rng.random() < acc else int(rng.choice(len(LABELS), p=misses))
                    rows.append(
                        {
                            "item_id": item_id,
                            "project_id": project,
                            "annotator_id": a,
                            "label": LABELS[label],
                            "submitted_at": day + pd.Timedelta(hours=2 * j, days=2 * t),
                        }
                    )
    df = pd.DataFrame(rows)
    df["annotation_id"] = [f"q{k:06d}" for k in range(len(df))]
    raw.mkdir(parents=True, exist_ok=True)
    out = df.copy()
    out["submitted_at"] = out["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out.to_csv(raw / "annotations.csv", index=False)
    gold_df = pd.DataFrame(gold)
    gold_df.to_csv(raw / "gold_labels.csv", index=False)
    pd.DataFrame({"annotator_id": annotators, "vendor": ["v1", "v2"] * 10}).to_csv(raw / "annotators.csv", index=False)
    return df, gold_df


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, pd.DataFrame, pd.DataFrame]]:
    tmp = tmp_path_factory.mktemp("quality")
    df, gold = _generate(tmp / "raw")
    wh = build_quality_marts(tmp / "raw", tmp / "warehouse.duckdb", **VARS)
    yield wh, df, gold


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["submitted_at", "annotation_id"])


def _latest(df: pd.DataFrame) -> pd.DataFrame:
    return _ordered(df).groupby(["item_id", "annotator_id"], as_index=False).tail(1)


def _kappa(a: list[str], b: list[str]) -> float:
    if len(a) < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(a, b))


def _loo_outcomes(latest: pd.DataFrame) -> pd.Series:
    """'agree' / 'disagree' / 'no_consensus' / None per judgement, by brute force."""
    outcomes = {}
    for _, g in latest.groupby("item_id"):
        for idx, row in g.iterrows():
            others = Counter(g.drop(index=idx)["label"])
            if not others:
                outcomes[idx] = None
                continue
            top = max(others.values())
            winners = [lab for lab, n in others.items() if n == top]
            if len(winners) > 1:
                outcomes[idx] = "no_consensus"
            else:
                outcomes[idx] = "agree" if winners[0] == row["label"] else "disagree"
    return pd.Series(outcomes)


def _expected_quality(df: pd.DataFrame, gold: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    latest = _latest(df)
    latest = latest.assign(outcome=_loo_outcomes(latest))
    latest = latest.merge(gold[["item_id", "label"]].rename(columns={"label": "gold"}), on="item_id", how="left")
    ordered = _ordered(df)
    pairs = []
    for (_, _), g in ordered.groupby(["item_id", "annotator_id"]):
        if len(g) > 1:
            labels = list(g["label"])
            for i in range(len(labels)):
                for j in range(i + 1, len(labels)):
                    pairs.append(
                        {
                            "project_id": g["project_id"].iloc[0],
                            "annotator_id": g["annotator_id"].iloc[0],
                            "earlier": labels[i],
                            "later": labels[j],
                        }
                    )
    pairs_df = pd.DataFrame(pairs)
    expected = {}
    for scope in ["project", "all"]:
        keys = ["project_id", "annotator_id"] if scope == "project" else ["annotator_id"]
        for key, g in latest.groupby(keys):
            project, annotator = key if scope == "project" else ("all", key[0])
            all_rows = df[(df["annotator_id"] == annotator) & ((df["project_id"] == project) | (project == "all"))]
            graded = g[g["gold"].notna()]
            n_gold = len(graded)
            n_correct = int((graded["label"] == graded["gold"]).sum())
            consensus = g[g["outcome"].isin(["agree", "disagree"])]
            in_scope = (pairs_df["project_id"] == project) | (project == "all")
            p = pairs_df[(pairs_df["annotator_id"] == annotator) & in_scope]
            if n_gold:
                low, high = proportion_confint(n_correct, n_gold, alpha=0.05, method="wilson")
            else:
                low = high = float("nan")
            expected[(project, annotator)] = {
                "n_annotations": len(all_rows),
                "n_items_judged": len(g),
                "n_gold_annotations": n_gold,
                "gold_accuracy": n_correct / n_gold if n_gold else float("nan"),
                "gold_accuracy_ci_low": low,
                "gold_accuracy_ci_high": high,
                "cohen_kappa_vs_gold": _kappa(list(graded["label"]), list(graded["gold"])),
                "n_consensus_judgements": len(consensus),
                "agreement_with_consensus": (
                    (consensus["outcome"] == "agree").mean() if len(consensus) else float("nan")
                ),
                "n_repeat_pairs": len(p),
                "self_agreement": (p["earlier"] == p["later"]).mean() if len(p) else float("nan"),
                "self_kappa": _kappa(list(p["earlier"]), list(p["later"])) if len(p) else float("nan"),
            }
    return expected


def test_annotator_quality_matches_references(built: tuple[Path, pd.DataFrame, pd.DataFrame]) -> None:
    wh, df, gold = built
    got = query_df(wh, "select * from marts.fct_annotator_quality").set_index(["project_id", "annotator_id"])
    expected = _expected_quality(df, gold)
    assert set(got.index) == set(expected)
    n_self_kappa = 0
    for key, exp in expected.items():
        row = got.loc[key]
        for col, value in exp.items():
            assert_close(row[col], value, f"{col} {key}")
        n_self_kappa += not is_null(exp["self_kappa"])
    assert n_self_kappa >= 5


def test_flags_follow_the_thresholds(built: tuple[Path, pd.DataFrame, pd.DataFrame]) -> None:
    wh, _, _ = built
    got = query_df(wh, "select * from marts.fct_annotator_quality")
    on_gold = (got["n_gold_annotations"] >= VARS["quality_min_gold_items"]) & (
        got["gold_accuracy"] < VARS["quality_gold_accuracy_threshold"]
    )
    on_consensus = (got["n_consensus_judgements"] >= VARS["quality_min_consensus_judgements"]) & (
        got["agreement_with_consensus"] < VARS["quality_consensus_agreement_threshold"]
    )
    assert (got["is_flagged"] == (on_gold | on_consensus)).all()
    assert got.loc[got["is_flagged"], "flag_reason"].notna().all()
    assert got.loc[~got["is_flagged"], "flag_reason"].isna().all()
    assert got.loc[on_gold, "flag_reason"].str.contains("gold accuracy").all()
    flagged_overall = set(got.loc[(got["project_id"] == "all") & got["is_flagged"], "annotator_id"])
    assert flagged_overall == BAD


def test_weekly_trend_matches(built: tuple[Path, pd.DataFrame, pd.DataFrame]) -> None:
    wh, df, gold = built
    got = query_df(wh, "select * from marts.fct_annotator_quality_weekly")
    got["week"] = pd.to_datetime(got["week"])
    got = got.set_index(["project_id", "annotator_id", "week"])
    latest = _latest(df)
    latest = latest.assign(outcome=_loo_outcomes(latest))
    latest = latest.merge(gold[["item_id", "label"]].rename(columns={"label": "gold"}), on="item_id", how="left")
    ts = latest["submitted_at"]
    latest["week"] = (ts - pd.to_timedelta(ts.dt.weekday, unit="D")).dt.normalize()
    assert len(got) == latest.groupby(["project_id", "annotator_id", "week"]).ngroups
    for key, g in latest.groupby(["project_id", "annotator_id", "week"]):
        graded = g[g["gold"].notna()]
        consensus = g[g["outcome"].isin(["agree", "disagree"])]
        row = got.loc[key]
        assert row["n_items_judged"] == len(g)
        accuracy = (graded["label"] == graded["gold"]).mean() if len(graded) else None
        assert_close(row["gold_accuracy"], accuracy, str(key))
        assert_close(
            row["agreement_with_consensus"],
            (consensus["outcome"] == "agree").mean() if len(consensus) else None,
            str(key),
        )


def test_item_consensus_and_adjudication(built: tuple[Path, pd.DataFrame, pd.DataFrame]) -> None:
    wh, df, gold = built
    got = query_df(wh, "select * from marts.fct_item_consensus").set_index("item_id")
    latest = _latest(df)
    gold_by_item = dict(zip(gold["item_id"], gold["label"], strict=True))
    assert set(got.index) == set(latest["item_id"]) | set(gold["item_id"])
    reasons = Counter()
    for item_id, g in latest.groupby("item_id"):
        counts = Counter(g["label"])
        top = max(counts.values())
        winners = sorted(lab for lab, n in counts.items() if n == top)
        share = top / len(g)
        tie = len(winners) > 1
        gold_label = gold_by_item.get(item_id)
        if tie:
            reason = "tie"
        elif gold_label is not None and winners[0] != gold_label:
            reason = "gold_disagreement"
        elif share < VARS["adjudication_share_threshold"]:
            reason = "low_consensus_share"
        else:
            reason = None
        row = got.loc[item_id]
        assert row["n_annotations"] == len(g)
        assert row["consensus_label"] == winners[0]
        assert_close(row["consensus_share"], share, item_id)
        assert bool(row["is_tie"]) == tie
        assert bool(row["needs_adjudication"]) == (reason is not None), item_id
        assert (row["adjudication_reason"] if isinstance(row["adjudication_reason"], str) else None) == reason
        truth = gold_label if gold_label is not None else (winners[0] if len(g) >= 2 and not tie else None)
        assert (row["truth_label"] if isinstance(row["truth_label"], str) else None) == truth
        reasons[reason] += 1
    assert min(reasons[r] for r in ["tie", "gold_disagreement", "low_consensus_share", None]) > 5


@pytest.mark.slow
def test_demo_build_flags_the_generators_bad_annotators(demo_build: DemoBuild) -> None:
    manifest = json.loads((demo_build.raw / "generator_manifest.json").read_text())
    bad = set(manifest["truth"]["bad_annotator_ids"])
    wh = demo_build.warehouse  # the session's gated build of the default demo exports (conftest.py)
    got = query_df(wh, "select * from marts.fct_annotator_quality where project_id = 'all'")
    flagged = set(got.loc[got["is_flagged"], "annotator_id"])
    assert bad <= flagged, f"not flagged: {sorted(bad - flagged)}"
    # the flag is a review queue, not a dragnet: at most a couple of good annotators in it
    assert len(flagged - bad) <= 2, sorted(flagged - bad)
