"""What the student profile shows from the warehouse.

Each panel is declared once (:data:`PANELS`: its rows, their order, whether only the
workspace's year). When a generation is prepared, :func:`prepare` gathers every panel of every
student on the year's roster into one row per student (lists of structs, indexed by student),
so a profile is one index lookup (:func:`document`) instead of a query per panel. For
another year (a referral made last year), :func:`panel` reads the warehouse directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gapwatch.workspace.roster import ROSTER, roster, school_year
from gapwatch.workspace.warehouse import Snapshot

PROFILES = "memory.main.ws_profiles"

#: the header's fields, read from the roster
HEADER_SQL = ("r.student_id, r.first_name, r.last_name, r.race_ethnicity, r.gender, "
              "r.home_language, r.school_id, r.grade, r.school_name, r.el, r.sed, r.swd, "
              "r.fos AS foster, r.hom AS homeless")
HEADER = tuple(c.split(".")[-1].split(" AS ")[-1] for c in HEADER_SQL.split(", "))


@dataclass(frozen=True)
class Panel:
    """One panel: ``columns`` of ``source`` (a table, or a query over one) per student, in
    ``order``; ``this_year``: only the given school year; ``single``: one row, not a list."""

    table: str
    columns: str
    order: str
    this_year: bool
    single: bool = False
    source: str = ""

    def rows_sql(self) -> str:
        """The panel's rows of every student (``$year`` when ``this_year``)."""
        source = self.source or self.table
        where = " WHERE school_year = $year" if self.this_year else ""
        return f"SELECT student_id, {self.columns} FROM {source}{where}"


PANELS: dict[str, Panel] = {
    "attendance": Panel(  # every school of a year added up
        "enrollments", "school_year, enrolled, absent, rate", "school_year", this_year=False,
        source="""(SELECT student_id, school_year, sum(days_enrolled) AS enrolled,
                   sum(days_absent) AS absent,
                   round(100 * (1 - sum(days_absent) / nullif(sum(days_enrolled), 0)), 1)
                   AS rate FROM enrollments GROUP BY student_id, school_year)"""),
    "marks": Panel(
        "course_marks", "term, course_id, course_name, subject_area, mark, credits_attempted, "
        "credits_earned", "term, course_id", this_year=True),
    "assessments": Panel(  # state tests and ELPAC, every year
        "assessments", "school_year, test, subject, grade, scale_score, performance_level, "
        "test_date", "school_year DESC, test, subject", this_year=False),
    "discipline": Panel(
        "discipline", "school_year, incident_date, action, days, offense_code",
        "incident_date DESC", this_year=False),
    "flags": Panel(
        "student_flags", "domain, flag, level, reason", "level = 'at_risk' DESC, domain, flag",
        this_year=True),
    "tier": Panel(
        "student_tiers", "tier, urgency, probability, tier_reason, flag_reasons, "
        "model_reasons, supports_in_place", "tier", this_year=True, single=True),
    "supports_in_place": Panel(  # supports in place at the last early-warning run
        "supports_in_place", "intervention_id, tier, type, status, start_date, end_date, "
        "partner_name, provider_staff_id", "start_date", this_year=True),
    "suggested": Panel(  # the early-warning run's partner suggestions (warehouse `referrals`)
        "referrals", "service, rank, partner_id, partner_name, language_match, area_match, "
        "reason", "service, rank", this_year=True),
}


def _present(snap: Snapshot) -> dict[str, Panel]:
    return {name: p for name, p in PANELS.items() if snap.has(p.table)}


#: students gathered per statement: the build's memory grows with the students of one part
#: (500,000 students in one statement peaked at 4.7 GB, in parts of 60,000 at 2.0 GB)
PART = 60_000


