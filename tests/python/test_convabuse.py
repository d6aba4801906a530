"""ConvAbuse (Cercas Curry et al., EMNLP 2021, CC BY 4.0): labelhouse's agreement figures on real
judgements equal the reference packages'.

Runs when ../shared/data/convabuse/ConvAbuseEMNLPfull.csv exists (skips otherwise). The CSV is
converted with examples/convabuse/convert.py and built once; the references read the CSV
independently with pandas (item = conversation turn, latest judgement per annotator by
example_no). Fleiss' kappa has no reference for unequal numbers of judgements per item, so the
turns judged by exactly three annotators are added as a second project, convabuse_m3, where
statsmodels applies; on the full project Fleiss' kappa is checked against the documented
generalisation computed by brute force.
"""

from __future__ import annotations

import functools
import importlib.util
import warnings
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT_ROOT, SHARED, assert_close, query_df
from irrCAC.raw import CAC
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from labelhouse.dbt import run_dbt

DATASET = SHARED / "data" / "convabuse" / "ConvAbuseEMNLPfull.csv"
TURN = ["conv_id", "prev_agent", "prev_user", "agent", "user"]
ABUSE = ["is_abuse.1", "is_abuse.0", "is_abuse.-1", "is_abuse.-2", "is_abuse.-3"]

pytestmark = pytest.mark.skipif(
    not DATASET.exists(), reason=f"ConvAbuse not found at {DATASET} (see examples/convabuse/README.md)"
)


def _load_converter() -> Any:
    path = PROJECT_ROOT / "examples" / "convabuse" / "convert.py"
    spec = importlib.util.spec_from_file_location("convabuse_convert", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reference_judgements() -> pd.DataFrame:
    """Latest judgement per (turn, annotator), read straight from the CSV."""
    raw = pd.read_csv(DATASET, keep_default_na=False)
    raw["turn"] = raw.groupby(TURN, sort=False).ngroup()
    raw["label"] = raw[ABUSE].to_numpy().argmax(axis=1)
    return raw.sort_values("example_no").groupby(["turn", "annotator_id"], as_index=False).tail(1)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, pd.DataFrame]]:
    tmp = tmp_path_factory.mktemp("convabuse")
    raw = tmp / "raw"
    _load_converter().convert(DATASET, raw)
    # the turns judged by exactly three annotators, again, as project convabuse_m3
    annotations = pd.read_csv(raw / "annotations.csv")
    latest = annotations.sort_values("submitted_at").groupby(["item_id", "annotator_id"]).tail(1)
    m = latest.groupby("item_id").size()
    m3 = latest[latest["item_id"].isin(m[m == 3].index)].copy()
    m3["annotation_id"] = "m3-" + m3["annotation_id"]
    m3["item_id"] = "m3-" + m3["item_id"]
    m3["project_id"] = "convabuse_m3"
    m3.to_csv(raw / "annotations_m3.csv", index=False)
    items = pd.read_csv(raw / "items.csv")
    items = items[items["item_id"].isin(m[m == 3].index)].assign(
        item_id=lambda d: "m3-" + d["item_id"], project_id="convabuse_m3"
    )
    items.to_csv(raw / "items_m3.csv", index=False)
    pd.DataFrame({"project_id": ["convabuse_m3"], "name": ["ConvAbuse, turns with 3 annotators"]}).to_csv(
        raw / "projects_m3.csv", index=False
    )
    # models only: the data and unit tests run in the main dbt build; here the numbers are checked
    args = [
        "build",
        "--select",
        "+marts.quality",
        "--exclude-resource-type",
        "test",
        "--exclude-resource-type",
        "unit_test",
    ]
    result = run_dbt(args, warehouse=tmp / "convabuse.duckdb", raw_dir=raw)
    assert result.success, [n["message"] for n in result.failures()]
    yield tmp / "convabuse.duckdb", _reference_judgements()


def test_dataset_shape(built: tuple[Path, pd.DataFrame]) -> None:
    wh, ref = built
    row = query_df(wh, "select * from marts.fct_agreement where project_id = 'convabuse' and language = 'all'").iloc[0]
    assert row["n_items"] == ref["turn"].nunique() == 4185
    assert row["n_annotations"] == len(ref)
    assert row["n_annotators"] == 8 and row["n_categories"] == 5


