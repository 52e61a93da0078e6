"""The SQL behind :func:`gapwatch.resources.staffing.staffing_by_school` (DuckDB dialect).

One query returns, per school and year, the counts every staffing measure needs; rates,
intervals and notes are formed in Python. Absent optional tables and columns are replaced by
typed NULLs, so the query always runs and the measures that need them come out empty.
"""

from __future__ import annotations

import duckdb

from gapwatch.contract import TABLES_BY_NAME
from gapwatch.resources.staffing_spec import (
    INEFFECTIVE_CREDENTIALS,
    INEXPERIENCED_MAX_YEARS,
    NOT_FULLY_CREDENTIALED,
    STAFF_LEVELS,
    TAMO,
    TAMO_KNOWN,
    tamo_sql,
)
from gapwatch.sql import quote_ident, sql_string
from gapwatch.warehouse import Warehouse

#: Columns read from each table; the first ``REQUIRED[table]`` of them must exist.
READ = {
    "staff": ("school_year", "staff_id", "school_id", "role", "fte", "years_experience",
              "years_at_school", "credential", "out_of_field", "assignment_type",
              "tamo_outcome"),
    "sections": ("school_year", "section_id", "school_id", "is_eld", "distinct_substitutes"),
    "enrollments": ("school_year", "student_id", "school_id", "entry_date", "exit_date"),
    "schools": ("school_id", "school_name"),
}
REQUIRED = {"staff": 5, "sections": 3, "enrollments": 4, "schools": 1}


