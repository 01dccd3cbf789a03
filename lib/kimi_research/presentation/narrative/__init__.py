"""Prose of each notebook: summaries, verdicts and headlines written from computed values."""