def prepare(snap: Snapshot) -> None:
    """Gather every panel of every student on the year's roster into :data:`PROFILES`, one
    part of the students (by hash) at a time."""
    year = school_year(snap)
    roster(snap, year)
    con = snap.generation.con
    parts = max(1, -(-int(con.execute(f"SELECT count(*) FROM {ROSTER}").fetchone()[0]) // PART))
    part = f"hash(student_id) % {parts} = $part"
    ctes, joins, selects = [], [], []
    for name, p in _present(snap).items():
        value = (f"struct_pack({p.columns})" if p.single else
                 f"list(struct_pack({p.columns}) ORDER BY {p.order})")
        aggregate = f"first({value})" if p.single else value
        ctes.append(f"p_{name} AS (SELECT student_id, {aggregate} AS {name} FROM "
                    f"({p.rows_sql()}) WHERE {part} GROUP BY student_id)")
        joins.append(f"LEFT JOIN p_{name} ON p_{name}.student_id = r.student_id")
        selects.append(f"p_{name}.{name}")
    select = (f"{'WITH ' + ', '.join(ctes) if ctes else ''} SELECT {HEADER_SQL}"
              f"{''.join(', ' + s for s in selects)} FROM {ROSTER} r {' '.join(joins)} "
              f"WHERE {part.replace('student_id', 'r.student_id')}")
    with snap.generation.lock:
        for n in range(parts):
            into = f"CREATE OR REPLACE TABLE {PROFILES} AS" if n == 0 else \
                f"INSERT INTO {PROFILES}"
            con.execute(f"{into} {select}",
                        {"part": n, **({"year": year} if "$year" in select else {})})
        con.execute(f"CREATE INDEX ws_profiles_student ON {PROFILES} (student_id)")
        snap.generation.facts["profiles_year"] = year


def document(snap: Snapshot, sid: str, year: int) -> dict[str, Any]:
    """Every panel of ``sid`` in ``year``: ``student`` (the header) and one entry per panel
    (a list of rows; ``tier`` a row or {}). One lookup when ``year`` is the prepared year."""
    if snap.generation.facts.get("profiles_year") != year:
        return {"student": header(snap, sid, year),
                **{name: panel(snap, name, sid, year) for name in PANELS}}
    rows = snap.rows(f"SELECT * FROM {PROFILES} WHERE student_id = $sid", {"sid": sid})
    row = rows[0] if rows else {}
    doc: dict[str, Any] = {"student": {k: row[k] for k in HEADER if k in row}}
    for name, p in PANELS.items():
        doc[name] = row.get(name) or ({} if p.single else [])
    return doc


def panel(snap: Snapshot, name: str, sid: str, year: int) -> Any:
    """One panel of one student in any year, read from the warehouse."""
    p = PANELS[name]
    if not snap.has(p.table):
        return {} if p.single else []
    sql = (f"SELECT * EXCLUDE (student_id) FROM ({p.rows_sql()}) WHERE student_id = $sid "
           f"ORDER BY {p.order}")
    rows = snap.rows(sql, {"sid": sid, "year": year})
    if p.single:
        return rows[0] if rows else {}
    return rows


def header(snap: Snapshot, sid: str, year: int) -> dict[str, Any]:
    """Name, school, grade, statuses of the year, home language (the workspace's year from
    its roster, another year from the enrollments)."""
    if snap.generation.facts.get("roster_year") == year:
        rows = snap.rows(f"SELECT {HEADER_SQL} FROM {roster(snap, year)} r "
                         "WHERE r.student_id = $sid", {"sid": sid})
        return rows[0] if rows else {}
    names = ("st.first_name, st.last_name" if snap.has_column("students", "first_name")
             else "NULL AS first_name, NULL AS last_name")
    rows = snap.rows(f"""
        SELECT st.student_id, {names}, st.race_ethnicity, st.gender, st.home_language,
               arg_max(e.school_id, e.entry_date) AS school_id,
               arg_max(e.grade, e.entry_date) AS grade, any_value(sc.school_name) AS school_name,
               bool_or(e.el_status = 'EL') AS el, bool_or(e.sed) AS sed, bool_or(e.swd) AS swd,
               bool_or(e.foster) AS foster, bool_or(e.homeless) AS homeless
        FROM students st JOIN enrollments e ON e.student_id = st.student_id
             AND e.school_year = $year
        LEFT JOIN schools sc ON sc.school_id = e.school_id
        WHERE st.student_id = $sid GROUP BY ALL""", {"sid": sid, "year": year})
    return rows[0] if rows else {}
