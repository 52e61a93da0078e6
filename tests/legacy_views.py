"""The views as f-string SQL before the model files (frozen copy, to check the models against).

The module docstring of the original follows.

The two documented views every indicator reads, as SQL over the warehouse's contract tables.

``student_year``: one row per school year, entity and student. Entities are the district, each
board district and each school (``entity_type`` ``district``, ``board_district``, ``school``).
A student enrolled at two schools in a year (a mid-year transfer) has a row at each school and
one row at the district, where days and incidents of both schools are added up.

``cohort``: one row per student of a four-year graduation cohort and entity (the accountable
school, its board district, the district), ``school_year`` = the cohort year; plus, in the
following year, a row for each fifth-year graduate (``fifth_year_grad``).

The SQL is written in DuckDB's dialect and translated to Spark SQL by SQLGlot, so every
indicator has one definition on both engines. Columns are documented in docs/indicators.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from gapwatch.calendar import census_day, year_end, year_start
from gapwatch.contract import TABLES_BY_NAME
from gapwatch.indicators.elpi import ElpiReference, load_reference
from gapwatch.indicators.participation import columns_sql as participation_columns
from gapwatch.reference import SBAC_THRESHOLDS
from gapwatch.sql import quote_ident


def elpac_pick_sql(ref: ElpiReference) -> str:
    """The CTE ``elpac_pick``: each student's summative ELPAC or Alternate ELPAC of the year
    (the latest; ties: the higher score, then the higher school id), with its ELPI level."""
    level = ref.level_sql("grade", "scale_score", "performance_level")
    return f"""elpac_pick AS (
    SELECT school_year, school_id, student_id, test AS elpac_test,
           test_date AS elpac_test_date,
           CASE WHEN test = 'ELPAC' THEN performance_level END AS elpac_level,
           CASE WHEN test = 'ELPAC' THEN {level}
                ELSE performance_level END AS elpi_level
    FROM (
        SELECT a.school_year, a.school_id, a.student_id, a.test, a.grade, a.scale_score,
               a.performance_level, a.test_date,
               row_number() OVER (
                   PARTITION BY a.school_year, a.student_id
                   ORDER BY a.test_date DESC NULLS LAST, a.scale_score DESC,
                            a.school_id DESC) AS pick
        FROM t_assessments a
        WHERE a.test IN ('ELPAC', 'ALT_ELPAC') AND a.subject = 'ELP'
          AND coalesce(a.administration, 'SUMMATIVE') = 'SUMMATIVE'
    ) WHERE pick = 1
)"""


def student_year_sql(ref: ElpiReference) -> str:
    """Columns of ``student_year`` over ``elpi_level``, ``elpi_prior_level``, ``elpac_test``,
    ``elpac_prior_test``, ``elpac_test_date``, ``reclassification_date``, ``el_status``."""
    return f"""elpi_level, elpi_prior_level, elpac_test, elpac_prior_test, elpac_test_date,
           coalesce(el_status = 'EL', FALSE)
               OR coalesce(reclassification_date > coalesce(elpac_test_date,
                                                            year_start - INTERVAL 1 DAY),
                           el_status = 'RFEP', FALSE) AS elpi_el,
           coalesce(elpi_level IS NOT NULL AND elpi_prior_level IS NOT NULL
                    AND elpac_test = elpac_prior_test
                    AND (elpac_test = 'ELPAC' OR school_year >= {ref.alternate_from}),
                    FALSE) AS elpi_pair,
           CASE elpac_test WHEN 'ELPAC' THEN 6
                WHEN 'ALT_ELPAC' THEN {ref.alternate_top_level} END AS elpi_top"""


elpi_columns = student_year_sql

C_OR_BETTER = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "P")
FAILING = ("F", "NP")
CORE_AREAS = ("ELA", "MATH", "SCI", "SOC")


@dataclass(frozen=True)
class ViewOptions:
    """Settings the views depend on (from the config file)."""

    years: tuple[int, ...]
    #: ELPAC thresholds, ELPI split scores and the Alternate ELPAC rule (indicators.elpi)
    elpi: ElpiReference = field(default_factory=load_reference)


def _values(rows: Iterable[tuple], columns: list[str]) -> str:
    body = ", ".join("(" + ", ".join(rows_fmt(v) for v in row) + ")" for row in rows)
    return f"(SELECT * FROM (VALUES {body}) AS v({', '.join(columns)}))"


def rows_fmt(value: object) -> str:
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def empty_table(name: str) -> str:
    """A relation with the contract table's columns and no rows (for an absent table)."""
    tbl = TABLES_BY_NAME[name]
    cols = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {quote_ident(c.name)}" for c in tbl.columns)
    return f"(SELECT {cols} WHERE FALSE)"


