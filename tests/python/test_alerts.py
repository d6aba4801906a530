"""fct_alerts and `labelhouse alerts` (issue 16, section 1).

One planted warehouse (drifting annotator, agreement drop, late project, and the generator's
default worse newer model version, safety-lite v2) and its stable twin (same seed and size, no
scenario: worse_model_version off too, so safety-lite v2 equals v1) are built once for the module
(only fct_alerts and its ancestors). Each alert kind must fire on its planted slice and not on
the twin's. The statistics are recomputed
with statsmodels / scipy, and the false-alarm rate is measured by running the alert macros'
compiled SQL over many simulated null data sets in one in-memory DuckDB.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import _build, query_df
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

import labelhouse.demo as gen
from labelhouse.alerts import count_line, format_alerts, reaches, read_alerts
from labelhouse.dbt import run_dbt

SEED = 7
N_ANNOTATIONS = 20_000
ALPHA = 0.05  # alert_fdr_level and eval_significance_level in dbt_project.yml


def _generate(out: Path, scenarios: Any = None) -> Path:
    gen.generate(out, n_annotations=N_ANNOTATIONS, seed=SEED, **({"scenarios": scenarios} if scenarios else {}))
    return out


@pytest.fixture(scope="module")
def planted_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenarios = gen.Scenarios(drifting_annotator=True, agreement_drop=True, late_project=True)
    return _generate(tmp_path_factory.mktemp("planted_raw"), scenarios)


@pytest.fixture(scope="module")
def stable_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("stable_raw"), gen.Scenarios(worse_model_version=False))


@pytest.fixture(scope="module")
def planted(planted_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(planted_raw, tmp_path_factory.mktemp("planted") / "w.duckdb", "+fct_alerts")


@pytest.fixture(scope="module")
def stable(stable_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(stable_raw, tmp_path_factory.mktemp("stable") / "w.duckdb", "+fct_alerts")


@pytest.fixture(scope="module")
def truth(planted_raw: Path) -> dict[str, Any]:
    return json.loads((planted_raw / gen.MANIFEST_NAME).read_text(encoding="utf-8"))["truth"]


@pytest.fixture(scope="module")
def bad_export_raw(stable_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stable data plus a newest annotations file (by name) half of whose rows have an
    unparsable submitted_at, and moderation decisions moved 40 days back (a lagging export)."""
    out = tmp_path_factory.mktemp("bad_export_raw") / "raw"
    shutil.copytree(stable_raw, out)
    newest = sorted(out.glob("annotations_*.csv"))[-1]
    # 1,000 rows (or the file's): with half rejected the pooled share is large enough for the
    # normal approximation (two_proportion_z_is_valid), so the file is tested
    rows = pd.read_csv(newest, dtype=str, keep_default_na=False).head(1000).copy()
    rows["annotation_id"] = [f"ann_late_{i:06d}" for i in range(len(rows))]
    rows.loc[rows.index[::2], "submitted_at"] = "not a time"
    rows.to_csv(out / "annotations_reexport_2026-12-31.csv", index=False)
    decisions_file = out / "moderation_decisions.jsonl"
    decisions = pd.read_json(decisions_file, lines=True, dtype=False)
    for column in ("decided_at", "appealed_at"):
        parsed = pd.to_datetime(decisions[column], errors="coerce", format="mixed", utc=True)
        shifted = (parsed - pd.Timedelta(days=40)).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        decisions[column] = shifted.where(parsed.notna(), decisions[column])
    decisions.to_json(decisions_file, orient="records", lines=True, force_ascii=False)
    return out


