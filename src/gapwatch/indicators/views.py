"""The two documented views every indicator reads, as SQL over the warehouse's contract tables.

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
from dataclasses import dataclass
from datetime import date, timedelta

from gapwatch.contract import TABLES_BY_NAME
from gapwatch.sql import quote_ident

#: Smarter Balanced threshold scale scores (lowest score of Levels 2, 3, 4), approved November
#: 2014 (cde.ca.gov/ta/tg/ca/sbelathresholdscre.asp, sbmaththresholdscre.asp; METHODS.md 1.2).
SBAC_THRESHOLDS: dict[tuple[str, int], tuple[int, int, int]] = {
    ("ELA", 3): (2367, 2432, 2490), ("MATH", 3): (2381, 2436, 2501),
    ("ELA", 4): (2416, 2473, 2533), ("MATH", 4): (2411, 2485, 2549),
    ("ELA", 5): (2442, 2502, 2582), ("MATH", 5): (2455, 2528, 2579),
    ("ELA", 6): (2457, 2531, 2618), ("MATH", 6): (2473, 2552, 2610),
    ("ELA", 7): (2479, 2552, 2649), ("MATH", 7): (2484, 2567, 2635),
    ("ELA", 8): (2487, 2567, 2668), ("MATH", 8): (2504, 2586, 2653),
    ("ELA", 11): (2493, 2583, 2682), ("MATH", 11): (2543, 2628, 2718),
}

C_OR_BETTER = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "P")
FAILING = ("F", "NP")
CORE_AREAS = ("ELA", "MATH", "SCI", "SOC")


def census_day(school_year: int) -> date:
    """First Wednesday in October of the fall of ``school_year`` (CALPADS census day)."""
    first = date(school_year - 1, 10, 1)
    return first + timedelta(days=(2 - first.weekday()) % 7)


@dataclass(frozen=True)
class ViewOptions:
    """Settings the views depend on (from the config file)."""

    years: tuple[int, ...]


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
        (y, date(y - 1, 7, 1), date(y, 6, 30), census_day(y), date(y, 5, 1))
        for y in options.years
    ]
    if not rows:
        rows = [(0, date(1990, 7, 1), date(1991, 6, 30), date(1990, 10, 3), date(1991, 5, 1))]
    cols = ["school_year", "year_start", "year_end", "census_day", "default_test_day"]
    return f"years AS {_values(rows, cols)}"


def _thresholds_cte() -> str:
    rows = [(s, g, *cuts) for (s, g), cuts in SBAC_THRESHOLDS.items()]
    return f"sbac_cuts AS {_values(rows, ['subject', 'grade', 'l2', 'l3', 'l4'])}"


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(rows_fmt(v) for v in values) + ")"


def _included(s: str) -> str:
    """Counts for the Academic Indicator in subject ``s`` (ela/math): tested in grades 3-8 or
    11, enrolled at the entity from census day to the test, not an EL new to US schools."""
    test_day = f"coalesce(s.{s}_test_date, y.default_test_day)"
    return f"""coalesce(s.{s}_dfs IS NOT NULL
               AND (s.{s}_tested_grade BETWEEN 3 AND 8 OR s.{s}_tested_grade = 11)
               AND se.first_entry <= y.census_day
               AND se.last_day >= {test_day}
               AND NOT coalesce(l.el_status = 'EL'
                   AND st.us_school_entry_date > {test_day} - INTERVAL 1 YEAR, FALSE),
               FALSE) AS {s}_included"""


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
           coalesce(e.exit_date, y.year_end) AS last_day
    FROM t_enrollments e
    JOIN years y ON y.school_year = e.school_year
    LEFT JOIN attendance_days a
      ON a.student_id = e.student_id AND a.school_id = e.school_id
     AND a.school_year = e.school_year
),
enr_entity AS (
    SELECT e.*, x.entity_type, x.entity_id
    FROM enr e JOIN school_entities x ON x.school_id = e.school_id
),
se AS (
    SELECT school_year, entity_type, entity_id, student_id,
           count(*) AS enrollments,
           CASE WHEN count(d_enrolled) = count(*) THEN sum(d_enrolled) END AS days_enrolled,
           CASE WHEN count(d_absent) = count(*) THEN sum(d_absent) END AS days_absent,
           min(entry_date) AS first_entry, max(last_day) AS last_day,
           bool_or(coalesce(sed, FALSE)) AS sed,
           bool_or(coalesce(frpm, FALSE)) AS frpm,
           bool_or(coalesce(swd, FALSE)) AS swd,
           bool_or(coalesce(foster, FALSE)) AS foster,
           bool_or(coalesce(homeless, FALSE)) AS homeless,
           bool_or(coalesce(migrant, FALSE)) AS migrant,
           -- the latest enrollment (by entry date, then school id) gives grade and EL status
           arg_max({{'grade': grade, 'el_status': el_status}},
                   {{'entry_date': entry_date, 'school_id': school_id}}) AS latest
    FROM enr_entity GROUP BY school_year, entity_type, entity_id, student_id
),
se_latest AS (
    SELECT school_year, entity_type, entity_id, student_id, latest.grade AS grade,
           latest.el_status AS el_status
    FROM se
),
discipline_entity AS (
    SELECT d.school_year, x.entity_type, x.entity_id, d.student_id,
           sum(CASE WHEN d.action IN ('OSS', 'ISS') THEN CAST(d.days AS DECIMAL(9, 3))
                    ELSE CAST(0 AS DECIMAL(9, 3)) END) AS suspension_days,
           count(*) FILTER (WHERE d.action IN ('OSS', 'ISS')) AS suspensions,
           count(*) FILTER (WHERE d.action = 'OSS') AS out_of_school_suspensions,
           count(*) AS incidents
    FROM t_discipline d JOIN school_entities x ON x.school_id = d.school_id
    GROUP BY d.school_year, x.entity_type, x.entity_id, d.student_id
),
sbac_school AS (
    -- the latest summative score per student, subject and school (ties: higher score)
    SELECT school_year, school_id, student_id, subject,
           arg_max({{'grade': grade, 'scale_score': scale_score,
                     'performance_level': performance_level, 'test_date': test_date}},
                   {{'day': coalesce(test_date, DATE '1900-01-01'), 'score': scale_score,
                     'grade': coalesce(grade, -9), 'level': coalesce(performance_level, 0)}})
               AS pick,
           max({{'day': coalesce(test_date, DATE '1900-01-01'), 'score': scale_score,
                 'grade': coalesce(grade, -9), 'level': coalesce(performance_level, 0)}})
               AS rank
    FROM t_assessments
    WHERE test = 'SBAC' AND subject IN ('ELA', 'MATH')
      AND coalesce(administration, 'SUMMATIVE') = 'SUMMATIVE' AND scale_score IS NOT NULL
    GROUP BY school_year, school_id, student_id, subject
),
sbac_entity AS (
    SELECT school_year, entity_type, entity_id, student_id, subject,
           pick.grade AS grade, pick.scale_score AS scale_score,
           pick.performance_level AS performance_level, pick.test_date AS test_date
    FROM (
        SELECT b.school_year, x.entity_type, x.entity_id, b.student_id, b.subject,
               arg_max(b.pick, b.rank) AS pick
        FROM sbac_school b JOIN school_entities x ON x.school_id = b.school_id
        GROUP BY b.school_year, x.entity_type, x.entity_id, b.student_id, b.subject
    )
),
sbac_scored AS (
    SELECT s.*, c.l3,
           s.scale_score - c.l3 AS dfs,
           coalesce(s.performance_level,
                    CASE WHEN s.scale_score >= c.l4 THEN 4 WHEN s.scale_score >= c.l3 THEN 3
                         WHEN s.scale_score >= c.l2 THEN 2 ELSE 1 END) AS level
    FROM sbac_entity s
    JOIN sbac_cuts c ON c.subject = s.subject AND c.grade = s.grade
),
sbac_wide AS (
    SELECT school_year, entity_type, entity_id, student_id,
           max(CASE WHEN subject = 'ELA' THEN dfs END) AS ela_dfs,
           max(CASE WHEN subject = 'ELA' THEN level END) AS ela_level,
           max(CASE WHEN subject = 'ELA' THEN grade END) AS ela_tested_grade,
           max(CASE WHEN subject = 'ELA' THEN test_date END) AS ela_test_date,
           max(CASE WHEN subject = 'MATH' THEN dfs END) AS math_dfs,
           max(CASE WHEN subject = 'MATH' THEN level END) AS math_level,
           max(CASE WHEN subject = 'MATH' THEN grade END) AS math_tested_grade,
           max(CASE WHEN subject = 'MATH' THEN test_date END) AS math_test_date
    FROM sbac_scored GROUP BY school_year, entity_type, entity_id, student_id
),
elpac_pick AS (
    SELECT * FROM (
        SELECT a.school_year, a.school_id, a.student_id, a.performance_level,
               row_number() OVER (
                   PARTITION BY a.school_year, a.student_id
                   ORDER BY a.test_date DESC NULLS LAST, a.scale_score DESC,
                            a.school_id DESC) AS pick
        FROM t_assessments a
        WHERE a.test = 'ELPAC' AND a.subject = 'ELP'
          AND coalesce(a.administration, 'SUMMATIVE') = 'SUMMATIVE'
    ) WHERE pick = 1
),
elpac_entity AS (
    SELECT p.school_year, x.entity_type, x.entity_id, p.student_id,
           p.performance_level AS elpac_level, prior.performance_level AS elpac_prior_level
    FROM elpac_pick p
    JOIN school_entities x ON x.school_id = p.school_id
    LEFT JOIN elpac_pick prior
      ON prior.student_id = p.student_id AND prior.school_year = p.school_year - 1
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
marks_entity AS (
    SELECT m.school_year, x.entity_type, x.entity_id, m.student_id,
           sum(m.course_marks) AS course_marks,
           sum(m.ela_marks) AS ela_marks, sum(m.math_marks) AS math_marks,
           sum(m.ela_marks) > 0 AND sum(m.ela_below_c) = 0 AS ela_marks_c_or_better,
           sum(m.math_marks) > 0 AND sum(m.math_below_c) = 0 AS math_marks_c_or_better,
           sum(m.credits_earned) AS credits_earned,
           sum(m.core_semester_fs) AS core_semester_fs
    FROM marks_school m JOIN school_entities x ON x.school_id = m.school_id
    GROUP BY m.school_year, x.entity_type, x.entity_id, m.student_id
),
ag_year AS (
    SELECT student_id, school_year,
           sum(CASE WHEN ag_area IS NOT NULL AND mark IN {_in(C_OR_BETTER)}
                    THEN CASE WHEN term = 'FY' THEN 2 ELSE 1 END ELSE 0 END) AS ag_semesters
    FROM t_course_marks GROUP BY student_id, school_year
),
marks_first AS (SELECT min(school_year) AS first_year FROM t_course_marks),
student_years AS (SELECT DISTINCT student_id, school_year FROM t_enrollments),
ag_cumulative AS (
    SELECT y.student_id, y.school_year, sum(a.ag_semesters) AS ag_semesters_cumulative
    FROM student_years y
    JOIN ag_year a ON a.student_id = y.student_id AND a.school_year <= y.school_year
    GROUP BY y.student_id, y.school_year
),
district_grades AS (
    SELECT student_id, school_year, grade FROM se_latest WHERE entity_type = 'district'
),
hs_start AS (
    SELECT student_id, min(school_year) AS first_hs_year,
           arg_min(grade, school_year) AS first_hs_grade
    FROM district_grades WHERE grade >= 9 GROUP BY student_id
),
hs_history AS (
    SELECT g.student_id, g.school_year,
           h.first_hs_grade = 9 AND h.first_hs_year >= f.first_year
           AND count(*) OVER (PARTITION BY g.student_id ORDER BY g.school_year
                              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
               = g.school_year - h.first_hs_year + 1 AS ag_history_complete
    FROM district_grades g
    JOIN hs_start h ON h.student_id = g.student_id
    CROSS JOIN marks_first f
    WHERE g.school_year >= h.first_hs_year
),
student_year AS (
    SELECT se.school_year, se.entity_type, se.entity_id, se.student_id,
           l.grade, st.race_ethnicity, st.gender, l.el_status,
           coalesce(l.el_status = 'EL', FALSE) AS el,
           coalesce(l.el_status = 'EL' OR (l.el_status = 'RFEP'
               AND st.reclassification_date > y.year_start - INTERVAL 4 YEAR), FALSE)
               AS el_academic,
           coalesce(l.el_status = 'EL' AND se.school_year - (year(st.us_school_entry_date)
               + CASE WHEN month(st.us_school_entry_date) >= 7 THEN 1 ELSE 0 END) >= 6, FALSE)
               AS ltel,
           se.sed, se.frpm, se.swd, se.foster, se.homeless, se.migrant,
           st.us_school_entry_date, st.reclassification_date,
           year(st.us_school_entry_date)
               + CASE WHEN month(st.us_school_entry_date) >= 7 THEN 1 ELSE 0 END
               AS us_entry_school_year,
           coalesce(st.reclassification_date <= y.year_end OR l.el_status = 'RFEP', FALSE)
               AS reclassified_by_year_end,
           se.enrollments, se.days_enrolled, se.days_absent,
           se.days_enrolled - se.days_absent AS days_attended,
           se.first_entry, se.last_day,
           coalesce(d.suspension_days, CAST(0 AS DECIMAL(9, 3))) AS suspension_days,
           coalesce(d.suspensions, 0) AS suspensions,
           coalesce(d.out_of_school_suspensions, 0) AS out_of_school_suspensions,
           coalesce(d.incidents, 0) AS incidents,
           s.ela_dfs, s.ela_level, s.ela_tested_grade, s.math_dfs, s.math_level,
           s.math_tested_grade,
           {_included('ela')},
           {_included('math')},
           p.elpac_level, p.elpac_prior_level,
           coalesce(m.course_marks, 0) AS course_marks,
           coalesce(m.ela_marks, 0) AS ela_marks, coalesce(m.math_marks, 0) AS math_marks,
           coalesce(m.ela_marks_c_or_better, FALSE) AS ela_marks_c_or_better,
           coalesce(m.math_marks_c_or_better, FALSE) AS math_marks_c_or_better,
           coalesce(m.credits_earned, CAST(0 AS DECIMAL(9, 2))) AS credits_earned,
           coalesce(m.core_semester_fs, 0) AS core_semester_fs,
           coalesce(ag.ag_semesters_cumulative, 0) AS ag_semesters_cumulative,
           coalesce(h.ag_history_complete, FALSE) AS ag_history_complete
    FROM se
    JOIN se_latest l USING (school_year, entity_type, entity_id, student_id)
    JOIN years y ON y.school_year = se.school_year
    JOIN t_students st ON st.student_id = se.student_id
    LEFT JOIN discipline_entity d USING (school_year, entity_type, entity_id, student_id)
    LEFT JOIN sbac_wide s USING (school_year, entity_type, entity_id, student_id)
    LEFT JOIN elpac_entity p USING (school_year, entity_type, entity_id, student_id)
    LEFT JOIN marks_entity m USING (school_year, entity_type, entity_id, student_id)
    LEFT JOIN ag_cumulative ag
      ON ag.student_id = se.student_id AND ag.school_year = se.school_year
    LEFT JOIN hs_history h ON h.student_id = se.student_id AND h.school_year = se.school_year
)
"""

