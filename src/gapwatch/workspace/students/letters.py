"""The progress letter from the student profile: see it in the family's language, and record
it as sent (a family contact, which the next analysis run reads as an engagement row).

Both are logged like every look at a student: viewing the letter is a ``view`` of
``family_letter``, recording it a ``create`` of ``family_contact``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from gapwatch.families.letters.facts import LetterFacts, school_facts
from gapwatch.families.letters.write import choose_language
from gapwatch.workspace.access import allow
from gapwatch.workspace.audit.models import Action
from gapwatch.workspace.audit.record import record
from gapwatch.workspace.roles import RECORDING_ROLES, STAFF_ROLES
from gapwatch.workspace.scope import require_student
from gapwatch.workspace.students import profile as panels
from gapwatch.workspace.students.models import FamilyContact


def _facts(request: HttpRequest, student_id: str) -> tuple[LetterFacts, str]:
    scope = require_student(request, student_id)
    school = panels.header(request.warehouse, student_id, scope.year).get("school_id")
    found = school_facts(request.warehouse.cursor, school, scope.year, only=student_id) \
        if school else []
    if not found:
        raise Http404("no enrollment this year")
    return found[0], school


@allow(*STAFF_ROLES)
def letter(request: HttpRequest, student_id: str) -> HttpResponse:
    """The letter as the family would get it (``?lang=es`` for another language)."""
    from gapwatch.families.letters.render import render_letter

    facts, _school = _facts(request, student_id)
    code, fallback = choose_language(facts, request.GET.get("lang") or None)
    record(request, Action.VIEW, object_type="family_letter", object_id=student_id,
           student_id=student_id, detail=f"language {code}")
    html = render_letter(facts, code, dt.date.today(), fallback)
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = _policy(html)
    return response


def _policy(html: str) -> str:
    """The workspace's policy, with the letter's own inline stylesheet allowed by its hash
    (the letter carries its style inline, as email needs)."""
    from django.conf import settings

    found = re.search(r"<style>(.*?)</style>", html, flags=re.S)
    if not found:
        return settings.CONTENT_SECURITY_POLICY
    digest = base64.b64encode(hashlib.sha256(found.group(1).encode()).digest()).decode()
    return settings.CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'sha256-{digest}'")


@allow(*RECORDING_ROLES)
@require_POST
def letter_sent(request: HttpRequest, student_id: str) -> HttpResponse:
    """Record that the letter was sent to the family (a family contact)."""
    facts, school = _facts(request, student_id)
    code, _fallback = choose_language(facts, request.POST.get("lang") or None)
    contact = FamilyContact.objects.create(
        student_id=student_id, school_id=school, school_year=facts.school_year,
        date=dt.date.today(), kind=FamilyContact.Kind.PROGRESS_LETTER, language=code,
        recorded_by=request.user.username)
    record(request, Action.CREATE, object_type="family_contact", object_id=contact.pk,
           student_id=student_id, detail=f"progress letter sent ({code})")
    return redirect("student", student_id=student_id)
