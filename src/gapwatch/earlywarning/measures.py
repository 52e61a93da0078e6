"""Per-student measures of a school year: the inputs of the rule-based flags (:mod:`.flags`).

One row per school year and student enrolled that year. Most columns are the district row of
the ``student_year`` view (:mod:`gapwatch.indicators.views`), so days, incidents, credits,
core semester Fs, a-g semesters and LTEL mean what they mean for the indicators; on-track and
a-g pace are the ``ninth_grade_on_track`` and ``ag_on_track`` indicators' SQL applied to one
student. Added here: the school of the latest enrollment, English and math grade averages
(letter marks on a 0-100 scale, :data:`MARK_POINTS`), D/F counts, state offenses (Ed-Fi
Analytics Middle Tier's "state offense", read as a California Education Code ground,
:data:`STATE_OFFENSE_PATTERN`) and years in US schools. Definitions: docs/early-warning.md.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from gapwatch.indicators.aggregate import compile_indicator
from gapwatch.indicators.registry import BUILTIN_BY_ID
from gapwatch.indicators.views import FAILING, ViewOptions, student_year_ctes
from gapwatch.sql import sql_string
from gapwatch.warehouse import contract_tables

#: Letter marks on a 0-100 scale (gapwatch's mapping; the contract has no numeric grades).
#: Midpoints of the common 10-point scale with plus/minus bands (X- = x0-x2, X = x3-x6,
#: X+ = x7-x9; A+ = 97-100), rounded; F is 50, the usual "minimum grade" floor, not the F band's
#: midpoint (30), so that one F does not outweigh the rest of the year. P, NP, I, W: no points.
MARK_POINTS: dict[str, int] = {
    "A+": 98, "A": 95, "A-": 91, "B+": 88, "B": 85, "B-": 81, "C+": 78, "C": 75, "C-": 71,
    "D+": 68, "D": 65, "D-": 61, "F": 50,
}
DF_MARKS = ("D+", "D", "D-", "F")
#: A state offense: the offense code cites California Education Code 48900 (incl. 48900.2,
#: .3, .4, .7) or 48915, optionally prefixed "EC" (gapwatch's reading of Ed-Fi's "state
#: offense" for California; a district sets its own pattern, RE2 syntax).
STATE_OFFENSE_PATTERN = r"(?i)^\s*(EC\s*)?489(00|15)\b"
UNITS_PER_YEAR_COURSE = 10.0  #: config ``indicators.units_per_year_course``
AG_PACE = 7.5  #: config ``indicators.ag_pace_semesters_per_year``

#: The contract of :func:`student_measures` (later columns are extras).
SCHEMA = pa.schema([
    ("school_year", pa.int16()), ("student_id", pa.string()), ("school_id", pa.string()),
    ("grade", pa.int8()), ("race_ethnicity", pa.string()), ("gender", pa.string()),
    ("home_language", pa.string()), ("sed", pa.bool_()), ("el", pa.bool_()),
    ("swd", pa.bool_()), ("foster", pa.bool_()), ("homeless", pa.bool_()),
    ("days_enrolled", pa.float64()), ("days_absent", pa.float64()),
    ("attendance_rate", pa.float64()), ("incidents", pa.int32()), ("suspensions", pa.int32()),
    ("suspension_days", pa.float64()), ("state_offense", pa.bool_()),
    ("ela_grade_avg", pa.float64()), ("math_grade_avg", pa.float64()),
    ("ela_df_marks", pa.int32()), ("math_df_marks", pa.int32()),
    ("core_f_semesters", pa.int32()), ("credits_earned", pa.float64()),
    ("ag_semesters_c_or_better", pa.float64()), ("on_track_9", pa.bool_()),
    ("ag_on_pace", pa.bool_()), ("years_in_us_schools", pa.float64()), ("ltel", pa.bool_()),
    # extras
    ("days_attended", pa.float64()), ("out_of_school_suspensions", pa.int32()),
    ("state_offenses", pa.int32()), ("state_offense_codes", pa.string()),
    ("ela_letter_marks", pa.int32()), ("math_letter_marks", pa.int32()),
    ("ela_failing_marks", pa.int32()), ("math_failing_marks", pa.int32()),
    ("course_marks", pa.int32()), ("full_year_credits", pa.float64()),
    ("ag_history_complete", pa.bool_()), ("ag_semesters_needed", pa.float64()),
])

#: Columns that mean nothing without an optional table: NULL (not zero) when it is absent.
NEEDS: dict[str, tuple[str, ...]] = {
    "discipline": ("incidents", "suspensions", "suspension_days", "state_offense",
                   "out_of_school_suspensions", "state_offenses"),
    "course_marks": ("ela_df_marks", "math_df_marks", "core_f_semesters", "credits_earned",
                     "ag_semesters_c_or_better", "ela_letter_marks", "math_letter_marks",
                     "ela_failing_marks", "math_failing_marks", "course_marks",
                     "full_year_credits"),
}


def _in(values: tuple[str, ...] | list[str]) -> str:
    return "(" + ", ".join(sql_string(v) for v in values) + ")"


def _subject_marks(s: str, subject: str) -> str:
    """Grade average and mark counts of one subject area (``s``: column prefix)."""
    points = " ".join(f"WHEN {sql_string(m)} THEN {p}" for m, p in MARK_POINTS.items())
    where = f"subject_area = {sql_string(subject)}"
    return f"""avg(CASE WHEN {where} THEN CASE mark {points} END END) AS {s}_grade_avg,
           count(*) FILTER (WHERE {where} AND mark IN {_in(list(MARK_POINTS))})
               AS {s}_letter_marks,
           count(*) FILTER (WHERE {where} AND mark IN {_in(DF_MARKS)}) AS {s}_df_marks,
           count(*) FILTER (WHERE {where} AND mark IN {_in(FAILING)}) AS {s}_failing_marks"""


def measures_sql(present: set[str], years: tuple[int, ...], *,
                 units_per_year_course: float = UNITS_PER_YEAR_COURSE, ag_pace: float = AG_PACE,
                 state_offense_pattern: str = STATE_OFFENSE_PATTERN) -> str:
    """The query of :func:`student_measures` over the contract tables in ``present``."""
    settings = {"units_per_year_course": units_per_year_course,
                "ag_pace_semesters_per_year": ag_pace}
    on_track = compile_indicator(BUILTIN_BY_ID["ninth_grade_on_track"], settings)
    ag = compile_indicator(BUILTIN_BY_ID["ag_on_track"], settings)
    state = f"regexp_matches(offense_code, {sql_string(state_offense_pattern)})"
    return f"""{student_year_ctes(present, ViewOptions(years))},
