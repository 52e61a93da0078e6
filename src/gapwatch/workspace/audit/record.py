"""Writing audit events: one function every view, export and login path calls."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from gapwatch.workspace.audit.models import Action, AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or, when that is a trusted proxy
    (``GAPWATCH_TRUSTED_PROXIES``), the address the proxy appended to ``X-Forwarded-For``."""
    remote = request.META.get("REMOTE_ADDR") or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote in settings.TRUSTED_PROXIES and forwarded:
        return forwarded.split(",")[-1].strip() or remote
    return remote


def record(request: HttpRequest, action: Action | str, *, object_type: str = "",
           object_id: object = "", student_id: str = "", detail: str = "",
           username: str | None = None) -> AuditEvent:
    """Append one event for ``request``'s user (or ``username`` for a failed login)."""
    user = getattr(request, "user", None)
    known = user is not None and user.is_authenticated
    return AuditEvent.objects.create(
        user_id=user.pk if known else None,
        username=(user.username if known else (username or ""))[:150],
        role=getattr(user, "role", "") if known else "",
        action=str(action), object_type=object_type, object_id=str(object_id or "")[:64],
        student_id=str(student_id or "")[:64], detail=detail,
        ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        method=request.method or "", path=request.get_full_path()[:500])