@pytest.fixture(scope="module")
def bad_export(bad_export_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(bad_export_raw, tmp_path_factory.mktemp("bad_export") / "w.duckdb", "+fct_alerts")


def _alerts(warehouse: Path) -> pd.DataFrame:
    return query_df(warehouse, "select * from marts.fct_alerts")


# --- each kind fires on its planted scenario, not on the stable twin -------------------------


def test_agreement_drop_fires_on_the_planted_project_only(planted: Path, stable: Path, truth: dict) -> None:
    project = truth["scenarios"]["agreement_drop"]["project_id"]
    for warehouse, expected in ((planted, True), (stable, False)):
        got = _alerts(warehouse)
        hit = got[(got.kind == "agreement_drop") & (got.project_id == project) & (got.slice == "all languages")]
        assert (len(hit) == 1) is expected, (warehouse, got[got.kind == "agreement_drop"])
    row = _alerts(planted).query("kind == 'agreement_drop' and slice == 'all languages'")
    assert (row.observed < row.baseline).all() and (row.q_value < ALPHA).all()


def test_annotator_drift_fires_on_the_drifting_annotator_only(planted: Path, stable: Path, truth: dict) -> None:
    slice_ = "annotator=" + truth["scenarios"]["drifting_annotator"]["annotator_id"]
    planted_alerts, stable_alerts = _alerts(planted), _alerts(stable)
    assert slice_ in set(planted_alerts.query("kind == 'annotator_drift'").slice)
    assert slice_ not in set(stable_alerts.query("kind == 'annotator_drift'").slice)


def test_late_project_fires_only_when_planted(planted: Path, stable: Path, truth: dict) -> None:
    project = truth["scenarios"]["late_project"]["project_id"]
    late = _alerts(planted).query("kind == 'delivery_late'")
    assert project in set(late.project_id)
    row = late.set_index("project_id").loc[project]
    assert row.first_seen_day <= row.as_of_day and row.observed > 0
    assert project not in set(_alerts(stable).query("kind == 'delivery_late'").project_id)


def test_model_regression_fires_on_the_worse_newer_version_only(planted: Path, truth: dict) -> None:
    got = _alerts(planted).query("kind == 'model_regression'")
    worse = [m for m, t in truth["models"].items() if t["worse_version"] == t["versions"][-1]]
    better = [m for m, t in truth["models"].items() if t["better_version"] == t["versions"][-1]]
    assert worse and better
    assert any(s.startswith(worse[0] + " ") for s in got.slice), got
    assert not any(s.startswith(better[0] + " ") for s in got.slice), got
    assert (got.p_value < ALPHA).all() and (got.observed < got.baseline).all()


def test_model_regression_does_not_fire_without_the_worse_version(stable: Path, stable_raw: Path) -> None:
    """The negative control: generated with worse_model_version off, safety-lite v2 has v1's
    parameters. Its comparison with v1 is made (every label) and tested, and raises nothing."""
    truth = json.loads((stable_raw / gen.MANIFEST_NAME).read_text(encoding="utf-8"))["truth"]["models"]
    assert truth[gen.LITE_MODEL_NAME]["worse_version"] is None
    compared = query_df(
        stable,
        f"""
        select label, b, c, p_value from marts.fct_model_version_comparison
        where model_name = '{gen.LITE_MODEL_NAME}' and version_a = 'v1' and version_b = 'v2' and truth_source = 'all'
    """,
    )
    assert len(compared) == len(gen.LABELS) and compared.p_value.notna().all(), compared
    assert _alerts(stable).query("kind == 'model_regression'").empty


def test_rejected_share_fires_on_the_bad_newest_file_only(bad_export: Path, stable: Path) -> None:
    got = _alerts(bad_export).query("kind == 'data_rejected_share'")
    assert list(got.slice) == ["entity=annotations, file=annotations_reexport_2026-12-31.csv"], got
    row = got.iloc[0]
    assert row.observed >= 0.5 and row.observed - row.baseline >= 0.02
    assert row.q_value < ALPHA and row.report_page == "data_health"
    assert _alerts(stable).query("kind == 'data_rejected_share'").empty


def test_rejected_share_z_matches_statsmodels(bad_export: Path) -> None:
    files = query_df(bad_export, "select entity, source_file, n_rows from staging.raw_file_inventory")
    rejected = query_df(bad_export, "select entity, source_file from staging.rejected_rows")
    files = files.merge(
        rejected.value_counts().rename("n_rejected").reset_index(), on=["entity", "source_file"], how="left"
    ).fillna({"n_rejected": 0})
    annotations = files[(files.entity == "annotations") & (files.n_rows > 0)].sort_values("source_file")
    newest, history = annotations.iloc[-1], annotations.iloc[:-1]
    _, p = proportions_ztest(
        [newest.n_rejected, history.n_rejected.sum()], [newest.n_rows, history.n_rows.sum()], alternative="larger"
    )
    row = _alerts(bad_export).query("kind == 'data_rejected_share'").iloc[0]
    assert row.p_value == pytest.approx(p, rel=1e-9, abs=1e-300)
    assert row.baseline == pytest.approx(history.n_rejected.sum() / history.n_rows.sum())


def test_stale_export_fires_when_one_entity_lags(bad_export: Path, stable: Path) -> None:
    newest = query_df(
        bad_export,
        """
        select (select max(submitted_at) from staging.stg_raw__annotations) as annotations,
               (select max(decided_at) from staging.stg_raw__moderation_decisions) as decisions
    """,
    ).iloc[0]
    lag = (newest.annotations - newest.decisions).total_seconds() / 86400
    assert lag > 14  # freshness_max_age_days
    got = _alerts(bad_export).query("kind == 'data_stale_export'").set_index("slice")
    assert "entity=moderation_decisions" in got.index, got
    row = got.loc["entity=moderation_decisions"]
    assert row.observed == pytest.approx(lag) and row.baseline == 14
    # first seen on the day the export became stale: its newest day + freshness_max_age_days
    became_stale = pd.Timestamp(newest.decisions).normalize() + pd.Timedelta(days=14)
    assert pd.Timestamp(row.first_seen_day) == became_stale < pd.Timestamp(row.as_of_day)
    assert row.severity == ("critical" if lag > 28 else "warning")
    assert "entity=annotations" not in got.index
    assert _alerts(stable).query("kind == 'data_stale_export'").empty


def test_alerts_are_deterministic(planted: Path, planted_raw: Path) -> None:
    """Rebuilding fct_alerts on the same data gives the same alerts and keys (no wall clock)."""
    before = _alerts(planted).sort_values("alert_key").reset_index(drop=True)
    assert before.alert_key.is_unique
    assert (before.as_of_day == before.as_of_day.max()).all()
    _build(planted_raw, planted, "fct_alerts")
    after = _alerts(planted).sort_values("alert_key").reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)


