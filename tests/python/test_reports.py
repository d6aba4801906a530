"""The report site: page format, rendering, missing marts, atomic swap, exposures and privacy.

The session's shared demo warehouse and site (conftest.py `shared_demo`, also read by
test_report_browser.py through `demo_site()`); every other render goes into the test's own folder.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import shared_demo, shared_demo_site

from labelhouse.contract import dbt_vars
from labelhouse.errors import LabelhouseError
from labelhouse.report import ReportPageError, render_site
from labelhouse.report.data import MAX_ROWS
from labelhouse.report.pages import load_pages, parse_page
from labelhouse.report.render import DEFAULT_PAGES_DIR, _published_run_dir

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def demo_site() -> tuple[Path, Path, Path]:
    """(raw_dir, warehouse, site) for demo data: the session's shared demo build (conftest.py).

    A real gated build (the `labelhouse.build.build` the CLI runs: dbt with its data tests, both
    gates, publish), so the audit tables that the Overview and Data health pages read exist and
    every block of every page has data.
    """
    demo = shared_demo()
    return demo.raw, demo.warehouse, shared_demo_site()


def _strings(obj: object) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def _site_text(site: Path) -> dict[Path, str]:
    """Every text file of the site; for pages, also the decoded strings of their embedded data."""
    out = {}
    for p in site.rglob("*"):
        if not p.is_file() or p.suffix not in (".html", ".json", ".js", ".css", ".csv"):
            continue
        text = p.read_text(encoding="utf-8", errors="replace")
        m = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', text, re.S)
        if m:
            text += "\n" + "\n".join(_strings(json.loads(m.group(1))))
        out[p] = text
    return out


def find_private_data(site: Path, raw_dir: Path) -> list[str]:
    """E-mail addresses, or any item's content text from the raw exports, anywhere in the site."""
    texts: set[str] = set()
    con = duckdb.connect()
    try:
        for f in sorted(raw_dir.glob("items*")):
            reader = {".parquet": "read_parquet", ".jsonl": "read_json_auto"}.get(f.suffix, "read_csv_auto")
            cols = [r[0] for r in con.execute(f"describe select * from {reader}('{f}')").fetchall()]
            if "text" in cols:
                texts.update(
                    r[0]
                    for r in con.execute(f"select distinct text from {reader}('{f}')").fetchall()
                    if r[0] and len(r[0]) >= 12
                )
    finally:
        con.close()
    assert texts, "the demo exports should carry item text for this check to mean anything"
    found = []
    for path, content in _site_text(site).items():
        if path.name.startswith("vega-"):
            continue  # the Vega library itself (its licence header names people)
        for m in EMAIL.finditer(content):
            found.append(f"{path.name}: e-mail {m.group(0)}")
        for t in texts:
            if t in content:
                found.append(f"{path.name}: item text {t[:30]!r}")
    return found


def _page(tmp: Path, name: str, text: str) -> Path:
    pages = tmp / "pages"
    pages.mkdir(exist_ok=True)
    (pages / name).write_text(text, encoding="utf-8")
    return pages


GOOD_PAGE = """---
title: Small
---
Prose with **bold**.

```sql daily
select activity_date, project_id, n_annotations from marts.fct_project_daily order by 1, 2
```

```chart daily
type: line
x: activity_date
y: n_annotations
color: project_id
```

```table daily
formats: {n_annotations: int}
```
"""


def test_every_page_parses_and_reads_only_published_tables() -> None:
    pages = load_pages(DEFAULT_PAGES_DIR)
    assert [p.slug for p in pages][:2] == ["overview", "throughput"]
    for page in pages:
        assert page.queries, page.path
        assert page.tables_read(), page.path
        for table in page.tables_read():
            assert table.split(".")[0] in ("marts", "staging", "intermediate", "audit"), table
            if table.split(".")[0] in ("staging", "intermediate"):
                # the mart gate's privacy suite scans these tables (raw_record excepted)
                assert table.split(".")[1] in ("rejected_rows", "raw_file_inventory", "int_annotations"), table
        for name, sql in page.queries.items():
            assert "raw_record" not in sql.lower(), f"{page.path}: query {name} reads the raw record"


def test_each_page_has_an_exposure_that_depends_on_what_it_reads() -> None:
    exposures = yaml.safe_load((PROJECT_ROOT / "models" / "_exposures.yml").read_text())["exposures"]
    by_name = {e["name"]: e for e in exposures}
    for page in load_pages(DEFAULT_PAGES_DIR):
        exposure = by_name.get(f"report_{page.slug}")
        assert exposure is not None, f"no exposure report_{page.slug} in models/_exposures.yml"
        declared = set()
        for dep in exposure["depends_on"]:
            m = re.fullmatch(r"ref\('(\w+)'\)|source\('(\w+)',\s*'(\w+)'\)", dep)
            assert m, dep
            declared.add(m.group(1) or m.group(3))
        dbt_models = {p.stem for p in (PROJECT_ROOT / "models").rglob("*.sql")}
        read = {t.split(".")[1] for t in page.tables_read()} & dbt_models
        assert declared == read, f"{page.slug}: exposure says {sorted(declared)}, the page reads {sorted(read)}"
        assert exposure["url"].endswith(".html")


