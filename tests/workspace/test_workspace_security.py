"""Security settings and behaviour: CSRF on every state change, a Content-Security-Policy
without inline script, escaping, secure cookies and HSTS in production, idle session timeout,
`check --deploy` clean with the production settings, secrets only from the environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from test_workspace_matrix import EXPECT
from test_workspace_records import taught_student

from gapwatch.workspace.notes.models import Note

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src"


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAPWATCH_", "DJANGO_"))}
    return env | {"PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE":
                  "gapwatch.workspace.settings_production",
                  "GAPWATCH_ALLOWED_HOSTS": "workspace.district.example.org"} | extra


def test_csrf_required_on_every_state_change(accounts, district) -> None:
    sid = taught_student(accounts, district)
    client = Client(enforce_csrf_checks=True)
    client.force_login(accounts["users"]["counselor"])
    posts = [name for name, (method, *_rest) in EXPECT.items() if method == "post"]
    assert {"note_create", "note_edit", "support_close", "referral_step", "logout"} <= set(posts)
    for name in posts:
        _, template, data, _ = EXPECT[name]
        path = template.format(sid=sid, note=1, support=1, referral=1, school="x")
        assert client.post(path, data).status_code == 403, name
    assert not Note.objects.exists()
    # the login form too
    assert Client(enforce_csrf_checks=True).post("/login/", {"username": "a", "password": "b"}
                                                 ).status_code == 403


def test_content_security_policy_and_no_inline_script(clients, accounts, district) -> None:
    sid = taught_student(accounts, district)
    clients["counselor"].post(f"/students/{sid}/notes/new/",
                              {"kind": "other", "text": "<script>alert(1)</script>"})
    r = clients["counselor"].get(f"/students/{sid}/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    html = r.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert r["X-Frame-Options"] == "DENY" and r["Cache-Control"] == "no-store"
    assert r["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_and_idle_timeout(accounts) -> None:
    assert django_settings.SESSION_COOKIE_HTTPONLY and django_settings.CSRF_COOKIE_HTTPONLY
    assert django_settings.SESSION_COOKIE_SAMESITE == "Lax"
    client = Client()
    r = client.post("/login/", {"username": "teacher",
                                "password": "correct horse battery staple"})
    assert r.status_code == 302
    cookie = r.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert client.session.get_expiry_age() == django_settings.SESSION_COOKIE_AGE == 30 * 60


def test_an_idle_session_ends_and_use_renews_it_once_a_minute(accounts, district) -> None:
    """Use renews the session's expiry (written at most once a minute); a session idle for
    longer than its age is signed out."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.post("/login/", {"username": "teacher", "password": "correct horse battery staple"})
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    def expiry() -> object:
        return Session.objects.get(session_key=key).expire_date

    assert client.get("/students/").status_code == 200
    with CaptureQueriesContext(connection) as queries:  # renewed a moment ago: no write
        assert client.get("/students/").status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"]
                and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    session = client.session  # the last renewal 61 s ago: this request renews
    session["_renewed"] -= 61
    session.save()
    before = expiry()
    assert client.get("/students/").status_code == 200
    assert expiry() > before
    Session.objects.filter(session_key=key).update(  # idle past its age: signed out
        expire_date=timezone.now() - timedelta(seconds=1))
    r = client.get("/students/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def _settings_value(env: dict, expr: str) -> subprocess.CompletedProcess:
    code = ("import django; django.setup(); from django.conf import settings as s; "
            f"print({expr})")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)


def test_production_settings_pass_check_deploy(tmp_path) -> None:
    env = _production_env(GAPWATCH_SECRET_KEY="p" * 20 + "Q3v9-x_Zr8" * 5,
                          GAPWATCH_WORKSPACE_DB=str(tmp_path / "ws.sqlite3"))
    check = subprocess.run([sys.executable, "-m", "gapwatch.workspace.manage", "check",
                            "--deploy", "--fail-level", "DEBUG"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout
    values = _settings_value(env, "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
                                  "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.DEBUG")
    assert values.stdout.strip() == "True True True True False", values.stderr


def test_secrets_only_from_the_environment(tmp_path) -> None:
    env = _production_env(GAPWATCH_WORKSPACE_DB=str(tmp_path / "ws.sqlite3"))
    missing = _settings_value(env, "s.SECRET_KEY")
    assert missing.returncode != 0 and "GAPWATCH_SECRET_KEY must be set" in missing.stderr
    key = "k" * 25 + "Zr8-Q3v9_x" * 4
    url = "postgresql://ws:s3cr%40t@db.internal:5432/workspace"
    got = _settings_value(env | {"GAPWATCH_SECRET_KEY": key, "GAPWATCH_DATABASE_URL": url},
                          "s.SECRET_KEY, s.DATABASES['default']['PASSWORD'], "
                          "s.DATABASES['default']['HOST']")
    assert got.stdout.split() == [key, "s3cr@t", "db.internal"], got.stderr
    for source in (SRC / "gapwatch" / "workspace").rglob("settings*.py"):
        text = source.read_text()
        assert not re.search(r"SECRET_KEY\s*=\s*['\"]", text), source