# --- the statistics against statsmodels / scipy ----------------------------------------------


def test_drift_p_value_matches_statsmodels(planted: Path) -> None:
    """Gold accuracy: proportions_ztest. Consensus agreement: the Cochran-Mantel-Haenszel z over
    the strata of the item's judgement count (z^2 = StratifiedTable.test_null_odds statistic)."""
    cells = query_df(
        planted,
        """
        with as_of as (
            select cast(date_trunc('week', max(activity_date) + interval 1 day) - interval 7 day as date) as w
            from marts.fct_project_daily
        )
        select annotator_id, n_item_judgements, submitted_week >= (select w from as_of) as recent,
               sum(case when label = gold_label then n_judgements else 0 end) as gold_accuracy_x,
               sum(case when gold_label is not null then n_judgements else 0 end) as gold_accuracy_n,
               sum(case when consensus_outcome = 'agree' then n_judgements else 0 end) as consensus_agreement_x,
               sum(case when consensus_outcome in ('agree', 'disagree') then n_judgements else 0 end)
                   as consensus_agreement_n
        from intermediate.int_annotator_judgement_cells group by all
    """,
    )
    got = _alerts(planted).query("kind == 'annotator_drift'")
    assert "consensus_agreement" in set(got.metric) and set(got.metric) <= {"gold_accuracy", "consensus_agreement"}
    for _, row in got.iterrows():
        a = cells[cells.annotator_id == row.slice.removeprefix("annotator=")]
        x, n = a.groupby("recent")[f"{row.metric}_x"].sum(), a.groupby("recent")[f"{row.metric}_n"].sum()
        assert row.observed == pytest.approx(x[True] / n[True])
        if row.metric == "gold_accuracy":
            _, p = proportions_ztest([x[True], x[False]], [n[True], n[False]], alternative="smaller")
        else:
            assert row.test.startswith("Cochran-Mantel-Haenszel")
            tables = []
            for _, s in a.groupby("n_item_judgements"):
                r = s.set_index("recent")
                x1, n1 = (r.consensus_agreement_x.get(True, 0), r.consensus_agreement_n.get(True, 0))
                x2, n2 = (r.consensus_agreement_x.get(False, 0), r.consensus_agreement_n.get(False, 0))
                if n1 > 0 and n2 > 0:  # a stratum with one group empty carries no information
                    tables.append(np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float))
            chi2 = StratifiedTable(tables).test_null_odds(correction=False).statistic
            deviation = sum(t[0, 0] - t[0].sum() * t[:, 0].sum() / t.sum() for t in tables)
            p = stats.norm.cdf(np.sign(deviation) * np.sqrt(chi2))
        assert row.p_value == pytest.approx(p, rel=1e-9, abs=1e-15)


