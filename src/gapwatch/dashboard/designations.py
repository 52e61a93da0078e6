"""The ``support`` table: who would qualify for state support, and why, year by year.

Applies the rules of :mod:`gapwatch.dashboard.support` (METHODS.md §1.6) to the ``dashboard``
table:

- ``DA``: a district's student group meeting Differentiated Assistance criteria in two or more
  LCFF priority areas;
- ``CSI``: a school whose All-students colors meet a low-performing pattern, or whose
  graduation rate averaged over two years is below 68%;
- ``ATSI``: a student group of a school not flagged for CSI that year whose own colors meet a
  low-performing pattern.

Only the default single student groups count (not intersections). These are flags for a closer
look: the state's own determinations rank schools statewide and use rules gapwatch cannot see.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb

from gapwatch.contract import STUDENT_GROUPS
from gapwatch.dashboard.support import atsi, csi_graduation, csi_low_performing
from gapwatch.dashboard.support import differentiated_assistance as da_rules

#: Columns of ``support`` and its export.
SUPPORT_COLUMNS = ("school_year", "entity_type", "entity_id", "entity_name", "student_group",
                   "designation", "criterion", "reason")

Colors = dict[str, dict[str, str]]


def _colors(con: duckdb.DuckDBPyConnection) -> dict[tuple, Colors]:
    """(year, entity type, entity id, entity name) -> group -> Dashboard indicator -> color."""
    out: dict[tuple, Colors] = defaultdict(lambda: defaultdict(dict))
    for year, etype, eid, ename, group, indicator, color in con.execute(
        "SELECT school_year, entity_type, entity_id, entity_name, student_group, "
        "dashboard_indicator, color FROM dashboard WHERE color IS NOT NULL"
    ).fetchall():
        if group in STUDENT_GROUPS:
            out[(year, etype, eid, ename)][group][indicator] = color
    return out


def _graduation(con: duckdb.DuckDBPyConnection) -> dict[str, dict[int, float]]:
    """school -> year -> combined graduation rate (percent), all students."""
    out: dict[str, dict[int, float]] = defaultdict(dict)
    for school, year, value in con.execute(
        "SELECT entity_id, school_year, value * 100 FROM indicator_results "
        "WHERE indicator = 'graduation_rate_combined' AND entity_type = 'school' "
        "AND student_group = 'ALL' AND n >= 11"
    ).fetchall():
        out[school][year] = value
    return out


def designations(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every DA, CSI and ATSI finding as a row of :data:`SUPPORT_COLUMNS`."""
    rows: list[tuple] = []
    graduation = _graduation(con)
    for (year, etype, eid, ename), by_group in sorted(_colors(con).items()):
        if etype == "district":
            for f in da_rules(by_group):
                criterion = "priorities " + ", ".join(str(p) for p in f.priorities)
                rows.append((year, etype, eid, ename, f.group, "DA", criterion, f.reason))
            continue
        if etype != "school":
            continue
        csi = []
        if reason := csi_low_performing(by_group.get("ALL", {})):
            csi.append(("low performing", reason))
        rates = {y: r for y, r in graduation.get(eid, {}).items() if y in (year - 1, year)}
        if len(rates) == 2 and (reason := csi_graduation(rates)):
            csi.append(("graduation rate", reason))
        rows += [(year, etype, eid, ename, "ALL", "CSI", c, r) for c, r in csi]
        if not csi:
            rows += [(year, etype, eid, ename, f.group, "ATSI", f.pattern, f.reason)
                     for f in atsi(by_group)]
    return rows


def store_support(con: duckdb.DuckDBPyConnection) -> int:
    """Replace ``support`` from the ``dashboard`` table; return its row count."""
    con.execute("CREATE OR REPLACE TABLE support (school_year SMALLINT, entity_type VARCHAR, "
                "entity_id VARCHAR, entity_name VARCHAR, student_group VARCHAR, "
                "designation VARCHAR, criterion VARCHAR, reason VARCHAR)")
    rows = designations(con)
    if rows:
        con.executemany("INSERT INTO support VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)