def table_ctes(present: set[str]) -> list[str]:
    """A CTE per contract table the views read: the table itself, or an empty stand-in."""
    needed = ("schools", "students", "enrollments", "attendance_daily", "assessments",
              "course_marks", "discipline", "graduation_cohorts")
    return [
        f"t_{name} AS (SELECT * FROM {name})" if name in present
        else f"t_{name} AS {empty_table(name)}"
        for name in needed
    ]


def _years_cte(options: ViewOptions) -> str:
    rows = [
        (y, year_start(y), year_end(y), census_day(y), date(y, 5, 1))
        for y in options.years
    ]
    if not rows:
        rows = [(0, date(1990, 7, 1), date(1991, 6, 30), date(1990, 10, 3), date(1991, 5, 1))]
    cols = ["school_year", "year_start", "year_end", "census_day", "default_test_day"]
    return f"years AS {_values(rows, cols)}"


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(rows_fmt(v) for v in values) + ")"


def _cut(subject: str, level: int, grade: str) -> str:
    """SQL: the Smarter Balanced threshold of ``level`` (2-4) for ``grade`` (NULL if none)."""
    whens = " ".join(f"WHEN {g} THEN {cuts[level - 2]}"
                     for (subj, g), cuts in SBAC_THRESHOLDS.items() if subj == subject)
    return f"CASE {grade} {whens} END"


NO_GRADE, NO_DATE = -99, "DATE '1900-01-01'"

#: Facts of the student and year (not of a school), carried from school rows upward.
STUDENT_FACTS = ("race_ethnicity, gender, us_school_entry_date, reclassification_date, "
                 "elpac_prior_level, elpi_prior_level, elpac_prior_test, "
                 "ag_semesters_cumulative, ag_history_complete")


def _prefixed(prefix: str, columns: str) -> str:
    return ", ".join(prefix + c for c in columns.split(", "))


def _any_values(columns: str) -> str:
    """Above a school: facts equal on every school row of the student and year."""
    return ", ".join(f"any_value(r.{c}) AS {c}" for c in columns.split(", "))


def _sbac_columns(subject: str) -> str:
    """The picked score of ``subject`` as columns of one school row (coded, never NULL)."""
    s = subject.lower()
    when = f"CASE WHEN subject = '{subject}' THEN"
    return f"""max({when} sbac_order END) AS {s}_order,
           max({when} coalesce(grade, {NO_GRADE}) END) AS {s}_grade,
           max({when} scale_score END) AS {s}_score,
           max({when} coalesce(performance_level, {NO_GRADE}) END) AS {s}_plevel,
           max({when} coalesce(test_date, {NO_DATE}) END) AS {s}_date"""


def _latest_score(s: str) -> str:
    """Above a school: the score of the school row with the latest test (highest order)."""
    return ",\n               ".join(
        f"arg_max(r.{s}_{part}, r.{s}_order) AS {s}_{part}"
        for part in ("grade", "score", "plevel", "date"))


def _scored(s: str) -> str:
    """DFS, level, tested grade and test date of the picked score in ``s`` (ela/math)."""
    grade = f"NULLIF(r.{s}_grade, {NO_GRADE})"
    score = f"r.{s}_score"
    l2, l3, l4 = (_cut(s.upper(), level, grade) for level in (2, 3, 4))
    return f"""{score} - ({l3}) AS {s}_dfs,
           CASE WHEN ({l3}) IS NOT NULL THEN coalesce(NULLIF(r.{s}_plevel, {NO_GRADE}),
               CASE WHEN {score} >= ({l4}) THEN 4 WHEN {score} >= ({l3}) THEN 3
                    WHEN {score} >= ({l2}) THEN 2 ELSE 1 END) END AS {s}_level,
           {grade} AS {s}_tested_grade, NULLIF(r.{s}_date, {NO_DATE}) AS {s}_test_date"""


