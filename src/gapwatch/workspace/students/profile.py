"""What the student profile shows from the warehouse: one function per panel, all read from the
request's snapshot (one generation of the warehouse)."""

from __future__ import annotations

from typing import Any

from gapwatch.workspace.roster import local, roster
from gapwatch.workspace.warehouse import Snapshot


def _rows(snap: Snapshot, table: str, sql: str, params: dict) -> list[dict]:
    """``sql`` with ``{t}`` standing for ``table`` sorted by student in this generation."""
    if not snap.has(table):
        return []
    year = params.get("year", 0)
    return snap.rows(sql.format(t=local(snap, table, year)), params)


def header(snap: Snapshot, sid: str, year: int) -> dict[str, Any]:
    """Name, school, grade, statuses of the year, home language (the workspace's year from
    its roster, another year from the enrollments)."""
    if snap.generation.facts.get("roster_year") == year:
        rows = snap.rows(f"""
            SELECT student_id, first_name, last_name, race_ethnicity, gender, home_language,
                   school_id, grade, school_name, el, sed, swd, fos AS foster, hom AS homeless
            FROM {roster(snap, year)} WHERE student_id = $sid""", {"sid": sid})
        return rows[0] if rows else {}
    names = ("st.first_name, st.last_name" if snap.has_column("students", "first_name")
             else "NULL AS first_name, NULL AS last_name")
    rows = snap.rows(f"""
        SELECT st.student_id, {names}, st.race_ethnicity, st.gender, st.home_language,
               arg_max(e.school_id, e.entry_date) AS school_id,
               arg_max(e.grade, e.entry_date) AS grade, any_value(sc.school_name) AS school_name,
               bool_or(e.el_status = 'EL') AS el, bool_or(e.sed) AS sed, bool_or(e.swd) AS swd,
               bool_or(e.foster) AS foster, bool_or(e.homeless) AS homeless
        FROM {local(snap, "students", 0)} st JOIN {local(snap, "enrollments", 0)} e
             ON e.student_id = st.student_id
             AND e.school_year = $year
        LEFT JOIN schools sc ON sc.school_id = e.school_id
        WHERE st.student_id = $sid GROUP BY ALL""", {"sid": sid, "year": year})
    return rows[0] if rows else {}


def attendance(snap: Snapshot, sid: str) -> list[dict]:
    """Attendance rate per year (every school that year added up)."""
    return _rows(snap, "enrollments", """
        SELECT school_year, sum(days_enrolled) AS enrolled, sum(days_absent) AS absent,
               round(100 * (1 - sum(days_absent) / nullif(sum(days_enrolled), 0)), 1) AS rate
        FROM {t} WHERE student_id = $sid GROUP BY school_year ORDER BY school_year""",
                 {"sid": sid})


def marks(snap: Snapshot, sid: str, year: int) -> list[dict]:
    return _rows(snap, "course_marks", """
        SELECT term, course_id, course_name, subject_area, mark, credits_attempted,
               credits_earned FROM {t} WHERE student_id = $sid AND school_year = $year
        ORDER BY term, course_id""", {"sid": sid, "year": year})


def assessments(snap: Snapshot, sid: str) -> list[dict]:
    """State tests and ELPAC, every year."""
    return _rows(snap, "assessments", """
        SELECT school_year, test, subject, grade, scale_score, performance_level, test_date
        FROM {t} WHERE student_id = $sid ORDER BY school_year DESC, test, subject""",
                 {"sid": sid})


def discipline(snap: Snapshot, sid: str) -> list[dict]:
    return _rows(snap, "discipline", """
        SELECT school_year, incident_date, action, days, offense_code FROM {t}
        WHERE student_id = $sid ORDER BY incident_date DESC""", {"sid": sid})


def flags(snap: Snapshot, sid: str, year: int) -> list[dict]:
    return _rows(snap, "student_flags", """
        SELECT domain, flag, level, reason FROM {t}
        WHERE student_id = $sid AND school_year = $year
        ORDER BY level = 'at_risk' DESC, domain, flag""", {"sid": sid, "year": year})


def tier(snap: Snapshot, sid: str, year: int) -> dict[str, Any]:
    rows = _rows(snap, "student_tiers", """
        SELECT tier, urgency, probability, tier_reason, flag_reasons, model_reasons,
               supports_in_place FROM {t} WHERE student_id = $sid
               AND school_year = $year""", {"sid": sid, "year": year})
    return rows[0] if rows else {}


def supports(snap: Snapshot, sid: str, year: int) -> list[dict]:
    """Supports in place at the last early-warning run."""
    return _rows(snap, "supports_in_place", """
        SELECT intervention_id, tier, type, status, start_date, end_date, partner_name,
               provider_staff_id FROM {t}
        WHERE student_id = $sid AND school_year = $year ORDER BY start_date""",
                 {"sid": sid, "year": year})


def suggested_partners(snap: Snapshot, sid: str, year: int) -> list[dict]:
    """The early-warning run's partner suggestions (the warehouse table ``referrals``)."""
    return _rows(snap, "referrals", """
        SELECT service, rank, partner_id, partner_name, language_match, area_match, reason
        FROM {t} WHERE student_id = $sid AND school_year = $year
        ORDER BY service, rank""", {"sid": sid, "year": year})
