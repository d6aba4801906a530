"""Cross-check the Dawid-Skene latent truth of the quality marts against crowd-kit's DawidSkene.

One raw directory holds generated projects (2 to 9 raters per item, missing judgements, 2 to 8
labels, skewed priors, a spammer who answers at random, an adversarial annotator who avoids
the true label, repeats by the same annotator), each its own project; it is built twice (the
defaults, 50 iterations and tol 1e-5, where the early stop ends most projects and a few run all
50, and 7 iterations with tol -1e9, where none stops early). Every project's posteriors and
confusion matrices are compared with crowd-kit 1.4.2's DawidSkene(n_iter, tol) fitted on that
project's latest judgements, to 1e-6, and so are the iteration counts (len(loss_history_)) and
fct_annotator_quality.latent_accuracy (the mean of crowd-kit's posterior of the label given).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import query_df
from crowdkit.aggregation import DawidSkene

from labelhouse.dbt import run_dbt

TOL = 1e-6
START = pd.Timestamp("2026-09-07")
SELECT = "int_latent_posterior int_latent_confusion fct_item_latent_truth fct_item_latent_posterior"
SELECT += " fct_annotator_latent_confusion fct_annotator_quality"


@dataclass
class Case:
    """One generated project."""

    project_id: str
    n_items: int
    n_labels: int
    raters: tuple[int, int]  # min, max judgements per item
    pool: int  # annotators available
    accuracy: float  # probability an honest annotator gives the true label
    spammers: int = 0  # annotators answering uniformly at random
    adversaries: int = 0  # annotators never giving the true label
    skew: float = 1.0  # Dirichlet concentration of the true-label prior
    repeat_rate: float = 0.0


CASES = [
    Case("binary_3", 120, 2, (3, 3), 5, 0.8, spammers=1),
    Case("eight_labels", 150, 8, (2, 9), 12, 0.7, spammers=1, adversaries=1),
    Case("two_raters", 200, 3, (2, 2), 4, 0.75, adversaries=1),
    Case("skewed", 300, 4, (2, 6), 9, 0.85, spammers=2, skew=0.3, repeat_rate=0.1),
    Case("sparse_many", 80, 5, (1, 9), 15, 0.6, spammers=1, adversaries=1),
    Case("noisy", 100, 2, (2, 4), 6, 0.55, spammers=2, adversaries=2),
]


def _random_cases(seed: int, n: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        lo = int(rng.integers(1, 4))
        hi = int(rng.integers(max(lo, 2), 10))
        cases.append(
            Case(
                f"random_{k}",
                int(rng.integers(30, 160)),
                int(rng.integers(2, 9)),
                (lo, hi),
                int(rng.integers(hi, hi + 8)),
                float(rng.uniform(0.4, 0.95)),
                spammers=int(rng.integers(0, 3)),
                adversaries=int(rng.integers(0, 2)),
                skew=float(rng.choice([0.3, 1.0, 5.0])),
            )
        )
    return cases


ALL_CASES = CASES + _random_cases(15, 8)


def _generate_case(case: Case, rng: np.random.Generator) -> list[dict[str, Any]]:
    labels = [f"l{i}" for i in range(case.n_labels)]
    prior = rng.dirichlet(np.full(case.n_labels, case.skew))
    kinds = ["spammer"] * case.spammers + ["adversary"] * case.adversaries
    kinds += ["honest"] * (case.pool - len(kinds))
    annotators = [f"{case.project_id}_w{i}" for i in range(case.pool)]
    rows: list[dict[str, Any]] = []
    for t in range(case.n_items):
        truth = int(rng.choice(case.n_labels, p=prior))
        n = int(rng.integers(case.raters[0], case.raters[1] + 1))
        for w in rng.choice(case.pool, size=min(n, case.pool), replace=False):
            kind = kinds[w]
            if kind == "spammer":
                label = int(rng.integers(case.n_labels))
            elif kind == "adversary":
                label = int(rng.choice([c for c in range(case.n_labels) if c != truth]))
            else:
                others = [c for c in range(case.n_labels) if c != truth]
                label = truth if rng.random() < case.accuracy else int(rng.choice(others))
            at = START + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 14)))
            row = {
                "item_id": f"{case.project_id}_i{t}",
                "project_id": case.project_id,
                "annotator_id": annotators[w],
                "label": labels[label],
                "submitted_at": at,
            }
            if rng.random() < case.repeat_rate:  # an earlier judgement, superseded by the one above
                rows.append(
                    {
                        **row,
                        "label": labels[int(rng.integers(case.n_labels))],
                        "submitted_at": at - pd.Timedelta(hours=1),
                    }
                )
            rows.append(row)
    return rows


def _write_raw(raw: Path) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows: list[dict[str, Any]] = []
    for case in ALL_CASES:
        rows += _generate_case(case, rng)
    df = pd.DataFrame(rows)
    df["annotation_id"] = [f"a{k:06d}" for k in range(len(df))]
    raw.mkdir(parents=True, exist_ok=True)
    out = df.copy()
    out["submitted_at"] = out["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out[["annotation_id", "item_id", "project_id", "annotator_id", "label", "submitted_at"]].to_csv(
        raw / "annotations.csv", index=False
    )
    labels = sorted(df["label"].unique())
    pd.DataFrame({"label": labels}).to_csv(raw / "labels.csv", index=False)
    return df


def _latest(df: pd.DataFrame) -> pd.DataFrame:
    ordered = df.sort_values(["submitted_at", "annotation_id"])
    latest = ordered.groupby(["item_id", "annotator_id"], as_index=False).tail(1)
    return latest.rename(columns={"item_id": "task", "annotator_id": "worker"})


def _build(raw: Path, warehouse: Path, selection: list[str], **dbt_vars: Any) -> Path:
    result = run_dbt(["build", *selection], warehouse=warehouse, raw_dir=raw, extra_vars=dbt_vars)
    if not result.success:
        failed = "\n".join(f"  {n['name']}: {n['status']} {n['message']}" for n in result.failures())
        raise AssertionError(f"dbt build failed: {result.error or ''}\n{failed}")
    return warehouse


@dataclass
class Built:
    judgements: pd.DataFrame
    warehouse: Path
    n_iter: int
    tol: float


RUNS = {
    "early_stop": {"latent_max_iterations": 50, "latent_tolerance": 1e-5},
    "fixed_iterations": {"latent_max_iterations": 7, "latent_tolerance": -1e9},
}


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, Path]:
    """(raw, judgements, warehouse): everything the latent models read, built once with its tests
    (no latent var reaches it); each stopping mode then builds the latent models on a copy."""
    tmp = tmp_path_factory.mktemp("latent")
    df = _write_raw(tmp / "raw")
    selection = ["--select", f"+{SELECT.replace(' ', ' +')}", "--exclude", SELECT, "--indirect-selection", "cautious"]
    (tmp / "upstream").mkdir()
    return tmp / "raw", df, _build(tmp / "raw", tmp / "upstream" / "warehouse.duckdb", selection)


@pytest.fixture(scope="module", params=list(RUNS))
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, upstream: tuple[Path, pd.DataFrame, Path]
) -> Iterator[Built]:
    raw, df, upstream_warehouse = upstream
    warehouse = tmp_path_factory.mktemp(f"latent_{request.param}") / "warehouse.duckdb"
    shutil.copyfile(upstream_warehouse, warehouse)
    dbt_vars = RUNS[request.param]
    # the latent models with every test of theirs whose other parents are upstream ("buildable")
    _build(raw, warehouse, ["--select", SELECT, "--indirect-selection", "buildable"], **dbt_vars)
    yield Built(_latest(df), warehouse, dbt_vars["latent_max_iterations"], dbt_vars["latent_tolerance"])


_REFERENCES: dict[tuple[Path, str], DawidSkene] = {}


def _reference(built: Built, project_id: str) -> DawidSkene:
    """crowd-kit's fit of one project of one build (fitted once, read by every test)."""
    key = (built.warehouse, project_id)
    if key not in _REFERENCES:
        data = built.judgements[built.judgements["project_id"] == project_id][["task", "worker", "label"]]
        _REFERENCES[key] = DawidSkene(n_iter=built.n_iter, tol=built.tol).fit(data)
    return _REFERENCES[key]


