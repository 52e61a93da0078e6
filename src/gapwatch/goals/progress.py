"""Progress toward district goals, read from ``indicator_results``.

One row per goal x entity x student group (gap goals: group and ``reference_group``) for the
latest school year with results for the goal's indicator, groups and entities (at most
``current_year`` when given). An entity and group appear when they have results in some year;
a listed group with no results anywhere gets one row saying so. Values are in goal units:
percent for rates, points for means. A gap is group minus reference; its ``n`` is the smaller
of the two groups' n, and its standard error sqrt(se_a^2 + se_b^2) treats the groups as
independent (true for disjoint groups such as AA and WH; for a group inside the reference,
such as EL and ALL, it overstates the error). Gap goals compare the absolute gap:
``target_value`` and ``interim_target`` are gap sizes, ``value`` keeps its sign. Rows with
n < 11 show n but not the value.

- Baseline: ``baseline_year``, or the earliest year with a reportable value (n >= 11).
- Interim target: a straight line from (baseline year, baseline value) to (``by``, target),
  through any explicit ``interim`` targets; the target itself from ``by`` on.
- ``status``: "met" (meets the final target), "on track" (meets this year's interim target),
  "off track", or "no data" (no result this year, n < 11, or no baseline to set the target
  from); ``note`` says why.
- Projection: see :mod:`gapwatch.goals.trend` (WLS trend, its interval and what it cannot say).
  Years with n < 11 are left out of the baseline and the trend. A rate of exactly 0 or 1 has
  se 0; its weight then uses the Agresti-Coull adjusted proportion (k + 2) / (n + 4)
  (Agresti & Coull 1998, The American Statistician 52(2)).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from gapwatch.goals.spec import Goal
from gapwatch.goals.trend import meets, p_meet, project
from gapwatch.groups import DEFAULT_GROUPS

MIN_N = 11  #: minimum reporting size
#: Columns of ``goals_progress``, in order (a public contract).
PROGRESS_COLUMNS = (
    "goal_id", "goal_name", "indicator", "entity_type", "entity_id", "entity_name",
    "student_group", "reference_group", "school_year", "n", "value", "baseline_year",
    "baseline_value", "target_year", "target_value", "interim_target", "status",
    "projected_value", "projected_low", "projected_high", "p_meet", "note",
)
COLUMNS = PROGRESS_COLUMNS
INTS = {"school_year", "n", "baseline_year", "target_year"}
TEXT = {"goal_id", "goal_name", "indicator", "entity_type", "entity_id", "entity_name",
        "student_group", "reference_group", "status", "note"}
SCHEMA = pa.schema([(c, pa.string() if c in TEXT else pa.int64() if c in INTS
                     else pa.float64()) for c in COLUMNS])
ENTITY_ORDER = {"district": 0, "board_district": 1, "school": 2}

#: One indicator's results in goal units; rates with se 0 get the Agresti-Coull se.
RESULTS_SQL = """
SELECT school_year, entity_type, entity_id, entity_name, student_group, n,
       value * $scale AS value,
       $scale * CASE WHEN se > 0 OR kind <> 'rate' THEN se
                ELSE sqrt((numerator + 2.0) / (n + 4) * (1 - (numerator + 2.0) / (n + 4))
                          / (n + 4)) END AS se
FROM indicator_results
WHERE indicator = $indicator AND list_contains($entity_types, entity_type)
  AND ($every OR list_contains($groups, student_group)) AND school_year <= $year
"""
VALUE_SQL = f"""
SELECT school_year, entity_type, entity_id, entity_name, student_group,
       NULL::VARCHAR AS reference_group, n, value, se
FROM ({RESULTS_SQL})"""
GAP_SQL = f"""
WITH r AS ({RESULTS_SQL})
SELECT a.school_year, a.entity_type, a.entity_id, a.entity_name, a.student_group,
       b.student_group AS reference_group, least(a.n, b.n) AS n, a.value - b.value AS value,
       sqrt(a.se * a.se + b.se * b.se) AS se
FROM r AS a JOIN r AS b ON a.school_year = b.school_year AND a.entity_type = b.entity_type
  AND a.entity_id = b.entity_id
