"""A tiny, valid, readable bundle for ingest tests: every value written out by hand.

Two schools, five students, one school year (2025 = 2024-25). Student 1003 transfers from
school 0101 to 0102 mid-year. ``attendance_daily`` covers student 1001's first week only when
asked for (its enrollment row then leaves the days empty, to be derived).
"""

from __future__ import annotations

from pathlib import Path

TABLES: dict[str, str] = {
    "schools": """\
school_id,school_name,district_id,district_name,school_type,grade_low,grade_high,board_district
0101,Jefferson Elementary,0161259,Bayview Unified,ELEM,K,5,1
0102,Roosevelt Elementary,0161259,Bayview Unified,ELEM,TK,5,2
""",
    "students": """\
student_id,race_ethnicity,gender,birth_date,home_language,us_school_entry_date,reclassification_date
1001,HI,F,2015-04-12,Spanish,2020-08-24,
1002,AA,M,2015-07-01,English,2020-08-24,
1003,WH,X,2014-11-30,English,2019-08-26,
1004,AS,F,2016-02-29,Vietnamese,2023-01-09,
1005,HI,M,2015-09-15,Spanish,2020-08-24,2024-05-01
""",
    "enrollments": """\
school_year,student_id,school_id,grade,entry_date,exit_date,days_enrolled,days_absent,sed,el_status,swd
2025,1001,0101,3,2024-08-19,,180,7,true,EL,false
2025,1002,0101,3,2024-08-19,,180,21,1,EO,Y
2025,1003,0101,4,2024-08-19,2024-12-20,80,2,false,EO,N
2025,1003,0102,4,2025-01-06,,100,3,false,EO,N
2025,1004,0102,K,2024-08-19,,180,0,true,EL,false
2025,1005,0102,3,2024-08-19,,179.5,12.5,true,RFEP,false
""",
    "discipline": """\
school_year,incident_id,student_id,school_id,incident_date,action,days,offense_code
2025,I-1,1002,0101,2024-10-01,OSS,0.5,48900(a)(1)
2025,I-2,1002,0101,2024-11-05,ISS,0.5,
2025,I-3,1005,0102,2025-03-03,OTHER,0,
""",
    "assessments": """\
school_year,student_id,school_id,test,subject,grade,scale_score,performance_level,test_date,administration
2025,1001,0101,SBAC,ELA,3,2401,2,2025-04-22,SUMMATIVE
2025,1001,0101,SBAC,MATH,3,2450,3,2025-04-23,SUMMATIVE
2025,1002,0101,SBAC,ELA,3,2500,4,2025-04-22,SUMMATIVE
""",
}

ATTENDANCE = """\
student_id,school_id,date,status,minutes_absent
1001,0101,2024-08-19,P,
1001,0101,2024-08-20,A,
1001,0101,2024-08-21,E,
1001,0101,2024-08-22,P,30
1001,0101,2024-08-23,S,
"""


def write_minibundle(folder: Path, *, attendance: bool = False) -> Path:
    """Write the mini bundle into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = dict(TABLES)
    if attendance:
        tables["attendance_daily"] = ATTENDANCE
        lines = tables["enrollments"].splitlines()
        lines[1] = "2025,1001,0101,3,2024-08-19,2024-08-23,,,true,EL,false"
        tables["enrollments"] = "\n".join(lines) + "\n"
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def rows_in(text: str) -> int:
    return len(text.strip().splitlines()) - 1
