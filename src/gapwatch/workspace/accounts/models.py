"""Accounts: a person, their role, and the warehouse identity their scope is derived from."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from gapwatch.workspace.roles import STAFF_ROLES, Role


class User(AbstractUser):
    """A workspace account.

    ``staff_id`` links staff to the warehouse's ``staff`` and ``sections`` tables (their schools
    and sections are read from there on every request, so they follow each refresh);
    ``partner_id`` links a partner account to ``community_partners``. ``schools`` lists school
    ids for a principal or counselor without a staff row (comma-separated; optional).
    A counselor's caseload is the students assigned to them, or, when ``caseload_grades`` or
    ``caseload_letters`` is set, their schools' students in those grades (``9-10`` or
    ``9,11``) whose last name starts with those letters (``A-L``).
    """

    role = models.CharField(max_length=32, choices=Role.choices)
    staff_id = models.CharField(max_length=64, blank=True, db_index=True)
    partner_id = models.CharField(max_length=64, blank=True, db_index=True)
    schools = models.CharField(max_length=500, blank=True)
    caseload_grades = models.CharField(max_length=100, blank=True)
    caseload_letters = models.CharField(max_length=20, blank=True)

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def display(self) -> str:
        return self.get_full_name() or self.username

    def __str__(self) -> str:
        return f"{self.display} ({self.get_role_display()})"


class CaseloadAssignment(models.Model):
    """A student assigned to a counselor's caseload."""

    counselor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="caseload")
    student_id = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["counselor", "student_id"],
                                               name="one_assignment_per_student")]
