"""Which notes a user may read: never a restricted note unless the role is principal or
counselor (and the student is in their scope, checked by the caller)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from gapwatch.workspace.notes.models import Note
from gapwatch.workspace.roles import RESTRICTED_NOTE_ROLES


def visible_notes(user) -> QuerySet[Note]:
    notes = Note.objects.all()
    if user.role not in RESTRICTED_NOTE_ROLES:
        notes = notes.filter(restricted=False)
    return notes


def noted_recently(user, days: int = 30) -> list[str]:
    """Students with a note this user can read written in the last ``days`` days."""
    since = timezone.now() - timedelta(days=days)
    return list(visible_notes(user).filter(created_at__gte=since)
                .values_list("student_id", flat=True).distinct())
