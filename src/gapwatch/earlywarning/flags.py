"""Rule-based early-warning flags: one row per flag a student raises in a school year.

The ABC indicators (attendance, behavior, course performance; Balfanz, Herzog & Mac Iver 2007,
Educational Psychologist 42(4)) with the Ed-Fi Analytics Middle Tier thresholds (Ed-Fi
Alliance, docs/early-warning-system.md), plus the pipeline milestones of METHODS.md section 5
(Chicago freshman on-track, Allensworth & Easton 2005; UC/CSU a-g pace) and long-term English
learners (California EC 313.1). D/F-mark levels are gapwatch's choice. Each flag carries
the measured value, the threshold, a plain-English reason and its source. A student gets at
most one flag per measure (the more severe): attendance, incidents, and per subject the grade
average and the D/F marks. Definitions and deviations: docs/early-warning.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import duckdb
import pyarrow as pa

from gapwatch.config import Config
from gapwatch.earlywarning.measures import (
    AG_PACE,
    STATE_OFFENSE_PATTERN,
    UNITS_PER_YEAR_COURSE,
    measure_years,
    measures_sql,
)
from gapwatch.warehouse import contract_tables, session_config

AT_RISK, EARLY_WARNING = "at_risk", "early_warning"
ED_FI = "Ed-Fi Analytics Middle Tier"
BALFANZ = "Balfanz ABC indicators (gapwatch thresholds)"
CHICAGO = "Chicago freshman on-track"
AG = "UC/CSU a-g"
LTEL = "California EC 313.1"
FLAG_COLUMNS = pa.schema([
    ("school_year", pa.int16()), ("student_id", pa.string()), ("school_id", pa.string()),
    ("grade", pa.int8()), ("domain", pa.string()), ("flag", pa.string()),
    ("level", pa.string()), ("value", pa.float64()), ("threshold", pa.float64()),
    ("reason", pa.string()), ("source", pa.string()),
])


@dataclass(frozen=True)
class Thresholds:
    """Cut points of the flags. Defaults are the published ones (docs/early-warning.md); a
    district changes them with ``early_warning.<field>`` settings, except the two
    ``indicators.*`` settings shared with the indicators."""

    #: attendance rate (% of days enrolled attended) below which: Ed-Fi AMT 80 / 88
    attendance_at_risk: float = 80.0
    attendance_early_warning: float = 88.0
    #: English / math grade average (0-100) below which: Ed-Fi AMT 65 / 72
    grade_average_at_risk: float = 65.0
    grade_average_early_warning: float = 72.0
    #: discipline incidents in the year, at or above which: Ed-Fi AMT docs 5 / 2 (its sample
    #: SQL uses ``>``: set 6 / 3 to match it)
    incidents_at_risk: int = 5
    incidents_early_warning: int = 2
    #: RE2 pattern of offense codes that are state offenses (any one: at risk, Ed-Fi AMT)
    state_offense_pattern: str = STATE_OFFENSE_PATTERN
    #: lowest grade flagged as a long-term English learner (EC 313.1: grades 6-12)
    ltel_min_grade: int = 6
    #: flag ids not to raise
    disabled: tuple[str, ...] = ()
    #: config ``indicators.units_per_year_course`` (Chicago on-track: 5 year-long courses)
    units_per_year_course: float = UNITS_PER_YEAR_COURSE
    #: config ``indicators.ag_pace_semesters_per_year``
    ag_pace_semesters_per_year: float = AG_PACE

    @classmethod
    def from_config(cls, config: Config) -> Thresholds:
        """Thresholds from ``early_warning.<field>`` settings (defaults where absent)."""
        shared = {"units_per_year_course", "ag_pace_semesters_per_year"}
        values = {f.name: config.values.get(f"early_warning.{f.name}", f.default)
                  for f in fields(cls) if f.name not in shared}
        values["disabled"] = tuple(values["disabled"])
        values.update({name: config.values.get(f"indicators.{name}", getattr(cls, name))
                       for name in shared})
        return cls(**values)


@dataclass(frozen=True)
class Rule:
    """One flag: SQL over the measures (condition, value, threshold, reason)."""

    domain: str
    flag: str
    level: str
    when: str
    value: str
    threshold: float | str
    reason: str
    source: str


def _num(x: float) -> str:
    """A threshold as written: 80.0 -> '80', 7.5 -> '7.5'."""
    return f"{x:g}"


def _shown(expr: str) -> str:
    """SQL: a rate or average with one decimal, cut (not rounded) so that 79.96 shows as 79.9
    and a number below a threshold never reads as the threshold."""
    return f"printf('%.1f', floor(round({expr} * 10, 6)) / 10)"


def _count(expr: str) -> str:
    return f"printf('%g', CAST({expr} AS DOUBLE))"


def _plural(expr: str, word: str) -> str:
    return f"CASE WHEN {expr} = 1 THEN '{word}' ELSE '{word}s' END"


def _text(*parts: str) -> str:
    """SQL concatenation of literal text (plain strings) and SQL (wrapped in ``{}``)."""
    out = []
    for p in parts:
        if p.startswith("{") and p.endswith("}"):
            out.append(p[1:-1])
        else:
            out.append("'" + p.replace("'", "''") + "'")
    return " || ".join(out)


YEAR = "{printf('%d-%02d', school_year - 1, school_year % 100)}"


def _attendance(t: Thresholds) -> list[Rule]:
    rate, days = "attendance_rate", "{" + _count("days_enrolled") + "}"
    said = ("Attended ", "{" + _shown(rate) + "}", "% of the ", days, " days enrolled in ", YEAR)
    return [
        Rule("attendance", "attendance_at_risk", AT_RISK, f"{rate} < {t.attendance_at_risk}",
             rate, t.attendance_at_risk,
             _text(*said, f" (at risk below {_num(t.attendance_at_risk)}%)."), ED_FI),
        Rule("attendance", "attendance_early_warning", EARLY_WARNING,
             f"{rate} < {t.attendance_early_warning} AND {rate} >= {t.attendance_at_risk}",
             rate, t.attendance_early_warning,
             _text(*said, f" (early warning below {_num(t.attendance_early_warning)}%)."),
             ED_FI),
    ]


def _behavior(t: Thresholds) -> list[Rule]:
    n = "{" + _count("incidents") + "}"
    incidents = (n, " discipline ", "{" + _plural("incidents", "incident") + "}", " in ", YEAR)
    states = "{" + _count("state_offenses") + "}"
    return [
        Rule("behavior", "incidents_at_risk", AT_RISK, f"incidents >= {t.incidents_at_risk}",
             "incidents", t.incidents_at_risk,
             _text(*incidents, f" (at risk at {t.incidents_at_risk} or more)."), ED_FI),
        Rule("behavior", "incidents_early_warning", EARLY_WARNING,
             f"incidents >= {t.incidents_early_warning} AND incidents < {t.incidents_at_risk}",
             "incidents", t.incidents_early_warning,
             _text(*incidents, f" (early warning at {t.incidents_early_warning} or more)."),
             ED_FI),
        Rule("behavior", "state_offense", AT_RISK, "state_offense", "state_offenses", 1,
             _text(states, " ", "{" + _plural("state_offenses", "incident") + "}", " in ",
                   YEAR, " under a state offense code (", "{state_offense_codes}",
                   "); any state offense is at risk."), ED_FI),
    ]


def _subject(t: Thresholds, s: str, name: str) -> list[Rule]:
    avg, df, failing = f"{s}_grade_avg", f"{s}_df_marks", f"{s}_failing_marks"
    marks = f"{s}_letter_marks"
    said = (f"{name} marks in ", YEAR, " average ", "{" + _shown(avg) + "}",
            " on a 100-point scale (", "{" + _count(marks) + "}", " ",
            "{" + _plural(marks, "mark") + "}", "; ")
    at, ew = t.grade_average_at_risk, t.grade_average_early_warning
    return [
        Rule("course_performance", f"{s}_grade_at_risk", AT_RISK, f"{avg} < {at}", avg, at,
             _text(*said, f"at risk below {_num(at)})."), ED_FI),
        Rule("course_performance", f"{s}_grade_early_warning", EARLY_WARNING,
             f"{avg} < {ew} AND {avg} >= {at}", avg, ew,
             _text(*said, f"early warning below {_num(ew)})."), ED_FI),
        Rule("course_performance", f"{s}_failing_mark", AT_RISK, f"{failing} > 0", failing, 1,
             _text("{" + _count(failing) + "}", " failing ",
                   "{" + _plural(failing, "mark") + "}", f" (F or NP) in {name} in ", YEAR,
                   " (at risk at any F)."), BALFANZ),
        Rule("course_performance", f"{s}_d_or_f", EARLY_WARNING, f"{df} > 0 AND {failing} = 0",
             df, 1,
             _text("{" + _count(df) + "}", " D ", "{" + _plural(df, "mark") + "}",
                   f" (D+, D or D-) in {name} in ", YEAR, " (early warning at any D or F)."),
             BALFANZ),
    ]


def _milestones(t: Thresholds) -> list[Rule]:
    short = "full_year_credits < 5"
    credits = ("earned ", "{" + _count("full_year_credits") + "}",
               " year-long courses' worth of credit (", "{" + _count("credits_earned") + "}",
               f" credits at {_num(t.units_per_year_course)} a course; on track needs 5)")
    fs = ("{" + _count("core_f_semesters") + "}", " semester ",
          "{" + _plural("core_f_semesters", "F") + "}",
          " in core courses (on track allows at most 1)")
    off_track = (f"CASE WHEN {short} AND core_f_semesters > 1 THEN "
                 f"{_text(*credits, ' and ', *fs)} WHEN {short} THEN {_text(*credits)} "
                 f"ELSE {_text(*fs)} END")
    need = "ag_semesters_needed"
    return [
        Rule("milestone", "off_track_grade9", AT_RISK, "NOT on_track_9",
             f"CASE WHEN {short} THEN full_year_credits ELSE core_f_semesters END",
             f"CASE WHEN {short} THEN 5 ELSE 1 END",
             _text("Ninth grade off track in ", YEAR, ": ", "{" + off_track + "}", "."),
             CHICAGO),
        Rule("milestone", "ag_off_pace", EARLY_WARNING, "NOT ag_on_pace",
             "ag_semesters_c_or_better", need,
             _text("{" + _count("ag_semesters_c_or_better") + "}",
                   " a-g semesters passed with C or better through ", YEAR,
                   "; on pace needs ", "{" + _count(need) + "}", " by the end of grade ",
                   "{grade::VARCHAR}",
                   f" ({_num(t.ag_pace_semesters_per_year)} a year of high school)."), AG),
        Rule("milestone", "ltel", EARLY_WARNING,
             f"ltel AND grade BETWEEN {t.ltel_min_grade} AND 12", "years_in_us_schools", 6,
             _text("English learner in US schools for ", "{" + _shown("years_in_us_schools")
                   + "}", " years by the end of ", YEAR,
                   " (long-term English learner at 6 or more years)."), LTEL),
    ]


def rules(t: Thresholds) -> list[Rule]:
    """Every flag in report order, without the disabled ones (unknown ids are an error)."""
    every = [*_attendance(t), *_behavior(t), *_subject(t, "ela", "English"),
             *_subject(t, "math", "Math"), *_milestones(t)]
    unknown = sorted(set(t.disabled) - {r.flag for r in every})
    if unknown:
        raise ValueError(f"early_warning.disabled: unknown flag {unknown[0]!r} (known: "
                         f"{', '.join(r.flag for r in every)})")
    return [r for r in every if r.flag not in t.disabled]


def flags_sql(present: set[str], years: tuple[int, ...], t: Thresholds) -> str:
    """The query of :func:`student_flags`."""
    measures = measures_sql(present, years, units_per_year_course=t.units_per_year_course,
                            ag_pace=t.ag_pace_semesters_per_year,
                            state_offense_pattern=t.state_offense_pattern)
    selects = [
        f"""SELECT school_year, student_id, school_id, grade, '{r.domain}' AS domain,
       '{r.flag}' AS flag, '{r.level}' AS level, CAST({r.value} AS DOUBLE) AS value,
       CAST({r.threshold} AS DOUBLE) AS threshold, {r.reason} AS reason,
       '{r.source}' AS source, {i} AS rule_order
