"""Supports in place, partner suggestions and intervention effects (issue 7, parts 4 and 5)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from synthdistrict import run_district

from gapwatch.earlywarning.effects import CAVEAT, SCHEMA, intervention_effects
from gapwatch.earlywarning.flags import FLAG_COLUMNS, student_flags
from gapwatch.earlywarning.supports import (
    NEED_SERVICES,
    partner_schools,
    suggest_partners,
    supports_in_place,
)

# A small warehouse. Schools S1 (board district 1), S2 (2), S3 (3). Students: A Spanish,
# homeless and SED at S1; B Vietnamese at S1; C English, foster, at S2; D no home language, S3;
# E at S1. Partners: P1 housing and family support in English and Spanish, area "North" (no
# rule names it: only the district's list or past referrals can place it); P2 health and
# mental health in English and Vietnamese, "Board district 1"; P3 tutoring in English,
# "Citywide"; P4 family support in Vietnamese, "Uptown" (never matched); P5 food in Spanish,
# area "2"; P6 health in Spanish, no area.
WAREHOUSE = """
CREATE TABLE schools AS SELECT * FROM (VALUES
  ('S1', 'Alpha Elementary', 'D1', 'Test Unified', 'ELEM', 0, 5, '1'),
  ('S2', 'Beta Middle', 'D1', 'Test Unified', 'MIDDLE', 6, 8, '2'),
  ('S3', 'Gamma High', 'D1', 'Test Unified', 'HIGH', 9, 12, '3'))
  t(school_id, school_name, district_id, district_name, school_type, grade_low, grade_high,
    board_district);
CREATE TABLE students AS SELECT * FROM (VALUES
  ('A', 'HI', 'F', 'Spanish'), ('B', 'AS', 'M', 'Vietnamese'), ('C', 'WH', 'F', 'English'),
  ('D', 'AA', 'M', NULL), ('E', 'WH', 'M', 'English'))
  t(student_id, race_ethnicity, gender, home_language);
CREATE TABLE enrollments AS SELECT school_year::SMALLINT AS school_year, student_id, school_id,
  grade::SMALLINT AS grade, entry_date::DATE AS entry_date, sed, foster, homeless FROM (VALUES
  (2025, 'A', 'S1', 3, '2024-08-20', TRUE, FALSE, TRUE),
  (2025, 'B', 'S1', 4, '2024-08-20', FALSE, FALSE, FALSE),
  (2025, 'C', 'S2', 7, '2024-08-20', FALSE, TRUE, FALSE),
  (2025, 'D', 'S3', 10, '2024-08-20', FALSE, FALSE, FALSE),
  (2025, 'E', 'S1', 2, '2024-08-20', FALSE, FALSE, FALSE))
  t(school_year, student_id, school_id, grade, entry_date, sed, foster, homeless);
CREATE TABLE community_partners AS SELECT * FROM (VALUES
  ('P1', 'North Family Center', 'FAMILY_SUPPORT;HOUSING', 'English;Spanish', 'North'),
  ('P2', 'Alpha Clinic', 'HEALTH;MENTAL_HEALTH', 'English; Vietnamese', 'Board district 1'),
  ('P3', 'Citywide Tutors', 'TUTORING', 'English', 'Citywide'),
  ('P4', 'Uptown Helpers', 'FAMILY_SUPPORT', 'vietnamese', 'Uptown'),
  ('P5', 'South Food Bank', 'FOOD', 'Spanish', '2'),
  ('P6', 'Clinica Latina', 'HEALTH', 'Spanish', NULL))
  t(partner_id, name, services, languages, area);
CREATE TABLE interventions AS SELECT intervention_id, student_id, school_year::SMALLINT AS
  school_year, tier, type, start_date::DATE AS start_date, end_date::DATE AS end_date,
  NULL::VARCHAR AS provider_staff_id, partner_id, status FROM (VALUES
  ('I1', 'A', 2025, 2, 'Attendance mentoring', '2024-10-01', NULL, 'P1', 'ACTIVE'),
  ('I2', 'B', 2025, 2, 'Reading intervention', '2024-09-10', '2024-12-01', NULL, 'COMPLETED'),
  ('I3', 'C', 2025, 3, 'Individual counseling', '2025-03-01', NULL, 'P2', 'PLANNED'),
  ('I4', 'D', 2025, 2, 'Check-in/check-out', '2024-09-01', NULL, NULL, NULL),
  ('I5', 'E', 2025, 2, 'Behavior support plan', '2024-09-01', NULL, NULL, 'DISCONTINUED'),
  ('I0', 'A', 2024, 2, 'Reading intervention', '2023-10-01', NULL, NULL, 'ACTIVE'))
  t(intervention_id, student_id, school_year, tier, type, start_date, end_date, partner_id,
    status);
