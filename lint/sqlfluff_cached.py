"""sqlfluff lint that skips the files already clean under the same rules and macros.

`make lint` runs this instead of `sqlfluff lint <paths>`. A file is linted again when its own
bytes change, and every file is linted again when anything that shapes how sqlfluff reads it
changes: sqlfluff's version, its configuration (`.sqlfluff`, `.sqlfluffignore`, pyproject.toml,
setup.cfg or tox.ini in the root, and nested `.sqlfluff` / `.sqlfluffignore` under the linted
paths), any file under `macros/` (the Jinja templater loads them all) or `lint/jinja_lib/`.
Only files with no finding are remembered, in target/lint/sqlfluff.json (`make clean` deletes
it; a fresh clone lints everything).

Findings print as `path:line:col: CODE description`; exit status 1 when any file has one.
`--no-cache` lints every file (and refreshes the cache).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path("target") / "lint" / "sqlfluff.json"
# sqlfluff reads its configuration from these in the project root, and .sqlfluff and
# .sqlfluffignore files in the folders below it as well (those under the linted paths count)
RULE_FILES = (".sqlfluff", ".sqlfluffignore", "pyproject.toml", "setup.cfg", "tox.ini")
NESTED_RULE_FILES = (".sqlfluff", ".sqlfluffignore")
RULE_DIRS = ("macros", "lint/jinja_lib")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rules_key(root: Path, sqlfluff_version: str, paths: Sequence[str] = ()) -> str:
    """One hash of everything but the linted file itself that can change sqlfluff's verdict."""
    h = hashlib.sha256(f"sqlfluff {sqlfluff_version}\n".encode())
    parts = [root / name for name in RULE_FILES]
    for folder in RULE_DIRS:
        parts.extend(p for p in (root / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for p in paths:
        if (root / p).is_dir():
            parts.extend(f for name in NESTED_RULE_FILES for f in (root / p).rglob(name))
    for path in sorted(set(parts)):
        if path.is_file():
            h.update(f"{path.relative_to(root).as_posix()}\0{_digest(path)}\n".encode())
    return h.hexdigest()


def sql_files(root: Path, paths: Sequence[str]) -> list[str]:
    """The .sql files under `paths`, relative to `root` (sqlfluff applies .sqlfluffignore itself)."""
    files: set[str] = set()
    for p in paths:
        target = root / p
        if target.is_file():
            files.add(target.relative_to(root).as_posix())
        elif target.is_dir():
            files.update(f.relative_to(root).as_posix() for f in target.rglob("*.sql") if f.is_file())
    return sorted(files)


def run_sqlfluff(root: Path, files: list[str], processes: int) -> list[dict]:
    """sqlfluff lint of `files` in `root`: its JSON records (filepath, violations)."""
    with tempfile.TemporaryDirectory(prefix="lh-sqlfluff-") as tmp:
        out = Path(tmp) / "lint.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "sqlfluff",
                "lint",
                *files,
                "--processes",
                str(processes),
                "--disable-progress-bar",
                "--format",
                "json",
                "--write-output",
                str(out),
            ],
            cwd=root,
            capture_output=True,
            text=True,
        )
        if not out.exists() or not out.read_text().strip():
            raise SystemExit(f"sqlfluff did not run (exit {proc.returncode}):\n{proc.stderr or proc.stdout}")
        return json.loads(out.read_text())


def lint(
    root: Path,
    paths: Sequence[str],
    *,
    use_cache: bool = True,
    processes: int = 2,
    say: Callable[[str], None] = print,
    sqlfluff: Callable[[Path, list[str], int], list[dict]] = run_sqlfluff,
) -> tuple[int, list[str]]:
    """Lint the .sql files under `paths`; returns (exit status, the files sqlfluff was run on)."""
    from sqlfluff import __version__

    cache_path = root / CACHE
    key = rules_key(root, __version__, paths)
    files = sql_files(root, paths)
    digests = {f: _digest(root / f) for f in files}
    clean: dict[str, str] = {}
    if use_cache and cache_path.exists():
        try:
            cached = json.loads(cache_path.read_text())
        except (OSError, ValueError):
            cached = {}
        if cached.get("rules") == key:
            # files outside `paths` keep their entries: linting a few files forgets nothing else
            clean = {f: d for f, d in (cached.get("clean") or {}).items() if digests.get(f, d) == d}
    stale = [f for f in files if clean.get(f) != digests[f]]
    findings = 0
    if stale:
        records = sqlfluff(root, stale, processes)
        # a file sqlfluff does not report on is one .sqlfluffignore excludes: nothing to lint again
        reported = {Path(r["filepath"]).as_posix() for r in records}
        clean.update({f: digests[f] for f in stale if f not in reported and (root / f).as_posix() not in reported})
        for record in records:
            path = Path(record["filepath"])
            rel = (path if not path.is_absolute() else path.relative_to(root)).as_posix()
            violations = record.get("violations") or []
            for v in violations:
                findings += 1
                say(
                    f"{rel}:{v.get('start_line_no', 0)}:{v.get('start_line_pos', 0)}: "
                    f"{v.get('code', '?')} {v.get('description', '')}"
                )
            if not violations and rel in digests:
                clean[rel] = digests[rel]
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    cache_path.write_text(json.dumps({"rules": key, "clean": dict(sorted(clean.items()))}, indent=1) + "\n")
    reused = len(files) - len(stale)
    say(
        f"sqlfluff: {len(files)} files, {len(stale)} linted, {reused} unchanged since their last clean lint"
        f"{'' if use_cache else ' (cache not used)'}; {findings} findings"
    )
    return (1 if findings else 0), stale


def main(argv: Sequence[str]) -> int:
    args = [a for a in argv if a != "--no-cache"]
    if not args:
        print("usage: python lint/sqlfluff_cached.py [--no-cache] PATH...", file=sys.stderr)
        return 2
    status, _ = lint(ROOT, args, use_cache="--no-cache" not in argv)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
