"""labelhouse: a SQL-first analytics warehouse for Trust & Safety labeling operations."""

__version__ = "0.1.0"
