"""Render the static report site: every page in reports/pages, shared assets and the dbt docs.

The site is written into a temporary folder beside `out` and swapped in at the end, so a failed
render never leaves half a site: the previous one stays until the new one is complete.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import jinja2
from markdown_it import MarkdownIt

from labelhouse.errors import LabelhouseError
from labelhouse.paths import PROJECT_ROOT
from labelhouse.report.assets import write_vega_bundle
from labelhouse.report.charts import SMALL_N, chart_spec
from labelhouse.report.data import Dataset, run_query
from labelhouse.report.pages import KNOWN_FILTERS, Block, Page, ReportPageError, load_pages

Progress = Callable[[str], None]
DEFAULT_PAGES_DIR = PROJECT_ROOT / "reports" / "pages"
SITE_MARKER = ".labelhouse-site"
KEEP_ACROSS_RENDERS = ("screenshots",)
_HERE = Path(__file__).resolve().parent

# "page": the value is a report page slug, shown as a link to that page (its menu name)
FORMATS = ("int", "num", "num1", "num2", "num3", "pct", "pct1", "text", "date", "hours", "seconds", "pvalue", "page")


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["fmt"] = format_value
    return env


def format_value(value: Any, fmt: str | None = None) -> str:
    """Server-side number formatting, the same rules as report.js's format()."""
    if value is None:
        return "–"
    if fmt == "date":
        return str(value)[:10]
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d", value) and fmt != "text":
        return value[:16].replace("T", " ") + " UTC"
    if fmt == "text" or isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    v = float(value)
    if fmt == "pct":
        return f"{v * 100:.1f}%"
    if fmt == "pct1":
        return f"{v * 100:.0f}%"
    if fmt == "int" or (fmt is None and v == int(v) and abs(v) >= 1):
        return f"{v:,.0f}"
    if fmt == "num1":
        return f"{v:,.1f}"
    if fmt == "num2":
        return f"{v:,.2f}"
    if fmt == "hours":
        return f"{v:,.1f} h"
    if fmt == "seconds":
        return f"{v:,.0f} s"
    if fmt == "pvalue":
        return "< 0.001" if v < 0.001 else f"{v:.3f}"
    return f"{v:,.3f}"