def test_site_has_every_page_assets_and_offline_docs() -> None:
    _, _, site = demo_site()
    for page in load_pages(DEFAULT_PAGES_DIR):
        name = "index.html" if page.slug == "overview" else f"{page.slug}.html"
        html = (site / name).read_text(encoding="utf-8")
        assert f"<title>{page.title}" in html
        # no remote script, style sheet or image: the site must open with no network
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), name
    assert list((site / "assets").glob("vega-*.js"))
    docs = (site / "docs" / "index.html").read_text(encoding="utf-8")
    assert "d1fc8wv8zag5ca" in docs  # the tracker's loader is still in the file...
    assert "track:!1" in docs  # ...but switched off
    assert (site / "docs" / "manifest.json").is_file() and (site / "docs" / "catalog.json").is_file()


def test_a_warehouse_without_its_build_folder_still_gets_docs(tmp_path: Path) -> None:
    """A copied warehouse has no run folder with the build's docs: the site generates them."""
    _, warehouse, built = demo_site()
    copy = tmp_path / "copied.duckdb"
    shutil.copyfile(warehouse, copy)
    messages: list[str] = []
    site = render_site(copy, tmp_path / "site", progress=messages.append)
    assert "Generating dbt docs for the site" in messages
    assert "track:!1" in (site / "docs" / "index.html").read_text(encoding="utf-8")
    made = json.loads((site / "docs" / "manifest.json").read_text(encoding="utf-8"))
    from_build = json.loads((built / "docs" / "manifest.json").read_text(encoding="utf-8"))
    assert {n.split(".")[-1] for n in made["nodes"]} == {n.split(".")[-1] for n in from_build["nodes"]}
    assert (site / "docs" / "catalog.json").is_file()


def test_overview_figures_equal_the_warehouse() -> None:
    _, warehouse, site = demo_site()
    html = (site / "index.html").read_text(encoding="utf-8")
    shown = dict(re.findall(r'data-figure="(\w+)" data-value="([^"]*)"', html))
    previous = dict(re.findall(r'data-figure="(\w+)" data-value="[^"]*" data-previous="([^"]*)"', html))
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        # from the annotator-level mart, independently of the project-level one the page reads
        week, prev = con.execute("""
            with d as (select max(activity_date) as last_day from marts.fct_annotator_daily)
            select
                sum(n_annotations) filter (where activity_date > last_day - 7),
                sum(n_annotations) filter (where activity_date <= last_day - 7 and activity_date > last_day - 14),
            from marts.fct_annotator_daily, d
        """).fetchone()
        backlog = con.execute("""
            with d as (select max(activity_date) as last_day from marts.fct_project_daily)
            select count(*) from intermediate.int_item_completion, d
            where cast(created_at as date) <= last_day
              and (completed_at is null or cast(completed_at as date) > last_day)
        """).fetchone()[0]
    finally:
        con.close()
    assert int(shown["n_annotations_week"]) == week
    assert int(previous["n_annotations_week"]) == prev
    assert int(shown["open_backlog"]) == backlog


