"""Read the open alerts (marts.fct_alerts) of a published warehouse and format them for people
(text, Markdown) and machines (JSON). `labelhouse alerts` and every build use these."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from labelhouse.errors import LabelhouseError

SEVERITIES: tuple[str, ...] = ("critical", "warning", "info")
"""Most severe first."""
FORMATS: tuple[str, ...] = ("text", "markdown", "json")
COLUMNS: tuple[str, ...] = (
    "alert_key",
    "kind",
    "severity",
    "project_id",
    "slice",
    "metric",
    "observed",
    "baseline",
    "test",
    "p_value",
    "q_value",
    "first_seen_day",
    "as_of_day",
    "report_page",
    "alert_message",
)


class AlertsUnavailable(LabelhouseError):
    """The warehouse is missing or has no alerts table."""

    exit_code = 2


def read_alerts(warehouse: Path) -> list[dict[str, Any]]:
    """Every open alert, most severe first, then by kind, project and slice."""
    if not warehouse.exists():
        raise AlertsUnavailable(
            f"no warehouse at {warehouse}: build one with `labelhouse build --warehouse {warehouse}`"
        )
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = 'fct_alerts'"
        ).fetchone()
        if not found or found[0] == 0:
            raise AlertsUnavailable(
                f"{warehouse} has no marts.fct_alerts table: rebuild it with this version of labelhouse"
            )
        order = " ".join(f"when '{s}' then {i}" for i, s in enumerate(SEVERITIES))
        cur = con.execute(
            f"select {', '.join(COLUMNS)} from marts.fct_alerts "
            f"order by case severity {order} end, kind, project_id nulls first, slice, metric"
        )
        return [dict(zip(COLUMNS, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def severity_counts(alerts: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(a["severity"] for a in alerts)
    return {s: counts.get(s, 0) for s in SEVERITIES}


def count_line(alerts: list[dict[str, Any]]) -> str:
    """e.g. 'alerts: 1 critical, 2 warning, 0 info'."""
    return "alerts: " + ", ".join(f"{n} {s}" for s, n in severity_counts(alerts).items())


def reaches(alerts: list[dict[str, Any]], level: str) -> bool:
    """Whether any alert is at least as severe as `level` ('warning' or 'critical')."""
    if level not in SEVERITIES:
        raise ValueError(f"unknown severity {level!r}: expected one of {', '.join(SEVERITIES)}")
    worst = SEVERITIES.index(level)
    return any(SEVERITIES.index(a["severity"]) <= worst for a in alerts)


def _figure(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if value != 0 and abs(value) < 1e-3 else f"{value:.3f}"
    return str(value)


def format_alerts(alerts: list[dict[str, Any]], fmt: str = "text") -> str:
    """The alerts as `text` (one line each), `markdown` (a table) or `json` (a list of objects)."""
    if fmt == "json":
        return json.dumps(
            [{k: (str(v) if k.endswith("_day") and v is not None else v) for k, v in a.items()} for a in alerts],
            indent=2,
        )
    if fmt == "text":
        lines = [count_line(alerts)]
        lines += [f"[{a['severity']}] {a['alert_message']}  (key {a['alert_key'][:12]})" for a in alerts]
        return "\n".join(lines)
    if fmt == "markdown":
        as_of = alerts[0]["as_of_day"] if alerts else None
        lines = ["# Alerts", "", count_line(alerts) + (f" (data as of {as_of})" if as_of else ""), ""]
        if not alerts:
            return "\n".join(lines + ["No open alerts."])
        lines += [
            "| severity | kind | project | slice | metric | observed | baseline | test | p | q | first seen |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for a in alerts:
            cells = [
                a["severity"],
                a["kind"],
                a["project_id"] or "",
                a["slice"],
                a["metric"],
                _figure(a["observed"]),
                _figure(a["baseline"]),
                a["test"],
                _figure(a["p_value"]),
                _figure(a["q_value"]),
                _figure(a["first_seen_day"]),
            ]
            lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines)
    raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")


def write_alerts_md(warehouse: Path, out: Path) -> str:
    """Write the warehouse's alerts as Markdown to `out`; return the one-line count."""
    alerts = read_alerts(warehouse)
    out.write_text(format_alerts(alerts, "markdown") + "\n", encoding="utf-8")
    return count_line(alerts)
