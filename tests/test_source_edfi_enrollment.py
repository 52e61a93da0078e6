"""Ed-Fi enrollments end to end, on a small interchange set written here (the Grand Bend sample
lacks the StudentEnrollment interchange): school enrollments, sex and race from the
StudentEnrollment interchange, days enrolled from the calendar, days absent from attendance
events, programs; an unmapped descriptor is rejected with file, line and value; and chronic
absence, checked by hand on each student."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from gapwatch.config import Config
from gapwatch.indicators.results import compute
from gapwatch.ingest import ingest_bundle

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<{0} xmlns="http://ed-fi.org/5.2.0">\n')
ED = "uri://ed-fi.org/"


def _student(sid: str) -> str:
    return f"<StudentReference><StudentIdentity><StudentUniqueId>{sid}</StudentUniqueId>" \
           "</StudentIdentity></StudentReference>"


SCHOOL = "<SchoolReference><SchoolIdentity><SchoolId>101</SchoolId></SchoolIdentity>" \
         "</SchoolReference>"
LEA = "<EducationOrganizationReference><EducationOrganizationIdentity>" \
      "<EducationOrganizationId>100</EducationOrganizationId>" \
      "</EducationOrganizationIdentity></EducationOrganizationReference>"
#: forty instructional days, the weekdays from Aug 21, 2023, Labor Day (Sep 4) a holiday:
#: chronic absence counts students enrolled 31 days or more
DAYS = [d.isoformat() for d in (date(2023, 8, 21) + timedelta(days=i) for i in range(60))
        if d.weekday() < 5 and d != date(2023, 9, 4)][:40]


def _write(folder: Path, name: str, root: str, body: str) -> None:
    (folder / name).write_text(HEAD.format(root) + body + f"\n</{root}>\n", encoding="utf-8")


def _seoa(sid: str, sex: str, extra: str = "") -> str:
    return (f"<StudentEducationOrganizationAssociation>{_student(sid)}{LEA}"
            f"<Sex>{ED}SexDescriptor#{sex}</Sex>{extra}"
            "</StudentEducationOrganizationAssociation>\n")


def _ssa(sid: str, exit_date: str = "") -> str:
    out = f"<ExitWithdrawDate>{exit_date}</ExitWithdrawDate>" if exit_date else ""
    return (f"<StudentSchoolAssociation>{_student(sid)}{SCHOOL}<SchoolYear>2023-2024</SchoolYear>"
            f"<EntryDate>2023-08-21</EntryDate>"
            f"<EntryGradeLevel>{ED}GradeLevelDescriptor#Third grade</EntryGradeLevel>{out}"
            "</StudentSchoolAssociation>\n")


def _absence(sid: str, day: str, category: str) -> str:
    return (f"<StudentSchoolAttendanceEvent><AttendanceEvent><EventDate>{day}</EventDate>"
            f"<AttendanceEventCategory>{ED}AttendanceEventCategoryDescriptor#{category}"
            f"</AttendanceEventCategory><EventDuration>1</EventDuration></AttendanceEvent>"
            f"{_student(sid)}{SCHOOL}</StudentSchoolAttendanceEvent>\n")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    f = tmp_path_factory.mktemp("edfi")
    grades = "".join(f"<GradeLevel>{ED}GradeLevelDescriptor#{g}</GradeLevel>"
                     for g in ("Kindergarten", "Third grade", "Fifth grade"))
    _write(f, "EducationOrganization.xml", "InterchangeEducationOrganization",
           "<LocalEducationAgency><LocalEducationAgencyId>100</LocalEducationAgencyId>"
           "<NameOfInstitution>Test Unified</NameOfInstitution></LocalEducationAgency>\n"
           "<School><SchoolId>101</SchoolId><NameOfInstitution>Test Elementary"
           f"</NameOfInstitution><SchoolCategory>{ED}SchoolCategoryDescriptor#Elementary "
           f"School</SchoolCategory>{grades}<LocalEducationAgencyReference>"
           "<LocalEducationAgencyIdentity><LocalEducationAgencyId>100</LocalEducationAgencyId>"
           "</LocalEducationAgencyIdentity></LocalEducationAgencyReference></School>")
    _write(f, "Student.xml", "InterchangeStudent", "".join(
        f"<Student><StudentUniqueId>{s}</StudentUniqueId><BirthData><BirthDate>2015-0{i}-01"
        "</BirthDate></BirthData></Student>\n" for i, s in enumerate(("S1", "S2", "S3"), 1)))
    _write(f, "StudentEnrollment.xml", "InterchangeStudentEnrollment",
           _ssa("S1") + _ssa("S2") + _ssa("S3", "2023-08-31")
           + _seoa("S1", "Female", "<HispanicLatinoEthnicity>true</HispanicLatinoEthnicity>"
                   f"<LimitedEnglishProficiency>{ED}LimitedEnglishProficiencyDescriptor#Limited"
                   "</LimitedEnglishProficiency>")
           + _seoa("S2", "Male", f"<Race>{ED}RaceDescriptor#Black - African American</Race>"
                   f"<Race>{ED}RaceDescriptor#White</Race><StudentCharacteristic>"
                   f"<StudentCharacteristic>{ED}StudentCharacteristicDescriptor#Economic "
                   "Disadvantaged</StudentCharacteristic></StudentCharacteristic>")
           + _seoa("S3", "Not Selected"))
    _write(f, "EducationOrgCalendar.xml", "InterchangeEducationOrgCalendar", "".join(
        f"<CalendarDate><Date>{d}</Date><CalendarEvent>{ED}CalendarEventDescriptor#{e}"
        "</CalendarEvent><CalendarReference><CalendarIdentity><CalendarCode>C1</CalendarCode>"
        f"{SCHOOL}<SchoolYear>2023-2024</SchoolYear></CalendarIdentity></CalendarReference>"
        "</CalendarDate>\n" for d, e in [*((d, "Instructional day") for d in DAYS),
                                         ("2023-09-04", "Holiday")]))
    s1 = [_absence("S1", DAYS[i], "Excused Absence") for i in (1, 2)]
    s1 += [_absence("S1", DAYS[i], "Unexcused Absence") for i in (5, 6, 7)]
    s2 = [_absence("S2", DAYS[i], "Unexcused Absence") for i in (3, 4, 9)]
    _write(f, "StudentSchoolAttendance.xml", "InterchangeStudentAttendance",
           "".join(s1) + _absence("S1", DAYS[8], "Tardy") + "".join(s2)
           + _absence("S2", "2023-12-01", "Unexcused Absence"))
    _write(f, "StudentProgram.xml", "InterchangeStudentProgram",
           f"<StudentSchoolFoodServiceProgramAssociation>{_student('S2')}<ProgramReference>"
           "<ProgramIdentity><ProgramType>" + ED + "ProgramTypeDescriptor#Compensatory "
           "Services for Disadvantaged Students</ProgramType></ProgramIdentity>"
           f"</ProgramReference><BeginDate>2023-08-21</BeginDate>{LEA}"
           "</StudentSchoolFoodServiceProgramAssociation>\n")
    return f


@pytest.fixture(scope="module")
def loaded(folder: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("edfi-db")
    report = ingest_bundle(folder, out / "w.duckdb", rejects_path=out / "rejects.csv",
                           source="edfi")
    return report, out


def test_enrollments_come_with_days_from_the_calendar_and_events(loaded) -> None:
    report, out = loaded
    assert report.exit_code == 1  # S3: sex "Not Selected" is not in the descriptor map
    con = duckdb.connect(str(out / "w.duckdb"), read_only=True)
    rows = con.execute("SELECT student_id, school_year, grade, days_enrolled, days_absent, "
                       "sed, frpm, el_status FROM enrollments ORDER BY student_id").fetchall()
    assert rows == [("S1", 2024, 3, 40.0, 5.0, False, False, "EL"),
                    ("S2", 2024, 3, 40.0, 3.0, True, True, None)]
    students = con.execute("SELECT student_id, race_ethnicity, gender FROM students "
                           "ORDER BY student_id").fetchall()
    assert students == [("S1", "HI", "F"), ("S2", "MR", "M")]
    assert con.execute("SELECT school_type, grade_low, grade_high FROM schools").fetchone() == (
        "ELEM", 0, 5)
    con.close()


def test_an_unmapped_descriptor_is_rejected_with_file_line_and_value(loaded) -> None:
    _, out = loaded
    with (out / "rejects.csv").open(encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    gender = [r for r in rejects if r["column"] == "gender"]
    assert [(r["file"], r["value"]) for r in gender] == [("Student.xml", "Not Selected")]
    assert gender[0]["line"] == "5"  # the S3 <Student> element
    assert any(r["table_name"] == "enrollments" and r["file"] == "StudentEnrollment.xml"
               and r["line"] == "5" for r in rejects)  # S3's enrollment refers to S3


def test_chronic_absence_checked_by_hand(loaded) -> None:
    """S1: 5 absences (the tardy does not count) in 40 days = 12.5%, chronic (10% or more);
    S2: 3 absences in 40 days = 7.5% (Dec 1 is past the calendar's last day), not chronic;
    S3 was rejected. So the school has 2 students, 1 chronically absent."""
    _, out = loaded
    con = duckdb.connect(str(out / "w.duckdb"))
    table, _ = compute(con, Config())
    con.close()
    rows = {(r["entity_type"], r["student_group"]): r for r in table.to_pylist()
            if r["indicator"] == "chronic_absence"}
    everyone = rows["school", "ALL"]
    assert (everyone["n"], everyone["numerator"]) == (2, 1)
    assert everyone["value"] == pytest.approx(0.5)
    assert rows["school", "HI"]["numerator"] == 1 and rows["school", "MR"]["numerator"] == 0


def test_an_absence_on_no_instructional_day_is_not_counted_and_said(loaded) -> None:
    report, _ = loaded
    assert any("1 absence event(s) fall on no instructional day" in n for n in report.notes)