#: The cohort view reads ``student_year`` (materialized first, or the CTE above).
COHORT_CTES = """
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
    SELECT * FROM student_year WHERE entity_type = 'district'
),
cohort_status AS (
    SELECT * FROM (
        SELECT c.student_id, c.cohort_year, s.grade, s.el_status, s.el, s.el_academic, s.ltel,
               s.sed, s.frpm, s.swd, s.foster, s.homeless, s.migrant,
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
           coalesce(cs.ltel, FALSE) AS ltel, coalesce(cs.sed, FALSE) AS sed,
           coalesce(cs.frpm, FALSE) AS frpm, coalesce(cs.swd, FALSE) AS swd,
           coalesce(cs.foster, FALSE) AS foster, coalesce(cs.homeless, FALSE) AS homeless,
           coalesce(cs.migrant, FALSE) AS migrant,
           r.outcome, r.ag_complete, r.seal_of_biliteracy, r.cci_prepared,
           r.in_cohort, r.fifth_year_grad, r.cohort_year
    FROM cohort_rows r
    JOIN t_students st ON st.student_id = r.student_id
    LEFT JOIN cohort_status cs
      ON cs.student_id = r.student_id AND cs.cohort_year = r.cohort_year
)
"""


def _prelude(present: set[str], options: ViewOptions) -> list[str]:
    return [*table_ctes(present), _years_cte(options), _thresholds_cte(), SCHOOL_ENTITIES.strip()]


