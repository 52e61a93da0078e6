"""Staffing stability and levels by school (gapwatch.resources.staffing).

1. A hand-built warehouse where every number is worked out in the comments.
2. A pandas oracle that recomputes every measure of a synthetic district from the raw tables.
3. The generator's design: high-need schools get more novice teachers.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import stats

from gapwatch.gaps import pp_difference
from gapwatch.ingest import ingest_bundle
from gapwatch.resources.staffing import (
    COLUMNS,
    band_gap,
    staffing_by_band,
    staffing_by_school,
)
from gapwatch.resources.staffing_spec import BANDS, FTE_SHARES, MEANS, RATES, RATIOS
from gapwatch.synth import generate

#: CDE's teacher assignment outcomes (TAMO; METHODS.md 6.2), the test's own reading.
OUTCOMES = {"CLEAR": "clear", "OUT_OF_FIELD": "out_of_field", "INTERN": "intern",
            "INEFFECTIVE": "ineffective", "INCOMPLETE": "incomplete", "UNKNOWN": "unknown",
            "NA": "na"}

# ---------------------------------------------------------------------------------------------
# 1. Hand-built warehouse
# ---------------------------------------------------------------------------------------------
# Schools 0001 Adams (A), 0002 Baker (B), 0003 Carver (C, students but no staff).
# (year, staff_id, school, role, fte, years_experience, years_at_school, credential,
#  out_of_field, assignment_type)
STAFF = [
    # 2023: A teachers T1-T4, principal P1; B teachers U1, U2, principal P3.
    (2023, "T1", "0001", "TEACHER", 1.0, 9, 3, "CLEAR", False, "MUTUAL_CONSENT"),
    (2023, "T2", "0001", "TEACHER", 1.0, 4, 2, "CLEAR", False, "MUTUAL_CONSENT"),
    (2023, "T3", "0001", "TEACHER", 1.0, 30, 10, "CLEAR", False, "MUTUAL_CONSENT"),
    (2023, "T4", "0001", "TEACHER", 1.0, 6, 6, "CLEAR", False, "MUTUAL_CONSENT"),
    (2023, "P1", "0001", "PRINCIPAL", 1.0, 12, 5, "CLEAR", None, "OTHER"),
    (2023, "U1", "0002", "TEACHER", 1.0, 19, 8, "CLEAR", False, "MUTUAL_CONSENT"),
    (2023, "U2", "0002", "TEACHER", 1.0, 3, 3, "PRELIMINARY", False, "MUTUAL_CONSENT"),
    (2023, "P3", "0002", "PRINCIPAL", 1.0, 20, 2, "CLEAR", None, "OTHER"),
    # 2024 at A: T1 stays; T2 moved to B (mover); T3 is gone (leaver); T4 became an assistant
    # principal (leaves teaching: leaver); T5, T6 hired. P1 stays. Counselor, nurse at 0.5 FTE.
    (2024, "T1", "0001", "TEACHER", 1.0, 10, 4, "CLEAR", False, "MUTUAL_CONSENT"),
    (2024, "T4", "0001", "ASSISTANT_PRINCIPAL", 1.0, 7, 7, "CLEAR", None, "OTHER"),
    (2024, "T5", "0001", "TEACHER", 0.5, 1, 0, "INTERN", True, "MANDATORY"),
    (2024, "T6", "0001", "TEACHER", 1.0, 2, 0, "PERMIT", False, "OTHER"),
    (2024, "P1", "0001", "PRINCIPAL", 1.0, 13, 6, "CLEAR", None, "OTHER"),
    (2024, "C1", "0001", "COUNSELOR", 0.5, 5, 1, "CLEAR", None, "OTHER"),
    (2024, "N1", "0001", "NURSE", 0.5, 5, 1, "CLEAR", None, "OTHER"),
    (2024, "S1", "0001", "SOCIAL_WORKER", 1.0, 5, 1, "CLEAR", None, "OTHER"),
    # 2024 at B: U1 stays, U2 is gone (leaver); T2 arrives from A; U3, U4 hired; P4 replaces P3.
    (2024, "T2", "0002", "TEACHER", 1.0, 5, 0, "PRELIMINARY", None, "MANDATORY"),
    (2024, "U1", "0002", "TEACHER", 1.0, 20, 9, "CLEAR", False, "MUTUAL_CONSENT"),
    (2024, "U3", "0002", "TEACHER", 1.0, 0, 0, "WAIVER", True, "OTHER"),
    (2024, "U4", "0002", "TEACHER", 0.5, None, 0, "NONE", False, "MUTUAL_CONSENT"),
    (2024, "P4", "0002", "PRINCIPAL", 1.0, 3, 0, "CLEAR", None, "OTHER"),
    # 2025: A keeps T1, T5 (T6 gone), P2 replaces P1; B keeps T2, U1 (U3, U4 gone) and P4.
    (2025, "T1", "0001", "TEACHER", 1.0, 11, 5, "CLEAR", False, "MUTUAL_CONSENT"),
    (2025, "T5", "0001", "TEACHER", 1.0, 2, 1, "PRELIMINARY", False, "MANDATORY"),
    (2025, "P2", "0001", "PRINCIPAL", 1.0, 8, 0, "CLEAR", None, "OTHER"),
    (2025, "T2", "0002", "TEACHER", 1.0, 6, 1, "PRELIMINARY", False, "MANDATORY"),
    (2025, "U1", "0002", "TEACHER", 1.0, 21, 10, "CLEAR", False, "MUTUAL_CONSENT"),
    (2025, "P4", "0002", "PRINCIPAL", 1.0, 4, 1, "CLEAR", None, "OTHER"),
]
# 2024 sections (year, section, school, is_eld, distinct_substitutes): A has 3 ELD sections
# with 1, 2 and 3 substitutes (2 of 3 with two or more) and a non-ELD one with 5 (ignored);
# B has one ELD section with none (0 of 1). No sections data for 2023 or 2025.
SECTIONS = [
    (2024, "E1", "0001", True, 1), (2024, "E2", "0001", True, 2),
    (2024, "E3", "0001", True, 3), (2024, "M1", "0001", False, 5),
    (2024, "E4", "0002", True, 0), (2024, "M2", "0002", False, 4),
]


def _enrollment_rows() -> list[tuple]:
    """2024 (census day Wednesday 2023-10-04): A 49 all year + 1 leaving ON census day
    (counted) + 1 leaving 2023-09-20 and 2 arriving 2023-11-01 (not counted): census 50,
    cumulative 53. B 70, C 10. 2025: A 40, B 50. No enrollments in 2023."""
    rows: list[tuple] = []

    def add(year: int, school: str, k: int, entry: str, exit_: str | None = None) -> None:
        for _ in range(k):
            rows.append((year, f"S{len(rows):04d}", school, 3, entry, exit_))

    add(2024, "0001", 49, "2023-08-16")
    add(2024, "0001", 1, "2023-08-16", "2023-10-04")
    add(2024, "0001", 1, "2023-08-16", "2023-09-20")
    add(2024, "0001", 2, "2023-11-01")
    add(2024, "0002", 70, "2023-08-16")
    add(2024, "0003", 10, "2023-08-16")
    add(2025, "0001", 40, "2024-08-14")
    add(2025, "0002", 50, "2024-08-14")
    return rows


def _tiny(*, sections: bool = True, optional_staff: bool = True) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.sql("CREATE TABLE schools (school_id VARCHAR, school_name VARCHAR)")
    con.sql("INSERT INTO schools VALUES ('0001', 'Adams'), ('0002', 'Baker'), "
            "('0003', 'Carver')")
    con.sql("CREATE TABLE enrollments (school_year SMALLINT, student_id VARCHAR, "
            "school_id VARCHAR, grade SMALLINT, entry_date DATE, exit_date DATE)")
    con.executemany("INSERT INTO enrollments VALUES (?, ?, ?, ?, ?, ?)", _enrollment_rows())
    if optional_staff:
        con.sql("CREATE TABLE staff (school_year SMALLINT, staff_id VARCHAR, school_id VARCHAR, "
                "role VARCHAR, fte DOUBLE, years_experience INTEGER, years_at_school INTEGER, "
                "credential VARCHAR, out_of_field BOOLEAN, assignment_type VARCHAR)")
        con.executemany("INSERT INTO staff VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", STAFF)
    else:
        con.sql("CREATE TABLE staff (school_year SMALLINT, staff_id VARCHAR, school_id VARCHAR, "
                "role VARCHAR, fte DOUBLE)")
        con.executemany("INSERT INTO staff VALUES (?, ?, ?, ?, ?)", [r[:5] for r in STAFF])
    if sections:
        con.sql("CREATE TABLE sections (school_year SMALLINT, section_id VARCHAR, "
                "school_id VARCHAR, course_id VARCHAR, subject_area VARCHAR, is_eld BOOLEAN, "
                "distinct_substitutes INTEGER)")
        con.executemany("INSERT INTO sections VALUES (?, ?, ?, 'ELD1', 'ELD', ?, ?)", SECTIONS)
    return con


def _rows(table: pa.Table) -> dict[tuple[int, str], dict]:
    return {(r["school_year"], r["school_id"]): r for r in table.to_pylist()}


def _wilson(k: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(int(k), int(n)).proportion_ci(method="wilson")
    return ci.low, ci.high


def test_hand_built_counts_and_rates() -> None:
    t = staffing_by_school(_tiny())
    assert t.column_names == COLUMNS
    r = _rows(t)
    assert sorted(r) == [(2023, "0001"), (2023, "0002"), (2024, "0001"), (2024, "0002"),
                         (2024, "0003"), (2025, "0001"), (2025, "0002")]
    a, b = r[2024, "0001"], r[2024, "0002"]
    assert a["school_name"] == "Adams"
    # Teachers and FTE: A = T1 1.0 + T5 0.5 + T6 1.0 = 2.5; B = 1 + 1 + 1 + 0.5 = 3.5.
    assert (a["teachers"], a["teacher_fte"], b["teachers"], b["teacher_fte"]) == (3, 2.5, 4, 3.5)
    assert (a["counselors"], a["counselor_fte"], a["nurses"], a["nurse_fte"]) == (1, 0.5, 1, 0.5)
    assert (a["social_workers"], a["social_worker_fte"], a["principals"]) == (1, 1.0, 1)
    # Turnover into 2024. A: T1..T4 taught there in 2023; T2 teaches at B (mover), T3 gone and
    # T4 an assistant principal (leavers): 3 of 4. B: U1 stays, U2 gone: 1 of 2.
    assert (a["turnover_num"], a["turnover_den"], a["teacher_movers"], a["teacher_leavers"]) \
        == (3, 4, 1, 2)
    assert (b["turnover_num"], b["turnover_den"], b["teacher_movers"], b["teacher_leavers"]) \
        == (1, 2, 0, 1)
    assert a["turnover_rate"] == 0.75
    assert (a["turnover_ci_low"], a["turnover_ci_high"]) == pytest.approx(_wilson(3, 4))
    # Into 2025: A loses T6 (1 of 3); B loses U3 and U4 (2 of 4).
    assert (r[2025, "0001"]["turnover_num"], r[2025, "0001"]["turnover_den"]) == (1, 3)
    assert (r[2025, "0002"]["turnover_num"], r[2025, "0002"]["turnover_den"]) == (2, 4)
    # Inexperienced (two or fewer years, CDE): A: T5 (1 year) and T6 (2 years) yes, T1 no:
    # 2 of 3 (the old "< 2" rule gave 1 of 3); FTE 0.5 + 1.0 = 1.5 of 2.5 = 60%. B: U3 (0 years)
    # of 3 known (U4 unknown, left out with a note). A 2025: T5 now has 2 years: 1 of 2.
    assert (a["novice_num"], a["novice_den"]) == (2, 3)
    assert (a["novice_fte"], a["novice_fte_pct"]) == pytest.approx((1.5, 60.0))
    assert (b["novice_num"], b["novice_den"]) == (1, 3)
    assert "novice: 1 teacher(s) with unknown years_experience left out" in b["note"]
    assert (r[2025, "0001"]["novice_num"], r[2025, "0001"]["novice_rate"]) == (1, 0.5)
    # TAMO: A: T1 CLEAR -> Clear, T5 INTERN -> Intern, T6 PERMIT -> Ineffective: 2 of 3 not
    # fully credentialed; FTE 1.0 / 0.5 / 1.0 of 2.5 = 40% / 20% / 40%. B: T2 PRELIMINARY with
    # out_of_field not given -> Clear (noted), U1 Clear, U3 WAIVER and U4 NONE -> Ineffective:
    # 2 of 4; FTE Clear 2.0, Ineffective 1.5 of 3.5.
    assert (a["not_fully_credentialed_num"], a["not_fully_credentialed_den"]) == (2, 3)
    assert (a["teachers_intern"], a["teachers_permit_waiver_none"]) == (1, 1)
    assert (b["not_fully_credentialed_num"], b["not_fully_credentialed_den"]) == (2, 4)
    assert (b["teachers_intern"], b["teachers_permit_waiver_none"]) == (0, 2)
    assert [a[f"tamo_{s}_teachers"] for s in OUTCOMES.values()] == [1, 0, 1, 1, 0, 0, 0]
    assert [a[f"tamo_{s}_fte_pct"] for s in OUTCOMES.values()] == pytest.approx(
        [40, 0, 20, 40, 0, 0, 0])
    assert [b[f"tamo_{s}_fte"] for s in OUTCOMES.values()] == pytest.approx(
        [2.0, 0, 0, 1.5, 0, 0, 0])
    assert "TAMO: 1 credentialed teacher(s) with out_of_field not given counted as Clear" \
        in b["note"]
    # Out-of-Field (CDE): a limited assignment permit; nobody here holds one: 0 of 3 and 0 of 4
    # (T5 and U3 have out_of_field true, but an intern or a waiver is Intern or Ineffective).
    # Mandatory: A T5 of 3, B T2 of 4.
    assert (a["out_of_field_num"], a["out_of_field_den"]) == (0, 3)
    assert (b["out_of_field_num"], b["out_of_field_den"]) == (0, 4)
    assert (a["mandatory_num"], a["mandatory_den"], b["mandatory_num"], b["mandatory_den"]) \
        == (1, 3, 1, 4)
    # ELD sections with 2+ distinct substitutes: A 2 of 3 (1 | 2 | 3 substitutes), B 0 of 1.
    assert (a["eld_sections"], a["eld_multi_sub_num"], a["eld_multi_sub_den"]) == (3, 2, 3)
    assert (b["eld_sections"], b["eld_multi_sub_num"], b["eld_multi_sub_rate"]) == (1, 0, 0.0)
    assert (b["eld_multi_sub_ci_low"], b["eld_multi_sub_ci_high"]) == pytest.approx(
        (0.0, _wilson(0, 1)[1]))
    for rate in ("novice", "not_fully_credentialed", "out_of_field", "mandatory",
                 "eld_multi_sub"):
        k, n = a[f"{rate}_num"], a[f"{rate}_den"]
        assert a[f"{rate}_rate"] == pytest.approx(k / n)
        assert (a[f"{rate}_ci_low"], a[f"{rate}_ci_high"]) == pytest.approx(_wilson(k, n))


#: One school-year of teachers covering every TAMO path: (staff, fte, years, credential,
#: out_of_field, tamo_outcome) and the outcome worked out by hand (METHODS.md 6.2).
TAMO_CASES = [
    ("X1", 1.0, 10, "CLEAR", False, None, "CLEAR"),
    ("X2", 1.0, 10, "PRELIMINARY", True, None, "INEFFECTIVE"),  # credentialed, misassigned
    ("X3", 0.5, 10, "LIMITED_PERMIT", True, None, "OUT_OF_FIELD"),  # limited assignment permit
    ("X4", 1.0, 10, "PERMIT", False, None, "INEFFECTIVE"),  # emergency permit
    ("X5", 1.0, 0, "INTERN", False, None, "INTERN"),
    ("X6", 0.5, 10, None, None, None, "UNKNOWN"),  # no credential given
    ("X7", 1.0, 10, "CLEAR", False, "INCOMPLETE", "INCOMPLETE"),  # CDE's report wins
    ("X8", 0.5, 10, "CLEAR", False, "NA", "NA"),
    ("X9", 1.0, 2, "CLEAR", None, None, "CLEAR"),  # out_of_field not given: Clear, noted
]


def test_teacher_assignment_outcomes_by_hand() -> None:
    con = duckdb.connect()
    con.sql("CREATE TABLE schools (school_id VARCHAR, school_name VARCHAR)")
    con.sql("INSERT INTO schools VALUES ('0009', 'Xavier')")
    con.sql("CREATE TABLE staff (school_year SMALLINT, staff_id VARCHAR, school_id VARCHAR, "
            "role VARCHAR, fte DOUBLE, years_experience INTEGER, credential VARCHAR, "
            "out_of_field BOOLEAN, tamo_outcome VARCHAR)")
    con.executemany("INSERT INTO staff VALUES (2025, ?, '0009', 'TEACHER', ?, ?, ?, ?, ?)",
                    [c[:6] for c in TAMO_CASES])
    (x,) = staffing_by_school(con).to_pylist()
    # Teachers per outcome: Clear X1, X9; Out-of-Field X3; Intern X5; Ineffective X2, X4;
    # Incomplete X7; Unknown X6; N/A X8.
    assert [x[f"tamo_{s}_teachers"] for s in OUTCOMES.values()] == [2, 1, 1, 2, 1, 1, 1]
    assert [c[6] for c in TAMO_CASES].count("INEFFECTIVE") == 2
    # FTE: 2.0, 0.5, 1.0, 2.0, 1.0, 0.5, 0.5 of 7.5 -> 26.67%, 6.67%, 13.33%, 26.67%, 13.33%,
    # 6.67%, 6.67% (they add up to 100)
    fte = [2.0, 0.5, 1.0, 2.0, 1.0, 0.5, 0.5]
    assert [x[f"tamo_{s}_fte"] for s in OUTCOMES.values()] == pytest.approx(fte)
    pct = [x[f"tamo_{s}_fte_pct"] for s in OUTCOMES.values()]
    assert pct == pytest.approx([100 * f / 7.5 for f in fte]) and sum(pct) == pytest.approx(100)
    # Shares of teachers over the 6 with a known outcome (X6, X7, X8 left out, noted): not
    # fully credentialed = Ineffective + Intern = X2, X4, X5: 3 of 6 (the old credential rule
    # gave X4, X5); Out-of-Field = X3: 1 of 6 (the old out_of_field flag gave X2, X3).
    assert (x["not_fully_credentialed_num"], x["not_fully_credentialed_den"]) == (3, 6)
    assert (x["out_of_field_num"], x["out_of_field_den"]) == (1, 6)
    assert (x["teachers_misassigned"], x["teachers_permit_waiver_none"]) == (1, 1)
    assert "not_fully_credentialed: 3 teacher(s) with an Incomplete, Unknown or N/A " \
        "assignment outcome left out" in x["note"]
    assert "TAMO: 1 credentialed teacher(s) with out_of_field not given counted as Clear" \
        in x["note"]
    # Inexperienced (<= 2 years): X5 (0) and X9 (2): 2 of 9, FTE 2.0 of 7.5 (old < 2: X5 only)
    assert (x["novice_num"], x["novice_den"]) == (2, 9)
    assert x["novice_fte_pct"] == pytest.approx(100 * 2.0 / 7.5)


def test_hand_built_principals_and_staffing_levels() -> None:
    r = _rows(staffing_by_school(_tiny()))
    # Principals: A P1 (2023, 2024) then P2 (2025); B P3 (2023) then P4 (2024, 2025).
    assert [r[y, "0001"]["principal_changed"] for y in (2023, 2024, 2025)] == [None, False, True]
    assert [r[y, "0002"]["principal_changed"] for y in (2023, 2024, 2025)] == [None, True, False]
    assert [r[y, "0001"]["principal_years_at_school"] for y in (2023, 2024, 2025)] == [5, 6, 0]
    # 3 years of staff data only in 2025: A had P1, P2; B had P3, P4.
    assert (r[2025, "0001"]["principals_3yr"], r[2025, "0002"]["principals_3yr"]) == (2, 2)
    assert r[2024, "0001"]["principals_3yr"] is None
    assert "principals_3yr: needs staff data for 3 years" in r[2024, "0001"]["note"]
    # Census day 2023-10-04: A 50 enrolled (49 + the one leaving that day), 53 in the year.
    a, b = r[2024, "0001"], r[2024, "0002"]
    assert (a["enrolled_census"], a["enrolled_cumulative"]) == (50, 53)
    # Per 100 students: teachers 100 * 2.5 / 50 = 5; counselor, nurse 100 * 0.5 / 50 = 1;
    # social worker 100 * 1 / 50 = 2; students per teacher 50 / 2.5 = 20.
    assert (a["teachers_per_100"], a["counselors_per_100"], a["nurses_per_100"],
            a["social_workers_per_100"], a["students_per_teacher"]) == pytest.approx(
        (5.0, 1.0, 1.0, 2.0, 20.0))
    # B: 100 * 3.5 / 70 = 5, no counselor (a real 0), 70 / 3.5 = 20. 2025 B: 2 FTE, 50 students.
    assert (b["teachers_per_100"], b["counselors_per_100"], b["students_per_teacher"]) == \
        pytest.approx((5.0, 0.0, 20.0))
    assert (r[2025, "0002"]["teachers_per_100"], r[2025, "0002"]["students_per_teacher"]) == \
        pytest.approx((4.0, 25.0))


def test_missing_inputs_are_null_with_a_note_never_zero() -> None:
    r = _rows(staffing_by_school(_tiny()))
    first = r[2023, "0001"]
    assert first["turnover_rate"] is None and first["turnover_num"] is None
    assert "turnover: no staff data for 2022" in first["note"]
    assert "eld_multi_sub: no sections data for 2023" in first["note"]
    assert first["teachers_per_100"] is None
    assert "staffing ratios: no enrollment rows for this school and year" in first["note"]
    carver = r[2024, "0003"]
    assert carver["teachers"] is None and carver["novice_rate"] is None
    assert carver["teachers_per_100"] is None
    assert "staff measures: no staff rows for this school and year" in carver["note"]

    bare = _rows(staffing_by_school(_tiny(sections=False, optional_staff=False)))
    a = bare[2024, "0001"]
    assert a["teachers"] == 3 and a["turnover_num"] == 3  # required columns suffice
    for rate, column in (("novice", "years_experience"), ("not_fully_credentialed",
                         "credential"), ("out_of_field", "credential"),
                         ("mandatory", "assignment_type")):
        assert a[f"{rate}_rate"] is None and a[f"{rate}_num"] is None
        assert f"{rate}: {column} not given" in a["note"]
    assert a["principal_years_at_school"] is None
    assert "principal_years_at_school: years_at_school not given" in a["note"]
    assert a["eld_sections"] is None and a["eld_multi_sub_rate"] is None
    assert "eld_multi_sub: not computed: needs sections" in a["note"]

    con = _tiny()
    con.sql("DROP TABLE staff")
    none = _rows(staffing_by_school(con))
    assert none[2024, "0001"]["teachers"] is None
    assert "staff measures: not computed: needs staff" in none[2024, "0001"]["note"]
    assert none[2024, "0001"]["eld_multi_sub_num"] == 2  # sections still count

    con = _tiny()  # a warehouse whose bundle did not give staff (ingest's bookkeeping)
    con.sql("CREATE TABLE ingest_tables AS SELECT * FROM (VALUES ('staff', false), "
            "('sections', true), ('enrollments', true), ('schools', true)) t(table_name, given)")
    assert _rows(staffing_by_school(con))[2024, "0001"]["teachers"] is None


BANDS_TINY = {(2024, "0001"): "Highest", (2024, "0003"): "Highest", (2024, "0002"): "Lowest",
              (2025, "0001"): "Highest", (2025, "0002"): "Lowest"}


def test_hand_built_bands_and_gaps() -> None:
    by_school = staffing_by_school(_tiny())
    by_band = {(r["school_year"], r["band"]): r
               for r in staffing_by_band(by_school, BANDS_TINY).to_pylist()}
    assert sorted(by_band) == [(2024, "Highest"), (2024, "Lowest"), (2025, "Highest"),
                               (2025, "Lowest")]
    high = by_band[2024, "Highest"]
    # A and C pooled; C has no staff, so A's counts stand: turnover 3/4, inexperienced 2/3,
    # 5 per 100; Ineffective 1.0 of 2.5 teacher FTE = 40%.
    assert (high["schools"], high["turnover_num"], high["turnover_den"]) == (2, 3, 4)
    assert (high["novice_num"], high["novice_den"], high["teachers_per_100_schools"]) == (2, 3, 1)
    assert high["tamo_ineffective_fte_pct"] == pytest.approx(40.0)
    assert high["teachers_per_100"] == pytest.approx(5.0)
    assert (high["principal_change_num"], high["principal_change_den"]) == (0, 1)
    assert high["principal_years_at_school"] == 6.0

    gaps = {(r["school_year"], r["measure"]): r
            for r in band_gap(by_school, BANDS_TINY).to_pylist()}
    g = gaps[2024, "turnover"]
    ref = pp_difference(3, 4, 1, 2)  # 75% - 50% = 25 points
    assert (g["high_value"], g["low_value"], g["high_n"], g["low_n"]) == (75.0, 50.0, 4, 2)
    assert (g["gap"], g["ci_low"], g["ci_high"]) == pytest.approx(
        (ref.value, ref.ci_low, ref.ci_high))
    assert g["beyond_noise"] is False and g["unit"] == "percentage points"
    eld = gaps[2024, "eld_multi_sub"]
    assert eld["gap"] == pytest.approx(100 * 2 / 3)
    ratio = gaps[2024, "teachers_per_100"]  # one school per band: no between-school variance
    assert ratio["gap"] is None and ratio["beyond_noise"] is None
    assert "fewer than 2 schools" in ratio["note"]
    with pytest.raises(ValueError, match="unknown need band"):
        staffing_by_band(by_school, {(2024, "0001"): "Very high"})


# ---------------------------------------------------------------------------------------------
# 2. Pandas oracle on a synthetic district
# ---------------------------------------------------------------------------------------------
def _warehouse(tmp: Path, students: int, schools: int, seed: int) -> duckdb.DuckDBPyConnection:
    generate(tmp / "bundle", students=students, schools=schools, years=3, seed=seed)
    report = ingest_bundle(tmp / "bundle", tmp / "w.duckdb")
    assert report.exit_code == 0, report.examples
    return duckdb.connect(str(tmp / "w.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = _warehouse(tmp_path_factory.mktemp("staffing"), 2000, 8, 21)
    yield con
    con.close()


def _census_day(year: int) -> date:
    d = date(year - 1, 10, 1)
    while d.weekday() != 2:  # Wednesday
        d += timedelta(days=1)
    return d


def _oracle(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every measure of staffing_by_school, recomputed with pandas from the raw tables."""
    staff = con.sql("SELECT * FROM staff").df()
    sec = con.sql("SELECT * FROM sections").df()
    enr = con.sql("SELECT * FROM enrollments").df()
    key = ["school_year", "school_id"]
    years = set(staff.school_year)
    keys = pd.concat([staff[key], enr[key], sec[key]]).drop_duplicates()
    out = keys.set_index(key).sort_index()
    teach = staff[staff.role == "TEACHER"]
    g = teach.groupby(key)
    out["teachers"] = g.staff_id.nunique()
    for role, stem in (("TEACHER", "teacher"), ("COUNSELOR", "counselor"), ("NURSE", "nurse"),
                       ("SOCIAL_WORKER", "social_worker")):
        of_role = staff[staff.role == role].groupby(key)
        out[f"{stem}_fte"] = of_role.fte.sum()
    has_staff = out.index.isin(staff.set_index(key).index)
    for c in ("teachers", "teacher_fte", "counselor_fte", "nurse_fte", "social_worker_fte"):
        out[c] = out[c].where(~has_staff | out[c].notna(), 0).where(has_staff)
    teach = teach.assign(tamo=teach.apply(_outcome, axis=1))
    teach = teach.assign(known=teach.tamo.where(teach.tamo.isin(
        ["CLEAR", "OUT_OF_FIELD", "INTERN", "INEFFECTIVE"])))
    shares = {"novice": ("years_experience", lambda s: s <= 2),
              "not_fully_credentialed": ("known", lambda s: s.isin(["INTERN", "INEFFECTIVE"])),
              "out_of_field": ("known", lambda s: s == "OUT_OF_FIELD"),
              "mandatory": ("assignment_type", lambda s: s == "MANDATORY")}
    for name, (col, test) in shares.items():
        known = teach[teach[col].notna()]
        out[f"{name}_den"] = known.groupby(key).staff_id.nunique()
        out[f"{name}_num"] = known[test(known[col])].groupby(key).staff_id.nunique()
        out[f"{name}_num"] = out[f"{name}_num"].fillna(0).where(out[f"{name}_den"] > 0)
    # Turnover: teachers of t-1 not teaching at the same school in t.
    prev = teach[key + ["staff_id"]].drop_duplicates().assign(
        school_year=lambda d: d.school_year + 1)
    prev = prev[prev.school_year.isin(years)]
    nxt = teach[["school_year", "staff_id", "school_id"]].rename(columns={"school_id": "to"})
    m = prev.merge(nxt, on=["school_year", "staff_id"], how="left")
    m["stay"] = m.to == m.school_id
    m["other"] = m.to.notna() & (m.to != m.school_id)
    per = m.groupby(key + ["staff_id"])[["stay", "other"]].any().reset_index()
    per = per[per.set_index(key).index.isin(out.index[has_staff])]
    t = per.groupby(key)
    out["turnover_den"] = t.size()
    out["turnover_num"] = t.stay.apply(lambda s: int((~s).sum()))
    out["teacher_movers"] = per[~per.stay & per.other].groupby(key).size()
    out.loc[out.turnover_den.notna(), "teacher_movers"] = out.teacher_movers.fillna(0)
    # Principals
    pr = staff[staff.role == "PRINCIPAL"]
    pg = pr.groupby(key)
    out["principal_years_at_school"] = pg.years_at_school.mean()
    ids = pg.staff_id.apply(lambda s: tuple(sorted(set(s))))
    changed = {}
    for (y, s), cur in ids.items():
        if (y - 1, s) in ids.index and (y - 1) in years:
            changed[y, s] = cur != ids[y - 1, s]
    out["principal_changed"] = pd.Series(changed, dtype=object)
    three = {}
    for y, s in out.index:
        if {y - 1, y - 2} <= years and (y, s) in out.index[has_staff]:
            w = pr[(pr.school_id == s) & pr.school_year.between(y - 2, y)]
            if len(w):
                three[y, s] = w.staff_id.nunique()
    out["principals_3yr"] = pd.Series(three, dtype=float)
    # ELD sections
    eld = sec[sec.is_eld == True]  # noqa: E712
    out["eld_sections"] = eld.groupby(key).section_id.nunique()
    out.loc[out.index.isin(sec.set_index(key).index), "eld_sections"] = \
        out.eld_sections.fillna(0)
    out["eld_multi_sub_den"] = eld[eld.distinct_substitutes.notna()].groupby(key).size()
    out["eld_multi_sub_num"] = eld[eld.distinct_substitutes >= 2].groupby(key).size()
    out["eld_multi_sub_num"] = out.eld_multi_sub_num.fillna(0).where(out.eld_multi_sub_den > 0)
    # Census-day enrollment and staffing levels
    census = enr.school_year.map(_census_day)
    on = (enr.entry_date.dt.date <= census) & (
        enr.exit_date.isna() | (enr.exit_date.dt.date >= census))
    out["enrolled_census"] = enr[on].groupby(key).student_id.nunique()
    out["enrolled_cumulative"] = enr.groupby(key).student_id.nunique()
    ok = has_staff & (out.enrolled_census > 0)
    for stem in ("teacher", "counselor", "nurse", "social_worker"):
        out[f"{stem}s_per_100"] = (100 * out[f"{stem}_fte"] / out.enrolled_census).where(ok)
    out["students_per_teacher"] = (out.enrolled_census / out.teacher_fte).where(
        ok & (out.teacher_fte > 0))
    # FTE in each outcome, percent of teacher FTE; inexperienced FTE of the FTE with experience
    for code, stem in OUTCOMES.items():
        fte = teach[teach.tamo == code].groupby(key).fte.sum()
        out[f"tamo_{stem}_fte"] = fte.reindex(out.index).fillna(0).where(has_staff)
        out[f"tamo_{stem}_fte_pct"] = (100 * out[f"tamo_{stem}_fte"] / out.teacher_fte).where(
            out.teacher_fte > 0)
    exp = teach[teach.years_experience.notna()]
    out["novice_fte"] = exp[exp.years_experience <= 2].groupby(key).fte.sum().reindex(
        out.index).fillna(0).where(has_staff)
    out["novice_fte_den"] = exp.groupby(key).fte.sum().reindex(out.index).fillna(0).where(
        has_staff)
    out["novice_fte_pct"] = (100 * out.novice_fte / out.novice_fte_den).where(
        out.novice_fte_den > 0)
    return out


