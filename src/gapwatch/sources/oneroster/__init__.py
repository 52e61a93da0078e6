"""OneRoster 1.2 CSV bulk files as a gapwatch source.

The files (``headers.toml`` lists them) are read with the ordinary CSV reader, so a broken row
is rejected with its file and line as in a native bundle. OneRoster is a rostering standard:
it knows schools, people, school-year roles, classes and marks, but not attendance, programs
(SED, EL, disability) or credits. This module derives the views the mapping reads (one row per
school, student, school enrollment, section and mark); ``mapping.toml`` (data) translates
fields and codes. Identifiers are the ``identifier`` column when given, else ``sourcedId``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import duckdb

from gapwatch.ingest.mapping import Mapping
from gapwatch.ingest.reader import FileRefused, StagedFile, read_file
from gapwatch.sources.base import SourceRead, load_builtin_mapping, stage_empty
from gapwatch.sql import quote_ident

HERE = Path(__file__).parent
DERIVED = ("school", "student", "enrollment", "section", "mark")

HINTS = {
    "schools": "Schools come from orgs.csv rows of type school.",
    "students": "Students come from users.csv with a student row in roles.csv.",
    "enrollments": "School enrollments come from roles.csv (role student at a school org).",
    "students.race_ethnicity": "Race/ethnicity comes from demographics.csv.",
    "students.gender": "Sex comes from demographics.csv (sex).",
    "course_marks.credits_attempted": "OneRoster has no credits: add a metadata.credits column "
                                      "to courses.csv.",
}


@cache
def headers() -> dict[str, list[str]]:
    return tomllib.loads((HERE / "headers.toml").read_text(encoding="utf-8"))["files"]


@cache
def extensions() -> dict[str, list[str]]:
    return tomllib.loads((HERE / "headers.toml").read_text(encoding="utf-8"))["extensions"]


def _name(file: str) -> str:
    return file.removesuffix(".csv").lower()


def builtin_mapping() -> Mapping:
    return load_builtin_mapping(HERE / "mapping.toml")


def columns(name: str) -> list[str]:
    for file, cols in headers().items():
        if _name(file) == name:
            return [c.lower() for c in cols + extensions().get(file, [])]
    return []


def read(con: duckdb.DuckDBPyConnection, folder: Path) -> SourceRead:
    out = SourceRead()
    by_lower = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    for file in headers():
        name, path = _name(file), by_lower.get(file.lower())
        if path is None:
            stage_empty(con, name, columns(name))
            continue
        out.files.append(path.name)
        try:
            staged = read_file(con, path, f"src_{name}__raw", label=path.name)
        except FileRefused as err:
            out.refusals.append(str(err))
            stage_empty(con, name, columns(name))
            continue
        missing = [c for c in columns(name) if c not in staged.columns]
        given = [c for c in headers()[file] if c.lower() in missing]
        if given:
            out.notes.append(f"{path.name}: no column(s) {', '.join(given)} (OneRoster 1.2 "
                             "has them); read as empty")
        cols = ", ".join([quote_ident(c) for c in staged.columns]
                         + [f"CAST(NULL AS VARCHAR) AS {quote_ident(c)}" for c in missing])
        con.execute(f"CREATE OR REPLACE TABLE src_{name} AS SELECT _file, _line, {cols} "
                    f"FROM src_{name}__raw")
        con.execute(f"DROP TABLE src_{name}__raw")
        out.sources[name] = staged
    _check_manifest(con, out)
    if out.refusals:
        return out
    con.execute(_MACROS)
    for view in DERIVED:
        con.execute(f"CREATE OR REPLACE TABLE src_{view} AS {_VIEWS[view]}")
        base = out.sources.get(_BASE[view])
        if base is not None:
            rows = con.execute(f"SELECT count(*) FROM src_{view}").fetchone()[0]
            out.sources[view] = StagedFile(base.path, base.label, f"src_{view}", [], rows,
                                           base.problems)
    return out


def _check_manifest(con: duckdb.DuckDBPyConnection, out: SourceRead) -> None:
    if "manifest" not in out.sources:
        out.notes.append("manifest.csv: absent (OneRoster bulk exports carry one); reading "
                         "the files present")
        return
    props = dict(con.execute("SELECT propertyname, value FROM src_manifest").fetchall())
    version = props.get("oneroster.version")
    if version and version.strip() != "1.2":
        out.notes.append(f"manifest.csv: oneroster.version is {version}; gapwatch reads 1.2")
    deltas = sorted(k for k, v in props.items()
                    if k and k.startswith("file.") and (v or "").strip().lower() == "delta")
    if deltas:
        out.refusals.append(
            f"manifest.csv: {', '.join(deltas)} are delta files (changes since the last export), "
            "not a whole roster: export a bulk file set")


_BASE = {"school": "orgs", "student": "users", "enrollment": "roles", "section": "classes",
         "mark": "results"}

_MACROS = """
CREATE OR REPLACE MACRO or_live(status) AS coalesce(lower(status), 'active') <> 'tobedeleted';
CREATE OR REPLACE MACRO or_grade_order(g) AS CASE g WHEN 'TK' THEN -1 WHEN 'KG' THEN 0
    ELSE TRY_CAST(g AS INTEGER) END;
