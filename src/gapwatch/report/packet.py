"""The data packet for a school plan, from the published files only.

Three lists, in plain words, for the latest school year of the school:

1. **Largest gaps**: the published gaps against *all other students* (``reference =
   complement``) that are against the group given the indicator's direction (below the others
   where higher is better, above where lower is better), largest first, each with the group's n.
2. **Lowest and declining**: for each indicator, the groups with the lowest published values
   (highest where lower is better) whose value got worse since the prior year, with both
   years' values and n. Suppressed and coded cells never enter: they have no value.
3. **Goals off track**: the school's goals whose latest status is ``off track``.

A gap describes outcomes, not causes (docs/methods.md §1): the packet says where to look.
"""

from __future__ import annotations

from dataclasses import dataclass

from gapwatch.report.data import Cell, Gap, Goal, Published

try:  # metadata only (which way is better); the numbers come from the published files
    from gapwatch.indicators.registry import BUILTIN_BY_ID
except ImportError:  # pragma: no cover
    BUILTIN_BY_ID = {}

#: Indicators where a lower value is better, beyond the built-in registry.
LOWER_IS_BETTER_HINTS = ("absence", "absent", "suspension", "expulsion", "ltel")


def lower_is_better(indicator: str) -> bool:
    ind = BUILTIN_BY_ID.get(indicator)
    if ind is not None:
        return str(ind.direction) == "lower"
    return any(h in indicator for h in LOWER_IS_BETTER_HINTS)


@dataclass(frozen=True)
class GapItem:
    gap: Gap
    cell: Cell  # the group's own published cell (for its name and n)


@dataclass(frozen=True)
class DeclineItem:
    cell: Cell
    prior: Cell


@dataclass(frozen=True)
class Packet:
    school_year: int | None
    gaps: list[GapItem]
    declines: list[DeclineItem]
    goals_off_track: list[Goal]


def build_packet(data: Published, entity_type: str, entity_id: str, *, max_gaps: int = 5,
                 lowest: int = 3, max_declines: int = 6) -> Packet:
    cells = [c for c in data.cells if c.entity_type == entity_type and c.entity_id == entity_id]
    if not cells:
        return Packet(None, [], [], [])
    year = max(c.school_year for c in cells)
    by_key = {(c.school_year, c.indicator, c.student_group): c for c in cells}

    gap_items = []
    for g in data.gaps:
        if (g.entity_type, g.entity_id, g.school_year, g.reference) != (
                entity_type, entity_id, year, "complement") or g.value is None:
            continue
        against = g.value > 0 if lower_is_better(g.indicator) else g.value < 0
        cell = by_key.get((year, g.indicator, g.student_group))
        if against and cell is not None and cell.n is not None:
            gap_items.append(GapItem(g, cell))
    gap_items.sort(key=lambda i: (-abs(i.gap.value), i.gap.indicator, i.gap.student_group))

    declines = []
    for indicator in dict.fromkeys(c.indicator for c in cells):
        low = lower_is_better(indicator)
        now = [c for c in cells if c.indicator == indicator and c.school_year == year
               and c.number is not None and c.student_group != "ALL"]
        now.sort(key=lambda c: (-c.number if low else c.number, c.student_group))
        for c in now[:lowest]:
            prior_years = [y for y in data.years if y < year]
            prior = by_key.get((prior_years[-1], indicator, c.student_group)) if prior_years \
                else None
            if prior is None or prior.number is None:
                continue
            worse = c.number > prior.number if low else c.number < prior.number
            if worse:
                declines.append(DeclineItem(c, prior))
    declines.sort(key=lambda d: -abs(d.cell.number - d.prior.number))

    goals = [g for g in data.goals if (g.entity_type, g.entity_id) == (entity_type, entity_id)]
    latest: dict[str, Goal] = {}
    for g in sorted(goals, key=lambda g: g.school_year):
        latest[(g.goal_id, g.student_group)] = g
    off = [g for g in latest.values() if g.status.lower() == "off track"]
    return Packet(year, gap_items[:max_gaps], declines[:max_declines], off)
