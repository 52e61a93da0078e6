"""Indicators across the K-12 pipeline, by student group, entity and year.

The registry (:mod:`.registry`) defines each indicator as a universe and an outcome over the
documented views (:mod:`.views`); :mod:`.aggregate` turns them into one SQL query per view,
run by DuckDB or Spark (:mod:`.engines`); :mod:`.stats` adds standard errors and intervals.
"""

from gapwatch.indicators.registry import BUILTIN, BUILTIN_BY_ID, Direction, Indicator, Kind
from gapwatch.indicators.results import RESULT_COLUMNS, RunSummary, compute, run

__all__ = [
    "BUILTIN",
    "BUILTIN_BY_ID",
    "RESULT_COLUMNS",
    "Direction",
    "Indicator",
    "Kind",
    "RunSummary",
    "compute",
    "run",
]