def present_tables(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Tables this module reads that the warehouse has (and the bundle gave), with their columns.

    A table listed in ``ingest_tables`` as not given is treated as absent.
    """
    columns = {t: set(c) for t, c in Warehouse(con).table_columns().items()}
    if "ingest_tables" in columns:
        given = {r[0] for r in con.sql("SELECT table_name FROM ingest_tables WHERE given")
                 .fetchall()}
        columns = {t: c for t, c in columns.items() if t in given or t not in READ}
    return {t: c for t, c in columns.items() if t in READ}


def _source(table: str, have: set[str] | None) -> str:
    """SELECT of the columns read from ``table``: the column, or a typed NULL when absent."""
    types = {c.name: c.sql_type for c in TABLES_BY_NAME[table].columns}
    wanted = READ[table]
    if have is not None:
        missing = [c for c in wanted[: REQUIRED[table]] if c not in have]
        if missing:
            raise ValueError(f"table {table} lacks required column(s): {', '.join(missing)}")
    cols = []
    for c in wanted:
        expr = quote_ident(c) if have is not None and c in have else f"CAST(NULL AS {types[c]})"
        if c == "school_year":
            expr = f"CAST({expr} AS INTEGER)"
        cols.append(f"{expr} AS {quote_ident(c)}")
    body = f"SELECT {', '.join(cols)}"
    return f"{body} FROM {quote_ident(table)}" if have is not None else f"{body} WHERE FALSE"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(sql_string(v) for v in values) + ")"


def _teachers(cond: str) -> str:
    return f"count(DISTINCT staff_id) FILTER (WHERE role = 'TEACHER' AND {cond})"


def _fte(cond: str) -> str:
    return f"coalesce(sum(fte) FILTER (WHERE role = 'TEACHER' AND {cond}), 0)"


def _tamo_columns() -> str:
    """Per TAMO outcome: teachers and their FTE (``tamo_<stem>_teachers``, ``_fte``)."""
    return ",\n    ".join(
        f"{_teachers(f'tamo = {sql_string(code)}')} AS tamo_{stem}_teachers,\n    "
        f"{_fte(f'tamo = {sql_string(code)}')} AS tamo_{stem}_fte" for code, stem, _ in TAMO)


def staffing_sql(tables: dict[str, set[str]]) -> str:
    """The query: one row per school and year found in staff, enrollments or sections."""
    ctes = ",\n".join(f"t_{t} AS ({_source(t, tables.get(t))})" for t in READ)
    ctes = ctes.replace("t_staff AS (", "t_staff_raw AS (", 1) + (
        f",\nt_staff AS (SELECT *, {tamo_sql()} AS tamo FROM t_staff_raw)")
    known = "tamo IN " + _in(TAMO_KNOWN)
    inexperienced = f"years_experience <= {INEXPERIENCED_MAX_YEARS}"
    levels = ",\n    ".join(
        f"count(DISTINCT staff_id) FILTER (WHERE role = '{role}') AS {stem}s,\n    "
        f"coalesce(sum(fte) FILTER (WHERE role = '{role}'), 0) AS {stem}_fte"
        for role, stem in STAFF_LEVELS)
    census = ("make_date(school_year - 1, 10, 1) + CAST((10 - isodow(make_date(school_year - 1, "
              "10, 1))) % 7 AS INTEGER)")  # first Wednesday in October (CALPADS census day)
    return f"""
WITH {ctes},
staff_years AS (SELECT DISTINCT school_year FROM t_staff),
section_years AS (SELECT DISTINCT school_year FROM t_sections),
keys AS (
  SELECT school_year, school_id FROM t_staff
  UNION SELECT school_year, school_id FROM t_enrollments
  UNION SELECT school_year, school_id FROM t_sections),
teachers AS (SELECT DISTINCT school_year, school_id, staff_id FROM t_staff WHERE role = 'TEACHER'),
by_staff AS (
  SELECT school_year, school_id,
    {levels},
    count(DISTINCT staff_id) FILTER (WHERE role = 'PRINCIPAL') AS principals,
    {_teachers("years_experience IS NOT NULL")} AS novice_den,
    {_teachers(inexperienced)} AS novice_num,
    {_fte(inexperienced)} AS novice_fte,
    {_fte("years_experience IS NOT NULL")} AS novice_fte_den,
    {_teachers(known)} AS not_fully_credentialed_den,
    {_teachers("tamo IN " + _in(NOT_FULLY_CREDENTIALED))} AS not_fully_credentialed_num,
    {_teachers("tamo = 'INTERN'")} AS teachers_intern,
    {_teachers("credential IN " + _in(INEFFECTIVE_CREDENTIALS))} AS teachers_permit_waiver_none,
    {_teachers("tamo_outcome IS NULL AND credential IN ('CLEAR', 'PRELIMINARY') "
               "AND out_of_field")} AS teachers_misassigned,
    {_teachers("tamo_outcome IS NULL AND credential IN ('CLEAR', 'PRELIMINARY') "
               "AND out_of_field IS NULL")} AS teachers_assumed_clear,
    {_teachers(known)} AS out_of_field_den,
    {_teachers("tamo = 'OUT_OF_FIELD'")} AS out_of_field_num,
    {_tamo_columns()},
    {_teachers("assignment_type IS NOT NULL")} AS mandatory_den,
    {_teachers("assignment_type = 'MANDATORY'")} AS mandatory_num,
    avg(years_at_school) FILTER (WHERE role = 'PRINCIPAL') AS principal_years_at_school,
    list_sort(list_distinct(list(staff_id) FILTER (WHERE role = 'PRINCIPAL'))) AS principal_ids
  FROM t_staff GROUP BY school_year, school_id),
flows AS (
  SELECT t.school_year + 1 AS school_year, t.school_id, t.staff_id,
    EXISTS (SELECT 1 FROM teachers n WHERE n.school_year = t.school_year + 1
            AND n.staff_id = t.staff_id AND n.school_id = t.school_id) AS stayed,
    EXISTS (SELECT 1 FROM teachers n WHERE n.school_year = t.school_year + 1
            AND n.staff_id = t.staff_id AND n.school_id <> t.school_id) AS elsewhere
  FROM teachers t WHERE t.school_year + 1 IN (SELECT school_year FROM staff_years)),
turnover AS (
  SELECT school_year, school_id, count(*) AS turnover_den,
    count(*) FILTER (WHERE NOT stayed) AS turnover_num,
    count(*) FILTER (WHERE NOT stayed AND elsewhere) AS teacher_movers,
    count(*) FILTER (WHERE NOT stayed AND NOT elsewhere) AS teacher_leavers
  FROM flows GROUP BY school_year, school_id),
principals_3yr AS (
  SELECT k.school_year, k.school_id, count(DISTINCT s.staff_id) AS principals_3yr,
    count(DISTINCT s.school_year) AS principal_years_recorded
  FROM keys k JOIN t_staff s ON s.school_id = k.school_id AND s.role = 'PRINCIPAL'
    AND s.school_year BETWEEN k.school_year - 2 AND k.school_year
  GROUP BY k.school_year, k.school_id),
eld AS (
  SELECT school_year, school_id,
    count(DISTINCT section_id) FILTER (WHERE is_eld) AS eld_sections,
    count(DISTINCT section_id) FILTER (WHERE is_eld IS NULL) AS eld_unknown,
    count(DISTINCT section_id) FILTER (WHERE is_eld AND distinct_substitutes IS NOT NULL)
      AS eld_multi_sub_den,
    count(DISTINCT section_id) FILTER (WHERE is_eld AND distinct_substitutes >= 2)
      AS eld_multi_sub_num
  FROM t_sections GROUP BY school_year, school_id),
enrolled AS (
  SELECT school_year, school_id,
    count(DISTINCT student_id) FILTER (WHERE entry_date <= census
      AND (exit_date IS NULL OR exit_date >= census)) AS enrolled_census,
    count(DISTINCT student_id) AS enrolled_cumulative
  FROM (SELECT *, {census} AS census FROM t_enrollments) GROUP BY school_year, school_id)
SELECT CAST(k.school_year AS SMALLINT) AS school_year, k.school_id, sc.school_name,
  k.school_year IN (SELECT school_year FROM staff_years) AS staff_year,
  k.school_year - 1 IN (SELECT school_year FROM staff_years) AS prev_staff_year,
  k.school_year - 2 IN (SELECT school_year FROM staff_years) AS prev2_staff_year,
  k.school_year IN (SELECT school_year FROM section_years) AS section_year,
  b.school_id IS NOT NULL AS has_staff,
  p.school_id IS NOT NULL AS prev_has_staff,
  e.enrolled_census, e.enrolled_cumulative,
  b.* EXCLUDE (school_year, school_id, principal_ids),
  coalesce(pt.teachers, 0) AS prev_teachers,
  t.* EXCLUDE (school_year, school_id),
  b.principal_ids IS DISTINCT FROM p.principal_ids AS principal_changed,
  p.principals AS prev_principals,
  p3.principals_3yr, p3.principal_years_recorded,
  d.* EXCLUDE (school_year, school_id)
FROM keys k
LEFT JOIN t_schools sc ON sc.school_id = k.school_id
LEFT JOIN by_staff b ON b.school_year = k.school_year AND b.school_id = k.school_id
LEFT JOIN by_staff p ON p.school_year = k.school_year - 1 AND p.school_id = k.school_id
LEFT JOIN (SELECT school_year, school_id, count(DISTINCT staff_id) AS teachers
           FROM teachers GROUP BY ALL) pt
  ON pt.school_year = k.school_year - 1 AND pt.school_id = k.school_id
LEFT JOIN turnover t ON t.school_year = k.school_year AND t.school_id = k.school_id
LEFT JOIN principals_3yr p3 ON p3.school_year = k.school_year AND p3.school_id = k.school_id
LEFT JOIN eld d ON d.school_year = k.school_year AND d.school_id = k.school_id
LEFT JOIN enrolled e ON e.school_year = k.school_year AND e.school_id = k.school_id
ORDER BY k.school_year, k.school_id
"""