def test_reporting_marts_equal_an_independent_computation() -> None:
    """rpt_* figures the Overview shows, recomputed in pandas / the krippendorff package."""
    import krippendorff
    import numpy as np

    _, warehouse, _ = demo_site()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        pooled = con.execute("select * from marts.rpt_agreement_weekly_pooled order by week").df()
        counts = con.execute(
            "select item_week, project_id, item_id, label, n_votes from intermediate.int_item_category_counts"
        ).df()
        per_project = con.execute(
            "select week, n_items, krippendorff_alpha from marts.fct_agreement_weekly where language = 'all'"
        ).df()
        throughput = con.execute("select * from marts.rpt_overview_throughput").df()
        daily = con.execute("select * from marts.fct_project_daily").df()
        annotator_daily = con.execute("select * from marts.fct_annotator_daily").df()
        headline = con.execute("select * from marts.rpt_model_headline order by model_name").df()
        evals = con.execute("select * from marts.fct_model_eval where language = 'all' and truth_source = 'all'").df()
        weekly = con.execute("select * from marts.rpt_project_weekly").df()
        histogram = con.execute("select * from marts.rpt_handle_time_histogram").df()
        handle = con.execute(
            "select project_id, handle_seconds from intermediate.int_annotations where handle_seconds is not null"
        ).df()
        moderation = con.execute(
            "select * from marts.rpt_moderation_monthly where decided_by = 'all' order by decision_month"
        ).df()
        by_label = con.execute("select * from marts.rpt_moderation_by_label").df()
        decisions = con.execute(
            "select date_trunc('month', decided_at) as month, label, decided_by, appealed_at is not null as appealed,"
            " coalesce(appeal_outcome = 'overturned', false) as overturned"
            " from staging.stg_raw__moderation_decisions"
        ).df()
    finally:
        con.close()

    # pooled alpha: one reliability matrix (items x labels) per week over every project
    assert len(pooled) == counts["item_week"].nunique() >= 2
    assert list(pooled.sort_values("week", ascending=False)["weeks_back"]) == list(range(1, len(pooled) + 1))
    for row in pooled.itertuples():
        week = counts[counts["item_week"] == row.week]
        matrix = week.pivot_table(
            index=["project_id", "item_id"], columns="label", values="n_votes", aggfunc="sum", fill_value=0
        )
        expected = krippendorff.alpha(value_counts=matrix.to_numpy(), level_of_measurement="nominal")
        assert row.krippendorff_alpha == pytest.approx(expected, abs=1e-9), row.week
        assert row.n_items == int((matrix.sum(axis=1) >= 2).sum())
    # the pooled alpha is not the items-weighted average of the projects' alphas the page used to show
    latest = pooled.loc[pooled["weeks_back"] == 1].iloc[0]
    pp = per_project[(per_project["week"] == latest["week"]) & per_project["krippendorff_alpha"].notna()]
    assert len(pp) >= 2
    weighted = float(np.average(pp["krippendorff_alpha"], weights=pp["n_items"]))
    assert abs(weighted - latest["krippendorff_alpha"]) > 1e-6

    # week windows: days 0-6 before the last day against days 7-13
    t = throughput.iloc[0]
    last_day = daily["activity_date"].max()
    back = (last_day - daily["activity_date"]).dt.days
    week, prev = daily[back.between(0, 6)], daily[back.between(7, 13)]
    assert pd_date(t["last_day"]) == pd_date(last_day)
    assert t["n_annotations_week"] == week["n_annotations"].sum()
    assert t["n_annotations_prev_week"] == prev["n_annotations"].sum()
    assert t["items_completed_week"] == week["items_completed"].sum()
    assert t["open_backlog"] == daily.loc[back == 0, "open_backlog"].sum()
    assert t["open_backlog_prev_week"] == daily.loc[back == 7, "open_backlog"].sum()
    assert t["sla_breach_rate_week"] == pytest.approx(week["n_sla_breached"].sum() / week["items_completed"].sum())
    assert t["sla_breach_rate_prev_week"] == pytest.approx(prev["n_sla_breached"].sum() / prev["items_completed"].sum())
    a_back = (last_day - annotator_daily["activity_date"]).dt.days
    a_week = annotator_daily[a_back.between(0, 6)]
    assert t["judgements_per_active_hour_week"] == pytest.approx(
        a_week["n_timed_annotations"].sum() / a_week["active_hours"].sum()
    )

    # weekly project rates: ratios of the week's sums
    daily["week"] = daily["activity_date"] - pd_timedelta(daily["activity_date"].dt.weekday)
    a_dates = annotator_daily["activity_date"]
    annotator_daily["week"] = a_dates - pd_timedelta(a_dates.dt.weekday)
    sla = daily.groupby(["project_id", "week"])[["n_sla_breached", "items_completed"]].sum()
    rate = annotator_daily.groupby(["project_id", "week"]).agg(
        timed=("n_timed_annotations", "sum"), hours=("active_hours", "sum"), n=("annotator_id", "nunique")
    )
    assert len(weekly) == len(sla.index.union(rate.index))
    for row in weekly.itertuples():
        key = (row.project_id, pd_date(row.week))
        s_row = sla.loc[[k for k in sla.index if (k[0], pd_date(k[1])) == key][0]]
        assert (row.n_sla_breached, row.items_completed) == (s_row.n_sla_breached, s_row.items_completed)
        if s_row.items_completed:
            assert row.sla_breach_rate == pytest.approx(s_row.n_sla_breached / s_row.items_completed)
        r_key = [k for k in rate.index if (k[0], pd_date(k[1])) == key]
        if r_key and rate.loc[r_key[0]].hours:
            assert row.annotations_per_active_hour == pytest.approx(rate.loc[r_key[0]].timed / rate.loc[r_key[0]].hours)
            assert row.n_annotators == rate.loc[r_key[0]].n
    # handle-time histogram: numpy's bin edges on the raw handle times
    for project, times in handle.groupby("project_id")["handle_seconds"]:
        edges = np.arange(0, 600 + 15, 15, dtype=float)
        counts, _ = np.histogram(np.minimum(times.to_numpy(dtype=float), 600.0), bins=[*edges, np.inf])
        got = histogram[histogram["project_id"] == project].set_index("handle_seconds_bin")["n_annotations"]
        # the last bin [600, inf) holds every capped time, labelled 600
        expected = {float(e): int(c) for e, c in zip(edges, counts, strict=True) if c}
        assert {float(k): int(v) for k, v in got.items()} == expected, project

    # moderation: overturned / appealed decisions per month, from the staged decisions themselves
    by_month = decisions.groupby("month").agg(
        n=("appealed", "size"), appealed=("appealed", "sum"), overturned=("overturned", "sum")
    )
    assert len(moderation) == len(by_month) >= 2
    for row in moderation.itertuples():
        month = by_month.loc[pd_date(row.decision_month) == by_month.index.astype(str).str[:10]].iloc[0]
        assert (row.n_decisions, row.n_appealed, row.n_overturned) == (month.n, month.appealed, month.overturned)
        assert row.overturn_rate == pytest.approx(month.overturned / month.appealed)
    assert list(moderation.sort_values("decision_month", ascending=False)["months_back"]) == list(
        range(1, len(moderation) + 1)
    )
    pooled_labels = decisions.groupby(["label", "decided_by"]).agg(
        n=("appealed", "size"), appealed=("appealed", "sum"), overturned=("overturned", "sum")
    )
    assert len(by_label) == len(pooled_labels)
    for row in by_label.itertuples():
        want = pooled_labels.loc[(row.label, row.decided_by)]
        assert (row.n_decisions, row.n_appealed, row.n_overturned) == (want.n, want.appealed, want.overturned)
        assert row.appeal_rate == pytest.approx(want.appealed / want.n)

    # model headline: the greatest version against the one before, means over labels
    assert list(headline["model_name"]) == sorted(evals["model_name"].unique())
    for row in headline.itertuples():
        versions = sorted(evals.loc[evals["model_name"] == row.model_name, "model_version"].unique(), reverse=True)
        latest_eval = evals[(evals["model_name"] == row.model_name) & (evals["model_version"] == versions[0])]
        assert row.latest_version == versions[0]
        assert row.n_labels == len(latest_eval)
        assert row.roc_auc_latest == pytest.approx(latest_eval["roc_auc"].mean())
        assert row.f1_latest == pytest.approx(latest_eval["f1"].mean())
        if len(versions) > 1:
            before = evals[(evals["model_name"] == row.model_name) & (evals["model_version"] == versions[1])]
            assert row.previous_version == versions[1]
            assert row.roc_auc_previous == pytest.approx(before["roc_auc"].mean())


