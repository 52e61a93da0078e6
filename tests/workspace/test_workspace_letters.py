"""The progress letter in the student profile: offered, shown in the family's language, the
look logged; recording it as sent makes a family contact that flows back as an engagement
row; out of scope answers 404."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil

import duckdb
import pytest
from conftest import students_of

from gapwatch.workspace.audit.models import Action, AuditEvent
from gapwatch.workspace.students.models import FamilyContact

pytestmark = pytest.mark.django_db


def _a_student(district, f: dict) -> str:
    return sorted(students_of(district, """SELECT student_id FROM enrollments
        WHERE school_id = ? AND school_year = ?""", [f["school"], f["year"]]))[0]


def test_profile_offers_the_letter_and_the_look_is_logged(clients, accounts, district) -> None:
    f = accounts["facts"]
    sid = _a_student(district, f)
    page = clients["principal"].get(f"/students/{sid}/").content.decode()
    assert f"/students/{sid}/letter/" in page and "Record the letter as sent" in page
    letter = clients["principal"].get(f"/students/{sid}/letter/?lang=es")
    assert letter.status_code == 200 and letter["Cache-Control"] == "no-store"
    text = letter.content.decode()
    assert 'lang="es"' in text and "Confidencial" in text
    style = re.search(r"<style>(.*?)</style>", text, flags=re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = letter["Content-Security-Policy"]
    assert f"'sha256-{digest}'" in policy and "script-src 'self'" in policy
    events = AuditEvent.objects.filter(action=Action.VIEW, object_type="family_letter",
                                       student_id=sid, username="principal")
    assert events.count() == 1 and "language es" in events.get().detail
    # analysts see the letter but cannot record it as sent
    page = clients["district_analyst"].get(f"/students/{sid}/").content.decode()
    assert "Record the letter as sent" not in page
    assert clients["district_analyst"].post(f"/students/{sid}/letter/sent/").status_code == 404


def test_sending_records_a_family_contact_that_flows_back(clients, accounts, district,
                                                         tmp_path) -> None:
    from gapwatch.earlywarning.workspace import merge_engagement
    from gapwatch.workspace.flowback import workspace_engagement

    f = accounts["facts"]
    sid = _a_student(district, f)
    response = clients["principal"].post(f"/students/{sid}/letter/sent/")
    assert response.status_code == 302
    contact = FamilyContact.objects.get(student_id=sid)
    assert (contact.school_id, contact.school_year, contact.recorded_by) == (
        f["school"], f["year"], "principal")
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="family_contact",
                                     student_id=sid).count() == 1
    assert "Progress letter sent" in clients["principal"].get(f"/students/{sid}/").content \
        .decode()
    rows = workspace_engagement()
    assert rows.to_pylist() == [{
        "school_year": f["year"], "school_id": f["school"], "activity": "OTHER",
        "date": contact.date, "participants": 1, "student_id": sid,
        "language": contact.language}]
    copy = tmp_path / "copy.duckdb"  # the served file is attached by the workspace
    shutil.copyfile(district, copy)
    with duckdb.connect(str(copy)) as con:
        merge_engagement(con, rows)
        assert con.execute("SELECT count(*) FROM workspace_family_engagement WHERE "
                           "student_id = ?", [sid]).fetchone()[0] == 1


def test_a_student_out_of_scope_gets_no_letter(clients, accounts, district) -> None:
    f = accounts["facts"]
    other = sorted(students_of(district, """SELECT student_id FROM enrollments
        WHERE school_id <> ? AND school_year = ?""", [f["school"], f["year"]])
        - students_of(district, "SELECT student_id FROM enrollments WHERE school_id = ?",
                      [f["school"]]))[0]
    assert clients["principal"].get(f"/students/{other}/letter/").status_code == 404
    assert clients["principal"].post(f"/students/{other}/letter/sent/").status_code == 404
    assert not FamilyContact.objects.filter(student_id=other).exists()
