"""Cross-check every agreement statistic of the quality marts against reference packages.

One raw directory holds many generated cases (2 to 20 raters per item, missing judgements,
2 to 12 categories, 1% prevalence, agreement near 0 and near 1, repeats by the same
annotator, undefined cases) and the published worked examples, each as its own project;
one `dbt build` per module, then every figure is compared to krippendorff, statsmodels,
irrCAC and scikit-learn to 1e-9.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES, TOL, assert_close, is_null, jackknife_se, nominal_alpha_from_counts, query_df
from irrCAC.raw import CAC
from sklearn.metrics import cohen_kappa_score, f1_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from labelhouse.dbt import run_dbt

Z95 = 1.959963984540054
CATEGORIES = [f"c{i}" for i in range(12)]
START = pd.Timestamp("2026-09-07")  # a Monday


@dataclass
class Case:
    """One generated project: how its judgements are drawn."""

    project_id: str
    n_items: int
    n_categories: int
    raters: tuple[int, int]  # min, max judgements per item
    pool: int  # annotators available
    accuracy: float  # probability a judgement is the item's true label
    prevalence: list[float] | None = None
    languages: list[str] = field(default_factory=lambda: ["en"])
    repeat_rate: float = 0.0  # share of judgements preceded by an earlier one by the same annotator
    weeks: int = 3


CASES = [
    Case("eq3_c2", 150, 2, (3, 3), 6, 0.8),
    Case("eq5_c7", 120, 7, (5, 5), 9, 0.7, languages=["en", "th"]),
    Case("var2_20_c12", 60, 12, (2, 20), 24, 0.6),
    Case("skew_1pct", 500, 2, (3, 3), 8, 0.97, prevalence=[0.99, 0.01]),
    Case("skew_1pct_var", 400, 3, (2, 5), 10, 0.95, prevalence=[0.985, 0.01, 0.005]),
    Case("near_zero", 100, 3, (4, 4), 7, 0.0),
    Case("near_one", 120, 4, (3, 3), 5, 0.995),
    Case("missing_langs", 220, 5, (1, 6), 8, 0.7, languages=["en", "th", "pt"]),
    Case("repeats", 90, 3, (3, 4), 6, 0.75, repeat_rate=0.25),
    Case("perfect", 40, 2, (3, 3), 4, 1.0),
    Case("one_category", 12, 1, (2, 4), 5, 1.0),
    Case("singles_only", 10, 3, (1, 1), 3, 0.5),
    Case("two_raters_many", 300, 6, (2, 2), 2, 0.65),
]


def _random_cases(seed: int, n: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        n_cat = int(rng.integers(2, 13))
        lo = int(rng.integers(1, 6))
        hi = int(rng.integers(max(lo, 2), 21))
        prevalence = rng.dirichlet(np.full(n_cat, float(rng.choice([0.3, 1.0, 5.0])))).tolist()
        cases.append(
            Case(
                f"random_{k}",
                int(rng.integers(15, 160)),
                n_cat,
                (lo, hi),
                int(rng.integers(hi, hi + 8)),
                float(rng.uniform(0.0, 1.0)),
                prevalence=prevalence,
                languages=["en", "de"][: int(rng.integers(1, 3))],
                repeat_rate=float(rng.choice([0.0, 0.1])),
            )
        )
    return cases


ALL_CASES = CASES + _random_cases(20261125, 10)


def _generate_case(case: Case, rng: np.random.Generator) -> list[dict[str, Any]]:
    cats = CATEGORIES[: case.n_categories]
    prevalence = np.asarray(case.prevalence or np.full(case.n_categories, 1.0 / case.n_categories))
    prevalence = prevalence / prevalence.sum()
    rows: list[dict[str, Any]] = []
    annotators = [f"{case.project_id}_r{k:02d}" for k in range(case.pool)]
    for i in range(case.n_items):
        item_id = f"{case.project_id}_i{i:04d}"
        language = case.languages[int(rng.integers(len(case.languages)))]
        truth = int(rng.choice(case.n_categories, p=prevalence))
        m = int(rng.integers(case.raters[0], case.raters[1] + 1))
        raters = rng.choice(case.pool, size=m, replace=False)
        day0 = START + pd.Timedelta(days=int(rng.integers(0, 7 * case.weeks)), hours=int(rng.integers(0, 24)))
        for j, r in enumerate(raters):
            label = truth if rng.random() < case.accuracy else int(rng.choice(case.n_categories, p=prevalence))
            ts = day0 + pd.Timedelta(hours=3 * j, minutes=int(rng.integers(0, 60)))
            if rng.random() < case.repeat_rate:
                # an earlier judgement of the same item by the same annotator: must not count
                rows.append(
                    {
                        "item_id": item_id,
                        "annotator_id": annotators[r],
                        "label": cats[int(rng.integers(0, len(cats)))],
                        "submitted_at": ts - pd.Timedelta(minutes=90),
                        "language": language,
                    }
                )
            rows.append(
                {
                    "item_id": item_id,
                    "annotator_id": annotators[r],
                    "label": cats[label],
                    "submitted_at": ts,
                    "language": language,
                }
            )
    for row in rows:
        row["project_id"] = case.project_id
    return rows


def _published_rows() -> list[dict[str, Any]]:
    """The published worked examples as projects pub_* (categories mapped onto c1..c5)."""
    base = FIXTURES / "agreement"
    rows: list[dict[str, Any]] = []
    ts = START + pd.Timedelta(hours=10)
    kripp = pd.read_csv(base / "krippendorff_2011_nominal.csv")
    for r in kripp.itertuples():
        rows.append(
            {
                "project_id": "pub_krippendorff_2011",
                "item_id": f"k{r.unit}",
                "annotator_id": r.observer,
                "label": f"c{r.value}",
                "submitted_at": ts,
                "language": "en",
            }
        )
    fleiss = pd.read_csv(base / "fleiss_1971_diagnoses.csv")
    codes = {d: f"c{k}" for k, d in enumerate(sorted(fleiss.diagnosis.unique()), 1)}
    for r in fleiss.itertuples():
        rows.append(
            {
                "project_id": "pub_fleiss_1971",
                "item_id": f"f{r.subject}",
                "annotator_id": f"p{r.rater}",
                "label": codes[r.diagnosis],
                "submitted_at": ts,
                "language": "en",
            }
        )
    wiki = pd.read_csv(base / "wikipedia_fleiss_counts.csv")
    for subject, group in wiki.groupby("subject"):
        k = 0
        for r in group.itertuples():
            for _ in range(r.n_raters):
                rows.append(
                    {
                        "project_id": "pub_wikipedia_fleiss",
                        "item_id": f"w{subject}",
                        "annotator_id": f"w{k}",
                        "label": f"c{r.category}",
                        "submitted_at": ts,
                        "language": "en",
                    }
                )
                k += 1
    return rows


def _write_raw(raw: Path) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows: list[dict[str, Any]] = []
    for case in ALL_CASES:
        rows += _generate_case(case, rng)
    rows += _published_rows()
    df = pd.DataFrame(rows)
    df["annotation_id"] = [f"a{k:06d}" for k in range(len(df))]
    df["submitted_at"] = pd.to_datetime(df["submitted_at"])
    raw.mkdir(parents=True, exist_ok=True)
    out = df.copy()
    out["submitted_at"] = out["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out[["annotation_id", "item_id", "project_id", "annotator_id", "label", "submitted_at", "language"]].to_csv(
        raw / "annotations.csv", index=False
    )
    # severities 0..11: every project also gets ordinal and interval alpha (c1..c5 = the 2011 values)
    pd.DataFrame({"label": CATEGORIES, "severity": range(len(CATEGORIES))}).to_csv(raw / "labels.csv", index=False)
    return df


def build_quality_marts(raw: Path, warehouse: Path, **dbt_vars: Any) -> Path:
    """dbt build of the quality marts and everything upstream; tests run only when all their
    parents are built (cautious), so unrelated singular tests are not dragged in."""
    args = ["build", "--select", "+marts.quality", "--indirect-selection", "cautious"]
    result = run_dbt(args, warehouse=warehouse, raw_dir=raw, extra_vars=dbt_vars)
    if not result.success:
        failed = "\n".join(f"  {n['name']}: {n['status']} {n['message']}" for n in result.failures())
        raise AssertionError(f"dbt build failed: {result.error or ''}\n{failed}")
    return warehouse


def _latest(df: pd.DataFrame) -> pd.DataFrame:
    """The annotator's latest judgement of each item (ties: the larger annotation_id), as int_annotations."""
    ordered = df.sort_values(["submitted_at", "annotation_id"])
    return ordered.groupby(["item_id", "annotator_id"], as_index=False).tail(1)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, pd.DataFrame]]:
    tmp = tmp_path_factory.mktemp("agreement")
    df = _write_raw(tmp / "raw")
    wh = build_quality_marts(tmp / "raw", tmp / "warehouse.duckdb")
    yield wh, _latest(df)


