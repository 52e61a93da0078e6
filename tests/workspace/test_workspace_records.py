"""Notes, supports and referrals: who may write and read them, the 24-hour edit window, the
referral loop with consent first, and what a partner sees."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from conftest import students_of
from django.utils import timezone

from gapwatch.workspace.audit.models import AuditEvent
from gapwatch.workspace.notes.models import Note
from gapwatch.workspace.referrals.models import Referral
from gapwatch.workspace.supports.models import Support

pytestmark = pytest.mark.django_db
SECRET = "Family disclosed a custody dispute"


def taught_student(accounts, district) -> str:
    f = accounts["facts"]
    return sorted(students_of(district, """SELECT DISTINCT m.student_id FROM course_marks m
        JOIN sections s ON s.section_id = m.section_id AND s.school_year = m.school_year
         AND s.school_id = m.school_id JOIN students st ON st.student_id = m.student_id
        WHERE s.teacher_staff_id = ? AND m.school_year = ? AND st.last_name < 'M'""",
                              [f["teacher"], f["year"]]))[0]


def test_restricted_notes_never_reach_teachers(clients, accounts, district) -> None:
    sid = taught_student(accounts, district)
    r = clients["counselor"].post(f"/students/{sid}/notes/new/",
                                  {"kind": "sst", "restricted": "on", "text": SECRET})
    assert r.status_code == 302
    clients["teacher"].post(f"/students/{sid}/notes/new/", {"kind": "attendance",
                                                           "text": "Missed Mondays"})
    restricted = Note.objects.get(restricted=True)
    for role in ("principal", "counselor"):
        assert SECRET in clients[role].get(f"/students/{sid}/").content.decode()
        assert SECRET in clients[role].get(f"/students/{sid}/notes.json").content.decode()
    teacher = clients["teacher"]
    html = teacher.get(f"/students/{sid}/").content.decode()
    assert "Missed Mondays" in html and SECRET not in html
    assert SECRET not in teacher.get(f"/students/{sid}/print/").content.decode()
    notes = json.loads(teacher.get(f"/students/{sid}/notes.json").content)["notes"]
    assert [n["text"] for n in notes] == ["Missed Mondays"]
    assert SECRET not in b"".join(teacher.get("/students/export.csv").streaming_content).decode()
    assert teacher.get(f"/notes/{restricted.pk}/").status_code == 404
    assert clients["partner"].get(f"/notes/{restricted.pk}/").status_code == 404
    # a teacher cannot write a restricted note: the field is not offered and is ignored
    teacher.post(f"/students/{sid}/notes/new/", {"kind": "other", "restricted": "on",
                                                "text": "try"})
    assert Note.objects.get(text="try").restricted is False
    # the "no note in 30 days" filter counts only notes the user can read
    assert AuditEvent.objects.filter(action="create", object_type="note").count() == 3


def test_notes_editable_by_author_for_24_hours_then_append_only(clients, accounts,
                                                                 district) -> None:
    sid = taught_student(accounts, district)
    clients["teacher"].post(f"/students/{sid}/notes/new/", {"kind": "parent", "text": "v1"})
    note = Note.objects.get()
    assert clients["teacher"].post(f"/notes/{note.pk}/edit/",
                                   {"kind": "parent", "text": "v2"}).status_code == 302
    assert clients["principal"].post(f"/notes/{note.pk}/edit/",
                                     {"kind": "parent", "text": "v3"}).status_code == 403
    Note.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert clients["teacher"].post(f"/notes/{note.pk}/edit/",
                                   {"kind": "parent", "text": "v4"}).status_code == 403
    assert Note.objects.get().text == "v2"
    clients["principal"].post(f"/notes/{note.pk}/add/", {"text": "Called back on Friday"})
    page = clients["teacher"].get(f"/notes/{note.pk}/").content.decode()
    assert "v2" in page and "Called back on Friday" in page


def test_support_assign_check_close(clients, accounts, district) -> None:
    sid = taught_student(accounts, district)
    counselor = accounts["users"]["counselor"]
    r = clients["counselor"].post(f"/students/{sid}/supports/new/", {
        "type": "Check-in/check-out", "tier": 2, "goal": "Attend 95% of days by March",
        "champion": counselor.pk, "start_date": "2025-01-06", "monitoring": "weekly"})
    assert r.status_code == 302
    support = Support.objects.get()
    assert (support.school_id, support.school_year) == (accounts["facts"]["school"],
                                                         accounts["facts"]["year"])
    clients["counselor"].post(f"/supports/{support.pk}/checks/", {
        "date": "2025-01-13", "on_track": "on", "measure": "4 of 5 days"})
    bad = clients["counselor"].post(f"/supports/{support.pk}/close/", {
        "end_date": "2024-12-01", "outcome": "goal_met"})
    assert bad.status_code == 400
    clients["counselor"].post(f"/supports/{support.pk}/close/", {
        "end_date": "2025-03-01", "outcome": "goal_met"})
    support.refresh_from_db()
    assert support.outcome == "goal_met" and support.checks.count() == 1
    assert clients["teacher"].get(f"/supports/{support.pk}/").status_code == 200
    assert clients["partner"].get(f"/supports/{support.pk}/").status_code == 404
    assert clients["district_analyst"].post(f"/students/{sid}/supports/new/",
                                            {}).status_code == 404
    school = clients["principal"].get(f"/schools/{accounts['facts']['school']}/supports/")
    assert school.status_code == 200 and "Check-in/check-out" in school.content.decode()


def _refer(client, sid, partner, **extra):
    data = {"partner_id": partner, "service": "TUTORING", "reason": "Reading support",
            "contact_name": "Ana P.", "contact_phone": "555-0100", "contact_language": "Spanish",
            "consent_by": "Ana P. (mother)", "consent_method": "written",
            "consent_date": str(date.today()), **extra}
    return client.post(f"/students/{sid}/referrals/new/", data)


def test_referral_loop_consent_first_partner_sees_own_minimum(clients, accounts,
                                                              district) -> None:
    sid = taught_student(accounts, district)
    partner = accounts["facts"]["partner"]
    no_consent = _refer(clients["counselor"], sid, partner, consent_by="", consent_date="")
    assert no_consent.status_code == 400 and not Referral.objects.exists()
    assert _refer(clients["teacher"], sid, partner).status_code == 404  # teachers do not refer
    assert _refer(clients["counselor"], sid, partner).status_code == 302
    ref = Referral.objects.get()
    assert ref.step == "consented"
    # not yet sent: the partner cannot see it
    assert clients["partner"].get(f"/referrals/{ref.pk}/").status_code == 404
    today = str(date.today())
    step = clients["counselor"].post(f"/referrals/{ref.pk}/step/", {"step": "sent",
                                                                   "date": today})
    assert step.status_code == 302
    page = clients["partner"].get(f"/referrals/{ref.pk}/").content.decode()
    assert "Reading support" in page and "Flags and tier" not in page  # no academic consent
    assert clients["partner"].post(f"/referrals/{ref.pk}/step/", {
        "step": "served", "date": today}).status_code == 400  # must accept first
    for s in ("accepted", "first_contact", "served"):
        assert clients["partner"].post(f"/referrals/{ref.pk}/step/", {
            "step": s, "date": today}).status_code == 302
    ref.refresh_from_db()
    assert ref.step == "served" and [e.step for e in ref.events.all()] == [
        "consented", "sent", "accepted", "first_contact", "served"]
    # another partner's account sees nothing of it
    other = accounts["users"]["partner"]
    other.partner_id = "SOMEONE-ELSE"
    other.save()
    assert clients["partner"].get(f"/referrals/{ref.pk}/").status_code == 404
    listing = clients["partner"].get("/referrals/").content.decode()
    assert f"/referrals/{ref.pk}/" not in listing and "No referrals." in listing


def test_the_profile_asks_once_which_records_a_student_has(clients, accounts, district) -> None:
    """``recorded`` names exactly the record kinds a student has; a profile of a student with
    none makes no query for them, and one with a note shows it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gapwatch.workspace.students.models import FamilyContact, TierRecord, recorded

    kinds = (TierRecord, Support, Note, Referral, FamilyContact)
    sid, other = sorted(students_of(district, "SELECT student_id FROM enrollments WHERE "
                                    "school_id = ?", [accounts["facts"]["school"]]))[:2]
    Note.objects.create(student_id=sid, author=accounts["users"]["principal"], kind="sst",
                        text="met with family")
    assert recorded(sid, kinds) == {Note}
    assert recorded(other, kinds) == set()
    with CaptureQueriesContext(connection) as seen:
        page = clients["principal"].get(f"/students/{other}/")
    assert page.status_code == 200
    assert not [q for q in seen.captured_queries
                if any(m._meta.db_table in q["sql"] and "EXISTS" not in q["sql"]
                       for m in kinds)]
    assert "met with family" in clients["principal"].get(f"/students/{sid}/").content.decode()
