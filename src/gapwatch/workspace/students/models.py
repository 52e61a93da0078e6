"""Tier history: the tier each early-warning run gave a student, kept as changes.

The warehouse holds only the latest run's tiers; each ``gapwatch early-warning`` run that finds
a workspace appends a row here for every student whose tier changed
(:func:`gapwatch.workspace.flowback.record_tiers`).
"""

from __future__ import annotations

from django.db import models


class TierRecord(models.Model):
    student_id = models.CharField(max_length=64)
    school_year = models.IntegerField()
    tier = models.PositiveSmallIntegerField()
    reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["student_id", "-recorded_at"])]


class FamilyContact(models.Model):
    """A contact with a student's family recorded in the workspace (a progress letter sent).

    Flows back into the analysis as a ``family_engagement`` row about the family (activity
    ``OTHER``: a contact, not participation; :func:`gapwatch.workspace.flowback
    .workspace_engagement`)."""

    class Kind(models.TextChoices):
        PROGRESS_LETTER = "progress_letter", "progress letter"

    student_id = models.CharField(max_length=64)
    school_id = models.CharField(max_length=64)
    school_year = models.IntegerField()
    date = models.DateField()
    kind = models.CharField(max_length=32, choices=Kind.choices)
    language = models.CharField(max_length=16, blank=True)
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["student_id", "-recorded_at"],
                                name="students_fa_student_6c1f2e_idx")]


def recorded(student_id: str, models_: tuple[type[models.Model], ...]
             ) -> set[type[models.Model]]:
    """Which of ``models_`` (each with a ``student_id`` field) hold a row of the student, in
    one query: most students have no notes, supports or referrals, and the profile then skips
    their queries."""
    from django.db import connection

    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {quote(m._meta.db_table)} "
        f"WHERE {quote(m._meta.get_field('student_id').column)} = %s)"
        for i, m in enumerate(models_))
    with connection.cursor() as cursor:
        cursor.execute(sql, [student_id] * len(models_))
        return {models_[row[0]] for row in cursor.fetchall()}