ew_district AS (
    SELECT *,
           CASE WHEN {on_track.universe} THEN {on_track.outcome} END AS on_track_9,
           CASE WHEN {ag.universe} THEN {ag.outcome} END AS ag_on_pace,
           CASE WHEN grade BETWEEN 9 AND 12 THEN {ag_pace} * (grade - 8) END
               AS ag_semesters_needed
    FROM student_year WHERE entity_type = 'district'
),
ew_school AS (
    -- the school of the latest enrollment (entry date, then school id, as the views order it)
    SELECT school_year, student_id,
           arg_max(school_id, {{'entry_date': entry_date, 'school_id': school_id}}) AS school_id
    FROM t_enrollments GROUP BY school_year, student_id
),
ew_marks AS (
    SELECT school_year, student_id,
           {_subject_marks("ela", "ELA")},
           {_subject_marks("math", "MATH")}
    FROM t_course_marks GROUP BY school_year, student_id
),
ew_offenses AS (
    SELECT school_year, student_id, count(*) FILTER (WHERE {state}) AS state_offenses,
           string_agg(DISTINCT trim(offense_code), ', ' ORDER BY trim(offense_code))
               FILTER (WHERE {state}) AS state_offense_codes
    FROM t_discipline GROUP BY school_year, student_id
)
SELECT CAST(s.school_year AS SMALLINT) AS school_year, s.student_id, w.school_id,
       CAST(s.grade AS TINYINT) AS grade, s.race_ethnicity, s.gender, st.home_language,
       s.sed, s.el, s.swd, s.foster, s.homeless,
       CAST(s.days_enrolled AS DOUBLE) AS days_enrolled,
       CAST(s.days_absent AS DOUBLE) AS days_absent,
       -- days are exact decimals (2 places): divide integers, so 80% is exactly 80.0
       CASE WHEN s.days_enrolled > 0
            THEN CAST(s.days_attended * 10000 AS DOUBLE) / CAST(s.days_enrolled * 100 AS DOUBLE)
       END AS attendance_rate,
       CAST(s.incidents AS INTEGER) AS incidents, CAST(s.suspensions AS INTEGER) AS suspensions,
       CAST(s.suspension_days AS DOUBLE) AS suspension_days,
       coalesce(o.state_offenses, 0) > 0 AS state_offense,
       m.ela_grade_avg, m.math_grade_avg,
       CAST(coalesce(m.ela_df_marks, 0) AS INTEGER) AS ela_df_marks,
       CAST(coalesce(m.math_df_marks, 0) AS INTEGER) AS math_df_marks,
       CAST(s.core_semester_fs AS INTEGER) AS core_f_semesters,
       CAST(s.credits_earned AS DOUBLE) AS credits_earned,
       CAST(s.ag_semesters_cumulative AS DOUBLE) AS ag_semesters_c_or_better,
       s.on_track_9, s.ag_on_pace,
       datesub('month', s.us_school_entry_date, y.year_end) / 12 AS years_in_us_schools,
       s.ltel,
       CAST(s.days_attended AS DOUBLE) AS days_attended,
       CAST(s.out_of_school_suspensions AS INTEGER) AS out_of_school_suspensions,
       CAST(coalesce(o.state_offenses, 0) AS INTEGER) AS state_offenses, o.state_offense_codes,
       CAST(coalesce(m.ela_letter_marks, 0) AS INTEGER) AS ela_letter_marks,
       CAST(coalesce(m.math_letter_marks, 0) AS INTEGER) AS math_letter_marks,
       CAST(coalesce(m.ela_failing_marks, 0) AS INTEGER) AS ela_failing_marks,
       CAST(coalesce(m.math_failing_marks, 0) AS INTEGER) AS math_failing_marks,
       CAST(s.course_marks AS INTEGER) AS course_marks,
       CAST(s.credits_earned AS DOUBLE) / {units_per_year_course} AS full_year_credits,
       s.ag_history_complete, CAST(s.ag_semesters_needed AS DOUBLE) AS ag_semesters_needed
