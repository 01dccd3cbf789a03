"""Orchestration layer: notebook runner, results files, decks, summary deck and index."""
