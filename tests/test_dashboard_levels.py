"""Dashboard performance levels, cut-set choice and support rules (gapwatch.dashboard).

The 2023-2025 expectations are transcribed below from ../shared/design/METHODS.md section 1.7
as published (ranges and grid rows), not read from the package's cut files, so these tests are
an oracle for ``cuts/20xx.toml``. The 2018 status levels are checked against every school record
of CDE's 2018 Dashboard files in ../shared/external/ca-dashboard-2018.
"""

from __future__ import annotations

import csv
import doctest
import os
from decimal import Decimal
from pathlib import Path

import pytest

import gapwatch.dashboard.csi
import gapwatch.dashboard.cuts
import gapwatch.dashboard.cutsets
import gapwatch.dashboard.levels
import gapwatch.dashboard.names
import gapwatch.dashboard.support
import gapwatch.dashboard.support_rules
from gapwatch.dashboard import (
    GAPWATCH_INDICATORS,
    ChangeLevel,
    Color,
    ReversedChangeLevel,
    ReversedStatusLevel,
    StatusLevel,
    choose_cut_set,
    cut_sets,
    performance_level,
    round_tenth,
)
from gapwatch.dashboard.cuts import load_table, table_years
from gapwatch.dashboard.support import (
    atsi,
    csi_graduation,
    csi_low_performing,
    differentiated_assistance,
)

#: ../shared/external, or the folder GAPWATCH_EXTERNAL names (for a checkout elsewhere)
EXTERNAL = Path(os.environ.get("GAPWATCH_EXTERNAL") or Path(__file__).resolve().parents[1].parent
                / "shared" / "external") / "ca-dashboard-2018"

# ------------------------------------------------------------------ METHODS.md 1.7, transcribed
STATUS_LABELS = ("Very Low", "Low", "Medium", "High", "Very High")
CHANGE_LABELS = ("Declined Significantly", "Declined", "Maintained", "Increased",
                 "Increased Significantly")
SUSPENSION_SETS = ("lea_elementary", "lea_high", "lea_unified", "school_elementary",
                   "school_middle", "school_high")

#: (indicator, cut set) -> Very Low | Low | Medium | High | Very High
STATUS = {
    ("ela", "grades_3_8"): "<= -70.1 | -70.0 to -5.1 | -5.0 to 9.9 | 10.0 to 44.9 | >= 45.0",
    ("ela", "grade_11"): "<= -45.1 | -45.0 to -0.1 | 0.0 to 29.9 | 30.0 to 74.9 | >= 75.0",
    ("math", "grades_3_8"): "<= -95.1 | -95.0 to -25.1 | -25.0 to -0.1 | 0.0 to 34.9 | >= 35.0",
    ("math", "grade_11"): "<= -115.1 | -115.0 to -60.1 | -60.0 to -0.1 | 0.0 to 24.9 | >= 25.0",
    ("graduation", "all"): "<= 67.9 | 68.0 to 79.9 | 80.0 to 90.4 | 90.5 to 94.9 | >= 95.0",
    ("cci", "all"): "<= 9.9 | 10.0 to 34.9 | 35.0 to 54.9 | 55.0 to 69.9 | >= 70.0",
    ("elpi", "all"): "<= 34.9 | 35.0 to 44.9 | 45.0 to 54.9 | 55.0 to 64.9 | >= 65.0",
    ("chronic_absence", "all"): "<= 2.5 | 2.6 to 5.0 | 5.1 to 10.0 | 10.1 to 20.0 | >= 20.1",
    ("suspension", "lea_elementary"): "<= 0.5 | 0.6 to 1.5 | 1.6 to 3.0 | 3.1 to 6.0 | >= 6.1",
    ("suspension", "lea_high"): "<= 1.5 | 1.6 to 3.5 | 3.6 to 6.0 | 6.1 to 9.0 | >= 9.1",
    ("suspension", "lea_unified"): "<= 1.0 | 1.1 to 2.5 | 2.6 to 4.5 | 4.6 to 8.0 | >= 8.1",
    ("suspension", "school_elementary"): "<= 0.5 | 0.6 to 1.0 | 1.1 to 3.0 | 3.1 to 6.0 | >= 6.1",
    ("suspension", "school_middle"): "<= 0.5 | 0.6 to 2.0 | 2.1 to 8.0 | 8.1 to 12.0 | >= 12.1",
    ("suspension", "school_high"): "<= 0.5 | 0.6 to 1.5 | 1.6 to 6.0 | 6.1 to 10.0 | >= 10.1",
}

