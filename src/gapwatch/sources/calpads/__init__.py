"""CALPADS extracts (caret-delimited, CALPADS File Specifications) as a gapwatch source.

Every file in the folder whose records start with a known Record Type Code (SENR, SINF, SELA,
SPRG, STAS, SINC, SIRS, SDIS, CRSC, SCSC, SCTE) is read with the field order of
``layouts.toml``; several files of one type (one per school) are read together. The CDE public
school directory (``pubschls.txt``, tab-delimited) gives school names, types and grade spans,
which no CALPADS extract carries. ``mapping.toml`` and ``codes.toml`` (data) say how the
contract tables are built; this module only reads records and derives two views:
``enrollment`` (SENR records collapsed to one per student, school and year, with the program,
guardian-education and absence facts the mapping needs) and ``student`` (the latest SINF record
of each student).
"""

from __future__ import annotations

import csv
import tomllib
from functools import cache
from pathlib import Path

import duckdb

from gapwatch.ingest.mapping import Mapping
from gapwatch.sources.base import (
    SourceRead,
    load_builtin_mapping,
    record_problem,
    stage_empty,
    stage_records,
)

HERE = Path(__file__).parent
DIRECTORY_FILE = "pubschls.txt"
DIRECTORY_COLUMNS = ["cdscode", "district", "school", "charter", "soctype", "eilcode", "gsserved"]
DELETE = "D"

#: where each contract column comes from, said when it is missing
HINTS = {
    "schools": "School names, types and grade spans are not in any CALPADS extract: put the "
               "CDE public school directory (pubschls.txt) or a schools.csv in the folder.",
    "students": "Students come from the SINF (Student Information) extract.",
    "enrollments": "Enrollments come from the SENR (SSID Enrollment) extract.",
    "students.race_ethnicity": "Race/ethnicity comes from SINF fields Hispanic Ethnicity "
                               "Indicator and Race 1-5 Codes.",
}


@cache
def layouts() -> dict[str, dict]:
    return tomllib.loads((HERE / "layouts.toml").read_text(encoding="utf-8"))


def builtin_mapping() -> Mapping:
    return load_builtin_mapping(HERE / "mapping.toml", HERE / "codes.toml")


def columns(name: str) -> list[str]:
    """Fields of a record type or derived view (for an empty stand-in when it is absent)."""
    if name == "directory":
        return DIRECTORY_COLUMNS
    if name == "student":
        return layouts()["SINF"]["fields"]
    if name == "enrollment":
        return [*layouts()["SENR"]["fields"], *_ENROLLMENT_FACTS]
    return layouts()[name.upper()]["fields"]


def _record_type(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline()
    except OSError:
        return None
    code = first.split("^", 1)[0].strip().upper()
    return code if code in layouts() and "^" in first else None


def read(con: duckdb.DuckDBPyConnection, folder: Path) -> SourceRead:
    found: dict[str, list[Path]] = {}
    out = SourceRead()
    for path in sorted(folder.iterdir()):
        if path.is_file() and (kind := _record_type(path)):
            found.setdefault(kind, []).append(path)
            out.files.append(path.name)
    for kind, paths in found.items():
        out.sources[kind.lower()] = _read_records(con, kind, paths)
    for kind in layouts():
        if kind not in found:
            stage_empty(con, kind.lower(), layouts()[kind]["fields"])
    directory = folder / DIRECTORY_FILE
    if directory.is_file():
        out.files.append(DIRECTORY_FILE)
        out.sources["directory"] = _read_directory(con, directory)
    _install_macros(con)
    if "SINF" in found:
        out.sources["student"] = _derive(con, "student", _STUDENT_SQL, out.sources["sinf"])
    if "SENR" in found:
        out.sources["enrollment"] = _derive(
            con, "enrollment", _enrollment_sql(programs_known="SPRG" in found),
            out.sources["senr"])
    if not found:
        out.notes.append(f"{folder}: no CALPADS extract found (files whose records start with "
                         f"one of {', '.join(layouts())} and a caret)")
    return out


def _read_records(con: duckdb.DuckDBPyConnection, kind: str, paths: list[Path]):
    fields = layouts()[kind]["fields"]
    records, problems = [], []
    label = ", ".join(p.name for p in paths)
    for path in paths:
        with path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    text = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
                except UnicodeDecodeError as err:
                    shown = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                    problems.append(record_problem(
                        path.name, number, shown, f"{kind} record is not valid UTF-8 text at "
                        f"byte {err.start + 1}: save the extract as UTF-8"))
                    continue
                if not text.strip():
                    continue
                values = text.split("^")
                if len(values) < len(fields):
                    problems.append(record_problem(
                        path.name, number, text,
                        f"{kind} record has {len(values)} fields; the layout has "
                        f"{len(fields)} (layouts.toml)"))
                elif values[1].strip().upper() == DELETE:
                    problems.append(record_problem(
                        path.name, number, text, f"{kind} record is a delete transaction (D), "
                        "not a current record"))
                else:
                    records.append((path.name, number,
                                    [v.strip() for v in values[: len(fields)]]))
    return stage_records(con, kind.lower(), label, fields, records, problems)


def _read_directory(con: duckdb.DuckDBPyConnection, path: Path):
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        header = {h.lower(): h for h in (reader.fieldnames or [])}
        rows = [
            (DIRECTORY_FILE, reader.line_num,
             [row.get(header.get(c, ""), "") for c in DIRECTORY_COLUMNS])
            for row in reader
        ]
    return stage_records(con, "directory", DIRECTORY_FILE, DIRECTORY_COLUMNS, rows, path=path)


def _derive(con: duckdb.DuckDBPyConnection, name: str, sql: str, base):
    con.execute(f"CREATE OR REPLACE TABLE src_{name} AS {sql}")
    rows = con.execute(f"SELECT count(*) FROM src_{name}").fetchone()[0]
    return type(base)(base.path, base.label, f"src_{name}", columns(name), rows,
                      base.problems)


_MACROS = """
CREATE OR REPLACE MACRO cp_date(d) AS CASE WHEN regexp_full_match(d, '[0-9]{8}')
    THEN substr(d, 1, 4) || '-' || substr(d, 5, 2) || '-' || substr(d, 7, 2) ELSE d END;
CREATE OR REPLACE MACRO cp_year(y) AS CASE WHEN regexp_full_match(y, '[0-9]{4}-[0-9]{4}')
    THEN substr(y, 6, 4) ELSE y END;
CREATE OR REPLACE MACRO cp_days(parts) AS CASE
    WHEN list_count(list_filter(parts,
                                lambda p: p IS NOT NULL AND TRY_CAST(p AS DOUBLE) IS NULL)) > 0
    THEN array_to_string(parts, '+')
    ELSE CAST(list_sum(list_transform(parts, lambda p: coalesce(TRY_CAST(p AS DOUBLE), 0)))
              AS VARCHAR)
    END;
CREATE OR REPLACE MACRO cp_race_group(c) AS CASE WHEN c = '100' THEN 'AI'
    WHEN c BETWEEN '201' AND '299' THEN 'AS' WHEN c BETWEEN '301' AND '399' THEN 'PI'
    WHEN c = '400' THEN 'FI' WHEN c = '600' THEN 'AA' WHEN c = '700' THEN 'WH'
    ELSE 'race code ' || c END;
CREATE OR REPLACE MACRO cp_race(hispanic, missing, races) AS CASE
    WHEN upper(hispanic) = 'Y' THEN 'HI'
    WHEN len(list_filter(races, lambda r: r IS NOT NULL)) = 0 THEN 'NR'
    WHEN len(list_distinct(list_transform(list_filter(races, lambda r: r IS NOT NULL),
                                          lambda r: cp_race_group(r)))) > 1 THEN 'MR'
    ELSE cp_race_group(list_filter(races, lambda r: r IS NOT NULL)[1]) END;
CREATE OR REPLACE MACRO cp_grade_span(span, part) AS
    trim(string_split(replace(span, ' ', ''), '-')[part]);
"""


def _install_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_MACROS)