def student_year_sql(present: set[str], options: ViewOptions) -> str:
    """A query for the rows of the ``student_year`` view."""
    ctes = [*_prelude(present, options), STUDENT_YEAR_CTES.strip()]
    return "WITH " + ",\n".join(ctes) + "\nSELECT * FROM student_year"


def cohort_sql(present: set[str], options: ViewOptions) -> str:
    """A query for the rows of the ``cohort`` view; reads a materialized ``student_year``."""
    ctes = [*_prelude(present, options), COHORT_CTES.strip()]
    return "WITH " + ",\n".join(ctes) + "\nSELECT * FROM cohort"


def views_sql(present: set[str], options: ViewOptions) -> str:
    """``WITH ...`` defining both views in one statement (to check district SQL against)."""
    ctes = [*_prelude(present, options), STUDENT_YEAR_CTES.strip(), COHORT_CTES.strip()]
    return "WITH " + ",\n".join(ctes)


#: Columns of the student-year view, documented for districts writing their own indicators.
STUDENT_YEAR_COLUMNS: dict[str, str] = {
    "school_year": "school year (spring year)",
    "entity_type": "`district`, `board_district` or `school`",
    "entity_id": "district, board district or school identifier",
    "student_id": "student identifier",
    "grade": "grade (-1 TK, 0 K, 1-12; NULL ungraded) of the latest enrollment",
    "race_ethnicity": "race/ethnicity code",
    "gender": "gender code",
    "el_status": "English language status of the latest enrollment",
    "el": "current English learner",
    "el_academic": "English learner, or RFEP with a reclassification date after the day four "
    "years before the school year began (CDE: reclassified within the past four years)",
    "ltel": "English learner in at least the sixth school year since first enrolling in a US "
    "school (school year minus the school year of first US enrollment >= 6)",
    "sed, frpm, swd, foster, homeless, migrant": "status flags (true if true on any "
    "enrollment of the year at the entity)",
    "us_school_entry_date": "first enrollment in a US school",
    "reclassification_date": "date reclassified fluent English proficient",
    "us_entry_school_year": "school year of first US enrollment",
    "reclassified_by_year_end": "reclassified by June 30 of the year (or RFEP)",
    "enrollments": "enrollment rows at the entity this year",
    "days_enrolled, days_absent, days_attended": "instructional days, added up over the "
    "entity's enrollments (from attendance_daily when given); NULL if any is unknown",
    "first_entry, last_day": "first entry date and last day enrolled at the entity",
    "suspension_days": "days of in- and out-of-school suspension at the entity (exact decimal)",
    "suspensions, out_of_school_suspensions, incidents": "counts of incidents",
    "ela_dfs, math_dfs": "scale score minus the Level 3 threshold for the tested grade",
    "ela_level, math_level": "achievement level 1-4 (given, or from the thresholds)",
    "ela_tested_grade, math_tested_grade": "grade when tested",
    "ela_included, math_included": "counts for the Academic Indicator (grades 3-8 and 11, "
    "continuously enrolled, not an English learner in US schools under a year)",
    "elpac_level, elpac_prior_level": "summative ELPAC level this year, at the entity where "
    "the student took it, and last year's (wherever taken)",
    "course_marks, ela_marks, math_marks": "marks this year at the entity",
    "ela_marks_c_or_better, math_marks_c_or_better": "every English / math mark C or better",
    "credits_earned": "credits earned this year at the entity",
    "core_semester_fs": "semester Fs in English, math, science, social studies",
    "ag_semesters_cumulative": "a-g semesters passed with C or better, all years so far",
    "ag_history_complete": "the student's first high school year in the warehouse was grade 9, "
    "inside the years with course marks, and every year since is in the warehouse",
}

COHORT_COLUMNS: dict[str, str] = {
    "school_year": "cohort year (for fifth-year graduates, the year after)",
    "entity_type, entity_id": "the accountable school, its board district, the district",
    "race_ethnicity, gender, grade, el_status, el, el_academic, ltel, sed, frpm, swd, foster, "
    "homeless, migrant": "status from the student's latest enrollment year up to the cohort "
    "year",
    "outcome": "cohort outcome code",
    "ag_complete, seal_of_biliteracy, cci_prepared": "as given in graduation_cohorts",
    "in_cohort": "member of this year's four-year cohort",
    "fifth_year_grad": "fifth-year graduate of the previous year's cohort",
    "cohort_year": "the student's cohort year",
}
