"""The report site in a real browser: headless Chromium (Debian's package) through Playwright.

Every page loads with no console error and no request to any host but 127.0.0.1, its charts
draw marks, filters change what charts and tables show, tables sort and download as CSV, key
figures equal the warehouse, and a screenshot of each page is saved for review under
reports/build/screenshots/.
"""

from __future__ import annotations

import csv
import functools
import http.server
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from test_reports import demo_site, overlaid_series

from labelhouse.report.pages import load_pages
from labelhouse.report.render import DEFAULT_PAGES_DIR

# Debian's chromium by default; LABELHOUSE_CHROMIUM points at another build (e.g. google-chrome).
CHROMIUM = Path(os.environ.get("LABELHOUSE_CHROMIUM", "/usr/bin/chromium"))
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "reports" / "build" / "screenshots"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MARKS = "svg .mark-line path, svg .mark-rect path, svg .mark-symbol path, svg .mark-area path, svg .mark-rule line"

if os.environ.get("CI") and not CHROMIUM.exists():
    # on CI a missing browser is a broken set-up, not a reason to skip the report's tests
    raise RuntimeError(f"the report browser tests need Chromium at {CHROMIUM}: apt-get install chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed: apt-get install chromium"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    _, _, site = demo_site()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


class Watched:
    """A page whose console errors and outside requests are recorded (and aborted)."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, url: str) -> Any:
        self.page.goto(url)
        self.page.wait_for_function("document.body.getAttribute('data-ready') === '1'", timeout=30_000)
        return self.page

    def check_clean(self) -> None:
        assert self.outside == [], f"requests to other hosts: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    w = Watched(browser)
    try:
        yield w
    finally:
        w.close()


def _pages() -> list[tuple[str, str]]:
    return [(p.slug, "index.html" if i == 0 else f"{p.slug}.html") for i, p in enumerate(load_pages(DEFAULT_PAGES_DIR))]


@pytest.mark.parametrize(("slug", "href"), _pages())
def test_page_loads_cleanly_draws_marks_and_is_screenshotted(
    server: str, watched: Watched, slug: str, href: str
) -> None:
    page = watched.open(f"{server}/{href}")
    missing = page.locator(".unavailable").all_inner_texts()
    assert not missing, f"{slug}: blocks without data: {missing}"
    declared = sum(1 for p in load_pages(DEFAULT_PAGES_DIR) if p.slug == slug for b in p.blocks if b.kind == "chart")
    charts = page.locator(".block-chart .chart")
    assert charts.count() == declared, f"{slug}: {charts.count()} charts drawn, {declared} declared"
    for i in range(charts.count()):
        n_marks = charts.nth(i).locator(MARKS).count()
        block = charts.nth(i).evaluate("el => el.closest('section').dataset.block")
        assert n_marks > 0, f"{slug}: chart of '{block}' drew nothing"
    for table in page.locator(".block-table .table-wrap").all():
        assert table.locator("tbody tr").count() > 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{slug}.png"), full_page=True)
    watched.check_clean()


def _view_rows(page: Any, block: str) -> int:
    return page.evaluate(
        """block => {
            const id = document.querySelector(`section.block-chart[data-block='${block}']`).id;
            return window.labelhouseReport.views[id].data('rows').length;
        }""",
        block,
    )


def test_filters_change_charts_and_tables(server: str, watched: Watched) -> None:
    page = watched.open(f"{server}/throughput.html")
    all_rows = _view_rows(page, "daily_volume")
    table = page.locator("section.block-table[data-block='sla']")
    all_count = table.locator(".table-count").inner_text()
    projects = page.locator("#filter-project_id option").all_inner_texts()[1:]
    assert len(projects) >= 2
    page.select_option("#filter-project_id", projects[0])
    page.wait_for_timeout(200)
    one_rows = _view_rows(page, "daily_volume")
    assert 0 < one_rows < all_rows
    assert table.locator(".table-count").inner_text() != all_count
    cells = table.locator("tbody td[data-col='project_id']").all_inner_texts()
    assert cells and set(cells) == {projects[0]}
    # a date range narrows it further
    page.fill("#filter-date_from", "2026-10-01")
    page.dispatch_event("#filter-date_from", "change")
    page.wait_for_timeout(200)
    dated = page.evaluate("""() => {
        const id = document.querySelector("section.block-chart[data-block='daily_volume']").id;
        return window.labelhouseReport.views[id].data('rows').map(r => r.activity_date);
    }""")
    assert dated and min(dated) >= "2026-10-01" and len(dated) < one_rows
    page.click("#filter-reset")
    page.wait_for_timeout(200)
    assert _view_rows(page, "daily_volume") == all_rows
    watched.check_clean()


def test_language_filter_swaps_rollup_rows_for_one_language(server: str, watched: Watched) -> None:
    page = watched.open(f"{server}/agreement.html")
    langs = page.locator("section[data-block='agreement'] tbody td[data-col='language']").all_inner_texts()
    assert set(langs) == {"all"}
    page.select_option("#filter-language", "en")
    page.wait_for_timeout(200)
    langs = page.locator("section[data-block='agreement'] tbody td[data-col='language']").all_inner_texts()
    assert langs and set(langs) == {"en"}
    watched.check_clean()


def test_tables_sort_and_download_csv(server: str, watched: Watched) -> None:
    page = watched.open(f"{server}/data_health.html")
    section = page.locator("section.block-table[data-block='files']")
    section.locator("th[data-col='n_rows'] button").click()  # numbers sort largest first
    values = [int(v.replace(",", "")) for v in section.locator("tbody td[data-col='n_rows']").all_inner_texts()]
    assert values == sorted(values, reverse=True)
    section.locator("th[data-col='n_rows'] button").click()
    values = [int(v.replace(",", "")) for v in section.locator("tbody td[data-col='n_rows']").all_inner_texts()]
    assert values == sorted(values)
    with page.expect_download() as info:
        section.locator("button.csv").click()
    download = info.value
    assert download.suggested_filename == "files.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    _, warehouse, _ = demo_site()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        n_files, n_raw = con.execute("select count(*), sum(n_rows) from staging.raw_file_inventory").fetchone()
    finally:
        con.close()
    assert len(rows) == n_files
    assert sum(int(r["n_rows"]) for r in rows) == n_raw
    assert [int(r["n_rows"]) for r in rows] == sorted(int(r["n_rows"]) for r in rows)
    watched.check_clean()


def test_key_figures_in_the_page_equal_the_warehouse(server: str, watched: Watched) -> None:
    page = watched.open(f"{server}/data_health.html")
    _, warehouse, _ = demo_site()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        n_files, n_raw = con.execute("select count(*), sum(n_rows) from staging.raw_file_inventory").fetchone()
        n_rejected = con.execute("select count(*) from staging.rejected_rows").fetchone()[0]
    finally:
        con.close()
    shown = {
        k: page.locator(f"[data-figure='{k}'] .figure-value").inner_text()
        for k in ("n_files", "n_raw_rows", "n_rejected_rows", "rejected_share")
    }
    assert shown["n_files"] == f"{n_files:,}"
    assert shown["n_raw_rows"] == f"{n_raw:,}"
    assert shown["n_rejected_rows"] == f"{n_rejected:,}"
    assert shown["rejected_share"] == f"{n_rejected / n_raw * 100:.1f}%"
    watched.check_clean()


def test_small_samples_are_greyed(server: str, watched: Watched) -> None:
    page = watched.open(f"{server}/annotators.html")
    rows = page.locator("section[data-block='quality'] tbody tr")
    small = page.locator("section[data-block='quality'] tbody tr.small-n")
    assert small.count() > 0
    for i in range(small.count()):
        cell = small.nth(i).locator("td[data-col='n_gold_annotations']")
        assert int(cell.inner_text().split()[0].replace(",", "")) < 30 and "n < 30" in cell.inner_text()
    assert rows.count() >= small.count()
    watched.check_clean()


def test_annotator_filter_shows_one_annotators_confusion_matrix(server: str, watched: Watched) -> None:
    """Unset, the heat map is the project's annotators pooled ('all'); one annotator chosen, their
    own matrix, and the quality table narrows to them (with latent accuracy beside gold)."""
    page = watched.open(f"{server}/annotators.html")

    def heat_rows() -> list[dict[str, Any]]:
        return page.evaluate("""() => {
            const id = document.querySelector("section.block-chart[data-block='latent_confusion']").id;
            return window.labelhouseReport.views[id].data('rows').map(r => ({a: r.annotator_id, p: r.project_id}));
        }""")

    project = page.locator("#filter-project_id").input_value()
    pooled = heat_rows()
    assert pooled and {(r["a"], r["p"]) for r in pooled} == {("all", project)}
    headers = page.locator("section[data-block='quality'] thead th").all_inner_texts()
    assert any("latent accuracy" in h for h in headers) and any("gold accuracy" in h for h in headers)
    options = page.locator("#filter-annotator_id option").all_inner_texts()
    assert options[0] == "All" and 20 <= len(options) - 1 < 200  # the annotators with a matrix, not all 200
    in_project = set(
        page.evaluate(
            """p => JSON.parse(document.getElementById('page-data').textContent)
        .datasets.latent_confusion.rows.filter(r => r[0] === p).map(r => r[1])""",
            project,
        )
    ) - {"all"}
    assert len(in_project) == 20  # the project's 20 annotators with the most judgements
    chosen = sorted(in_project)[-1]
    page.select_option("#filter-annotator_id", chosen)
    page.wait_for_timeout(200)
    own = heat_rows()
    assert own and {(r["a"], r["p"]) for r in own} == {(chosen, project)}
    cells = page.locator("section[data-block='quality'] tbody td[data-col='annotator_id']").all_inner_texts()
    assert cells == [chosen]
    watched.check_clean()


def test_dbt_docs_open_offline(server: str, watched: Watched) -> None:
    failed: list[str] = []
    watched.page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    watched.page.on("response", lambda r: failed.append(f"{r.url} ({r.status})") if r.status >= 400 else None)
    watched.page.goto(f"{server}/docs/index.html")
    # the embedded manifest has loaded when the project tree shows the report exposures
    watched.page.wait_for_function(
        "document.body.innerText.includes('Exposures') && document.body.innerText.includes('labelhouse')",
        timeout=30_000,
    )
    # open a model's page too: the tree's icons and the model view must not fetch anything missing
    watched.page.goto(f"{server}/docs/index.html#!/model/model.labelhouse.fct_model_eval")
    watched.page.wait_for_function("document.body.innerText.includes('fct_model_eval')", timeout=30_000)
    watched.page.wait_for_timeout(500)
    assert failed == [], f"failed requests: {failed}"
    watched.check_clean()


def test_site_opens_from_file_url(browser: Any) -> None:
    _, _, site = demo_site()
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto((site / "throughput.html").as_uri())
        page.wait_for_function("document.body.getAttribute('data-ready') === '1'", timeout=30_000)
        assert page.locator(f".block-chart .chart >> {MARKS}").count() > 0
        assert errors == []
    finally:
        page.close()


def two_model_site() -> tuple[Path, Path]:
    """(warehouse, site) of demo exports: two model names (safety-classifier and safety-lite),
    each with versions v1 and v2, whose curves differ (the generator plants a weaker v2 of the
    second model). The session's shared demo build has them (the test checks it does)."""
    _, warehouse, site = demo_site()
    return warehouse, site


@pytest.fixture(scope="module")
def two_model_server(server: str) -> str:
    """The one served demo site (it has the two models)."""
    return server


def _line_series(page: Any, chart_id: str) -> list[dict[str, Any]]:
    """Every line the chart's line layer draws: its grouping fields and the x values of its points."""
    return page.evaluate(
        """id => {
            const lines = [];
            (function walk(node) {
                if (node.marktype === 'line') {
                    // one line mark per group: its items are the line's points
                    const pts = node.items.map(p => p.datum).filter(d => d && d.model_name !== undefined);
                    if (pts.length) lines.push(pts);
                    return;
                }
                (node.items || []).forEach(walk);
            })(window.labelhouseReport.views[id].scenegraph().root);
            return lines.map(pts => pts.map(d => ({model_name: d.model_name, model_version: d.model_version,
                                                  label: d.label, language: d.language, metric: d.metric ?? null})));
        }""",
        chart_id,
    )


def test_two_models_are_told_apart_on_the_models_page(two_model_server: str, watched: Watched) -> None:
    warehouse, _ = two_model_site()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        models = sorted(r[0] for r in con.execute("select distinct model_name from marts.fct_model_eval").fetchall())
        n_series = con.execute(
            "select count(distinct (model_name, model_version)) from marts.fct_model_eval"
        ).fetchone()[0]
    finally:
        con.close()
    assert len(models) == 2 and n_series == 4
    assert overlaid_series(two_model_site()[1]) == []
    page = watched.open(f"{two_model_server}/model_evaluation.html")
    # the model filter lists both models
    assert page.locator("#filter-model_name option").all_inner_texts()[1:] == models
    # every line of every curve chart holds one model, version, label and language (no zig-zag)
    charts = page.locator("section.block-chart")
    assert charts.count() >= 4
    for i in range(charts.count()):
        section = charts.nth(i)
        lines = _line_series(page, section.get_attribute("id"))
        block = section.get_attribute("data-block")
        assert lines, f"chart {i} of '{block}' drew no line"
        for line in lines:
            assert len({tuple(sorted(p.items())) for p in line}) == 1, f"chart {i} of '{block}' mixes series"
        # the default filters (label hate, every language pooled) leave one line per model and version
        # (and per metric on the threshold chart)
        shown = {(line[0]["model_name"], line[0]["model_version"]) for line in lines}
        assert len(shown) == n_series, f"chart {i} of '{block}' draws {sorted(shown)}"
        assert len(lines) == n_series * len({line[0]["metric"] for line in lines}), f"chart {i} of '{block}'"
    # the metrics table says which model each row is
    table = page.locator("section.block-table[data-block='eval']")
    names = set(table.locator("tbody td[data-col='model_name']").all_inner_texts())
    assert names == set(models)
    # the model filter narrows tables and charts to one model
    page.select_option("#filter-model_name", models[1])
    page.wait_for_timeout(300)
    assert set(table.locator("tbody td[data-col='model_name']").all_inner_texts()) == {models[1]}
    for i in range(charts.count()):
        lines = _line_series(page, charts.nth(i).get_attribute("id"))
        assert lines and {p["model_name"] for line in lines for p in line} == {models[1]}
    watched.check_clean()


def test_alerts_link_to_the_page_that_explains_them(server: str, watched: Watched) -> None:
    """The Alerts table's 'explained on' column links each alert to its report page (format page)."""
    page = watched.open(f"{server}/alerts.html")
    links = page.locator("section[data-block='alerts'] td[data-col='report_page'] a")
    rows = page.locator("section[data-block='alerts'] tbody tr")
    assert links.count() == rows.count() > 0
    hrefs = {href for _, href in _pages()}
    for i in range(links.count()):
        assert links.nth(i).get_attribute("href") in hrefs
    target = links.first.get_attribute("href")
    links.first.click()
    page.wait_for_url(f"**/{target}")
    page.wait_for_function("document.body.getAttribute('data-ready') === '1'", timeout=30_000)
    watched.check_clean()