def test_alpha_ac1_and_percent_agreement_equal_references(built: tuple[Path, pd.DataFrame]) -> None:
    wh, ref = built
    row = query_df(wh, "select * from marts.fct_agreement where project_id = 'convabuse' and language = 'all'").iloc[0]
    matrix = ref.pivot(index="turn", columns="annotator_id", values="label")
    alpha = krippendorff.alpha(reliability_data=matrix.to_numpy(dtype=float).T, level_of_measurement="nominal")
    assert_close(row["krippendorff_alpha"], float(alpha), "alpha")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = CAC(matrix.reset_index(drop=True).astype(object), digits=15).gwet()["est"]
    assert_close(row["gwet_ac1"], float(est["coefficient_value"]), "AC1")
    assert_close(row["percent_agreement"], float(est["pa"]), "percent agreement")


def test_fleiss_kappa_equals_statsmodels_and_the_documented_generalisation(built: tuple[Path, pd.DataFrame]) -> None:
    wh, ref = built
    got = query_df(wh, "select * from marts.fct_agreement where language = 'all'").set_index("project_id")
    counts = pd.crosstab(ref["turn"], ref["label"])
    m = counts.sum(axis=1)
    assert_close(
        got.loc["convabuse_m3", "fleiss_kappa"], float(sm_fleiss_kappa(counts[m == 3].to_numpy())), "kappa m=3"
    )
    p_bar = float(((counts**2).sum(axis=1) - m).div(m * (m - 1)).mean())
    p_e = float(((counts.sum(axis=0) / m.sum()) ** 2).sum())
    assert_close(got.loc["convabuse", "fleiss_kappa"], (p_bar - p_e) / (1 - p_e), "kappa")


def test_pairwise_cohen_kappas_equal_sklearn(built: tuple[Path, pd.DataFrame]) -> None:
    wh, ref = built
    got = query_df(wh, "select * from marts.fct_annotator_pair_agreement where project_id = 'convabuse'")
    got = got.set_index(["annotator_a", "annotator_b"])
    matrix = ref.pivot(index="turn", columns="annotator_id", values="label")
    n = 0
    for a, b in combinations(sorted(matrix.columns), 2):
        shared = matrix[[a, b]].dropna()
        if len(shared) == 0:
            assert (a, b) not in got.index
            continue
        assert got.loc[(a, b), "n_shared_items"] == len(shared)
        assert_close(got.loc[(a, b), "cohen_kappa"], float(cohen_kappa_score(shared[a], shared[b])), f"kappa {a}-{b}")
        n += 1
    assert n == len(got) == 28


def test_intra_annotator_repeats(built: tuple[Path, pd.DataFrame]) -> None:
    wh, _ = built
    raw = pd.read_csv(DATASET, keep_default_na=False)
    raw["label"] = raw[ABUSE].to_numpy().argmax(axis=1)
    got = query_df(wh, "select * from marts.fct_annotator_quality where project_id = 'convabuse'")
    got = got.set_index("annotator_id")
    for annotator, g in raw.sort_values("example_no").groupby("annotator_id"):
        earlier, later = [], []
        for _, judged in g.groupby(TURN):
            labels = list(judged["label"])
            for i, j in combinations(range(len(labels)), 2):
                earlier.append(labels[i])
                later.append(labels[j])
        assert got.loc[annotator, "n_repeat_pairs"] == len(earlier)
        assert_close(got.loc[annotator, "self_agreement"], float(np.mean(np.equal(earlier, later))), annotator)
        assert_close(got.loc[annotator, "self_kappa"], float(cohen_kappa_score(earlier, later)), annotator)


def test_ordinal_and_interval_alpha_on_the_five_level_scale(built: tuple[Path, pd.DataFrame]) -> None:
    """is_abuse is ordered (not abusive 0 ... very strongly abusive 4, the severities convert.py
    writes); the reference label index is that severity."""
    wh, ref = built
    row = query_df(wh, "select * from marts.fct_agreement where project_id = 'convabuse' and language = 'all'").iloc[0]
    matrix = ref.pivot(index="turn", columns="annotator_id", values="label").to_numpy(dtype=float).T
    for level in ("ordinal", "interval"):
        alpha = krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)
        assert_close(row[f"krippendorff_alpha_{level}"], float(alpha), f"{level} alpha")
        assert row[f"krippendorff_alpha_{level}_ci_low"] < alpha < row[f"krippendorff_alpha_{level}_ci_high"]


