"""The equity report: per entity, indicator and year, how the student groups fare.

After the Equity Report of the early California School Dashboards (METHODS.md §1.1): the All
students level and color, the number of student groups evaluated (with a color), how many of them
are Red or Orange, and which groups have a status two or more levels below All students. Only
the default single student groups count (intersections are reported but not evaluated here, as
on the Dashboard).
"""

from __future__ import annotations

import duckdb

from gapwatch.contract import STUDENT_GROUPS
from gapwatch.sql import sql_string
from gapwatch.warehouse import Warehouse

#: Columns of ``equity_report`` and its export.
EQUITY_COLUMNS = (
    "school_year", "entity_type", "entity_id", "entity_name", "indicator", "all_status_level",
    "all_color", "groups_evaluated", "red_or_orange", "red_or_orange_groups",
    "two_levels_below", "two_levels_below_groups",
)

#: The query of ``equity_report`` (stored by :func:`store_equity_report`).
EQUITY_SQL = """
WITH d AS (
    SELECT * FROM dashboard WHERE student_group IN ({groups})
), a AS (
    SELECT school_year, entity_type, entity_id, indicator,
           status_level AS all_status_level, status_level_number AS all_number,
           color AS all_color
    FROM d WHERE student_group = 'ALL'
)
SELECT d.school_year, d.entity_type, d.entity_id, any_value(d.entity_name) AS entity_name,
       d.indicator, any_value(a.all_status_level) AS all_status_level,
       any_value(a.all_color) AS all_color,
       count(*) FILTER (WHERE d.student_group <> 'ALL' AND d.color_number > 0)
           AS groups_evaluated,
       count(*) FILTER (WHERE d.student_group <> 'ALL' AND d.color IN ('Red', 'Orange'))
           AS red_or_orange,
       string_agg(d.student_group || ' (' || d.color || ')', ', ' ORDER BY d.student_group)
           FILTER (WHERE d.student_group <> 'ALL' AND d.color IN ('Red', 'Orange'))
           AS red_or_orange_groups,
       count(*) FILTER (WHERE d.student_group <> 'ALL'
                        AND d.status_level_number <= a.all_number - 2) AS two_levels_below,
       string_agg(d.student_group || ' (' || d.status_level || ')', ', '
                  ORDER BY d.student_group)
           FILTER (WHERE d.student_group <> 'ALL' AND d.status_level_number <= a.all_number - 2)
           AS two_levels_below_groups
FROM d LEFT JOIN a USING (school_year, entity_type, entity_id, indicator)
GROUP BY d.school_year, d.entity_type, d.entity_id, d.indicator
ORDER BY d.school_year, d.indicator,
         CASE d.entity_type WHEN 'district' THEN 0 WHEN 'board_district' THEN 1 ELSE 2 END,
         d.entity_id
"""


def store_equity_report(con: duckdb.DuckDBPyConnection) -> int:
    """Replace ``equity_report`` from the ``dashboard`` table; return its row count."""
    groups = ", ".join(sql_string(g) for g in STUDENT_GROUPS)
    return Warehouse(con).store("equity_report", EQUITY_SQL.format(groups=groups))