ACADEMIC_CHANGE = "<= -15.1 | -15.0 to -3.0 | -2.9 to 2.9 | 3.0 to 14.9 | >= 15.0"
#: (indicator, cut set) -> Declined Sig. | Declined | Maintained | Increased | Increased Sig.
CHANGE = {
    ("ela", "grades_3_8"): ACADEMIC_CHANGE, ("ela", "grade_11"): ACADEMIC_CHANGE,
    ("math", "grades_3_8"): ACADEMIC_CHANGE, ("math", "grade_11"): ACADEMIC_CHANGE,
    ("graduation", "all"): "<= -5.1 | -5.0 to -1.0 | -0.9 to 0.9 | 1.0 to 4.9 | >= 5.0",
    ("cci", "all"): "<= -9.1 | -9.0 to -2.0 | -1.9 to 1.9 | 2.0 to 8.9 | >= 9.0",
    ("elpi", "all"): "<= -10.1 | -10.0 to -2.0 | -1.9 to 1.9 | 2.0 to 9.9 | >= 10.0",
    ("chronic_absence", "all"): "<= -3.0 | -2.9 to -0.5 | -0.4 to 0.4 | 0.5 to 3.0 | >= 3.1",
    ("suspension", "lea_elementary"): "<= -2.0 | -1.9 to -0.3 | -0.2 to 0.2 | 0.3 to 2.0 | >= 2.1",
    ("suspension", "lea_unified"): "<= -2.0 | -1.9 to -0.3 | -0.2 to 0.2 | 0.3 to 2.0 | >= 2.1",
    ("suspension", "lea_high"): "<= -3.0 | -2.9 to -0.5 | -0.4 to 0.4 | 0.5 to 3.0 | >= 3.1",
    ("suspension", "school_elementary"):
        "<= -1.0 | -0.9 to -0.3 | -0.2 to 0.2 | 0.3 to 2.0 | >= 2.1",
    ("suspension", "school_middle"): "<= -3.0 | -2.9 to -0.3 | -0.2 to 0.2 | 0.3 to 4.0 | >= 4.1",
    ("suspension", "school_high"): "<= -2.0 | -1.9 to -0.3 | -0.2 to 0.2 | 0.3 to 3.0 | >= 3.1",
}

#: Grid rows as METHODS.md writes them: columns worst -> best for the indicator.
ACADEMIC_GRID = "VH G G B B B · H G G G G B · M Y Y Y G G · L O O O Y Y · VL R R R O O"
CCI_GRID = "VH Y G B B B · H O Y G G B · M O O Y G G · L R O O Y Y · VL R R R O Y"
SUSPENSION_GRID = "VL - G B B B · L - Y G G B · M O O Y G G · H R O O Y Y · VH R R R O Y"
SUSPENSION_GRID_LEA = SUSPENSION_GRID.replace("L - Y G G B", "L O Y G G B")
GRIDS = {
    **{(s, c): ACADEMIC_GRID for s in ("ela", "math") for c in ("grades_3_8", "grade_11")},
    ("graduation", "all"): "VH - B B B B · H O Y G G B · M O O Y G G · L R O O Y Y · "
                           "VL R R R R R",
    ("cci", "all"): CCI_GRID, ("elpi", "all"): CCI_GRID,
    ("chronic_absence", "all"): "VL Y G B B B · L O Y G G B · M O O Y G G · H R O O Y Y · "
                                "VH R R R O Y",
    **{("suspension", s): SUSPENSION_GRID_LEA if s in ("lea_high", "lea_unified")
       else SUSPENSION_GRID for s in SUSPENSION_SETS},
}
LOWER_IS_BETTER = {"chronic_absence", "suspension"}
ROW_NAMES = {"VL": "Very Low", "L": "Low", "M": "Medium", "H": "High", "VH": "Very High"}
COLORS = {"R": "Red", "O": "Orange", "Y": "Yellow", "G": "Green", "B": "Blue", "-": None}
FOLDED = {"chronic_absence", "suspension", "cci"}  # change level folds; graduation: color only
KEYS = sorted(STATUS)
YEARS = (2023, 2024, 2025)


def bands(text: str) -> list[tuple[Decimal | None, Decimal | None]]:
    """'<= a | b to c | ... | >= d' -> [(None, a), (b, c), ..., (d, None)]."""
    out = []
    for cell in (c.strip() for c in text.split("|")):
        if cell.startswith("<="):
            out.append((None, Decimal(cell[2:])))
        elif cell.startswith(">="):
            out.append((Decimal(cell[2:]), None))
        else:
            low, high = cell.split(" to ")
            out.append((Decimal(low), Decimal(high)))
    return out


