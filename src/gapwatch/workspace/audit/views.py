"""Administration: the audit log (filter, export) and the accounts list."""

from __future__ import annotations

import csv
from datetime import date

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from gapwatch.workspace.access import allow
from gapwatch.workspace.accounts.models import User
from gapwatch.workspace.audit.export import rows
from gapwatch.workspace.audit.models import Action, AuditEvent
from gapwatch.workspace.audit.record import record
from gapwatch.workspace.roles import Role


def _filtered(request: HttpRequest):
    events = AuditEvent.objects.all()
    q = request.GET
    if q.get("username"):
        events = events.filter(username__iexact=q["username"])
    if q.get("action") in Action.values:
        events = events.filter(action=q["action"])
    if q.get("student_id"):
        events = events.filter(student_id=q["student_id"])
    try:
        if q.get("since"):
            events = events.filter(at__date__gte=date.fromisoformat(q["since"]))
    except ValueError:
        pass
    return events


@allow(Role.DISTRICT_ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = _filtered(request)
    record(request, Action.LIST, object_type="audit_log", detail=request.GET.urlencode())
    return render(request, "workspace/audit_log.html", {
        "events": events[:500], "actions": Action.choices, "q": request.GET})


@allow(Role.DISTRICT_ADMIN)
def audit_export(request: HttpRequest) -> HttpResponse:
    events = _filtered(request).order_by("at", "id")
    record(request, Action.EXPORT, object_type="audit_log", detail=request.GET.urlencode())

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    response = StreamingHttpResponse((writer.writerow(r) for r in rows(events)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log-CONFIDENTIAL.csv"'
    return response


@allow(Role.DISTRICT_ADMIN)
def users(request: HttpRequest) -> HttpResponse:
    record(request, Action.LIST, object_type="users")
    return render(request, "workspace/users.html", {
        "accounts": User.objects.order_by("role", "username")})
