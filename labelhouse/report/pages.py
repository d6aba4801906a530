"""Report pages as code: parse `reports/pages/*.md` into a Page of prose, named SQL and blocks.

A page is Markdown with a YAML front matter and fenced blocks whose info string names a kind:

    ```sql daily            -- a named query, run read-only on the warehouse
    ```chart daily          -- a chart of that query's rows (YAML, see charts.py)
    ```table daily          -- a sortable, filterable table of its rows with a CSV download
    ```figures headline     -- headline numbers from the first row of a query

Everything else is Markdown prose, rendered in place. Prose and the YAML of chart, table and
figures blocks may quote a dbt var as {{ var('name') }} (replaced by its value in dbt_project.yml,
so a page never restates a threshold); SQL blocks may not. See reports/README.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from labelhouse.errors import LabelhouseError

BLOCK_KINDS = ("sql", "chart", "table", "figures")
# ```kind name   (fences of three or more backticks; the closing fence matches the opening one)
_FENCE = re.compile(r"^(?P<fence>`{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
_FRONT = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)^---[ \t]*\n", re.M | re.S)
# Tables a query reads: schema-qualified names in the published warehouse.
_TABLE_REF = re.compile(r"\b(?:from|join)\s+(?P<schema>marts|staging|intermediate|audit|main)\.(?P<table>\w+)", re.I)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# {{ var('name') }} in prose and block YAML: the dbt var's value
_VAR = re.compile(r"\{\{\s*var\(\s*'(?P<name>[a-z][a-z0-9_]*)'\s*\)\s*\}\}")

KNOWN_FILTERS = {
    "project_id": "Project",
    "language": "Language",
    "model_name": "Model",
    "model_version": "Model version",
    "label": "Label",
    "annotator_id": "Annotator",
    "date": "Dates",
}


class ReportPageError(LabelhouseError):
    """A report page is malformed; the message names the page and the block."""


@dataclass
class Block:
    kind: str
    name: str
    body: str
    options: dict[str, Any] = field(default_factory=dict)
    index: int = 0


@dataclass
class Page:
    path: Path
    slug: str
    title: str
    nav: str
    order: int
    filters: list[str]
    # Alternating prose (str) and blocks, in page order.
    parts: list[str | Block]
    queries: dict[str, str]
    meta: dict[str, Any]

    @property
    def blocks(self) -> list[Block]:
        return [p for p in self.parts if isinstance(p, Block)]

    def tables_read(self) -> set[str]:
        """Warehouse tables the page's SQL reads (as `schema.table`)."""
        found: set[str] = set()
        for sql in self.queries.values():
            for m in _TABLE_REF.finditer(_strip_sql_comments(sql)):
                found.add(f"{m['schema'].lower()}.{m['table'].lower()}")
        return found


def _strip_sql_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _fail(path: Path, message: str) -> ReportPageError:
    return ReportPageError(f"report page {path.name}: {message}")


def _page_vars(path: Path) -> dict[str, Any]:
    """The dbt vars of the project the page belongs to (<project>/reports/pages/NN_page.md), else the
    default project's."""
    from labelhouse.contract import dbt_vars

    project = path.resolve().parent.parent.parent
    return dbt_vars(project if (project / "dbt_project.yml").is_file() else None)


def _with_vars(path: Path, text: str, what: str) -> str:
    """`text` with every {{ var('name') }} replaced by the var's value; unknown names fail the page."""
    if "{{" not in text:
        return text
    values = _page_vars(path)

    def value(m: re.Match[str]) -> str:
        name = m["name"]
        if name not in values or isinstance(values[name], dict | list):
            raise _fail(path, f"{what} quotes {{{{ var('{name}') }}}}, which is not a scalar var of dbt_project.yml")
        v = values[name]
        return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10_000 else str(v)

    return _VAR.sub(value, text)