def _outcome(t: pd.Series) -> str:
    """A teacher's TAMO outcome: CDE's when given, else from credential and out_of_field."""
    if isinstance(t.get("tamo_outcome"), str):
        return t.tamo_outcome
    credential = t.credential
    if not isinstance(credential, str):
        return "UNKNOWN"
    if credential in ("PERMIT", "WAIVER", "NONE"):
        return "INEFFECTIVE"  # emergency permit or waiver, or nothing authorizing the job
    if credential == "INTERN":
        return "INTERN"
    if credential == "LIMITED_PERMIT":
        return "OUT_OF_FIELD"
    misassigned = pd.notna(t.out_of_field) and bool(t.out_of_field)
    return "INEFFECTIVE" if misassigned else "CLEAR"


def test_every_measure_matches_a_pandas_recomputation(
        district: duckdb.DuckDBPyConnection) -> None:
    got = staffing_by_school(district).to_pandas().set_index(["school_year", "school_id"])
    want = _oracle(district)
    assert list(got.index) == list(want.index)
    assert got.turnover_den.notna().sum() > 0 and got.eld_multi_sub_den.notna().sum() > 0
    assert got.principal_changed.notna().sum() > 0 and got.principals_3yr.notna().sum() > 0
    for col in want.columns:
        a, b = got[col].astype(float), want[col].astype(float)
        assert (a.isna() == b.isna()).all(), (col, a[a.isna() != b.isna()], b[a.isna() != b.isna()])
        assert np.allclose(a.dropna(), b.dropna(), rtol=1e-9, atol=1e-9), col
    for name in ("turnover", "novice", "not_fully_credentialed", "out_of_field", "mandatory",
                 "eld_multi_sub"):
        rows = got[got[f"{name}_den"].notna() & (got[f"{name}_den"] > 0)]
        assert len(rows), name
        for k, n, rate, lo, hi in rows[[f"{name}_{s}" for s in
                                        ("num", "den", "rate", "ci_low", "ci_high")]].itertuples(
                index=False):
            assert rate == pytest.approx(k / n)
            assert (lo, hi) == pytest.approx(_wilson(int(k), int(n)), abs=1e-12), name
    assert ((got.teacher_leavers + got.teacher_movers) == got.turnover_num).where(
        got.turnover_num.notna(), True).all()


