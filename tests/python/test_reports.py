"""The report site: page format, rendering, missing marts, atomic swap, exposures and privacy.

One demo warehouse is built per test session (shared with test_report_browser.py through
`demo_site()`), then every test renders into its own folder.
"""

from __future__ import annotations

import atexit
import functools
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml

from labelhouse.errors import LabelhouseError
from labelhouse.report import ReportPageError, render_site
from labelhouse.report.pages import load_pages, parse_page
from labelhouse.report.render import DEFAULT_PAGES_DIR

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@functools.lru_cache(maxsize=1)
def demo_site() -> tuple[Path, Path, Path]:
    """(raw_dir, warehouse, site) for demo data: built once per test session.

    A real gated build (the `labelhouse.build.build` the CLI runs: dbt with its data tests, both
    gates, publish), so the audit tables that the Overview and Data health pages read exist and
    every block of every page has data.
    """
    from labelhouse.build import build
    from labelhouse.demo import generate

    root = Path(tempfile.mkdtemp(prefix="lh-report-tests-"))
    atexit.register(shutil.rmtree, root, True)
    raw = root / "raw"
    generate(raw, n_annotations=30_000, seed=7)
    result = build(raw, root / "warehouse.duckdb", full_refresh=True, progress=lambda _: None)
    site = render_site(result.warehouse, root / "site", progress=lambda _: None, raw_dir=raw)
    return raw, result.warehouse, site


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
                texts.update(r[0] for r in con.execute(f"select distinct text from {reader}('{f}')").fetchall()
                             if r[0] and len(r[0]) >= 12)
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


def test_no_email_or_item_text_in_the_site() -> None:
    raw, _, site = demo_site()
    assert find_private_data(site, raw) == []


def test_privacy_check_catches_a_page_that_leaks_raw_records(tmp_path: Path) -> None:
    raw, warehouse, _ = demo_site()
    leaky = _page(tmp_path, "leak.md", """---
title: Leak
---
```sql leak
select * from (select item_id, text from read_parquet('{raw}/items*.parquet') limit 5)
union all
select 'x', 'contact: someone@example.org'
```

```table leak
```
""".replace("{raw}", str(raw)))
    site = render_site(warehouse, tmp_path / "site", progress=lambda _: None, pages_dir=leaky, docs=False)
    found = find_private_data(site, raw)
    assert any("e-mail" in f for f in found)
    assert any("item text" in f for f in found)


def test_missing_mart_renders_a_notice_not_a_crash(tmp_path: Path) -> None:
    _, warehouse, _ = demo_site()
    pages = _page(tmp_path, "10_small.md", GOOD_PAGE)
    _page(tmp_path, "20_later.md", """---
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
""")
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
    path.write_text("---\ntitle: X\nfilters: [project_id]\n---\nIntro\n\n```python\nprint(1)\n```\n\n"
                    "```sql q\nselect 1 from marts.dim_project -- from marts.ignored\n```\n")
    page = parse_page(path)
    assert page.slug == "x" and page.filters == ["project_id"]
    assert "print(1)" in page.parts[0]
    assert page.tables_read() == {"marts.dim_project"}
    path.write_text("---\nfilters: [colour]\n---\n")
    with pytest.raises(ReportPageError, match="unknown filters"):
        parse_page(path)
