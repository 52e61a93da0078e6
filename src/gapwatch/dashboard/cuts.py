"""Dashboard cut tables: one TOML file per Dashboard year in ``cuts/``, loaded and checked here.

A Dashboard year is the spring year of the school year (gapwatch ``school_year``): the 2025
Dashboard reports 2024-25. A year without its own file uses the latest table at or before it
(:func:`table_for`); the result says which table was used. File layout (see ``cuts/2025.toml``):

- ``status``: the inclusive lower bounds of Low, Medium, High and Very High, on the one-decimal
  scale (so "Low 2.6-5.0" is stored as 2.6); Very Low is everything below the first bound.
- ``change``: the inclusive lower bounds of Declined, Maintained, Increased and Increased
  Significantly. Levels are named by the direction of the value, as CDE names them, for every
  indicator; whether that is good news depends on the indicator.
- ``grid``: one row per status level, ``grid_columns`` naming the change level of each column;
  B G Y O R are the colors and ``-`` a cell without a color. A cut set's own ``grid`` rows
  replace the indicator's rows of the same name; ``change`` and ``grid`` may be given once per
  indicator for all its cut sets.
- ``small_denominator``: ``fold_change`` (the reported change level folds Increased
  Significantly into Increased and Declined Significantly into Declined) or ``fold_color``
  (five change levels are kept, the color is read from the folded column); absent: no folding.

Sources: ../shared/design/METHODS.md sections 1.1, 1.2 and 1.7, each file names its own.
"""

from __future__ import annotations

import tomllib
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib.resources import files

from gapwatch.dashboard.names import (
    CHANGE_LABELS,
    CUT_SET_NAMES,
    LOWER_IS_BETTER,
    STATUS_LABELS,
    Color,
)

GRID_ROWS = {label.lower().replace(" ", "_"): label for label in STATUS_LABELS}
GRID_COLUMNS = {label.lower().replace(" ", "_"): label for label in CHANGE_LABELS}
GRID_COLORS: dict[str, Color | None] = {c.value[0]: c for c in Color} | {"-": None}
FOLDS = ("fold_change", "fold_color")


@dataclass(frozen=True)
class CutSet:
    """Status cuts, change cuts and color grid of one indicator for one kind of entity."""

    name: str
    status: tuple[Decimal, ...]
    change: tuple[Decimal, ...] | None = None
    #: (status label, change label) -> color, None where the grid has no color
    grid: dict[tuple[str, str], Color | None] | None = None

    def status_label(self, value: Decimal) -> str:
        return STATUS_LABELS[bisect_right(self.status, value)]

    def change_label(self, value: Decimal) -> str | None:
        return None if self.change is None else CHANGE_LABELS[bisect_right(self.change, value)]


@dataclass(frozen=True)
class IndicatorCuts:
    indicator: str
    lower_is_better: bool
    small_denominator: str | None
    cut_sets: dict[str, CutSet]


@dataclass(frozen=True)
class CutTable:
    """One Dashboard year's cut tables and n-size rules."""

    year: int
    source: str
    verified: bool
    verification: str
    min_reported: int
    min_color: int
    small_denominator_below: int
    indicators: dict[str, IndicatorCuts] = field(repr=False)

    def indicator(self, name: str) -> IndicatorCuts:
        """The cuts of Dashboard indicator ``name``; ValueError naming the valid options."""
        if name not in self.indicators:
            raise ValueError(
                f"the {self.year} Dashboard table has no {name!r} cut points; it has "
                f"{', '.join(self.indicators)} (tables: {', '.join(map(str, table_years()))})"
            )
        return self.indicators[name]

    def cut_set(self, indicator: str, name: str) -> tuple[IndicatorCuts, CutSet]:
        """The cut set ``name`` of ``indicator``; ValueError naming the valid options."""
        cuts = self.indicator(indicator)
        if name not in cuts.cut_sets:
            raise ValueError(
                f"unknown cut set {name!r} for {indicator!r} in the {self.year} table; use one "
                f"of {', '.join(cuts.cut_sets)}"
            )
        return cuts, cuts.cut_sets[name]


