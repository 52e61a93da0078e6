"""Ed-Fi days enrolled and absent with sessions (what the Grand Bend calendar taught): a
session whose calendar is complete counts its listed instructional days, each date once however
many calendars list it; a session whose calendar lists fewer days than its
TotalInstructionalDays counts them whole for an enrollment spanning it, and an enrollment cut by
it is rejected with the session named, never estimated. Small interchanges written here."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from gapwatch.ingest import ingest_bundle

ED = "uri://ed-fi.org/"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<{0} xmlns="http://ed-fi.org/5.2.0">\n'
SCHOOL = ("<SchoolReference><SchoolIdentity><SchoolId>101</SchoolId></SchoolIdentity>"
          "</SchoolReference>")
#: the fall session: the ten weekdays from Aug 21, 2023, each listed by two calendars
FALL = [d.isoformat() for d in (date(2023, 8, 21) + timedelta(days=i) for i in range(12))
        if d.weekday() < 5]


def _student(sid: str) -> str:
    return (f"<StudentReference><StudentIdentity><StudentUniqueId>{sid}</StudentUniqueId>"
            "</StudentIdentity></StudentReference>")


def _write(folder: Path, name: str, root: str, body: str) -> None:
    (folder / name).write_text(HEAD.format(root) + body + f"</{root}>\n", encoding="utf-8")


def _ssa(sid: str, entry: str, exit_date: str = "") -> str:
    out = f"<ExitWithdrawDate>{exit_date}</ExitWithdrawDate>" if exit_date else ""
    return (f"<StudentSchoolAssociation>{_student(sid)}{SCHOOL}<SchoolYear>2023-2024"
            f"</SchoolYear><EntryDate>{entry}</EntryDate><EntryGradeLevel>{ED}"
            f"GradeLevelDescriptor#Fourth grade</EntryGradeLevel>{out}"
            "</StudentSchoolAssociation>\n")


def _absence(sid: str, day: str) -> str:
    return (f"<StudentSchoolAttendanceEvent><AttendanceEvent><EventDate>{day}</EventDate>"
            f"<AttendanceEventCategory>{ED}AttendanceEventCategoryDescriptor#Unexcused Absence"
            "</AttendanceEventCategory></AttendanceEvent>"
            f"{_student(sid)}{SCHOOL}</StudentSchoolAttendanceEvent>\n")


def _session(name: str, begin: str, end: str, days: int) -> str:
    return (f"<Session><SessionName>{name}</SessionName><SchoolYear>2023-2024</SchoolYear>"
            f"<BeginDate>{begin}</BeginDate><EndDate>{end}</EndDate>"
            f"<TotalInstructionalDays>{days}</TotalInstructionalDays>{SCHOOL}</Session>\n")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    f = tmp_path_factory.mktemp("edfi-sessions")
    _write(f, "EducationOrganization.xml", "InterchangeEducationOrganization",
           "<LocalEducationAgency><LocalEducationAgencyId>100</LocalEducationAgencyId>"
           "<NameOfInstitution>Test Unified</NameOfInstitution></LocalEducationAgency>\n"
           "<School><SchoolId>101</SchoolId><NameOfInstitution>Test Elementary"
           f"</NameOfInstitution><SchoolCategory>{ED}SchoolCategoryDescriptor#Elementary "
           f"School</SchoolCategory><GradeLevel>{ED}GradeLevelDescriptor#Fourth grade"
           "</GradeLevel><LocalEducationAgencyReference><LocalEducationAgencyIdentity>"
           "<LocalEducationAgencyId>100</LocalEducationAgencyId></LocalEducationAgencyIdentity>"
           "</LocalEducationAgencyReference></School>\n")
    _write(f, "Student.xml", "InterchangeStudent", "".join(
        f"<Student><StudentUniqueId>{s}</StudentUniqueId><BirthData><BirthDate>2014-01-01"
        "</BirthDate></BirthData></Student>\n" for s in ("S1", "S2", "S3")))
    _write(f, "StudentEnrollment.xml", "InterchangeStudentEnrollment",
           _ssa("S1", "2023-08-21") + _ssa("S2", "2023-08-28")
           + _ssa("S3", "2023-08-21", "2024-01-12") + "".join(
               f"<StudentEducationOrganizationAssociation>{_student(s)}"
               "<EducationOrganizationReference><EducationOrganizationIdentity>"
               "<EducationOrganizationId>100</EducationOrganizationId>"
               "</EducationOrganizationIdentity></EducationOrganizationReference>"
               f"<Sex>{ED}SexDescriptor#Female</Sex><Race>{ED}RaceDescriptor#Asian</Race>"
               "</StudentEducationOrganizationAssociation>\n" for s in ("S1", "S2", "S3")))
    dates = "".join(
        f"<CalendarDate><Date>{d}</Date><CalendarEvent>{ED}CalendarEventDescriptor#"
        "Instructional day</CalendarEvent><CalendarReference><CalendarIdentity><CalendarCode>"
        f"{code}</CalendarCode>{SCHOOL}<SchoolYear>2023-2024</SchoolYear></CalendarIdentity>"
        "</CalendarReference></CalendarDate>\n" for code in ("C1", "C2") for d in FALL)
    _write(f, "EducationOrgCalendar.xml", "InterchangeEducationOrgCalendar",
           _session("Fall", "2023-08-21", "2023-09-01", 10)
           + _session("Winter", "2024-01-08", "2024-01-19", 10) + dates)
    _write(f, "StudentSchoolAttendance.xml", "InterchangeStudentAttendance",
           _absence("S1", "2023-08-22") + _absence("S1", "2023-08-26")  # a Saturday
           + _absence("S1", "2024-01-10") + _absence("S2", "2023-08-22")  # before S2 entered
           + _absence("S2", "2023-08-29"))
    # a result from before S1 entered, in the school year it states: no school to count it at
    _write(f, "StudentAssessment.xml", "InterchangeStudentAssessment",
           "<StudentAssessment><StudentAssessmentIdentifier>A1</StudentAssessmentIdentifier>"
           "<AdministrationDate>2023-08-01</AdministrationDate><ScoreResult><Result>2500"
           f"</Result><AssessmentReportingMethod>{ED}AssessmentReportingMethodDescriptor#"
           f"Scale score</AssessmentReportingMethod></ScoreResult>{_student('S1')}"
           "<AssessmentReference><AssessmentIdentity><AssessmentIdentifier>SBAC-ELA-4"
           "</AssessmentIdentifier></AssessmentIdentity></AssessmentReference>"
           "<SchoolYear>2023-2024</SchoolYear></StudentAssessment>\n")
    out = tmp_path_factory.mktemp("edfi-sessions-db")
    report = ingest_bundle(f, out / "w.duckdb", rejects_path=out / "rejects.csv",
                           source="edfi")
    with (out / "rejects.csv").open(encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    con = duckdb.connect(str(out / "w.duckdb"), read_only=True)
    rows = con.execute("SELECT student_id, days_enrolled, days_absent FROM enrollments "
                       "ORDER BY student_id").fetchall()
    con.close()
    return report, rejects, rows


def test_days_from_a_complete_calendar_and_from_a_session_total(loaded) -> None:
    """S1, the whole year: fall 10 listed days (each listed by two calendars, counted once)
    + winter 10 (its calendar lists none: TotalInstructionalDays) = 20; absent Aug 22 and
    Jan 10 (a winter day: any day of an incomplete session counts), not the Saturday Aug 26
    (no instructional day of the complete fall calendar): 2.
    S2, from Aug 28: the fall's listed days from then, 5, + winter 10 = 15; absent Aug 29
    only (Aug 22 is before entry): 1."""
    _, _, rows = loaded
    assert rows == [("S1", 20.0, 2.0), ("S2", 15.0, 1.0)]


def test_an_enrollment_cut_by_an_incomplete_session_is_rejected_naming_it(loaded) -> None:
    """And an assessment no enrollment covers is rejected with the school unknown."""
    report, rejects, _ = loaded
    assert report.exit_code == 1
    rejects = sorted(rejects, key=lambda r: r["table_name"], reverse=True)
    assert [(r["table_name"], r["file"], r["line"], r["column"], r["value"]) for r in rejects
            ] == [("enrollments", "StudentEnrollment.xml", "5", "days_enrolled",
                   "2023-08-21 to 2024-01-12"),
                  ("assessments", "StudentAssessment.xml", "3", "school_id", "S1 on 2023-08-01")]
    assert rejects[1]["reason"] == ("no StudentSchoolAssociation of this student covers the "
                                    "administration date: the school is unknown (never guessed)")
    assert rejects[0]["reason"] == (
        "the enrollment starts or ends inside the session Winter (2024-01-08 to 2024-01-19), "
        "whose calendar lists 0 of its 10 instructional days: its days enrolled cannot be "
        "counted (never estimated)")
    notes = " ".join(report.notes)
    assert "list 0 of the 10 instructional days of their 1 session(s)" in notes
    assert "1 absence event(s) fall on no instructional day" in notes
