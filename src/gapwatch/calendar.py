"""The school calendar gapwatch counts by (California): a school year runs July 1 to June 30 and
is named by the calendar year it ends in (2024 = 2023-24); census day is the first Wednesday in
October (CALPADS Fall 1)."""

from __future__ import annotations

from datetime import date, timedelta


def year_start(school_year: int) -> date:
    """July 1 of the fall of ``school_year``."""
    return date(school_year - 1, 7, 1)


def year_end(school_year: int) -> date:
    """June 30 of the spring of ``school_year``."""
    return date(school_year, 6, 30)


def census_day(school_year: int) -> date:
    """First Wednesday in October of the fall of ``school_year`` (CALPADS census day)."""
    first = date(school_year - 1, 10, 1)
    return first + timedelta(days=(2 - first.weekday()) % 7)