FROM m WHERE coalesce({r.when}, FALSE)"""
        for i, r in enumerate(rules(t))
    ]
    if not selects:
        return "SELECT * FROM (SELECT NULL) WHERE FALSE"
    columns = ", ".join(FLAG_COLUMNS.names)
    return (f"WITH m AS ({measures})\nSELECT {columns} FROM (\n"
            + "\nUNION ALL\n".join(selects)
            + f"\n) ORDER BY school_year, student_id, level = '{EARLY_WARNING}', rule_order")


def student_flags(con: duckdb.DuckDBPyConnection, school_year: int | None,
                  thresholds: Thresholds = Thresholds()) -> pa.Table:
    """Long format: one row per flag raised in ``school_year`` (every year when None), sorted
    by year, student, at-risk flags first; columns as :data:`FLAG_COLUMNS`."""
    t = thresholds
    if not rules(t):
        return FLAG_COLUMNS.empty_table()
    sql = flags_sql(set(contract_tables(con)), measure_years(con, school_year), t)
    return con.sql(sql).to_arrow_table().cast(FLAG_COLUMNS)


def student_flag_summary(flags: pa.Table) -> pa.Table:
    """One row per flagged student and year: ``at_risk_count``, ``early_warning_count``,
    ``domains`` (sorted, comma-separated domains with an at-risk flag), ``flagged_domains``
    (domains with any flag) and ``reasons`` (the reasons, in the order of ``flags``)."""
    rows = flags.append_column("row_order", pa.array(range(flags.num_rows), pa.int64()))
    con = duckdb.connect(config=session_config())
    con.register("flags", rows)
    return con.sql(f"""
        SELECT school_year, student_id, any_value(school_id) AS school_id,
               any_value(grade) AS grade,
               CAST(count(*) FILTER (WHERE level = '{AT_RISK}') AS INTEGER) AS at_risk_count,
               CAST(count(*) FILTER (WHERE level = '{EARLY_WARNING}') AS INTEGER)
                   AS early_warning_count,
               coalesce(string_agg(DISTINCT domain, ', ' ORDER BY domain)
                        FILTER (WHERE level = '{AT_RISK}'), '') AS domains,
               string_agg(DISTINCT domain, ', ' ORDER BY domain) AS flagged_domains,
               string_agg(reason, ' ' ORDER BY row_order) AS reasons
        FROM flags GROUP BY school_year, student_id
        ORDER BY school_year, student_id""").to_arrow_table()
