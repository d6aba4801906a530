"""fct_moderation_appeals against an independent pandas recomputation (and statsmodels' Wilson).

Random decisions over three months, every label, both deciders, three actions, appeals that are
upheld, overturned or pending, on items whose truth is gold, consensus, tied or unknown; plus
decisions at month boundaries in other time zones. One dbt build for the module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import _build, assert_close, is_null, query_df
from statsmodels.stats.proportion import proportion_confint

LABELS = ("benign", "harassment", "hate", "self_harm", "sexual", "spam", "violence")


@pytest.fixture(scope="module")
def moderation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(11)
    raw = tmp_path_factory.mktemp("moderation_raw")
    n_items = 1500
    items = np.array([f"i{i}" for i in range(n_items)])
    true_label = rng.choice(LABELS, n_items)
    kind = rng.choice(["gold", "consensus", "tie", "none"], n_items, p=[0.3, 0.3, 0.1, 0.3])
    pd.DataFrame({"item_id": items[kind == "gold"], "label": true_label[kind == "gold"]}).to_csv(
        raw / "gold_labels.csv", index=False
    )
    annotations = []
    for item, label, k in zip(items, true_label, kind, strict=True):
        if k == "consensus":
            annotations += [(item, "A", label), (item, "B", label), (item, "C", rng.choice(LABELS))]
        elif k == "tie":
            other = LABELS[(LABELS.index(label) + 1) % len(LABELS)]
            annotations += [(item, "A", label), (item, "B", other)]
        elif k == "gold" and rng.random() < 0.5:  # gold wins over a disagreeing consensus
            other = LABELS[(LABELS.index(label) + 1) % len(LABELS)]
            annotations += [(item, "A", other), (item, "B", other)]
    annotations_df = pd.DataFrame(annotations, columns=["item_id", "annotator_id", "label"])
    annotations_df.insert(0, "annotation_id", [f"a{i}" for i in range(len(annotations_df))])
    annotations_df["project_id"] = "p"
    annotations_df["submitted_at"] = "2026-09-01T00:00:00Z"
    annotations_df.to_csv(raw / "annotations.csv", index=False)

    n = 6000
    decided = pd.Timestamp("2026-08-01") + pd.to_timedelta(rng.integers(0, 92 * 86400, n), unit="s")
    decisions = pd.DataFrame(
        {
            "decision_id": [f"d{i}" for i in range(n)],
            "item_id": rng.choice(items, n),
            "action": rng.choice(["remove", "keep", "restrict"], n, p=[0.5, 0.3, 0.2]),
            "decided_at": decided,
            "decided_by": rng.choice(["human", "automated"], n),
        }
    )
    truth_of = pd.Series(true_label, index=items)
    # cited label: mostly the true one, so removal precision is neither 0 nor 1
    decisions["label"] = np.where(
        rng.random(n) < 0.7, truth_of.loc[decisions.item_id].to_numpy(), rng.choice(LABELS, n)
    )
    appealed = rng.random(n) < 0.2
    decisions["appealed_at"] = decisions.decided_at.where(~appealed, decisions.decided_at + pd.Timedelta(hours=5))
    decisions.loc[~appealed, "appealed_at"] = pd.NaT
    decisions["appeal_outcome"] = np.where(appealed, rng.choice(["upheld", "overturned", ""], n), "")
    # month boundaries written with offsets: 2026-09-01T01:30+02:00 is still August in UTC
    boundary = pd.DataFrame(
        {
            "decision_id": ["edge1", "edge2"],
            "item_id": [items[0], items[1]],
            "action": ["remove", "remove"],
            "decided_at": [pd.Timestamp("2026-08-31 23:30:00"), pd.Timestamp("2026-09-01 00:00:00")],
            "decided_by": ["human", "human"],
            "label": ["hate", "hate"],
            "appealed_at": [pd.NaT, pd.NaT],
            "appeal_outcome": ["", ""],
        }
    )
    decisions = pd.concat([decisions, boundary], ignore_index=True)
    written = decisions.copy()
    written["decided_at"] = [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in decisions.decided_at]
    written.loc[written.decision_id == "edge1", "decided_at"] = "2026-09-01T01:30:00+02:00"
    written["appealed_at"] = [t.strftime("%Y-%m-%dT%H:%M:%SZ") if pd.notna(t) else "" for t in decisions.appealed_at]
    written.to_json(raw / "moderation_decisions.jsonl", orient="records", lines=True)

    truth = pd.Series(true_label, index=items)[(kind == "gold") | (kind == "consensus")]
    warehouse = tmp_path_factory.mktemp("moderation_wh") / "w.duckdb"
    _build(raw, warehouse, "path:models/staging +fct_moderation_appeals")
    return warehouse, decisions, truth


def test_appeals_match_pandas(moderation: tuple[Path, pd.DataFrame, pd.Series]) -> None:
    warehouse, decisions, truth = moderation
    mart = query_df(warehouse, "select * from marts.fct_moderation_appeals")
    d = decisions.copy()
    d["decision_month"] = d.decided_at.dt.to_period("M").dt.to_timestamp().dt.date
    d["is_appealed"] = d.appealed_at.notna()
    d["is_overturned"] = d.appeal_outcome == "overturned"
    d["is_upheld"] = d.appeal_outcome == "upheld"
    d["is_removal"] = d.action == "remove"
    d["truth_label"] = d.item_id.map(truth)
    d["with_truth"] = d.is_removal & d.truth_label.notna()
    d["correct"] = d.with_truth & (d.truth_label == d.label)
    expected = d.groupby(["decision_month", "label", "decided_by"]).agg(
        n_decisions=("decision_id", "size"),
        n_appealed=("is_appealed", "sum"),
        n_overturned=("is_overturned", "sum"),
        n_upheld=("is_upheld", "sum"),
        n_removals=("is_removal", "sum"),
        n_removals_with_truth=("with_truth", "sum"),
        n_removals_correct=("correct", "sum"),
    )
    mart["decision_month"] = pd.to_datetime(mart.decision_month).dt.date
    got = mart.set_index(["decision_month", "label", "decided_by"]).sort_index()
    assert len(got) == len(expected) and set(got.index) == set(expected.index)
    assert got.index.get_level_values(0).nunique() == 3
    for key, row in expected.iterrows():
        g = got.loc[key]
        for column in expected.columns:
            assert g[column] == row[column], (key, column)
        assert g.n_appeals_pending == row.n_appealed - row.n_overturned - row.n_upheld
        assert_close(g.appeal_rate, row.n_appealed / row.n_decisions, "appeal_rate")
        assert_close(g.overturn_rate, row.n_overturned / row.n_appealed if row.n_appealed else None, "overturn_rate")
        if row.n_removals_with_truth:
            assert_close(g.removal_precision, row.n_removals_correct / row.n_removals_with_truth, "removal_precision")
            low, high = proportion_confint(row.n_removals_correct, row.n_removals_with_truth, method="wilson")
            assert_close(g.removal_precision_ci_lower, low, "ci_lower")
            assert_close(g.removal_precision_ci_upper, high, "ci_upper")
        else:
            assert is_null(g.removal_precision)
    # rates are neither trivially 0 nor 1 overall
    assert 0.1 < got.n_removals_correct.sum() / got.n_removals_with_truth.sum() < 0.95
