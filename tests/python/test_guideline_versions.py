"""fct_guideline_version_comparison against independent references on one small generated
warehouse whose p_spam_2026q4 changes guideline version mid-project with a planted effect (the
old version's P(correct) scaled down): per-version alpha against krippendorff.alpha, the alpha
difference's interval against a brute-force delete-one-item jackknife, the gold-accuracy
difference against statsmodels (Newcombe interval, proportions_ztest), the skip split by version
period against pandas; and the Newcombe and z-test macros at 0/n and n/n against statsmodels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import krippendorff
import numpy as np
import pandas as pd
import pytest
from conftest import jackknife_se, labelhouse_build, nominal_alpha_from_counts, query_df
from scipy.stats import norm
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from labelhouse.dbt import run_dbt

Z = norm.isf(0.025)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    from labelhouse.demo import Scenarios, generate

    raw = tmp_path_factory.mktemp("guideline") / "raw"
    manifest = generate(raw, n_annotations=5000, seed=9, scenarios=Scenarios(guideline_change=True))
    warehouse = labelhouse_build(raw, tmp_path_factory.mktemp("guideline_wh") / "w.duckdb")
    return raw, warehouse, manifest


@pytest.fixture(scope="module")
def mart(built: tuple[Path, Path, dict[str, Any]]) -> pd.DataFrame:
    return query_df(built[1], "select * from marts.fct_guideline_version_comparison")


@pytest.fixture(scope="module")
def judgements(built: tuple[Path, Path, dict[str, Any]]) -> pd.DataFrame:
    """Each annotator's latest staged judgement of an item (pandas, not int_annotations)."""
    staged = query_df(
        built[1],
        "select item_id, project_id, annotator_id, label, submitted_at, annotation_id, guideline_version "
        "from staging.stg_raw__annotations",
    )
    staged = staged.sort_values(["item_id", "annotator_id", "submitted_at", "annotation_id"])
    return staged.drop_duplicates(["item_id", "annotator_id"], keep="last")


def _count_matrix(frame: pd.DataFrame) -> np.ndarray:
    return pd.crosstab(frame["item_id"], frame["label"]).to_numpy()


def _jackknife_se(counts: np.ndarray) -> float:
    pairable = counts[counts.sum(axis=1) >= 2]
    full = nominal_alpha_from_counts(pairable)
    loo = np.array([nominal_alpha_from_counts(np.delete(pairable, u, axis=0)) for u in range(len(pairable))])
    return jackknife_se(loo) if np.isfinite(full) else np.nan


def test_the_planted_change_has_one_row_and_is_detected(
    built: tuple[Path, Path, dict[str, Any]], mart: pd.DataFrame
) -> None:
    truth = built[2]["truth"]["guideline_versions"]
    assert truth["old_version_accuracy_factor"] < 1
    assert list(mart["project_id"]) == [truth["project_id"]]
    row = mart.iloc[0]
    assert [row["previous_version"], row["version"]] == truth["versions"]
    assert str(pd.Timestamp(row["version_first_submitted_at"]).date()) >= truth["changed_at"]
    # the new guideline is better: both differences positive, alpha's significantly so
    assert (
        row["delta_krippendorff_alpha"] > 0
        and row["delta_krippendorff_alpha_ci_low"] > 0
        and row["delta_krippendorff_alpha_p_value"] < 0.05
    )
    assert row["delta_gold_accuracy"] > 0


def test_alpha_per_version_and_jackknife_difference(judgements: pd.DataFrame, mart: pd.DataFrame) -> None:
    row = mart.iloc[0]
    project = judgements[judgements["project_id"] == row["project_id"]]
    ses = []
    for version, column in (
        (row["previous_version"], "previous_krippendorff_alpha"),
        (row["version"], "krippendorff_alpha"),
    ):
        under = project[project["guideline_version"] == version]
        reliability = under.pivot(index="annotator_id", columns="item_id", values="label")
        codes = reliability.apply(
            lambda c: c.map({label: i for i, label in enumerate(sorted(project["label"].unique()))})
        )
        expected = krippendorff.alpha(reliability_data=codes.to_numpy(dtype=float), level_of_measurement="nominal")
        assert row[column] == pytest.approx(expected, abs=1e-9)
        counts = _count_matrix(under)
        assert nominal_alpha_from_counts(counts) == pytest.approx(expected, abs=1e-9)
        ses.append(_jackknife_se(counts))
    se = float(np.hypot(*ses))
    assert row["delta_krippendorff_alpha_ci_low"] == pytest.approx(row["delta_krippendorff_alpha"] - Z * se, abs=1e-9)
    assert row["delta_krippendorff_alpha_ci_high"] == pytest.approx(row["delta_krippendorff_alpha"] + Z * se, abs=1e-9)
    assert row["delta_krippendorff_alpha_p_value"] == pytest.approx(
        2 * norm.sf(abs(row["delta_krippendorff_alpha"]) / se), abs=1e-9
    )


