"""The instructional calendar of each school year: weekdays from mid-August to early June.

Modeled on a large California district's calendar (approximation): school starts on the first
Monday on or after August 12; holidays are Labor Day, Veterans Day, Thanksgiving week, a winter
break from December 19 to January 6, Martin Luther King Jr. Day, Presidents' Day, Cesar Chavez
Day, a spring-break week and Memorial Day. The year ends on the day that completes the
configured number of instructional days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    """Days since 1970-01-01 (the integer behind Arrow's date32)."""
    return (d - EPOCH).days


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    shift = (weekday - first.weekday()) % 7
    return first + timedelta(days=shift + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(d: date) -> date:
    if d.weekday() == 5:
        return d - timedelta(days=1)
    if d.weekday() == 6:
        return d + timedelta(days=1)
    return d


def holidays(school_year: int) -> set[date]:
    """Non-instructional weekdays of school year ``school_year`` (spring year)."""
    fall, spring = school_year - 1, school_year
    days: set[date] = {
        _nth_weekday(fall, 9, 0, 1),  # Labor Day
        _observed(date(fall, 11, 11)),  # Veterans Day
        _nth_weekday(spring, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(spring, 2, 0, 3),  # Presidents' Day
        _observed(date(spring, 3, 31)),  # Cesar Chavez Day
        _last_weekday(spring, 5, 0),  # Memorial Day
    }
    thanksgiving = _nth_weekday(fall, 11, 3, 4)
    days.update(thanksgiving - timedelta(days=k) for k in range(3, -2, -1))  # Mon-Fri
    d = date(fall, 12, 19)
    while d <= date(spring, 1, 6):
        days.add(d)
        d += timedelta(days=1)
    spring_break = _nth_weekday(spring, 4, 0, 1)  # week of the first Monday of April
    days.update(spring_break + timedelta(days=k) for k in range(5))
    return days


@dataclass(frozen=True)
class SchoolCalendar:
    """Instructional days of one school year, as day numbers (days since 1970-01-01)."""

    school_year: int
    days: np.ndarray  # int32, sorted

    @property
    def n_days(self) -> int:
        return int(self.days.size)

    @property
    def first_day(self) -> int:
        return int(self.days[0])

    @property
    def last_day(self) -> int:
        return int(self.days[-1])

    @property
    def semester1_end(self) -> int:
        """Index of the last instructional day before January 1 (end of semester 1)."""
        jan1 = day_number(date(self.school_year, 1, 1))
        return int(np.searchsorted(self.days, jan1) - 1)

    def index_on_or_after(self, d: date) -> int:
        """Index of the first instructional day on or after ``d`` (clipped to the year)."""
        return min(int(np.searchsorted(self.days, day_number(d))), self.n_days - 1)

    def index_on_or_before(self, d: date) -> int:
        """Index of the last instructional day on or before ``d`` (clipped to the year)."""
        return max(int(np.searchsorted(self.days, day_number(d), side="right")) - 1, 0)


def build_calendar(school_year: int, instructional_days: int) -> SchoolCalendar:
    """The calendar of ``school_year`` with exactly ``instructional_days`` days."""
    start = date(school_year - 1, 8, 12)
    start += timedelta(days=(0 - start.weekday()) % 7)
    off = holidays(school_year)
    days: list[int] = []
    d = start
    end = date(school_year, 6, 30)
    while len(days) < instructional_days and d <= end:
        if d.weekday() < 5 and d not in off:
            days.append(day_number(d))
        d += timedelta(days=1)
    if len(days) < instructional_days:
        raise ValueError(
            f"{instructional_days} instructional days do not fit in school year {school_year}"
        )
    return SchoolCalendar(school_year, np.asarray(days, dtype=np.int32))