def _directory():
    return files("gapwatch.dashboard") / "cuts"


@cache
def table_years() -> tuple[int, ...]:
    """Dashboard years that have their own cut table, ascending."""
    return tuple(sorted(int(p.name[:-5]) for p in _directory().iterdir()
                        if p.name.endswith(".toml") and p.name[:-5].isdigit()))


def table_for(year: int) -> CutTable:
    """The table for Dashboard ``year``: its own, else the latest one before it."""
    years = [y for y in table_years() if y <= year]
    if not years:
        raise ValueError(f"no Dashboard cut table for {year} or earlier; tables start in "
                         f"{table_years()[0]} (available: {', '.join(map(str, table_years()))})")
    return load_table(years[-1])


@cache
def load_table(year: int) -> CutTable:
    """Read and check ``cuts/<year>.toml``."""
    path = _directory() / f"{year}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    where = f"cuts/{year}.toml"
    if data.get("year") != year:
        raise ValueError(f"{where}: year is {data.get('year')!r}, expected {year}")
    rules = data["rules"]
    indicators = {name: _indicator(name, spec, where)
                  for name, spec in data["indicators"].items()}
    return CutTable(year=year, source=data["source"], verified=bool(data["verified"]),
                    verification=data.get("verification", ""),
                    min_reported=rules["min_reported"], min_color=rules["min_color"],
                    small_denominator_below=rules["small_denominator_below"],
                    indicators=indicators)


def _indicator(name: str, spec: dict, where: str) -> IndicatorCuts:
    if name not in CUT_SET_NAMES:
        raise ValueError(f"{where}: unknown indicator {name!r}")
    lower = spec["direction"] == "lower"
    if spec["direction"] not in ("higher", "lower") or lower != (name in LOWER_IS_BETTER):
        raise ValueError(f"{where}: {name} has direction {spec['direction']!r}")
    fold = spec.get("small_denominator")
    if fold is not None and fold not in FOLDS:
        raise ValueError(f"{where}: {name}.small_denominator must be one of {FOLDS}")
    sets = {}
    for set_name, s in spec["cut_sets"].items():
        if set_name not in CUT_SET_NAMES[name]:
            raise ValueError(f"{where}: unknown cut set {set_name!r} for {name}")
        label = f"{where}: {name}.{set_name}"
        change = s.get("change", spec.get("change"))
        rows = {**spec.get("grid", {}), **s.get("grid", {})}
        columns = s.get("grid_columns", spec.get("grid_columns"))
        sets[set_name] = CutSet(
            name=set_name, status=_bounds(s["status"], label),
            change=None if change is None else _bounds(change, label),
            grid=_grid(rows, columns, label) if rows else None,
        )
        if (change is None) != (not rows):
            raise ValueError(f"{label}: change cuts and a grid go together")
    return IndicatorCuts(name, lower, fold, sets)


def _bounds(values: list, label: str) -> tuple[Decimal, ...]:
    bounds = tuple(Decimal(str(v)) for v in values)
    if len(bounds) != 4 or list(bounds) != sorted(set(bounds)):
        raise ValueError(f"{label}: need four increasing lower bounds, got {values}")
    if any(b != b.quantize(Decimal("0.1")) for b in bounds):
        raise ValueError(f"{label}: bounds must be on the one-decimal scale, got {values}")
    return bounds


def _grid(rows: dict, columns: list | None, label: str) -> dict[tuple[str, str], Color | None]:
    if columns is None or sorted(columns) != sorted(GRID_COLUMNS):
        raise ValueError(f"{label}: grid_columns must name each change level once")
    if sorted(rows) != sorted(GRID_ROWS):
        raise ValueError(f"{label}: grid needs the rows {', '.join(GRID_ROWS)}")
    grid = {}
    for row, text in rows.items():
        cells = text.split()
        if len(cells) != 5 or any(c not in GRID_COLORS for c in cells):
            raise ValueError(f"{label}: grid row {row} = {text!r} needs five of B G Y O R -")
        for column, cell in zip(columns, cells, strict=True):
            grid[(GRID_ROWS[row], GRID_COLUMNS[column])] = GRID_COLORS[cell]
    return grid
