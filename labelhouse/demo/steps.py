"""Progress reporting: the generator's steps counted and passed to an optional callback."""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[int, int, str], None]
"""Called as (done_steps, total_steps, step_label) after each step."""


class Steps:
    """Counts finished steps (chunks, bad rows, each raw file, the manifest) and reports them."""

    def __init__(self, total: int, progress: ProgressFn | None) -> None:
        self.total = total
        self.done = 0
        self._progress = progress

    def finish(self, label: str) -> None:
        """One more step is finished; `label` says which."""
        self.done += 1
        if self._progress is not None:
            self._progress(self.done, self.total, label)
