"""Importers: convert labeling-platform exports into the raw export contract (one module per platform)."""
