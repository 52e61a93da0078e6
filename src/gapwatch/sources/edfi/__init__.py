"""Ed-Fi (Data Standard 5.x) as a gapwatch source: XML interchange files, or the JSON Lines
files of an ODS/API pull (``gapwatch pull edfi``, :mod:`gapwatch.sources.edfi.api`).

Every ``*.xml`` file in the folder is read as an interchange (whatever its name) and every
``<resource>.jsonl`` as a pulled resource; the records of :data:`resources.RESOURCES` become
``src_<name>`` tables, the views of :mod:`views` are derived from them, and ``mapping.toml``
with the descriptor map ``descriptors.toml`` (data) builds the contract tables. A resource
that no file holds is named in a note; a required field no file holds refuses the load with
the interchange that would carry it: nothing is invented.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from gapwatch.ingest.mapping import Mapping
from gapwatch.ingest.problems import Problem, Severity
from gapwatch.ingest.reader import StagedFile
from gapwatch.sources.base import (
    SourceRead,
    load_builtin_mapping,
    record_problem,
    stage_empty,
    stage_records,
)
from gapwatch.sources.edfi.records import (
    XmlRefused,
    json_records,
    jsonl_file_resource,
    parse_xml,
    xml_records,
)
from gapwatch.sources.edfi.resources import BY_NAME, RESOURCES
from gapwatch.sources.edfi.views import (
    BASE,
    INCOMPLETE_CALENDARS,
    MACROS,
    REJECTS,
    SCHOOL_DAY,
    SESSION_DAYS,
    STRAY_ABSENCES,
    VIEWS,
)

HERE = Path(__file__).parent
ENROLLMENT = ("the StudentEnrollment interchange (StudentSchoolAssociation and "
              "StudentEducationOrganizationAssociation; API: /ed-fi/studentSchoolAssociations, "
              "/ed-fi/studentEducationOrganizationAssociations)")

HINTS = {
    "enrollments": f"School enrollments come from {ENROLLMENT}.",
    "students.race_ethnicity": f"Sex, race and ethnicity come from {ENROLLMENT}.",
    "students.gender": f"Sex, race and ethnicity come from {ENROLLMENT}.",
    "interventions.tier": "Ed-Fi interventions carry no MTSS tier.",
    "staff.school_year": "Staff school years come from the sessions of the "
                         "EducationOrgCalendar interchange (/ed-fi/sessions).",
    "assessments.school_id": f"An assessment's school is the student's school that day, from "
                             f"{ENROLLMENT}.",
}


def builtin_mapping() -> Mapping:
    return load_builtin_mapping(HERE / "mapping.toml", HERE / "descriptors.toml")


def columns(name: str) -> list[str]:
    return BY_NAME[name].columns if name in BY_NAME else []


def read(con: duckdb.DuckDBPyConnection, folder: Path) -> SourceRead:
    out = SourceRead()
    found: dict[str, list] = {}
    files: dict[str, set[str]] = {}
    problems: dict[str, list] = {}
    roots = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        if path.suffix.lower() == ".xml":
            out.files.append(path.name)
            try:
                roots.append((path.name, parse_xml(path)))
            except XmlRefused as err:
                out.refusals.append(str(err))
        elif path.suffix.lower() == ".jsonl" and (resource := jsonl_file_resource(path)):
            out.files.append(path.name)
            good, bad = json_records(path, resource)
            found.setdefault(resource.name, []).extend(good)
            files.setdefault(resource.name, set()).add(path.name)
            problems.setdefault(resource.name, []).extend(
                record_problem(path.name, line, text, reason) for line, text, reason in bad)
    for name, records in xml_records(roots).items():
        found.setdefault(name, []).extend(records)
        files.setdefault(name, set()).update(file for file, _, _ in records)
    for resource in RESOURCES:
        if resource.name in found or problems.get(resource.name):
            label = ", ".join(sorted(files.get(resource.name, set())))
            out.sources[resource.name] = stage_records(
                con, resource.name, label, resource.columns, found.get(resource.name, []),
                problems.get(resource.name, []))
        else:
            stage_empty(con, resource.name, resource.columns)
    missing = sorted({r.interchange for r in RESOURCES if r.name not in out.sources})
    if missing and (roots or found):
        out.notes.append("Ed-Fi: no records from the interchange(s) " + ", ".join(missing)
                         + ": what they carry is reported as missing, never estimated")
    if not roots and not found:
        out.notes.append(f"{folder}: no Ed-Fi XML interchange (*.xml) or pulled resource "
                         "(*.jsonl)")
    con.execute(MACROS)
    con.execute(f"CREATE OR REPLACE TABLE src_session_days AS {SESSION_DAYS}")
    con.execute(SCHOOL_DAY)
    for view, sql in VIEWS.items():
        con.execute(f"CREATE OR REPLACE TABLE src_{view} AS {sql}")
    taken = _take_out(con, out)
    stray = con.execute(STRAY_ABSENCES).fetchone()[0]
    if stray:
        out.notes.append(f"Ed-Fi: {stray:,} absence event(s) fall on no instructional day of "
                         "their school's calendar and are not counted as days absent")
    sessions, listed, total, schools = con.execute(INCOMPLETE_CALENDARS).fetchone()
    if sessions:
        out.notes.append(
            f"Ed-Fi: the calendars of school(s) {schools} list {listed:,} of the {total:,} "
            f"instructional days of their {sessions} session(s): days enrolled are the "
            "sessions' TotalInstructionalDays for enrollments spanning whole sessions, and an "
            "absence counts on any day of a session")
    for view in VIEWS:
        base = out.sources.get(BASE.get(view, ""))
        if base is not None:
            rows = con.execute(f"SELECT count(*) FROM src_{view}").fetchone()[0]
            out.sources[view] = StagedFile(base.path, base.label, f"src_{view}", [], rows,
                                           base.problems + taken.get(view, []))
    return out


def _take_out(con: duckdb.DuckDBPyConnection, out: SourceRead) -> dict[str, list[Problem]]:
    """Remove the rows :data:`views.REJECTS` names from their views, as problems that say why
    (only when the resource the rule rests on has records: without them the load is refused
    or the table left out as a whole, naming the interchange)."""
    taken: dict[str, list[Problem]] = {}
    for view, needs, sql in REJECTS:
        if needs not in out.sources or not out.sources[needs].rows_staged:
            continue
        rows = con.execute(sql).fetchall()
        if not rows:
            continue
        con.execute(f"DELETE FROM src_{view} WHERE (_file, _line) IN "
                    f"(SELECT _file, _line FROM ({sql}))")
        taken.setdefault(view, []).extend(
            Problem(file=file, line=line, column=column, value=value or "", reason=reason,
                    severity=Severity.ERROR, raw_row=f"{file} line {line}")
            for file, line, column, value, reason in rows)
    return taken