def test_cmh_macros_match_statsmodels(compiled: dict[str, str]) -> None:
    """The CMH z of the macros on 300 simulated annotators with 1-6 strata each (empty groups,
    one-row strata and all-agree strata included) against StratifiedTable, and like with like:
    a recent period whose only difference is more judgements in the low-agreement stratum is not
    a drop, where the pooled two-proportion test calls it one."""
    rng = np.random.default_rng(5)
    rows = []
    for annotator in range(300):
        for stratum in range(int(rng.integers(1, 7))):
            rate = rng.uniform(0.5, 1.0)
            n1, n2 = int(rng.integers(0, 40)), int(rng.integers(0, 200))
            if stratum == 0 and annotator % 7 == 0:
                n1, n2 = 1, 0
            x1 = n1 if annotator % 11 == 0 else int(rng.binomial(n1, rate))
            x2 = n2 if annotator % 11 == 0 else int(rng.binomial(n2, rate))
            rows.append((annotator, stratum, x1, n1, x2, n2))
    sim = pd.DataFrame(rows, columns=["annotator", "stratum", "x_recent", "n_recent", "x_history", "n_history"])
    con = duckdb.connect()
    con.register("sim", sim)
    got = con.execute(compiled["cmh"]).df().set_index("annotator")
    checked = 0
    for annotator, g in sim.groupby("annotator"):
        tables = [
            np.array([[r.x_recent, r.n_recent - r.x_recent], [r.x_history, r.n_history - r.x_history]], float)
            for r in g.itertuples()
            if r.n_recent > 0 and r.n_history > 0
        ]
        variance = sum(
            t[0].sum() * t[1].sum() * t[:, 0].sum() * t[:, 1].sum() / (t.sum() ** 2 * (t.sum() - 1)) for t in tables
        )
        if variance == 0:
            assert pd.isna(got.loc[annotator, "z"])
            continue
        chi2 = StratifiedTable(tables).test_null_odds(correction=False).statistic
        assert got.loc[annotator, "z"] ** 2 == pytest.approx(chi2, rel=1e-9)
        checked += 1
    assert checked > 200
    # like with like: agreement 0.65 with one other judge, 0.85 with four, in both periods
    mix = pd.DataFrame(
        {
            "annotator": [0, 0],
            "stratum": [2, 5],
            "x_recent": [130, 255],
            "n_recent": [200, 300],
            "x_history": [65, 1700],
            "n_history": [100, 2000],
        }
    )
    con.register("sim", mix)
    z = con.execute(compiled["cmh"]).df().z.iloc[0]
    assert abs(z) < 0.5
    _, pooled_p = proportions_ztest([385, 1765], [500, 2100], alternative="smaller")
    assert pooled_p < 1e-3


