"""sqlfluff lint of the SQL blocks of the report pages (reports/pages/*.md), DuckDB dialect.

Each ```sql block is linted as its own statement with the project's .sqlfluff rules; findings
name the page and the line in the page. Exit status 1 when any block has a finding.
`--fix` rewrites the blocks with sqlfluff's fixes first (as `make fix` does for the models).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "reports" / "pages"


def sql_blocks(page: Path) -> list[tuple[int, str, str]]:
    """(first line of the body in the page, block name, body) of every ```sql block."""
    from labelhouse.report.pages import parse_page

    text = page.read_text(encoding="utf-8")
    out = []
    for block in parse_page(page).blocks:
        if block.kind != "sql":
            continue
        start = text.index(f"```sql {block.name}\n")
        out.append((text.count("\n", 0, start) + 2, block.name, block.body))
    return out


def main(fix: bool = False) -> int:
    from sqlfluff.core import FluffConfig, Linter

    # page SQL is plain DuckDB SQL, no Jinja
    config = FluffConfig.from_path(str(ROOT), overrides={"dialect": "duckdb", "templater": "raw"})
    linter = Linter(config=config)
    problems = 0
    for page in sorted(PAGES.glob("*.md")):
        if fix:
            text = page.read_text(encoding="utf-8")
            for _, name, body in sql_blocks(page):
                fixed = linter.lint_string(body, fname=f"{page.name}:{name}", fix=True).fix_string()[0]
                text = text.replace(f"```sql {name}\n{body}", f"```sql {name}\n{fixed}", 1)
            page.write_text(text, encoding="utf-8")
        for first_line, name, body in sql_blocks(page):
            result = linter.lint_string(body if body.endswith("\n") else body + "\n", fname=f"{page.name}:{name}")
            for v in result.get_violations():
                problems += 1
                line = first_line + v.line_no - 1
                print(f"{page.relative_to(ROOT)}:{line}:{v.line_pos}: {v.rule_code()} [{name}] {v.desc()}")
    if problems:
        print(f"{problems} sqlfluff findings in report page SQL", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(fix="--fix" in sys.argv[1:]))