def inside(band: tuple[Decimal | None, Decimal | None]) -> float:
    """A value in the band."""
    return float(band[0] if band[0] is not None else band[1])


def grid(key: tuple[str, str]) -> dict[tuple[str, str], str | None]:
    """(status label, change label) -> color label, from the METHODS text."""
    columns = list(CHANGE_LABELS)
    if key[0] in LOWER_IS_BETTER:
        columns.reverse()
    out = {}
    for row in GRIDS[key].split(" · "):
        name, *cells = row.split()
        assert len(cells) == 5
        for column, cell in zip(columns, cells, strict=True):
            out[(ROW_NAMES[name], column)] = COLORS[cell]
    assert len(out) == 25
    return out


def has_change(key: tuple[str, str], year: int) -> bool:
    return not (year == 2023 and key[0] == "cci")  # 2023 College/Career: Status only


#: (key, year) pairs with change cut points and a grid
WITH_CHANGE = [pytest.param(k, y, id=f"{'-'.join(k)}-{y}")
               for y in YEARS for k in KEYS if has_change(k, y)]


def level(key, status, change=None, year=2025, **kw):
    return performance_level(key[0], status, change, year=year, cut_set=key[1], **kw)


# ------------------------------------------------------------------ transcription sanity
@pytest.mark.parametrize("table", [STATUS, CHANGE], ids=["status", "change"])
def test_transcribed_bands_are_contiguous(table):
    for key, text in table.items():
        b = bands(text)
        assert b[0][0] is None and b[-1][1] is None, key
        for (_, high), (low, _) in zip(b, b[1:], strict=False):
            assert low - high == Decimal("0.1"), key


# ------------------------------------------------------------------ 2023-2025 oracle
@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("key", KEYS, ids="-".join)
def test_status_boundaries(key, year):
    wrong = []
    for i, (low, high) in enumerate(bands(STATUS[key])):
        cases = []
        if low is not None:  # the lower bound, and unrounded values either side of it
            cases += [(low, i), (low - Decimal("0.04"), i), (low - Decimal("0.06"), i - 1)]
        if high is not None:
            cases += [(high, i), (high + Decimal("0.04"), i), (high + Decimal("0.06"), i + 1)]
        for value, expected in cases:
            got = level(key, float(value), year=year).status_level
            if got != STATUS_LABELS[expected]:
                wrong.append((str(value), STATUS_LABELS[expected], got))
    assert wrong == []


@pytest.mark.parametrize(("key", "year"), WITH_CHANGE)
def test_change_boundaries(key, year):
    status = inside(bands(STATUS[key])[2])
    wrong = []
    for i, (low, high) in enumerate(bands(CHANGE[key])):
        cases = []
        if low is not None:
            cases += [(low, i), (low - Decimal("0.04"), i), (low - Decimal("0.06"), i - 1)]
        if high is not None:
            cases += [(high, i), (high + Decimal("0.04"), i), (high + Decimal("0.06"), i + 1)]
        for value, expected in cases:
            got = level(key, status, float(value), year=year).change_level
            if got != CHANGE_LABELS[expected]:
                wrong.append((str(value), CHANGE_LABELS[expected], got))
    assert wrong == []


@pytest.mark.parametrize(("key", "year"), WITH_CHANGE)
def test_every_grid_cell(key, year):
    expected = grid(key)
    status_values = dict(zip(STATUS_LABELS, map(inside, bands(STATUS[key])), strict=True))
    change_values = dict(zip(CHANGE_LABELS, map(inside, bands(CHANGE[key])), strict=True))
    wrong = {}
    for (row, column), color in expected.items():
        r = level(key, status_values[row], change_values[column], year=year, n=500, prior_n=500)
        assert (r.status_level, r.change_level) == (row, column)
        if r.color != color:
            wrong[(row, column)] = (color, r.color)
    assert wrong == {}


def test_2023_college_career_is_status_only():
    r = level(("cci", "all"), 20.0, 5.0, year=2023)
    assert r.status_level == "Low" and r.change_level is None and r.color is None
    assert "2023 table has no change cut points" in r.reason


