"""California School Dashboard performance levels: status, change and color, as CDE assigns them.

Each state indicator gets a Status (this year) and a Change (this year minus last), each one of
five levels, and the pair a color on a 5x5 grid (CDE Five-by-Five Colored Tables,
cde.ca.gov/ta/ac/cm/fivebyfivecolortables23.asp; ../shared/design/METHODS.md sections 1.1, 1.2,
1.7). The cut points are data (``cuts/<year>.toml``, :mod:`gapwatch.dashboard.cuts`); this module
rounds, looks up and applies the n-size rules. The cut set an entity is held to comes from
:mod:`gapwatch.dashboard.cutsets`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gapwatch.dashboard.cuts import CutSet, CutTable, IndicatorCuts, table_for
from gapwatch.dashboard.cutsets import choose_cut_set
from gapwatch.dashboard.names import (
    GAPWATCH_INDICATORS,
    INDICATOR_LABELS,
    ChangeLevel,
    Color,
    ReversedChangeLevel,
    ReversedStatusLevel,
    StatusLevel,
    change_enum,
    dashboard_indicator,
    status_enum,
)

__all__ = [
    "GAPWATCH_INDICATORS", "PerformanceLevel", "choose_cut_set", "cut_sets", "performance_level",
    "round_tenth",
]

TENTH = Decimal("0.1")
#: Small denominators: the significant change bands fold into their neighbours.
FOLD = {"Increased Significantly": "Increased", "Declined Significantly": "Declined"}


def round_tenth(value: float | Decimal) -> Decimal:
    """Round to 0.1, half away from zero, as CDE displays Status and Change.

    The value's shortest decimal form (``str``) is rounded with :mod:`decimal`, so a number
    written ``2.45`` rounds to 2.5 although the binary float 2.45 is slightly below it.

    >>> round_tenth(2.45), round_tenth(-70.05), round_tenth(9.95)
    (Decimal('2.5'), Decimal('-70.1'), Decimal('10.0'))
    """
    rounded = Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


@dataclass(frozen=True)
class PerformanceLevel:
    """Status level, change level and color of one result, with the reason in plain words.

    ``*_number`` are CDE's codes (1 worst ... 5 best, 0 when there is none), as in CDE's files.
    """

    status_level: StatusLevel | ReversedStatusLevel | None
    change_level: ChangeLevel | ReversedChangeLevel | None
    color: Color | None
    status_rounded: float | None
    change_rounded: float | None
    reason: str
    indicator: str = ""
    cut_set: str = ""
    year: int = 0
    #: the Dashboard year whose cut table was used (the latest at or before ``year``)
    table_year: int = 0
    #: whether that table has been checked against CDE's published results
    verified: bool = False
    small_denominator: bool = False

    @property
    def status_number(self) -> int:
        return 0 if self.status_level is None else self.status_level.cde_number

    @property
    def change_number(self) -> int:
        return 0 if self.change_level is None else self.change_level.cde_number

    @property
    def color_number(self) -> int:
        return 0 if self.color is None else self.color.cde_number


def cut_sets(indicator: str, year: int) -> tuple[str, ...]:
    """Cut-set names of ``indicator`` in the table used for Dashboard ``year``.

    >>> cut_sets("ela_dfs", 2025)
    ('grades_3_8', 'grade_11')
    """
    return tuple(table_for(year).indicator(dashboard_indicator(indicator)).cut_sets)


def performance_level(indicator: str, status: float, change: float | None, *, year: int,
                      cut_set: str, n: int | None = None,
                      prior_n: int | None = None) -> PerformanceLevel:
    """Status level, change level and color of one result, as the Dashboard assigns them.

    ``indicator``: a Dashboard name (``ela``, ``math``, ``chronic_absence``, ``suspension``,
    ``graduation``, ``cci``, ``elpi``) or a gapwatch id (``GAPWATCH_INDICATORS``). ``status`` and
    ``change`` are UNROUNDED and in Dashboard units: points for ELA and math, percent 0-100 for
    rates (gapwatch stores rates as 0-1: multiply by 100). ``change`` = status - prior status,
    both unrounded (CDE 5x5 grid pages); None gives a status level only. Both are rounded to 0.1
    half away from zero (:func:`round_tenth`) and the levels looked up with inclusive lower
    bounds. ``year`` is the Dashboard year (gapwatch ``school_year``, spring); a year without its
    own table uses the latest one before it (``table_year`` says which).

    n-size (METHODS.md 1.1, 1.7): ``n`` < 11 reports nothing; a color needs ``n`` and
    ``prior_n`` >= 30 (a count not given is taken as met); ``prior_n`` < 11 gives no change
    level; ``n`` < 150 folds the significant change bands for chronic absenteeism, suspension
    and College/Career (level and color) and graduation (color only).

    >>> r = performance_level("ela", -12.34, 3.96, year=2025, cut_set="grades_3_8", n=120)
    >>> r.status_level.label, r.change_level.label, r.color.label, r.color_number
    ('Low', 'Increased', 'Yellow', 3)
    >>> r.status_rounded, r.change_rounded
    (-12.3, 4.0)
    >>> r = performance_level("chronic_absence", 22.0, -0.2, year=2025, cut_set="all")
    >>> r.status_level.label, r.status_number, r.color.label
    ('Very High', 1, 'Red')
    >>> performance_level("math", -20.0, None, year=2018, cut_set="grade_11").reason
    'Math (grade_11 cut set, 2018 table): status -20.0 is Medium; status only: no change given'
    >>> performance_level("ela", 5.0, 1.0, year=2025, cut_set="grades_3_8", n=8).reason
    'ELA (grades_3_8 cut set, 2025 table): not reported, fewer than 11 students (n=8)'
    """
    name = dashboard_indicator(indicator)
    table = table_for(year)
    cuts, cutset = table.cut_set(name, cut_set)
    if status is None or not math.isfinite(status):
        raise ValueError(f"status must be a number, got {status!r}")
    label = INDICATOR_LABELS[name]
    head = f"{label[0].upper()}{label[1:]} ({cut_set} cut set, {table.year} table)"
    if table.year != year:
        head += f" [no {year} table; using {table.year}]"
    common = dict(indicator=name, cut_set=cut_set, year=year, table_year=table.year,
                  verified=table.verified)
    if n is not None and n < table.min_reported:
        return PerformanceLevel(None, None, None, None, None,
                                f"{head}: not reported, fewer than {table.min_reported} "
                                f"students (n={n})", **common)
    small = (cuts.small_denominator is not None and n is not None
             and n < table.small_denominator_below)
    status_r = round_tenth(status)
    status_label = cutset.status_label(status_r)
    notes = [f"status {status_r} is {status_label}"]
    change_r, change_label, color_column = _change(table, cuts, cutset, change, prior_n, small,
                                                   notes)
    color = _color(table, cutset, status_label, change_label, color_column, n, prior_n, notes)
    return PerformanceLevel(
        status_level=status_enum(name)(status_label),
        change_level=None if change_label is None else change_enum(name)(change_label),
        color=color, status_rounded=float(status_r),
        change_rounded=None if change_r is None else float(change_r),
        reason=f"{head}: " + "; ".join(notes), small_denominator=small, **common)


def _change(table: CutTable, cuts: IndicatorCuts, cutset: CutSet, change: float | None,
            prior_n: int | None, small: bool, notes: list[str]):
    """Rounded change, change level and the grid column to read the color from."""
    if change is None:
        notes.append("status only: no change given")
        return None, None, None
    if not math.isfinite(change):
        raise ValueError(f"change must be a number or None, got {change!r}")
    change_r = round_tenth(change)
    if cutset.change is None:
        notes.append(f"status only: the {table.year} table has no change cut points for "
                     f"{INDICATOR_LABELS[cuts.indicator]}")
        return change_r, None, None
    if prior_n is not None and prior_n < table.min_reported:
        notes.append(f"no change level: fewer than {table.min_reported} students the year "
                     f"before (prior_n={prior_n})")
        return change_r, None, None
    label = cutset.change_label(change_r)
    column = label
    if small and label in FOLD:
        column = FOLD[label]
        if cuts.small_denominator == "fold_change":
            notes.append(f"change {change_r:+} is {label}, reported as {column}: fewer than "
                         f"{table.small_denominator_below} students (3x5 grid)")
            return change_r, column, column
        notes.append(f"change {change_r:+} is {label}; color read as {column}: fewer than "
                     f"{table.small_denominator_below} students (3x5 grid)")
        return change_r, label, column
    notes.append(f"change {change_r:+} is {label}")
    return change_r, label, column


def _color(table: CutTable, cutset: CutSet, status_label: str, change_label: str | None,
           column: str | None, n: int | None, prior_n: int | None,
           notes: list[str]) -> Color | None:
    if change_label is None:  # the change note says why
        return None
    for count, when in ((n, "this year"), (prior_n, "the year before")):
        if count is not None and count < table.min_color:
            notes.append(f"no color: fewer than {table.min_color} students {when} "
                         f"({'n' if when == 'this year' else 'prior_n'}={count})")
            return None
    color = cutset.grid[(status_label, column)]
    if color is None:
        notes.append(f"no color: the grid has none for {status_label} x {column}")
    else:
        notes.append(f"color {color}")
    return color
