"""My students (list and export) and the student profile (with a printable version)."""

from __future__ import annotations

import csv

from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from gapwatch.files.safecsv import neutralise
from gapwatch.workspace.access import allow
from gapwatch.workspace.audit.models import Action, AuditEvent
from gapwatch.workspace.audit.record import record
from gapwatch.workspace.notes.models import Note
from gapwatch.workspace.notes.views import blank_note_form
from gapwatch.workspace.notes.visibility import noted_recently, visible_notes
from gapwatch.workspace.referrals.models import Referral
from gapwatch.workspace.roles import RECORDING_ROLES, STAFF_ROLES, VIEWERS_ROLES
from gapwatch.workspace.scope import request_scope, require_student
from gapwatch.workspace.students import listing
from gapwatch.workspace.students import profile as panels
from gapwatch.workspace.students.models import FamilyContact, TierRecord, recorded
from gapwatch.workspace.supports.models import Support

STAFF = tuple(STAFF_ROLES)


@allow(*STAFF)
def student_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    f = listing.Filters.from_query(request.GET)
    noted = noted_recently(request.user) if f.no_note else []
    rows, total = listing.query(request.warehouse, scope, f, noted)
    listing.link(rows, reverse("students"))
    record(request, Action.LIST, object_type="students", detail=f"{total} students; "
           f"{request.GET.urlencode()}")
    pages = max(1, -(-total // listing.PAGE_SIZE))
    query = request.GET.copy()
    for key in ("page", "sort", "dir"):
        query.pop(key, None)
    return render(request, "workspace/students.html", {
        "rows": rows, "total": total, "filters": f, "page": f.page, "pages": pages,
        "year": scope.year, "options": listing.options(request.warehouse, scope),
        "query": query.urlencode(), "sorts": list(listing.SORTS)})


@allow(*STAFF)
def student_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV (every page); logged with its size."""
    scope = request_scope(request)
    f = listing.Filters.from_query(request.GET)
    noted = noted_recently(request.user) if f.no_note else []
    rows, total = listing.query(request.warehouse, scope, f, noted, paged=False)
    record(request, Action.EXPORT, object_type="students",
           detail=f"{total} students; {request.GET.urlencode()}")

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    lines = [writer.writerow(listing.COLUMNS)] + [
        writer.writerow([neutralise(r[c]) for c in listing.COLUMNS]) for r in rows]
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="students-{scope.year}-CONFIDENTIAL.csv"')
    return response


def _profile_context(request: HttpRequest, student_id: str) -> dict:
    scope = require_student(request, student_id)
    snap, year = request.warehouse, scope.year
    record(request, Action.VIEW, object_type="student", object_id=student_id,
           student_id=student_id)
    user = request.user
    has = recorded(student_id, (TierRecord, Support, Note, Referral, FamilyContact))
    context = {
        "sid": student_id, "year": year, **panels.document(snap, student_id, year),
        "tier_history": TierRecord.objects.filter(student_id=student_id)[:20]
        if TierRecord in has else (),
        "supports": Support.objects.filter(student_id=student_id).select_related("champion")
        if Support in has else (),
        "notes": visible_notes(user).filter(student_id=student_id)
        .select_related("author").prefetch_related("addenda__author") if Note in has else (),
        "note_form": blank_note_form(user.role),
        "referrals": Referral.objects.filter(student_id=student_id).prefetch_related("events")
        if Referral in has else (),
        "family_contacts": FamilyContact.objects.filter(student_id=student_id)[:10]
        if FamilyContact in has else (),
        "can_record": user.role in RECORDING_ROLES,
    }
    if user.role in VIEWERS_ROLES:
        context["viewers"] = (
            AuditEvent.objects.filter(student_id=student_id, action=Action.VIEW)
            .values("username", "role").annotate(last=Max("at"), views=Count("id"))
            .order_by("-last")[:50])
    return context


@allow(*STAFF)
def profile(request: HttpRequest, student_id: str) -> HttpResponse:
    return render(request, "workspace/student.html", _profile_context(request, student_id))


@allow(*STAFF)
def printable(request: HttpRequest, student_id: str) -> HttpResponse:
    """The profile laid out for a student-support-team meeting (print or save as PDF)."""
    return render(request, "workspace/student_print.html",
                  _profile_context(request, student_id))
