"""Ordinal and interval Krippendorff's alpha, weighted kappa and the Spearman-Brown raters
prophecy of the quality marts, against krippendorff, scikit-learn and brute force.

Generated projects judge labels c0..c9 whose severities are deliberately not 0, 1, 2, ...
(gaps and two labels sharing a severity), so the interval metric (raw values), the ordinal
metric (mid-ranks) and sklearn's positional kappa weights differ; missing judgements
throughout. One project uses a label without severity (its ordinal columns must be NULL), one
judges a single severity, one has annotator pairs sharing a single item (weighted kappa as
sklearn there: 0 on a disagreement, NULL on an agreement). Krippendorff's (2011) worked example
checks the published values.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES, assert_close, is_null, jackknife_se, query_df
from sklearn.metrics import cohen_kappa_score

from labelhouse.dbt import run_dbt

Z95 = 1.959963984540054
SEVERITY = {"c0": 0, "c1": 1, "c2": 3, "c3": 3, "c4": 7, "c5": 8, "c6": 12, "c7": 13, "c8": 20, "c9": 21}
START = pd.Timestamp("2026-09-07")  # a Monday
# project: (items, labels used, judgements per item (min, max), annotator pool, accuracy)
CASES: dict[str, tuple[int, list[str], tuple[int, int], int, float]] = {
    "ord_3": (80, ["c0", "c1", "c2", "c4"], (1, 4), 6, 0.7),
    "ord_shared_sev": (60, ["c1", "c2", "c3", "c5", "c8"], (2, 5), 7, 0.6),
    "ord_wide": (50, [f"c{k}" for k in range(10)], (2, 6), 9, 0.5),
    "ord_two_raters": (70, ["c0", "c4", "c9"], (2, 2), 2, 0.8),
    "ord_noise": (40, ["c0", "c1", "c4"], (2, 3), 5, 0.0),
    "ord_missing_sev": (30, ["c0", "c1", "no_severity"], (2, 3), 4, 0.7),
    "ord_one_level": (12, ["c2", "c3"], (2, 3), 4, 0.5),  # c2 and c3 share severity 3
}


def _rows() -> list[dict[str, Any]]:
    rng = np.random.default_rng(15)
    rows: list[dict[str, Any]] = []
    for project, (n_items, labels, (lo, hi), pool, accuracy) in CASES.items():
        weeks = 2
        for i in range(n_items):
            truth = int(rng.integers(len(labels)))
            m = int(rng.integers(lo, hi + 1))
            ts = START + pd.Timedelta(days=int(rng.integers(0, 7 * weeks)), hours=1)
            for j, r in enumerate(rng.choice(pool, size=m, replace=False)):
                # errors land near the truth more often, as with a real severity scale
                near = int(np.clip(truth + rng.integers(-2, 3), 0, len(labels) - 1))
                k = truth if rng.random() < accuracy else near
                rows.append(
                    {
                        "project_id": project,
                        "item_id": f"{project}_i{i:03d}",
                        "annotator_id": f"{project}_r{r}",
                        "label": labels[k],
                        "submitted_at": ts + pd.Timedelta(minutes=j),
                        "language": "en",
                    }
                )
    # two raters who never agree: alpha < 0, so no number of raters reaches the target
    for i in range(20):
        for r, label in (("r0", "c0"), ("r1", "c4")) if i % 2 else (("r0", "c4"), ("r1", "c0")):
            rows.append(
                {
                    "project_id": "ord_disagree",
                    "item_id": f"ord_disagree_i{i:03d}",
                    "annotator_id": f"ord_disagree_{r}",
                    "label": label,
                    "submitted_at": START,
                    "language": "en",
                }
            )
    # pairs sharing a single item (weighted kappa as sklearn: 0 when they disagree on it, NULL when alike)
    for i, judged in enumerate(
        [(("s0", "c0"), ("s1", "c4")), (("s0", "c1"), ("s2", "c1")), (("s1", "c1"), ("s2", "c4"), ("s3", "c1"))]
    ):
        for r, label in judged:
            rows.append(
                {
                    "project_id": "ord_one_shared",
                    "item_id": f"ord_one_shared_i{i}",
                    "annotator_id": f"ord_one_shared_{r}",
                    "label": label,
                    "submitted_at": START,
                    "language": "en",
                }
            )
    kripp = pd.read_csv(FIXTURES / "agreement" / "krippendorff_2011_nominal.csv")
    for r in kripp.itertuples():
        rows.append(
            {
                "project_id": "pub_krippendorff_2011",
                "item_id": f"k{r.unit}",
                "annotator_id": r.observer,
                "label": f"v{r.value}",
                "submitted_at": START + pd.Timedelta(hours=10),
                "language": "en",
            }
        )
    return rows


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, pd.DataFrame]]:
    tmp = tmp_path_factory.mktemp("ordinal")
    raw = tmp / "raw"
    raw.mkdir()
    df = pd.DataFrame(_rows())
    df["annotation_id"] = [f"a{k:06d}" for k in range(len(df))]
    out = df.copy()
    out["submitted_at"] = out["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out[["annotation_id", "item_id", "project_id", "annotator_id", "label", "submitted_at", "language"]].to_csv(
        raw / "annotations.csv", index=False
    )
    labels = [{"label": k, "severity": v} for k, v in SEVERITY.items()]
    labels += [{"label": f"v{v}", "severity": v} for v in range(1, 6)]
    labels.append({"label": "no_severity", "severity": None})
    pd.DataFrame(labels).astype({"severity": "Int64"}).to_csv(raw / "labels.csv", index=False)
    args = [
        "build",
        "--select",
        "+fct_agreement +fct_agreement_weekly +fct_annotator_pair_agreement",
        "--exclude-resource-type",
        "test",
        "--exclude-resource-type",
        "unit_test",
    ]
    result = run_dbt(args, warehouse=tmp / "ordinal.duckdb", raw_dir=raw)
    assert result.success, [n["message"] for n in result.failures()]
    df["severity"] = df["label"].map({**SEVERITY, **{f"v{v}": v for v in range(1, 6)}})
    yield tmp / "ordinal.duckdb", df


def _alpha(g: pd.DataFrame, level: str) -> float:
    matrix = g.pivot(index="item_id", columns="annotator_id", values="severity").to_numpy(dtype=float)
    pairable = (~np.isnan(matrix)).sum(axis=1) >= 2
    values = matrix[pairable][~np.isnan(matrix[pairable])]
    if len(np.unique(values)) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=matrix.T, level_of_measurement=level))


def _jackknife(g: pd.DataFrame, level: str) -> tuple[float, float]:
    """Brute force: krippendorff.alpha recomputed without each pairable item."""
    m = g.groupby("item_id").size()
    pairable = list(m[m >= 2].index)
    full = _alpha(g, level)
    if is_null(full) or len(pairable) < 2:
        return float("nan"), float("nan")
    loo = np.array([_alpha(g[g["item_id"] != u], level) for u in pairable])
    if np.isnan(loo).any():
        return float("nan"), float("nan")
    se = jackknife_se(loo)
    return full - Z95 * se, min(1.0, full + Z95 * se)


def _groups(df: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    for project, g in df.groupby("project_id"):
        if project not in ("ord_missing_sev",):
            yield str(project), g


def test_ordinal_and_interval_alpha_with_jackknife_equal_krippendorff(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, df = warehouse
    got = query_df(wh, "select * from marts.fct_agreement where language = 'all'").set_index("project_id")
    checked = 0
    for project, g in _groups(df):
        for level in ("ordinal", "interval"):
            col = f"krippendorff_alpha_{level}"
            assert_close(got.loc[project, col], _alpha(g, level), f"{col} {project}")
            low, high = _jackknife(g, level)
            assert_close(got.loc[project, f"{col}_ci_low"], low, f"{col}_ci_low {project}")
            assert_close(got.loc[project, f"{col}_ci_high"], high, f"{col}_ci_high {project}")
            checked += 1
    assert checked == 18
    # the metrics do differ on these scales (a test that cannot fail is a defect)
    row = got.loc["ord_wide"]
    assert abs(row["krippendorff_alpha_ordinal"] - row["krippendorff_alpha_interval"]) > 1e-3


def test_weekly_ordinal_and_interval_alpha_equal_krippendorff(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, df = warehouse
    got = query_df(wh, "select * from marts.fct_agreement_weekly where language = 'all'")
    got = got.assign(week=pd.to_datetime(got["week"])).set_index(["project_id", "week"])
    df = df.assign(week=df.groupby("item_id")["submitted_at"].transform("min").dt.to_period("W-SUN").dt.start_time)
    n = intervals = 0
    for (project, week), g in df.groupby(["project_id", "week"]):
        if project == "ord_missing_sev":
            for col in [
                "ordinal",
                "ordinal_ci_low",
                "ordinal_ci_high",
                "interval",
                "interval_ci_low",
                "interval_ci_high",
            ]:
                assert is_null(got.loc[(project, week), f"krippendorff_alpha_{col}"]), (col, week)
            continue
        for level in ("ordinal", "interval"):
            col = f"krippendorff_alpha_{level}"
            assert_close(got.loc[(project, week), col], _alpha(g, level), f"{level} {project} {week}")
            low, high = _jackknife(g, level)
            assert_close(got.loc[(project, week), f"{col}_ci_low"], low, f"{col}_ci_low {project} {week}")
            assert_close(got.loc[(project, week), f"{col}_ci_high"], high, f"{col}_ci_high {project} {week}")
            intervals += not is_null(low)
        n += 1
    assert n >= 12
    assert intervals >= 12  # most weeks have defined intervals at both levels (the check can fail)


def test_undefined_cases_are_null(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, _ = warehouse
    got = query_df(wh, "select * from marts.fct_agreement where language = 'all'").set_index("project_id")
    missing = got.loc["ord_missing_sev"]
    assert not is_null(missing["krippendorff_alpha"])
    one = got.loc["ord_one_level"]
    assert one["n_categories"] == 2  # two labels, one severity
    for row in (missing, one):
        for col in ["ordinal", "ordinal_ci_low", "ordinal_ci_high", "interval", "interval_ci_low", "interval_ci_high"]:
            assert is_null(row[f"krippendorff_alpha_{col}"]), col
    pairs = query_df(wh, "select * from marts.fct_annotator_pair_agreement where project_id = 'ord_missing_sev'")
    assert len(pairs) > 0
    assert pairs["weighted_kappa_linear"].isna().all() and pairs["weighted_kappa_quadratic"].isna().all()


def test_published_krippendorff_2011(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, df = warehouse
    row = query_df(
        wh, "select * from marts.fct_agreement where project_id = 'pub_krippendorff_2011' and language = 'all'"
    ).iloc[0]
    published = pd.read_csv(FIXTURES / "agreement" / "published_values.csv")
    published = published[published["example"] == "krippendorff_2011_nominal"].set_index("statistic")
    for col in ["krippendorff_alpha", "krippendorff_alpha_ordinal", "krippendorff_alpha_interval"]:
        p = published.loc[col]
        assert abs(row[col] - p["value"]) <= p["tolerance"], (col, row[col], p["value"])
    g = df[df["project_id"] == "pub_krippendorff_2011"]
    assert_close(row["krippendorff_alpha_ordinal"], _alpha(g, "ordinal"), "ordinal 2011")


def test_weighted_kappa_equals_sklearn_on_severity_positions(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, df = warehouse
    got = query_df(wh, "select * from marts.fct_annotator_pair_agreement").set_index(
        ["project_id", "annotator_a", "annotator_b"]
    )
    n = single_zero = single_null = 0
    for project, g in _groups(df):
        latest = g.sort_values(["submitted_at", "annotation_id"]).groupby(["item_id", "annotator_id"]).tail(1)
        levels = sorted(latest["severity"].unique())
        matrix = latest.pivot(index="item_id", columns="annotator_id", values="severity")
        for a, b in combinations(sorted(matrix.columns), 2):
            shared = matrix[[a, b]].dropna()
            if len(shared) == 0:
                assert (project, a, b) not in got.index
                continue
            for weights in ("linear", "quadratic"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # sklearn warns where it returns nan (one level only)
                    expected = float(cohen_kappa_score(shared[a], shared[b], labels=levels, weights=weights))
                assert_close(
                    got.loc[(project, a, b), f"weighted_kappa_{weights}"], expected, f"{weights} {project} {a}-{b}"
                )
                if len(shared) == 1:  # no pair is skipped: a single shared item is compared too
                    single_zero += expected == 0.0
                    single_null += is_null(expected)
            n += 1
    assert n > 50
    assert single_zero >= 2 * 3 and single_null >= 2 * 2  # ord_one_shared: 3 pairs disagree, 2 agree, on 1 item
    # positions, not values: the gaps in the severities would change the linear kappa
    assert got["weighted_kappa_linear"].notna().sum() > 40


def test_raters_needed_is_the_spearman_brown_prophecy(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, df = warehouse
    got = query_df(wh, "select * from marts.fct_agreement where language = 'all'").set_index("project_id")
    t = 0.8  # dbt_project.yml target_reliability
    positives = 0
    for project, row in got.iterrows():
        g = df[df["project_id"] == project]
        m = g.groupby("item_id").size()
        assert_close(row["raters_per_item"], float(m[m >= 2].mean()), f"raters_per_item {project}")
        alpha = row["krippendorff_alpha"]
        if is_null(alpha) or alpha <= 0:
            assert is_null(row["raters_needed_for_target"]), project
            continue
        k = row["raters_needed_for_target"]
        # the consensus of k ratings reaches exactly the target by Spearman-Brown
        assert_close(k * alpha / (1 + (k - 1) * alpha), t, f"prophecy {project}")
        positives += 1
    assert positives >= 4 and (got["krippendorff_alpha"] <= 0).any()