# ------------------------------------------------------------------ numbering and direction
def test_cde_numbers_worst_to_best():
    assert [m.cde_number for m in StatusLevel] == [1, 2, 3, 4, 5]
    assert StatusLevel.VERY_LOW.cde_number == 1 and ReversedStatusLevel.VERY_HIGH.cde_number == 1
    assert ReversedStatusLevel.VERY_LOW.cde_number == 5
    assert ChangeLevel.DECLINED_SIGNIFICANTLY.cde_number == 1
    assert ReversedChangeLevel.INCREASED_SIGNIFICANTLY.cde_number == 1
    assert [c.cde_number for c in Color] == [1, 2, 3, 4, 5] and Color.RED.label == "Red"
    assert ReversedStatusLevel.VERY_HIGH == StatusLevel.VERY_HIGH == "Very High"


def test_reversed_indicators():
    r = performance_level("chronic_absence", 25.0, 4.0, year=2025, cut_set="all")
    assert r.status_level is ReversedStatusLevel.VERY_HIGH and r.status_number == 1
    assert r.change_level is ReversedChangeLevel.INCREASED_SIGNIFICANTLY and r.change_number == 1
    assert r.color is Color.RED and r.color_number == 1
    r = performance_level("suspension_rate", 0.2, -2.5, year=2025, cut_set="lea_unified")
    assert (r.status_number, r.change_number, r.color) == (5, 5, Color.BLUE)
    r = performance_level("ela_dfs", -90.0, -20.0, year=2025, cut_set="grades_3_8")
    assert (r.status_number, r.change_number, r.color_number) == (1, 1, 1)
    assert isinstance(r.status_level, StatusLevel) and r.indicator == "ela"


def test_gapwatch_ids_map_to_dashboard_names():
    for gid, name in GAPWATCH_INDICATORS.items():
        key = (name, cut_sets(name, 2025)[0])
        a = performance_level(gid, 10.0, 1.0, year=2025, cut_set=key[1])
        b = level(key, 10.0, 1.0)
        assert (a.status_level, a.change_level, a.color, a.indicator) == \
            (b.status_level, b.change_level, b.color, name)


# ------------------------------------------------------------------ rounding
@pytest.mark.parametrize(("key", "value", "rounded", "expected"), [
    (("ela", "grades_3_8"), -70.05, -70.1, "Very Low"),
    (("ela", "grades_3_8"), -70.04, -70.0, "Low"),
    (("ela", "grades_3_8"), 9.95, 10.0, "High"),
    (("ela", "grades_3_8"), 9.94, 9.9, "Medium"),
    (("chronic_absence", "all"), 2.45, 2.5, "Very Low"),
    (("chronic_absence", "all"), 2.55, 2.6, "Low"),
    (("graduation", "all"), 90.45, 90.5, "High"),
])
def test_status_rounds_half_away_from_zero(key, value, rounded, expected):
    r = level(key, value)
    assert r.status_rounded == rounded and r.status_level == expected


def test_round_tenth():
    assert round_tenth(2.45) == Decimal("2.5") and round_tenth(-2.45) == Decimal("-2.5")
    assert str(round_tenth(-0.04)) == "0.0"
    assert round_tenth(Decimal("0.05")) == Decimal("0.1")


def test_change_uses_unrounded_statuses():
    # 10.04 - 6.96 = 3.08 -> 3.1 Increased Significantly; rounded statuses give 10.0 - 7.0 = 3.0
    key = ("chronic_absence", "all")
    r = level(key, 10.04, 10.04 - 6.96)
    assert r.change_rounded == 3.1 and r.change_level == "Increased Significantly"
    assert level(key, 10.04, 10.0 - 7.0).change_level == "Increased"
    # ELA: -80.04 - (-82.96) = 2.92 -> Maintained -> Red; rounded -80.0 - (-83.0) = 3.0 -> Orange
    key = ("ela", "grades_3_8")
    assert level(key, -80.04, -80.04 - -82.96).color is Color.RED
    assert level(key, -80.04, -80.0 - -83.0).color is Color.ORANGE


# ------------------------------------------------------------------ n-size
def test_fewer_than_11_reports_nothing():
    r = level(("ela", "grades_3_8"), 5.0, 4.0, n=10, prior_n=100)
    assert (r.status_level, r.change_level, r.color, r.status_rounded, r.change_rounded) == \
        (None,) * 5
    assert "fewer than 11 students (n=10)" in r.reason
    assert level(("ela", "grades_3_8"), 5.0, 4.0, n=11, prior_n=100).status_level == "Medium"


