"""fct_vendor_cost_quality against an independent pandas computation (rate lookup with
merge_asof, site rate over vendor-wide), the Wilson interval against statsmodels, and the raw
vendor_rates rows staging must reject, on one small generated warehouse (its rates change over
time, include a site rate, two currencies and a vendor with no rate for its first weeks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import labelhouse_build, query, query_df
from statsmodels.stats.proportion import proportion_confint

from labelhouse.gates import reject_reasons

# one bad row per reason (file row numbers 1..10), as many as the gates tolerate (10): row 8's
# currency is no three-letter code ('US$' would otherwise be a currency apart from USD); rows 9
# and 10 cast to a double but are no rate (inf, NaN)
BAD_RATES = """vendor,site,currency,valid_from,hourly_rate,per_judgement_rate
Cobalt Review,,USD,2026-09-01,abc,
Cobalt Review,,USD,2026-09-02,-1.0,
Cobalt Review,,USD,2026-09-03,9.0,0.05
Cobalt Review,,USD,2026-09-04,,
No Such Vendor,,USD,2026-09-05,9.0,
Cobalt Review,,USD,not-a-date,9.0,
Cobalt Review,,,2026-09-06,9.0,
Cobalt Review,,US$,2026-09-07,9.0,
Cobalt Review,,USD,2026-09-08,inf,
Cobalt Review,,usd,2026-09-09,,NaN
"""
EXPECTED_REASONS = {  # keys of var('reject_reasons'): the texts are read from their one home
    1: "unparsable_rate",
    2: "negative_rate",
    3: "neither_or_both_rates",
    4: "neither_or_both_rates",
    5: "unknown_vendor",
    6: "unparsable_valid_from",
    7: "null_or_blank_currency",
    8: "currency_not_a_three_letter_code",
    9: "non_finite_rate",
    10: "non_finite_rate",
}


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from labelhouse.demo import generate

    raw_dir = tmp_path_factory.mktemp("cost") / "raw"
    generate(raw_dir, n_annotations=5000, seed=5)
    (raw_dir / "vendor_rates_bad.csv").write_text(BAD_RATES, encoding="utf-8")
    return raw_dir


@pytest.fixture(scope="module")
def warehouse(raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return labelhouse_build(raw, tmp_path_factory.mktemp("cost_wh") / "w.duckdb")


@pytest.fixture(scope="module")
def mart(warehouse: Path) -> pd.DataFrame:
    return query_df(warehouse, "select * from marts.fct_vendor_cost_quality")


def _expected_cost(raw: Path, warehouse: Path) -> pd.DataFrame:
    """The cost per vendor, site, project, week and currency, priced day by day in pandas from the
    raw rates file (not the staging model) and the annotator-day volumes and hours."""
    daily = query_df(
        warehouse,
        "select annotator_id, project_id, activity_date, n_annotations, active_hours "
        "from marts.fct_annotator_daily where n_annotations > 0",
    )
    annotators = pd.read_csv(raw / "annotators.csv", usecols=["annotator_id", "vendor", "site"])
    rates = pd.read_csv(raw / "vendor_rates.csv")
    rates["valid_from"] = pd.to_datetime(rates["valid_from"]).astype("datetime64[ns]")
    days = (
        daily.merge(annotators, on="annotator_id")
        .groupby(["vendor", "site", "project_id", "activity_date"], as_index=False)
        .agg(n=("n_annotations", "sum"), hours=("active_hours", lambda s: s.sum(min_count=1)))
    )
    days["activity_date"] = pd.to_datetime(days["activity_date"]).astype("datetime64[ns]")
    days = days.sort_values("activity_date")
    priced = []
    for (vendor, site), group in days.groupby(["vendor", "site"]):
        own = rates[(rates.vendor == vendor) & (rates.site == site)].sort_values("valid_from")
        wide = rates[(rates.vendor == vendor) & rates.site.isna()].sort_values("valid_from")
        pick = group
        for candidates, suffix in ((own, "_own"), (wide, "_wide")):
            pick = pd.merge_asof(
                pick,
                candidates[["valid_from", "currency", "hourly_rate", "per_judgement_rate"]].add_suffix(suffix),
                left_on="activity_date",
                right_on="valid_from" + suffix,
            )
        use_own = pick["valid_from_own"].notna()
        for col in ("currency", "hourly_rate", "per_judgement_rate"):
            pick[col] = pick[col + "_own"].where(use_own, pick[col + "_wide"])
        priced.append(pick)
    frame = pd.concat(priced)
    frame["cost"] = np.where(
        frame["hourly_rate"].notna(), frame["hourly_rate"] * frame["hours"], frame["per_judgement_rate"] * frame["n"]
    )
    frame["week"] = frame["activity_date"] - pd.to_timedelta(frame["activity_date"].dt.weekday, unit="D")
    frame["currency"] = frame["currency"].fillna("none")
    return frame.groupby(["vendor", "site", "project_id", "week", "currency"], as_index=False).agg(
        n=("n", "sum"), cost=("cost", lambda s: s.sum() if s.notna().all() else np.nan)
    )


def test_bad_rates_are_rejected_with_their_reasons(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select source_row_number, reject_reason from staging.rejected_rows "
        "where entity = 'vendor_rates' and source_file = 'vendor_rates_bad.csv'",
    )
    assert dict(rows) == {row: reject_reasons()[key] for row, key in EXPECTED_REASONS.items()}
    n_raw, n_accounted = query(
        warehouse, "select n_raw, n_accounted from staging.raw_row_reconciliation where entity = 'vendor_rates'"
    )[0]
    assert n_raw == n_accounted == 7 + len(EXPECTED_REASONS)


def test_valid_rates_are_staged_unchanged(raw: Path, warehouse: Path) -> None:
    """Every row of the good rates file is staged as written (currency trimmed and upper-cased),
    none of the bad file is, and the currencies are three letters A-Z."""
    expected = pd.read_csv(raw / "vendor_rates.csv", dtype={"site": "string"}, keep_default_na=False)
    got = query_df(
        warehouse,
        "select vendor, coalesce(site, '') as site, currency, cast(valid_from as varchar) as valid_from, "
        "hourly_rate, per_judgement_rate from staging.stg_raw__vendor_rates",
    )
    assert len(got) == len(expected) == 7
    key = ["vendor", "site", "valid_from"]
    merged = expected.assign(currency=expected["currency"].str.strip().str.upper()).merge(
        got, on=key, how="outer", suffixes=("_raw", "_staged"), indicator=True
    )
    assert (merged["_merge"] == "both").all(), merged
    assert (merged["currency_raw"] == merged["currency_staged"]).all()
    for column in ("hourly_rate", "per_judgement_rate"):
        raw_values = pd.to_numeric(merged[column + "_raw"].replace("", np.nan))
        assert np.allclose(raw_values, merged[column + "_staged"].astype(float), equal_nan=True), column
    assert got["currency"].str.fullmatch(r"[A-Z]{3}").all()


def test_cost_matches_pandas(raw: Path, warehouse: Path, mart: pd.DataFrame) -> None:
    expected = _expected_cost(raw, warehouse)
    got = mart.assign(
        currency=mart["currency"].fillna("none"), week=pd.to_datetime(mart["week"]).astype("datetime64[ns]")
    ).rename(columns={"n_judgements": "n"})
    merged = expected.merge(got, on=["vendor", "site", "project_id", "week", "currency"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    assert (merged["n_x"] == merged["n_y"]).all()
    assert np.allclose(merged["cost_x"], merged["cost_y"], equal_nan=True, rtol=1e-9)
    # the planted facts: two currencies, a site rate, a raise and a vendor with no early rate
    assert set(mart["currency"].dropna()) == {"USD", "EUR"}
    assert set(mart.loc[mart["currency"] == "EUR", "vendor"]) == {"Meridian Trust Ops"}
    unpriced = mart[mart["currency"].isna()]
    assert set(unpriced["vendor"]) == {"Lotus Data Services"}
    assert (pd.to_datetime(unpriced["week"]) < pd.Timestamp("2026-09-15")).all()


def test_missing_rate_is_null_cost_never_zero(mart: pd.DataFrame) -> None:
    unpriced = mart[mart["currency"].isna()]
    assert len(unpriced) > 0
    assert unpriced["cost"].isna().all() and unpriced["cost_per_correct_judgement"].isna().all()
    assert (mart.loc[mart["currency"].notna() & (mart["n_judgements"] > 0), "cost"] > 0).all()


def test_wilson_interval_and_cost_per_correct(mart: pd.DataFrame) -> None:
    graded = mart[mart["n_gold_judgements"] > 0]
    assert len(graded) > 10
    low, high = proportion_confint(graded["n_gold_correct"], graded["n_gold_judgements"], method="wilson")
    assert np.allclose(graded["gold_accuracy_ci_low"], low, atol=1e-9)
    assert np.allclose(graded["gold_accuracy_ci_high"], high, atol=1e-9)
    priced = graded[graded["cost"].notna()]
    assert len(priced) > 0
    n = priced["n_judgements"]
    accuracy = priced["n_gold_correct"] / priced["n_gold_judgements"]
    # accuracy 0: no correct judgement, so no cost per correct one (NULL, not infinity)
    expected = np.where(accuracy > 0, priced["cost"] / (n * accuracy.where(accuracy > 0, 1)), np.nan)
    assert (accuracy == 0).any() and (accuracy > 0).any()
    assert np.allclose(priced["cost_per_correct_judgement"], expected, rtol=1e-9, equal_nan=True)
    lo, hi = proportion_confint(priced["n_gold_correct"], priced["n_gold_judgements"], method="wilson")
    assert np.allclose(priced["cost_per_correct_ci_low"], priced["cost"] / (n * hi), rtol=1e-9)
    upper = np.where(lo > 0, priced["cost"] / (n * np.where(lo > 0, lo, 1)), np.nan)
    assert np.allclose(priced["cost_per_correct_ci_high"], upper, rtol=1e-9, equal_nan=True)
    ordered = priced.dropna(subset=["cost_per_correct_ci_high"])
    assert (ordered["cost_per_correct_ci_low"] <= ordered["cost_per_correct_judgement"]).all()
    assert (ordered["cost_per_correct_judgement"] <= ordered["cost_per_correct_ci_high"]).all()


def test_latent_accuracy_is_the_vendor_sites_diagonal_share(warehouse: Path, mart: pd.DataFrame) -> None:
    cells = query_df(
        warehouse,
        "select c.project_id, a.vendor, a.site, c.true_label, c.observed_label, c.expected_count "
        "from marts.fct_annotator_latent_confusion as c join marts.dim_annotator as a using (annotator_id)",
    )
    cells["match"] = np.where(cells["true_label"] == cells["observed_label"], cells["expected_count"], 0.0)
    expected = cells.groupby(["vendor", "site", "project_id"], as_index=False)[["match", "expected_count"]].sum()
    expected["latent"] = expected["match"] / expected["expected_count"]
    got = mart.merge(expected, on=["vendor", "site", "project_id"], how="left")
    assert got["latent"].notna().sum() > 0
    assert np.allclose(got["latent_accuracy"], got["latent"], rtol=1e-9, equal_nan=True)
