"""Validate staged tables: cell, row, key, reference and attendance rules, all in DuckDB SQL.

Input: for each contract table in the bundle, a staging table ``stage_<table>`` with ``_row``
(unique per row), ``_file``, ``_line`` and every contract column as text. Output: a typed table
``typed_<table>`` per table, and the ``problems`` table (see :mod:`gapwatch.ingest.problems`).
A row is loaded when it has no problem of severity ``error``.

Tables are checked in contract order (referenced tables first), so a row that refers to a
rejected row is itself rejected, with a reason that says so. Nothing is guessed or repaired.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from gapwatch.contract import TABLES, Table, table
from gapwatch.ingest.cells import cell_checks, column_ref, parsed, problem_struct
from gapwatch.ingest.problems import Severity, Stage
from gapwatch.sql import quote_ident, sql_string

ERROR = Severity.ERROR.value


def staging_name(table_name: str) -> str:
    return f"stage_{table_name}"


def typed_name(table_name: str) -> str:
    return f"typed_{table_name}"


def not_rejected(table_name: str, alias: str = "t") -> str:
    """SQL: the row ``alias`` of ``table_name`` has no error so far."""
    return (
        f"NOT EXISTS (SELECT 1 FROM problems p WHERE p.table_name = {sql_string(table_name)} "
        f"AND p.severity = '{ERROR}' AND p.row_id = {alias}._row)"
    )


def loaded_rows(table_name: str) -> str:
    """SQL: the typed rows of ``table_name`` that are loaded (no error)."""
    return f"(SELECT * FROM {typed_name(table_name)} t WHERE {not_rejected(table_name)})"


def _insert(
    con: duckdb.DuckDBPyConnection,
    tbl: Table,
    source: str,
    column: str,
    value: str,
    reason: str,
    where: str,
    stage: Stage,
    severity: Severity = Severity.ERROR,
) -> None:
    con.execute(
        f"INSERT INTO problems SELECT {sql_string(tbl.name)}, _file, _line, _row, {column}, "
        f"{value}, {reason}, '{severity.value}', '{stage.value}', NULL FROM {source} t "
        f"WHERE {where}"
    )


def check_cells(con: duckdb.DuckDBPyConnection, tbl: Table) -> None:
    """Build the typed table, then report missing, unparsable and implausible values.

    Each cell is parsed once; the problem structs are only built for rows with a problem.
    """
    stage = staging_name(tbl.name)
    typed = ", ".join(
        f"CAST({parsed(col, column_ref(col.name))} AS {col.sql_type}) AS {quote_ident(col.name)}"
        for col in tbl.columns
    )
    con.execute(
        f"CREATE OR REPLACE TABLE {typed_name(tbl.name)} AS "
        f"SELECT _row, _file, _line, {typed} FROM {stage} ORDER BY _row"
    )
    checks = [
        (col, cond, reason)
        for col in tbl.columns
        for cond, reason in cell_checks(col, f"s.{quote_ident(col.name)}",
                                        f"t.{quote_ident(col.name)}")
    ]
    if not checks:
        return
    structs = ", ".join(
        problem_struct(col, f"s.{quote_ident(col.name)}", cond, reason)
        for col, cond, reason in checks
    )
    any_problem = " OR ".join(f"coalesce({cond}, FALSE)" for _, cond, _ in checks)
    con.execute(
        f"INSERT INTO problems SELECT {sql_string(tbl.name)}, _file, _line, _row, "
        f"p.column, p.value, p.reason, '{ERROR}', '{Stage.CELL.value}', NULL FROM ("
        f"SELECT s._file, s._line, s._row, unnest(list_filter([{structs}], "
        f"lambda x: x IS NOT NULL)) AS p FROM {stage} s "
        f"JOIN {typed_name(tbl.name)} t ON t._row = s._row WHERE {any_problem})"
    )


def _no_cell_problem_on(tbl: Table, column: str) -> str:
    return (
        f"NOT EXISTS (SELECT 1 FROM problems p WHERE p.table_name = {sql_string(tbl.name)} "
        f"AND p.row_id = t._row AND p.stage = '{Stage.CELL.value}' "
        f"AND p.column = {sql_string(column)})"
    )


def check_rows(
    con: duckdb.DuckDBPyConnection, tbl: Table, present: set[str], given: set[str]
) -> None:
    """Rules between columns of a row, and dates inside the row's school year.

    A rule about a column the file does not have at all is not checked: a bundle without
    attendance data loads, and the indicators that need it say "not computed".
    """
    source = typed_name(tbl.name)
    for check in tbl.row_checks:
        if check.unless_table in present or check.column not in given:
            continue
        _insert(
            con, tbl, source, sql_string(check.column),
            f"CAST({quote_ident(check.column)} AS VARCHAR)", check.reason,
            f"({check.invalid_when}) AND {_no_cell_problem_on(tbl, check.column)}", Stage.ROW,
        )
    for rule in tbl.date_rules:
        col, year = quote_ident(rule.column), quote_ident(rule.year_column)
        first = f"make_date(CAST({year} AS BIGINT) - 1, 7, 1)"
        last = f"make_date(CAST({year} AS BIGINT) + {rule.years_after}, 6, 30)"
        reason = (
            f"format('outside {rule.year_column} {{}} ({{}} to {{}})', {year}, {first}, {last})"
        )
        _insert(
            con, tbl, source, sql_string(rule.column), f"CAST({col} AS VARCHAR)", reason,
            f"{col} IS NOT NULL AND {year} IS NOT NULL AND {col} NOT BETWEEN {first} AND {last}",
            Stage.ROW,
        )


def check_keys(con: duckdb.DuckDBPyConnection, tbl: Table) -> None:
    """A repeated key: the first row (in file order) is kept, later ones rejected."""
    if not tbl.key:
        return
    keys = ", ".join(quote_ident(k) for k in tbl.key)
    value = "concat_ws(' | ', " + ", ".join(
        f"coalesce(CAST({quote_ident(k)} AS VARCHAR), '(empty)')" for k in tbl.key
    ) + ")"
    same = " AND ".join(f"t.{k} IS NOT DISTINCT FROM d.{k}"
                        for k in (quote_ident(k) for k in tbl.key))
    # Only keys that repeat are ranked: in a clean file that is none, and the check is a count.
    ranked = (
        f"(SELECT t.*, row_number() OVER w AS _k, first_value(t._file) OVER w AS _first_file, "
        f"first_value(t._line) OVER w AS _first_line FROM {typed_name(tbl.name)} t "
        f"JOIN (SELECT {keys} FROM {typed_name(tbl.name)} t WHERE {not_rejected(tbl.name)} "
        f"GROUP BY {keys} HAVING count(*) > 1) d ON {same} "
        f"WHERE {not_rejected(tbl.name)} "
        f"WINDOW w AS (PARTITION BY {', '.join(f't.{quote_ident(k)}' for k in tbl.key)} "
        f"ORDER BY t._row))"
    )
    reason = (
        f"format('duplicate key ({', '.join(tbl.key)}): same as {{}}line {{}}, which is kept', "
        f"CASE WHEN _first_file <> _file THEN _first_file || ' ' ELSE '' END, _first_line)"
    )
    _insert(con, tbl, ranked, sql_string(",".join(tbl.key)), value, reason, "_k > 1", Stage.KEY)


def check_references(con: duckdb.DuckDBPyConnection, tbl: Table, present: set[str]) -> None:
    """Every reference to another table resolves to a loaded row of that table."""
    for fk in tbl.foreign_keys:
        child = [quote_ident(c) for c in fk.columns]
        parent = [quote_ident(c) for c in fk.ref_columns]
        value = "concat_ws(' | ', " + ", ".join(f"CAST({c} AS VARCHAR)" for c in child) + ")"
        filled = " AND ".join(f"t.{c} IS NOT NULL" for c in child)
        names = ", ".join(fk.columns)
        if fk.ref_table not in present:
            reason = sql_string(f"the bundle has no {fk.ref_table} table to look {names} up in")
            _insert(con, tbl, typed_name(tbl.name), sql_string(",".join(fk.columns)), value,
                    reason, f"{filled} AND {not_rejected(tbl.name)}", Stage.REFERENCE)
            continue
        match = " AND ".join(f"p.{pc} = t.{cc}" for pc, cc in zip(parent, child, strict=True))
        rejected_parent = (
            f"(SELECT min(_file || ' line ' || _line) FROM {typed_name(fk.ref_table)} p "
            f"WHERE {match} AND NOT {not_rejected(fk.ref_table, 'p')})"
        )
        reason = (
            f"coalesce('refers to a {fk.ref_table} row that was rejected (' || "
            f"{rejected_parent} || ')', format('unknown {names} {{}}: not in {fk.ref_table}', "
            f"{value}))"
        )
        where = (
            f"{filled} AND {not_rejected(tbl.name)} AND NOT EXISTS "
            f"(SELECT 1 FROM {loaded_rows(fk.ref_table)} p WHERE {match})"
        )
        _insert(con, tbl, typed_name(tbl.name), sql_string(",".join(fk.columns)), value,
                reason, where, Stage.REFERENCE)


#: Enrollment spans: the last day of an enrollment without exit date is June 30.
ENROLLMENT_SPANS = f"""
(SELECT _row, school_year, student_id, school_id, entry_date,
        coalesce(exit_date, make_date(school_year, 6, 30)) AS last_date
 FROM {loaded_rows('enrollments')})
