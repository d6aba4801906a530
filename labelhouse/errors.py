"""The one exception type the CLI turns into a clean message and an exit code."""

from __future__ import annotations


class LabelhouseError(Exception):
    """A failure the user can act on; `exit_code` tells the CLI how to exit."""

    exit_code: int = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class PreflightError(LabelhouseError):
    """The raw exports are structurally unusable (missing column, unreadable file...)."""

    exit_code = 2


class DbtFailed(LabelhouseError):
    """dbt could not build the candidate warehouse, or one of its tests failed."""

    exit_code = 3


class GateFailed(LabelhouseError):
    """A Great Expectations gate did not pass."""

    exit_code = 4


class BuildInProgress(LabelhouseError):
    """Another build holds the lock on the warehouse."""

    exit_code = 5
