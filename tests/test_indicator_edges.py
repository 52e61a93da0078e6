"""Edge cases from the methods reference, each on a hand-made bundle with the arithmetic shown.

One school (0101, board district 1) in district D1, school year 2025 (2024-25). Census day is
Wednesday 2024-10-02. Each test writes only the rows it needs.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from gapwatch.calendar import census_day
from gapwatch.config import Config, ConfigError, load_config
from gapwatch.indicators import run
from gapwatch.ingest import ingest_bundle

SCHOOLS = """\
school_id,school_name,district_id,district_name,school_type,grade_low,grade_high,board_district
0101,North Elementary,D1,Test Unified,ELEM,K,8,1
0102,South Elementary,D1,Test Unified,ELEM,K,8,2
"""
ENROLL_HEAD = ("school_year,student_id,school_id,grade,entry_date,exit_date,days_enrolled,"
               "days_absent,sed,el_status")


def students(*rows: str) -> str:
    return ("student_id,race_ethnicity,gender,us_school_entry_date,reclassification_date\n"
            + "\n".join(rows) + "\n")


def build(tmp_path: Path, **tables: str) -> duckdb.DuckDBPyConnection:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "schools.csv").write_text(SCHOOLS)
    for name, text in tables.items():
        (bundle / f"{name}.csv").write_text(text)
    db = tmp_path / "w.duckdb"
    report = ingest_bundle(bundle, db)
    assert report.exit_code == 0, report.examples
    run(db, Config())
    return duckdb.connect(str(db), read_only=True)


def result(con, indicator: str, entity: str = "school", entity_id: str = "0101",
           group: str = "ALL", year: int = 2025) -> tuple | None:
    return con.execute(
        "SELECT n, numerator, value FROM indicator_results WHERE indicator = ? AND "
        "entity_type = ? AND entity_id = ? AND student_group = ? AND school_year = ?",
        [indicator, entity, entity_id, group, year],
    ).fetchone()


def test_census_day_is_the_first_wednesday_of_october() -> None:
    assert census_day(2025).isoformat() == "2024-10-02"
    assert census_day(2024).isoformat() == "2023-10-04"


def test_chronic_absence_needs_31_days_enrolled(tmp_path: Path) -> None:
    # S1: 30 days enrolled, 10 absent -> not eligible.  S2: 31 days, 4 absent -> eligible and
    # chronic (4 >= 3.1).  S3: 31 days, 3 absent -> eligible, not chronic (3 < 3.1).
    con = build(
        tmp_path,
        students=students("1,HI,F,,", "2,HI,M,,", "3,WH,F,,"),
        enrollments=ENROLL_HEAD + "\n"
        "2025,1,0101,3,2025-04-01,,30,10,true,EO\n"
        "2025,2,0101,3,2025-04-01,,31,4,true,EO\n"
        "2025,3,0101,3,2025-04-01,,31,3,false,EO\n",
    )
    assert result(con, "chronic_absence") == (2, 1, 0.5)
    assert result(con, "chronic_absence", group="SED") == (1, 1, 1.0)


def test_zero_days_attended_is_not_counted(tmp_path: Path) -> None:
    # S1 enrolled 40 days, absent all 40: attended none -> outside the universe.
    # S2 enrolled 40, absent 39.5 (attended half a day) -> counted, chronic.
    con = build(
        tmp_path,
        students=students("1,HI,F,,", "2,HI,M,,"),
        enrollments=ENROLL_HEAD + "\n"
        "2025,1,0101,5,2024-08-19,,40,40,true,EO\n"
        "2025,2,0101,5,2024-08-19,,40,39.5,true,EO\n",
    )
    assert result(con, "chronic_absence") == (1, 1, 1.0)


def test_chronic_absence_k8_leaves_out_tk_and_high_school(tmp_path: Path) -> None:
    con = build(
        tmp_path,
        students=students("1,HI,F,,", "2,HI,M,,", "3,HI,M,,"),
        enrollments=ENROLL_HEAD + "\n"
        "2025,1,0101,TK,2024-08-19,,180,30,true,EO\n"
        "2025,2,0101,K,2024-08-19,,180,30,true,EO\n"
        "2025,3,0101,8,2024-08-19,,180,0,true,EO\n",
    )
    assert result(con, "chronic_absence") == (2, 1, 0.5)


DISCIPLINE_HEAD = "school_year,incident_id,student_id,school_id,incident_date,action,days"


def test_partial_suspension_days_add_up_to_a_full_day(tmp_path: Path) -> None:
    # S1: 0.5 + 0.3 + 0.1 = 0.9 days -> not counted.  S2: 0.5 + 0.5 = 1.0 -> counted.
    # S3: 0.1 x 10 = 1.0 exactly (decimal arithmetic, not 0.9999999999999999) -> counted.
    # S4: suspended twice, 1 + 2 days -> counted once.  S5: expelled, other action -> no.
    # Denominator: all five enrolled students (cumulative enrollment).
    incidents = (
        [("1", 0.5), ("1", 0.3), ("1", 0.1), ("2", 0.5), ("2", 0.5)]
        + [("3", 0.1)] * 10 + [("4", 1), ("4", 2)]
    )
    rows = [f"2025,I{i},{s},0101,2024-10-{i + 1:02d},OSS,{d}" for i, (s, d) in enumerate(incidents)]
    rows += ["2025,X1,5,0101,2024-11-01,EXP,0", "2025,X2,5,0101,2024-11-02,OTHER,3"]
    con = build(
        tmp_path,
        students=students(*(f"{i},HI,F,," for i in range(1, 6))),
        enrollments=ENROLL_HEAD + "\n" + "\n".join(
            f"2025,{i},0101,6,2024-08-19,,180,2,true,EO" for i in range(1, 6)) + "\n",
        discipline=DISCIPLINE_HEAD + "\n" + "\n".join(rows) + "\n",
    )
    assert result(con, "suspension_rate") == (5, 3, 0.6)


def test_mid_year_transfer_counts_at_each_school_and_once_in_the_district(
    tmp_path: Path
) -> None:
    # Student 1: 0101 for 80 days (9 absent), then 0102 for 100 days (9 absent).
    # At 0101: 9/80 = 11.25% -> chronic.  At 0102: 9/100 = 9% -> not chronic.
    # District: 18/180 = 10% -> chronic (>= 10%), counted once.
    # A suspension of 1 day at 0102 counts at 0102 and in the district, not at 0101.
    con = build(
        tmp_path,
        students=students("1,AA,M,,"),
        enrollments=ENROLL_HEAD + "\n"
        "2025,1,0101,4,2024-08-19,2024-12-20,80,9,true,EO\n"
        "2025,1,0102,4,2025-01-06,,100,9,true,EO\n",
        discipline=DISCIPLINE_HEAD + "\n2025,I1,1,0102,2025-02-03,ISS,1\n",
    )
    assert result(con, "chronic_absence", "school", "0101") == (1, 1, 1.0)
    assert result(con, "chronic_absence", "school", "0102") == (1, 0, 0.0)
    assert result(con, "chronic_absence", "district", "D1") == (1, 1, 1.0)
    assert result(con, "chronic_absence", "board_district", "2") == (1, 0, 0.0)
    assert result(con, "suspension_rate", "school", "0101") == (1, 0, 0.0)
    assert result(con, "suspension_rate", "school", "0102") == (1, 1, 1.0)
    assert result(con, "suspension_rate", "district", "D1") == (1, 1, 1.0)


ASSESS_HEAD = ("school_year,student_id,school_id,test,subject,grade,scale_score,"
               "performance_level,test_date,administration")


def test_academic_indicator_exclusions(tmp_path: Path) -> None:
    """Grade 5 ELA, Level 3 threshold 2502.

    S1 EO, enrolled all year, 2542 -> DFS +40, included.
    S2 EL in US schools since 2024-09-01 (< 1 year before the 2025-04-20 test) -> excluded.
    S3 EL in US schools since 2023-09-01 (> 1 year) scoring 2482 -> DFS -20, included.
    S4 entered the school 2024-11-04, after census day 2024-10-02 -> excluded at the school,
       but in the district since 2024-08-19 at the other school -> included in the district.
    S5 enrolled all year, no score (missing) -> not counted.
    School 0101: n = 2 (S1, S3), mean (40 - 20) / 2 = 10.  District: S1, S3, S4 (2522, +20):
    (40 - 20 + 20) / 3 = 13.333...
    """
    con = build(
        tmp_path,
        students=students("1,WH,F,2019-08-20,", "2,HI,M,2024-09-01,", "3,HI,F,2023-09-01,",
                          "4,AS,F,2019-08-20,", "5,HI,M,2019-08-20,"),
        enrollments=ENROLL_HEAD + "\n"
        "2025,1,0101,5,2024-08-19,,180,2,false,EO\n"
        "2025,2,0101,5,2024-09-03,,170,2,true,EL\n"
        "2025,3,0101,5,2024-08-19,,180,2,true,EL\n"
        "2025,4,0102,5,2024-08-19,2024-11-01,50,1,false,EO\n"
        "2025,4,0101,5,2024-11-04,,130,1,false,EO\n"
        "2025,5,0101,5,2024-08-19,,180,2,true,EO\n",
        assessments=ASSESS_HEAD + "\n"
        "2025,1,0101,SBAC,ELA,5,2542,3,2025-04-20,SUMMATIVE\n"
        "2025,2,0101,SBAC,ELA,5,2400,1,2025-04-20,SUMMATIVE\n"
        "2025,3,0101,SBAC,ELA,5,2482,2,2025-04-20,SUMMATIVE\n"
        "2025,4,0101,SBAC,ELA,5,2522,3,2025-04-20,SUMMATIVE\n",
    )
    n, _, value = result(con, "ela_dfs")
    assert (n, value) == (2, pytest.approx(10.0, abs=1e-12))
    n, _, value = result(con, "ela_dfs", "district", "D1")
    assert (n, value) == (3, pytest.approx(40 / 3, abs=1e-12))
    assert result(con, "ela_met", "district", "D1") == (3, 2, pytest.approx(2 / 3))
    assert result(con, "ela_dfs", group="EL")[:2] == (1, None)


def test_performance_level_comes_from_the_thresholds_when_missing(tmp_path: Path) -> None:
    # Grade 3 math: Level 3 from 2436.  2436 -> met; 2435 -> not met.
    con = build(
        tmp_path,
        students=students("1,HI,F,,", "2,HI,M,,"),
        enrollments=ENROLL_HEAD + "\n"
        "2025,1,0101,3,2024-08-19,,180,2,true,EO\n"
        "2025,2,0101,3,2024-08-19,,180,2,true,EO\n",
        assessments=ASSESS_HEAD + "\n"
        "2025,1,0101,SBAC,MATH,3,2436,,2025-04-20,SUMMATIVE\n"
        "2025,2,0101,SBAC,MATH,3,2435,,2025-04-20,SUMMATIVE\n",
    )
    assert result(con, "math_met") == (2, 1, 0.5)


def test_academic_el_group_counts_recently_reclassified_students(tmp_path: Path) -> None:
    # S1 RFEP reclassified 2022-05-01 (< 4 years before 2024-07-01): in EL for ELA DFS only.
    # S2 RFEP reclassified 2019-05-01 (> 4 years): not EL.  Both score 2532 (DFS +30) in grade 5.
    con = build(
        tmp_path,
        students=students("1,HI,F,2016-08-20,2022-05-01", "2,HI,M,2016-08-20,2019-05-01"),
        enrollments=ENROLL_HEAD + "\n"
        "2025,1,0101,5,2024-08-19,,180,2,true,RFEP\n"
        "2025,2,0101,5,2024-08-19,,180,2,true,RFEP\n",
        assessments=ASSESS_HEAD + "\n"
        "2025,1,0101,SBAC,ELA,5,2532,3,2025-04-20,SUMMATIVE\n"
        "2025,2,0101,SBAC,ELA,5,2532,3,2025-04-20,SUMMATIVE\n",
    )
    assert result(con, "ela_dfs", group="EL")[0] == 1
    assert result(con, "ela_dfs", group="RFEP")[0] == 2
    assert result(con, "chronic_absence", group="EL") is None  # current ELs only there


def test_graduation_rates_four_year_and_combined(tmp_path: Path) -> None:
    """Cohort 2024: A GRAD, B GRAD_5YR, C DROPOUT.  Cohort 2025: D GRAD, E STILL_ENROLLED.

    Four-year rate 2024: 1 / 3.  2025: 1 / 2.
    Combined 2025: (D + B, B being cohort 2024's fifth-year graduate) / (2 + 1) = 2 / 3.
    """
    con = build(
        tmp_path,
        students=students(*(f"{s},HI,F,," for s in "ABCDE")),
        enrollments=ENROLL_HEAD + "\n"
        + "\n".join(f"2025,{s},0101,12,2024-08-19,,180,2,true,EO" for s in "ABCDE") + "\n",
        graduation_cohorts="cohort_year,student_id,school_id,outcome,graduation_date\n"
        "2024,A,0101,GRAD,2024-06-07\n2024,B,0101,GRAD_5YR,2025-06-06\n"
        "2024,C,0101,DROPOUT,\n2025,D,0101,GRAD,2025-06-06\n2025,E,0101,STILL_ENROLLED,\n",
    )
    con_rows = con.execute(
        "SELECT school_year, n, numerator FROM indicator_results WHERE indicator = "
        "'graduation_rate' AND entity_type = 'school' AND student_group = 'ALL' ORDER BY 1"
    ).fetchall()
    assert con_rows == [(2024, 3, 1), (2025, 2, 1)]
    assert result(con, "graduation_rate_combined") == (3, 2, pytest.approx(2 / 3))


def test_custom_indicator_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "district.toml"
    config.write_text(
        '[groups]\nintersections = ["HI+F"]\n\n[[indicators.custom]]\nid = "attendance_rate"\n'
        'name = "Attendance rate"\ndescription = "Average share of enrolled days attended."\n'
        'universe = "days_enrolled > 0"\noutcome = "days_attended / days_enrolled"\n'
        'kind = "mean"\ndirection = "higher"\n'
    )
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "schools.csv").write_text(SCHOOLS)
    (bundle / "students.csv").write_text(students("1,HI,F,,", "2,HI,M,,"))
    (bundle / "enrollments.csv").write_text(
        ENROLL_HEAD + "\n2025,1,0101,3,2024-08-19,,100,10,true,EO\n"
        "2025,2,0101,3,2024-08-19,,100,30,true,EO\n")
    db = tmp_path / "w.duckdb"
    ingest_bundle(bundle, db)
    run(db, load_config(config))
    con = duckdb.connect(str(db), read_only=True)
    n, _, value = result(con, "attendance_rate")
    assert (n, value) == (2, pytest.approx(0.8))  # (0.9 + 0.7) / 2
    assert result(con, "attendance_rate", group="HI+F")[0] == 1


def test_custom_indicator_with_bad_sql_names_itself(tmp_path: Path) -> None:
    config = tmp_path / "district.toml"
    config.write_text(
        '[[indicators.custom]]\nid = "oops"\nname = "Oops"\ndescription = "x"\n'
        'universe = "TRUE"\noutcome = "no_such_column > 1"\nkind = "rate"\n'
        'direction = "higher"\n'
    )
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "schools.csv").write_text(SCHOOLS)
    (bundle / "students.csv").write_text(students("1,HI,F,,"))
    (bundle / "enrollments.csv").write_text(
        ENROLL_HEAD + "\n2025,1,0101,3,2024-08-19,,100,10,true,EO\n")
    db = tmp_path / "w.duckdb"
    ingest_bundle(bundle, db)
    with pytest.raises(ConfigError, match=r"indicators.custom\[1\] \(oops\).*no_such_column"):
        run(db, load_config(config))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[groups]\nintersections = [\"AA+ZZ\"]\n", "unknown student group 'ZZ'"),
        ("[grups]\n", "unknown section [grups]"),
        ("[indicators]\nunits = 5\n", "unknown setting indicators.units"),
        ("[indicators]\nunits_per_year_course = \"ten\"\n", "should be int"),
    ],
)
def test_config_mistakes_are_named(tmp_path: Path, text: str, message: str) -> None:
    from gapwatch.groups import GroupError, reported_groups

    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises((ConfigError, GroupError), match=None) as err:
        config = load_config(path)
        reported_groups(config["groups.extra"], config["groups.intersections"])
    assert message in str(err.value)
