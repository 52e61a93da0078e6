"""The ``dashboard`` table: status, change, levels and color per indicator x entity x group x year.

For each Dashboard indicator gapwatch computes (:data:`GAPWATCH_INDICATORS`), every entity and
student group with a result gets:

- ``status``: the current value in Dashboard units (percent for rates, points for Distance from
  Standard), unrounded; ``prior_status`` the year before; ``change`` = status - prior_status
  computed from the unrounded values (CDE 5x5 grid pages);
- the cut set the entity is held to (:func:`choose_cut_set`: the grades it tests for ELA and
  math, its school type or grade span for suspension);
- the status level, change level and color from the cut tables for that Dashboard year
  (:func:`performance_level`), with the n-size rules (fewer than 11: nothing; a color needs 30
  in both years; small denominators fold the significant change bands).

Levels and colors are computed for every reported group, intersections included, although CDE
publishes them only for its own student groups.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from gapwatch.dashboard.levels import GAPWATCH_INDICATORS, choose_cut_set, performance_level
from gapwatch.sql import sql_string
from gapwatch.warehouse import Warehouse

#: Columns of ``dashboard`` and of its export, in order.
DASHBOARD_COLUMNS = (
    "school_year", "entity_type", "entity_id", "entity_name", "indicator",
    "dashboard_indicator", "student_group", "cut_set", "table_year", "n", "prior_n", "status",
    "prior_status", "change", "status_rounded", "change_rounded", "status_level",
    "status_level_number", "change_level", "change_level_number", "color", "color_number",
    "reason",
)

INPUT_SQL = """
WITH r AS (
    SELECT school_year, entity_type, entity_id, entity_name, indicator, student_group, n,
           CASE WHEN kind = 'rate' THEN value * 100 ELSE value END AS status
    FROM indicator_results WHERE indicator IN ({indicators})
)
SELECT r.*, p.n AS prior_n, p.status AS prior_status
FROM r LEFT JOIN r p
  ON p.school_year = r.school_year - 1 AND p.entity_type = r.entity_type
 AND p.entity_id = r.entity_id AND p.indicator = r.indicator
 AND p.student_group = r.student_group
ORDER BY r.school_year, r.indicator, r.entity_type, r.entity_id, r.student_group
"""


def _entities(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], dict]:
    """School type and grade span of each school, district and board district."""
    rows = con.execute(  # grades are stored as numbers: TK -1, K 0, 1-12, UG NULL
        "SELECT school_id, school_type, grade_low, grade_high, district_id, board_district "
        "FROM schools"
    ).fetchall()
    out: dict[tuple[str, str], dict] = {}
    for school_id, school_type, low, high, district, board in rows:
        out[("school", school_id)] = {"school_type": school_type, "grade_low": low,
                                      "grade_high": high}
        for key in (("district", district), ("board_district", board)):
            if key[1] is None:
                continue
            span = out.setdefault(key, {"school_type": None, "grade_low": low,
                                        "grade_high": high})
            span["grade_low"] = min(x for x in (span["grade_low"], low) if x is not None)
            span["grade_high"] = max(x for x in (span["grade_high"], high) if x is not None)
    return out


def _tested_grades(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str, str], tuple]:
    """(year, entity type, entity id) -> grades with Smarter Balanced results."""
    if not Warehouse(con).has("assessments"):
        return {}
    rows = con.execute(
        "SELECT DISTINCT a.school_year, a.school_id, s.district_id, s.board_district, a.grade "
        "FROM assessments a JOIN schools s USING (school_id) WHERE a.test = 'SBAC' "
        "AND a.subject IN ('ELA', 'MATH')"
    ).fetchall()
    out: dict[tuple[int, str, str], set] = {}
    for year, school, district, board, g in rows:
        if g is None:
            continue
        for key in (("school", school), ("district", district), ("board_district", board)):
            if key[1] is not None:
                out.setdefault((year, *key), set()).add(g)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def compute_dashboard(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Dashboard levels and colors for every row of ``indicator_results`` that has them."""
    entities = _entities(con)
    tested = _tested_grades(con)
    sql = INPUT_SQL.format(indicators=", ".join(sql_string(i) for i in GAPWATCH_INDICATORS))
    cols: dict[str, list] = {c: [] for c in DASHBOARD_COLUMNS}
    for (year, etype, eid, ename, indicator, group, n, status, prior_n,
         prior_status) in con.execute(sql).fetchall():
        dash = GAPWATCH_INDICATORS[indicator]
        span = entities.get((etype, eid), {})
        cut_set = choose_cut_set(dash, entity_type=etype, school_type=span.get("school_type"),
                                 tested_grades=tested.get((year, etype, eid), ()),
                                 grade_low=span.get("grade_low"),
                                 grade_high=span.get("grade_high"))
        change = None if prior_status is None else status - prior_status
        try:
            level = performance_level(dash, status, change, year=year, cut_set=cut_set, n=n,
                                      prior_n=prior_n)
        except ValueError:  # no Dashboard table for a year this early
            continue
        row = {
            "school_year": year, "entity_type": etype, "entity_id": eid, "entity_name": ename,
            "indicator": indicator, "dashboard_indicator": dash, "student_group": group,
            "cut_set": cut_set, "table_year": level.table_year, "n": n, "prior_n": prior_n,
            "status": status, "prior_status": prior_status, "change": change,
            "status_rounded": level.status_rounded, "change_rounded": level.change_rounded,
            "status_level": _name(level.status_level),
            "status_level_number": _number(level.status_level),
            "change_level": _name(level.change_level),
            "change_level_number": _number(level.change_level),
            "color": _name(level.color), "color_number": _number(level.color) or 0,
            "reason": level.reason,
        }
        for key, value in row.items():
            cols[key].append(value)
    return pa.table(cols, schema=SCHEMA)


def _name(level) -> str | None:
    return None if level is None else level.label


def _number(level) -> int | None:
    return None if level is None else level.cde_number


SCHEMA = pa.schema([
    ("school_year", pa.int16()), ("entity_type", pa.string()), ("entity_id", pa.string()),
    ("entity_name", pa.string()), ("indicator", pa.string()),
    ("dashboard_indicator", pa.string()), ("student_group", pa.string()),
    ("cut_set", pa.string()), ("table_year", pa.int16()), ("n", pa.int64()),
    ("prior_n", pa.int64()), ("status", pa.float64()), ("prior_status", pa.float64()),
    ("change", pa.float64()), ("status_rounded", pa.float64()),
    ("change_rounded", pa.float64()), ("status_level", pa.string()),
    ("status_level_number", pa.int8()), ("change_level", pa.string()),
    ("change_level_number", pa.int8()), ("color", pa.string()), ("color_number", pa.int8()),
    ("reason", pa.string()),
])


def store_dashboard(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    """Replace the ``dashboard`` table in the warehouse."""
    Warehouse(con).store("dashboard", table)
