"""The audit log: every student-level view, export, create, update, and every login attempt.

Append-only. The model refuses updates and deletes (``save`` of an existing row, ``delete``,
queryset ``update`` and ``delete``), and database triggers (migration 0002) refuse them on
SQLite and PostgreSQL alike, so no path in the application can change the record. Who
(account id and username as they were), when, what (action, object, student), from where (IP
address, user agent, path).
"""

from __future__ import annotations

from django.db import models


class AppendOnly(Exception):
    """An attempt to change or delete an audit event."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise AppendOnly("the audit log is append-only")

    def delete(self):
        raise AppendOnly("the audit log is append-only")


class Action(models.TextChoices):
    VIEW = "view", "viewed"
    LIST = "list", "listed"
    EXPORT = "export", "exported"
    CREATE = "create", "created"
    UPDATE = "update", "updated"
    LOGIN = "login", "logged in"
    LOGIN_FAILED = "login_failed", "failed to log in"
    LOGIN_THROTTLED = "login_throttled", "login refused (too many failures)"
    LOGOUT = "logout", "logged out"
    OUT_OF_SCOPE = "out_of_scope", "asked for something outside their scope"


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user_id = models.BigIntegerField(null=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    student_id = models.CharField(max_length=64, blank=True, db_index=True)
    detail = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["student_id", "action", "at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("the audit log is append-only")
