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
