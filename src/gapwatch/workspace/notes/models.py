"""Notes about a student: typed, optionally restricted, editable by their author for 24 hours,
then append-only (later words are added as addenda, never over the original)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class NoteKind(models.TextChoices):
    SST = "sst", "Student study team (SST)"
    MTSS = "mtss", "MTSS"
    SECTION_504 = "504", "504 plan"
    PARENT = "parent", "Parent conversation"
    ATTENDANCE = "attendance", "Attendance"
    OTHER = "other", "Other"


class Note(models.Model):
    student_id = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=16, choices=NoteKind.choices)
    restricted = models.BooleanField(
        default=False, help_text="Visible only to principals and counselors.")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="notes")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def editable_by(self, user) -> bool:
        """The author, within ``NOTE_EDIT_HOURS`` of writing it."""
        window = timedelta(hours=settings.NOTE_EDIT_HOURS)
        return user.pk == self.author_id and timezone.now() - self.created_at < window


class Addendum(models.Model):
    """Words added to a note after its edit window closed (or by someone else)."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