# ---------------------------------------------------------------------------------------------
# reference computations


def _matrix(judgements: pd.DataFrame) -> pd.DataFrame:
    """items x annotators, labels as strings, NaN where missing."""
    return judgements.pivot(index="item_id", columns="annotator_id", values="label")


def _counts(judgements: pd.DataFrame) -> pd.DataFrame:
    return pd.crosstab(judgements["item_id"], judgements["label"])


def ref_alpha(judgements: pd.DataFrame) -> float:
    m = _matrix(judgements)
    cats = sorted(judgements["label"].unique())
    codes = m.apply(lambda col: col.map({c: float(k) for k, c in enumerate(cats)})).to_numpy(dtype=float)
    pairable = (~np.isnan(codes)).sum(axis=1) >= 2
    if pairable.sum() == 0 or len(np.unique(codes[pairable][~np.isnan(codes[pairable])])) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=codes.T, level_of_measurement="nominal"))


def ref_gwet(judgements: pd.DataFrame) -> tuple[float, float]:
    """(percent agreement, AC1) from irrCAC; AC1 NaN with one category."""
    ratings = _matrix(judgements).reset_index(drop=True).astype(object)
    if (ratings.notna().sum(axis=1) >= 2).sum() == 0:
        return float("nan"), float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cac = CAC(ratings, digits=15)
        est = cac.gwet()["est"]
    ac1 = float(est["coefficient_value"]) if cac.q >= 2 else float("nan")
    return float(est["pa"]), ac1


