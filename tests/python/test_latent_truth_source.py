"""truth_source 'latent' in the model-evaluation marts, against scikit-learn.

On the shared demo warehouse: every (model, version, label, language) group of fct_model_eval
with truth_source 'latent' is recomputed with scikit-learn from the raw predictions joined to
the latent labels of fct_item_latent_truth (an item's first project), and the 'all' roll-ups are
checked to hold exactly the 'gold' and 'consensus' items (the latent truth is never counted
there), in fct_model_eval, fct_model_confusion and fct_model_version_comparison.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import DemoBuild, close, query_df
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    precision_recall_fscore_support,
    roc_auc_score,
)


@pytest.fixture(scope="module")
def latent_scores(demo_build: DemoBuild) -> pd.DataFrame:
    """Every raw prediction of a judged item, with the item's latent label and language."""
    return query_df(
        demo_build.warehouse,
        """
        select p.model_name, p.model_version, p.label, p.item_id, p.score, d.language,
               t.latent_label
        from staging.stg_raw__predictions as p
        inner join marts.dim_item as d on p.item_id = d.item_id
        inner join (
            select item_id, arg_min(latent_label, project_id) as latent_label
            from marts.fct_item_latent_truth
            group by item_id
        ) as t on p.item_id = t.item_id
        """,
    )


def test_latent_eval_matches_sklearn(demo_build: DemoBuild, latent_scores: pd.DataFrame) -> None:
    mart = query_df(demo_build.warehouse, "select * from marts.fct_model_eval where truth_source = 'latent'")
    assert not latent_scores.empty and not mart.empty
    mart = mart.set_index(["model_name", "model_version", "label", "language"])
    expected_groups = set()
    checked = 0
    for language_split in (False, True):
        keys = ["model_name", "model_version", "label"] + (["language"] if language_split else [])
        for key, rows in latent_scores.groupby(keys):
            language = key[3] if language_split else "all"
            index = (key[0], key[1], key[2], language)
            expected_groups.add(index)
            row = mart.loc[index]
            y_true = (rows.latent_label == rows.label).to_numpy()
            y_score = rows.score.to_numpy()
            y_pred = y_score >= row.threshold
            assert row.n_items == len(rows) and row.n_positive == int(y_true.sum()), index
            if y_pred.any():
                precision = precision_recall_fscore_support(y_true, y_pred, average="binary", zero_division=np.nan)[0]
                assert close(row.precision, float(precision)), index
            else:
                assert pd.isna(row.precision), index
            if y_true.any():
                _, recall, f1, _ = precision_recall_fscore_support(y_true, y_pred, average="binary", zero_division=0.0)
                assert close(row.recall, float(recall)), index
                assert close(row.f1, float(f1)), index
                assert close(row.average_precision, float(average_precision_score(y_true, y_score))), index
            else:
                assert pd.isna(row.recall) and pd.isna(row.average_precision), index
            if 0 < y_true.sum() < len(y_true):
                assert close(row.roc_auc, float(roc_auc_score(y_true, y_score))), index
                checked += 1
            else:
                assert pd.isna(row.roc_auc), index
    assert set(mart.index) == expected_groups
    assert checked > 0


def test_latent_confusion_matches_sklearn(demo_build: DemoBuild, latent_scores: pd.DataFrame) -> None:
    # the arg-max decision per item (ties to the alphabetically first label)
    decisions = latent_scores.sort_values(["score", "label"], ascending=[False, True]).drop_duplicates(
        ["model_name", "model_version", "item_id"]
    )
    summary = query_df(
        demo_build.warehouse,
        "select * from marts.fct_model_confusion_summary where truth_source = 'latent'",
    ).set_index(["model_name", "model_version"])
    assert len(summary) == decisions.groupby(["model_name", "model_version"]).ngroups
    for (model_name, model_version), rows in decisions.groupby(["model_name", "model_version"]):
        row = summary.loc[(model_name, model_version)]
        assert row.n_items == len(rows)
        assert close(row.accuracy, float(accuracy_score(rows.latent_label, rows.label)))


def test_all_rollups_exclude_latent(demo_build: DemoBuild) -> None:
    """'all' = 'gold' + 'consensus' exactly, in every mart that rolls truth sources up."""
    eval_sums = query_df(
        demo_build.warehouse,
        """
        select model_name, model_version, label, language,
               sum(case when truth_source = 'all' then n_items else 0 end) as all_items,
               sum(case when truth_source in ('gold', 'consensus') then n_items else 0 end) as observed_items,
               sum(case when truth_source = 'all' then n_positive else 0 end) as all_positive,
               sum(case when truth_source in ('gold', 'consensus') then n_positive else 0 end)
                   as observed_positive,
               sum(case when truth_source = 'latent' then n_items else 0 end) as latent_items
        from marts.fct_model_eval
        group by all
        """,
    )
    assert (eval_sums.latent_items > 0).any()
    assert (eval_sums.all_items == eval_sums.observed_items).all()
    assert (eval_sums.all_positive == eval_sums.observed_positive).all()
    for mart, keys in (
        ("fct_model_confusion", "model_name, model_version, truth_label, predicted_label"),
        ("fct_model_version_comparison", "model_name, version_a, version_b, label"),
    ):
        sums = query_df(
            demo_build.warehouse,
            f"""
            select {keys},
                   sum(case when truth_source = 'all' then n_items else 0 end) as all_items,
                   sum(case when truth_source in ('gold', 'consensus') then n_items else 0 end) as observed_items,
                   sum(case when truth_source = 'latent' then n_items else 0 end) as latent_items
            from marts.{mart}
            group by all
            """,
        )
        assert not sums.empty, mart
        assert (sums.all_items == sums.observed_items).all(), mart
        if mart == "fct_model_confusion":
            assert (sums.latent_items > 0).any(), mart
