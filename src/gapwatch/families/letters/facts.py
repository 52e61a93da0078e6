"""What one letter says, read from the warehouse for every student of one school.

Everything about a student comes from that student's own rows (``WHERE student_id = ?``
after grouping); the school's counselor and the community partners are not student data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import duckdb

from gapwatch.reference import SBAC_THRESHOLDS
from gapwatch.warehouse import Warehouse, tables_present

PARTNERS_SHOWN = 3


@dataclass
class Attendance:
    school_year: int
    days_enrolled: float
    days_absent: float

    @property
    def rate(self) -> float:
        """Share of enrolled days attended (0-1)."""
        return 1 - self.days_absent / self.days_enrolled if self.days_enrolled else 0.0


@dataclass
class Score:
    subject: str  #: ELA, MATH, SCI
    scale_score: int | None
    level: int | None  #: 1-4


@dataclass
class Support:
    type: str
    start: dt.date | None
    contact_name: str
    contact: str  #: phone or email


@dataclass
class Partner:
    name: str
    services: list[str]
    phone: str
    email: str


@dataclass
class LetterFacts:
    student_id: str
    first_name: str
    last_name: str
    grade: int | None
    school_name: str
    school_year: int
    guardian_name: str = ""
    guardian_language: str = ""  #: as written in guardians.preferred_language
    attendance: list[Attendance] = field(default_factory=list)  #: this year, last year
    marks: list[tuple[str, str, str]] = field(default_factory=list)  #: course, term, mark
    scores: list[Score] = field(default_factory=list)
    english_learner: bool = False
    elpac: dict[int, int] = field(default_factory=dict)  #: school year -> ELPAC level 1-4
    supports: list[Support] = field(default_factory=list)
    counselor: tuple[str, str] | None = None  #: name, email
    partners: list[Partner] = field(default_factory=list)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    rel = con.execute(sql, params)
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


def _level(subject: str, grade: int | None, score: int | None, given: int | None) -> int | None:
    if given is not None:
        return int(given)
    cuts = SBAC_THRESHOLDS.get((subject, grade or -1))
    if cuts is None or score is None:
        return None
    return 1 + sum(score >= c for c in cuts)


def latest_year(con: duckdb.DuckDBPyConnection, school_id: str) -> int | None:
    row = con.execute("SELECT max(school_year) FROM enrollments WHERE school_id = ?",
                      [school_id]).fetchone()
    return row[0] if row else None


def school_facts(con: duckdb.DuckDBPyConnection, school_id: str, school_year: int,
                 only: str | None = None) -> list[LetterFacts]:
    """One :class:`LetterFacts` per student enrolled at the school that year (id order), or
    for the student ``only``."""
    have = tables_present(con)
    school = con.execute("SELECT school_name FROM schools WHERE school_id = ?",
                         [school_id]).fetchone()
    cols = set(Warehouse(con).columns("students"))
    names = ("coalesce(s.first_name, '') AS first_name, coalesce(s.last_name, '') AS last_name"
             if {"first_name", "last_name"} <= cols else "'' AS first_name, '' AS last_name")
    roster = _rows(con, f"""
        SELECT e.student_id, arg_max(e.grade, e.entry_date) AS grade,
               bool_or(e.el_status = 'EL') AS el, {names}
        FROM enrollments e JOIN students s USING (student_id)
        WHERE e.school_id = ? AND e.school_year = ? AND (? IS NULL OR e.student_id = ?)
        GROUP BY ALL ORDER BY e.student_id""", [school_id, school_year, only, only])
    ids = [r["student_id"] for r in roster]
    letters = {r["student_id"]: LetterFacts(
        r["student_id"], r["first_name"], r["last_name"], r["grade"], school[0] if school else
        school_id, school_year, english_learner=bool(r["el"])) for r in roster}
    if not ids:
        return []
    with Warehouse(con).registered("__letter_students", _id_table(ids)):
        _guardians(con, letters, have)
        _attendance(con, letters, school_year, have)
        _marks(con, letters, school_year, have)
        _scores(con, letters, school_year, have)
        _supports(con, letters, school_year, have)
        counselor = _counselor(con, school_id, school_year, have)
        partners = _partners(con, have)
    for f in letters.values():
        f.counselor = counselor
        f.partners = _for_family(partners, f)
    return list(letters.values())


def _id_table(ids: list[str]):
    import pyarrow as pa

    return pa.table({"student_id": pa.array(ids, pa.string())})


def _guardians(con, letters: dict[str, LetterFacts], have: set[str]) -> None:
    if "guardians" not in have:
        return
    for r in _rows(con, """
        SELECT g.student_id, arg_min(
                 {'name': trim(coalesce(g.first_name, '') || ' ' || coalesce(g.last_name, '')),
                  'lang': g.preferred_language},
                 (NOT g.receives_mail, NOT coalesce(g.primary_contact, FALSE), g.guardian_id))
                 AS pick
        FROM guardians g JOIN __letter_students USING (student_id)
        GROUP BY g.student_id""", []):
        f = letters[r["student_id"]]
        f.guardian_name, f.guardian_language = r["pick"]["name"], r["pick"]["lang"] or ""


def _attendance(con, letters, year: int, have: set[str]) -> None:
    for r in _rows(con, """
        SELECT e.student_id, e.school_year, sum(e.days_enrolled) AS enrolled,
               sum(e.days_absent) AS absent, count(*) = count(e.days_enrolled) AS known
        FROM enrollments e JOIN __letter_students USING (student_id)
        WHERE e.school_year IN (?, ?) GROUP BY ALL ORDER BY e.school_year DESC""",
                   [year, year - 1]):
        if r["known"] and r["enrolled"]:
            letters[r["student_id"]].attendance.append(
                Attendance(r["school_year"], float(r["enrolled"]), float(r["absent"] or 0)))
    if "attendance_daily" in have:
        got = {(f.student_id, a.school_year) for f in letters.values() for a in f.attendance}
        for r in _rows(con, """
            SELECT a.student_id,
                   year(a.date) + CASE WHEN month(a.date) >= 7 THEN 1 ELSE 0 END AS school_year,
                   count(*) AS enrolled, count(*) FILTER (WHERE a.status <> 'P') AS absent
            FROM attendance_daily a JOIN __letter_students USING (student_id)
            GROUP BY ALL HAVING school_year IN (?, ?) ORDER BY school_year DESC""",
                       [year, year - 1]):
            if (r["student_id"], r["school_year"]) not in got:
                letters[r["student_id"]].attendance.append(
                    Attendance(r["school_year"], float(r["enrolled"]), float(r["absent"])))
        for f in letters.values():
            f.attendance.sort(key=lambda a: -a.school_year)


def _marks(con, letters, year: int, have: set[str]) -> None:
    if "course_marks" not in have:
        return
    for r in _rows(con, """
        SELECT m.student_id, coalesce(m.course_name, m.course_id) AS course, m.term, m.mark
        FROM course_marks m JOIN __letter_students USING (student_id)
        WHERE m.school_year = ? ORDER BY m.student_id, course, m.term""", [year]):
        letters[r["student_id"]].marks.append((r["course"], r["term"], r["mark"]))


def _scores(con, letters, year: int, have: set[str]) -> None:
    if "assessments" not in have:
        return
    for r in _rows(con, """
        SELECT a.student_id, a.subject, arg_max({'score': a.scale_score, 'grade': a.grade,
               'level': a.performance_level}, (a.test_date, a.scale_score)) AS pick
        FROM assessments a JOIN __letter_students USING (student_id)
        WHERE a.school_year = ? AND a.test = 'SBAC'
          AND coalesce(a.administration, 'SUMMATIVE') = 'SUMMATIVE'
        GROUP BY ALL ORDER BY a.student_id, a.subject""", [year]):
        p = r["pick"]
        letters[r["student_id"]].scores.append(Score(
            r["subject"], p["score"], _level(r["subject"], p["grade"], p["score"], p["level"])))
    for r in _rows(con, """
        SELECT a.student_id, a.school_year, max(a.performance_level) AS level
        FROM assessments a JOIN __letter_students USING (student_id)
        WHERE a.school_year IN (?, ?) AND a.test = 'ELPAC'
          AND coalesce(a.administration, 'SUMMATIVE') = 'SUMMATIVE'
          AND a.performance_level IS NOT NULL
        GROUP BY ALL""", [year, year - 1]):
        letters[r["student_id"]].elpac[r["school_year"]] = int(r["level"])


def _supports(con, letters, year: int, have: set[str]) -> None:
    if "interventions" not in have:
        return
    staff = ("LEFT JOIN (SELECT staff_id, any_value(name) AS name, any_value(email) AS email "
             "FROM staff GROUP BY staff_id) st ON st.staff_id = i.provider_staff_id"
             if "staff" in have else "LEFT JOIN (SELECT NULL AS staff_id, NULL AS name, "
             "NULL AS email) st ON FALSE")
    partner = ("LEFT JOIN community_partners p ON p.partner_id = i.partner_id"
               if "community_partners" in have else
               "LEFT JOIN (SELECT NULL AS partner_id, NULL AS name, NULL AS phone, "
               "NULL AS email) p ON FALSE")
    for r in _rows(con, f"""
        SELECT i.student_id, i.type, i.start_date,
               coalesce(p.name, st.name, '') AS contact_name,
               coalesce(p.phone, p.email, st.email, '') AS contact
        FROM interventions i JOIN __letter_students USING (student_id) {staff} {partner}
        WHERE i.school_year = ? AND coalesce(i.status, 'ACTIVE') IN ('ACTIVE', 'PLANNED')
        ORDER BY i.student_id, i.start_date, i.intervention_id""", [year]):
        letters[r["student_id"]].supports.append(
            Support(r["type"], r["start_date"], r["contact_name"], r["contact"]))


def _counselor(con, school_id: str, year: int, have: set[str]) -> tuple[str, str] | None:
    if "staff" not in have:
        return None
    # fetchall, not fetchone: a result left unfinished makes the connection refuse the
    # unregister that follows when no other query runs in between (no community_partners)
    rows = con.execute("""
        SELECT coalesce(name, staff_id), coalesce(email, '') FROM staff
        WHERE school_id = ? AND school_year = ? AND role IN ('COUNSELOR', 'PRINCIPAL')
        ORDER BY role = 'PRINCIPAL', staff_id LIMIT 1""", [school_id, year]).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


def _partners(con, have: set[str]) -> list[tuple[Partner, str]]:
    if "community_partners" not in have:
        return []
    return [(Partner(r["name"], (r["services"] or "").split(";"), r["phone"] or "",
                     r["email"] or ""), (r["languages"] or "").casefold())
            for r in _rows(con, "SELECT * FROM community_partners ORDER BY partner_id", [])]


WANTED = ("FAMILY_SUPPORT", "TUTORING", "AFTER_SCHOOL", "FOOD", "HEALTH", "MENTAL_HEALTH")


def _for_family(partners: list[tuple[Partner, str]], f: LetterFacts) -> list[Partner]:
    """Up to three partners, those serving the family's language first, one per service."""
    from gapwatch.families.languages import language_code, languages

    code = language_code(f.guardian_language) or "en"
    spellings = {s.casefold() for s in languages()[code].spellings} if code in languages() \
        else set()
    by_service: dict[str, list[Partner]] = defaultdict(list)
    for p, langs in partners:
        speaks = bool(spellings & {x.strip() for x in langs.split(";")})
        for s in p.services:
            if s in WANTED:
                by_service[s].insert(0 if speaks else len(by_service[s]), p)
    out: list[Partner] = []
    for s in WANTED:
        for p in by_service.get(s, []):
            if p not in out:
                out.append(p)
                break
        if len(out) == PARTNERS_SHOWN:
            break
    return out
