"""What the model files' templates see: code lists, reference tables and the run's parameters.

Imports from :mod:`gapwatch.indicators` happen inside the functions: the indicators package
reads its views from the models, so it is imported after them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from gapwatch.calendar import census_day, year_end, year_start
from gapwatch.reference import SBAC_THRESHOLDS

if TYPE_CHECKING:
    from gapwatch.indicators.elpi import ElpiReference

C_OR_BETTER = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "P")
FAILING = ("F", "NP")
CORE_AREAS = ("ELA", "MATH", "SCI", "SOC")
#: The year rendered when a run has none, so that the views still bind (no rows match it).
PLACEHOLDER_YEAR = {"school_year": 0, "year_start": date(1990, 7, 1),
                    "year_end": date(1991, 6, 30), "census_day": date(1990, 10, 3),
                    "default_test_day": date(1991, 5, 1)}


def static_globals() -> dict[str, Any]:
    """Names every template and macro may use, the same in every run."""
    from gapwatch.indicators.participation import columns_sql

    return {"c_or_better": C_OR_BETTER, "failing": FAILING, "core_areas": CORE_AREAS,
            "sbac_thresholds": SBAC_THRESHOLDS, "participation_columns": columns_sql}


def year_rows(years: Iterable[int]) -> list[dict[str, Any]]:
    """The ``years`` model's rows: each school year with its dates (gapwatch.calendar)."""
    rows = [{"school_year": y, "year_start": year_start(y), "year_end": year_end(y),
             "census_day": census_day(y), "default_test_day": date(y, 5, 1)} for y in years]
    return rows or [PLACEHOLDER_YEAR]


def parameters(years: Iterable[int], elpi: ElpiReference | None = None) -> dict[str, Any]:
    """A run's parameters: its school years and the ELPI reference (shipped when None)."""
    if elpi is None:
        from gapwatch.indicators.elpi import load_reference

        elpi = load_reference()
    return {"years": year_rows(years), "elpi": elpi}
