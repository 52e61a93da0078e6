"""Fixtures of the staff workspace's tests: a real synthetic district (DuckDB warehouse after
ingest, run and early warning), one account per role tied to real warehouse rows, and Django's
test client signed in as each.

The application database is the one Django's test runner makes (through pytest-django): SQLite
by default, PostgreSQL when GAPWATCH_DATABASE_URL names it (test_workspace_postgres.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from django.test import Client
from synthdistrict import run_district

from gapwatch.config import Config
from gapwatch.earlywarning.stage import run_early_warning, store
from gapwatch.warehouse import connect, rebuilding

PASSWORD = "correct horse battery staple"
ROLES = ("district_admin", "district_analyst", "principal", "counselor", "teacher", "partner")


def early_warning(db: Path) -> None:
    """`gapwatch early-warning`'s warehouse work, with the workspace flow-back."""
    from gapwatch.earlywarning.workspace import merge_interventions
    from gapwatch.workspace.flowback import workspace_interventions

    with rebuilding(db) as work:
        con = connect(work, read_only=False)
        try:
            merge_interventions(con, workspace_interventions())
            store(con, run_early_warning(con, Config()))
        finally:
            con.close()


@pytest.fixture(scope="session")
def district_source(tmp_path_factory) -> Path:
    """A district built once per session (6 schools, 3 years): ingested, run, early warning."""
    root = tmp_path_factory.mktemp("ws-district")
    db = run_district(root, students=1500, schools=6, years=3, seed=11)
    con = connect(db, read_only=False)
    try:
        store(con, run_early_warning(con, Config()))
    finally:
        con.close()
    return db


@pytest.fixture
def district(district_source, tmp_path, settings) -> Path:
    """A private copy of the district's warehouse, served by the workspace for one test."""
    db = tmp_path / "district.duckdb"
    shutil.copyfile(district_source, db)
    settings.WAREHOUSE = db
    return db


def facts(db: Path) -> dict:
    """Real ids for the accounts: a school with a principal, counselor and a teacher with
    sections this year; a community partner."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        year = con.execute("SELECT max(school_year) FROM enrollments").fetchone()[0]
        teacher, school = con.execute("""
            SELECT s.teacher_staff_id, s.school_id FROM sections s JOIN course_marks m
              ON m.section_id = s.section_id AND m.school_year = s.school_year
             AND m.school_id = s.school_id
            WHERE s.school_year = ? GROUP BY ALL ORDER BY count(DISTINCT m.student_id) DESC,
            1 LIMIT 1""", [year]).fetchone()
        principal = con.execute("SELECT staff_id FROM staff WHERE school_year = ? AND "
                                "school_id = ? AND role = 'PRINCIPAL' ORDER BY 1 LIMIT 1",
                                [year, school]).fetchone()[0]
        partner = con.execute("SELECT partner_id FROM community_partners ORDER BY 1 LIMIT 1"
                              ).fetchone()[0]
    finally:
        con.close()
    return {"year": year, "school": school, "teacher": teacher, "principal": principal,
            "partner": partner}


@pytest.fixture(scope="session")
def password_hash() -> str:
    """PASSWORD hashed once (Argon2 is slow on purpose)."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


@pytest.fixture
def accounts(district, db, password_hash) -> dict:
    """One account per role (username = role, password PASSWORD)."""
    from gapwatch.workspace.accounts.models import User

    f = facts(district)
    extra = {"principal": {"staff_id": f["principal"]},
             "counselor": {"schools": f["school"], "caseload_letters": "A-L"},
             "teacher": {"staff_id": f["teacher"]}, "partner": {"partner_id": f["partner"]}}
    users = {role: User.objects.create(username=role, email=f"{role}@district.example.org",
                                       password=password_hash, role=role,
                                       first_name=role.title(), **extra.get(role, {}))
             for role in ROLES}
    return {"users": users, "facts": f}


@pytest.fixture
def clients(accounts) -> dict[str, Client]:
    """A signed-in test client per role, and ``anonymous``."""
    out = {"anonymous": Client()}
    for role, user in accounts["users"].items():
        out[role] = Client()
        out[role].force_login(user)
    return out


def students_of(db: Path, sql: str, params: list) -> set[str]:
    """Student ids by an independent query on the warehouse."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute(sql, params).fetchall()}
    finally:
        con.close()
