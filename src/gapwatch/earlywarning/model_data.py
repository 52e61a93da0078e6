"""Training data for the early-warning model: measures of year t, outcomes observed later.

Features are the student's measures of year t (attendance, behavior, course performance: the
"ABC" of Balfanz, Herzog & Mac Iver 2007, Educational Psychologist 42(4):223-235), missing-value
indicators, grade (one column per grade) and SBAC ELA and math scale scores z-scored within
year, grade and subject. **Race/ethnicity, gender, home language and the program groups (SED,
EL, SWD, foster, homeless, and LTEL and years in US schools, which stand in for EL status) are
never features**: they are carried beside the matrix only for the fairness audit.

Outcomes (docs/early-warning-model.md):

- ``off_track_next_year``: in year t+1 the student is chronically absent (CDE: enrolled >= 31
  days, attended >= 1, absent >= 10% of the days enrolled, i.e. attendance <= 90%; METHODS.md
  §1.3), has a failing mark (F or NP) in an English (ELA) or math course, or has a suspension
  (in or out of school). Students not enrolled in t+1 are excluded.
- ``not_graduating_on_time``: grade 9-12 students of year t whose graduation cohort (expected
  year > t) has finished by the last year of data and whose outcome is not ``GRAD`` (4-year
  regular diploma). Students without a cohort record (moved away) are excluded.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from gapwatch.indicators.views import FAILING
from gapwatch.warehouse import Warehouse, session_config

OUTCOMES = ("off_track_next_year", "not_graduating_on_time")
#: Carried for the fairness audit, never used as features.
GROUP_COLUMNS = ("race_ethnicity", "gender", "sed", "el", "swd", "foster", "homeless")
#: Measures deliberately left out of the features (groups, or stand-ins for a group).
EXCLUDED = (*GROUP_COLUMNS, "home_language", "ltel", "years_in_us_schools", "school_id")
MEASURES = (
    "days_enrolled", "days_absent", "attendance_rate", "incidents", "suspensions",
    "suspension_days", "state_offense", "ela_grade_avg", "math_grade_avg", "ela_df_marks",
    "math_df_marks", "core_f_semesters", "credits_earned", "ag_semesters_c_or_better",
    "on_track_9", "ag_on_pace",
)
SCORES = ("sbac_ela_z", "sbac_math_z")
MISSING = ("attendance_rate", "ela_grade_avg", "math_grade_avg", "credits_earned",
           "on_track_9", "ag_on_pace", "sbac_ela_z", "sbac_math_z")
GRADES = tuple(range(-1, 13))
FEATURES: tuple[str, ...] = (
    *MEASURES, *SCORES, *(f"{c}_missing" for c in MISSING), *(f"grade_{g}" for g in GRADES))

_SBAC_SQL = """
WITH s AS (
  SELECT school_year, student_id, grade, subject, avg(scale_score) AS score FROM assessments
  WHERE test = 'SBAC' AND subject IN ('ELA', 'MATH') AND scale_score IS NOT NULL
    AND (administration IS NULL OR administration = 'SUMMATIVE') GROUP BY ALL),
z AS (
  SELECT *, (score - avg(score) OVER w) / nullif(stddev_samp(score) OVER w, 0) AS z FROM s
  WINDOW w AS (PARTITION BY school_year, grade, subject))
SELECT school_year, student_id, max(z) FILTER (WHERE subject = 'ELA') AS sbac_ela_z,
       max(z) FILTER (WHERE subject = 'MATH') AS sbac_math_z