def parse_page(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    front = _FRONT.match(text)
    if front:
        try:
            meta = yaml.safe_load(front["yaml"]) or {}
        except yaml.YAMLError as exc:
            raise _fail(path, f"front matter is not valid YAML: {exc}") from None
        text = text[front.end() :]
    if not isinstance(meta, dict):
        raise _fail(path, "front matter must be a YAML mapping")
    stem = re.sub(r"^\d+[_-]", "", path.stem)
    slug = meta.get("slug", stem)
    parts: list[str | Block] = []
    queries: dict[str, str] = {}
    pos = 0
    for i, m in enumerate(_FENCE.finditer(text)):
        info = m["info"].strip().split()
        if not info or info[0] not in BLOCK_KINDS:
            continue  # an ordinary code block stays in the prose
        if len(info) != 2 or not _NAME.match(info[1]):
            raise _fail(path, f"block '{m['info'].strip()}' needs exactly one lowercase name, e.g. ```{info[0]} daily")
        kind, name = info
        parts.append(_with_vars(path, text[pos : m.start()], "the prose"))
        pos = m.end()
        body = m["body"]
        if kind == "sql":
            if _VAR.search(body):
                raise _fail(path, f"sql block '{name}' quotes a dbt var: a figure's logic belongs in an rpt_ model")
            if name in queries:
                raise _fail(path, f"two sql blocks are named '{name}'")
            queries[name] = body.strip().rstrip(";")
            parts.append(Block(kind, name, body, {}, i))
            continue
        body = _with_vars(path, body, f"{kind} block '{name}'")
        try:
            options = yaml.safe_load(body) or {}
        except yaml.YAMLError as exc:
            raise _fail(path, f"{kind} block '{name}' is not valid YAML: {exc}") from None
        if not isinstance(options, dict):
            raise _fail(path, f"{kind} block '{name}' must be a YAML mapping")
        parts.append(Block(kind, name, body, options, i))
    parts.append(_with_vars(path, text[pos:], "the prose"))
    for block in (p for p in parts if isinstance(p, Block)):
        if block.kind != "sql" and block.name not in queries:
            raise _fail(path, f"{block.kind} block '{block.name}' has no ```sql {block.name} block")
    filters = list(meta.get("filters") or [])
    unknown = [f for f in filters if f not in KNOWN_FILTERS]
    if unknown:
        raise _fail(path, f"unknown filters {unknown}; choose from {sorted(KNOWN_FILTERS)}")
    defaults = meta.get("defaults") or {}
    if not isinstance(defaults, dict) or any(k not in filters or k == "date" for k in defaults):
        raise _fail(path, "defaults must map filters of this page (not date) to a value, 'first' or 'last'")
    required = meta.get("required") or []
    if not isinstance(required, list) or any(r not in defaults for r in required):
        raise _fail(path, "required must list filters that have a default (a chart that needs one value of them)")
    options_from = meta.get("filter_options") or {}
    if not isinstance(options_from, dict) or any(k not in filters or k == "date" for k in options_from):
        raise _fail(path, "filter_options must map filters of this page (not date) to the query offering their values")
    unknown_queries = sorted({str(q) for q in options_from.values()} - set(queries))
    if unknown_queries:
        raise _fail(path, f"filter_options name queries the page does not have: {unknown_queries}")
    title = str(meta.get("title") or slug.replace("_", " ").capitalize())
    return Page(
        path=path,
        slug=str(slug),
        title=title,
        nav=str(meta.get("nav") or title),
        order=int(meta.get("order", _prefix(path.stem))),
        filters=filters,
        parts=parts,
        queries=queries,
        meta=meta,
    )


def _prefix(stem: str) -> int:
    m = re.match(r"^(\d+)[_-]", stem)
    return int(m.group(1)) if m else 1000


def load_pages(pages_dir: Path) -> list[Page]:
    """Every page in `pages_dir`, in nav order; the page with slug 'index' (or the first) is the home page."""
    files = sorted(pages_dir.glob("*.md"))
    if not files:
        raise ReportPageError(f"no report pages (*.md) in {pages_dir}")
    pages = sorted((parse_page(f) for f in files), key=lambda p: (p.order, p.path.name))
    slugs = [p.slug for p in pages]
    dupes = {s for s in slugs if slugs.count(s) > 1}
    if dupes:
        raise ReportPageError(f"report pages share a slug: {sorted(dupes)}")
    return pages