def test_agreement_z_test_matches_scipy(planted: Path) -> None:
    weekly = query_df(
        planted,
        """
        select project_id, language, week, krippendorff_alpha as a,
               (krippendorff_alpha - krippendorff_alpha_ci_low) / 1.959963984540054 as se
        from marts.fct_agreement_weekly where krippendorff_alpha_ci_low is not null
    """,
    )
    got = _alerts(planted).query("kind == 'agreement_drop'")
    assert len(got) >= 1
    for _, row in got.iterrows():
        language = "all" if row.slice == "all languages" else row.slice.removeprefix("language=")
        w = weekly[(weekly.project_id == row.project_id) & (weekly.language == language)].sort_values("week")
        next_day = pd.Timestamp(row.as_of_day) + pd.Timedelta(days=1)
        latest_week = next_day - pd.Timedelta(days=next_day.dayofweek + 7)  # Monday of the last complete week
        now = w[w.week == latest_week].iloc[0]
        assert row.observed == pytest.approx(now.a)
        base = w[(w.week < now.week) & (w.week >= now.week - pd.Timedelta(weeks=4))]
        assert len(base) == 4
        weights = 1 / base.se**2
        base_alpha, base_se = (weights * base.a).sum() / weights.sum(), np.sqrt(1 / weights.sum())
        z = (now.a - base_alpha) / np.hypot(now.se, base_se)
        assert row.baseline == pytest.approx(base_alpha, rel=1e-9)
        assert row.p_value == pytest.approx(stats.norm.cdf(z), rel=1e-9, abs=1e-15)


# --- the macros' compiled SQL over many simulated null data sets ------------------------------


@pytest.fixture(scope="module")
def compiled(stable: Path, stable_raw: Path) -> dict[str, str]:
    """The compiled SQL of the test macros, on a table `sim` the tests create."""
    inline = {
        "drift": """
            with tested as (
                select family, annotator,
                    {{ normal_cdf(two_proportion_z('x_recent', 'n_recent', 'x_history', 'n_history')) }} as p_value
                from sim
                where {{ two_proportion_z_is_valid('x_recent', 'n_recent', 'x_history', 'n_history',
                    var('alert_min_expected_count')) }}
            ),
            with_q as ({{ bh_q_values('tested', 'family', 'p_value', 'annotator') }})
            select family, annotator, p_value, q_value from with_q
        """,
        "cmh": """
            select annotator,
                {{ cmh_z('sum(' ~ cmh_deviation('x_recent', 'n_recent', 'x_history', 'n_history') ~ ')',
                    'sum(' ~ cmh_variance('x_recent', 'n_recent', 'x_history', 'n_history') ~ ')') }} as z
            from sim
            group by annotator
        """,
        "bh": """
            with with_q as ({{ bh_q_values('sim', 'family', 'p_value', 'test_id') }})
            select family, test_id, q_value from with_q
        """,
        "agreement": """
            with counts as (select * from sim),
            {{ agreement_statistics('counts', ['family', 'week'], total_col='n_judgements') }},
            with_se as (
                select family, week, krippendorff_alpha as a,
                    {{ jackknife_se_from_interval('krippendorff_alpha', 'krippendorff_alpha_ci_low') }} as se
                from agreement_statistics
            ),
            base as (
                select family,
                    sum(a / (se * se)) / sum(1.0 / (se * se)) as a,
                    sqrt(1.0 / sum(1.0 / (se * se))) as se
                from with_se where week < 4 group by family
            )
            select with_se.family, {{ normal_cdf(agreement_drop_z('with_se.a', 'with_se.se', 'base.a', 'base.se')) }}
                as p_value
            from with_se inner join base on with_se.family = base.family
            where with_se.week = 4
        """,
    }
    out = {}
    for name, sql in inline.items():
        result = run_dbt(["compile", "--inline", sql], warehouse=stable, raw_dir=stable_raw)
        assert result.success, result.error
        out[name] = result.nodes[0]["compiled_code"]
    return out