FROM ew_district s
JOIN years y ON y.school_year = s.school_year
JOIN ew_school w ON w.school_year = s.school_year AND w.student_id = s.student_id
JOIN t_students st ON st.student_id = s.student_id
LEFT JOIN ew_marks m ON m.school_year = s.school_year AND m.student_id = s.student_id
LEFT JOIN ew_offenses o ON o.school_year = s.school_year AND o.student_id = s.student_id"""


def measure_years(con: duckdb.DuckDBPyConnection, school_year: int | None) -> tuple[int, ...]:
    """The school years to measure: ``school_year``, or every year with enrollments."""
    if school_year is not None:
        return (int(school_year),)
    rows = con.sql("SELECT DISTINCT school_year FROM enrollments ORDER BY 1").fetchall()
    return tuple(int(r[0]) for r in rows)


def student_measures(con: duckdb.DuckDBPyConnection, school_year: int | None = None, *,
                     units_per_year_course: float = UNITS_PER_YEAR_COURSE,
                     ag_pace: float = AG_PACE,
                     state_offense_pattern: str = STATE_OFFENSE_PATTERN) -> pa.Table:
    """One row per (school_year, student_id) enrolled that year (every year when None), sorted;
    columns and types as :data:`SCHEMA`. Settings: the ``indicators.*`` config values and the
    ``early_warning.state_offense_pattern`` (docs/early-warning.md)."""
    present = set(contract_tables(con))
    sql = measures_sql(present, measure_years(con, school_year),
                       units_per_year_course=units_per_year_course, ag_pace=ag_pace,
                       state_offense_pattern=state_offense_pattern)
    table = con.sql(f"SELECT * FROM ({sql}) ORDER BY school_year, student_id").to_arrow_table()
    table = table.cast(SCHEMA)
    for name in (c for t, cols in NEEDS.items() if t not in present for c in cols):
        field = SCHEMA.field(name)
        table = table.set_column(table.schema.get_field_index(name), field,
                                 pa.nulls(table.num_rows, field.type))
    return table
