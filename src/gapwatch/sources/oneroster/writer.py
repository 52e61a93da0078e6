"""Write a gapwatch bundle as OneRoster 1.2 CSV files (``gapwatch synth --layout oneroster``).

A OneRoster bulk export is one school year: the latest year of the bundle is written. Files
have exactly the headers of ``headers.toml``; sourcedIds are made from gapwatch identifiers
(``stu-<student_id>``, ``org-<school_id>``, ...) and each record's ``identifier`` keeps the
gapwatch identifier. Credits go in the ``metadata.credits`` extension column of courses.csv.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from gapwatch.sources.oneroster import HERE, extensions, headers
from gapwatch.sources.tomlcodes import bundle_views, reverse_codes

STAMP = "2025-01-01T00:00:00Z"
RACE = {"AA": "blackOrAfricanAmerican", "AI": "americanIndianOrAlaskaNative", "AS": "asian",
        "FI": "asian", "PI": "nativeHawaiianOrOtherPacificIslander", "WH": "white",
        "MR": "demographicRaceTwoOrMoreRaces"}
SEX = {"F": "female", "M": "male", "X": "other"}
TERM_TITLE = {"FY": "Full Year", "S1": "Semester 1", "S2": "Semester 2", "T1": "Trimester 1",
              "T2": "Trimester 2", "T3": "Trimester 3", "Q1": "Quarter 1", "Q2": "Quarter 2",
              "Q3": "Quarter 3", "Q4": "Quarter 4"}


def _rows(con, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def write_oneroster(bundle: Path, out: Path) -> list[Path]:
    """Write the latest school year of ``bundle`` as OneRoster 1.2 CSV files in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    con = bundle_views(bundle, ("schools", "students", "enrollments", "course_marks",
                                "sections"))
    year = con.execute("SELECT max(school_year) FROM enrollments").fetchone()[0]
    codes = reverse_codes(HERE / "mapping.toml")
    files: dict[str, list[dict]] = defaultdict(list)
    _orgs_and_sessions(con, files, year)
    _people(con, files, year, codes)
    _classes(con, files, year, codes)
    written = []
    for file, cols in headers().items():
        if file == "manifest.csv":
            continue
        written.append(_write(out / file, cols + extensions().get(file, []), files[file]))
    manifest = [{"propertyName": "manifest.version", "value": "1.0"},
                {"propertyName": "oneroster.version", "value": "1.2"}]
    manifest += [{"propertyName": f"file.{f.removesuffix('.csv')}", "value": "bulk"}
                 for f in headers() if f != "manifest.csv"]
    manifest += [{"propertyName": "source.systemName", "value": "gapwatch synth"}]
    written.append(_write(out / "manifest.csv", headers()["manifest.csv"], manifest))
    return written