def test_delta_gold_accuracy_matches_statsmodels(
    built: tuple[Path, Path, dict[str, Any]], judgements: pd.DataFrame, mart: pd.DataFrame
) -> None:
    row = mart.iloc[0]
    gold = query_df(built[1], "select item_id, label as gold_label from staging.stg_raw__gold_labels")
    graded = judgements[judgements["project_id"] == row["project_id"]].merge(gold, on="item_id")
    tallies = {}
    for version in (row["version"], row["previous_version"]):
        under = graded[graded["guideline_version"] == version]
        tallies[version] = (int((under["label"] == under["gold_label"]).sum()), len(under))
    (x1, n1), (x0, n0) = tallies[row["version"]], tallies[row["previous_version"]]
    assert (row["n_gold_correct"], row["n_gold_judgements"]) == (x1, n1)
    assert (row["previous_n_gold_correct"], row["previous_n_gold_judgements"]) == (x0, n0)
    low, high = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff")
    assert row["delta_gold_accuracy_ci_low"] == pytest.approx(low, abs=1e-9)
    assert row["delta_gold_accuracy_ci_high"] == pytest.approx(high, abs=1e-9)
    _, p_value = proportions_ztest([x1, x0], [n1, n0])
    assert row["delta_gold_accuracy_p_value"] == pytest.approx(p_value, abs=1e-9)


def test_skips_count_under_the_version_of_their_period(
    built: tuple[Path, Path, dict[str, Any]], judgements: pd.DataFrame, mart: pd.DataFrame
) -> None:
    row = mart.iloc[0]
    skips = query_df(built[1], "select project_id, skipped_at from staging.stg_raw__annotation_skips")
    skips = skips[skips["project_id"] == row["project_id"]]
    project = judgements[judgements["project_id"] == row["project_id"]]
    starts = project.groupby("guideline_version")["submitted_at"].min()
    change = starts[row["version"]]
    before = ((skips["skipped_at"] >= starts[row["previous_version"]]) & (skips["skipped_at"] < change)).sum()
    after = (skips["skipped_at"] >= change).sum()
    assert (row["previous_n_skips"], row["n_skips"]) == (before, after)
    assert row["skip_rate"] == pytest.approx(
        after / (after + len(project[project["guideline_version"] == row["version"]]))
    )


EDGE_CASES = [(0, 12, 7, 15), (12, 12, 7, 15), (0, 9, 9, 9), (9, 9, 0, 9), (3, 40, 0, 5), (25, 30, 30, 30)]


def test_newcombe_and_z_test_macros_at_0_of_n_and_n_of_n(
    built: tuple[Path, Path, dict[str, Any]], tmp_path: Path
) -> None:
    raw, warehouse, _ = built
    rows = " union all ".join(f"select {x1} as x1, {n1} as n1, {x2} as x2, {n2} as n2" for x1, n1, x2, n2 in EDGE_CASES)
    sql = (
        "select x1, n1, x2, n2, {{ newcombe_interval('x1', 'n1', 'x2', 'n2', 'lower') }} as low, "
        "{{ newcombe_interval('x1', 'n1', 'x2', 'n2', 'upper') }} as high, "
        "{{ two_proportion_p_value('x1', 'n1', 'x2', 'n2') }} as p_value from (" + rows + ") as cases"
    )
    result = run_dbt(["compile", "--inline", sql], warehouse=tmp_path / "compile.duckdb", raw_dir=raw)
    assert result.success, result.error
    compiled = result.nodes[0]["compiled_code"]
    got = duckdb.connect().sql(compiled).df()
    for case in got.itertuples():
        low, high = confint_proportions_2indep(case.x1, case.n1, case.x2, case.n2, method="newcomb", compare="diff")
        assert (case.low, case.high) == pytest.approx((low, high), abs=1e-9), case
        pooled = (case.x1 + case.x2) / (case.n1 + case.n2)
        if 0 < pooled < 1:
            assert case.p_value == pytest.approx(proportions_ztest([case.x1, case.x2], [case.n1, case.n2])[1], abs=1e-9)
        else:
            assert pd.isna(case.p_value)  # both all wrong or all right: no variance, no test
