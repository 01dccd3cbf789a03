"""Data layer: reading and validating the curated tables, their schema, units and periods.

``load()`` gives a :class:`Dataset`; ``Dataset.measurements()`` folds the rows that report one
measurement; ``level_series()`` gives a dated series of levels that counts each measurement once.
"""

from kimi_research.data.loader import Dataset, load
from kimi_research.data.measurements import measurement_ids, measurements, repeated_figures
from kimi_research.data.series import level_series

__all__ = ["Dataset", "level_series", "load", "measurement_ids", "measurements", "repeated_figures"]