def _included(s: str) -> str:
    """Counts for the Academic Indicator in subject ``s`` (ela/math): tested in grades 3-8 or
    11, enrolled at the entity from census day to the test, not an EL new to US schools."""
    test_day = f"coalesce({s}_test_date, default_test_day)"
    return f"""coalesce({s}_dfs IS NOT NULL
               AND ({s}_tested_grade BETWEEN 3 AND 8 OR {s}_tested_grade = 11)
               AND first_entry <= census_day
               AND last_day >= {test_day}
               AND NOT coalesce(el_status = 'EL'
                   AND us_school_entry_date > {test_day} - INTERVAL 1 YEAR, FALSE),
               FALSE) AS {s}_included"""


def _el_flags(status: str, year: str, st: str = "", y: str = "") -> str:
    """SQL for el, el_academic and ltel from an EL status, the student's dates (columns of
    ``st``) and the school year's start (``y``); empty prefixes read unqualified columns."""
    entry = f"{st}us_school_entry_date"
    entry_year = f"(year({entry}) + CASE WHEN month({entry}) >= 7 THEN 1 ELSE 0 END)"
    return f"""coalesce({status} = 'EL', FALSE) AS el,
           coalesce({status} = 'EL' OR ({status} = 'RFEP'
               AND {st}reclassification_date > {y}year_start - INTERVAL 4 YEAR), FALSE)
               AS el_academic,
           coalesce({status} = 'EL' AND {year} - {entry_year} >= 6, FALSE) AS ltel"""


STUDENT_STATUS = """student_status AS (
    -- each student's status in a year over all enrollments (as at the district)
    SELECT school_year, student_id,
           arg_max({'grade': grade, 'el_status': el_status},
                   {'entry_date': entry_date, 'school_id': school_id}) AS latest,
           bool_or(coalesce(sed, FALSE)) AS sed, bool_or(coalesce(frpm, FALSE)) AS frpm,
           bool_or(coalesce(swd, FALSE)) AS swd, bool_or(coalesce(foster, FALSE)) AS foster,
           bool_or(coalesce(homeless, FALSE)) AS homeless,
           bool_or(coalesce(migrant, FALSE)) AS migrant,
           bool_or(coalesce(dual_language, FALSE)) AS dual_language
    FROM t_enrollments GROUP BY school_year, student_id
)"""


SCHOOL_ENTITIES = """
school_entities AS (
    SELECT school_id, 'school' AS entity_type, school_id AS entity_id FROM t_schools
    UNION ALL
    SELECT school_id, 'board_district', board_district FROM t_schools
    WHERE board_district IS NOT NULL
    UNION ALL
    SELECT school_id, 'district', district_id FROM t_schools
)
"""