def test_overview_throughput_and_agreement_marts_equal_an_independent_computation() -> None:
    """rpt_overview_quality, rpt_project_weekly's volume, rpt_project_forecast and
    rpt_adjudication_queue (figures that used to be computed in page SQL), recomputed in pandas."""
    _, warehouse, _ = demo_site()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        quality = con.execute("select * from marts.rpt_overview_quality").df()
        pooled = con.execute("select * from marts.rpt_agreement_weekly_pooled").df()
        annotators = con.execute("select project_id, annotator_id, is_flagged from marts.fct_annotator_quality").df()
        weekly = con.execute("select * from marts.rpt_project_weekly").df()
        daily = con.execute("select * from marts.fct_project_daily").df()
        forecast = con.execute("select * from marts.rpt_project_forecast order by project_id").df()
        projects = con.execute("select * from marts.dim_project").df()
        queue = con.execute("select * from marts.rpt_adjudication_queue order by adjudication_rank").df()
        consensus = con.execute("select * from marts.fct_item_consensus where needs_adjudication").df()
    finally:
        con.close()

    # flagged annotators: flagged in at least one project (the 'all' rows pool the projects)
    q = quality.iloc[0]
    assert len(quality) == 1
    per_project = annotators[annotators["project_id"] != "all"]
    assert q.n_flagged_annotators == per_project.loc[per_project["is_flagged"], "annotator_id"].nunique() > 0
    assert q.n_annotators == per_project["annotator_id"].nunique()
    latest = pooled.sort_values("weeks_back").iloc[:2]
    assert (q.alpha_week, q.alpha_prev_week) == (latest.iloc[0].krippendorff_alpha, latest.iloc[1].krippendorff_alpha)
    assert q.n_items_week == latest.iloc[0].n_items

    # weekly volume: judgements of the project's days of the (Monday) week
    daily["week"] = (daily["activity_date"] - pd_timedelta(daily["activity_date"].dt.weekday)).astype(str).str[:10]
    volume = daily.groupby(["project_id", "week"])["n_annotations"].sum()
    got = {(r.project_id, pd_date(r.week)): r.n_annotations for r in weekly.itertuples() if r.n_annotations}
    assert got == {k: int(v) for k, v in volume.items() if v}

    # forecast: each project's own latest day
    last = daily.sort_values("activity_date").groupby("project_id").tail(1).sort_values("project_id")
    assert forecast["project_id"].tolist() == last["project_id"].tolist()
    assert [pd_date(d) for d in forecast["as_of"]] == [pd_date(d) for d in last["activity_date"]]
    for col in ("cumulative_completed", "remaining_items", "is_on_track"):
        assert forecast[col].tolist() == last[col].tolist(), col
    names = projects.set_index("project_id")["project_name"]
    assert forecast["project_name"].tolist() == [names[p] for p in forecast["project_id"]]

    # adjudication queue: lowest consensus share first, then most judgements, then item_id; at most
    # var report_adjudication_max_items
    max_items = dbt_vars()["report_adjudication_max_items"]
    ranked = consensus.sort_values(
        ["consensus_share", "n_annotations", "item_id", "project_id"], ascending=[True, False, True, True]
    ).head(max_items)
    assert len(queue) == min(len(consensus), max_items) > 0
    assert queue["item_id"].tolist() == ranked["item_id"].tolist()
    assert queue["adjudication_rank"].tolist() == list(range(1, len(queue) + 1))