WHERE a.student_group = $groups[1] AND b.student_group = $groups[2]"""


def goals_progress(con: duckdb.DuckDBPyConnection, goals: Iterable[Goal], *,
                   current_year: int | None = None) -> pa.Table:
    """Progress of every goal for each entity and group, latest year (columns: COLUMNS)."""
    rows: list[dict[str, Any]] = []
    for goal in goals:
        params = {"scale": goal.scale, "indicator": goal.indicator,
                  "entity_types": list(goal.entity_types), "every": goal.groups is None,
                  "groups": list(goal.gap or goal.groups or ()),
                  "year": 9999 if current_year is None else current_year}
        results = con.execute(GAP_SQL if goal.gap else VALUE_SQL, params).fetchall()
        series: dict[tuple, list[tuple]] = {}
        for year, etype, eid, name, group, ref, n, value, se in results:
            series.setdefault((etype, eid, group, ref), []).append((year, n, value, se, name))
        latest = max((r[0] for r in results), default=0)
        order = goal.groups or DEFAULT_GROUPS
        for key in sorted(series, key=lambda k: (
                ENTITY_ORDER.get(k[0], 9), k[1], order.index(k[2]) if k[2] in order else 99,
                k[2])):
            rows.append(_row(goal, key, sorted(series[key]), latest))
        seen = {key[2] for key in series}
        wanted = goal.gap[:1] if goal.gap else goal.groups or (() if seen else (None,))
        rows.extend(_empty(goal, g, current_year) for g in wanted if g not in seen)
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def interim_target(goal: Goal, year: int, baseline_year: int | None,
                   baseline_value: float | None, target: float | None) -> float | None:
    """The target for ``year``: linear through baseline, explicit interim targets and target."""
    if target is None:
        return None
    if year >= goal.by:
        return target
    knots: list[tuple[int, float]] = []
    if baseline_value is not None and baseline_year is not None and baseline_year < goal.by:
        knots.append((baseline_year, abs(baseline_value) if goal.gap else baseline_value))
    knots += [(y, v) for y, v in goal.interim if not knots or y > knots[0][0]]
    knots.append((goal.by, target))
    if year < knots[0][0]:
        return None
    return float(np.interp(year, [k[0] for k in knots], [k[1] for k in knots]))


def _row(goal: Goal, key: tuple, points: list[tuple], latest: int) -> dict[str, Any]:
    etype, eid, group, ref = key
    row = _base(goal) | {"entity_type": etype, "entity_id": eid, "entity_name": points[-1][4],
                         "student_group": group, "reference_group": ref, "school_year": latest}
    ok = {p[0]: p for p in points if p[1] >= MIN_N and p[2] is not None}
    notes = []
    b_year = goal.baseline_year or (min(ok) if ok else None)
    b_value = ok[b_year][2] if b_year in ok else None
    if b_value is None:
        notes.append(f"no reportable value in the baseline year {b_year}" if b_year
                     else "no reportable value in any year")
    target = goal.target if goal.reduce_by is None or b_value is None else (
        abs(b_value) * (1 - goal.reduce_by))
    interim = interim_target(goal, latest, b_year, b_value, target)
    row |= {"baseline_year": b_year, "baseline_value": b_value, "target_value": target,
            "interim_target": interim}
    now = next((p for p in points if p[0] == latest), None)
    gap = goal.gap is not None
    if now is None:
        notes.append(f"no result in {latest}")
    elif now[1] < MIN_N:
        row["n"] = now[1]
        notes.append(f"n = {now[1]} in {latest}, below the minimum reporting size of {MIN_N}")
    else:
        row |= {"n": now[1], "value": now[2]}
        if b_year == latest:
            notes.append(f"{latest} is the baseline year")
        if target is not None and meets(now[2], target, goal.direction, gap):
            row["status"] = "met"
        elif interim is not None:
            on = meets(now[2], interim, goal.direction, gap)
            row["status"] = "on track" if on else "off track"
        else:
            notes.append("no target" if target is None else f"no interim target for {latest}")
    fit = [p for p in ok.values() if p[3] is not None and math.isfinite(p[3]) and p[3] > 0]
    if len(fit) < 2:
        notes.append("fewer than two years of data: no projection")
    else:
        proj = project(*(np.array([p[i] for p in fit], float) for i in (0, 2, 3)), goal.by)
        low, high = (-100.0 if gap else 0.0, 100.0) if goal.kind == "rate" else (-math.inf,
                                                                                  math.inf)
        row |= {"projected_value": float(np.clip(proj.value, low, high)),
                "projected_low": float(np.clip(proj.low, low, high)),
                "projected_high": float(np.clip(proj.high, low, high))}
        if target is not None:
            row["p_meet"] = p_meet(proj, target, goal.direction, gap)
    row["note"] = "; ".join(notes)
    return row


def _base(goal: Goal) -> dict[str, Any]:
    nan = math.nan
    return {"goal_id": goal.id, "goal_name": goal.name, "indicator": goal.indicator,
            "target_year": goal.by, "target_value": goal.target, "status": "no data",
            "projected_value": nan, "projected_low": nan, "projected_high": nan,
            "p_meet": nan, "note": ""}


def _empty(goal: Goal, group: str | None, current_year: int | None) -> dict[str, Any]:
    """The row for a group (None: any group) without results for the goal's entities."""
    until = f" up to {current_year}" if current_year is not None else ""
    what = (f"both {goal.gap[0]} and {goal.gap[1]}" if goal.gap else
            f"group {group}" if group else "any group")
    return _base(goal) | {"student_group": group,
                          "reference_group": goal.gap[1] if goal.gap else None,
                          "baseline_year": goal.baseline_year,
                          "note": f"no results for {goal.indicator}, {what}{until}"}


def off_track(progress: pa.Table, limit: int = 5) -> list[dict[str, Any]]:
    """The off-track rows furthest from this year's interim target, largest shortfall first.

    shortfall = distance from the interim target in goal units (gap goals: |gap| - target).
    """
    out = []
    for row in progress.to_pylist():
        if row["status"] != "off track":
            continue
        value, interim = row["value"], row["interim_target"]
        short = abs(value) - interim if row["reference_group"] else abs(value - interim)
        keep = ("goal_id", "goal_name", "indicator", "entity_type", "entity_id", "entity_name",
                "student_group", "reference_group", "school_year", "n", "value",
                "interim_target", "target_value")
        out.append({k: row[k] for k in keep} | {"shortfall": short})
    return sorted(out, key=lambda r: -r["shortfall"])[:limit]
