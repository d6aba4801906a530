"""Lint-time stand-in for dbt's `target` (the profile target models are rendered for)."""

from __future__ import annotations

type = "duckdb"  # noqa: A001 - mirrors target.type
name = "dev"
