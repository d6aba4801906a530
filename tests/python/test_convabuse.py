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
    args = ["build", "--select", "+marts.quality", "--exclude-resource-type", "test", "--exclude-resource-type",
            "unit_test"]
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
    wh, ref = built
    got = query_df(wh, "select * from marts.fct_annotator_pair_agreement where project_id = 'convabuse'")
    got = got.set_index(["annotator_a", "annotator_b"])
    matrix = ref.pivot(index="turn", columns="annotator_id", values="label")
    levels = sorted(ref["label"].unique())
    for a, b in combinations(sorted(matrix.columns), 2):
        shared = matrix[[a, b]].dropna()
        if len(shared) < 2:
            continue
        for weights in ("linear", "quadratic"):
            expected = float(cohen_kappa_score(shared[a], shared[b], labels=levels, weights=weights))
            assert_close(got.loc[(a, b), f"weighted_kappa_{weights}"], expected, f"{weights} kappa {a}-{b}")
def test_latent_truth_equals_crowdkit_dawid_skene(built: tuple[Path, pd.DataFrame]) -> None:
    """The Dawid-Skene posteriors and confusion matrices of the 5-level is_abuse label equal
    crowd-kit's DawidSkene at the project's default iteration count and tolerance, to 1e-6."""
    from crowdkit.aggregation import DawidSkene

    wh, _ = built
    converter = _load_converter()
    raw = pd.read_csv(DATASET, dtype=str, keep_default_na=False)
    raw["task"] = [converter.item_id_for(row) for row in raw.to_dict("records")]
    names = [converter.ABUSE_LABELS[key][0] for key in ABUSE]
    raw["label"] = [names[i] for i in raw[ABUSE].astype(int).to_numpy().argmax(axis=1)]
    raw["example_no"] = raw["example_no"].astype(int)
    data = raw.sort_values("example_no").groupby(["task", "annotator_id"], as_index=False).tail(1)
    data = data.rename(columns={"annotator_id": "worker"})[["task", "worker", "label"]]
    dbt_vars = query_df(wh, "select max(n_iterations) as n from marts.fct_item_latent_truth "
                            "where project_id = 'convabuse'")
    ds = DawidSkene(n_iter=50, tol=1e-5).fit(data)  # the dbt_project.yml defaults
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
