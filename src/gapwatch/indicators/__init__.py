"""Indicators across the K-12 pipeline, by student group, entity and year.

The registry (:mod:`.registry`) defines each indicator (:mod:`.indicator`) as a universe and an
outcome over the documented views (:mod:`.views`); :mod:`.aggregate` turns them into one SQL
query per view, run by DuckDB or Spark (:mod:`.engines`); :mod:`.stats` adds standard errors and
intervals.

The names below are loaded on first use (PEP 562), so that a package defining indicators of its
own (:mod:`gapwatch.families.indicators`) can import :mod:`.indicator` without loading the
registry that lists its indicators.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "BUILTIN": "registry", "BUILTIN_BY_ID": "registry", "Direction": "indicator",
    "Indicator": "indicator", "Kind": "indicator", "RESULT_COLUMNS": "results",
    "RunSummary": "results", "compute": "results", "run": "results",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