def pd_date(value: object) -> str:
    return str(value)[:10]


def pd_timedelta(days: object) -> object:
    import pandas as pd

    return pd.to_timedelta(days, unit="D")


def overlaid_series(site: Path) -> list[str]:
    """Line, area and heatmap charts whose data holds series the chart does not tell apart.

    A nominal column with several values must be encoded (color, dash, detail, facet, a joined
    series), be determined by the encoded columns (model_version by `series`), or be a filter that
    either is required or has 'all' roll-up rows (so an unset filter shows one series).
    """
    problems = []
    pages = load_pages(DEFAULT_PAGES_DIR)
    for i, page in enumerate(pages):
        html = site / ("index.html" if i == 0 else f"{page.slug}.html")
        m = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html.read_text(), re.S)
        payload = json.loads(m.group(1))
        required = set(page.meta.get("required") or [])
        for chart in payload["charts"]:
            data, spec = payload["datasets"][chart["dataset"]], chart["spec"]
            inner = spec.get("spec", spec)
            layers = inner.get("layer", [inner])
            marks = {
                (lay.get("mark") if isinstance(lay.get("mark"), str) else lay.get("mark", {}).get("type"))
                for lay in layers
            }
            if not marks & {"line", "area", "rect"}:
                continue
            encoded: set[str] = set()
            for layer in [*layers, inner, spec]:
                for channel, enc in (layer.get("encoding") or {}).items():
                    if channel not in ("tooltip", "x2", "y2", "opacity", "order"):
                        for e in enc if isinstance(enc, list) else [enc]:
                            encoded.add(e.get("field", "") if isinstance(e, dict) else "")
                for t in layer.get("transform", []):
                    if "calculate" in t and t["as"] in encoded:
                        encoded |= set(re.findall(r"datum\['(\w+)'\]", t["calculate"]))
            encoded |= {(spec.get("facet") or {}).get("column", {}).get("field", "")}
            cols, rows = data["columns"], data["rows"]
            keys = [cols.index(c) for c in cols if c in encoded]
            for i, col in enumerate(cols):
                values = {r[i] for r in rows}
                if data["kinds"][col] != "nominal" or col in encoded or len(values) < 2:
                    continue
                if col in payload["filters"] and (col in required or "all" in values):
                    continue
                by_key: dict[tuple, set] = {}
                for r in rows:
                    by_key.setdefault(tuple(r[k] for k in keys), set()).add(r[i])
                if any(len(v) > 1 for v in by_key.values()):
                    problems.append(f"{html.name}: chart of '{chart['dataset']}' overlays the values of {col}")
    return problems


def _raw_rows(path: Path) -> int:
    """Rows of one raw export file, read with pandas (not the warehouse's reader)."""
    import pandas as pd

    name = path.name
    if name.endswith(".parquet"):
        return len(pd.read_parquet(path))
    if name.endswith((".jsonl", ".jsonl.gz")):
        return len(pd.read_json(path, lines=True, dtype=False))
    return len(pd.read_csv(path, dtype=str, keep_default_na=False))