def _json_script(obj: Any) -> str:
    """JSON safe to embed in a <script type="application/json"> element."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _figures(block: Block, data: Dataset, where: str) -> list[dict[str, Any]]:
    items = block.options.get("figures")
    if not isinstance(items, list):
        raise ReportPageError(f"{where}: a figures block needs a `figures:` list")
    row = data.first()
    out = []
    for item in items:
        col = item.get("value")
        if col not in data.columns:
            raise ReportPageError(f"{where}: figure value '{col}' is not a column of '{block.name}'")
        prev_col = item.get("previous")
        if prev_col is not None and prev_col not in data.columns:
            raise ReportPageError(f"{where}: figure previous '{prev_col}' is not a column of '{block.name}'")
        value, previous = row.get(col), row.get(prev_col) if prev_col else None
        fmt = item.get("format")
        change = None
        if value is not None and previous is not None and not isinstance(value, str):
            delta = float(value) - float(previous)
            if fmt in ("pct", "pct1"):
                change = {"text": f"{delta * 100:+.1f} pts", "sign": (delta > 0) - (delta < 0)}
            elif float(previous) != 0:
                change = {"text": f"{delta / abs(float(previous)) * 100:+.1f}%", "sign": (delta > 0) - (delta < 0)}
            else:
                change = {"text": "new", "sign": 0}
            better = item.get("better", "up")
            change["good"] = (
                None if better == "none" or change["sign"] == 0 else ((change["sign"] > 0) == (better == "up"))
            )
        n_col = item.get("n")
        small = n_col is not None and row.get(n_col) is not None and row[n_col] < int(item.get("min_n", SMALL_N))
        out.append(
            {
                "key": col,
                "label": item.get("label", col.replace("_", " ")),
                "value": value,
                "previous": previous,
                "text": format_value(value, fmt),
                "previous_text": format_value(previous, fmt) if prev_col else None,
                "previous_label": item.get("previous_label", "the week before"),
                "change": change,
                "note": item.get("note"),
                "small": small,
                "status": str(row.get(item["status"])) if item.get("status") else None,
            }
        )
    return out


def _table_config(block: Block, data: Dataset, where: str) -> dict[str, Any]:
    opts = block.options
    columns = opts.get("columns") or data.columns
    bad = [c for c in columns if c not in data.columns]
    intervals = opts.get("intervals") or {}
    bad += [c for pair in intervals.values() for c in pair if c not in data.columns]
    n_col = opts.get("n")
    if n_col is not None and n_col not in data.columns:
        bad.append(n_col)
    if bad:
        raise ReportPageError(f"{where}: table columns {bad} are not in the result of '{block.name}'")
    formats = opts.get("formats") or {}
    wrong = {c: f for c, f in formats.items() if f not in FORMATS}
    if wrong:
        raise ReportPageError(f"{where}: unknown formats {wrong}; choose from {', '.join(FORMATS)}")
    return {
        "columns": columns,
        "labels": {c: (opts.get("labels") or {}).get(c, c.replace("_", " ")) for c in columns},
        "formats": formats,
        "intervals": intervals,
        "n": n_col,
        "min_n": int(opts.get("min_n", SMALL_N)),
        "sort": opts.get("sort"),
        "page_size": int(opts.get("page_size", 15)),
        "title": opts.get("title"),
        "csv_name": f"{block.name}.csv",
    }


def render_page(
    page: Page, con: duckdb.DuckDBPyConnection, md: MarkdownIt, nav: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """Everything the template needs for one page: prose HTML and block configs with their data."""
    datasets = {name: run_query(con, name, sql, f"page {page.path.name}") for name, sql in page.queries.items()}
    used: set[str] = set()
    parts: list[dict[str, Any]] = []
    charts, tables = [], []
    for i, part in enumerate(page.parts):
        if isinstance(part, str):
            if part.strip():
                parts.append({"kind": "prose", "html": md.render(part)})
            continue
        if part.kind == "sql":
            continue
        where = f"page {page.path.name}, {part.kind} block '{part.name}'"
        data = datasets[part.name]
        used.add(part.name)
        block_id = f"b{i}"
        entry: dict[str, Any] = {
            "kind": part.kind,
            "id": block_id,
            "name": part.name,
            "sql": page.queries[part.name],
            "title": part.options.get("title"),
            "caption": part.options.get("caption"),
            "missing": data.missing,
        }
        if data.available:
            if part.kind == "chart":
                kinds = {c: ("nominal" if k == "boolean" else k) for c, k in data.kinds.items()}
                spec = chart_spec(part.options, kinds, where)
                entry["title"] = None  # the chart draws its own title
                charts.append({"id": block_id, "dataset": part.name, "spec": spec})
            elif part.kind == "table":
                cfg = _table_config(part, data, where)
                tables.append({"id": block_id, "dataset": part.name, **cfg})
            elif part.kind == "figures":
                entry["figures"] = _figures(part, data, where)
        parts.append(entry)
    filters = []
    for f in page.filters:
        column = None if f == "date" else f
        values: set[str] = set()
        if column:
            # the filter offers the values of every query that has the column, or of the one
            # query the page names in `filter_options` (e.g. the annotators that have a chart)
            source = (page.meta.get("filter_options") or {}).get(f)
            for name in [source] if source else used:
                d = datasets[name]
                if column in d.columns:
                    idx = d.columns.index(column)
                    values.update(str(r[idx]) for r in d.rows if r[idx] is not None)
            values.discard("all")
        options = sorted(values)
        default = (page.meta.get("defaults") or {}).get(f)
        if default == "first":
            default = options[0] if options else None
        elif default == "last":
            default = options[-1] if options else None
        elif default is not None and str(default) not in options:
            default = None
        filters.append(
            {
                "key": f,
                "label": KNOWN_FILTERS[f],
                "options": options,
                "default": None if default is None else str(default),
                # a filter whose charts would overlay its values' data offers no "All"
                "required": f in (page.meta.get("required") or []) and bool(options),
            }
        )
    payload = {
        "datasets": {
            n: {"columns": d.columns, "kinds": d.kinds, "rows": d.rows, "date_column": d.date_column}
            for n, d in datasets.items()
            if n in used and d.available
        },
        "charts": charts,
        "tables": tables,
        "filters": page.filters,
        "defaults": {f["key"]: f["default"] for f in filters if f.get("default") is not None},
        # slug -> the page's file and menu name, for table columns formatted "page" (links)
        "pages": {n["slug"]: {"href": n["href"], "nav": n["nav"]} for n in nav or []},
    }
    return {"parts": parts, "filters": filters, "payload": _json_script(payload)}


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise LabelhouseError(f"{out} is a file; choose a folder for the report site with --out")
    if out.is_dir() and not (out / SITE_MARKER).exists():
        unexpected = [p.name for p in out.iterdir() if p.name not in KEEP_ACROSS_RENDERS]
        if unexpected:
            raise LabelhouseError(
                f"{out} holds files that are not a labelhouse report site ({', '.join(sorted(unexpected)[:5])}); "
                "choose an empty or new folder with --out"
            )


def render_site(
    warehouse: Path,
    out: Path,
    progress: Progress = print,
    *,
    pages_dir: Path | None = None,
    docs: bool = True,
    raw_dir: Path | None = None,
) -> Path:
    """Render the report site for `warehouse` into `out` (replaced atomically); return the site folder."""
    start = time.perf_counter()
    warehouse, out = Path(warehouse).resolve(), Path(out).resolve()
    if not warehouse.is_file():
        raise LabelhouseError(f"no warehouse at {warehouse}; run `labelhouse build` first")
    _check_out(out)
    pages = load_pages(pages_dir or DEFAULT_PAGES_DIR)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        progress(f"Rendering {len(pages)} report pages from {warehouse}")
        (tmp / "assets").mkdir()
        bundle = write_vega_bundle(tmp / "assets", out / "assets" if out.is_dir() else None)
        for name in ("report.css", "report.js"):
            shutil.copyfile(_HERE / "static" / name, tmp / "assets" / name)
        env = _env()
        template = env.get_template("page.html.j2")
        md = MarkdownIt("commonmark", {"html": False}).enable("table")
        nav = [
            {"slug": p.slug, "nav": p.nav, "href": "index.html" if i == 0 else f"{p.slug}.html"}
            for i, p in enumerate(pages)
        ]
        built_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            for i, page in enumerate(pages):
                ctx = render_page(page, con, md, nav)
                html = template.render(
                    page=page,
                    nav=nav,
                    current=nav[i]["href"],
                    bundle=bundle,
                    built_at=built_at,
                    warehouse_name=warehouse.name,
                    **ctx,
                )
                (tmp / nav[i]["href"]).write_text(html, encoding="utf-8")
        finally:
            con.close()
        if docs:
            from labelhouse.report.docs import copy_build_docs, write_dbt_docs

            built = _published_run_dir(warehouse)
            if built is None or not copy_build_docs(built / "docs", tmp / "docs"):
                progress("Generating dbt docs for the site")
                write_dbt_docs(warehouse, tmp / "docs", raw_dir)
        (tmp / SITE_MARKER).write_text(f"rendered {built_at} from {warehouse.name}\n", encoding="utf-8")
        for keep in KEEP_ACROSS_RENDERS:
            if (out / keep).is_dir():
                shutil.copytree(out / keep, tmp / keep)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    progress(f"Rendered the report site in {time.perf_counter() - start:.1f}s")
    return out


def _published_run_dir(warehouse: Path) -> Path | None:
    """The run folder of the build that published `warehouse` (its docs/ are the warehouse's)."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute(
            "select run_id from audit.build_runs where status = 'published' order by finished_at desc, run_id desc"
            " limit 1"
        ).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return warehouse.parent / "runs" / str(row[0]) if row else None


def _swap(tmp: Path, out: Path) -> None:
    """Put the finished site at `out`; the old one is moved aside first and removed after."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
