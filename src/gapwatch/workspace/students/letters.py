"""The progress letter from the student profile: see it in the family's language, and record
it as sent (a family contact, which the next analysis run reads as an engagement row).

Both are logged like every look at a student: viewing the letter is a ``view`` of
``family_letter``, recording it a ``create`` of ``family_contact``.
"""

from __future__ import annotations

import datetime as dt

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
    response = HttpResponse(render_letter(facts, code, dt.date.today(), fallback))
    response["Cache-Control"] = "no-store"
    return response


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
