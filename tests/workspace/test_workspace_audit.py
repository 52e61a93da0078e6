"""The audit log: logins (success, failure, throttled), append-only at every level."""

from __future__ import annotations

import pytest
from conftest import PASSWORD
from django.db import DatabaseError, connection, transaction
from django.test import Client

from gapwatch.workspace.audit.models import AppendOnly, AuditEvent

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password},
                       HTTP_USER_AGENT="pytest-browser/1.0")


def test_logins_are_logged_and_throttled(accounts, settings) -> None:
    client = Client()
    assert _login(client, "teacher", "wrong password!").status_code == 200
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.username == "teacher" and failed.user_id is None
    assert failed.user_agent == "pytest-browser/1.0" and failed.ip == "127.0.0.1"
    ok = _login(client, "teacher", PASSWORD)
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert AuditEvent.objects.filter(action="login", username="teacher").count() == 1
    for _ in range(settings.LOGIN_FAILURES_ALLOWED - 1):
        _login(Client(), "teacher", "wrong again!!")
    refused = _login(Client(), "teacher", PASSWORD)  # the right password, but throttled
    assert refused.status_code == 200 and b"Too many failed attempts" in refused.content
    assert AuditEvent.objects.filter(action="login_throttled", username="teacher").exists()
    assert _login(Client(), "principal", PASSWORD).status_code == 302  # others unaffected


def test_passwords_are_hashed_with_argon2(accounts) -> None:
    assert accounts["users"]["teacher"].password.startswith("argon2$argon2id$")


def test_audit_log_is_append_only(accounts) -> None:
    client = Client()
    _login(client, "teacher", PASSWORD)
    event = AuditEvent.objects.get(action="login")
    event.detail = "changed"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(detail="changed")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    table = AuditEvent._meta.db_table
    for sql in (f"UPDATE {table} SET detail = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cur:
            cur.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_the_database_is_the_configured_one() -> None:
    """SQLite by default; PostgreSQL when GAPWATCH_DATABASE_URL names it (the postgres run)."""
    import os

    url = os.environ.get("GAPWATCH_DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if url.startswith("postgres") else "sqlite")


def test_client_address_behind_a_trusted_proxy(accounts, settings) -> None:
    settings.TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    Client().post("/login/", {"username": "teacher", "password": "nope nope nope"},
                  HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    assert AuditEvent.objects.get(action="login_failed").ip == "203.0.113.9"
    settings.TRUSTED_PROXIES = frozenset()
    Client().post("/login/", {"username": "principal", "password": "nope nope nope"},
                  HTTP_X_FORWARDED_FOR="203.0.113.9")  # not trusted: the header is ignored
    assert AuditEvent.objects.get(username="principal").ip == "127.0.0.1"