"""


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute(WAREHOUSE)
    return c


def _flags(rows: list[tuple[str, str, str, str]]) -> pa.Table:
    """Flag rows (student, school, domain, level) of 2025 in the flags schema."""
    return pa.Table.from_pylist([
        {"school_year": 2025, "student_id": s, "school_id": sc, "grade": 5, "domain": d,
         "flag": d, "level": lv, "value": 1.0, "threshold": 1.0, "reason": "", "source": ""}
        for s, sc, d, lv in rows], schema=FLAG_COLUMNS)


FLAGS = [("A", "S1", "attendance", "at_risk"), ("A", "S1", "attendance", "early_warning"),
         ("B", "S1", "course_performance", "early_warning"), ("C", "S2", "behavior", "at_risk"),
         ("D", "S3", "attendance", "early_warning")]


def test_supports_in_place_by_status_and_as_of(con: duckdb.DuckDBPyConnection) -> None:
    # A: ACTIVE; C: PLANNED; D: no status, no end date. Not: B completed, E discontinued, A 2024.
    now = supports_in_place(con, 2025).to_pylist()
    assert [(r["student_id"], r["intervention_id"]) for r in now] == [
        ("A", "I1"), ("C", "I3"), ("D", "I4")]
    assert now[0] | {"start_date": None} == now[0] | {
        "school_year": 2025, "school_id": "S1", "tier": 2, "type": "Attendance mentoring",
        "partner_id": "P1", "partner_name": "North Family Center", "start_date": None}
    assert now[2]["partner_name"] is None
    # On 2024-11-15: A (started 10-01), B (09-10 to 12-01), D (open); not C (starts in March)
    # nor E (discontinued, end unknown).
    then = supports_in_place(con, 2025, as_of="2024-11-15")
    assert then["intervention_id"].to_pylist() == ["I1", "I2", "I4"]
    assert supports_in_place(con, 2023).num_rows == 0


def test_partner_schools_rules(con: duckdb.DuckDBPyConnection) -> None:
    rows = {(r["partner_id"], r["school_id"]): r["basis"]
            for r in partner_schools(con).to_pylist()}
    # P1 "North": no rule and only one past referral: unmatched. P2: board district 1 = S1.
    # P3: districtwide. P4: unmatched. P5 "2": board district 2 = S2. P6: no area.
    assert sorted(rows, key=str) == [("P1", None), ("P2", "S1"), ("P3", "S1"), ("P3", "S2"),
                                     ("P3", "S3"), ("P4", None), ("P5", "S2"), ("P6", None)]
    assert "districtwide" in rows[("P3", "S2")]
    mapped = partner_schools(con, {"north": ["1", "3"]}).to_pylist()
    assert [r["school_id"] for r in mapped if r["partner_id"] == "P1"] == ["S1", "S3"]


def test_partner_area_inferred_from_past_referrals(con: duckdb.DuckDBPyConnection) -> None:
    # Five 2024 referrals to P1 from students at S1 and one from S2, plus A's in 2025 (S1): 6 of
    # 7 went to board district 1 (share 0.86 >= 0.8) -> P1 serves S1 only.
    con.execute("""
        INSERT INTO enrollments SELECT 2024, 'X' || i, CASE WHEN i < 5 THEN 'S1' ELSE 'S2' END,
            3, DATE '2023-08-20', FALSE, FALSE, FALSE FROM range(6) t(i);
        INSERT INTO interventions SELECT 'J' || i, 'X' || i, 2024, 2, 'Family support referral',
            DATE '2023-10-01', DATE '2023-12-01', NULL, 'P1', 'COMPLETED' FROM range(6) t(i);""")
    p1 = [r for r in partner_schools(con).to_pylist() if r["partner_id"] == "P1"]
    assert [r["school_id"] for r in p1] == ["S1"]
    assert "6 of 7 past referrals" in p1[0]["basis"]


def test_suggest_partners_language_and_area(con: duckdb.DuckDBPyConnection) -> None:
    got = suggest_partners(con, _flags(FLAGS), 2025, areas={"North": ["1"]}, top=None)
    rows = [(r["student_id"], r["service"], r["rank"], r["partner_id"], r["language_match"],
             r["area_match"]) for r in got.to_pylist()]
    assert rows == [
        # A (S1, Spanish, homeless, SED; attendance): housing and family support from P1, local
        # and Spanish-speaking; then P4 (Uptown: area unknown, Vietnamese). Food: no partner in
        # board district 1 offers it, so P5 of district 2 (Spanish). Health: P6 speaks Spanish
        # (area unknown), so it comes before P2 (local, no Spanish).
        ("A", "HOUSING", 1, "P1", True, True),
        ("A", "FAMILY_SUPPORT", 1, "P1", True, True),
        ("A", "FAMILY_SUPPORT", 2, "P4", False, False),
        ("A", "FOOD", 1, "P5", True, False),
        ("A", "HEALTH", 1, "P6", True, False),
        ("A", "HEALTH", 2, "P2", False, True),
        # B (Vietnamese; course performance): tutoring from the citywide P3 (English only); no
        # partner offers after-school programs.
        ("B", "TUTORING", 1, "P3", False, True),
        # C (S2, English, foster; behavior): no partner of district 2 offers mental health or
        # family support, so P2 and P1 (English) from district 1, then P4.
        ("C", "MENTAL_HEALTH", 1, "P2", True, False),
        ("C", "FAMILY_SUPPORT", 1, "P1", True, False),
        ("C", "FAMILY_SUPPORT", 2, "P4", False, False),
        # D (S3, no home language; attendance): nobody local; partner id order.
        ("D", "FAMILY_SUPPORT", 1, "P1", False, False),
        ("D", "FAMILY_SUPPORT", 2, "P4", False, False),
        ("D", "HEALTH", 1, "P2", False, False),
        ("D", "HEALTH", 2, "P6", False, False),
    ]
    by = {(r["student_id"], r["service"], r["partner_id"]): r for r in got.to_pylist()}
    housing = by[("A", "HOUSING", "P1")]
    assert housing["need"] == "attendance+homeless;any_flag+homeless"
    assert housing["reason"].startswith("Attendance flag (at risk), without stable housing")
    assert "Offers Spanish" in housing["reason"]
    assert "Already working with this student: Attendance mentoring." in housing["reason"]
    assert "could not tell" in by[("A", "FAMILY_SUPPORT", "P4")]["reason"]
    assert "No partner of this school's area" in by[("A", "FOOD", "P5")]["reason"]
    assert by[("C", "MENTAL_HEALTH", "P2")]["need"] == "behavior;any_flag+foster"
    assert "not recorded" in by[("D", "HEALTH", "P2")]["reason"]
    # top=1 keeps each student and service's best partner
    assert suggest_partners(con, _flags(FLAGS), 2025, areas={"North": ["1"]}, top=1).num_rows == 9


def test_suggest_partners_without_area_list_and_edited_needs(
        con: duckdb.DuckDBPyConnection) -> None:
    # Without the list, "North" is unmatched: P1 is still offered to A, after nobody, flagged.
    got = suggest_partners(con, _flags(FLAGS[:1]), 2025, top=None).to_pylist()
    housing = [r for r in got if r["service"] == "HOUSING"]
    assert [(r["partner_id"], r["area_match"]) for r in housing] == [("P1", False)]
    # The district's own needs table replaces ours.
    got = suggest_partners(con, _flags(FLAGS), 2025, needs={("behavior", None): ("FOOD",)})
    assert [(r["student_id"], r["partner_id"]) for r in got.to_pylist()] == [("C", "P5")]
    assert suggest_partners(con, _flags([]), 2025).num_rows == 0
    assert all(s in {"TUTORING", "MENTAL_HEALTH", "FOOD", "HOUSING", "HEALTH", "AFTER_SCHOOL",
                     "FAMILY_SUPPORT", "OTHER"} for v in NEED_SERVICES.values() for s in v)


# --- effects -----------------------------------------------------------------------------

def _student(sid: str, year: int, att: float, inc: int, ela: float, df: int) -> dict:
    return {"school_year": year, "student_id": sid, "school_id": "S2", "grade": 7,
            "sed": inc > 0, "el": False, "swd": False, "attendance_rate": att, "incidents": inc,
            "suspensions": 0, "ela_grade_avg": ela, "math_grade_avg": ela - 3,
            "core_f_semesters": df // 2, "ela_df_marks": df, "math_df_marks": 0,
            "ela_letter_marks": 2, "math_letter_marks": 2}


def _known_effect() -> tuple[duckdb.DuckDBPyConnection, pa.Table]:
    """30 tutored students, each with two untutored twins (same 2024 measures); tutoring adds
    5 points of attendance and removes 1 D/F mark in 2025, twins stay put. 100 healthy students
    (attendance 97, dropping 3) make the naive difference wrong. One more tutored student, unlike
    anyone, finds no control within the caliper. 5 more students are mentored."""
    rows, iv = [], []
    for i in range(30):
        att, inc, ela, df = 70 + i % 10, i % 3, 60 + i % 7, 2 + i % 2
        for sid, treated in ((f"T{i}", True), (f"C{i}a", False), (f"C{i}b", False)):
            rows.append(_student(sid, 2024, att, inc, ela, df))
            rows.append(_student(sid, 2025, att + 5 * treated, inc, ela, df - treated))
        iv.append((f"T{i}", "Tutoring"))
    for i in range(100):
        rows += [_student(f"H{i}", 2024, 97, 0, 90, 0), _student(f"H{i}", 2025, 94, 0, 90, 0)]
    rows += [_student("T99", 2024, 20, 9, 20, 8), _student("T99", 2025, 25, 9, 20, 7)]
    iv.append(("T99", "Tutoring"))
    for i in range(5):
        rows += [_student(f"M{i}", 2024, 80, 1, 70, 1), _student(f"M{i}", 2025, 80, 1, 70, 1)]
        iv.append((f"M{i}", "Mentoring"))
    con = duckdb.connect()
    con.execute("CREATE TABLE interventions (school_year SMALLINT, student_id VARCHAR, "
                "type VARCHAR, tier INTEGER, start_date DATE)")
    con.executemany("INSERT INTO interventions VALUES (2025, ?, ?, 2, DATE '2024-10-01')", iv)
    return con, pa.Table.from_pylist(rows)


def test_effect_known_by_construction() -> None:
    con, measures = _known_effect()
    got = intervention_effects(con, measures=measures)
    assert got.schema == SCHEMA
    rows = {(r["type"], r["tier"], r["outcome"]): r for r in got.to_pylist()}
    att = rows[("Tutoring", None, "attendance_rate_change")]
    assert (att["n_served"], att["n_treated"], att["n_matched_controls"],
            att["n_unmatched"]) == (31, 31, 30, 1)
    assert att["effect"] == pytest.approx(5) and att["ci_low"] == pytest.approx(5)
    assert att["ci_high"] == pytest.approx(5)
    # naive: 5 - mean(60 twins at 0, 100 healthy at -3) = 5 + 300/160
    assert att["naive_diff"] == pytest.approx(5 + 300 / 160)
    assert att["max_abs_smd_after"] == pytest.approx(0, abs=1e-9)
    assert att["max_abs_smd_before"] > 1
    assert att["caveat"] == CAVEAT and att["note"] is None
    assert att["pre_trend"] is None and att["n_pairs_2yr"] == 0  # no 2023 on record
    assert rows[("Tutoring", None, "df_marks_change")]["effect"] == pytest.approx(-1)
    assert rows[("Tutoring", 2, "attendance_rate_change")]["effect"] == pytest.approx(5)


def test_effect_min_n() -> None:
    con, measures = _known_effect()
    got = {(r["type"], r["tier"], r["outcome"]): r
           for r in intervention_effects(con, measures=measures).to_pylist()}
    small = got[("Mentoring", None, "attendance_rate_change")]
    assert small["n_treated"] == 5 and small["effect"] is None and small["ci_low"] is None
    assert small["note"].startswith("not estimated: 5 served students")
    strict = intervention_effects(con, min_n=32, measures=measures)
    assert strict["effect"].null_count == strict.num_rows


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_district(tmp_path_factory.mktemp("sup"), students=2000, schools=4, years=3, seed=7)


def test_effects_on_synthetic_district(district: Path) -> None:
    con = duckdb.connect(str(district), read_only=True)
    got = intervention_effects(con).to_pylist()
    estimated = [r for r in got if r["effect"] is not None]
    assert {r["outcome"] for r in estimated} == {"attendance_rate_change", "df_marks_change"}
    assert len({r["type"] for r in estimated}) >= 3
    for r in estimated:
        assert all(math.isfinite(r[c]) for c in ("effect", "ci_low", "ci_high", "naive_diff"))
        assert r["ci_low"] <= r["effect"] <= r["ci_high"]
        assert r["max_abs_smd_after"] < r["max_abs_smd_before"]
        assert r["n_matched_controls"] >= 20
    # 20-70 served students per type: an SMD's own noise is about 0.3, so balance is judged on
    # average over types: the worst covariate's |SMD| at least halves.
    before = [r["max_abs_smd_before"] for r in estimated]
    after = [r["max_abs_smd_after"] for r in estimated]
    assert sum(after) < 0.5 * sum(before)
    assert all(r["caveat"] == CAVEAT for r in got)


def test_suggestions_on_synthetic_district(district: Path) -> None:
    # Four schools, all in board district 1; every partner serves "North", where all past
    # partner referrals went: every suggestion is local.
    con = duckdb.connect(str(district), read_only=True)
    flags = student_flags(con, 2025)
    got = suggest_partners(con, flags, 2025)
    assert got.num_rows > 0
    assert set(got["student_id"].to_pylist()) <= set(flags["student_id"].to_pylist())
    assert all(got["area_match"].to_pylist())
    assert sum(got["language_match"].to_pylist()) / got.num_rows > 0.9
