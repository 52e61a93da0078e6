"""Login throttling, read from the audit log: after ``LOGIN_FAILURES_ALLOWED`` failures for one
username within ``LOGIN_FAILURE_WINDOW_MINUTES`` (or four times as many from one address, as a
school's staff may share one), further attempts are refused without checking the password until
the window has passed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from gapwatch.workspace.audit.models import Action, AuditEvent

SHARED_ADDRESS_FACTOR = 4


def throttled(username: str, ip: str | None) -> bool:
    """Whether attempts for ``username`` or from ``ip`` are refused now."""
    since = timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    recent = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, at__gte=since)
    limit = settings.LOGIN_FAILURES_ALLOWED
    if username and recent.filter(username__iexact=username).count() >= limit:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= limit * SHARED_ADDRESS_FACTOR