def test_posteriors_match_crowdkit(built: Built) -> None:
    posterior = query_df(built.warehouse, "select * from marts.fct_item_latent_posterior")
    for case in ALL_CASES:
        ds = _reference(built, case.project_id)
        ours = posterior[posterior["project_id"] == case.project_id].pivot(
            index="item_id", columns="label", values="probability"
        )
        expected = ds.probas_.rename_axis(index="item_id", columns="label")
        assert sorted(ours.columns) == sorted(expected.columns), case.project_id
        ours = ours.loc[expected.index, expected.columns]
        diff = np.abs(ours.to_numpy() - expected.to_numpy()).max()
        assert diff < TOL, f"{case.project_id}: posterior differs by {diff:.3g}"


def test_iteration_counts_match_crowdkit(built: Built) -> None:
    truth = query_df(
        built.warehouse,
        "select project_id, max(n_iterations) as n from marts.fct_item_latent_truth group by project_id",
    )
    counts = dict(zip(truth["project_id"], truth["n"], strict=True))
    stopped_early = 0
    for case in ALL_CASES:
        ds = _reference(built, case.project_id)
        assert counts[case.project_id] == len(ds.loss_history_), case.project_id
        stopped_early += len(ds.loss_history_) < built.n_iter
    if built.tol > 0:
        assert stopped_early > len(ALL_CASES) // 2, "the early stop should end most generated projects"
    else:
        assert stopped_early == 0