def test_annotator_and_data_health_marts_equal_an_independent_computation() -> None:
    """rpt_* figures of the Annotators and Data health pages, recomputed in pandas."""
    raw, warehouse, _ = demo_site()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        kappa = con.execute("select * from marts.rpt_annotator_pair_kappa").df()
        pairs = con.execute("select * from marts.fct_annotator_pair_agreement").df()
        top_n = con.execute(
            "select count(distinct annotator_a) from marts.rpt_annotator_pair_kappa"
            " group by project_id order by 1 desc limit 1"
        ).fetchone()[0]
        confusion = con.execute("select * from marts.rpt_annotator_latent_confusion").df()
        latent = con.execute("select * from marts.fct_annotator_latent_confusion").df()
        files = con.execute("select * from marts.rpt_data_health_files").df()
        summary = con.execute("select * from marts.rpt_data_health_summary").df()
        rejects = con.execute("select * from marts.rpt_data_health_rejects").df()
        rejected = con.execute("select entity, source_file, reject_reason from staging.rejected_rows").df()
    finally:
        con.close()

    # pair kappa: both directions of each pair among the project's 20 annotators with most shared items
    import pandas as pd

    both = pd.concat([pairs, pairs.rename(columns={"annotator_a": "annotator_b", "annotator_b": "annotator_a"})])
    shared = both.groupby(["project_id", "annotator_a"])["n_shared_items"].sum().reset_index()
    shared = shared.sort_values(["project_id", "n_shared_items", "annotator_a"], ascending=[True, False, True])
    top = set(map(tuple, shared.groupby("project_id").head(20)[["project_id", "annotator_a"]].to_numpy()))
    assert top_n == 20 < shared.groupby("project_id").size().max()  # the demo has more annotators than are shown
    keep = both[
        [
            (p, a) in top and (p, b) in top
            for p, a, b in both[["project_id", "annotator_a", "annotator_b"]].itertuples(index=False)
        ]
    ]
    keep = keep[keep["cohen_kappa"].notna()]
    key = ["project_id", "annotator_a", "annotator_b"]
    got = kappa.sort_values(key).reset_index(drop=True)
    want = keep.sort_values(key).reset_index(drop=True)
    assert got[key].values.tolist() == want[key].values.tolist()
    assert got["n_shared_items"].tolist() == want["n_shared_items"].tolist()
    assert got["cohen_kappa"].to_numpy() == pytest.approx(want["cohen_kappa"].to_numpy(), abs=1e-12)

    # pooled latent confusion ('all'): expected counts summed over annotators, normalised per true label
    own = confusion[confusion["annotator_id"] != "all"]
    confusion = confusion[confusion["annotator_id"] == "all"]
    sums = latent.groupby(["project_id", "true_label", "observed_label"])["expected_count"].sum()
    per_true = sums.groupby(level=["project_id", "true_label"]).transform("sum")
    assert len(confusion) == len(sums) > 0
    for row in confusion.itertuples():
        k = (row.project_id, row.true_label, row.observed_label)
        assert row.expected_judgements == pytest.approx(sums[k], rel=1e-12)
        assert row.probability == pytest.approx(sums[k] / per_true[k], rel=1e-12)
    # it is not the mean of the annotators' own probabilities
    mean_of_rates = latent.groupby(["project_id", "true_label", "observed_label"])["probability"].mean()
    merged = confusion.set_index(["project_id", "true_label", "observed_label"])["probability"]
    assert (merged - mean_of_rates.reindex(merged.index)).abs().max() > 1e-6
    # each annotator's own matrix, as fct_annotator_latent_confusion has it, for the project's
    # var report_confusion_top_annotators (20) annotators with the most judgements (expected counts
    # summed; ties by annotator_id)
    confusion_top_n = dbt_vars()["report_confusion_top_annotators"]
    judgements = latent.groupby(["project_id", "annotator_id"])["expected_count"].sum().reset_index()
    judgements = judgements.sort_values(["project_id", "expected_count", "annotator_id"], ascending=[True, False, True])
    top_annotators = set(
        map(tuple, judgements.groupby("project_id").head(confusion_top_n)[["project_id", "annotator_id"]].to_numpy())
    )
    assert set(map(tuple, own[["project_id", "annotator_id"]].drop_duplicates().to_numpy())) == top_annotators
    assert len(top_annotators) == confusion_top_n * latent["project_id"].nunique() < len(judgements)
    key = ["project_id", "annotator_id", "true_label", "observed_label"]
    want = latent[[(p, a) in top_annotators for p, a in latent[["project_id", "annotator_id"]].itertuples(index=False)]]
    got, want = own.sort_values(key).reset_index(drop=True), want.sort_values(key).reset_index(drop=True)
    assert got[key].values.tolist() == want[key].values.tolist()
    assert got["probability"].to_numpy() == pytest.approx(want["probability"].to_numpy(), abs=1e-12)
    assert got["expected_judgements"].to_numpy() == pytest.approx(want["expected_count"].to_numpy(), abs=1e-12)

    # data health: rows counted in each raw file by pandas, rejected rows per file and reason
    assert len(files) == len(list(raw.glob("*.*"))) - 1  # every raw file but the generator's manifest
    per_file = rejected.groupby(["entity", "source_file"]).size()
    for row in files.itertuples():
        assert row.n_rows == _raw_rows(raw / row.source_file), row.source_file
        n = int(per_file.get((row.entity, row.source_file), 0))
        assert row.n_rejected == n
        assert row.rejected_share == pytest.approx(n / row.n_rows)
    assert per_file.sum() == files["n_rejected"].sum() > 0
    s = summary.iloc[0]
    assert len(summary) == 1
    assert (s.n_files, s.n_raw_rows, s.n_rejected_rows) == (len(files), files["n_rows"].sum(), len(rejected))
    assert s.rejected_share == pytest.approx(len(rejected) / files["n_rows"].sum())
    by_reason = rejected.groupby(["entity", "reject_reason"]).size()
    got_reasons = {(r.entity, r.reject_reason): r.n_rows for r in rejects.itertuples()}
    assert got_reasons == {k: int(v) for k, v in by_reason.items()}


def test_every_chart_tells_its_series_apart() -> None:
    _, _, site = demo_site()
    assert overlaid_series(site) == []


def test_no_email_or_item_text_in_the_site() -> None:
    raw, _, site = demo_site()
    assert find_private_data(site, raw) == []


def test_privacy_check_catches_a_page_that_leaks_raw_records(tmp_path: Path) -> None:
    raw, warehouse, _ = demo_site()
    leaky = _page(
        tmp_path,
        "leak.md",
        """---
title: Leak
---
```sql leak
select * from (select item_id, text from read_parquet('{raw}/items*.parquet') limit 5)
union all
select 'x', 'contact: someone@example.org'
```

```table leak
```
""".replace("{raw}", str(raw)),
    )
    site = render_site(warehouse, tmp_path / "site", progress=lambda _: None, pages_dir=leaky, docs=False)
    found = find_private_data(site, raw)
    assert any("e-mail" in f for f in found)
    assert any("item text" in f for f in found)


