"""Progress of long steps: the live bar on a terminal, throttled plain lines elsewhere, and dbt's
node counts in a build's output when it is not a terminal (that one on a real build, in
test_incremental.py's model-code test, whose build says it anyway: assert_build_says_node_progress)."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import FIXTURES

from labelhouse.progress import DbtProgress, Progress, choose_mode, format_elapsed


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_mode_follows_the_terminal_and_the_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABELHOUSE_PROGRESS", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert choose_mode(FakeTTY()) == "live"
    assert choose_mode(io.StringIO()) == "plain"
    monkeypatch.setenv("TERM", "dumb")
    assert choose_mode(FakeTTY()) == "plain"
    monkeypatch.setenv("LABELHOUSE_PROGRESS", "off")
    assert choose_mode(FakeTTY()) == "off"
    with pytest.raises(ValueError, match="progress mode"):
        Progress("x", mode="loud")


def test_elapsed_is_readable() -> None:
    assert [format_elapsed(s) for s in (0, 59.9, 125, 3725)] == ["0s", "59s", "2m05s", "1h02m"]


def test_plain_lines_are_throttled_with_a_heartbeat_and_one_summary() -> None:
    clock, lines = FakeClock(), []
    p = Progress(
        "generating", 100, unit="rows", say=lines.append, mode="plain", tick=0, clock=clock, interval=5, heartbeat=30
    )
    for done in range(1, 11):  # one step a second: a line on the first change, then at most every 5 s
        clock.now += 1
        p.step(done, label=f"part {done}")
    assert lines == ["      generating 1/100 rows, 1s: part 1", "      generating 6/100 rows, 6s: part 6"]
    clock.now += 20  # a change, 24 s after the last line: said
    p.step(10)
    assert lines[-1] == "      generating 10/100 rows, 30s: part 10"
    clock.now += 10  # no change: nothing before the heartbeat ...
    p.step(10)
    assert len(lines) == 3
    clock.now += 20  # ... then one line once 30 s passed since the last
    p.step(10)
    assert lines[-1] == "      generating 10/100 rows, 1m00s: part 10" and len(lines) == 4
    clock.now += 5
    p.step(100, label="done")
    p.finish()
    assert lines[-1] == "      generating 100/100 rows, 1m05s: done" and lines.count(lines[-1]) == 1
    p.finish()  # a second finish says nothing
    assert lines.count(lines[-1]) == 1


def test_the_live_bar_redraws_one_line_on_the_terminal_and_clears_it() -> None:
    clock, lines, tty = FakeClock(), [], FakeTTY()
    p = Progress("dbt", 4, unit="nodes", say=lines.append, stream=tty, mode="live", tick=0, clock=clock)
    p.step(1, label="running stg_items")
    clock.now += 65
    p.step(2, label="running fct_agreement")
    frames = tty.getvalue().split("\r\x1b[2K")
    assert frames[1:] == [
        "      [#####...............] dbt 1/4 nodes, 0s: running stg_items",
        "      [##########..........] dbt 2/4 nodes, 1m05s: running fct_agreement",
    ]
    assert lines == []  # the bar is not said line by line
    p.finish()
    assert tty.getvalue().endswith("\r\x1b[2K")  # cleared
    assert lines == ["      dbt 2/4 nodes, 1m05s: running fct_agreement"]
    assert len(p.bar(width=30)) <= 30


def test_the_ticker_keeps_a_long_step_alive() -> None:
    tty = FakeTTY()
    with Progress("x", 2, say=lambda _: None, stream=tty, mode="live", tick=0.01) as p:
        p.step(1)
        time.sleep(0.1)
    assert tty.getvalue().count("\r\x1b[2K") >= 3  # redrawn by the ticker, without a step


def _event(name: str, **data: object) -> SimpleNamespace:
    return SimpleNamespace(info=SimpleNamespace(name=name), data=SimpleNamespace(**data))


def _node(uid: str) -> SimpleNamespace:
    return SimpleNamespace(unique_id=uid, node_name=uid.rsplit(".", 1)[-1])


def test_dbt_events_give_nodes_done_of_total_and_the_running_models() -> None:
    lines: list[str] = []
    p = DbtProgress(say=lines.append, mode="plain", tick=0, interval=0)
    p.callback(_event("ConcurrencyLine", node_count=3))
    p.callback(_event("NodeStart", node_info=_node("model.lh.stg_items")))
    p.callback(_event("NodeStart", node_info=_node("model.lh.stg_projects")))
    p.callback(_event("NodeFinished", node_info=_node("model.lh.stg_items")))
    p.callback(_event("MainReportVersion"))  # other events (and malformed ones) are ignored
    p.callback(object())
    assert (p.done, p.total) == (1, 3)
    assert re.fullmatch(r"      dbt 1/3 nodes, 0s: running stg_projects", lines[-1])
    assert any("running stg_projects (+1 more)" in line for line in lines)


def test_the_label_studio_import_draws_a_bar_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from labelhouse.importers import label_studio

    monkeypatch.setenv("LABELHOUSE_PROGRESS", "live")
    monkeypatch.setattr(label_studio, "LIVE_EVERY", 3)
    messages: list[str] = []
    label_studio.import_export(
        FIXTURES / "label_studio" / "project_export.json", tmp_path / "raw", progress=messages.append
    )
    frames = capsys.readouterr().err.split("\r\x1b[2K")
    assert "  importing 3 tasks, 0s: project_export.json" in frames
    assert "  importing 7 tasks, 0s: project_export.json" in frames and frames[-1] == ""  # cleared at the end
    assert messages == ["  7 tasks read"]  # no batch lines besides the bar, the same summary line