def test_confusion_matches_crowdkit(built: Built) -> None:
    confusion = query_df(built.warehouse, "select * from marts.fct_annotator_latent_confusion")
    for case in ALL_CASES:
        ds = _reference(built, case.project_id)
        expected = ds.errors_.stack().rename("expected").reset_index()
        expected.columns = ["annotator_id", "observed_label", "true_label", "expected"]
        ours = confusion[confusion["project_id"] == case.project_id]
        merged = expected.merge(ours, on=["annotator_id", "observed_label", "true_label"], how="outer")
        assert merged["probability"].notna().all() and merged["expected"].notna().all(), case.project_id
        diff = (merged["probability"] - merged["expected"]).abs().max()
        assert diff < TOL, f"{case.project_id}: confusion differs by {diff:.3g}"


def test_latent_label_is_the_most_probable(built: Built) -> None:
    truth = query_df(built.warehouse, "select * from marts.fct_item_latent_truth")
    for case in ALL_CASES[:4]:
        ds = _reference(built, case.project_id)
        ours = truth[truth["project_id"] == case.project_id].set_index("item_id")
        expected = ds.probas_.max(axis=1)
        assert np.abs(ours.loc[expected.index, "latent_probability"].to_numpy() - expected.to_numpy()).max() < TOL
        # where the maximum is clear, the label is crowd-kit's
        clear = ds.probas_.apply(lambda r: np.sort(r.to_numpy())[-1] - np.sort(r.to_numpy())[-2] > 1e-6, axis=1)
        labels = ds.labels_[clear]
        assert (ours.loc[labels.index, "latent_label"] == labels).all(), case.project_id
        counts = built.judgements[built.judgements["project_id"] == case.project_id].groupby("task").size()
        assert (ours.loc[counts.index, "n_annotations"] == counts).all()


def test_latent_accuracy_is_the_expected_share_matching_the_crowdkit_posterior(built: Built) -> None:
    quality = query_df(
        built.warehouse,
        "select project_id, annotator_id, latent_accuracy, n_items_judged from marts.fct_annotator_quality",
    ).set_index(["project_id", "annotator_id"])
    pooled_hits: dict[str, float] = {}
    pooled_n: dict[str, int] = {}
    for case in ALL_CASES:
        ds = _reference(built, case.project_id)
        data = built.judgements[built.judgements["project_id"] == case.project_id]
        hit = ds.probas_.stack().rename("p")
        matched = data.join(hit, on=["task", "label"])["p"]
        by_worker = matched.groupby(data["worker"])
        for worker, share in by_worker.mean().items():
            got = quality.loc[(case.project_id, worker), "latent_accuracy"]
            assert abs(got - share) < TOL, f"{case.project_id} {worker}: {got} != {share}"
            pooled_hits[worker] = pooled_hits.get(worker, 0.0) + float(by_worker.sum()[worker])
            pooled_n[worker] = pooled_n.get(worker, 0) + int(by_worker.size()[worker])
    for worker, hits in pooled_hits.items():
        assert abs(quality.loc[("all", worker), "latent_accuracy"] - hits / pooled_n[worker]) < TOL