def test_pairwise_weighted_kappas_equal_sklearn(built: tuple[Path, pd.DataFrame]) -> None:
    """Every pair with a shared turn, whatever the number of shared turns (ConvAbuse's 28 pairs
    share 278 to 646 turns; a single shared turn is compared as well, not skipped)."""
    wh, ref = built
    got = query_df(wh, "select * from marts.fct_annotator_pair_agreement where project_id = 'convabuse'")
    got = got.set_index(["annotator_a", "annotator_b"])
    matrix = ref.pivot(index="turn", columns="annotator_id", values="label")
    levels = sorted(ref["label"].unique())
    assert levels == [0, 1, 2, 3, 4]
    n = 0
    for a, b in combinations(sorted(matrix.columns), 2):
        shared = matrix[[a, b]].dropna()
        if len(shared) == 0:
            assert (a, b) not in got.index
            continue
        for weights in ("linear", "quadratic"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # sklearn warns where it returns nan
                expected = float(cohen_kappa_score(shared[a], shared[b], labels=levels, weights=weights))
            assert_close(got.loc[(a, b), f"weighted_kappa_{weights}"], expected, f"{weights} kappa {a}-{b}")
        n += 1
    assert n == len(got) == 28


@functools.cache
def _crowdkit_judgements() -> pd.DataFrame:
    """(task, worker, label) of the latest judgement per turn and annotator, on the converter's
    item ids and label names, for crowd-kit."""
    converter = _load_converter()
    raw = pd.read_csv(DATASET, dtype=str, keep_default_na=False)
    raw["task"] = [converter.item_id_for(row) for row in raw.to_dict("records")]
    names = [converter.ABUSE_LABELS[key][0] for key in ABUSE]
    raw["label"] = [names[i] for i in raw[ABUSE].astype(int).to_numpy().argmax(axis=1)]
    raw["example_no"] = raw["example_no"].astype(int)
    data = raw.sort_values("example_no").groupby(["task", "annotator_id"], as_index=False).tail(1)
    return data.rename(columns={"annotator_id": "worker"})[["task", "worker", "label"]]


@functools.cache
def _crowdkit_fit() -> Any:
    """crowd-kit's DawidSkene at the dbt_project.yml defaults (latent_max_iterations 50,
    latent_tolerance 1e-5), fitted once."""
    from crowdkit.aggregation import DawidSkene

    return DawidSkene(n_iter=50, tol=1e-5).fit(_crowdkit_judgements())


def test_latent_truth_equals_crowdkit_dawid_skene(built: tuple[Path, pd.DataFrame]) -> None:
    """The Dawid-Skene posteriors and confusion matrices of the 5-level is_abuse label equal
    crowd-kit's DawidSkene at the project's default iteration count and tolerance, to 1e-6."""
    wh, _ = built
    dbt_vars = query_df(
        wh, "select max(n_iterations) as n from marts.fct_item_latent_truth where project_id = 'convabuse'"
    )
    ds = _crowdkit_fit()
    assert int(dbt_vars["n"].iloc[0]) == len(ds.loss_history_)
    posterior = query_df(wh, "select * from marts.fct_item_latent_posterior where project_id = 'convabuse'")
    ours = posterior.pivot(index="item_id", columns="label", values="probability")
    expected = ds.probas_
    assert sorted(ours.columns) == sorted(expected.columns) and len(ours) == len(expected)
    diff = np.abs(ours.loc[expected.index, expected.columns].to_numpy() - expected.to_numpy()).max()
    assert diff < 1e-6, f"posterior differs by {diff:.3g}"
    confusion = query_df(wh, "select * from marts.fct_annotator_latent_confusion where project_id = 'convabuse'")
    errors = ds.errors_.stack().rename("expected").reset_index()
    errors.columns = ["annotator_id", "observed_label", "true_label", "expected"]
    merged = errors.merge(confusion, on=["annotator_id", "observed_label", "true_label"], how="outer")
    assert merged["probability"].notna().all() and merged["expected"].notna().all()
    assert (merged["probability"] - merged["expected"]).abs().max() < 1e-6


def _summary(values: pd.Series) -> str:
    return f"{values.min():.3f} to {values.max():.3f}, median {values.median():.3f}"


def test_readme_issue_15_figures_are_the_warehouse_figures(built: tuple[Path, pd.DataFrame]) -> None:
    """Every row of the README's ordinal / raters-needed / latent-truth table is the warehouse's
    figure, formatted, and each figure is checked against its reference here: krippendorff
    (ordinal, interval and nominal alpha), pandas (judgements per turn), the Spearman-Brown
    prophecy on krippendorff's nominal alpha, sklearn (every pair's weighted kappas), crowd-kit
    (iterations, latent labels) and a pandas majority vote."""
    wh, ref = built
    row = query_df(wh, "select * from marts.fct_agreement where project_id = 'convabuse' and language = 'all'").iloc[0]
    matrix = ref.pivot(index="turn", columns="annotator_id", values="label")
    readme_rows: list[str] = []

    # ordinal and interval alpha with their jackknife intervals
    for level in ("ordinal", "interval"):
        col = f"krippendorff_alpha_{level}"
        alpha = krippendorff.alpha(reliability_data=matrix.to_numpy(dtype=float).T, level_of_measurement=level)
        assert_close(row[col], float(alpha), col)
        readme_rows.append(
            f"| Krippendorff's alpha ({level}) | {row[col]:.4f}"
            f" | {row[f'{col}_ci_low']:.4f} - {row[f'{col}_ci_high']:.4f} |"
        )

    # raters per item (every turn has >= 2 judgements) and the raters needed for 0.8
    per_turn = ref.groupby("turn").size()
    assert per_turn.min() >= 2
    assert_close(row["raters_per_item"], len(ref) / len(per_turn), "raters per item")
    readme_rows.append(
        f"| raters per item ({row['n_pairable_annotations']:,} judgements / {row['n_items']:,} turns)"
        f" | {row['raters_per_item']:.3f} | |"
    )
    nominal = float(krippendorff.alpha(reliability_data=matrix.to_numpy(dtype=float).T, level_of_measurement="nominal"))
    t = 0.8  # dbt_project.yml target_reliability
    assert_close(row["raters_needed_for_target"], t * (1 - nominal) / (nominal * (1 - t)), "raters needed")
    readme_rows.append(
        f"| raters needed for alpha {t} (Spearman-Brown on the nominal alpha)"
        f" | {row['raters_needed_for_target']:.2f} | |"
    )

    # weighted kappas over the 28 pairs, each equal to sklearn's
    pairs = query_df(wh, "select * from marts.fct_annotator_pair_agreement where project_id = 'convabuse'")
    pairs = pairs.set_index(["annotator_a", "annotator_b"])
    for weights in ("linear", "quadratic"):
        expected = {
            (a, b): float(
                cohen_kappa_score(
                    matrix[[a, b]].dropna()[a], matrix[[a, b]].dropna()[b], labels=[0, 1, 2, 3, 4], weights=weights
                )
            )
            for a, b in pairs.index
        }
        got = pairs[f"weighted_kappa_{weights}"]
        for pair, value in expected.items():
            assert_close(got[pair], value, f"{weights} {pair}")
        assert _summary(got) == _summary(pd.Series(expected))
        readme_rows.append(f"| weighted kappa, {weights} ({len(got)} pairs) | {_summary(got)} | |")

    # Dawid-Skene: iterations and the latent label against the majority vote
    ds = _crowdkit_fit()
    latent = query_df(
        wh,
        "select truth.item_id, truth.latent_label, truth.n_iterations, consensus.consensus_label, consensus.is_tie"
        " from marts.fct_item_latent_truth as truth inner join marts.fct_item_consensus as consensus"
        " on truth.project_id = consensus.project_id and truth.item_id = consensus.item_id"
        " where truth.project_id = 'convabuse'",
    ).set_index("item_id")
    assert len(latent) == 4185
    n_iterations = int(latent["n_iterations"].max())
    assert n_iterations == len(ds.loss_history_) and latent["n_iterations"].nunique() == 1
    readme_rows.append(f"| Dawid-Skene EM iterations (early stop at tolerance 1e-5, at most 50) | {n_iterations} | |")
    differs = latent["latent_label"] != latent["consensus_label"]
    readme_rows.append(
        f"| turns whose latent label differs from the majority vote (ties broken as `fct_item_consensus`)"
        f" | {int(differs.sum()):,} of {len(latent):,} ({differs.mean():.1%}) | |"
    )
    # the reference: crowd-kit's labels against a pandas majority vote, on turns with a clear majority
    votes = _crowdkit_judgements().groupby(["task", "label"]).size().unstack(fill_value=0)
    top = votes.max(axis=1)
    clear = votes.eq(top, axis=0).sum(axis=1) == 1
    assert int((~clear).sum()) == int(latent["is_tie"].sum())
    majority = votes[clear].idxmax(axis=1)
    assert (latent.loc[majority.index, "consensus_label"] == majority).all()
    crowdkit_differs = int((ds.labels_.loc[majority.index] != majority).sum())
    clear_differs = int(differs[~latent["is_tie"]].sum())
    assert clear_differs == crowdkit_differs
    readme_rows.append(
        f"| of them, turns with a clear majority | {clear_differs:,} of {int(clear.sum()):,}"
        f" ({clear_differs / clear.sum():.1%}) | |"
    )

    readme = (PROJECT_ROOT / "examples" / "convabuse" / "README.md").read_text().splitlines()
    missing = [line for line in readme_rows if line not in readme]
    assert not missing, "README figures differ from the warehouse; expected rows:\n" + "\n".join(missing)
