"""Lint-time stand-in for macros called with the package prefix (`labelhouse.<macro>(...)`)."""

from __future__ import annotations

from typing import Any

from _stubs import stub_for


def __getattr__(name: str) -> Any:
    return stub_for(name)