def _upper(n: int, rate: float) -> float:
    """The 99.9% binomial upper bound on an observed rate over n trials at the nominal rate."""
    return float(stats.binom.ppf(0.999, n, rate)) / n


def test_bh_macro_matches_statsmodels_with_ties_and_single_tests(compiled: dict[str, str]) -> None:
    rng = np.random.default_rng(1)
    rows = []
    for family in range(60):
        m = 1 if family % 10 == 0 else int(rng.integers(2, 30))
        p = rng.uniform(size=m) ** 2
        if family % 3 == 0 and m > 2:
            p[1] = p[0]  # ties
        rows += [(family, i, float(v)) for i, v in enumerate(np.round(p, 3))]
    sim = pd.DataFrame(rows, columns=["family", "test_id", "p_value"])
    con = duckdb.connect()
    con.register("sim", sim)
    got = con.execute(compiled["bh"]).df().merge(sim, on=["family", "test_id"])
    for _, g in got.groupby("family"):
        expected = multipletests(g.p_value, method="fdr_bh")[1]
        np.testing.assert_allclose(g.q_value, expected, rtol=1e-12)


def test_drift_false_alarm_rate_on_null_data(compiled: dict[str, str]) -> None:
    """500 families of 40 simulated annotators whose recent accuracy is their historical one
    (accuracy 0.6-0.97, 20-80 recent and 100-600 earlier judgements).
    - per test, p < 0.05 in at most 5% of the tested annotators (tolerance: the 99.9% binomial
      upper bound at 5%);
    - per family, the chance of at least one alert (BH q < 0.05) is at most 2 x 5%: BH keeps it
      at 5% for exact p-values, and the normal approximation is somewhat anti-conservative in the
      far lower tail the smallest of 40 p-values probes (measured about 0.06-0.09). Without BH it
      would be about 1 - 0.95^40 = 0.87: the test fails if the adjustment is lost.
    - the test has power: a halved accuracy is found in > 95% of annotators."""
    rng = np.random.default_rng(2026)
    families, per_family = 500, 40
    k = families * per_family
    accuracy = rng.uniform(0.6, 0.97, size=k)
    n_recent, n_history = rng.integers(20, 80, size=k), rng.integers(100, 600, size=k)
    sim = pd.DataFrame(
        {
            "family": np.repeat(np.arange(families), per_family),
            "annotator": np.tile(np.arange(per_family), families),
            "x_recent": rng.binomial(n_recent, accuracy),
            "n_recent": n_recent,
            "x_history": rng.binomial(n_history, accuracy),
            "n_history": n_history,
        }
    )
    con = duckdb.connect()
    con.register("sim", sim)
    got = con.execute(compiled["drift"]).df()
    assert 0.5 * k < len(got) <= k and got.p_value.notna().all()
    per_test = float((got.p_value < ALPHA).mean())
    assert per_test <= _upper(len(got), ALPHA), per_test
    any_alarm = float(got.groupby("family").q_value.min().lt(ALPHA).mean())
    assert any_alarm <= 2 * ALPHA, any_alarm
    sim["x_recent"] = rng.binomial(sim.n_recent, accuracy * 0.5)
    con.register("sim", sim)
    assert (con.execute(compiled["drift"]).df().p_value < ALPHA).mean() > 0.95