@pytest.mark.parametrize(("n", "prior_n", "colored", "why"), [
    (29, 100, False, "fewer than 30 students this year (n=29)"),
    (30, 29, False, "fewer than 30 students the year before (prior_n=29)"),
    (30, 30, True, "color Yellow"),
    (None, None, True, "color Yellow"),
])
def test_color_needs_30_in_both_years(n, prior_n, colored, why):
    r = level(("ela", "grades_3_8"), 5.0, -1.0, n=n, prior_n=prior_n)
    assert r.status_level == "Medium" and r.change_level == "Maintained"
    assert (r.color is not None) == colored and why in r.reason


def test_prior_year_under_11_gives_no_change_level():
    r = level(("ela", "grades_3_8"), 5.0, -1.0, n=50, prior_n=10)
    assert r.status_level == "Medium" and r.change_level is None and r.color is None


def test_no_change_given_is_status_only():
    r = level(("graduation", "all"), 85.0, None, n=500, prior_n=500)
    assert r.status_level == "Medium" and r.change_level is None and r.color is None
    assert r.change_rounded is None and "no change given" in r.reason


# ------------------------------------------------------------------ small denominators
@pytest.mark.parametrize("key", KEYS, ids="-".join)
@pytest.mark.parametrize("significant", ["Increased Significantly", "Declined Significantly"])
def test_small_denominators_fold(key, significant):
    neighbour = significant.split()[0]
    cells = grid(key)
    change = inside(bands(CHANGE[key])[CHANGE_LABELS.index(significant)])
    for row, status in zip(STATUS_LABELS, map(inside, bands(STATUS[key])), strict=True):
        big = level(key, status, change, n=150, prior_n=150)
        small = level(key, status, change, n=149, prior_n=149)
        assert big.change_level == significant and not big.small_denominator
        assert big.color == cells[(row, significant)]
        if key[0] in FOLDED:
            assert small.small_denominator and small.change_level == neighbour
            assert small.color == cells[(row, neighbour)]
        elif key[0] == "graduation":
            assert small.small_denominator and small.change_level == significant
            assert small.color == cells[(row, neighbour)]
        else:  # ELA, math, ELPI: no reduced grid
            assert not small.small_denominator
            assert (small.change_level, small.color) == (big.change_level, big.color)


def test_small_denominator_examples():
    r = level(("suspension", "lea_elementary"), 0.3, 2.5, n=100)
    assert (r.change_level, r.color) == ("Increased", Color.GREEN)
    assert "reported as Increased" in r.reason
    assert level(("suspension", "lea_elementary"), 0.3, 2.5, n=200).color is None
    r = level(("graduation", "all"), 92.0, -6.0, n=100)
    assert (r.change_level, r.color) == ("Declined Significantly", Color.YELLOW)


# ------------------------------------------------------------------ years, tables, errors
def test_year_fallback_uses_latest_earlier_table():
    r = level(("ela", "grades_3_8"), 5.0, 4.0, year=2026)
    assert (r.year, r.table_year, r.verified) == (2026, 2025, True)
    assert "no 2026 table; using 2025" in r.reason
    r = level(("ela", "grade_11"), 5.0, 4.0, year=2019)
    assert r.table_year == 2018 and r.change_level is None and r.color is None
    assert level(("ela", "grades_3_8"), 5.0, year=2025).table_year == 2025


def test_tables_record_source_and_verification():
    assert table_years() == (2018, 2023, 2024, 2025)
    verified = {y: load_table(y).verified for y in table_years()}
    assert verified == {2018: True, 2023: False, 2024: False, 2025: True}
    for y in table_years():
        t = load_table(y)
        assert t.source and t.verification and (t.min_reported, t.min_color) == (11, 30)
        assert t.small_denominator_below == 150
    assert set(load_table(2018).indicators) == {"ela", "math"}