def _sed_bands(con: duckdb.DuckDBPyConnection, labels: tuple[str, ...] = BANDS[::-1]
               ) -> dict[tuple[int, str], str]:
    """Need bands from each school's SED share, by quintile within the year."""
    sed = con.sql("SELECT school_year, school_id, avg(sed::INT) AS sed FROM enrollments "
                  "GROUP BY ALL").df()
    sed["band"] = sed.groupby("school_year").sed.transform(
        lambda s: pd.qcut(s.rank(method="first"), 5, labels=list(labels)).astype(str))
    return {(int(y), s): b for y, s, b in sed[["school_year", "school_id", "band"]].itertuples(
        index=False)}


def _newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    (l1, u1), (l2, u2) = _wilson(k1, n1), _wilson(k2, n2)
    d = k1 / n1 - k2 / n2
    return 100 * (d - math.hypot(k1 / n1 - l1, u2 - k2 / n2)), \
        100 * (d + math.hypot(u1 - k1 / n1, k2 / n2 - l2))


def test_bands_and_gaps_match_a_pandas_recomputation(
        district: duckdb.DuckDBPyConnection) -> None:
    bands = _sed_bands(district)
    by_school = staffing_by_school(district)
    df = by_school.to_pandas()
    df["band"] = [bands[int(y), s] for y, s in zip(df.school_year, df.school_id, strict=True)]
    df["principal_change_num"] = df.principal_changed.map({True: 1, False: 0})
    df["principal_change_den"] = df.principal_changed.notna().astype(float).where(
        df.principal_changed.notna())
    got = staffing_by_band(by_school, bands).to_pandas().set_index(["school_year", "band"])
    gaps = band_gap(by_school, bands).to_pandas().set_index(["school_year", "measure"])
    for (year, band), d in df.groupby(["school_year", "band"]):
        row = got.loc[(year, band)]
        assert row.schools == len(d)
        for m in RATES:
            k, n = d[f"{m.name}_num"].sum(), d[f"{m.name}_den"].sum()
            if n == 0:  # no school of the band with data: empty, not 0
                assert pd.isna(row[f"{m.name}_num"]) and pd.isna(row[f"{m.name}_rate"])
                continue
            assert (row[f"{m.name}_num"], row[f"{m.name}_den"]) == (k, n)
            assert (row[f"{m.name}_ci_low"], row[f"{m.name}_ci_high"]) == pytest.approx(
                _wilson(int(k), int(n)), abs=1e-12)
        for m in (*RATIOS, *FTE_SHARES):
            d2 = d[d[m.name].notna()]
            assert row[m.name] == pytest.approx(
                m.scale * d2[m.numerator].sum() / d2[m.denominator].sum())
    computed = gaps[gaps.gap.notna()].groupby("kind").size()
    assert computed.get("rate", 0) and computed.get("ratio", 0) and computed.get("mean", 0)
    for year, d in df.groupby("school_year"):
        hi, lo = d[d.band == "Highest"], d[d.band == "Lowest"]
        for m in RATES:
            g = gaps.loc[(year, m.name)]
            k1, n1 = hi[f"{m.name}_num"].sum(), hi[f"{m.name}_den"].sum()
            k2, n2 = lo[f"{m.name}_num"].sum(), lo[f"{m.name}_den"].sum()
            if n1 == 0 or n2 == 0:
                assert pd.isna(g.gap)
                continue
            assert g.gap == pytest.approx(100 * (k1 / n1 - k2 / n2))
            assert (g.ci_low, g.ci_high) == pytest.approx(_newcombe(int(k1), n1, int(k2), n2))
            assert g.beyond_noise == (not g.ci_low <= 0 <= g.ci_high)
        for m in RATIOS:
            g = gaps.loc[(year, m.name)]
            parts = []
            for side in (hi, lo):
                s = side[side[m.name].notna()]
                r = s[m.numerator].sum() / s[m.denominator].sum()
                v = ((s[m.numerator] - r * s[m.denominator]) ** 2).sum() / (
                    len(s) * (len(s) - 1) * s[m.denominator].mean() ** 2)
                parts.append((r, v, len(s)))
            (r1, v1, m1), (r2, v2, m2) = parts
            if min(m1, m2) < 2:
                assert pd.isna(g.gap)
                continue
            se = m.scale * math.sqrt(v1 + v2)
            assert (g.gap, g.se) == pytest.approx((m.scale * (r1 - r2), se))
            assert g.ci_high - g.ci_low == pytest.approx(2 * 1.959963984540054 * se)
        for m in MEANS:
            g = gaps.loc[(year, m.name)]
            a, b = hi[m.name].dropna(), lo[m.name].dropna()
            if min(len(a), len(b)) < 2:
                assert pd.isna(g.gap)
                continue
            assert g.gap == pytest.approx(a.mean() - b.mean())
            assert g.se == pytest.approx(math.sqrt(a.var() / len(a) + b.var() / len(b)))


