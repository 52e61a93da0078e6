"""One demo account per role on the demo warehouse, each tied to real rows (a school with a
principal, a counselor's split, a teacher's sections, a community partner); fresh random
passwords each time the demo runs."""

from __future__ import annotations

import secrets
from pathlib import Path

import duckdb


def _facts(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        year = con.execute("SELECT max(school_year) FROM enrollments").fetchone()[0]
        teacher, school = con.execute("""
            SELECT s.teacher_staff_id, s.school_id FROM sections s JOIN course_marks m
              ON m.section_id = s.section_id AND m.school_year = s.school_year
             AND m.school_id = s.school_id JOIN schools sc ON sc.school_id = s.school_id
            WHERE s.school_year = ? GROUP BY ALL
            ORDER BY any_value(sc.school_type) = 'HIGH' DESC, count(DISTINCT m.student_id) DESC,
                     1 LIMIT 1""",
                                      [year]).fetchone()
        principal = con.execute("SELECT staff_id FROM staff WHERE school_year = ? AND "
                                "school_id = ? AND role = 'PRINCIPAL' ORDER BY 1 LIMIT 1",
                                [year, school]).fetchone()
        counselor = con.execute("SELECT staff_id FROM staff WHERE school_year = ? AND "
                                "school_id = ? AND role = 'COUNSELOR' ORDER BY 1 LIMIT 1",
                                [year, school]).fetchone()
        partner = con.execute("SELECT partner_id FROM community_partners ORDER BY 1 LIMIT 1"
                              ).fetchone()
    finally:
        con.close()
    return {"school": school, "teacher": teacher, "principal": principal and principal[0],
            "counselor": counselor and counselor[0], "partner": partner and partner[0]}


def demo_accounts(db: Path) -> list[tuple[str, str, str, str]]:
    """Create or reset the demo accounts; return (username, role, password, scope) rows.
    Django must be set up for ``db`` (:func:`gapwatch.workspace.server.prepare`)."""
    from gapwatch.workspace.accounts.models import User

    f = _facts(db)
    plan = [
        ("demo-admin", "district_admin", {}, "the whole district, audit log, accounts"),
        ("demo-analyst", "district_analyst", {}, "district-wide lists and aggregates"),
        ("demo-principal", "principal", {"staff_id": f["principal"] or "",
                                         "schools": f["school"]}, f"school {f['school']}"),
        ("demo-counselor", "counselor", {"staff_id": f["counselor"] or "",
                                         "schools": f["school"], "caseload_letters": "A-L"},
         f"school {f['school']}, last names A-L"),
        ("demo-teacher", "teacher", {"staff_id": f["teacher"]},
         f"sections of {f['teacher']}"),
        ("demo-partner", "partner", {"partner_id": f["partner"] or ""},
         f"referrals to partner {f['partner']}"),
    ]
    out = []
    for username, role, fields, scope in plan:
        password = secrets.token_urlsafe(10)
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.first_name, user.last_name = role, "Demo", role.replace("_", " ")
        for key, value in fields.items():
            setattr(user, key, value)
        user.set_password(password)
        user.save()
        out.append((username, role, password, scope))
    return out
