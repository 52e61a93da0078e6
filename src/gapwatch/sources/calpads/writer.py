"""Write a gapwatch bundle as CALPADS extracts (``gapwatch synth --layout calpads``).

The inverse of the adapter, for what CALPADS carries: enrollments (SENR), students (SINF),
English language acquisition (SELA), programs (SPRG), absence summaries (STAS), discipline
(SINC + SIRS), course sections and marks (CRSC + SCSC), and the CDE school directory
(pubschls.txt) for school names. School codes are the bundle's school_id padded to 7 digits.
Names are left empty: gapwatch has none to give.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import duckdb

from gapwatch.sources.calpads import DIRECTORY_FILE, HERE, layouts
from gapwatch.sources.tomlcodes import bundle_views, reverse_codes
from gapwatch.warehouse import Warehouse

RACE_CODE = {"AA": ["600"], "AI": ["100"], "AS": ["201"], "FI": ["400"], "PI": ["301"],
             "WH": ["700"], "MR": ["600", "700"], "HI": ["700"], "NR": []}
PROGRAMS = {"frpm": "181", "swd": "144", "foster": "190", "homeless": "191", "migrant": "135",
            "dual_language": "301"}
NOT_HS_GRADUATE, DECLINED = "14", "15"


def _ymd(value) -> str:
    return value.strftime("%Y%m%d") if value is not None else ""


def _year(y: int) -> str:
    return f"{y - 1}-{y}"


def _num(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value) == int(value) else str(value)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    for row in cur.fetchall():
        yield dict(zip(names, row, strict=True))


class _Files:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.lines: dict[str, list[str]] = defaultdict(list)

    def add(self, kind: str, **values: object) -> None:
        fields = layouts()[kind]["fields"]
        record = {"record_type_code": kind, **values}
        self.lines[kind].append("^".join(str(record.get(f, "") or "") for f in fields))

    def write(self) -> list[Path]:
        written = []
        for kind, lines in self.lines.items():
            path = self.out / f"{kind}.txt"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            written.append(path)
        return written


def write_calpads(bundle: Path, out: Path) -> list[Path]:
    """Write ``bundle``'s tables as CALPADS extracts in ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    con = bundle_views(bundle, ("schools", "students", "enrollments", "discipline",
                                "course_marks", "sections"))
    codes = reverse_codes(HERE / "codes.toml")
    files = _Files(out)
    lea = {r["school_id"]: r["district_id"] for r in _rows(con, "SELECT * FROM schools")}
    _directory(con, out, codes)
    _enrollments(con, files, codes, lea)
    _discipline(con, files, codes, lea)
    _courses(con, files, codes, lea)
    return [out / DIRECTORY_FILE, *files.write()]


def _school(school_id: str) -> str:
    return school_id.zfill(7)


def _directory(con: duckdb.DuckDBPyConnection, out: Path, codes: dict) -> None:
    with (out / DIRECTORY_FILE).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["CDSCode", "District", "School", "Charter", "SOCType", "EILCode", "GSserved"])
        for s in _rows(con, "SELECT * FROM schools ORDER BY school_id"):
            alt = s["school_type"] == "ALT"
            w.writerow([s["district_id"] + _school(s["school_id"]), s["district_name"],
                        s["school_name"], "Y" if s.get("is_charter") else "N",
                        "Continuation High Schools" if alt else "",
                        "HS" if alt else codes["school_type"].get(s["school_type"], ""),
                        f"{s['grade_low']}-{s['grade_high']}"])