STUDENT_YEAR_CTES = f"""
attendance_days AS (
    SELECT student_id, school_id,
           year(date) + CASE WHEN month(date) >= 7 THEN 1 ELSE 0 END AS school_year,
           count(*) AS att_enrolled,
           count(*) FILTER (WHERE status IN ('A', 'E', 'S')) AS att_absent
    FROM t_attendance_daily GROUP BY ALL
),
enr AS (
    SELECT e.*,
           CAST(coalesce(a.att_enrolled, e.days_enrolled) AS DECIMAL(9, 2)) AS d_enrolled,
           CAST(coalesce(a.att_absent, e.days_absent) AS DECIMAL(9, 2)) AS d_absent,
           coalesce(e.exit_date, y.year_end) AS last_day,
           -- the latest enrollment of the year has the highest order (entry date, school id)
           row_number() OVER (PARTITION BY e.school_year, e.student_id
                              ORDER BY e.entry_date, e.school_id) AS enr_order
    FROM t_enrollments e
    JOIN years y ON y.school_year = e.school_year
    LEFT JOIN attendance_days a
      ON a.student_id = e.student_id AND a.school_id = e.school_id
     AND a.school_year = e.school_year
),
discipline_school AS (
    SELECT school_year, school_id, student_id,
           sum(CASE WHEN action IN ('OSS', 'ISS') THEN CAST(days AS DECIMAL(9, 3))
                    ELSE CAST(0 AS DECIMAL(9, 3)) END) AS suspension_days,
           count(*) FILTER (WHERE action IN ('OSS', 'ISS')) AS suspensions,
           count(*) FILTER (WHERE action = 'OSS') AS out_of_school_suspensions,
           count(*) AS incidents
    FROM t_discipline GROUP BY school_year, school_id, student_id
),
sbac_picked AS (
    -- the latest summative score per student, subject and school (ties: the higher score)
    SELECT * FROM (
        SELECT school_year, school_id, student_id, subject, grade, scale_score,
               performance_level, test_date,
               row_number() OVER (
                   PARTITION BY school_year, school_id, student_id, subject
                   ORDER BY test_date DESC NULLS LAST, scale_score DESC,
                            grade DESC NULLS LAST, performance_level DESC NULLS LAST) AS pick
        FROM t_assessments
        WHERE test = 'SBAC' AND subject IN ('ELA', 'MATH')
          AND coalesce(administration, 'SUMMATIVE') = 'SUMMATIVE' AND scale_score IS NOT NULL
    ) WHERE pick = 1
),
sbac_school AS (
    -- one row per student and school; *_order ranks the score among the student's schools
    -- (higher = later), so the board district and district keep the latest; empty grades,
    -- levels and dates are coded (-99, 1900-01-01) so that arg_max never meets a NULL
    SELECT school_year, school_id, student_id,
           {_sbac_columns('ELA')},
           {_sbac_columns('MATH')}
    FROM (
        SELECT *, row_number() OVER (
                   PARTITION BY school_year, student_id, subject
                   ORDER BY test_date NULLS FIRST, scale_score, grade NULLS FIRST,
                            performance_level NULLS FIRST, school_id) AS sbac_order
        FROM sbac_picked
    )
    GROUP BY school_year, school_id, student_id
),
__ELPAC_PICK__,
caa_taken AS (
    -- a CAA score in ELA or math that year (the participation rule counts it as tested)
    SELECT school_year AS caa_year, student_id AS caa_student,
           bool_or(subject = 'ELA') AS caa_ela, bool_or(subject = 'MATH') AS caa_math
    FROM t_assessments WHERE test = 'CAA' AND subject IN ('ELA', 'MATH')
    GROUP BY school_year, student_id
),
marks_school AS (
    SELECT school_year, school_id, student_id,
           count(*) AS course_marks,
           count(*) FILTER (WHERE subject_area = 'ELA' AND mark <> 'W') AS ela_marks,
           count(*) FILTER (WHERE subject_area = 'MATH' AND mark <> 'W') AS math_marks,
           count(*) FILTER (WHERE subject_area = 'ELA' AND mark <> 'W'
                            AND mark NOT IN {_in(C_OR_BETTER)}) AS ela_below_c,
           count(*) FILTER (WHERE subject_area = 'MATH' AND mark <> 'W'
                            AND mark NOT IN {_in(C_OR_BETTER)}) AS math_below_c,
           sum(CAST(credits_earned AS DECIMAL(9, 2))) AS credits_earned,
           sum(CASE WHEN subject_area IN {_in(CORE_AREAS)} AND mark IN {_in(FAILING)}
                    THEN CASE WHEN term = 'FY' THEN 2 ELSE 1 END ELSE 0 END)
               AS core_semester_fs
    FROM t_course_marks GROUP BY school_year, school_id, student_id
),
ag_year AS (
    SELECT student_id, school_year,
           sum(CASE WHEN ag_area IS NOT NULL AND mark IN {_in(C_OR_BETTER)}
                    THEN CASE WHEN term = 'FY' THEN 2 ELSE 1 END ELSE 0 END) AS ag_semesters
    FROM t_course_marks GROUP BY student_id, school_year
),
marks_first AS (SELECT min(school_year) AS first_year FROM t_course_marks),
ag_cumulative AS (
    -- a-g semesters passed so far: a running sum over the student's years
    SELECT y.student_id, y.school_year,
           sum(coalesce(a.ag_semesters, 0)) OVER (
               PARTITION BY y.student_id ORDER BY y.school_year
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ag_semesters_cumulative
    FROM (SELECT student_id, school_year FROM student_status
          UNION SELECT student_id, school_year FROM ag_year) y
    LEFT JOIN ag_year a ON a.student_id = y.student_id AND a.school_year = y.school_year
),
hs_start AS (
    SELECT student_id, min(school_year) AS first_hs_year,
           arg_min(latest.grade, school_year) AS first_hs_grade
    FROM student_status WHERE latest.grade >= 9 GROUP BY student_id
),
hs_history AS (
    SELECT g.student_id, g.school_year,
           h.first_hs_grade = 9 AND h.first_hs_year >= f.first_year
           AND count(*) OVER (PARTITION BY g.student_id ORDER BY g.school_year
                              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
               = g.school_year - h.first_hs_year + 1 AS ag_history_complete
    FROM student_status g
    JOIN hs_start h ON h.student_id = g.student_id
    CROSS JOIN marks_first f
    WHERE g.school_year >= h.first_hs_year
),
school_keys AS (
    SELECT school_year, school_id, student_id FROM enr
    UNION SELECT school_year, school_id, student_id FROM discipline_school
    UNION SELECT school_year, school_id, student_id FROM sbac_school
    UNION SELECT school_year, school_id, student_id FROM elpac_pick
    UNION SELECT school_year, school_id, student_id FROM marks_school
),
school_rows AS (
    -- everything known of a student at a school in a year; "enrolled" when an enrollment
    -- row exists (facts at a school the student was not enrolled in count only above it)
    SELECT k.school_year, k.school_id, k.student_id, k.rows_in_year,
           e.student_id IS NOT NULL AS enrolled,
           e.grade, e.el_status, e.entry_date, e.last_day, e.d_enrolled, e.d_absent,
           e.sed, e.frpm, e.swd, e.foster, e.homeless, e.migrant, e.enr_order,
           e.dual_language, e.biliteracy_pathway,
           d.suspension_days, d.suspensions, d.out_of_school_suspensions, d.incidents,
           b.ela_order, b.ela_grade, b.ela_score, b.ela_plevel, b.ela_date,
           b.math_order, b.math_grade, b.math_score, b.math_plevel, b.math_date,
           p.elpac_level, p.elpi_level, p.elpac_test, p.elpac_test_date,
           m.course_marks, m.ela_marks, m.math_marks, m.ela_below_c, m.math_below_c,
           m.credits_earned, m.core_semester_fs,
           -- the student's own facts of the year, the same on every school row
           st.race_ethnicity, st.gender, st.us_school_entry_date, st.reclassification_date,
           pr.elpac_level AS elpac_prior_level, pr.elpi_level AS elpi_prior_level,
           pr.elpac_test AS elpac_prior_test, ag.ag_semesters_cumulative,
           h.ag_history_complete
    FROM (SELECT *, count(*) OVER (PARTITION BY school_year, student_id) AS rows_in_year
          FROM school_keys) k
    JOIN t_students st ON st.student_id = k.student_id
    LEFT JOIN enr e ON e.school_year = k.school_year AND e.school_id = k.school_id
                   AND e.student_id = k.student_id
    LEFT JOIN discipline_school d ON d.school_year = k.school_year
                   AND d.school_id = k.school_id AND d.student_id = k.student_id
    LEFT JOIN sbac_school b ON b.school_year = k.school_year AND b.school_id = k.school_id
                   AND b.student_id = k.student_id
    LEFT JOIN elpac_pick p ON p.school_year = k.school_year AND p.school_id = k.school_id
                   AND p.student_id = k.student_id
    LEFT JOIN marks_school m ON m.school_year = k.school_year AND m.school_id = k.school_id
                   AND m.student_id = k.student_id
    LEFT JOIN elpac_pick pr
      ON pr.student_id = k.student_id AND pr.school_year = k.school_year - 1
    LEFT JOIN ag_cumulative ag
      ON ag.student_id = k.student_id AND ag.school_year = k.school_year
    LEFT JOIN hs_history h ON h.student_id = k.student_id AND h.school_year = k.school_year
),
entity_rows AS (
    -- the school rows; above a school, a student's rows are added up (transfers, facts
    -- at other schools) or, for the many with one row that year, relabeled
    SELECT school_year, 'school' AS entity_type, school_id AS entity_id, student_id,
           1 AS enrollments, d_enrolled AS days_enrolled, d_absent AS days_absent,
           entry_date AS first_entry, last_day,
           coalesce(sed, FALSE) AS sed, coalesce(frpm, FALSE) AS frpm,
           coalesce(swd, FALSE) AS swd, coalesce(foster, FALSE) AS foster,
           coalesce(homeless, FALSE) AS homeless, coalesce(migrant, FALSE) AS migrant,
           coalesce(dual_language, FALSE) AS dual_language, biliteracy_pathway,
           grade, el_status,
           suspension_days, suspensions, out_of_school_suspensions, incidents,
           ela_grade, ela_score, ela_plevel, ela_date,
           math_grade, math_score, math_plevel, math_date, elpac_level,
           elpi_level, elpac_test, elpac_test_date,
           course_marks, ela_marks, math_marks, ela_below_c, math_below_c, credits_earned,
           core_semester_fs, {STUDENT_FACTS}
    FROM school_rows WHERE enrolled
    UNION ALL
    -- a student with one row in the district that year: the row, relabeled upward
    SELECT r.school_year, x.entity_type, x.entity_id, r.student_id,
           1, r.d_enrolled, r.d_absent, r.entry_date, r.last_day,
           coalesce(r.sed, FALSE), coalesce(r.frpm, FALSE), coalesce(r.swd, FALSE),
           coalesce(r.foster, FALSE), coalesce(r.homeless, FALSE), coalesce(r.migrant, FALSE),
           coalesce(r.dual_language, FALSE), r.biliteracy_pathway,
           r.grade, r.el_status,
           r.suspension_days, r.suspensions, r.out_of_school_suspensions, r.incidents,
           r.ela_grade, r.ela_score, r.ela_plevel, r.ela_date,
           r.math_grade, r.math_score, r.math_plevel, r.math_date, r.elpac_level,
           r.elpi_level, r.elpac_test, r.elpac_test_date, r.course_marks, r.ela_marks,
           r.math_marks, r.ela_below_c, r.math_below_c,
           r.credits_earned, r.core_semester_fs, {_prefixed("r.", STUDENT_FACTS)}
    FROM school_rows r
    JOIN school_entities x ON x.school_id = r.school_id AND x.entity_type <> 'school'
    WHERE r.enrolled AND r.rows_in_year = 1
    UNION ALL
    SELECT school_year, entity_type, entity_id, student_id, enrollments, days_enrolled,
           days_absent, first_entry, last_day, sed, frpm, swd, foster, homeless, migrant,
           dual_language, biliteracy_pathway,
           NULLIF(grade, -99), NULLIF(el_status, ''),
           suspension_days, suspensions, out_of_school_suspensions, incidents,
           ela_grade, ela_score, ela_plevel, ela_date,
           math_grade, math_score, math_plevel, math_date, elpac_level,
           elpi_level, elpac_test, elpac_test_date,
           course_marks, ela_marks, math_marks, ela_below_c, math_below_c, credits_earned,
           core_semester_fs, {STUDENT_FACTS}
    FROM (
        SELECT r.school_year, x.entity_type, x.entity_id, r.student_id,
               count(*) FILTER (WHERE r.enrolled) AS enrollments,
               CASE WHEN count(r.d_enrolled) = count(*) FILTER (WHERE r.enrolled)
                    THEN sum(r.d_enrolled) END AS days_enrolled,
               CASE WHEN count(r.d_absent) = count(*) FILTER (WHERE r.enrolled)
                    THEN sum(r.d_absent) END AS days_absent,
               min(r.entry_date) AS first_entry, max(r.last_day) AS last_day,
               bool_or(coalesce(r.sed, FALSE)) AS sed, bool_or(coalesce(r.frpm, FALSE)) AS frpm,
               bool_or(coalesce(r.swd, FALSE)) AS swd,
               bool_or(coalesce(r.foster, FALSE)) AS foster,
               bool_or(coalesce(r.homeless, FALSE)) AS homeless,
               bool_or(coalesce(r.migrant, FALSE)) AS migrant,
               bool_or(coalesce(r.dual_language, FALSE)) AS dual_language,
               bool_or(r.biliteracy_pathway) AS biliteracy_pathway,
               -- the latest enrollment (by entry date, then school id): grade and EL status
               arg_max(coalesce(r.grade, -99), r.enr_order) FILTER (WHERE r.enrolled) AS grade,
               arg_max(coalesce(r.el_status, ''), r.enr_order) FILTER (WHERE r.enrolled)
                   AS el_status,
               sum(r.suspension_days) AS suspension_days, sum(r.suspensions) AS suspensions,
               sum(r.out_of_school_suspensions) AS out_of_school_suspensions,
               sum(r.incidents) AS incidents,
               {_latest_score('ela')},
               {_latest_score('math')},
               max(r.elpac_level) AS elpac_level, max(r.elpi_level) AS elpi_level,
               max(r.elpac_test) AS elpac_test, max(r.elpac_test_date) AS elpac_test_date,
               sum(r.course_marks) AS course_marks, sum(r.ela_marks) AS ela_marks,
               sum(r.math_marks) AS math_marks, sum(r.ela_below_c) AS ela_below_c,
               sum(r.math_below_c) AS math_below_c, sum(r.credits_earned) AS credits_earned,
               sum(r.core_semester_fs) AS core_semester_fs,
               {_any_values(STUDENT_FACTS)}
        FROM school_rows r
        JOIN school_entities x ON x.school_id = r.school_id AND x.entity_type <> 'school'
        WHERE r.rows_in_year > 1
        GROUP BY r.school_year, x.entity_type, x.entity_id, r.student_id
        HAVING bool_or(r.enrolled)
    )
),
student_year_scored AS (
    SELECT r.*, y.year_start, y.year_end, y.census_day, y.default_test_day,
           {_scored('ela')},
           {_scored('math')},
    FROM entity_rows r
    JOIN years y ON y.school_year = r.school_year
),
student_year AS (
    SELECT school_year, entity_type, entity_id, student_id,
           grade, race_ethnicity, gender, el_status,
           {_el_flags("el_status", "school_year")},
           sed, frpm, swd, foster, homeless, migrant, dual_language, biliteracy_pathway,
           us_school_entry_date, reclassification_date,
           year(us_school_entry_date)
               + CASE WHEN month(us_school_entry_date) >= 7 THEN 1 ELSE 0 END
               AS us_entry_school_year,
           coalesce(reclassification_date <= year_end OR el_status = 'RFEP', FALSE)
               AS reclassified_by_year_end,
           enrollments, days_enrolled, days_absent, days_enrolled - days_absent AS days_attended,
           first_entry, last_day,
           coalesce(suspension_days, CAST(0 AS DECIMAL(9, 3))) AS suspension_days,
           coalesce(suspensions, 0) AS suspensions,
           coalesce(out_of_school_suspensions, 0) AS out_of_school_suspensions,
           coalesce(incidents, 0) AS incidents,
           ela_dfs, ela_level, ela_tested_grade, ela_test_date,
           math_dfs, math_level, math_tested_grade, math_test_date,
           {_included('ela')},
           {_included('math')},
           elpac_level, elpac_prior_level,
           __ELPI_COLUMNS__,
           coalesce(course_marks, 0) AS course_marks,
           coalesce(ela_marks, 0) AS ela_marks, coalesce(math_marks, 0) AS math_marks,
           coalesce(ela_marks, 0) > 0 AND coalesce(ela_below_c, 0) = 0
               AS ela_marks_c_or_better,
           coalesce(math_marks, 0) > 0 AND coalesce(math_below_c, 0) = 0
               AS math_marks_c_or_better,
           coalesce(credits_earned, CAST(0 AS DECIMAL(9, 2))) AS credits_earned,
           coalesce(core_semester_fs, 0) AS core_semester_fs,
           coalesce(ag_semesters_cumulative, 0) AS ag_semesters_cumulative,
           coalesce(ag_history_complete, FALSE) AS ag_history_complete,
           {participation_columns('ela')},
           {participation_columns('math')}
    FROM student_year_scored
    LEFT JOIN caa_taken ON caa_year = school_year AND caa_student = student_id
)
"""