def test_missing_mart_renders_a_notice_not_a_crash(tmp_path: Path) -> None:
    _, warehouse, _ = demo_site()
    pages = _page(tmp_path, "10_small.md", GOOD_PAGE)
    _page(
        tmp_path,
        "20_later.md",
        """---
title: Later
---
```sql appeals
select label, overturn_rate from marts.fct_not_built_yet
```

```chart appeals
type: bar
x: label
y: overturn_rate
```
""",
    )
    site = render_site(warehouse, tmp_path / "site", progress=lambda _: None, pages_dir=pages, docs=False)
    later = (site / "later.html").read_text(encoding="utf-8")
    assert "Not available in this warehouse" in later and "fct_not_built_yet" in later
    small = (site / "index.html").read_text(encoding="utf-8")
    assert "Not available" not in small and '"charts":[{' in small


def test_failed_render_keeps_the_previous_site(tmp_path: Path) -> None:
    _, warehouse, _ = demo_site()
    pages = _page(tmp_path, "10_small.md", GOOD_PAGE)
    out = tmp_path / "site"
    render_site(warehouse, out, progress=lambda _: None, pages_dir=pages, docs=False)
    before = (out / "index.html").read_text(encoding="utf-8")
    (pages / "10_small.md").write_text(GOOD_PAGE.replace("n_annotations from", "no_such_column from"))
    with pytest.raises(ReportPageError, match="daily"):
        render_site(warehouse, out, progress=lambda _: None, pages_dir=pages, docs=False)
    assert (out / "index.html").read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    _, warehouse, _ = demo_site()
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(LabelhouseError, match="not a labelhouse report site"):
        render_site(warehouse, out, progress=lambda _: None, docs=False)
    assert (out / "notes.txt").read_text() == "keep me"


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LabelhouseError, match="labelhouse build"):
        render_site(tmp_path / "nope.duckdb", tmp_path / "site", progress=lambda _: None)


def test_a_query_over_the_row_cap_fails_the_render_naming_page_query_and_rows(tmp_path: Path) -> None:
    """No silent truncation: a page query of more than MAX_ROWS rows stops the render."""
    _, warehouse, _ = demo_site()
    text = "---\ntitle: T\n---\n```sql many\nselect range as n from range({n}) order by n\n```\n```table many\n```\n"
    pages = _page(tmp_path, "20_big.md", text.format(n=MAX_ROWS + 7))
    with pytest.raises(
        ReportPageError,
        match=re.escape(f"page 20_big.md: query 'many' returns {MAX_ROWS + 7:,} rows, more than the {MAX_ROWS:,}"),
    ):
        render_site(warehouse, tmp_path / "site", progress=lambda _: None, pages_dir=pages, docs=False)
    assert not (tmp_path / "site").exists()
    (pages / "20_big.md").write_text(text.format(n=MAX_ROWS), encoding="utf-8")  # exactly the cap: shipped whole
    site = render_site(warehouse, tmp_path / "site", progress=lambda _: None, pages_dir=pages, docs=False)
    m = re.search(
        r'<script type="application/json" id="page-data">(.*?)</script>',
        (site / "index.html").read_text(encoding="utf-8"),
        re.S,
    )
    assert len(json.loads(m.group(1))["datasets"]["many"]["rows"]) == MAX_ROWS


def _curve_keys(con: duckdb.DuckDBPyConnection, table: str) -> set[tuple]:
    return set(
        con.execute(
            f"select distinct model_name, model_version, label, language from {table}"
            + (" where truth_source = 'all'" if "fct_" in table else "")
        ).fetchall()
    )


def _check_thinned_curves(con: duckdb.DuckDBPyConnection, full: str, thinned: str) -> int:
    """Every curve of `full` is in `thinned` with its first and last point, at most one operating
    point, and K evenly spread points for one K over all curves (all its points when it has no
    more than K), plus the operating point when it is not one of them; returns K."""
    assert _curve_keys(con, thinned) == _curve_keys(con, full)
    per_curve = con.execute(f"""
        with f as (
            select model_name, model_version, label, language, min(score_rank) as first_rank,
                   max(score_rank) as last_rank, count(*) as n_full
            from {full} where truth_source = 'all' group by all
        ), t as (
            select model_name, model_version, label, language, min(score_rank) as first_rank,
                   max(score_rank) as last_rank, count(*) as n_kept,
                   count(*) filter (where is_operating_point) as n_operating
            from {thinned} group by all
        )
        select f.n_full, t.n_kept, t.n_operating, f.first_rank = t.first_rank and f.last_rank = t.last_rank
        from f join t using (model_name, model_version, label, language)
    """).fetchall()
    assert all(ends for *_, ends in per_curve)
    assert all(n_operating <= 1 for _, _, n_operating, _ in per_curve)
    k = min(n_kept for n_full, n_kept, _, _ in per_curve if n_kept < n_full)
    bad = [(n_full, n_kept) for n_full, n_kept, _, _ in per_curve if not min(n_full, k) <= n_kept <= min(n_full, k + 1)]
    assert bad == [], f"curves not thinned to {k} points (+ the operating point): {bad[:5]}"
    return k