_STUDENT_SQL = """
SELECT * EXCLUDE (k) FROM (
  SELECT *, row_number() OVER (PARTITION BY local_student_id
      ORDER BY effective_start_date DESC NULLS LAST, _line DESC) AS k FROM src_sinf)
WHERE k = 1 ORDER BY _line
"""

_ENROLLMENT_FACTS = ["program_135", "program_144", "program_181_182", "program_190",
                     "program_191", "program_301", "parent_education_level",
                     "stas_or_programs_known"]


def _enrollment_sql(programs_known: bool) -> str:
    """SENR collapsed to one row per year, student and school (a grade change splits a
    CALPADS enrollment in two), with the facts of that stay from SPRG and SINF."""
    def program(codes: str) -> str:
        return (f"EXISTS (SELECT 1 FROM src_sprg p WHERE p.local_student_id = e.local_student_id "
                f"AND p.school_of_attendance = e.school_of_attendance "
                f"AND p.education_program_code IN ({codes}) "
                f"AND coalesce(p.education_program_membership_start_date, '0') <= "
                f"coalesce(e.enrollment_exit_date, substr(e.academic_year_id, 6, 4) || '0630') "
                f"AND coalesce(p.education_program_membership_end_date, '99999999') >= "
                f"e.enrollment_start_date)")
    facts = {
        "program_135": program("'135'"), "program_144": program("'144'"),
        "program_181_182": program("'181', '182'"), "program_190": program("'190'"),
        "program_191": program("'191'"), "program_301": program("'301'"),
        "parent_education_level": (
            "(SELECT arg_max(i.parent_guardian_highest_education_level_code, "
            "i.effective_start_date) FROM src_sinf i WHERE i.local_student_id = "
            "e.local_student_id AND coalesce(i.effective_start_date, '0') <= "
            "e.enrollment_start_date)"),
        "stas_or_programs_known": "TRUE" if programs_known else "FALSE",
    }
    senr = ", ".join(f"e.{c}" for c in layouts()["SENR"]["fields"])
    return f"""
WITH g AS (
  SELECT * EXCLUDE (enrollment_start_date, enrollment_exit_date, grade_level_code),
    min(enrollment_start_date) OVER w AS enrollment_start_date,
    CASE WHEN count(*) FILTER (WHERE enrollment_exit_date IS NULL) OVER w > 0 THEN NULL
         ELSE max(enrollment_exit_date) OVER w END AS enrollment_exit_date,
    arg_max(grade_level_code, enrollment_start_date) OVER w AS grade_level_code,
    row_number() OVER (PARTITION BY academic_year_id, local_student_id, school_of_attendance
                       ORDER BY _line) AS k
  FROM src_senr
  WINDOW w AS (PARTITION BY academic_year_id, local_student_id, school_of_attendance))
SELECT e._file, e._line, {senr}, {', '.join(f'{sql} AS {name}' for name, sql in facts.items())}
FROM (SELECT * FROM g WHERE k = 1) e ORDER BY e._line
"""
