"""`dbt docs generate` output for the site's docs/ folder, made to open offline.

dbt's docs page is one file that fetches manifest.json and catalog.json, which browsers refuse
from file://, so the site uses the `--static` page (both embedded). Its usage tracker loads a
script from a CDN only when the manifest says usage stats are on; labelhouse always turns them
off, and the tracker switch is also forced off in the page in case a manifest says otherwise.
Two leftovers of dbt's page template would make the browser fetch URLs that do not exist (404s
in the console): icons bound with `xlink:href="{{ getIcon(...) }}"`, fetched before Angular fills
them in (ng-attr-xlink:href sets the attribute only once interpolated), and a favicon link that
is an unrendered `${require(...)}` (replaced by an empty data: icon).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from labelhouse.errors import LabelhouseError

_TRACKER_SWITCH = "track:p.send_anonymous_usage_stats"
_UNRENDERED = {
    'xlink:href="{{': 'ng-attr-xlink:href="{{',
    "href=\"${require('./assets/favicons/favicon.ico')}\"": 'href="data:,"',
}


DOCS_FILES = ("index.html", "manifest.json", "catalog.json")


def generate_docs(
    warehouse: Path,
    raw_dir: Path,
    target: Path,
    docs_dir: Path,
    manifest: Any = None,
    project_dir: Path | None = None,
) -> None:
    """`dbt docs generate --static` on `warehouse` into docs_dir, documenting without compiling
    (compiling would read the raw exports, which a report render may not have). A build passes
    its candidate and its own parsed manifest; otherwise the process's shared parse of the dbt
    project in `project_dir` (default: labelhouse.paths.PROJECT_ROOT) is used."""
    from labelhouse.dbt import run_dbt, shared_manifest

    manifest = manifest if manifest is not None else shared_manifest(warehouse, project_dir=project_dir)
    target.mkdir(parents=True, exist_ok=True)
    if manifest is not None and not (target / "manifest.json").exists():
        manifest.write(str(target / "manifest.json"))  # docs generate reads it from its target
    result = run_dbt(
        ["docs", "generate", "--static", "--no-compile"],
        warehouse=warehouse,
        raw_dir=raw_dir,
        target_path=target,
        manifest=manifest,
        project_dir=project_dir,
    )
    if not result.success:
        raise LabelhouseError(f"dbt docs generate failed: {result.error or 'see dbt logs'}")
    _write_docs(target, docs_dir)


def copy_build_docs(source: Path, docs_dir: Path) -> bool:
    """Copy docs made by the build (generate_docs) into a site; False when there are none."""
    if not all((source / name).is_file() for name in DOCS_FILES):
        return False
    docs_dir.mkdir(parents=True, exist_ok=True)
    for name in DOCS_FILES:
        shutil.copyfile(source / name, docs_dir / name)
    return True


def _write_docs(target: Path, docs_dir: Path) -> None:
    docs_dir.mkdir(parents=True, exist_ok=True)
    html = (target / "static_index.html").read_text(encoding="utf-8")
    html = html.replace(_TRACKER_SWITCH, "track:!1")
    for unrendered, fixed in _UNRENDERED.items():
        html = html.replace(unrendered, fixed)
    (docs_dir / "index.html").write_text(html, encoding="utf-8")
    for name in ("manifest.json", "catalog.json"):
        shutil.copyfile(target / name, docs_dir / name)
    manifest = json.loads((docs_dir / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("metadata", {}).get("send_anonymous_usage_stats"):
        raise LabelhouseError(
            "dbt docs were generated with usage tracking on; set DBT_SEND_ANONYMOUS_USAGE_STATS=false"
        )


def write_dbt_docs(warehouse: Path, docs_dir: Path, raw_dir: Path | None = None) -> None:
    """Run `dbt docs generate --static` against a copy of `warehouse` and write docs_dir/index.html
    (for a warehouse whose build left no docs in its run folder)."""
    with tempfile.TemporaryDirectory(prefix="lh-docs-") as tmp:
        work = Path(tmp)
        # dbt-duckdb opens the file read-write: a copy leaves the published warehouse untouched.
        copy = work / "catalog.duckdb"
        shutil.copyfile(warehouse, copy)
        raw = raw_dir if raw_dir is not None else work / "raw"
        raw.mkdir(exist_ok=True)
        generate_docs(copy, raw, work / "target", docs_dir)
