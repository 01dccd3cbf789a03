"""Data layer: reading and validating the curated tables, their schema, units and periods."""

from kimi_research.data.loader import Dataset, load, repeated_figures

__all__ = ["Dataset", "load", "repeated_figures"]
