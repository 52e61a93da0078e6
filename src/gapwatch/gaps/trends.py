"""Gap trends: is each gap narrowing across years, beyond noise?

For every gap (entity x indicator x group x reference x metric) seen in two or more years:

- ``change`` = latest gap - earliest gap, with ``change_se`` = sqrt(se_first^2 + se_last^2)
  and a 95% normal interval. This treats the two years' gaps as independent, which is only
  approximately true when the same students are counted in both years (multi-grade indicators);
  the interval is then somewhat too wide, never falsely narrow for positively correlated years.
- ``slope``: the weighted least-squares line through all years (weights 1 / se^2), points per
  year, with its standard error (inverse-variance weighting, e.g. Hedges & Olkin 1985 ch. 6).
- ``trend``: ``narrowing`` when the gap's size (absolute value) fell and the change's interval
  excludes zero, ``widening`` when it grew beyond noise, else ``no clear change``.

A narrowing gap can mean the group improved or the reference declined: read it beside the
groups' own values (``indicator_results``).
"""

from __future__ import annotations

import duckdb

from gapwatch.stats import Z95
from gapwatch.warehouse import Warehouse

#: Metrics whose trend is reported (in the metric's own units).
TREND_METRICS = ("pp_difference", "mean_difference", "hedges_g")

#: Columns of ``gap_trends`` and its export.
TREND_COLUMNS = (
    "entity_type", "entity_id", "entity_name", "indicator", "student_group", "reference",
    "metric", "first_year", "last_year", "years", "first_value", "last_value", "change",
    "change_se", "change_low", "change_high", "slope", "slope_se", "trend",
)

#: The query of ``gap_trends`` (stored by :func:`store_trends`).
TRENDS_SQL = """
WITH g AS (
    SELECT *, 1.0 / (se * se) AS w FROM gaps
    WHERE metric IN ({metrics}) AND NOT isnan(value) AND se > 0 AND NOT isnan(se)
), agg AS (
    SELECT entity_type, entity_id, any_value(entity_name) AS entity_name, indicator,
           student_group, reference, metric,
           min(school_year) AS first_year, max(school_year) AS last_year,
           count(*) AS years,
           arg_min(value, school_year) AS first_value, arg_max(value, school_year) AS last_value,
           arg_min(se, school_year) AS first_se, arg_max(se, school_year) AS last_se,
           sum(w) AS sw, sum(w * (school_year - 2000)) AS swx, sum(w * value) AS swy,
           sum(w * (school_year - 2000) * (school_year - 2000)) AS swxx,
           sum(w * (school_year - 2000) * value) AS swxy
    FROM g GROUP BY entity_type, entity_id, indicator, student_group, reference, metric
    HAVING count(*) >= 2
), est AS (
    SELECT *, last_value - first_value AS change,
           sqrt(first_se * first_se + last_se * last_se) AS change_se,
           sw * swxx - swx * swx AS det
    FROM agg
)
SELECT entity_type, entity_id, entity_name, indicator, student_group, reference, metric,
       first_year, last_year, years, first_value, last_value, change, change_se,
       change - {z} * change_se AS change_low,
       change + {z} * change_se AS change_high,
       CASE WHEN det > 0 THEN (sw * swxy - swx * swy) / det END AS slope,
       CASE WHEN det > 0 THEN sqrt(sw / det) END AS slope_se,
       CASE
           WHEN abs(last_value) < abs(first_value)
                AND abs(change) > {z} * change_se THEN 'narrowing'
           WHEN abs(last_value) > abs(first_value)
                AND abs(change) > {z} * change_se THEN 'widening'
           ELSE 'no clear change'
       END AS trend
FROM est
ORDER BY indicator, entity_type, entity_id, student_group, reference, metric
"""


def store_trends(con: duckdb.DuckDBPyConnection) -> int:
    """Replace ``gap_trends`` from the ``gaps`` table; return its row count."""
    from gapwatch.sql import sql_string

    return Warehouse(con).store("gap_trends", TRENDS_SQL.format(
        metrics=", ".join(sql_string(m) for m in TREND_METRICS), z=repr(Z95)))
