"""Progress of long steps: a live one-line bar on a terminal, plain throttled lines elsewhere (CI, logs).

    with Progress("generating", total=n, say=print) as bar:
        for done in ...:
            bar.step(done, n, "annotations_2026-10.csv")   # done of total, what runs now

On a terminal (stderr is a TTY) the bar redraws one line on stderr (`\\r`), with the elapsed time
ticking while a long unit of work runs; it is cleared when the step ends. Otherwise `say` gets a
line at most every `interval` seconds while something changed (and at least every `heartbeat`
seconds while nothing does), so a CI log shows the step is alive without a line per row. Either
way `finish()` says one summary line ("done of total, elapsed"). LABELHOUSE_PROGRESS=live, plain or
off overrides the choice (off: only the summary line).

`dbt_progress(say)` is the same for a dbt invocation: a dbtRunner callback that counts nodes done of
the total dbt announced and names the model(s) running (see labelhouse.dbt.run_dbt(progress=...)).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

Say = Callable[[str], None]
MODES = ("live", "plain", "off")


def choose_mode(stream: TextIO | None = None) -> str:
    """live on a terminal (not TERM=dumb), plain otherwise; LABELHOUSE_PROGRESS overrides."""
    forced = os.environ.get("LABELHOUSE_PROGRESS", "").strip().lower()
    if forced in MODES:
        return forced
    stream = stream if stream is not None else sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return "live" if tty and os.environ.get("TERM") != "dumb" else "plain"


def format_elapsed(seconds: float) -> str:
    """12s, 2m05s, 1h02m."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class Progress:
    """The progress of one long step; thread-safe (dbt calls back from its worker threads)."""

    def __init__(
        self,
        what: str,
        total: int | None = None,
        *,
        unit: str = "",
        say: Say = print,
        stream: TextIO | None = None,
        mode: str | None = None,
        indent: str = "      ",
        interval: float = 5.0,
        heartbeat: float = 30.0,
        tick: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.total = total
        self.unit = unit
        self.done = 0
        self.label = ""
        self.say = say
        self.stream = stream if stream is not None else sys.stderr
        self.mode = mode or choose_mode(self.stream)
        if self.mode not in MODES:
            raise ValueError(f"progress mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        self.indent = indent
        self.interval = interval
        self.heartbeat = heartbeat
        self.tick = tick
        self.clock = clock
        self.start = clock()
        self._lock = threading.RLock()
        self._last_said: float | None = None
        self._said_state: tuple[int, int | None, str] | None = None
        self._drawn = False
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._finished = False

    # -- the callback API ------------------------------------------------------------------------

    def step(self, done: int, total: int | None = None, label: str | None = None) -> None:
        """`done` units of `total` are finished (total and label keep their last value when None)."""
        with self._lock:
            self.done = done
            if total is not None:
                self.total = total
            if label is not None:
                self.label = label
            self._update()

    def advance(self, n: int = 1, label: str | None = None) -> None:
        """`n` more units are finished."""
        with self._lock:
            self.step(self.done + n, None, label)

    def set_total(self, total: int) -> None:
        with self._lock:
            self.total = total
            self._update()

    def set_label(self, label: str) -> None:
        """What runs now (shown next to the count)."""
        with self._lock:
            self.label = label
            self._update()

    @property
    def elapsed(self) -> float:
        return self.clock() - self.start

    def line(self) -> str:
        """`what done/total unit, elapsed: label` (the plain line; the bar adds a gauge)."""
        count = f"{self.done:,}/{self.total:,}" if self.total else f"{self.done:,}"
        unit = f" {self.unit}" if self.unit else ""
        text = f"{self.what} {count}{unit}, {format_elapsed(self.elapsed)}"
        return text + (f": {self.label}" if self.label else "")

    def bar(self, width: int | None = None) -> str:
        """The live line: `what [#####.....] done/total unit, elapsed: label`, cut to the terminal width."""
        width = width or shutil.get_terminal_size((100, 20)).columns
        gauge = ""
        if self.total:
            cells = 20
            filled = min(cells, int(cells * self.done / self.total))
            gauge = "[" + "#" * filled + "." * (cells - filled) + "] "
        text = f"{self.indent}{gauge}{self.line()}"
        return text if len(text) < width else text[: max(width - 2, 10)] + "…"

    def finish(self, message: str | None = None) -> None:
        """Stop the ticker, clear the bar, say the summary line (`message` or the final count)."""
        with self._lock:
            if self._finished:
                return
            self._finished = True
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
        with self._lock:
            self._clear()
            already_said = self.mode == "plain" and self._said_state == (self.done, self.total, self.label)
            if message or (self.mode != "off" and not already_said):
                self.say(f"{self.indent}{message or self.line()}")

    # -- context manager: starts the ticker ------------------------------------------------------

    def __enter__(self) -> Progress:
        if self.tick > 0 and self.mode != "off":
            self._ticker = threading.Thread(target=self._tick, name="labelhouse-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.finish()
        else:  # a failure says its own message; just leave the terminal line clean
            with self._lock:
                self._finished = True
            self._stop.set()
            with self._lock:
                self._clear()

    # -- rendering -------------------------------------------------------------------------------

    def _tick(self) -> None:
        while not self._stop.wait(self.tick):
            with self._lock:
                if not self._finished:
                    self._update()

    def _update(self) -> None:
        if self._finished or self.mode == "off":
            return
        if self.mode == "live":
            self._draw()
            return
        now = self.clock()
        state = (self.done, self.total, self.label)
        if self._last_said is None:
            due = state != (0, self.total, "")  # the first change
        else:
            since = now - self._last_said
            due = (since >= self.interval and state != self._said_state) or since >= self.heartbeat
        if due:
            self._last_said = now
            self._said_state = state
            self.say(self.indent + self.line())

    def _draw(self) -> None:
        try:
            self.stream.write("\r\x1b[2K" + self.bar())
            self.stream.flush()
            self._drawn = True
        except (OSError, ValueError):
            self.mode = "plain"

    def _clear(self) -> None:
        if self._drawn:
            try:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self._drawn = False


class DbtProgress(Progress):
    """Progress of one dbt invocation, fed by dbt's structured events (use `.callback`).

    ConcurrencyLine carries the number of nodes dbt will run; NodeStart and NodeFinished each
    node's name, so the line shows nodes done of total, elapsed, and the node(s) running now.
    """

    def __init__(self, what: str = "dbt", **kwargs: Any) -> None:
        super().__init__(what, unit="nodes", **kwargs)
        self.running: dict[str, str] = {}  # unique_id -> name, in start order

    def callback(self, event: Any) -> None:
        """A dbtRunner callback: never raises (a progress bug must not fail a build)."""
        try:
            name = event.info.name
            if name == "ConcurrencyLine":
                self.set_total(int(event.data.node_count))
            elif name in ("NodeStart", "NodeFinished"):
                node = event.data.node_info
                with self._lock:
                    if name == "NodeStart":
                        self.running[node.unique_id] = node.node_name
                        self.set_label(self._running_label())
                    elif self.running.pop(node.unique_id, None) is not None:
                        # dbt's node_count can leave out nodes it then runs (e.g. unit tests):
                        # the total grows rather than show more done than total
                        done = self.done + 1
                        total = max(self.total, done) if self.total is not None else None
                        self.step(done, total, self._running_label())
        except Exception:  # noqa: BLE001 - progress is best effort
            return

    def _running_label(self) -> str:
        names = list(self.running.values())
        if not names:
            return ""
        return "running " + names[-1] + (f" (+{len(names) - 1} more)" if len(names) > 1 else "")


def dbt_progress(say: Say = print, **kwargs: Any) -> DbtProgress:
    """A DbtProgress reporting through `say` (plain lines) or a live bar on stderr."""
    return DbtProgress(say=say, **kwargs)