@pytest.mark.parametrize(("call", "message"), [
    (lambda: level(("ela", "grades_3_8"), 1.0, year=2017), "tables start in 2018"),
    (lambda: level(("suspension", "school_high"), 1.0, year=2019), "it has ela, math"),
    (lambda: performance_level("science", 1.0, None, year=2025, cut_set="all"),
     "chronic_absence"),
    (lambda: level(("ela", "all"), 1.0), "use one of grades_3_8, grade_11"),
    (lambda: level(("suspension", "lea"), 1.0), "lea_elementary, lea_high, lea_unified"),
    (lambda: level(("ela", "grades_3_8"), float("nan")), "status must be a number"),
    (lambda: level(("ela", "grades_3_8"), 1.0, float("inf")), "change must be a number"),
    (lambda: cut_sets("chronic_absence", 2018), "no 'chronic_absence' cut points"),
])
def test_errors_name_the_options(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_cut_sets():
    assert cut_sets("suspension", 2025) == SUSPENSION_SETS
    assert cut_sets("math_dfs", 2018) == ("grades_3_8", "grade_11")
    assert cut_sets("elpi", 2030) == ("all",)


def test_malformed_tables_are_rejected():
    with pytest.raises(ValueError, match="four increasing"):
        gapwatch.dashboard.cuts._bounds([1.0, 0.5, 2.0, 3.0], "x")
    with pytest.raises(ValueError, match="one-decimal"):
        gapwatch.dashboard.cuts._bounds([1.0, 1.55, 2.0, 3.0], "x")
    columns = ["declined_significantly", "declined", "maintained", "increased",
               "increased_significantly"]
    rows = dict.fromkeys(["very_low", "low", "medium", "high", "very_high"], "R R R R X")
    with pytest.raises(ValueError, match="five of"):
        gapwatch.dashboard.cuts._grid(rows, columns, "x")


# ------------------------------------------------------------------ cut-set choice
@pytest.mark.parametrize(("indicator", "kw", "expected"), [
    ("ela", dict(entity_type="school", tested_grades=[11]), "grade_11"),
    ("ela", dict(entity_type="school", tested_grades=[8, 11]), "grades_3_8"),
    ("math_dfs", dict(entity_type="school", tested_grades=["3", "4", "5"]), "grades_3_8"),
    ("math", dict(entity_type="school", grade_low=9, grade_high=12), "grade_11"),
    ("math", dict(entity_type="school", grade_low="K", grade_high=8), "grades_3_8"),
    ("ela", dict(entity_type="district", tested_grades=[11]), "grade_11"),
    ("ela", dict(entity_type="district"), "grades_3_8"),
    ("suspension", dict(entity_type="school", school_type="ELEM"), "school_elementary"),
    ("suspension", dict(entity_type="school", school_type="MIDDLE"), "school_middle"),
    ("suspension", dict(entity_type="school", school_type="HIGH"), "school_high"),
    ("suspension", dict(entity_type="school", school_type="K12", grade_low="TK",
                        grade_high=12), "lea_unified"),
    ("suspension", dict(entity_type="school", school_type="K12"), "lea_unified"),
    ("suspension", dict(entity_type="school", school_type="K12", grade_low=6,
                        grade_high=12), "school_high"),
    ("suspension", dict(entity_type="school", school_type="ALT", grade_low=9,
                        grade_high=12), "school_high"),
    ("suspension", dict(entity_type="school", school_type="ALT", grade_low=6,
                        grade_high=8), "school_middle"),
    ("suspension", dict(entity_type="school", school_type="OTHER", grade_low="K",
                        grade_high=8), "school_elementary"),
    ("suspension", dict(entity_type="district", grade_low="K", grade_high=12), "lea_unified"),
    ("suspension", dict(entity_type="district", grade_low=9, grade_high=12), "lea_high"),
    ("suspension", dict(entity_type="district", grade_low="K", grade_high=8), "lea_elementary"),
    ("suspension", dict(entity_type="board_district", grade_low=0, grade_high=5),
     "lea_elementary"),
    ("suspension", dict(entity_type="board_district", grade_low=-1, grade_high=12),
     "lea_unified"),
    ("chronic_absence", dict(entity_type="school", school_type="ELEM"), "all"),
    ("graduation_rate_combined", dict(entity_type="district"), "all"),
])
def test_choose_cut_set(indicator, kw, expected):
    assert choose_cut_set(indicator, **kw) == expected


@pytest.mark.parametrize(("kw", "message"), [
    (dict(entity_type="county"), "district, board_district, school"),
    (dict(entity_type="school", school_type="PRIMARY"), "ELEM, MIDDLE, HIGH, K12, ALT"),
    (dict(entity_type="school", school_type="ALT"), "needs grade_low and grade_high"),
    (dict(entity_type="district"), "needs grade_low and grade_high"),
    (dict(entity_type="district", grade_low="PK", grade_high=5), "unknown grade 'PK'"),
])
def test_choose_cut_set_errors(kw, message):
    with pytest.raises(ValueError, match=message):
        choose_cut_set("suspension", **kw)


# ------------------------------------------------------------------ CDE 2018 reproduction
@pytest.mark.external
@pytest.mark.skipif(not EXTERNAL.exists(), reason="../shared/external/ca-dashboard-2018 is absent")
def test_cde_2018_status_levels_reproduced():
    """Every 2018 school with a status level gets it from one of the two 2018 cut sets."""
    checked, unmatched, needs_grade_11 = {}, [], {}
    for subject, name in (("ela", "english"), ("math", "math")):
        checked[subject] = needs_grade_11[subject] = 0
        path = EXTERNAL / f"{name}_2018_academic_indicator.csv"
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                expected = int(row["statuslevel"])
                if expected <= 0:
                    continue
                checked[subject] += 1
                got = {s: performance_level(subject, float(row["currstatus"]), None, year=2018,
                                            cut_set=s).status_number
                       for s in ("grades_3_8", "grade_11")}
                if expected not in got.values():
                    unmatched.append((subject, row["cds"], row["currstatus"], expected, got))
                elif got["grades_3_8"] != expected:
                    needs_grade_11[subject] += 1
    assert unmatched == []
    assert checked == {"ela": 9269, "math": 9259}  # METHODS.md 1.2
    assert needs_grade_11 == {"ela": 566, "math": 440}


# ------------------------------------------------------------------ differentiated assistance
@pytest.mark.parametrize(("colors", "priorities", "reason"), [
    ({"AA": {"ela": "Red", "math": "Orange", "chronic_absence": "Red"}}, (4, 5),
     "African American students: Red on ELA and Orange on Math (priority 4); "
     "Red on chronic absenteeism (priority 5)"),
    ({"HI": {"ela": Color.ORANGE, "math": Color.RED, "suspension": Color.RED}}, (4, 6),
     "Hispanic or Latino students: Orange on ELA and Red on Math (priority 4); "
     "Red on suspension rate (priority 6)"),
    ({"SWD": {"ela_dfs": "red", "math_dfs": "RED", "cci_prepared": "Red"}}, (4, 8),
     "Students with disabilities: Red on ELA and Math (priority 4); "
     "Red on College/Career (priority 8)"),
    ({"EL": {"elpi": "Red", "graduation": "Red", "chronic_absence": "Red"}}, (4, 5),
     "English learners: Red on English Learner Progress (priority 4); "
     "Red on graduation rate and chronic absenteeism (priority 5)"),
    ({"EL": {"ela": "Red", "math": "Red", "elpi": "Red", "suspension": "Red"}}, (4, 6),
     "English learners: Red on ELA and Math, Red on English Learner Progress (priority 4); "
     "Red on suspension rate (priority 6)"),
    ({"SED": {"graduation": "Red", "suspension": "Red", "cci": "Red"}}, (5, 6, 8),
     "Socioeconomically disadvantaged students: Red on graduation rate (priority 5); "
     "Red on suspension rate (priority 6); Red on College/Career (priority 8)"),
])
def test_differentiated_assistance_qualifies(colors, priorities, reason):
    (finding,) = differentiated_assistance(colors)
    assert (finding.group, finding.priorities, finding.reason) == \
        (next(iter(colors)), priorities, reason)


@pytest.mark.parametrize("colors", [
    {"ela": "Red", "math": "Orange"},                      # one priority only
    {"ela": "Orange", "math": "Orange", "suspension": "Red"},  # Orange + Orange is not P4
    {"ela": "Red", "math": "Yellow", "graduation": "Red"},     # Red + Yellow is not P4
    {"elpi": "Red", "suspension": "Red"},                  # ELPI counts for the EL group only
    {"ela": "Red", "math": None, "chronic_absence": "Red"},  # no color is not Orange
    {"graduation": "Red", "chronic_absence": "Red"},       # two indicators, one priority
])
def test_differentiated_assistance_does_not_qualify(colors):
    assert differentiated_assistance({"WH": colors}) == []


def test_differentiated_assistance_input_errors():
    with pytest.raises(ValueError, match="unknown color 'Purple'"):
        differentiated_assistance({"ALL": {"ela": "Purple"}})
    with pytest.raises(ValueError, match="given twice"):
        differentiated_assistance({"ALL": {"ela": "Red", "ela_dfs": "Red"}})


# ------------------------------------------------------------------ CSI and ATSI
@pytest.mark.parametrize(("colors", "reason"), [
    ({"ela": "Red", "math": "Red", "chronic_absence": "Red"},
     "'all Red' (3 of 3 indicators Red): Red on ELA, Math and chronic absenteeism"),
    ({"ela": "Red", "math": "Red", "suspension": "Red", "chronic_absence": "Blue"},
     "'all Red but one' (3 of 4 indicators Red): Red on ELA, Math and suspension rate; "
     "Blue on chronic absenteeism"),
    ({"ela": "Red", "math": "Green"},
     "'all Red but one' (1 of 2 indicators Red): Red on ELA; Green on Math"),
    ({"ela": "Red", "math": "Red", "elpi": "Red", "chronic_absence": "Yellow",
      "suspension": "Green"},
     "'five or more indicators with a majority Red' (3 of 5 indicators Red): Red on ELA, Math "
     "and English Learner Progress; Yellow on chronic absenteeism; Green on suspension rate"),
    ({"ela": "Red", "math": "Orange", "suspension": "Orange"},
     "'all Red and Orange' (1 of 3 indicators Red): Red on ELA; Orange on Math and "
     "suspension rate"),
    ({"ela": "Orange", "math": "Orange", "graduation": "Orange"},
     "'all Red and Orange' (0 of 3 indicators Red): Orange on ELA, Math and graduation rate"),
])
def test_csi_low_performing_patterns(colors, reason):
    assert csi_low_performing(colors) == f"All students meet the CSI color pattern {reason}"


@pytest.mark.parametrize("colors", [
    {"ela": "Red"},                                       # fewer than two indicators
    {"ela": "Red", "math": None, "suspension": None},     # no color does not count
    {"ela": "Red", "math": "Red", "suspension": "Green", "chronic_absence": "Blue"},  # 2 of 4
    {"ela": "Red", "math": "Red", "elpi": "Yellow", "suspension": "Green",
     "chronic_absence": "Blue"},                          # 2 of 5 is no majority
    {"ela": "Orange", "math": "Yellow", "graduation": "Red"},
    {},
])
def test_csi_low_performing_not_met(colors):
    assert csi_low_performing(colors) is None


def test_atsi():
    findings = atsi({
        "ALL": {"ela": "Red", "math": "Red"},              # CSI's business, not ATSI
        "SWD": {"ela": "Red", "math": "Red", "suspension": "Red"},
        "AS": {"ela": "Blue", "math": "Green"},
        "HOM": {"chronic_absence": "Orange", "suspension": "Red", "ela": "Orange"},
    })
    assert [(f.group, f.pattern) for f in findings] == \
        [("SWD", "all Red"), ("HOM", "all Red and Orange")]
    assert findings[0].reason == ("Students with disabilities meet the CSI color pattern "
                                  "'all Red' (3 of 3 indicators Red): Red on ELA, Math and "
                                  "suspension rate")
    assert findings[1].reason.startswith("Homeless youth meet the CSI color pattern")


@pytest.mark.parametrize(("rates", "expected"), [
    ({2024: 66.0, 2025: 69.1},
     "Graduation rate averaged over 2024 and 2025 is 67.6% (66.0% and 69.1%), below 68%"),
    ({2023: 50.0, 2024: 70.0, 2025: 66.0}, None),         # the latest two years: 68.0
    ({2024: 67.9, 2025: 68.0}, None),                     # 67.95 rounds to 68.0
    ({2024: 67.9, 2025: 67.98}, "Graduation rate averaged over 2024 and 2025 is 67.9% "
                                "(67.9% and 68.0%), below 68%"),
    ({2024: 95.0, 2025: 96.2}, None),
])
def test_csi_graduation(rates, expected):
    assert csi_graduation(rates) == expected


@pytest.mark.parametrize(("rates", "message"), [
    ({2025: 50.0}, "two consecutive years"),
    ({2023: 50.0, 2025: 50.0}, "two consecutive years"),
])
def test_csi_graduation_errors(rates, message):
    with pytest.raises(ValueError, match=message):
        csi_graduation(rates)


# ------------------------------------------------------------------ docstring examples
def test_docstring_examples_run():
    modules = (gapwatch.dashboard.levels, gapwatch.dashboard.cutsets, gapwatch.dashboard.support,
               gapwatch.dashboard.cuts, gapwatch.dashboard.names, gapwatch.dashboard.csi,
               gapwatch.dashboard.support_rules)
    results = {m.__name__: doctest.testmod(m) for m in modules}
    assert all(r.failed == 0 for r in results.values()), results
    for name in ("levels", "cutsets", "support", "csi", "support_rules"):
        assert results[f"gapwatch.dashboard.{name}"].attempted > 0