def ref_fleiss(judgements: pd.DataFrame) -> float | None:
    """statsmodels' Fleiss kappa over items with >= 2 judgements, or None when m_u is unequal
    (statsmodels assumes one number of raters per item; see brute_fleiss for that case)."""
    counts = _counts(judgements)
    m = counts.sum(axis=1)
    counts = counts[m >= 2]
    if len(counts) == 0:
        return float("nan")
    if counts.sum(axis=1).nunique() != 1:
        return None
    if (counts.sum(axis=0) > 0).sum() < 2:
        return float("nan")
    return float(sm_fleiss_kappa(counts.to_numpy(), method="fleiss"))


def brute_fleiss(judgements: pd.DataFrame) -> float:
    """The documented unequal-m generalisation, by enumerating every ordered pair of judgements."""
    per_item = []
    totals: dict[str, int] = {}
    for _, g in judgements.groupby("item_id"):
        labels = list(g["label"])
        if len(labels) < 2:
            continue
        pairs = [(a, b) for i, a in enumerate(labels) for j, b in enumerate(labels) if i != j]
        per_item.append(sum(a == b for a, b in pairs) / len(pairs))
        for lab in labels:
            totals[lab] = totals.get(lab, 0) + 1
    if not per_item or len(totals) < 2:
        return float("nan")
    n = sum(totals.values())
    pe = sum((v / n) ** 2 for v in totals.values())
    return (float(np.mean(per_item)) - pe) / (1 - pe)