CREATE OR REPLACE MACRO or_spring_year(d) AS CASE WHEN TRY_CAST(d AS DATE) IS NULL THEN NULL
    WHEN month(CAST(d AS DATE)) >= 7 THEN year(CAST(d AS DATE)) + 1
    ELSE year(CAST(d AS DATE)) END;
"""

_SCHOOL_ROLES = """(SELECT r.*, u.grades FROM src_roles r JOIN src_users u
    ON u.sourcedid = r.usersourcedid WHERE lower(r.role) = 'student' AND or_live(r.status))"""

_VIEWS = {
    "school": f"""
SELECT o._file, o._line, coalesce(o.identifier, o.sourcedid) AS school_id, o.name,
    coalesce(d.identifier, d.sourcedid) AS district_id, d.name AS district_name,
    (SELECT arg_min(g.grades, or_grade_order(g.grades)) FROM {_SCHOOL_ROLES} g
     WHERE g.orgsourcedid = o.sourcedid) AS grade_low,
    (SELECT arg_max(g.grades, or_grade_order(g.grades)) FROM {_SCHOOL_ROLES} g
     WHERE g.orgsourcedid = o.sourcedid) AS grade_high
FROM src_orgs o LEFT JOIN src_orgs d ON d.sourcedid = o.parentsourcedid
WHERE lower(o.type) = 'school' AND or_live(o.status) ORDER BY o._line""",
    "student": """
SELECT u._file, u._line, coalesce(u.identifier, u.sourcedid) AS student_id, d.*
    EXCLUDE (_file, _line, sourcedid, status, datelastmodified)
FROM src_users u LEFT JOIN src_demographics d ON d.sourcedid = u.sourcedid
WHERE or_live(u.status) AND EXISTS (SELECT 1 FROM src_roles r WHERE r.usersourcedid =
    u.sourcedid AND lower(r.role) = 'student') ORDER BY u._line""",
    "enrollment": f"""
SELECT r._file, r._line, or_spring_year(r.begindate) AS school_year,
    (SELECT coalesce(u.identifier, u.sourcedid) FROM src_users u
     WHERE u.sourcedid = r.usersourcedid) AS student_id,
    (SELECT coalesce(o.identifier, o.sourcedid) FROM src_orgs o
     WHERE o.sourcedid = r.orgsourcedid) AS school_id,
    r.grades AS grade, r.begindate, r.enddate
FROM {_SCHOOL_ROLES} r ORDER BY r._line""",
    "section": """
SELECT c._file, c._line, c.classcode, c.sourcedid,
    (SELECT or_spring_year(min(s.startdate)) FROM src_academicsessions s
     WHERE list_contains(string_split(c.termsourcedids, ','), s.sourcedid)) AS school_year,
    (SELECT coalesce(o.identifier, o.sourcedid) FROM src_orgs o
     WHERE o.sourcedid = c.schoolsourcedid) AS school_id,
    k.coursecode, k.subjects,
    (SELECT arg_max(coalesce(u.identifier, u.sourcedid), e.primary) FROM src_enrollments e
     JOIN src_users u ON u.sourcedid = e.usersourcedid WHERE e.classsourcedid = c.sourcedid
     AND lower(e.role) = 'teacher' AND or_live(e.status)) AS teacher
FROM src_classes c LEFT JOIN src_courses k ON k.sourcedid = c.coursesourcedid
WHERE or_live(c.status) ORDER BY c._line""",
    "mark": """
SELECT r._file, r._line, coalesce(r.textscore, r.score) AS mark,
    (SELECT or_spring_year(s.startdate) FROM src_academicsessions s
     WHERE s.sourcedid = coalesce(li.gradingperiodsourcedid, li.academicsessionsourcedid))
     AS school_year,
    (SELECT s.title FROM src_academicsessions s
     WHERE s.sourcedid = coalesce(li.gradingperiodsourcedid, li.academicsessionsourcedid))
     AS term,
    (SELECT coalesce(u.identifier, u.sourcedid) FROM src_users u
     WHERE u.sourcedid = r.studentsourcedid) AS student_id,
    (SELECT coalesce(o.identifier, o.sourcedid) FROM src_orgs o
     WHERE o.sourcedid = c.schoolsourcedid) AS school_id,
    k.coursecode, k.title AS course_title, k.subjects, k."metadata.credits" AS credits,
    c.classcode
FROM src_results r LEFT JOIN src_lineitems li ON li.sourcedid = r.lineitemsourcedid
LEFT JOIN src_classes c ON c.sourcedid = coalesce(r.classsourcedid, li.classsourcedid)
LEFT JOIN src_courses k ON k.sourcedid = c.coursesourcedid
WHERE or_live(r.status) ORDER BY r._line""",
}
