"""The authorization matrix, generated from the URL configuration: every route x every role and
anonymous, with the expected answer. A route without an entry in EXPECT fails the test.

Objects (a note, a support, a sent referral) are made fresh for each request, about a student
in the scope of every staff role, so the answers test roles, not leftovers of earlier requests.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ROLES
from django.test import Client
from django.urls import URLPattern, get_resolver
from test_workspace_records import taught_student

from gapwatch.workspace.notes.models import Note
from gapwatch.workspace.referrals.models import Referral, ReferralEvent
from gapwatch.workspace.supports.models import Support

pytestmark = pytest.mark.django_db

STAFF = {"district_admin", "district_analyst", "principal", "counselor", "teacher"}
RECORDING = {"district_admin", "principal", "counselor", "teacher"}
REFERRING = {"district_admin", "principal", "counselor"}
LEADERS = {"district_admin", "district_analyst", "principal"}
DISTRICT = {"district_admin", "district_analyst"}
ADMIN = {"district_admin"}
TODAY = str(date.today())


def answers(ok: set[str], status: int = 200, other: dict[str, int] | None = None) -> dict:
    """Roles in ``ok`` get ``status``; other roles 404; anonymous is sent to sign in (302)."""
    out = {role: status if role in ok else 404 for role in ROLES}
    return {"anonymous": 302, **out, **(other or {})}


#: route name -> (method, path from the objects, form data, expected status per role)
EXPECT = {
    "home": ("get", "/", {}, {"anonymous": 302, **{r: 302 for r in ROLES}}),
    "login": ("get", "/login/", {}, {"anonymous": 200, **{r: 302 for r in ROLES}}),
    "logout": ("post", "/logout/", {}, {"anonymous": 302, **{r: 302 for r in ROLES}}),
    "ready": ("get", "/ready/", {}, {"anonymous": 200, **{r: 200 for r in ROLES}}),
    "students": ("get", "/students/", {}, answers(STAFF)),
    "students_export": ("get", "/students/export.csv", {}, answers(STAFF)),
    "student": ("get", "/students/{sid}/", {}, answers(STAFF)),
    "student_print": ("get", "/students/{sid}/print/", {}, answers(STAFF)),
    "student_letter": ("get", "/students/{sid}/letter/", {}, answers(STAFF)),
    "student_letter_sent": ("post", "/students/{sid}/letter/sent/", {},
                            answers(RECORDING, 302)),
    "notes_json": ("get", "/students/{sid}/notes.json", {}, answers(STAFF)),
    "note_create": ("post", "/students/{sid}/notes/new/", {"kind": "mtss", "text": "t"},
                    answers(RECORDING, 302)),
    "note": ("get", "/notes/{note}/", {}, answers(STAFF)),
    "note_edit": ("post", "/notes/{note}/edit/", {"kind": "mtss", "text": "edited"},
                  answers(RECORDING, 403, {"counselor": 302})),  # the author, within 24 h
    "note_append": ("post", "/notes/{note}/add/", {"text": "more"}, answers(RECORDING, 302)),
    "support_create": ("get", "/students/{sid}/supports/new/", {}, answers(RECORDING)),
    "support": ("get", "/supports/{support}/", {}, answers(STAFF)),
    "support_check": ("post", "/supports/{support}/checks/", {"date": TODAY, "on_track": "on"},
                      answers(RECORDING, 302)),
    "support_close": ("post", "/supports/{support}/close/", {"end_date": TODAY,
                                                            "outcome": "goal_met"},
                      answers(RECORDING, 302)),
    "school_supports": ("get", "/schools/{school}/supports/", {}, answers(LEADERS)),
    "referral_create": ("get", "/students/{sid}/referrals/new/", {}, answers(REFERRING)),
    "referrals": ("get", "/referrals/", {}, answers(STAFF | {"partner"})),
    "referral": ("get", "/referrals/{referral}/", {}, answers(STAFF | {"partner"})),
    "referral_step": ("post", "/referrals/{referral}/step/", {"step": "accepted",
                                                             "date": TODAY},
                      answers(REFERRING | {"partner"}, 302)),
    "school": ("get", "/schools/{school}/", {}, answers(LEADERS)),
    "district": ("get", "/district/", {}, answers(DISTRICT)),
    "audit_log": ("get", "/admin/audit/", {}, answers(ADMIN)),
    "audit_export": ("get", "/admin/audit/export.csv", {}, answers(ADMIN)),
    "users": ("get", "/admin/users/", {}, answers(ADMIN)),
}


def route_names() -> list[str]:
    names = []
    for p in get_resolver().url_patterns:
        assert isinstance(p, URLPattern) and p.name, f"route {p} needs a name and an entry"
        names.append(p.name)
    return names


def test_every_route_has_an_entry() -> None:
    missing = sorted(set(route_names()) - set(EXPECT))
    assert not missing, f"routes without an authorization matrix entry: {missing}"
    assert not set(EXPECT) - set(route_names()), "entries for routes that no longer exist"


def _objects(accounts, sid: str) -> dict:
    users = accounts["users"]
    f = accounts["facts"]
    note = Note.objects.create(student_id=sid, kind="mtss", text="n", author=users["counselor"])
    support = Support.objects.create(
        student_id=sid, school_id=f["school"], school_year=f["year"], type="Mentoring", tier=2,
        goal="g", champion=users["counselor"], start_date=date(2024, 9, 1), monitoring="weekly",
        created_by=users["counselor"])
    ref = Referral.objects.create(
        student_id=sid, school_id=f["school"], school_year=f["year"], partner_id=f["partner"],
        partner_name="P", service="FOOD", reason="r", consent_by="Parent",
        consent_method="written", consent_date=date.today(), step="sent",
        created_by=users["counselor"])
    for step in ("consented", "sent"):
        ReferralEvent.objects.create(referral=ref, step=step, date=date.today(),
                                     recorded_by=users["counselor"])
    return {"sid": sid, "note": note.pk, "support": support.pk, "referral": ref.pk,
            "school": f["school"]}


@pytest.mark.parametrize("route", sorted(EXPECT))
def test_matrix(route, accounts, district) -> None:
    method, template, data, expected = EXPECT[route]
    assert set(expected) == {"anonymous", *ROLES}
    sid = taught_student(accounts, district)
    got = {}
    for who in expected:
        client = Client()
        if who != "anonymous":
            client.force_login(accounts["users"][who])
        path = template.format(**_objects(accounts, sid))
        got[who] = getattr(client, method)(path, data).status_code
    assert got == expected