# ---------------------------------------------------------------------------------------------
# 3. The generator's design: inexperienced staff in high-need schools
# ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_high_need_schools_have_more_novice_teachers(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    # 8 schools give quintiles of 1-2 schools, too few to show the design reliably; 40 do.
    con = _warehouse(tmp_path_factory.mktemp("staffing40"), 20_000, 40, 7)
    try:
        bands = _sed_bands(con)
        by_band = staffing_by_band(staffing_by_school(con), bands).to_pandas()
    finally:
        con.close()
    pooled = by_band.groupby("band")[["novice_num", "novice_den"]].sum()
    share = pooled.novice_num / pooled.novice_den
    hi, lo = pooled.loc["Highest"], pooled.loc["Lowest"]
    msg = "novice share by SED quintile, 3 years pooled: " + ", ".join(
        f"{b} {share[b]:.1%} ({pooled.novice_num[b]}/{pooled.novice_den[b]})" for b in BANDS)
    assert share["Highest"] > share["Lowest"], msg
    gap = pp_difference(hi.novice_num, hi.novice_den, lo.novice_num, lo.novice_den)
    assert not gap.within_noise, f"{msg}; gap {gap.value:.1f} points [{gap.ci_low:.1f}, " \
        f"{gap.ci_high:.1f}]"
    print(msg)
