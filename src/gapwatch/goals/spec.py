"""District goals as data: the ``[[goals]]`` tables of the config file, checked.

A goal names an indicator, the student groups and entities it covers, a target and the year to
reach it (``by``). Targets are in the units people write: **percent** for rate indicators
(``target = 10`` is 10%; stored results are 0-1) and the indicator's **points** for means.

- A **value goal** (``target``, ``groups``) sets a target for each group's value; its
  ``direction`` (``at_least``/``at_most``) defaults from the indicator (higher is better ->
  at least).
- A **gap goal** (``gap = [group, reference]``) is about group minus reference, in percentage
  points or points, and aims to shrink its absolute size to ``target``, or by the fraction
  ``reduce_by`` of the baseline gap.

Every key is in :data:`GOAL_KEYS` (with its help text, rendered by
:func:`gapwatch.goals.docs.render_goals_doc`). Every mistake raises
:class:`gapwatch.config.ConfigError` naming the file, the goal (position and id) and the key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gapwatch.config import ConfigError
from gapwatch.groups import GroupError, parse_group

#: key -> help text (drives validation and the docs).
GOAL_KEYS: dict[str, str] = {
    "id": "Required. A short unique name, e.g. `chronic_absence_2027`.",
    "name": "The goal in plain words (default: the id).",
    "indicator": "Required. Indicator id (docs/indicators.md).",
    "groups": 'Student groups: a list of codes (intersections like `"AA+M"` allowed) or '
              '`"every"` for every reported group. Default `["ALL"]`. Not with `gap`.',
    "entities": '`"district"` (default), `"schools"`, or `"all"` (district, board '
                "districts and schools).",
    "target": "Value to reach: percent for rates (`10` = 10%), points for means. On a gap "
              "goal: the gap size to reach, in percentage points or points.",
    "gap": "`[group, reference]`: a gap goal on group minus reference.",
    "reduce_by": "Gap goals: fraction of the baseline gap to close (`0.5` halves it); "
                 "instead of `target`.",
    "by": "Required. Target school year (spring year: 2028 = 2027-28).",
    "baseline_year": "Year the goal is measured from (default: the earliest year with a "
                     "reportable value for the entity and group).",
    "interim": "Explicit interim targets, `{2026 = 20.0, 2027 = 15.0}` (default: a straight "
               "line from the baseline to the target).",
    "direction": '`"at_least"` or `"at_most"` (default: `at_least` when higher is better, '
                 "else `at_most`). Not on gap goals: they aim to shrink the absolute gap.",
}
ENTITIES: dict[str, tuple[str, ...]] = {
    "district": ("district",),
    "schools": ("school",),
    "all": ("district", "board_district", "school"),
}
DIRECTIONS = ("at_least", "at_most")
Fail = Callable[[str, str], ConfigError]
SCALE = {"rate": 100.0, "mean": 1.0}  #: stored value x SCALE = goal units


@dataclass(frozen=True)
class Goal:
    """One checked goal. ``groups``: None for every reported group, () on gap goals."""

    id: str
    name: str
    indicator: str
    kind: str  #: "rate" or "mean" (from the indicator)
    direction: str  #: "at_least" or "at_most"; gap goals: "at_most" (on |gap|)
    groups: tuple[str, ...] | None
    entities: str
    by: int
    target: float | None = None
    gap: tuple[str, str] | None = None
    reduce_by: float | None = None
    baseline_year: int | None = None
    interim: tuple[tuple[int, float], ...] = ()

    @property
    def scale(self) -> float:
        """Multiplier from stored values to goal units (100 for rates)."""
        return SCALE[self.kind]

    @property
    def entity_types(self) -> tuple[str, ...]:
        return ENTITIES[self.entities]


def parse_goals(raw: list[dict[str, Any]], where: str,
                known_indicators: Mapping[str, tuple[str, str]]) -> tuple[Goal, ...]:
    """Check the ``[[goals]]`` tables; ``known_indicators``: id -> (kind, direction)."""
    if not isinstance(raw, list) or not all(isinstance(g, dict) for g in raw):
        raise ConfigError(f"{where}: goals must be [[goals]] tables")
    goals: list[Goal] = []
    for i, spec in enumerate(raw, 1):
        goal = _parse_one(spec, f"{where}: goals[{i}]", known_indicators)
        if any(g.id == goal.id for g in goals):
            raise ConfigError(f"{where}: goals[{i}] ({goal.id}): id: duplicate id {goal.id!r}")
        goals.append(goal)
    return tuple(goals)


def _parse_one(spec: dict[str, Any], where: str,
               known: Mapping[str, tuple[str, str]]) -> Goal:
    gid = spec.get("id")
    if not isinstance(gid, str) or not gid.strip():
        raise ConfigError(f"{where}: id: required, a non-empty string")
    where = f"{where} ({gid})"

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(f"{where}: {key}: {message}")

    unknown = sorted(set(spec) - set(GOAL_KEYS))
    if unknown:
        raise fail(unknown[0], f"unknown key (known: {', '.join(GOAL_KEYS)})")
    for key in ("indicator", "by"):
        if key not in spec:
            raise fail(key, "required")
    indicator = spec["indicator"]
    if not isinstance(indicator, str) or indicator not in known:
        raise fail("indicator", f"unknown indicator {indicator!r} (known: "
                                f"{', '.join(sorted(known))})")
    kind, better = known[indicator]
    name = spec.get("name", gid)
    if not isinstance(name, str):
        raise fail("name", "should be a string")
    entities = spec.get("entities", "district")
    if not isinstance(entities, str) or entities not in ENTITIES:
        raise fail("entities", f"{entities!r} is not one of {', '.join(ENTITIES)}")
    by = _year(spec["by"], fail, "by")
    baseline = None if spec.get("baseline_year") is None else _year(
        spec["baseline_year"], fail, "baseline_year")
    if baseline is not None and by <= baseline:
        raise fail("by", f"{by} is not after baseline_year {baseline}")
    limit = 100.0 if kind == "rate" else None
    low = 0.0 if limit or "gap" in spec else None
    interim = _interim(spec.get("interim", {}), fail, baseline, by, low, limit)
    common = dict(id=gid, name=name, indicator=indicator, kind=kind, entities=entities,
                  by=by, baseline_year=baseline, interim=interim)
    if "gap" in spec:
        gap = spec["gap"]
        if not (isinstance(gap, list) and len(gap) == 2 and all(isinstance(g, str) for g in gap)):
            raise fail("gap", "should be [group, reference], two group codes")
        codes = (_group(gap[0], fail, "gap"), _group(gap[1], fail, "gap"))
        if codes[0] == codes[1]:
            raise fail("gap", f"group and reference are both {codes[0]!r}")
        for key in ("groups", "direction"):
            if key in spec:
                raise fail(key, "does not apply to a gap goal (it aims to shrink the "
                                "absolute gap)")
        if "target" in spec and "reduce_by" in spec:
            raise fail("reduce_by", "give target or reduce_by, not both")
        if "target" not in spec and "reduce_by" not in spec:
            raise fail("target", "a gap goal needs target (gap size) or reduce_by")
        target = reduce_by = None
        if "target" in spec:
            target = _number(spec["target"], fail, "target", 0.0, limit)
        else:
            reduce_by = _number(spec["reduce_by"], fail, "reduce_by", 0.0, 1.0)
            if reduce_by == 0:
                raise fail("reduce_by", "should be more than 0 (0.5 closes half the gap)")
        return Goal(**common, direction="at_most", groups=(), gap=codes,
                    target=target, reduce_by=reduce_by)
    if "reduce_by" in spec:
        raise fail("reduce_by", "only for gap goals (with gap = [group, reference])")
    if "target" not in spec:
        raise fail("target", "required")
    target = _number(spec["target"], fail, "target", low, limit)
    direction = spec.get("direction", "at_least" if better == "higher" else "at_most")
    if direction not in DIRECTIONS:
        raise fail("direction", f"{direction!r} is not one of {', '.join(DIRECTIONS)}")
    groups = spec.get("groups", ["ALL"])
    if groups == "every":
        codes_list = None
    elif isinstance(groups, list) and groups and all(isinstance(g, str) for g in groups):
        codes_list = tuple(dict.fromkeys(_group(g, fail, "groups") for g in groups))
    else:
        raise fail("groups", 'should be a list of group codes or "every"')
    return Goal(**common, direction=direction, groups=codes_list, target=target)


def _group(code: str, fail: Fail, key: str) -> str:
    try:
        return parse_group(code).code
    except GroupError as err:
        raise fail(key, str(err)) from None


def _year(value: Any, fail: Fail, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise fail(key, f"should be a school year such as 2028, got {value!r}")
    return value


def _number(value: Any, fail: Fail, key: str, low: float | None, high: float | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(key, f"should be a number, got {value!r}")
    if low is not None and value < low:
        raise fail(key, f"{value} is below {low:g}")
    if high is not None and value > high:
        raise fail(key, f"{value} is above {high:g} (rate targets are in percent)")
    return float(value)


def _interim(value: Any, fail: Fail, baseline: int | None, by: int, low: float | None,
             high: float | None) -> tuple[tuple[int, float], ...]:
    if not isinstance(value, dict):
        raise fail("interim", "should be a table of year = target, e.g. {2026 = 20.0}")
    points = []
    for year_text, target in value.items():
        try:
            year = int(year_text)
        except ValueError:
            raise fail("interim", f"{year_text!r} is not a school year") from None
        if not (baseline or 0) < year < by:
            raise fail("interim", f"year {year} is not between the baseline and by ({by})")
        points.append((year, _number(target, fail, "interim", low, high)))
    return tuple(sorted(points))
