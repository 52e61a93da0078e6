"""Ed-Fi XML interchanges, on the Grand Bend sample district (../shared/external): what it
carries is read and translated through the descriptor map; what it lacks (the StudentEnrollment
interchange: enrollments, sex, race) refuses the load with the reason, never invented."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pytest

from gapwatch.ingest import check_bundle
from gapwatch.ingest.problems import PROBLEMS_DDL
from gapwatch.sources import stage_source

GRAND_BEND = Path(__file__).resolve().parents[1].parent / "shared" / "external" / "edfi-grand-bend"
NS = "{http://ed-fi.org/5.2.0}"
pytestmark = [
    pytest.mark.external,
    pytest.mark.skipif(not GRAND_BEND.exists(),
                       reason="../shared/external/edfi-grand-bend is absent"),
]


def _elements(file: str, tag: str) -> list[ET.Element]:
    return ET.parse(GRAND_BEND / file).getroot().findall(f"{NS}{tag}")


@pytest.fixture(scope="module")
def staged():
    con = duckdb.connect()
    con.execute(PROBLEMS_DDL)
    result = stage_source(con, GRAND_BEND, "edfi")
    yield con, result
    con.close()


def test_grand_bend_is_refused_naming_the_missing_interchange(tmp_path: Path) -> None:
    report = check_bundle(GRAND_BEND, source="edfi", rejects_path=tmp_path / "r.csv")
    assert report.exit_code == 2
    refusals = " ".join(report.refusals)
    assert "required column(s) students: race_ethnicity, gender" in refusals
    assert "required table enrollments cannot be built" in refusals
    assert refusals.count("StudentEnrollment interchange") >= 2
    assert any("StudentEnrollment" in n and "never estimated" in n for n in report.notes)
    assert any("interventions left out" in n and "no MTSS tier" in n for n in report.notes)
    coverage = {c.indicator: c for c in report.coverage}
    assert not any(c.computable for c in coverage.values())
    assert coverage["chronic_absence"].missing == "no enrollments table"


def test_grand_bend_records_are_all_read(staged) -> None:
    con, _ = staged
    counts = {
        "src_schools": len(_elements("EducationOrganization.xml", "School")),
        "src_students": len(_elements("Student.xml", "Student")),
        "src_student_school_attendance_events": len(
            _elements("StudentSchoolAttendance.xml", "StudentSchoolAttendanceEvent")),
        "src_discipline_actions": len(_elements("StudentDiscipline.xml", "DisciplineAction")),
        "src_student_assessments": len(
            _elements("StudentAssessment-StateAssessment.xml", "StudentAssessment")),
        "src_staff_assignments": len(_elements(
            "StaffAssociation.xml", "StaffEducationOrganizationAssignmentAssociation")),
        "src_special_education": len(
            _elements("StudentProgram.xml", "StudentSpecialEducationProgramAssociation")),
    }
    assert counts == {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts}
    assert counts["src_students"] == 960 and counts["src_student_school_attendance_events"] == 1917


def test_grand_bend_descriptors_are_translated(staged) -> None:
    con, result = staged
    schools = con.execute("SELECT school_id, school_type, grade_low, grade_high, district_name "
                          "FROM stage_schools ORDER BY school_id").fetchall()
    assert schools == [("255901001", "HIGH", "9", "12", "Grand Bend ISD"),
                       ("255901044", "MIDDLE", "6", "8", "Grand Bend ISD"),
                       ("255901107", "ELEM", "1", "5", "Grand Bend ISD")]
    # one row per student and incident; the most severe action and the days summed
    actions = _elements("StudentDiscipline.xml", "DisciplineAction")
    keys = {(a.find(f".//{NS}IncidentIdentifier").text, a.find(f".//{NS}StudentUniqueId").text)
            for a in actions}
    rows = con.execute("SELECT incident_id, student_id, action, days FROM stage_discipline"
                       ).fetchall()
    assert len(rows) == len(keys)
    assert {r[2] for r in rows} == {"ISS", "EXP"}
    by_key = {(r[0], r[1]): r for r in rows}
    days_18 = sum(float(a.find(f"{NS}ActualDisciplineActionLength").text) for a in actions
                  if a.find(f".//{NS}IncidentIdentifier").text == "18"
                  and a.find(f".//{NS}StudentUniqueId").text == "604848")
    assert float(by_key["18", "604848"][3]) == days_18 == 6
    roles = dict(con.execute("SELECT role, count(*) FROM stage_staff GROUP BY role").fetchall())
    assert roles["TEACHER"] == 54 and roles["PRINCIPAL"] == 3
    # what it lacks is empty, not made up
    assert con.execute("SELECT count(race_ethnicity), count(gender), count(birth_date) "
                       "FROM stage_students").fetchone() == (0, 0, 960)
    assert "enrollments" not in result.tables
