"""The year's roster, built once per generation of the warehouse: one row per student with
everything "My students" filters and sorts on (school, grade, name, groups, tier, urgency,
reasons, supports in place), and which teacher teaches whom. Stored in the generation's own
in-memory database, so every request after the first filters a small local table instead of
aggregating the warehouse again."""

from __future__ import annotations

from gapwatch.workspace.warehouse import Snapshot

ROSTER = "memory.main.ws_roster"
TAUGHT = "memory.main.ws_taught"

#: the orders "My students" offers, each kept on the roster as a rank (``rank_<name>``): a
#: page of 467,000 students is then the top 50 of one integer column (6.5 ms instead of 19 ms;
#: by name 7 instead of 27); descending is the exact reverse
SORTS = {
    "urgency": "r.tier DESC NULLS LAST, r.probability DESC NULLS LAST, "
               "r.at_risk_count DESC NULLS LAST, r.student_id",
    "name": "r.last_name, r.first_name, r.student_id",
    "grade": "try_cast(r.grade AS INTEGER) NULLS FIRST, r.grade, r.student_id",
    "school": "r.school_name, r.student_id",
    "tier": "r.tier DESC NULLS LAST, r.student_id",
    "probability": "r.probability DESC NULLS LAST, r.student_id",
    "student": "r.student_id",
}


def school_year(snap: Snapshot) -> int:
    """The year the workspace shows: the early-warning run's, else the latest enrolled."""
    facts = snap.generation.facts
    if "year" not in facts:
        table = "student_tiers" if snap.has("student_tiers") else "enrollments"
        facts["year"] = int(snap.value(f"SELECT max(school_year) FROM {table}") or 0)
    return facts["year"]


def _tiers(snap: Snapshot) -> str:
    if snap.has("student_tiers"):
        return "SELECT * FROM student_tiers WHERE school_year = $year"
    return ("SELECT NULL::VARCHAR AS student_id, NULL::TINYINT AS tier, NULL::INTEGER AS "
            "urgency, NULL::DOUBLE AS probability, NULL::INTEGER AS at_risk_count, "
            "NULL::VARCHAR AS tier_reason, NULL::VARCHAR AS flag_reasons, "
            "NULL::VARCHAR AS supports_in_place WHERE FALSE")


def _build(snap: Snapshot, year: int) -> None:
    names = ("st.first_name, st.last_name" if snap.has_column("students", "first_name")
             else "NULL::VARCHAR AS first_name, NULL::VARCHAR AS last_name")
    support = ("SELECT DISTINCT student_id FROM supports_in_place WHERE school_year = $year"
               if snap.has("supports_in_place") else
               "SELECT NULL::VARCHAR AS student_id WHERE FALSE")
    con = snap.generation.con
    ranks = ", ".join(f"row_number() OVER (ORDER BY {order}) AS rank_{name}"
                      for name, order in SORTS.items())
    con.execute(f"""CREATE OR REPLACE TABLE {ROSTER} AS SELECT r.*, {ranks} FROM (
        WITH r AS (
            SELECT student_id, arg_max(school_id, entry_date) AS school_id,
                   arg_max(grade, entry_date) AS grade, bool_or(el_status = 'EL') AS el,
                   bool_or(sed) AS sed, bool_or(swd) AS swd, bool_or(foster) AS fos,
                   bool_or(homeless) AS hom
            FROM warehouse.enrollments WHERE school_year = $year GROUP BY student_id),
        t AS ({_tiers(snap).replace('FROM student_tiers', 'FROM warehouse.student_tiers')}),
        sup AS ({support.replace('FROM supports_in_place', 'FROM warehouse.supports_in_place')})
        SELECT r.*, {names}, st.race_ethnicity, st.gender, st.home_language, sc.school_name,
               t.tier, t.urgency,
               t.probability, t.at_risk_count, t.tier_reason, t.flag_reasons,
               t.supports_in_place, sup.student_id IS NOT NULL AS has_support
        FROM r LEFT JOIN warehouse.students st ON st.student_id = r.student_id
        LEFT JOIN warehouse.schools sc ON sc.school_id = r.school_id
        LEFT JOIN t ON t.student_id = r.student_id
        LEFT JOIN sup ON sup.student_id = r.student_id) r
        ORDER BY r.school_id, r.student_id""", {"year": year})
    # sorted by school: a school's students are a few row groups (DuckDB skips the others);
    # indexed by student: a student's row is one index lookup
    con.execute(f"CREATE INDEX ws_roster_student ON {ROSTER} (student_id)")
    # the default order's rank: a district-wide page is a range of it (listing._everyone_page)
    con.execute(f"CREATE INDEX ws_roster_rank ON {ROSTER} (rank_urgency)")
    # who teaches whom, with each student's roster school: a teacher's scope names the
    # schools its students are in, so a page reads those schools' row groups only
    if snap.has("sections", "course_marks"):
        con.execute(f"""CREATE OR REPLACE TABLE {TAUGHT} AS
            SELECT DISTINCT s.teacher_staff_id AS staff_id, r.school_id, m.student_id
            FROM warehouse.course_marks m JOIN warehouse.sections s
              ON s.section_id = m.section_id AND s.school_year = m.school_year
             AND s.school_id = m.school_id
            JOIN {ROSTER} r ON r.student_id = m.student_id
            WHERE m.school_year = $year AND s.teacher_staff_id IS NOT NULL
            ORDER BY 1, 2, 3""", {"year": year})
    else:
        con.execute(f"CREATE OR REPLACE TABLE {TAUGHT} (staff_id VARCHAR, school_id VARCHAR, "
                    "student_id VARCHAR)")


def roster(snap: Snapshot, year: int) -> str:
    """The roster table of ``year`` in this generation (built on first use)."""
    gen = snap.generation
    with gen.lock:
        if gen.facts.get("roster_year") != year:
            _build(snap, year)
            gen.facts["roster_year"] = year
    return ROSTER


def roster_size(snap: Snapshot, year: int) -> int:
    """Students on the roster of ``year`` (kept with the generation)."""
    table = roster(snap, year)
    facts = snap.generation.facts
    if facts.get("roster_size", (None,))[0] != year:
        facts["roster_size"] = (year, int(snap.value(f"SELECT count(*) FROM {table}")))
    return facts["roster_size"][1]


def warm(snap: Snapshot) -> None:
    """Build the year's roster (and who teaches whom) of a new generation before it is
    served."""
    roster(snap, school_year(snap))