def test_latent_label_index_breaks_ties_to_the_first_label() -> None:
    """The tie rule (macro latent_label_index) on hand-made wide posteriors, NULL above K_p."""
    import duckdb
    import jinja2

    source = (Path(__file__).parents[2] / "macros" / "latent" / "latent_label_index.sql").read_text()
    expression = jinja2.Environment().from_string(source + "{{ latent_label_index(3) }}").render()
    rows = [  # probability_1..3 -> the expected index
        ((0.2, 0.5, 0.3), 2),
        ((0.4, 0.4, 0.2), 1),  # tie between 1 and 2: the first label in sort order
        ((0.1, 0.45, 0.45), 2),
        ((1 / 3, 1 / 3, 1 / 3), 1),
        ((0.3, 0.7, None), 2),  # a two-label project: index 3 is NULL
        ((0.5, 0.5, None), 1),
        ((0.0, 1.0, None), 2),
    ]
    values = ", ".join(
        "(" + ", ".join("null" if p is None else repr(p) for p in probabilities) + f", {expected})"
        for probabilities, expected in rows
    )
    got = duckdb.sql(
        f"select {expression} as got, expected from (values {values})"
        " as t(probability_1, probability_2, probability_3, expected)"
    ).fetchall()
    assert [g for g, _ in got] == [e for _, e in got]


