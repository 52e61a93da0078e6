"""`gapwatch users ...` and `gapwatch audit-log --since`."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date

import pytest
from typer.testing import CliRunner

from gapwatch.cli import app
from gapwatch.workspace.accounts.models import User

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture(autouse=True)
def _environment(monkeypatch, district):
    monkeypatch.setenv("GAPWATCH_SECRET_KEY", "cli-test-" + "s" * 60)
    monkeypatch.setenv("GAPWATCH_WAREHOUSE", str(district))


def test_users_create_list_assign_deactivate(district) -> None:
    db = ["--db", str(district)]
    made = runner.invoke(app, ["users", "create", "jlee", "--role", "counselor", "--email",
                               "jlee@district.example.org", "--schools", "0001",
                               "--caseload-letters", "A-L", *db], input="a long pass phrase\n")
    assert made.exit_code == 0, made.output
    user = User.objects.get(username="jlee")
    assert user.role == "counselor" and user.check_password("a long pass phrase")
    assert user.password.startswith("argon2")
    assert runner.invoke(app, ["users", "create", "x", "--role", "janitor", *db],
                         input="a long pass phrase\n").exit_code == 2
    weak = runner.invoke(app, ["users", "create", "y", "--role", "teacher", *db],
                         input="123\n")
    assert weak.exit_code == 2 and not User.objects.filter(username="y").exists()
    assert runner.invoke(app, ["users", "create", "jlee", "--role", "teacher", *db],
                         input="a long pass phrase\n").exit_code == 2
    listed = runner.invoke(app, ["users", "list", *db])
    assert "jlee\tcounselor\tjlee@district.example.org" in listed.output
    assigned = runner.invoke(app, ["users", "assign", "jlee", "100000001", "100000002", *db])
    assert assigned.exit_code == 0 and user.caseload.count() == 2
    assert runner.invoke(app, ["users", "deactivate", "jlee", *db]).exit_code == 0
    assert not User.objects.get(username="jlee").is_active


def test_audit_log_export(clients, district, tmp_path) -> None:
    clients["district_admin"].get("/students/")
    clients["teacher"].get("/admin/audit/")  # out of scope: 404, logged
    out = tmp_path / "audit.csv"
    result = runner.invoke(app, ["audit-log", "--since", str(date.today()), "--db",
                                 str(district), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len([r for r in rows if r["action"] == "login"]) == 6  # the clients' sign-ins
    assert [(r["username"], r["action"]) for r in rows if r["action"] != "login"] == [
        ("district_admin", "list"), ("teacher", "out_of_scope")]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert runner.invoke(app, ["audit-log", "--since", "2999-01-01", "--db", str(district),
                               "--out", str(out)]).exit_code == 0
    assert out.read_text().strip() == ",".join(
        ["id", "at", "username", "user_id", "role", "action", "object_type", "object_id",
         "student_id", "detail", "ip", "user_agent", "method", "path"])
    assert runner.invoke(app, ["audit-log", "--since", "yesterday", "--db",
                               str(district)]).exit_code == 2


def test_demo_accounts_one_per_role(district) -> None:
    from django.contrib.auth import authenticate

    from gapwatch.workspace.demo_accounts import demo_accounts

    rows = demo_accounts(district)
    assert [r[1] for r in rows] == ["district_admin", "district_analyst", "principal",
                                    "counselor", "teacher", "partner"]
    for username, role, password, _ in rows:
        user = authenticate(username=username, password=password)
        assert user is not None and user.role == role
    again = dict((r[0], r[2]) for r in demo_accounts(district))  # a rerun resets passwords
    assert User.objects.filter(username__startswith="demo-").count() == 6
    assert authenticate(username="demo-teacher", password=again["demo-teacher"])
    assert User.objects.get(username="demo-teacher").staff_id
    assert User.objects.get(username="demo-partner").partner_id