def _enrollments(con: duckdb.DuckDBPyConnection, files: _Files, codes: dict, lea: dict) -> None:
    students = {s["student_id"]: s for s in _rows(con, "SELECT * FROM students")}
    seen_year: set[tuple[str, int]] = set()
    rfep_written: set[str] = set()
    for e in _rows(con, "SELECT * FROM enrollments ORDER BY student_id, school_year, entry_date"):
        s = students[e["student_id"]]
        year, sid = e["school_year"], e["student_id"]
        common = dict(reporting_lea=lea[e["school_id"]], school_of_attendance=_school(
            e["school_id"]), academic_year_id=_year(year), ssid="9" + sid.zfill(9)[-9:],
            local_student_id=sid, student_legal_first_name=s.get("first_name") or "",
            student_legal_last_name=s.get("last_name") or "",
            student_birth_date=_ymd(s["birth_date"]), student_gender_code=s["gender"])
        files.add("SENR", **common, enrollment_start_date=_ymd(e["entry_date"]),
                  enrollment_status_code="10", grade_level_code=codes["grade"][e["grade"]],
                  enrollment_exit_date=_ymd(e["exit_date"]))
        files.add("STAS", **common, hourly_attendance_system_indicator="N",
                  expected_attendance_days=_num(e["days_enrolled"]),
                  days_attended_in_school=_num(
                      None if e["days_enrolled"] is None
                      else e["days_enrolled"] - (e["days_absent"] or 0)),
                  days_absent_unexcused_non_suspension=_num(e["days_absent"]))
        for column, program in PROGRAMS.items():
            if e[column]:
                files.add("SPRG", **common, education_program_code=program,
                          education_program_membership_code="1",
                          education_program_membership_start_date=_ymd(e["entry_date"]),
                          education_program_membership_end_date=_ymd(e["exit_date"])
                          or f"{year}0630")
        if (sid, year) in seen_year:
            continue
        seen_year.add((sid, year))
        other = any(e[c] for c in ("frpm", "foster", "homeless", "migrant"))
        races = RACE_CODE[s["race_ethnicity"]]
        files.add("SINF", **common, effective_start_date=_ymd(e["entry_date"]),
                  student_hispanic_ethnicity_indicator="Y" if s["race_ethnicity"] == "HI" else "N",
                  **{f"student_race_{i + 1}_code": r for i, r in enumerate(races)},
                  student_race_missing_indicator="N" if races else "Y",
                  student_initial_us_school_enrollment_date_k12=_ymd(s["us_school_entry_date"]),
                  parent_guardian_highest_education_level_code=(
                      NOT_HS_GRADUATE if e["sed"] and not other else DECLINED))
        reclass = s["reclassification_date"]
        start = e["entry_date"]
        if e["el_status"] == "RFEP" and reclass is not None and reclass <= start:
            start = reclass
            rfep_written.add(sid)
        if e["el_status"] is not None:
            files.add("SELA", **common, english_language_acquisition_status_code=e["el_status"],
                      english_language_acquisition_status_start_date=_ymd(start),
                      primary_language_code=_language(codes, s["home_language"]))
    for sid, s in students.items():
        if s["reclassification_date"] is not None and sid not in rfep_written:
            files.add("SELA", local_student_id=sid, ssid="9" + sid.zfill(9)[-9:],
                      english_language_acquisition_status_code="RFEP",
                      english_language_acquisition_status_start_date=_ymd(
                          s["reclassification_date"]),
                      primary_language_code=_language(codes, s["home_language"]))


def _language(codes: dict, name: str | None) -> str:
    if name is None:
        return ""
    if name not in codes["language"]:
        raise ValueError(f"no CALPADS language code for {name!r}: add it to codes.toml")
    return codes["language"][name]


def _discipline(con: duckdb.DuckDBPyConnection, files: _Files, codes: dict, lea: dict) -> None:
    if "discipline" not in Warehouse(con).views():
        return
    for d in _rows(con, "SELECT * FROM discipline ORDER BY school_year, incident_id"):
        common = dict(reporting_lea=lea[d["school_id"]], school_of_attendance=_school(
            d["school_id"]), academic_year_id=_year(d["school_year"]),
            incident_id_local=d["incident_id"], local_student_id=d["student_id"])
        files.add("SINC", **common, incident_occurrence_date=_ymd(d["incident_date"]),
                  student_offense_code=d["offense_code"])
        files.add("SIRS", **common, incident_result_code=codes["incident_result"][d["action"]],
                  incident_result_duration_days=_num(d["days"]))


def _courses(con: duckdb.DuckDBPyConnection, files: _Files, codes: dict, lea: dict) -> None:
    if "course_marks" not in Warehouse(con).views():
        return
    subject = codes["state_course_subject"]
    for s in _rows(con, """
            SELECT s.*, t.term, n.course_name FROM sections s
            LEFT JOIN (SELECT DISTINCT school_year, school_id, section_id, term
                       FROM course_marks) t USING (school_year, school_id, section_id)
            LEFT JOIN (SELECT school_year, school_id, course_id, any_value(course_name)
                       AS course_name FROM course_marks GROUP BY ALL) n
              USING (school_year, school_id, course_id)
            ORDER BY school_year, school_id, section_id, term"""):
        files.add("CRSC", reporting_lea=lea[s["school_id"]],
                  school_of_attendance=_school(s["school_id"]),
                  academic_year_id=_year(s["school_year"]), local_staff_id=s["teacher_staff_id"],
                  state_course_code=subject[s["subject_area"]], local_course_id=s["course_id"],
                  course_name=s["course_name"], course_section_id=s["section_id"],
                  academic_term_code=s["term"] or "FY")
    for m in _rows(con, "SELECT * FROM course_marks ORDER BY school_year, student_id"):
        files.add("SCSC", reporting_lea=lea[m["school_id"]],
                  school_of_attendance=_school(m["school_id"]),
                  academic_year_id=_year(m["school_year"]), local_student_id=m["student_id"],
                  local_course_id=m["course_id"], course_section_id=m["section_id"],
                  academic_term_code=m["term"], student_credits_attempted=_num(
                      m["credits_attempted"]),
                  student_credits_earned=_num(m["credits_earned"]),
                  student_course_final_grade=m["mark"],
                  uc_csu_admission_requirement_code=(m["ag_area"] or "").upper())
