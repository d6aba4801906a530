"""`make lint`'s sqlfluff cache (lint/sqlfluff_cached.py): a file is skipped only while it and the
rules that read it are unchanged since it last linted clean."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from typing import Any

from conftest import PROJECT_ROOT


def _load() -> Any:
    spec = importlib.util.spec_from_file_location("labelhouse_lint_cache", PROJECT_ROOT / "lint" / "sqlfluff_cached.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


cached: Any = _load()


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "models").mkdir(parents=True)
    (root / "macros").mkdir()
    shutil.copy(PROJECT_ROOT / ".sqlfluff", root / ".sqlfluff")
    (root / "macros" / "m.sql").write_text("{% macro m() %}1{% endmacro %}\n")
    (root / "models" / "clean.sql").write_text("select a from b\n")
    (root / "models" / "other.sql").write_text("select c from d\n")
    (root / "models" / "bad.sql").write_text("SELECT a FROM b\n")
    return root


class FakeSqlfluff:
    """Stands in for sqlfluff: a finding in every file holding an upper-case SELECT; records the calls."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, root: Path, files: list[str], processes: int) -> list[dict[str, Any]]:
        self.calls.append(sorted(files))
        return [
            {
                "filepath": f,
                "violations": [
                    {
                        "start_line_no": 1,
                        "start_line_pos": 1,
                        "code": "CP01",
                        "description": "Keywords must be lower case.",
                    }
                ]
                if "SELECT" in (root / f).read_text()
                else [],
            }
            for f in files
        ]


def test_only_changed_or_unclean_files_are_linted_again(tmp_path: Path) -> None:
    root = _project(tmp_path)
    fake = FakeSqlfluff()
    said: list[str] = []
    status, linted = cached.lint(root, ["models", "macros"], say=said.append, sqlfluff=fake)
    assert status == 1 and linted == ["macros/m.sql", "models/bad.sql", "models/clean.sql", "models/other.sql"]
    assert "models/bad.sql:1:1: CP01 Keywords must be lower case." in said

    # nothing changed: only the file with a finding is linted again, and it still fails
    status, linted = cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake)
    assert (status, linted) == (1, ["models/bad.sql"])

    # fixed: linted once more, then remembered
    (root / "models" / "bad.sql").write_text("select a from b\n")
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (0, ["models/bad.sql"])
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (0, [])

    # an edited model: only that one
    (root / "models" / "other.sql").write_text("select c from e\n")
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (0, ["models/other.sql"])

    # a new finding in an edited file is caught
    (root / "models" / "clean.sql").write_text("SELECT 1\n")
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (1, ["models/clean.sql"])


def test_a_macro_config_or_no_cache_lints_everything(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "models" / "bad.sql").unlink()
    fake = FakeSqlfluff()
    every = ["macros/m.sql", "models/clean.sql", "models/other.sql"]
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (0, every)
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (0, [])
    # linting some paths keeps what is known of the others
    (root / "models" / "clean.sql").write_text("select a from c\n")
    assert cached.lint(root, ["macros"], say=lambda _: None, sqlfluff=fake) == (0, [])
    assert cached.lint(root, ["models/other.sql"], say=lambda _: None, sqlfluff=fake) == (0, [])
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (0, ["models/clean.sql"])

    # the Jinja templater loads every macro: a macro edit can change any model's rendered SQL
    (root / "macros" / "m.sql").write_text("{% macro m() %}2{% endmacro %}\n")
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (0, every)
    # the rules themselves
    with open(root / ".sqlfluff", "a") as handle:
        handle.write("\n# edited\n")
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (0, every)
    # and a rule file that did not exist before (.sqlfluffignore), or one in a linted folder
    (root / ".sqlfluffignore").write_text("target/\n")
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (0, every)
    (root / "models" / ".sqlfluff").write_text("[sqlfluff]\nmax_line_length = 80\n")
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (0, every)
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake) == (0, [])
    assert cached.lint(root, ["models", "macros"], say=lambda _: None, sqlfluff=fake, use_cache=False) == (0, every)


def test_real_sqlfluff_findings_and_clean_files(tmp_path: Path) -> None:
    root = _project(tmp_path)
    said: list[str] = []
    status, linted = cached.lint(root, ["models"], say=said.append, processes=1)
    assert status == 1 and linted == ["models/bad.sql", "models/clean.sql", "models/other.sql"]
    assert [line.split(":")[0] for line in said if ": CP01 " in line] == ["models/bad.sql", "models/bad.sql"]
    status, linted = cached.lint(root, ["models"], say=said.append, processes=1)
    assert (status, linted) == (1, ["models/bad.sql"])