COHORT_CTES = f"""
cohort_rows AS (
    SELECT c.cohort_year AS school_year, x.entity_type, x.entity_id, c.student_id,
           c.outcome, c.ag_complete, c.seal_of_biliteracy, c.cci_prepared,
           TRUE AS in_cohort, FALSE AS fifth_year_grad, c.cohort_year
    FROM t_graduation_cohorts c JOIN school_entities x ON x.school_id = c.school_id
    UNION ALL
    SELECT c.cohort_year + 1, x.entity_type, x.entity_id, c.student_id,
           c.outcome, c.ag_complete, c.seal_of_biliteracy, c.cci_prepared,
           FALSE, TRUE, c.cohort_year
    FROM t_graduation_cohorts c JOIN school_entities x ON x.school_id = c.school_id
    WHERE c.outcome = 'GRAD_5YR'
),
district_status AS (
    -- the student's status in a year, as at the district in student_year
    SELECT s.school_year, s.student_id, s.latest.grade AS grade,
           s.latest.el_status AS el_status,
           {_el_flags("s.latest.el_status", "s.school_year", "st.", "y.")},
           s.sed, s.frpm, s.swd, s.foster, s.homeless, s.migrant, s.dual_language
    FROM student_status s
    JOIN years y ON y.school_year = s.school_year
    JOIN t_students st ON st.student_id = s.student_id
),
cohort_status AS (
    SELECT * FROM (
        SELECT c.student_id, c.cohort_year, s.grade, s.el_status, s.el, s.el_academic, s.ltel,
               s.sed, s.frpm, s.swd, s.foster, s.homeless, s.migrant, s.dual_language,
               row_number() OVER (PARTITION BY c.student_id, c.cohort_year
                                  ORDER BY s.school_year DESC) AS pick
        FROM (SELECT DISTINCT student_id, cohort_year FROM t_graduation_cohorts) c
        JOIN district_status s
          ON s.student_id = c.student_id AND s.school_year <= c.cohort_year
    ) WHERE pick = 1
),
cohort AS (
    SELECT r.school_year, r.entity_type, r.entity_id, r.student_id,
           st.race_ethnicity, st.gender, cs.grade, cs.el_status,
           coalesce(cs.el, FALSE) AS el, coalesce(cs.el_academic, FALSE) AS el_academic,
           coalesce(cs.el, FALSE) AS elpi_el,
           coalesce(cs.ltel, FALSE) AS ltel, coalesce(cs.sed, FALSE) AS sed,
           coalesce(cs.frpm, FALSE) AS frpm, coalesce(cs.swd, FALSE) AS swd,
           coalesce(cs.foster, FALSE) AS foster, coalesce(cs.homeless, FALSE) AS homeless,
           coalesce(cs.migrant, FALSE) AS migrant,
           coalesce(cs.dual_language, FALSE) AS dual_language,
           r.outcome, r.ag_complete, r.seal_of_biliteracy, r.cci_prepared,
           r.in_cohort, r.fifth_year_grad, r.cohort_year
    FROM cohort_rows r
    JOIN t_students st ON st.student_id = r.student_id
    LEFT JOIN cohort_status cs
      ON cs.student_id = r.student_id AND cs.cohort_year = r.cohort_year
)
"""


def _prelude(present: set[str], options: ViewOptions) -> list[str]:
    return [*table_ctes(present), _years_cte(options), SCHOOL_ENTITIES.strip(), STUDENT_STATUS]


def _student_year(options: ViewOptions) -> str:
    """The student-year CTEs with the ELPI reference filled in."""
    return (STUDENT_YEAR_CTES.strip().replace("__ELPAC_PICK__", elpac_pick_sql(options.elpi))
            .replace("__ELPI_COLUMNS__", elpi_columns(options.elpi)))


def student_year_ctes(present: set[str], options: ViewOptions) -> str:
    """``WITH ...`` ending with the CTE ``student_year``."""
    return "WITH " + ",\n".join([*_prelude(present, options), _student_year(options)])


def cohort_ctes(present: set[str], options: ViewOptions) -> str:
    """``WITH ...`` ending with the CTE ``cohort``."""
    return "WITH " + ",\n".join([*_prelude(present, options), COHORT_CTES.strip()])


def views_sql(present: set[str], options: ViewOptions) -> str:
    """``WITH ...`` defining both views in one statement (to check district SQL against)."""
    ctes = [*_prelude(present, options), _student_year(options), COHORT_CTES.strip()]
    return "WITH " + ",\n".join(ctes)
