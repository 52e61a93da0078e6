"""District goals: parsing, progress, interim targets and projections, worked by hand.

Each progress test builds a tiny ``indicator_results`` table in an in-memory DuckDB with round
numbers, so the baseline, interim target, status and projection can be checked by hand; the
projection is recomputed independently with ``numpy.polyfit`` (weights w = 1/se) and with the
closed-form WLS sums written out in the comments.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow.compute as pc
import pytest
from scipy.stats import norm

from gapwatch.config import Config, ConfigError
from gapwatch.goals import (
    COLUMNS,
    GOAL_KEYS,
    Goal,
    goals_progress,
    interim_target,
    off_track,
    parse_goals,
    render_goals_doc,
)
from gapwatch.goals.docs import COLUMN_HELP, EXAMPLE
from gapwatch.goals.trend import p_meet, project
from gapwatch.indicators import BUILTIN, BUILTIN_BY_ID

KNOWN = {i.id: (i.kind.value, i.direction.value) for i in BUILTIN}
DISTRICT = ("district", "D1", "Bayview Unified")
BOARD = ("board_district", "1", "Board district 1")
SCHOOL_A = ("school", "0101", "Jefferson Elementary")
SCHOOL_B = ("school", "0102", "Roosevelt Elementary")
Z = norm.ppf(0.975)


def result(indicator: str, group: str, year: int, n: int, value: float, se: float,
           entity: tuple[str, str, str] = DISTRICT) -> tuple:
    """One indicator_results row; value and se as stored (0-1 for rates)."""
    ind = BUILTIN_BY_ID[indicator]
    numerator = round(value * n) if ind.kind.value == "rate" else None
    return (year, *entity, indicator, group, n, numerator, value, se, None, None,
            ind.kind.value, ind.direction.value, None)


def warehouse(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE indicator_results (school_year SMALLINT, entity_type VARCHAR, "
        "entity_id VARCHAR, entity_name VARCHAR, indicator VARCHAR, student_group VARCHAR, "
        "n BIGINT, numerator BIGINT, value DOUBLE, se DOUBLE, ci_low DOUBLE, ci_high DOUBLE, "
        "kind VARCHAR, direction VARCHAR, sd DOUBLE)")
    if rows:
        con.executemany("INSERT INTO indicator_results VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return con


def goals(*specs: dict[str, Any]) -> tuple[Goal, ...]:
    return parse_goals(list(specs), "district.toml", KNOWN)


def rows_by(table, key: str = "student_group") -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in table.to_pylist()}


def wls_oracle(years, values, se, at: int) -> tuple[float, float]:
    """Projection and its sd with numpy.polyfit (w = 1/se), covariance scaled only when the
    reduced chi-square exceeds 1."""
    years, values, se = (np.asarray(a, float) for a in (years, values, se))
    coef, cov = np.polyfit(years - at, values, 1, w=1 / se, cov="unscaled")
    if len(years) > 2:
        chi2 = np.sum(((values - np.polyval(coef, years - at)) / se) ** 2)
        cov = cov * max(1.0, chi2 / (len(years) - 2))
    return float(coef[1]), float(np.sqrt(cov[1, 1]))


# --- Example 1: "every English learner who entered in K-1 reclassified by grade 6 by 2028" ---

EL_GOAL = {"id": "el_2028", "name": "Every EL reclassified by grade 6",
           "indicator": "el_reclassified_by_grade6", "target": 100, "by": 2028}


def test_el_reclassification_off_track_with_projection() -> None:
    # Percent: 50 (se 5), 60 (se 5), 65 (se 2.5) in 2023-2025.
    con = warehouse([
        result("el_reclassified_by_grade6", "ALL", 2023, 200, 0.50, 0.05),
        result("el_reclassified_by_grade6", "ALL", 2024, 200, 0.60, 0.05),
        result("el_reclassified_by_grade6", "ALL", 2025, 200, 0.65, 0.025),
    ])
    row = goals_progress(con, goals(EL_GOAL)).to_pylist()[0]
    # Baseline 2023 = 50; interim 2025 = 50 + (100 - 50) * (2025 - 2023) / (2028 - 2023) = 70.
    assert (row["baseline_year"], row["baseline_value"]) == (2023, pytest.approx(50.0))
    assert row["interim_target"] == pytest.approx(70.0)
    assert (row["school_year"], row["n"], row["value"]) == (2025, 200, pytest.approx(65.0))
    assert row["status"] == "off track"  # 65 < 70
    # WLS, x = year - 2028 = (-5, -4, -3), w = 1/se^2 = (0.04, 0.04, 0.16):
    # Sw = 0.24, Swx = -0.84, Swx2 = 3.08, Swy = 14.8, Swxy = -50.8, det = 0.24*3.08 - 0.84^2
    # = 0.0336; intercept (value at 2028) = (3.08*14.8 - 0.84*50.8) / 0.0336 = 86.667;
    # slope = (0.24*-50.8 + 0.84*14.8) / 0.0336 = 7.143 a year; chi2 = 0.19 < 1: no scaling;
    # var = Swx2 / det = 91.667, sd = 9.574; interval 86.667 +/- 18.77 = (67.90, 105.43),
    # clipped to 100; p_meet = P(V >= 100) = Phi((86.667 - 100) / 9.574) = Phi(-1.393) = 0.082.
    value, sd = wls_oracle([2023, 2024, 2025], [50, 60, 65], [5, 5, 2.5], 2028)
    assert value == pytest.approx(260 / 3) and sd == pytest.approx(math.sqrt(3.08 / 0.0336))
    assert row["projected_value"] == pytest.approx(value)
    assert row["projected_low"] == pytest.approx(value - Z * sd)
    assert row["projected_high"] == 100.0  # 105.43 clipped: a rate stops at 100%
    assert row["p_meet"] == pytest.approx(norm.cdf((value - 100) / sd))
    assert row["p_meet"] == pytest.approx(0.0819, abs=5e-4)
    assert row["note"] == ""
    # Off by 70 - 65 = 5 percentage points.
    assert off_track(goals_progress(con, goals(EL_GOAL))) == [{
        "goal_id": "el_2028", "goal_name": "Every EL reclassified by grade 6",
        "indicator": "el_reclassified_by_grade6", "entity_type": "district",
        "entity_id": "D1", "entity_name": "Bayview Unified", "student_group": "ALL",
        "reference_group": None, "school_year": 2025, "n": 200,
        "value": pytest.approx(65.0), "interim_target": pytest.approx(70.0),
        "target_value": 100.0, "shortfall": pytest.approx(5.0)}]


def test_rate_of_100_percent_is_met_and_weighted_with_agresti_coull() -> None:
    # 18/20 then 20/20: a rate of 1 has se 0, so its weight uses p~ = (20 + 2) / (20 + 4).
    con = warehouse([
        result("el_reclassified_by_grade6", "ALL", 2024, 20, 0.9, math.sqrt(0.9 * 0.1 / 20)),
        result("el_reclassified_by_grade6", "ALL", 2025, 20, 1.0, 0.0),
    ])
    row = goals_progress(con, goals(EL_GOAL)).to_pylist()[0]
    assert row["status"] == "met"
    p = 22 / 24
    se = [100 * math.sqrt(0.9 * 0.1 / 20), 100 * math.sqrt(p * (1 - p) / 24)]
    value, sd = wls_oracle([2024, 2025], [90, 100], se, 2028)
    # Two years: the line passes through both points, 90 + 4 * 10 = 130 at 2028.
    assert value == pytest.approx(130.0)
    assert row["projected_value"] == 100.0
    assert row["p_meet"] == pytest.approx(norm.cdf((value - 100) / sd))


# --- Example 2: "chronic absence at or below 10% for every group by 2027" ---

CA_GOAL = {"id": "ca_2027", "indicator": "chronic_absence", "groups": "every", "target": 10,
           "by": 2027}


def chronic_absence_rows(entity: tuple[str, str, str] = DISTRICT) -> list[tuple]:
    def ca(group, year, n, pct, se_pct):
        return result("chronic_absence", group, year, n, pct / 100, se_pct / 100, entity)
    return [
        ca("ALL", 2023, 1000, 20, 1), ca("ALL", 2024, 1000, 16, 1), ca("ALL", 2025, 1000, 14, 1),
        ca("AA", 2023, 100, 30, 3), ca("AA", 2024, 100, 29, 3), ca("AA", 2025, 100, 28, 3),
        ca("HI", 2023, 400, 22, 2), ca("HI", 2024, 400, 15, 2), ca("HI", 2025, 400, 9, 2),
        ca("FOS", 2023, 12, 50, 14), ca("FOS", 2024, 14, 50, 13), ca("FOS", 2025, 8, 25, 15),
        ca("SWD", 2023, 120, 25, 4), ca("SWD", 2024, 110, 24, 4),
        ca("AA+M", 2025, 50, 30, 6),
    ]


def test_chronic_absence_every_group() -> None:
    table = goals_progress(warehouse(chronic_absence_rows()), goals(CA_GOAL))
    assert table.column_names == list(COLUMNS)
    rows = rows_by(table)
    # Report order: default groups, then others (the intersection last).
    assert list(rows) == ["ALL", "AA", "HI", "SWD", "FOS", "AA+M"]
    assert {g: r["status"] for g, r in rows.items()} == {
        "ALL": "on track", "AA": "off track", "HI": "met", "SWD": "no data", "FOS": "no data",
        "AA+M": "on track"}
    # ALL: baseline 20 (2023); lower is better, so at most; interim 2025 = 20 + (10 - 20) * 2/4
    # = 15; 14 <= 15: on track. Equal se: ordinary least squares, slope (14 - 20) / 2 = -3,
    # mean 50/3 at 2024, 16.667 - 3 * 3 = 7.667 at 2027; residuals (1/3, -2/3, 1/3), chi2 = 2/3;
    # var = 1 * (1/3 + (2027 - 2024)^2 / 2) = 4.833; P(V <= 10) = Phi(2.333 / 2.198) = 0.856.
    all_ = rows["ALL"]
    assert all_["interim_target"] == pytest.approx(15.0)
    assert all_["projected_value"] == pytest.approx(23 / 3)
    sd = math.sqrt(1 / 3 + 9 / 2)
    assert wls_oracle([2023, 2024, 2025], [20, 16, 14], [1, 1, 1], 2027) == (
        pytest.approx(23 / 3), pytest.approx(sd))
    # Interval 7.667 -/+ 1.96 * 2.198 = (3.36, 11.98).
    assert all_["projected_low"] == pytest.approx(23 / 3 - Z * sd)
    assert all_["projected_high"] == pytest.approx(23 / 3 + Z * sd)
    assert all_["p_meet"] == pytest.approx(norm.cdf((10 - 23 / 3) / sd))
    assert all_["p_meet"] == pytest.approx(0.8558, abs=5e-4)
    # AA: 30, 29, 28; interim 30 + (10 - 30) * 2/4 = 20; 28 > 20: off track by 8.
    # Exact line, slope -1: 26 at 2027; var = 9 * 4.833 = 43.5; P(V <= 10) = Phi(-16 / 6.595).
    aa = rows["AA"]
    assert aa["interim_target"] == pytest.approx(20.0)
    assert aa["projected_value"] == pytest.approx(26.0)
    assert aa["p_meet"] == pytest.approx(norm.cdf(-16 / math.sqrt(43.5)))
    # HI: 9 <= 10 is met already; the line (slope -6.5) reaches -4.17 by 2027, shown as 0.
    assert rows["HI"]["value"] == pytest.approx(9.0)
    assert rows["HI"]["projected_value"] == 0.0
    assert rows["HI"]["p_meet"] == pytest.approx(norm.cdf((10 + 25 / 6) / math.sqrt(4 * 29 / 6)))
    # FOS: n = 8 in 2025, below 11: no value shown; the trend uses 2023-2024 (n 12 and 14).
    fos = rows["FOS"]
    assert (fos["n"], fos["value"]) == (8, None)
    assert "n = 8 in 2025, below the minimum reporting size of 11" in fos["note"]
    assert fos["projected_value"] == pytest.approx(50.0)
    # SWD: nothing in 2025.
    assert rows["SWD"]["n"] is None and "no result in 2025" in rows["SWD"]["note"]
    # AA+M: one year only: it is its own baseline; no projection.
    amm = rows["AA+M"]
    assert amm["status"] == "on track" and amm["baseline_year"] == 2025
    assert "fewer than two years of data: no projection" in amm["note"]
    assert math.isnan(amm["projected_value"]) and math.isnan(amm["p_meet"])
    # Largest shortfall first: AA (28 - 20 = 8).
    assert [(r["student_group"], r["shortfall"]) for r in off_track(table)] == [
        ("AA", pytest.approx(8.0))]


def test_reversed_direction_flips_status_and_p_meet() -> None:
    con = warehouse(chronic_absence_rows())
    lower, higher = (rows_by(goals_progress(con, goals(CA_GOAL | {"direction": d})))
                     for d in ("at_most", "at_least"))
    # at_least 10 (an odd goal for absence, but the arithmetic must follow): ALL 14 >= 10 is
    # met; HI 9 is below the interim target 22 + (10 - 22) * 2/4 = 16: off track.
    assert (higher["ALL"]["status"], higher["HI"]["status"]) == ("met", "off track")
    assert higher["HI"]["interim_target"] == pytest.approx(16.0)
    for group in ("ALL", "AA", "HI"):
        assert lower[group]["p_meet"] + higher[group]["p_meet"] == pytest.approx(1.0)
    assert off_track(goals_progress(con, goals(CA_GOAL | {"direction": "at_least"})))[0][
        "shortfall"] == pytest.approx(7.0)  # HI: 16 - 9


def test_explicit_interim_targets_and_tolerance() -> None:
    spec = CA_GOAL | {"groups": ["ALL"], "interim": {"2024": 18.0, "2025": 16.0}}
    goal = goals(spec)[0]
    assert goal.interim == ((2024, 18.0), (2025, 16.0))
    # Knots (2023, 20), (2024, 18), (2025, 16), (2027, 10): 2026 is halfway from 16 to 10.
    assert [interim_target(goal, y, 2023, 20.0, 10.0) for y in range(2022, 2029)] == [
        None, 20.0, 18.0, 16.0, 13.0, 10.0, 10.0]
    # Exactly 10% (0.1 * 100 = 10.000000000000002 in floating point) meets "at most 10".
    con = warehouse([result("chronic_absence", "ALL", 2025, 500, 0.1, 0.0134)])
    assert goals_progress(con, (goal,))["status"].to_pylist() == ["met"]


def test_mean_goal_in_points() -> None:
    # ELA Distance from Standard, points: -30, -20, -15 (se 2); target 0 by 2027 from 2023.
    goal = goals({"id": "ela", "indicator": "ela_dfs", "target": 0, "by": 2027})
    con = warehouse([result("ela_dfs", "ALL", y, 300, v, 2.0)
                     for y, v in ((2023, -30.0), (2024, -20.0), (2025, -15.0))])
    row = goals_progress(con, goal).to_pylist()[0]
    # Interim 2025 = -30 + 30 * 2/4 = -15; -15 >= -15: on track (points, not x100).
    assert (row["interim_target"], row["status"]) == (pytest.approx(-15.0), "on track")
    # OLS slope 7.5, mean -21.667 at 2024: 0.833 at 2027; residuals (-0.833, 1.667, -0.833)
    # / 2: chi2 = 1.042 > 1, so the covariance is scaled by 1.042.
    value, sd = wls_oracle([2023, 2024, 2025], [-30, -20, -15], [2, 2, 2], 2027)
    assert value == pytest.approx(5 / 6)
    assert sd == pytest.approx(math.sqrt(4 * 29 / 6 * 25 / 24))  # chi2 = (25/6) / 4 = 25/24
    assert row["projected_value"] == pytest.approx(value)
    assert row["projected_low"] == pytest.approx(value - Z * sd)
    assert row["p_meet"] == pytest.approx(norm.cdf(value / sd))


def test_scaled_covariance_matches_polyfit() -> None:
    # Scatter well beyond the se: numpy's cov=True scales by chi2 / (k - 2) too.
    years, values, se = np.array([2021, 2022, 2023, 2024]), np.array([10, 20, 12, 25.]), \
        np.array([1.0, 2.0, 1.0, 2.0])
    proj = project(years, values, se, 2027)
    coef, cov = np.polyfit(years - 2027, values, 1, w=1 / se, cov=True)
    assert proj.value == pytest.approx(coef[1])
    assert proj.sd == pytest.approx(math.sqrt(cov[1, 1]))
    # p_meet for a gap: P(|V| <= 5) with V ~ N(proj, sd^2).
    assert p_meet(proj, 5.0, "at_most", gap=True) == pytest.approx(
        norm.cdf(5, proj.value, proj.sd) - norm.cdf(-5, proj.value, proj.sd))


# --- Example 3: "halve the Black-White grade 3 reading gap by 2028" ---

GAP_GOAL = {"id": "gap", "name": "Halve the Black-White grade 3 reading gap",
            "indicator": "grade3_reading_met", "gap": ["AA", "WH"], "reduce_by": 0.5,
            "by": 2028}


def reading_rows(entity: tuple[str, str, str] = DISTRICT) -> list[tuple]:
    def g3(group, year, n, pct, se_pct):
        return result("grade3_reading_met", group, year, n, pct / 100, se_pct / 100, entity)
    # Gaps AA - WH: -40 (se sqrt(3^2 + 4^2) = 5), -38 (5), -30 (sqrt(6^2 + 8^2) = 10).
    return [g3("AA", 2023, 50, 30, 3), g3("WH", 2023, 200, 70, 4),
            g3("AA", 2024, 60, 33, 3), g3("WH", 2024, 210, 71, 4),
            g3("AA", 2025, 45, 40, 6), g3("WH", 2025, 180, 70, 8),
            g3("HI", 2025, 300, 20, 2)]


def test_gap_goal_halve_the_gap() -> None:
    row = goals_progress(warehouse(reading_rows()), goals(GAP_GOAL)).to_pylist()[0]
    assert (row["student_group"], row["reference_group"]) == ("AA", "WH")
    # n = the smaller group: min(45, 180); value = 40 - 70 = -30 percentage points.
    assert (row["n"], row["value"]) == (45, pytest.approx(-30.0))
    # Baseline gap -40 (2023): target |gap| <= 40 * (1 - 0.5) = 20; interim 2025 =
    # 40 + (20 - 40) * 2/5 = 32; |-30| <= 32: on track.
    assert row["baseline_value"] == pytest.approx(-40.0)
    assert row["target_value"] == pytest.approx(20.0)
    assert row["interim_target"] == pytest.approx(32.0)
    assert row["status"] == "on track"
    # WLS, x = (-5, -4, -3), w = (0.04, 0.04, 0.01): Sw = 0.09, Swx = -0.39, Swx2 = 1.73,
    # Swy = -3.42, Swxy = 14.98, det = 0.1557 - 0.1521 = 0.0036; at 2028:
    # (1.73 * -3.42 + 0.39 * 14.98) / 0.0036 = -20.667; slope 4 a year; chi2 = 0.16: unscaled;
    # var = 1.73 / 0.0036 = 480.6, sd = 21.92;
    # P(|V| <= 20) = Phi((20 + 20.667) / 21.92) - Phi((-20 + 20.667) / 21.92) = 0.456.
    value, sd = wls_oracle([2023, 2024, 2025], [-40, -38, -30], [5, 5, 10], 2028)
    assert (value, sd) == (pytest.approx(-62 / 3), pytest.approx(math.sqrt(1.73 / 0.0036)))
    assert row["projected_value"] == pytest.approx(value)
    assert (row["projected_low"], row["projected_high"]) == (
        pytest.approx(value - Z * sd), pytest.approx(value + Z * sd))
    assert row["p_meet"] == pytest.approx(norm.cdf((20 - value) / sd)
                                          - norm.cdf((-20 - value) / sd))
    assert row["p_meet"] == pytest.approx(0.456, abs=1e-3)


def test_gap_goal_with_target_size() -> None:
    goal = goals({k: v for k, v in GAP_GOAL.items() if k != "reduce_by"} | {"target": 10})
    table = goals_progress(warehouse(reading_rows()), goal)
    row = table.to_pylist()[0]
    # Interim 2025 = 40 + (10 - 40) * 2/5 = 28; |-30| > 28: off track by 2.
    assert (row["target_value"], row["interim_target"], row["status"]) == (
        10.0, pytest.approx(28.0), "off track")
    assert off_track(table)[0]["shortfall"] == pytest.approx(2.0)


def test_gap_without_a_baseline_has_no_target() -> None:
    # baseline_year 2022 has no data: reduce_by has nothing to halve.
    goal = goals(GAP_GOAL | {"baseline_year": 2022})
    row = goals_progress(warehouse(reading_rows()), goal).to_pylist()[0]
    assert (row["status"], row["target_value"], row["baseline_value"]) == ("no data", None, None)
    assert "no reportable value in the baseline year 2022" in row["note"]
    assert "no target" in row["note"]
    assert math.isnan(row["p_meet"]) and not math.isnan(row["projected_value"])


def test_gap_with_a_small_group() -> None:
    rows = reading_rows()
    rows[4] = result("grade3_reading_met", "AA", 2025, 9, 0.4, 0.16)
    row = goals_progress(warehouse(rows), goals(GAP_GOAL)).to_pylist()[0]
    assert (row["status"], row["n"], row["value"]) == ("no data", 9, None)


# --- Entities, years, missing indicators ---

def test_entities_schools_and_all() -> None:
    rows = [r for e in (DISTRICT, BOARD, SCHOOL_B, SCHOOL_A) for r in chronic_absence_rows(e)]
    con = warehouse(rows)
    spec = CA_GOAL | {"groups": ["ALL"]}
    district = goals_progress(con, goals(spec))
    assert district["entity_id"].to_pylist() == ["D1"]
    schools = goals_progress(con, goals(spec | {"entities": "schools"}))
    assert schools["entity_name"].to_pylist() == ["Jefferson Elementary", "Roosevelt Elementary"]
    everything = goals_progress(con, goals(spec | {"entities": "all"}))
    assert everything["entity_type"].to_pylist() == [
        "district", "board_district", "school", "school"]
    assert set(everything["status"].to_pylist()) == {"on track"}
    gap = goals_progress(warehouse([r for e in (DISTRICT, SCHOOL_A) for r in reading_rows(e)]),
                         goals(GAP_GOAL | {"entities": "schools"}))
    assert gap["entity_id"].to_pylist() == ["0101"]


def test_current_year_limits_the_data() -> None:
    con = warehouse(chronic_absence_rows())
    row = rows_by(goals_progress(con, goals(CA_GOAL), current_year=2024))["ALL"]
    # 2024: interim 20 + (10 - 20) * 1/4 = 17.5; 16 <= 17.5; the line through 20, 16 gives
    # 16 - 4 * 3 = 4 at 2027.
    assert (row["school_year"], row["value"], row["interim_target"], row["status"]) == (
        2024, pytest.approx(16.0), pytest.approx(17.5), "on track")
    assert row["projected_value"] == pytest.approx(4.0)


def test_goal_without_results() -> None:
    table = goals_progress(warehouse(chronic_absence_rows()), goals(EL_GOAL), current_year=2025)
    assert table.to_pylist() == [{
        "goal_id": "el_2028", "goal_name": "Every EL reclassified by grade 6",
        "indicator": "el_reclassified_by_grade6", "entity_type": None, "entity_id": None,
        "entity_name": None, "student_group": "ALL", "reference_group": None,
        "school_year": None, "n": None, "value": None, "baseline_year": None,
        "baseline_value": None, "target_year": 2028, "target_value": 100.0,
        "interim_target": None, "status": "no data", "projected_value": pytest.approx(math.nan,
                                                                                    nan_ok=True),
        "projected_low": pytest.approx(math.nan, nan_ok=True),
        "projected_high": pytest.approx(math.nan, nan_ok=True),
        "p_meet": pytest.approx(math.nan, nan_ok=True),
        "note": "no results for el_reclassified_by_grade6, group ALL up to 2025"}]
    # A listed group never reported (an intersection not in groups.intersections) is shown.
    spec = CA_GOAL | {"groups": ["ALL", "EL+SWD"]}
    table = goals_progress(warehouse(chronic_absence_rows()), goals(spec))
    assert [(r["student_group"], r["status"], r["note"]) for r in table.to_pylist()][1] == (
        "EL+SWD", "no data", "no results for chronic_absence, group EL+SWD")
    assert table["student_group"].to_pylist() == ["ALL", "EL+SWD"]
    gap = goals_progress(warehouse(chronic_absence_rows()), goals(GAP_GOAL)).to_pylist()
    assert [(r["student_group"], r["reference_group"], r["note"]) for r in gap] == [
        ("AA", "WH", "no results for grade3_reading_met, both AA and WH")]
    every = goals_progress(warehouse([]), goals(CA_GOAL)).to_pylist()
    assert [(r["student_group"], r["note"]) for r in every] == [
        (None, "no results for chronic_absence, any group")]


# --- Parsing ---

def test_the_documented_example_parses() -> None:
    parsed = parse_goals(tomllib.loads(EXAMPLE)["goals"], "district.toml", KNOWN)
    el, ca, gap = parsed
    assert (el.kind, el.direction, el.groups, el.entities, el.target) == (
        "rate", "at_least", ("ALL",), "district", 100.0)
    assert (ca.direction, ca.groups, ca.entity_types) == (
        "at_most", None, ("district", "board_district", "school"))
    assert (gap.gap, gap.reduce_by, gap.target, gap.baseline_year) == (
        ("AA", "WH"), 0.5, None, 2024)
    assert goals({"id": "x", "indicator": "ela_met", "groups": ["AA + M", "EL"],
                  "target": 60, "by": 2027})[0].groups == ("AA+M", "EL")


BASE = {"id": "g1", "indicator": "chronic_absence", "target": 10, "by": 2027}
GAP = {"id": "g1", "indicator": "grade3_reading_met", "gap": ["AA", "WH"], "reduce_by": 0.5,
       "by": 2028}


@pytest.mark.parametrize(("spec", "key", "fragment"), [
    (BASE | {"tagret": 10}, "tagret", "unknown key (known: id, name, indicator"),
    ({k: v for k, v in BASE.items() if k != "id"}, "id", "required"),
    (BASE | {"id": ""}, "id", "required"),
    ({k: v for k, v in BASE.items() if k != "indicator"}, "indicator", "required"),
    ({k: v for k, v in BASE.items() if k != "by"}, "by", "required"),
    (BASE | {"indicator": "absence"}, "indicator", "unknown indicator 'absence' (known: "),
    (BASE | {"indicator": ["chronic_absence"]}, "indicator", "unknown indicator"),
    (BASE | {"entities": ["district"]}, "entities", "is not one of district, schools, all"),
    (BASE | {"groups": ["AA", "BLK"]}, "groups", "unknown student group 'BLK'"),
    (BASE | {"groups": ["ALL+M"]}, "groups", "ALL cannot be part of an intersection"),
    (BASE | {"groups": "ALL"}, "groups", 'list of group codes or "every"'),
    (BASE | {"groups": []}, "groups", 'list of group codes or "every"'),
    (BASE | {"entities": "school"}, "entities", "'school' is not one of district, schools"),
    (BASE | {"name": 3}, "name", "should be a string"),
    (BASE | {"target": 150}, "target", "150 is above 100 (rate targets are in percent)"),
    (BASE | {"target": -1}, "target", "-1 is below 0"),
    (BASE | {"target": "10%"}, "target", "should be a number"),
    ({k: v for k, v in BASE.items() if k != "target"}, "target", "required"),
    (BASE | {"reduce_by": 0.5}, "reduce_by", "only for gap goals"),
    (BASE | {"direction": "down"}, "direction", "'down' is not one of at_least, at_most"),
    (BASE | {"by": "2027"}, "by", "should be a school year such as 2028"),
    (BASE | {"by": 27}, "by", "should be a school year"),
    (BASE | {"baseline_year": 2027}, "by", "2027 is not after baseline_year 2027"),
    (BASE | {"baseline_year": 2028}, "by", "2027 is not after baseline_year 2028"),
    (BASE | {"interim": {"2027": 12}}, "interim", "year 2027 is not between the baseline"),
    (BASE | {"baseline_year": 2024, "interim": {"2024": 12}}, "interim", "year 2024"),
    (BASE | {"interim": {"next": 12}}, "interim", "'next' is not a school year"),
    (BASE | {"interim": {"2026": 120}}, "interim", "120 is above 100"),
    (BASE | {"interim": [12]}, "interim", "should be a table of year = target"),
    (GAP | {"target": 10}, "reduce_by", "give target or reduce_by, not both"),
    ({k: v for k, v in GAP.items() if k != "reduce_by"}, "target", "needs target (gap size)"),
    (GAP | {"reduce_by": 1.5}, "reduce_by", "1.5 is above 1"),
    (GAP | {"reduce_by": 0}, "reduce_by", "should be more than 0"),
    (GAP | {"gap": ["AA"]}, "gap", "should be [group, reference]"),
    (GAP | {"gap": ["AA", "AA"]}, "gap", "group and reference are both 'AA'"),
    (GAP | {"gap": ["AA", "XX"]}, "gap", "unknown student group 'XX'"),
    (GAP | {"groups": ["AA"]}, "groups", "does not apply to a gap goal"),
    (GAP | {"direction": "at_most"}, "direction", "does not apply to a gap goal"),
])
def test_config_errors_name_file_goal_and_key(spec: dict, key: str, fragment: str) -> None:
    ok = {"id": "g0", "indicator": "ela_met", "target": 60, "by": 2027}
    with pytest.raises(ConfigError) as err:
        parse_goals([ok, spec], "district.toml", KNOWN)
    message = str(err.value)
    assert message.startswith("district.toml: goals[2]")
    if spec.get("id"):
        assert "(g1)" in message
    assert f": {key}: " in message
    assert fragment in message


def test_duplicate_ids_and_bad_shapes() -> None:
    with pytest.raises(ConfigError, match=r"district.toml: goals\[2\] \(g1\): id: duplicate"):
        parse_goals([BASE, BASE], "district.toml", KNOWN)
    with pytest.raises(ConfigError, match="goals must be \\[\\[goals\\]\\] tables"):
        parse_goals({"id": "g1"}, "district.toml", KNOWN)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="goals must be"):
        parse_goals(["g1"], "district.toml", KNOWN)  # type: ignore[list-item]


def test_district_indicators_are_known_too() -> None:
    known = KNOWN | {"attendance_rate": ("mean", "higher")}
    (goal,) = parse_goals([{"id": "a", "indicator": "attendance_rate", "target": 0.95,
                            "by": 2026}], "district.toml", known)
    assert (goal.kind, goal.direction, goal.scale) == ("mean", "at_least", 1.0)


# --- Docs ---

def test_docs_cover_every_key_and_column() -> None:
    doc = render_goals_doc()
    assert set(COLUMN_HELP) == set(COLUMNS)
    for key in GOAL_KEYS:
        assert f"| `{key}` |" in doc
    for column in COLUMNS:
        assert f"| `{column}` |" in doc
    assert EXAMPLE in doc


# --- On a synthetic district, through ingest and run ---

@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from gapwatch.indicators import run
    from gapwatch.ingest import ingest_bundle
    from gapwatch.synth import generate

    folder = tmp_path_factory.mktemp("goals")
    generate(folder / "bundle", students=800, schools=4, years=3, seed=3)
    assert ingest_bundle(folder / "bundle", folder / "w.duckdb").exit_code == 0
    run(folder / "w.duckdb", Config())
    return folder / "w.duckdb"


def test_synthetic_district(synthetic: Path) -> None:
    specs = tomllib.loads(EXAMPLE)["goals"]
    specs[2].pop("baseline_year")
    specs.append({"id": "ela_gap", "indicator": "ela_met", "gap": ["HI", "WH"], "target": 5,
                  "by": 2028, "entities": "all"})
    con = duckdb.connect(str(synthetic), read_only=True)
    try:
        table = goals_progress(con, parse_goals(specs, "district.toml", KNOWN))
        stored = con.execute(
            "SELECT entity_type, entity_id, student_group, n, value * 100 FROM "
            "indicator_results WHERE indicator = 'chronic_absence' AND school_year = 2025"
        ).fetchall()
        gaps = {r[:2]: r[2:] for r in con.execute(
            "SELECT entity_type, entity_id, least(a.n, b.n), (a.value - b.value) * 100 "
            "FROM indicator_results a JOIN indicator_results b "
            "USING (school_year, entity_type, entity_id, indicator) "
            "WHERE a.indicator = 'ela_met' AND a.student_group = 'HI' "
            "AND b.student_group = 'WH' AND school_year = 2025").fetchall()}
    finally:
        con.close()
    assert set(table["status"].to_pylist()) <= {"met", "on track", "off track", "no data"}
    ca = table.filter(pc.equal(table["goal_id"], "chronic_absence_2027")).to_pylist()
    latest = {(s[0], s[1], s[2]): s for s in stored}
    # Every entity and group with a 2025 result, plus those with earlier results only.
    assert {(r["entity_type"], r["entity_id"], r["student_group"]) for r in ca} >= set(latest)
    for row in ca:
        match = latest.get((row["entity_type"], row["entity_id"], row["student_group"]))
        if match is None:
            assert row["status"] == "no data" and "no result in 2025" in row["note"]
        elif match[3] < 11:
            assert (row["n"], row["value"], row["status"]) == (match[3], None, "no data")
        else:
            assert (row["n"], row["value"]) == (match[3], pytest.approx(match[4]))
            assert row["status"] != "no data"
    gap = table.filter(pc.equal(table["goal_id"], "ela_gap")).to_pylist()
    checked = [r for r in gap if r["value"] is not None]
    assert checked, "the synthetic district should have some HI-WH gaps with n >= 11"
    for row in checked:
        n, value = gaps[row["entity_type"], row["entity_id"]]
        assert (row["n"], row["value"]) == (n, pytest.approx(value))