FROM z GROUP BY ALL
"""
_F_SQL = f"""
SELECT DISTINCT school_year, student_id, TRUE AS f_mark FROM course_marks
WHERE mark IN {FAILING!r} AND subject_area IN ('ELA', 'MATH')
"""


@dataclass
class Dataset:
    """Rows of one outcome: feature matrix, outcome, split key, ids and audit-only groups."""

    X: np.ndarray
    y: np.ndarray | None
    cohort: np.ndarray  # the split key: year t, or the graduation cohort year
    ids: pa.Table  # school_year, student_id, school_id, grade and GROUP_COLUMNS

    def take(self, mask: np.ndarray) -> Dataset:
        idx = np.flatnonzero(mask)
        return Dataset(self.X[idx], None if self.y is None else self.y[idx], self.cohort[idx],
                       self.ids.take(pa.array(idx)))


def load_measures(con: duckdb.DuckDBPyConnection, measures: pa.Table | None = None) -> pa.Table:
    """All years of ``student_measures`` (or the table given) with the SBAC z-scores joined."""
    if measures is None:
        from gapwatch.earlywarning.measures import student_measures
        measures = student_measures(con)
    measures = measures.drop_columns([c for c in SCORES if c in measures.column_names])
    local = duckdb.connect(config=session_config())
    local.register("m", measures)
    if Warehouse(con).has("assessments"):
        local.register("z", con.sql(_SBAC_SQL).to_arrow_table())
        sql = ("SELECT m.*, z.sbac_ela_z, z.sbac_math_z FROM m "
               "LEFT JOIN z USING (school_year, student_id)")
    else:
        sql = "SELECT *, NULL::DOUBLE AS sbac_ela_z, NULL::DOUBLE AS sbac_math_z FROM m"
    out = local.sql(sql + " ORDER BY school_year, student_id").to_arrow_table()
    local.close()
    return out


def feature_matrix(table: pa.Table) -> np.ndarray:
    """The :data:`FEATURES` columns of a measures table as floats (NaN where missing)."""
    n = table.num_rows
    cols = {}
    for name in (*MEASURES, *SCORES):
        cols[name] = np.asarray(table[name].cast(pa.float64()).to_numpy(zero_copy_only=False),
                                dtype=np.float64)
    for name in MISSING:
        cols[f"{name}_missing"] = np.isnan(cols[name]).astype(np.float64)
    grade = np.asarray(table["grade"].cast(pa.float64()).to_numpy(zero_copy_only=False))
    for g in GRADES:
        cols[f"grade_{g}"] = (grade == g).astype(np.float64)
    return np.column_stack([cols[f] for f in FEATURES]) if n else np.empty((0, len(FEATURES)))


def _ids(table: pa.Table) -> pa.Table:
    return table.select(["school_year", "student_id", "school_id", "grade", *GROUP_COLUMNS])


def _off_track(con: duckdb.DuckDBPyConnection, m: pa.Table) -> tuple[pa.Table, np.ndarray]:
    """Rows of year t with year t+1 enrolled, and the off-track outcome of t+1."""
    local = duckdb.connect(config=session_config())
    local.register("m", m)
    if Warehouse(con).has("course_marks"):
        local.register("f", con.sql(_F_SQL).to_arrow_table())
    else:
        local.sql("CREATE TEMP TABLE f AS SELECT NULL::SMALLINT AS school_year, "
                  "NULL::VARCHAR AS student_id, NULL::BOOLEAN AS f_mark WHERE FALSE")
    rows = local.sql("""
        SELECT t.*, coalesce(nx.days_enrolled >= 31 AND nx.days_absent < nx.days_enrolled
                             AND nx.days_absent * 10 >= nx.days_enrolled, FALSE)
               OR coalesce(f.f_mark, FALSE) OR coalesce(nx.suspensions, 0) > 0 AS outcome
        FROM m AS t JOIN m AS nx ON nx.student_id = t.student_id
             AND nx.school_year = t.school_year + 1
        LEFT JOIN f ON f.student_id = nx.student_id AND f.school_year = nx.school_year
        ORDER BY t.school_year, t.student_id""").to_arrow_table()
    local.close()
    return rows, rows["school_year"].to_numpy().astype(np.int64)


def _not_graduating(con: duckdb.DuckDBPyConnection, m: pa.Table) -> tuple[pa.Table, np.ndarray]:
    """Grade 9-12 rows of year t < cohort year, for cohorts finished by the last year of data."""
    if not Warehouse(con).has("graduation_cohorts"):
        raise ValueError("not_graduating_on_time needs the graduation_cohorts table")
    local = duckdb.connect(config=session_config())
    local.register("m", m)
    local.register("g", con.sql("SELECT student_id, max(cohort_year) AS cohort_year, "
                                "bool_and(outcome <> 'GRAD') AS outcome FROM graduation_cohorts "
                                "GROUP BY student_id").to_arrow_table())
    rows = local.sql("""
        SELECT m.*, g.outcome, g.cohort_year FROM m JOIN g USING (student_id)
        WHERE m.grade BETWEEN 9 AND 12 AND m.school_year < g.cohort_year
          AND g.cohort_year <= (SELECT max(school_year) FROM m)
        ORDER BY m.school_year, m.student_id""").to_arrow_table()
    local.close()
    return rows, rows["cohort_year"].to_numpy().astype(np.int64)


def training_data(con: duckdb.DuckDBPyConnection, outcome: str,
                  measures: pa.Table) -> Dataset:
    """Every row with a known ``outcome``; ``measures`` from :func:`load_measures`."""
    if outcome == "off_track_next_year":
        rows, cohort = _off_track(con, measures)
    elif outcome == "not_graduating_on_time":
        rows, cohort = _not_graduating(con, measures)
    else:
        raise ValueError(f"unknown outcome {outcome!r}; choose one of {', '.join(OUTCOMES)}")
    y = rows["outcome"].to_numpy(zero_copy_only=False).astype(np.int8)
    return Dataset(feature_matrix(rows), y, cohort, _ids(rows))


def scoring_data(measures: pa.Table, school_year: int, outcome: str) -> Dataset:
    """Students of ``school_year`` (grade 9-12 only for the graduation outcome), no outcome."""
    year = np.asarray(measures["school_year"].to_numpy(zero_copy_only=False))
    keep = year == school_year
    if outcome == "not_graduating_on_time":
        grade = np.asarray(measures["grade"].cast(pa.float64()).to_numpy(zero_copy_only=False))
        keep &= (grade >= 9) & (grade <= 12)
    rows = measures.filter(pa.array(keep))
    return Dataset(feature_matrix(rows), None, np.full(rows.num_rows, school_year), _ids(rows))


def rule_scores(con: duckdb.DuckDBPyConnection, ids: pa.Table,
                flags: pa.Table | None = None) -> np.ndarray:
    """Rules-only score per row of ``ids``: 2 x at-risk flags + early-warning flags of its year.

    ``flags`` (the ``student_flags`` layout, every year needed) is ``student_flags(con, None)``
    when not given.
    """
    if flags is None:
        from gapwatch.earlywarning.flags import student_flags
        flags = student_flags(con, None)
    local = duckdb.connect(config=session_config())
    keys = ids.select(["school_year", "student_id"])
    local.register("ids", keys.append_column("i", pa.array(np.arange(keys.num_rows))))
    local.register("fl", flags.select(["school_year", "student_id", "level"]))
    out = local.sql("""
        WITH s AS (SELECT school_year, student_id,
            sum(CASE level WHEN 'at_risk' THEN 2 WHEN 'early_warning' THEN 1 ELSE 0 END) AS s
            FROM fl GROUP BY ALL)
        SELECT coalesce(s.s, 0)::DOUBLE AS s FROM ids
        LEFT JOIN s USING (school_year, student_id) ORDER BY ids.i""").fetchall()
    local.close()
    return np.array([r[0] for r in out], dtype=np.float64)
