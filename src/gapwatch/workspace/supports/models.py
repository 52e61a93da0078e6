"""Supports staff assign (MTSS interventions): a SMART goal, a champion, progress checks, an
outcome. Each support flows back into the next ``gapwatch early-warning`` run as an
intervention (:mod:`gapwatch.workspace.flowback`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"


class Outcome(models.TextChoices):
    GOAL_MET = "goal_met", "Goal met"
    PROGRESS = "progress", "Progress, goal not met"
    NO_PROGRESS = "no_progress", "No progress"
    DISCONTINUED = "discontinued", "Discontinued"


class Support(models.Model):
    student_id = models.CharField(max_length=64, db_index=True)
    school_id = models.CharField(max_length=64, db_index=True)
    school_year = models.IntegerField()
    type = models.CharField(max_length=120)
    tier = models.PositiveSmallIntegerField(choices=[(1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")])
    goal = models.TextField(help_text="Specific, measurable, achievable, relevant, time-bound.")
    champion = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="championed_supports")
    start_date = models.DateField()
    monitoring = models.CharField(max_length=16, choices=Frequency.choices)
    capacity_note = models.CharField(max_length=200, blank=True)
    end_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]

    @property
    def is_open(self) -> bool:
        return not self.outcome

    @property
    def intervention_id(self) -> str:
        return f"WS-S{self.pk}"


class ProgressCheck(models.Model):
    support = models.ForeignKey(Support, on_delete=models.PROTECT, related_name="checks")
    date = models.DateField()
    on_track = models.BooleanField()
    measure = models.CharField(max_length=200, blank=True,
                               help_text="The number checked, e.g. attendance 91% this month.")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