@pytest.mark.parametrize(
    "call",
    [
        "latent_sorted_list('v', 'k')",
        "latent_list('v')",
        "latent_list_lookup_sum('k', 'v')",
        "latent_unnest('k')",
    ],
)
def test_array_macros_name_themselves_on_an_engine_they_are_not_written_for(
    call: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The EM's array macros have DuckDB and Spark versions only: the default names the macro and the adapter."""
    result = run_dbt(
        ["compile", "--inline", "{{ default__" + call + " }}"], warehouse=tmp_path / "w.duckdb", raw_dir=tmp_path
    )
    name = call.split("(")[0]
    assert not result.success
    # dbt reports the compiler error's text in its log output; the result keeps only its summary
    message = f"{name} (the Dawid-Skene EM) is written for DuckDB and Spark, not for the duckdb adapter"
    assert message in capfd.readouterr().out


EPS = 1e-10  # macro latent_eps (crowd-kit's _EPS): the floor before a log or a normalisation


def _em_formulas() -> Any:
    """The EM's formula macros (macros/latent/dawid_skene.sql) with their DuckDB array macros
    (latent_arrays.sql), rendered by plain Jinja: adapter.dispatch resolves to the duckdb__
    implementation, and dbt's return() to its argument (the macro's output is then that text)."""
    import jinja2

    folder = Path(__file__).parents[2] / "macros" / "latent"
    source = (folder / "latent_arrays.sql").read_text() + (folder / "dawid_skene.sql").read_text()
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    modules: dict[str, Any] = {}

    class DuckDBAdapter:
        @staticmethod
        def dispatch(name: str, package: str) -> Any:
            return getattr(modules["em"], f"duckdb__{name}")

    env.globals.update({"adapter": DuckDBAdapter(), "return": lambda value: value})
    modules["em"] = env.from_string(source).make_module()
    return modules["em"]


def test_em_formulas_on_a_hand_worked_case() -> None:
    """One EM round of the formula macros on DuckDB, against numbers worked by hand.

    Project 1 (labels a, b = index 1, 2; annotators w1, w2; 6 judgements):
        item 1: w1 a, w2 a     item 2: w1 a, w2 b     item 3: w1 b, w2 a
    Project 2: one label x only (index 2 is NULL throughout), two items judged x by w3 and w4.
    Project 3: labels a, b; item 6 judged a by w5 and w6, item 7 judged once (w5: b).
    Cells (dense keys): 1 w1 a, 2 w1 b, 3 w2 a, 4 w2 b | 5 w3 x, 6 w4 x | 7 w5 a, 8 w5 b, 9 w6 a.
    """
    import duckdb

    em = _em_formulas()
    assert float(str(em.latent_eps())) == EPS  # the floor the closed forms below use
    con = duckdb.connect()
    con.execute("create table cells (cell_key integer, project_key integer, worker_key integer, label_index integer)")
    con.execute(
        "insert into cells values (1, 1, 1, 1), (2, 1, 1, 2), (3, 1, 2, 1), (4, 1, 2, 2), (5, 2, 3, 1),"
        " (6, 2, 4, 1), (7, 3, 5, 1), (8, 3, 5, 2), (9, 3, 6, 1)"
    )
    con.execute("create table items (item_key integer, project_key integer, cell_keys integer[])")
    con.execute(
        "insert into items values (1, 1, [1, 3]), (2, 1, [1, 4]), (3, 1, [2, 3]), (4, 2, [5, 6]),"
        " (5, 2, [5, 6]), (6, 3, [7, 9]), (7, 3, [8])"
    )
    con.execute("create table projects (project_key integer, n_labels integer, n_judgements double)")
    con.execute("insert into projects values (1, 2, 6), (2, 1, 4), (3, 2, 3)")
    steps = {
        "posterior_0": em.latent_majority_posterior("items", "cells", "projects", 2),
        "summary_0": em.latent_posterior_summary("posterior_0", 2),
        "confusion_0": em.latent_m_step("posterior_0", "cells", 2),
        "elbo_0": em.latent_elbo("confusion_0", "summary_0", "projects", 2),
        "posterior_1": em.latent_e_step("items", "summary_0", "confusion_0", "cells", 2),
        "summary_1": em.latent_posterior_summary("posterior_1", 2),
        "confusion_1": em.latent_m_step("posterior_1", "cells", 2),
    }
    for name, sql in steps.items():
        con.execute(f"create table {name} as {sql}")

    def rows(table: str, key: str, cols: list[str]) -> dict[int, tuple[Any, ...]]:
        result = con.execute(f"select {key}, {', '.join(cols)} from {table} order by {key}").fetchall()
        return {r[0]: tuple(r[1:]) for r in result}

    def check(got: dict[int, tuple[Any, ...]], expected: dict[int, tuple[Any, ...]], what: str) -> None:
        assert sorted(got) == sorted(expected), what
        for key, values in expected.items():
            for k, (g, e) in enumerate(zip(got[key], values, strict=True)):
                assert (g is None) if e is None else (g is not None and abs(g - e) < 1e-14), (what, key, k, g, e)

    ln = np.log
    probabilities = ["probability_1", "probability_2"]
    # majority start T0_tc = n_tc / m_t (0 for a label nobody gave, NULL above the project's K)
    check(
        rows("posterior_0", "item_key", probabilities),
        {
            1: (1.0, 0.0),
            2: (1 / 2, 1 / 2),
            3: (1 / 2, 1 / 2),
            4: (1.0, None),
            5: (1.0, None),
            6: (1.0, 0.0),
            7: (0.0, 1.0),  # item 7: its one judgement
        },
        "majority posterior",
    )
    # priors p_c = mean_t T_tc; entropy -sum max(T, eps) ln max(T, eps): a 0 counts as eps ln eps
    check(
        rows("summary_0", "project_key", ["prior_1", "prior_2", "entropy"]),
        {
            1: (
                (1 + 1 / 2 + 1 / 2) / 3,
                (0 + 1 / 2 + 1 / 2) / 3,
                -(1 * ln(1) + EPS * ln(EPS)) - 2 * 2 * (1 / 2) * ln(1 / 2),
            ),
            2: (1.0, None, -(2 * 1 * ln(1))),
            3: (1 / 2, 1 / 2, -2 * (1 * ln(1) + EPS * ln(EPS))),
        },
        "summary 0",
    )
    # M-step: n_w(y, c) = sum of T_tc over the items w labelled y; e_w(y|c) = max(n, eps) / sum_y' max(n, eps)
    # project 1, w1: cell 1 (items 1, 2) n = (1 + 1/2, 0 + 1/2), cell 2 (item 3) n = (1/2, 1/2)
    #   e(a|a) = (3/2) / (3/2 + 1/2) = 3/4, e(b|a) = 1/4, e(a|b) = (1/2) / (1/2 + 1/2) = 1/2 = e(b|b);
    #   w2 the same (cell 3 = items 1, 3; cell 4 = item 2)
    # project 3, w5: cell 7 n = (1, 0), cell 8 n = (0, 1): e(a|a) = 1 / (1 + eps), e(b|a) = eps / (1 + eps);
    #   w6 has one cell: e(a|a) = 1 / 1, e(a|b) = eps / eps = 1
    m_step_cols = ["expected_count_1", "expected_count_2", "log_probability_1", "log_probability_2"]
    check(
        rows("confusion_0", "cell_key", m_step_cols),
        {
            1: (3 / 2, 1 / 2, ln(3 / 4), ln(1 / 2)),
            2: (1 / 2, 1 / 2, ln(1 / 4), ln(1 / 2)),
            3: (3 / 2, 1 / 2, ln(3 / 4), ln(1 / 2)),
            4: (1 / 2, 1 / 2, ln(1 / 4), ln(1 / 2)),
            5: (2.0, None, ln(2 / 2), None),
            6: (2.0, None, ln(2 / 2), None),
            7: (1.0, 0.0, ln(1 / (1 + EPS)), ln(EPS / (1 + EPS))),
            8: (0.0, 1.0, ln(EPS / (1 + EPS)), ln(1 / (1 + EPS))),
            9: (1.0, 0.0, ln(1 / 1), ln(EPS / EPS)),
        },
        "M-step 0",
    )
    # ELBO = (sum_{w,y,c} n_w(y,c) (ln e_w(y|c) + ln p_c) + entropy) / N
    w_p1 = (
        3 / 2 * (ln(3 / 4) + ln(2 / 3))
        + 1 / 2 * (ln(1 / 2) + ln(1 / 3))  # cell 1 (and cell 3)
        + 1 / 2 * (ln(1 / 4) + ln(2 / 3))
        + 1 / 2 * (ln(1 / 2) + ln(1 / 3))
    )  # cell 2 (and cell 4)
    entropy_p1 = -EPS * ln(EPS) + 2 * ln(2)
    joint_p3 = (ln(1 / (1 + EPS)) + ln(1 / 2)) + (ln(1 / (1 + EPS)) + ln(1 / 2)) + (ln(1) + ln(1 / 2))
    check(
        rows("elbo_0", "project_key", ["elbo"]),
        {
            1: ((2 * w_p1 + entropy_p1) / 6,),
            2: ((4 * (ln(1) + ln(1))) / 4,),
            3: ((joint_p3 - 2 * EPS * ln(EPS)) / 3,),
        },
        "ELBO 0",
    )
    # E-step: T_tc proportional to p_c prod_w e_w(y_tw | c)
    # item 1 (a, a): L_a = 2/3 * 3/4 * 3/4 = 3/8, L_b = 1/3 * 1/2 * 1/2 = 1/12 -> (9/11, 2/11)
    # items 2, 3 (a, b), (b, a): L_a = 2/3 * 3/4 * 1/4 = 1/8, L_b = 1/12 -> (3/5, 2/5)
    # item 6 (w5 a, w6 a): L = (1/2 * 1/(1+eps) * 1, 1/2 * eps/(1+eps) * 1) -> (1/(1+eps), eps/(1+eps))
    # item 7 (w5 b, judged once): L = (1/2 * eps/(1+eps), 1/2 * 1/(1+eps)) -> (eps/(1+eps), 1/(1+eps))
    check(
        rows("posterior_1", "item_key", probabilities),
        {
            1: (9 / 11, 2 / 11),
            2: (3 / 5, 2 / 5),
            3: (3 / 5, 2 / 5),
            4: (1.0, None),
            5: (1.0, None),
            6: (1 / (1 + EPS), EPS / (1 + EPS)),
            7: (EPS / (1 + EPS), 1 / (1 + EPS)),
        },
        "E-step 1",
    )
    check(
        rows("summary_1", "project_key", ["prior_1", "prior_2"]),
        {
            1: ((9 / 11 + 3 / 5 + 3 / 5) / 3, (2 / 11 + 2 / 5 + 2 / 5) / 3),  # 37/55, 18/55
            2: (1.0, None),
            3: ((1 / (1 + EPS) + EPS / (1 + EPS)) / 2, (EPS / (1 + EPS) + 1 / (1 + EPS)) / 2),
        },
        "priors 1",
    )
    # M-step on T1, w1: cell 1 (items 1, 2) n = (9/11 + 3/5, 2/11 + 2/5) = (78/55, 32/55), cell 2 (item 3)
    # n = (33/55, 22/55): e(a|a) = 78/111, e(b|a) = 33/111, e(a|b) = 32/54, e(b|b) = 22/54; w2 the same.
    # Project 3: T1 of items 6, 7 is hi = 1/(1+eps) and lo = eps/(1+eps) < eps, so lo is floored to eps:
    # w5 cell 7 (item 6) n = (hi, lo), cell 8 (item 7) n = (lo, hi): e(a|a) = hi / (hi + eps) = e(b|b),
    # e(b|a) = eps / (eps + hi) = e(a|b); w6 one cell (item 6): e(a|a) = hi / hi, e(a|b) = eps / eps
    hi = 1 / (1 + EPS)
    check(
        rows("confusion_1", "cell_key", m_step_cols[2:]),
        {
            1: (ln(78 / 111), ln(32 / 54)),
            2: (ln(33 / 111), ln(22 / 54)),
            3: (ln(78 / 111), ln(32 / 54)),
            4: (ln(33 / 111), ln(22 / 54)),
            5: (0.0, None),
            6: (0.0, None),
            7: (ln(hi / (hi + EPS)), ln(EPS / (EPS + hi))),
            8: (ln(EPS / (EPS + hi)), ln(hi / (hi + EPS))),
            9: (0.0, 0.0),
        },
        "M-step 1",
    )