def test_agreement_drop_false_alarm_rate_on_null_data(compiled: dict[str, str]) -> None:
    """400 simulated projects, 5 weeks of 60 items x 3 raters each from one stationary rater model:
    the share of latest weeks flagged at p < 0.05 stays at or below 5% (99.9% binomial bound)."""
    rng = np.random.default_rng(16)
    families, weeks, items, raters, n_labels = 400, 5, 60, 3, 4
    truth = rng.integers(0, n_labels, size=(families, weeks, items))
    correct = rng.random(size=(families, weeks, items, raters)) < 0.75
    noise = rng.integers(0, n_labels, size=correct.shape)
    labels = np.where(correct, truth[..., None], noise)
    f, w, i, r = np.indices(labels.shape)
    long = pd.DataFrame({"family": f.ravel(), "week": w.ravel(), "item_id": i.ravel(), "label": labels.ravel()})
    sim = long.groupby(["family", "week", "item_id", "label"]).size().rename("n_votes").reset_index()
    sim["n_judgements"] = raters
    con = duckdb.connect()
    con.register("sim", sim)
    got = con.execute(compiled["agreement"]).df()
    assert len(got) == families and got.p_value.notna().all()
    rate = float((got.p_value < ALPHA).mean())
    assert rate <= _upper(families, ALPHA), rate


# --- the CLI --------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "labelhouse.cli", *args], capture_output=True, text=True)


def test_cli_formats_and_fail_on(planted: Path) -> None:
    alerts = read_alerts(planted)
    assert reaches(alerts, "warning")
    text = _cli("alerts", "--warehouse", str(planted))
    assert text.returncode == 0 and text.stdout.startswith(count_line(alerts))
    md = _cli("alerts", "--warehouse", str(planted), "--format", "markdown")
    assert md.returncode == 0 and "| severity | kind |" in md.stdout
    js = _cli("alerts", "--warehouse", str(planted), "--format", "json")
    assert {a["alert_key"] for a in json.loads(js.stdout)} == {a["alert_key"] for a in alerts}
    assert _cli("alerts", "--warehouse", str(planted), "--fail-on", "warning").returncode == 1
    critical = _cli("alerts", "--warehouse", str(planted), "--fail-on", "critical").returncode
    assert critical == (1 if reaches(alerts, "critical") else 0)


def test_cli_generate_switches_off_the_worse_model_version(stable_raw: Path, tmp_path: Path) -> None:
    """`labelhouse generate --no-worse-model-version` writes the stable twin's files."""
    out = tmp_path / "raw"
    args = ("generate", "--out", str(out), "--annotations", str(N_ANNOTATIONS), "--seed", str(SEED))
    assert _cli(*args, "--no-worse-model-version").returncode == 0
    files = sorted(p.name for p in stable_raw.iterdir())
    assert files == sorted(p.name for p in out.iterdir())
    assert all((out / name).read_bytes() == (stable_raw / name).read_bytes() for name in files)


def test_cli_fail_on_passes_without_alerts(tmp_path: Path) -> None:
    warehouse = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    con.execute("""create table marts.fct_alerts (alert_key varchar, kind varchar, severity varchar,
        project_id varchar, slice varchar, metric varchar, observed double, baseline double, test varchar,
        p_value double, q_value double, first_seen_day date, as_of_day date, report_page varchar,
        alert_message varchar)""")
    con.close()
    result = _cli("alerts", "--warehouse", str(warehouse), "--fail-on", "warning")
    assert result.returncode == 0 and "alerts: 0 critical, 0 warning, 0 info" in result.stdout
    assert format_alerts([], "markdown").endswith("No open alerts.")


def test_cli_missing_warehouse_is_a_clear_message(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.duckdb"
    result = _cli("alerts", "--warehouse", str(missing))
    assert result.returncode == 2
    assert f"no warehouse at {missing}" in result.stderr and "labelhouse build" in result.stderr


def test_build_writes_alerts_md(planted: Path, tmp_path: Path) -> None:
    """What each `labelhouse build` writes into its run folder and prints (build.py calls it)."""
    from labelhouse.alerts import write_alerts_md
    from labelhouse.build import ALERTS_MD

    line = write_alerts_md(planted, tmp_path / ALERTS_MD)
    alerts = read_alerts(planted)
    assert line == count_line(alerts) and line.startswith("alerts: ") and "critical" in line
    text = (tmp_path / ALERTS_MD).read_text(encoding="utf-8")
    assert text.startswith("# Alerts") and all(a["slice"] in text for a in alerts)