def _write(path: Path, cols: list[str], rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for row in rows:
            w.writerow([_text(row.get(c)) for c in cols])
    return path


def _orgs_and_sessions(con, files: dict, year: int) -> None:
    districts = {}
    for s in _rows(con, "SELECT * FROM schools ORDER BY school_id"):
        districts[s["district_id"]] = s["district_name"]
        files["orgs.csv"].append(dict(sourcedId=f"org-{s['school_id']}", status="active",
                                      dateLastModified=STAMP, name=s["school_name"],
                                      type="school", identifier=s["school_id"],
                                      parentSourcedId=f"dst-{s['district_id']}"))
    for did, name in districts.items():
        files["orgs.csv"].insert(0, dict(sourcedId=f"dst-{did}", status="active",
                                         dateLastModified=STAMP, name=name, type="district",
                                         identifier=did))
    files["academicSessions.csv"].append(dict(
        sourcedId=f"sy-{year}", status="active", dateLastModified=STAMP,
        title=f"{year - 1}-{year}", type="schoolYear", startDate=f"{year - 1}-07-01",
        endDate=f"{year}-06-30", schoolYear=year))
    terms = [r["term"] for r in _rows(con, f"SELECT DISTINCT term FROM course_marks "
                                           f"WHERE school_year = {year} ORDER BY term")]
    for term in terms:
        files["academicSessions.csv"].append(dict(
            sourcedId=f"{year}-{term}", status="active", dateLastModified=STAMP,
            title=TERM_TITLE[term], type="term", startDate=f"{year - 1}-07-01",
            endDate=f"{year}-06-30", parentSourcedId=f"sy-{year}", schoolYear=year))


def _people(con, files: dict, year: int, codes: dict) -> None:
    enrolled = _rows(con, f"SELECT * FROM enrollments WHERE school_year = {year} "
                          "ORDER BY student_id, entry_date")
    grade = {e["student_id"]: codes["grade"][e["grade"]] for e in enrolled}
    school = {e["student_id"]: e["school_id"] for e in enrolled}
    for s in _rows(con, "SELECT * FROM students ORDER BY student_id"):
        sid = s["student_id"]
        if sid not in grade:
            continue
        files["users.csv"].append(dict(
            sourcedId=f"stu-{sid}", status="active", dateLastModified=STAMP, enabledUser=True,
            username=f"s{sid}", identifier=sid, grades=grade[sid],
            primaryOrgSourcedId=f"org-{school[sid]}"))
        race = {v: False for v in RACE.values()}
        if s["race_ethnicity"] in RACE:
            race[RACE[s["race_ethnicity"]]] = True
        files["demographics.csv"].append(dict(
            sourcedId=f"stu-{sid}", status="active", dateLastModified=STAMP,
            birthDate=s["birth_date"], sex=SEX[s["gender"]],
            hispanicOrLatinoEthnicity=s["race_ethnicity"] == "HI", **race))
    for e in enrolled:
        files["roles.csv"].append(dict(
            sourcedId=f"role-{e['student_id']}-{e['school_id']}-{year}", status="active",
            dateLastModified=STAMP, userSourcedId=f"stu-{e['student_id']}",
            roleType="primary", role="student", beginDate=e["entry_date"],
            endDate=e["exit_date"], orgSourcedId=f"org-{e['school_id']}"))


def _classes(con, files: dict, year: int, codes: dict) -> None:
    subject = codes["subject"]
    courses = _rows(con, f"""SELECT school_id, course_id, any_value(m.name) AS name,
        any_value(subject_area) AS subject_area, max(m.credits) AS credits FROM
        (SELECT school_id, course_id, subject_area FROM sections WHERE school_year = {year}
         UNION SELECT school_id, course_id, subject_area FROM course_marks
         WHERE school_year = {year}) c
        LEFT JOIN (SELECT school_id, course_id, any_value(course_name) AS name,
                   max(credits_attempted) AS credits FROM course_marks
                   WHERE school_year = {year} GROUP BY ALL) m USING (school_id, course_id)
        GROUP BY ALL ORDER BY ALL""")
    for c in courses:
        files["courses.csv"].append({
            "sourcedId": f"crs-{c['school_id']}-{c['course_id']}", "status": "active",
            "dateLastModified": STAMP, "schoolYearSourcedId": f"sy-{year}", "title": c["name"],
            "courseCode": c["course_id"], "orgSourcedId": f"org-{c['school_id']}",
            "subjects": subject[c["subject_area"]], "metadata.credits": c["credits"]})
    teachers: set[str] = set()
    for s in _rows(con, f"""SELECT s.*, (SELECT string_agg(DISTINCT '{year}-' || m.term, ','
            ORDER BY '{year}-' || m.term) FROM course_marks m WHERE m.school_year = s.school_year
            AND m.school_id = s.school_id AND m.section_id = s.section_id) AS terms
            FROM sections s WHERE school_year = {year} ORDER BY school_id, section_id"""):
        cls = f"cls-{s['school_id']}-{s['section_id']}"
        files["classes.csv"].append(dict(
            sourcedId=cls, status="active", dateLastModified=STAMP, title=s["section_id"],
            courseSourcedId=f"crs-{s['school_id']}-{s['course_id']}", classCode=s["section_id"],
            classType="scheduled", schoolSourcedId=f"org-{s['school_id']}",
            termSourcedIds=s["terms"] or f"sy-{year}", subjects=subject[s["subject_area"]]))
        if s["teacher_staff_id"]:
            tid = s["teacher_staff_id"]
            files["enrollments.csv"].append(dict(
                sourcedId=f"enr-{cls}-{tid}", status="active", dateLastModified=STAMP,
                classSourcedId=cls, schoolSourcedId=f"org-{s['school_id']}",
                userSourcedId=f"tch-{tid}", role="teacher", primary=True))
            if tid not in teachers:
                teachers.add(tid)
                files["users.csv"].append(dict(
                    sourcedId=f"tch-{tid}", status="active", dateLastModified=STAMP,
                    enabledUser=True, username=f"t{tid}", identifier=tid,
                    primaryOrgSourcedId=f"org-{s['school_id']}"))
                files["roles.csv"].append(dict(
                    sourcedId=f"role-{tid}", status="active", dateLastModified=STAMP,
                    userSourcedId=f"tch-{tid}", roleType="primary", role="teacher",
                    orgSourcedId=f"org-{s['school_id']}"))
    seen: set[tuple] = set()
    for m in _rows(con, f"SELECT * FROM course_marks WHERE school_year = {year} "
                        "ORDER BY school_id, section_id, term, student_id"):
        cls = f"cls-{m['school_id']}-{m['section_id']}"
        item = f"li-{m['school_id']}-{m['section_id']}-{m['term']}"
        if item not in seen:
            seen.add(item)
            files["lineItems.csv"].append(dict(
                sourcedId=item, status="active", dateLastModified=STAMP,
                title=f"{m['term']} final mark", classSourcedId=cls,
                gradingPeriodSourcedId=f"{year}-{m['term']}",
                academicSessionSourcedId=f"{year}-{m['term']}"))
        if (cls, m["student_id"]) not in seen:
            seen.add((cls, m["student_id"]))
            files["enrollments.csv"].append(dict(
                sourcedId=f"enr-{cls}-{m['student_id']}", status="active",
                dateLastModified=STAMP, classSourcedId=cls,
                schoolSourcedId=f"org-{m['school_id']}", userSourcedId=f"stu-{m['student_id']}",
                role="student", primary=False))
        files["results.csv"].append(dict(
            sourcedId=f"res-{item}-{m['student_id']}", status="active", dateLastModified=STAMP,
            lineItemSourcedId=item, studentSourcedId=f"stu-{m['student_id']}",
            classSourcedId=cls, scoreStatus="fully graded", textScore=m["mark"]))
