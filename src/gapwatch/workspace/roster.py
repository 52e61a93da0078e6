"""The year's roster, built once per generation of the warehouse: one row per student with
everything "My students" filters and sorts on (school, grade, name, groups, tier, urgency,
reasons, supports in place), and which teacher teaches whom. Stored in the generation's own
in-memory database, so every request after the first filters a small local table instead of
aggregating the warehouse again."""

from __future__ import annotations

from gapwatch.workspace.warehouse import Snapshot

ROSTER = "memory.main.ws_roster"
TAUGHT = "memory.main.ws_taught"


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
    con.execute(f"""CREATE OR REPLACE TABLE {ROSTER} AS
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
        LEFT JOIN sup ON sup.student_id = r.student_id
        ORDER BY r.school_id, r.student_id""", {"year": year})
    # sorted by school: a school's students are a few row groups (DuckDB skips the others);
    # indexed by student: a student's row is one index lookup
    con.execute(f"CREATE INDEX ws_roster_student ON {ROSTER} (student_id)")
    if snap.has("sections", "course_marks"):
        con.execute(f"""CREATE OR REPLACE TABLE {TAUGHT} AS
            SELECT DISTINCT s.teacher_staff_id AS staff_id, m.student_id
            FROM warehouse.course_marks m JOIN warehouse.sections s
              ON s.section_id = m.section_id AND s.school_year = m.school_year
             AND s.school_id = m.school_id
            WHERE m.school_year = $year AND s.teacher_staff_id IS NOT NULL
            ORDER BY 1, 2""", {"year": year})
    else:
        con.execute(f"CREATE OR REPLACE TABLE {TAUGHT} (staff_id VARCHAR, student_id VARCHAR)")


def roster(snap: Snapshot, year: int) -> str:
    """The roster table of ``year`` in this generation (built on first use)."""
    gen = snap.generation
    with gen.lock:
        if gen.facts.get("roster_year") != year:
            _build(snap, year)
            gen.facts["roster_year"] = year
    return ROSTER


#: per-student tables copied into the generation sorted by student, with the rows they keep:
#: a lookup of one student then reads one row group instead of scanning the table
LOCAL = {"enrollments": "", "assessments": "", "discipline": "",
         "course_marks": "WHERE school_year = $year", "student_flags": "WHERE school_year = $year",
         "student_tiers": "WHERE school_year = $year",
         "supports_in_place": "WHERE school_year = $year",
         "referrals": "WHERE school_year = $year", "students": ""}


def local(snap: Snapshot, table: str, year: int) -> str:
    """``table`` (a key of :data:`LOCAL`) sorted by student in this generation; built on first
    use."""
    gen = snap.generation
    key = f"local:{table}:{year}"
    name = f"memory.main.ws_{table}"
    with gen.lock:
        if gen.facts.get(key) is None:
            gen.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM "
                            f"warehouse.{table} {LOCAL[table]} ORDER BY student_id",
                            {"year": year} if "$year" in LOCAL[table] else [])
            gen.facts[key] = name
    return name


def warm(snap: Snapshot) -> None:
    """Build everything the pages read from a new generation before it is served: the year's
    roster and the per-student tables of :data:`LOCAL`."""
    year = school_year(snap)
    roster(snap, year)
    for table, keep in LOCAL.items():
        if snap.has(table):
            local(snap, table, year if "$year" in keep else 0)