def test_curve_mart_is_chart_sized_whatever_the_number_of_models(tmp_path: Path) -> None:
    """rpt_model_curve keeps every curve of every model (its first, last and operating points) and
    stays under the report's row cap: on the demo, and with its compiled SQL run on the demo's
    curves copied for 20 model versions (5x the demo's 4), where each curve gets fewer points."""
    _, warehouse, _ = demo_site()
    max_points = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())["vars"]["report_curve_max_points"]
    run_dir = _published_run_dir(warehouse)
    compiled = (
        run_dir / "dbt" / "compiled" / "labelhouse" / "models" / "marts" / "reporting" / "rpt_model_curve.sql"
    ).read_text(encoding="utf-8")
    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as demo (read_only)")
        demo_rows = con.execute("select count(*) from demo.marts.rpt_model_curve").fetchone()[0]
        assert demo_rows <= MAX_ROWS
        demo_points = _check_thinned_curves(con, "demo.marts.fct_model_curve", "demo.marts.rpt_model_curve")
        # the demo's 4 model versions: each curve keeps the full report_curve_max_points
        assert demo_points in (max_points, max_points + 1)
        con.execute("create schema many")
        for table in ("fct_model_curve", "fct_model_eval"):
            con.execute(
                f"create table many.{table} as select * replace (model_name || '-' || copy as model_name)"
                f" from demo.marts.{table}, range(5) as copies(copy)"
            )
        sql = re.sub(r'"\w+"\."marts"\."(fct_model_curve|fct_model_eval)"', r"many.\1", compiled)
        con.execute(f"create table many.rpt_model_curve as {sql}")
        series = con.execute("select count(distinct series) from many.rpt_model_curve").fetchone()
        assert series == (20,)
        rows = con.execute("select count(*) from many.rpt_model_curve").fetchone()[0]
        assert rows <= MAX_ROWS < 5 * demo_rows
        assert 2 <= _check_thinned_curves(con, "many.fct_model_curve", "many.rpt_model_curve") < max_points
    finally:
        con.close()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("```chart daily\ntype: line\nx: nope\ny: n\n```\n", "column 'nope'"),
        ("```chart other\ntype: line\n```\n", "no ```sql other block"),
        ("```chart daily\ntype: pie\n```\n", "chart type 'pie'"),
        ("```table daily\ncolumns: [zzz]\n```\n", "zzz"),
        ("```table daily\nformats: {n: money}\n```\n", "unknown formats"),
    ],
)
def test_page_mistakes_name_the_block(tmp_path: Path, body: str, message: str) -> None:
    _, warehouse, _ = demo_site()
    text = "---\ntitle: T\n---\n```sql daily\nselect 1 as n, 'a' as k\n```\n" + body
    pages = _page(tmp_path, "t.md", text)
    with pytest.raises(ReportPageError, match=re.escape(message)):
        render_site(warehouse, tmp_path / "site", progress=lambda _: None, pages_dir=pages, docs=False)


def test_page_parser_keeps_prose_and_ordinary_code_blocks(tmp_path: Path) -> None:
    path = tmp_path / "05_x.md"
    path.write_text(
        "---\ntitle: X\nfilters: [project_id]\n---\nIntro\n\n```python\nprint(1)\n```\n\n"
        "```sql q\nselect 1 from marts.dim_project -- from marts.ignored\n```\n"
    )
    page = parse_page(path)
    assert page.slug == "x" and page.filters == ["project_id"]
    assert "print(1)" in page.parts[0]
    assert page.tables_read() == {"marts.dim_project"}
    path.write_text("---\nfilters: [colour]\n---\n")
    with pytest.raises(ReportPageError, match="unknown filters"):
        parse_page(path)


def test_pages_quote_dbt_vars_instead_of_restating_them(tmp_path: Path) -> None:
    """{{ var('x') }} in a page's prose and block YAML becomes the var's value from dbt_project.yml;
    an unknown var, or a var in a SQL block, fails the page by name."""
    top = dbt_vars()["report_pair_top_annotators"]
    page = tmp_path / "10_vars.md"
    page.write_text(
        "---\ntitle: Vars\n---\nThe {{ var('report_pair_top_annotators') }} annotators.\n\n"
        "```sql q\nselect 1 as x\n```\n\n```table q\ntitle: Top {{var( 'report_pair_top_annotators' )}}\n```\n",
        encoding="utf-8",
    )
    parsed = parse_page(page)
    prose = "".join(p for p in parsed.parts if isinstance(p, str))
    assert f"The {top} annotators." in prose and "var(" not in prose
    assert next(b for b in parsed.blocks if b.kind == "table").options["title"] == f"Top {top}"
    page.write_text("---\ntitle: Vars\n---\n{{ var('no_such_var') }}\n", encoding="utf-8")
    with pytest.raises(ReportPageError, match="no_such_var"):
        parse_page(page)
    page.write_text(
        "---\ntitle: Vars\n---\n```sql q\nselect {{ var('target_reliability') }} as x\n```\n", encoding="utf-8"
    )
    with pytest.raises(ReportPageError, match="sql block 'q' quotes a dbt var"):
        parse_page(page)
