"""Object-level checks: changing a student, note, support or referral id in a URL or a form
never shows another scope's data (404, logged), for each object type."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import students_of
from test_workspace_students import LATEST

from gapwatch.workspace.audit.models import AuditEvent
from gapwatch.workspace.notes.models import Note
from gapwatch.workspace.referrals.models import Referral
from gapwatch.workspace.supports.models import Support

pytestmark = pytest.mark.django_db
SCHOOL_ROLES = ("principal", "counselor", "teacher")


def elsewhere(accounts, district) -> tuple[str, str]:
    """A student at another school, and that school."""
    f = accounts["facts"]
    row = students_of(district, LATEST + " SELECT student_id || ' ' || school_id FROM r "
                      "WHERE school_id <> ? ORDER BY 1 LIMIT 1", [f["year"], f["school"]]).pop()
    sid, school = row.split()
    return sid, school


def test_objects_of_another_scope_answer_404(clients, accounts, district) -> None:
    sid, school = elsewhere(accounts, district)
    admin = accounts["users"]["district_admin"]
    year = accounts["facts"]["year"]
    note = Note.objects.create(student_id=sid, kind="sst", text="ELSEWHERE-NOTE", author=admin)
    support = Support.objects.create(
        student_id=sid, school_id=school, school_year=year, type="ELSEWHERE-SUPPORT", tier=2,
        goal="g", champion=admin, start_date=date(2024, 9, 1), monitoring="weekly",
        created_by=admin)
    ref = Referral.objects.create(
        student_id=sid, school_id=school, school_year=year, partner_id="OTHER-PARTNER",
        partner_name="Other", service="FOOD", reason="ELSEWHERE-REFERRAL", consent_by="P",
        consent_method="written", consent_date=date.today(), step="sent", created_by=admin)
    gets = [f"/students/{sid}/", f"/students/{sid}/print/", f"/students/{sid}/notes.json",
            f"/notes/{note.pk}/", f"/supports/{support.pk}/", f"/referrals/{ref.pk}/",
            f"/students/{sid}/supports/new/", f"/students/{sid}/referrals/new/",
            f"/schools/{school}/", f"/schools/{school}/supports/"]
    posts = {f"/students/{sid}/notes/new/": {"kind": "sst", "text": "x"},
             f"/notes/{note.pk}/edit/": {"kind": "sst", "text": "x"},
             f"/notes/{note.pk}/add/": {"text": "x"},
             f"/supports/{support.pk}/checks/": {"date": "2025-01-01", "on_track": "on"},
             f"/supports/{support.pk}/close/": {"end_date": "2025-01-01",
                                                "outcome": "goal_met"},
             f"/referrals/{ref.pk}/step/": {"step": "accepted", "date": str(date.today())}}
    for role in (*SCHOOL_ROLES, "partner"):
        for path in gets:
            r = clients[role].get(path)
            assert r.status_code == 404, (role, path)
            assert b"ELSEWHERE" not in r.content
        for path, data in posts.items():
            assert clients[role].post(path, data).status_code == 404, (role, path)
        listed = clients[role].get("/referrals/").content
        assert b"ELSEWHERE" not in listed and f"/referrals/{ref.pk}/".encode() not in listed
    assert not Note.objects.filter(text="x").exists() and not support.checks.exists()
    ref.refresh_from_db()
    assert ref.step == "sent"
    denied = AuditEvent.objects.filter(action="out_of_scope").count()
    assert denied == 4 * (len(gets) + len(posts))
    # the district admin sees them all
    for path in gets[:6]:
        assert clients["district_admin"].get(path).status_code == 200, path