def jackknife_ci(judgements: pd.DataFrame, stat: Any) -> tuple[float, float]:
    """Delete-one-item jackknife normal interval, by recomputing `stat` without each item."""
    m = judgements.groupby("item_id").size()
    pairable = list(m[m >= 2].index)
    full = stat(judgements)
    if is_null(full) or len(pairable) < 2:
        return float("nan"), float("nan")
    loo = np.array([stat(judgements[judgements["item_id"] != u]) for u in pairable], dtype=float)
    if np.isnan(loo).any():
        return float("nan"), float("nan")
    se = jackknife_se(loo)
    return full - Z95 * se, min(1.0, full + Z95 * se)


# ---------------------------------------------------------------------------------------------
# tests


def _agreement(wh: Path) -> pd.DataFrame:
    return query_df(wh, "select * from marts.fct_agreement").set_index(["project_id", "language"])


def _groups(latest: pd.DataFrame) -> Iterator[tuple[tuple[str, str], pd.DataFrame]]:
    for (project, language), g in latest.groupby(["project_id", "language"]):
        yield (project, language), g
    for project, g in latest.groupby("project_id"):
        yield (project, "all"), g


def test_one_row_per_project_and_language(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, latest = warehouse
    got = _agreement(wh)
    expected = {key for key, _ in _groups(latest)}
    assert set(got.index) == expected
    assert got.index.is_unique


def test_counts_match(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, latest = warehouse
    got = _agreement(wh)
    for key, g in _groups(latest):
        row = got.loc[key]
        m = g.groupby("item_id").size()
        assert row["n_items"] == (m >= 2).sum(), key
        assert row["n_annotations"] == len(g), key
        assert row["n_annotators"] == g["annotator_id"].nunique(), key
        assert row["n_categories"] == g["label"].nunique(), key


def test_krippendorff_alpha_matches_krippendorff_package(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, latest = warehouse
    got = _agreement(wh)
    checked = 0
    for key, g in _groups(latest):
        assert_close(got.loc[key, "krippendorff_alpha"], ref_alpha(g), f"alpha {key}")
        checked += 1
    assert checked > 40


def test_gwet_ac1_and_percent_agreement_match_irrcac(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, latest = warehouse
    got = _agreement(wh)
    for key, g in _groups(latest):
        pa, ac1 = ref_gwet(g)
        assert_close(got.loc[key, "percent_agreement"], pa, f"percent agreement {key}")
        assert_close(got.loc[key, "gwet_ac1"], ac1, f"AC1 {key}")


def test_fleiss_kappa_matches_statsmodels(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, latest = warehouse
    got = _agreement(wh)
    n_statsmodels = n_brute = 0
    for key, g in _groups(latest):
        ref = ref_fleiss(g)
        if ref is None:
            assert_close(got.loc[key, "fleiss_kappa"], brute_fleiss(g), f"kappa (unequal m) {key}")
            n_brute += 1
        else:
            assert_close(got.loc[key, "fleiss_kappa"], ref, f"kappa {key}")
            # with equal m and no single-judged items irrCAC's generalised Fleiss agrees too
            n_statsmodels += 1
    assert n_statsmodels >= 10 and n_brute >= 10


def test_fleiss_kappa_equals_irrcac_when_every_item_has_equal_judgements(
    warehouse: tuple[Path, pd.DataFrame],
) -> None:
    wh, latest = warehouse
    got = _agreement(wh)
    for project in ["eq3_c2", "eq5_c7", "near_zero", "two_raters_many", "pub_fleiss_1971"]:
        g = latest[latest["project_id"] == project]
        est = CAC(_matrix(g).reset_index(drop=True).astype(object), digits=15).fleiss()["est"]
        assert_close(got.loc[(project, "all"), "fleiss_kappa"], est["coefficient_value"], project)


def test_undefined_cases_are_null(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, _ = warehouse
    got = _agreement(wh)
    one = got.loc[("one_category", "all")]
    assert one["n_categories"] == 1 and one["percent_agreement"] == 1.0
    for col in ["fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "fleiss_kappa_ci_low", "krippendorff_alpha_ci_high"]:
        assert is_null(one[col]), col
    singles = got.loc[("singles_only", "all")]
    assert singles["n_items"] == 0
    for col in ["percent_agreement", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1"]:
        assert is_null(singles[col]), col
    perfect = got.loc[("perfect", "all")]
    assert perfect["krippendorff_alpha"] == pytest.approx(1.0, abs=TOL)
    assert perfect["fleiss_kappa"] == pytest.approx(1.0, abs=TOL)
    assert perfect["krippendorff_alpha_ci_low"] == pytest.approx(1.0, abs=TOL)


def test_published_worked_examples(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, _ = warehouse
    got = _agreement(wh)
    published = pd.read_csv(FIXTURES / "agreement" / "published_values.csv")
    project = {
        "krippendorff_2011_nominal": "pub_krippendorff_2011",
        "fleiss_1971_diagnoses": "pub_fleiss_1971",
        "wikipedia_fleiss_counts": "pub_wikipedia_fleiss",
    }
    for r in published.itertuples():
        value = got.loc[(project[r.example], "all"), r.statistic]
        assert abs(value - r.value) <= r.tolerance, f"{r.example} {r.statistic}: {value} vs published {r.value}"


def test_jackknife_intervals_match_brute_force(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, latest = warehouse
    got = _agreement(wh)
    projects = [
        "eq3_c2",
        "var2_20_c12",
        "near_one",
        "missing_langs",
        "repeats",
        "pub_krippendorff_2011",
        "perfect",
        "random_0",
        "random_3",
    ]
    for project in projects:
        g = latest[latest["project_id"] == project]
        low, high = jackknife_ci(g, ref_alpha)
        assert_close(got.loc[(project, "all"), "krippendorff_alpha_ci_low"], low, f"alpha ci low {project}")
        assert_close(got.loc[(project, "all"), "krippendorff_alpha_ci_high"], high, f"alpha ci high {project}")
        low, high = jackknife_ci(g, brute_fleiss)
        assert_close(got.loc[(project, "all"), "fleiss_kappa_ci_low"], low, f"kappa ci low {project}")
        assert_close(got.loc[(project, "all"), "fleiss_kappa_ci_high"], high, f"kappa ci high {project}")


def _simulate_counts(rng: np.random.Generator, n_items: int, accuracy: float) -> np.ndarray:
    prevalence = np.array([0.6, 0.3, 0.1])
    truth = rng.choice(3, size=n_items, p=prevalence)
    m = rng.integers(2, 6, size=n_items)
    counts = np.zeros((n_items, 3))
    for u in range(n_items):
        right = rng.random(m[u]) < accuracy
        labels = np.where(right, truth[u], rng.choice(3, size=m[u], p=prevalence))
        counts[u] = np.bincount(labels, minlength=3)
    return counts


def test_jackknife_interval_covers_the_population_alpha() -> None:
    """Method check: ~95% of intervals from 200 simulated studies contain the population alpha
    (estimated from one very large sample of the same process)."""
    rng = np.random.default_rng(11)
    truth = nominal_alpha_from_counts(_simulate_counts(rng, 200_000, 0.7))
    covered = 0
    n_sim = 200
    for _ in range(n_sim):
        counts = _simulate_counts(rng, 150, 0.7)
        full = nominal_alpha_from_counts(counts)
        loo = np.array([nominal_alpha_from_counts(np.delete(counts, u, axis=0)) for u in range(len(counts))])
        se = jackknife_se(loo)
        covered += full - Z95 * se <= truth <= full + Z95 * se
    assert 0.88 <= covered / n_sim <= 0.99, covered / n_sim


def test_weekly_agreement_matches_reference(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, latest = warehouse
    got = query_df(wh, "select * from marts.fct_agreement_weekly where language = 'all'")
    got["week"] = pd.to_datetime(got["week"])
    got = got.set_index(["project_id", "week"])
    first = latest.groupby("item_id")["submitted_at"].transform("min")
    weeks = (first - pd.to_timedelta(first.dt.weekday, unit="D")).dt.normalize()
    latest = latest.assign(week=weeks)
    n = 0
    for (project, week), g in latest.groupby(["project_id", "week"]):
        if not project.startswith(("eq", "missing", "random", "skew")):
            continue
        row = got.loc[(project, week)]
        assert_close(row["krippendorff_alpha"], ref_alpha(g), f"weekly alpha {project} {week}")
        assert_close(row["gwet_ac1"], ref_gwet(g)[1], f"weekly AC1 {project} {week}")
        n += 1
    assert n > 20


def test_label_agreement_matches_references_on_the_binarised_task(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, latest = warehouse
    got = query_df(wh, "select * from marts.fct_label_agreement").set_index(["project_id", "label"])
    expected_keys = set(latest.groupby(["project_id", "label"]).size().index)
    assert set(got.index) == expected_keys
    n = 0
    for project in [
        "eq3_c2",
        "eq5_c7",
        "skew_1pct",
        "skew_1pct_var",
        "missing_langs",
        "var2_20_c12",
        "near_zero",
        "random_1",
        "random_2",
        "pub_fleiss_1971",
        "one_category",
    ]:
        g = latest[latest["project_id"] == project]
        for label in sorted(g["label"].unique()):
            key = (project, label)
            binary = g.assign(label=np.where(g["label"] == label, "pos", "neg"))
            row = got.loc[key]
            assert_close(row["krippendorff_alpha"], ref_alpha(binary), f"binary alpha {key}")
            pa, ac1 = ref_gwet(binary)
            assert_close(row["percent_agreement"], pa, f"binary pa {key}")
            assert_close(row["gwet_ac1"], ac1, f"binary AC1 {key}")
            ref = ref_fleiss(binary)
            assert_close(row["fleiss_kappa"], brute_fleiss(binary) if ref is None else ref, f"binary kappa {key}")
            first, second = [], []
            for _, items in binary.groupby("item_id"):
                labels = list(items["label"])
                if len(labels) >= 2:
                    for i, a in enumerate(labels):
                        for j, b in enumerate(labels):
                            if i != j:
                                first.append(a)
                                second.append(b)
            for col, pos in [("positive_specific_agreement", "pos"), ("negative_specific_agreement", "neg")]:
                # positive specific agreement = F1 of first vs second over the pooled ordered pairs
                expected = f1_score(first, second, pos_label=pos, average="binary") if pos in first else float("nan")
                assert_close(row[col], expected, f"{col} {key}")
            n += 1
    assert n > 30


def test_pairwise_cohen_kappa_matches_sklearn(warehouse: tuple[Path, pd.DataFrame]) -> None:
    wh, latest = warehouse
    got = query_df(wh, "select * from marts.fct_annotator_pair_agreement").set_index(
        ["project_id", "annotator_a", "annotator_b"]
    )
    expected_keys = set()
    n_defined = 0
    for project, g in latest.groupby("project_id"):
        m = _matrix(g)
        annotators = sorted(m.columns)
        for i, a in enumerate(annotators):
            for b in annotators[i + 1 :]:
                shared = m[[a, b]].dropna()
                if len(shared) == 0:
                    continue
                key = (project, a, b)
                expected_keys.add(key)
                row = got.loc[key]
                assert row["n_shared_items"] == len(shared)
                assert_close(row["percent_agreement"], float((shared[a] == shared[b]).mean()), f"pa {key}")
                if len(shared) < 2:
                    expected = float("nan")
                else:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        expected = cohen_kappa_score(shared[a], shared[b])
                assert_close(row["cohen_kappa"], expected, f"kappa {key}")
                n_defined += not is_null(expected)
    assert set(got.index) == expected_keys
    assert n_defined > 200