"""

#: Loaded daily attendance joined to the enrollment that covers each day.
COVERED_DAYS = f"""
(SELECT a._row AS attendance_row, a.status, e._row AS enrollment_row
 FROM {loaded_rows('attendance_daily')} a
 JOIN {ENROLLMENT_SPANS} e
   ON e.student_id = a.student_id AND e.school_id = a.school_id
  AND e.school_year = year(a.date) + CASE WHEN month(a.date) >= 7 THEN 1 ELSE 0 END
  AND a.date BETWEEN e.entry_date AND e.last_date)
"""

#: Days enrolled and absent per enrollment, derived from daily attendance.
DERIVED_DAYS = f"""
(SELECT enrollment_row, count(*) AS days_enrolled,
        count(*) FILTER (WHERE status IN ('A', 'E', 'S')) AS days_absent
 FROM (SELECT DISTINCT attendance_row, status, enrollment_row FROM {COVERED_DAYS})
 GROUP BY enrollment_row)
"""


def check_attendance(con: duckdb.DuckDBPyConnection) -> None:
    """Each day inside an enrollment; derived days agree with ``enrollments`` (warning)."""
    attendance, enrollments = table("attendance_daily"), table("enrollments")
    _insert(
        con, attendance, typed_name("attendance_daily"), "'date'", "CAST(date AS VARCHAR)",
        "format('no enrollment of student {} at school {} covers this day', student_id, "
        "school_id)",
        f"{not_rejected('attendance_daily')} AND NOT EXISTS (SELECT 1 FROM {COVERED_DAYS} c "
        "WHERE c.attendance_row = t._row)",
        Stage.ATTENDANCE,
    )
    for column in ("days_enrolled", "days_absent"):
        source = (
            f"(SELECT e.*, d.{column} AS derived FROM {loaded_rows('enrollments')} e "
            f"LEFT JOIN {DERIVED_DAYS} d ON d.enrollment_row = e._row)"
        )
        _insert(
            con, enrollments, source, sql_string(column), f"CAST({column} AS VARCHAR)",
            f"format('attendance_daily gives {{}} {column.replace('_', ' ')} for this "
            f"enrollment; the enrollment row says {{}} (loaded as given)', "
            f"coalesce(derived, 0), {column})",
            f"{column} IS NOT NULL AND {column} <> coalesce(derived, 0)",
            Stage.ATTENDANCE, Severity.WARNING,
        )


def run_checks(
    con: duckdb.DuckDBPyConnection,
    given: dict[str, set[str]],
    step: Callable[[str], None] = lambda _: None,
) -> None:
    """Run every check on the staged tables, in contract order.

    ``given`` maps each table in the bundle to the contract columns its file (or mapping) has.
    """
    present = set(given)
    attendance = {"attendance_daily", "enrollments"} <= present
    for tbl in TABLES:
        if tbl.name not in present:
            continue
        step(f"checking {tbl.name}")
        check_cells(con, tbl)
        check_rows(con, tbl, present, given[tbl.name])
        check_keys(con, tbl)
        check_references(con, tbl, present)
        if not (attendance and tbl.name == "enrollments"):
            keep_problem_rows(con, tbl)
    if attendance:
        step("checking attendance_daily against enrollments")
        check_attendance(con)
        keep_problem_rows(con, table("enrollments"))


def keep_problem_rows(con: duckdb.DuckDBPyConnection, tbl: Table) -> None:
    """Copy the original values of rows with problems into ``problems.raw_row`` (as JSON),
    then drop the text staging table: from here on only the typed table is needed."""
    pairs = ", ".join(f"{sql_string(c)}, s.{quote_ident(c)}" for c in tbl.column_names)
    stage = staging_name(tbl.name)
    con.execute(
        f"UPDATE problems SET raw_row = CAST(json_object({pairs}) AS VARCHAR) FROM {stage} s "
        f"WHERE problems.table_name = {sql_string(tbl.name)} AND problems.row_id = s._row "
        "AND problems.raw_row IS NULL"
    )
    con.execute(f"DROP TABLE {stage}")
