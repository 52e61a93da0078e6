"""The ``dashboard``, ``equity_report`` and ``support`` tables built from a warehouse.

The level logic itself is tested in test_dashboard_levels.py; here: the inputs (units, change
from unrounded values, prior year, n-size, cut-set choice from the warehouse) on a synthetic
district, and the equity report and support findings on a hand-made ``dashboard`` table whose
answers are worked out in the comments.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from synthdistrict import run_district

from gapwatch.dashboard.designations import designations
from gapwatch.dashboard.equity import store_equity_report


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_district(tmp_path_factory.mktemp("dash"), students=2500, schools=8, years=3, seed=3)


def _frames(db: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with duckdb.connect(str(db), read_only=True) as con:
        return (con.sql("SELECT * FROM dashboard").df(),
                con.sql("SELECT * FROM indicator_results").df(),
                con.sql("SELECT * FROM schools").df())


def test_status_and_change_from_unrounded_results(district: Path) -> None:
    dash, results, _ = _frames(district)
    keys = ["school_year", "entity_type", "entity_id", "indicator", "student_group"]
    merged = dash.merge(results, on=keys, suffixes=("", "_r"))
    assert len(merged) == len(dash) > 500
    expected = np.where(merged["kind"] == "rate", merged["value"] * 100, merged["value"])
    np.testing.assert_allclose(merged["status"], expected, rtol=0, atol=1e-12)
    prior = results.assign(school_year=results["school_year"] + 1)[[*keys, "value", "kind"]]
    with_prior = dash.merge(prior, on=keys, how="left")
    scale = np.where(with_prior["kind"] == "rate", 100.0, 1.0)
    expected_change = with_prior["status"] - with_prior["value"] * scale
    has = with_prior["value"].notna().to_numpy()
    assert has.sum() > 100 and with_prior.loc[~has, "change"].isna().all()
    np.testing.assert_allclose(with_prior.loc[has, "change"], expected_change[has], atol=1e-9)
    # the level uses the change rounded once to 0.1, from unrounded statuses (reported when
    # both years have at least 11 students)
    rated = has & (with_prior["n"] >= 11).to_numpy() & (with_prior["prior_n"] >= 11).to_numpy()
    assert with_prior.loc[rated, "change_rounded"].notna().all()
    off = (with_prior.loc[rated, "change_rounded"] - with_prior.loc[rated, "change"]).abs()
    assert (off <= 0.05 + 1e-9).all()
    tenths = with_prior.loc[rated, "change_rounded"] * 10
    np.testing.assert_allclose(tenths, np.round(tenths), atol=1e-9)


def test_n_size_rules(district: Path) -> None:
    dash, _, _ = _frames(district)
    small = dash[dash["n"] < 11]
    assert small["status_level"].isna().all() and small["color"].isna().all()
    no_color = dash[(dash["n"] < 30) | (dash["prior_n"].fillna(0) < 30)]
    assert no_color["color"].isna().all()
    colored = dash[dash["color"].notna()]
    assert len(colored) > 50
    assert ((colored["n"] >= 30) & (colored["prior_n"] >= 30)).all()
    assert (colored["color_number"].between(1, 5)).all()
    assert (dash.loc[dash["color"].isna(), "color_number"] == 0).all()


def test_cut_sets_follow_the_schools(district: Path) -> None:
    dash, _, schools = _frames(district)
    school_rows = dash[dash["entity_type"] == "school"].merge(
        schools, left_on="entity_id", right_on="school_id")
    susp = school_rows[school_rows["indicator"] == "suspension_rate"]
    expected = susp["school_type"].map({"ELEM": "school_elementary", "MIDDLE": "school_middle",
                                        "HIGH": "school_high"})
    known = expected.notna()
    assert known.sum() > 10
    assert (susp.loc[known, "cut_set"] == expected[known]).all()
    ela = school_rows[school_rows["indicator"] == "ela_dfs"]
    # a high school (9-12) tests only grade 11: the grade-11 cut points
    assert (ela.loc[ela["school_type"] == "HIGH", "cut_set"] == "grade_11").all()
    assert (ela.loc[ela["school_type"] == "ELEM", "cut_set"] == "grades_3_8").all()
    assert set(dash.loc[dash["indicator"] == "chronic_absence", "cut_set"]) == {"all"}


DASH_DDL = """
CREATE TABLE dashboard (school_year SMALLINT, entity_type VARCHAR, entity_id VARCHAR,
    entity_name VARCHAR, indicator VARCHAR, dashboard_indicator VARCHAR, student_group VARCHAR,
    status_level VARCHAR, status_level_number TINYINT, color VARCHAR, color_number TINYINT)
"""
NUMBER = {"Red": 1, "Orange": 2, "Yellow": 3, "Green": 4, "Blue": 5, None: 0}
LEVEL = {"Very Low": 1, "Low": 2, "Medium": 3, "High": 4, "Very High": 5}


def _dash(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(DASH_DDL)
    con.execute("CREATE TABLE indicator_results (school_year SMALLINT, entity_type VARCHAR, "
                "entity_id VARCHAR, indicator VARCHAR, student_group VARCHAR, n BIGINT, "
                "numerator BIGINT, value DOUBLE)")
    full = [(2025, etype, eid, eid.title(), f"{ind}_x", ind, group, level, LEVEL[level],
             color, NUMBER[color]) for etype, eid, ind, group, level, color in rows]
    con.executemany(f"INSERT INTO dashboard VALUES ({', '.join(['?'] * 11)})", full)
    return con


def test_equity_report_counts() -> None:
    con = _dash([
        ("school", "s1", "ela", "ALL", "Medium", "Yellow"),
        ("school", "s1", "ela", "AA", "Very Low", "Red"),  # 3 - 1 = 2 levels below
        ("school", "s1", "ela", "HI", "Low", "Orange"),  # 1 level below
        ("school", "s1", "ela", "WH", "High", "Green"),
        ("school", "s1", "ela", "EL", "Very Low", None),  # below, but no color: not evaluated
        ("school", "s1", "ela", "AA+M", "Very Low", "Red"),  # intersections are not counted
    ])
    assert store_equity_report(con) == 1
    row = con.sql("SELECT * FROM equity_report").df().iloc[0]
    assert row["groups_evaluated"] == 3  # AA, HI, WH have a color
    assert row["red_or_orange"] == 2 and row["red_or_orange_groups"] == "AA (Red), HI (Orange)"
    assert row["two_levels_below"] == 2  # AA and EL are 2 levels below Medium
    assert row["two_levels_below_groups"] == "AA (Very Low), EL (Very Low)"
    assert row["all_color"] == "Yellow"


def test_support_findings() -> None:
    con = _dash([
        # district: AA Red on ELA and Orange on math (P4) and Red on chronic absence (P5) -> DA;
        # WH Red on suspension only (P6) -> not DA
        ("district", "d1", "ela", "AA", "Low", "Red"),
        ("district", "d1", "math", "AA", "Low", "Orange"),
        ("district", "d1", "chronic_absence", "AA", "High", "Red"),
        ("district", "d1", "suspension", "WH", "High", "Red"),
        # school s1: All students Red on every indicator -> CSI (no ATSI then)
        ("school", "s1", "ela", "ALL", "Low", "Red"),
        ("school", "s1", "math", "ALL", "Low", "Red"),
        ("school", "s1", "ela", "SWD", "Low", "Red"),
        ("school", "s1", "math", "SWD", "Low", "Red"),
        # school s2: All students fine, SWD all Red -> ATSI for SWD
        ("school", "s2", "ela", "ALL", "Medium", "Green"),
        ("school", "s2", "math", "ALL", "Medium", "Yellow"),
        ("school", "s2", "ela", "SWD", "Low", "Red"),
        ("school", "s2", "math", "SWD", "Low", "Red"),
    ])
    # s3: graduates 66, 69 and 68 of 100 in 2023-2025 -> pooled 203/300 = 67.7% < 68% -> CSI
    # (the two latest rates alone average 68.5%)
    con.executemany("INSERT INTO indicator_results VALUES (?, 'school', 's3', "
                    "'graduation_rate_combined', 'ALL', 100, ?, ?)",
                    [(2023, 66, 0.66), (2024, 69, 0.69), (2025, 68, 0.68)])
    con.execute("INSERT INTO dashboard VALUES (2025, 'school', 's3', 'S3', "
                "'graduation_rate_combined', 'graduation', 'ALL', 'Low', 2, 'Orange', 2)")
    found = {(r[2], r[4], r[5], r[6]) for r in designations(con)}
    assert ("d1", "AA", "DA", "priorities 4, 5") in found
    assert not any(f[0] == "d1" and f[1] == "WH" for f in found)
    assert ("s1", "ALL", "CSI", "low performing") in found
    assert not any(f[0] == "s1" and f[2] == "ATSI" for f in found)
    # SWD all Red at s2 in 2025 alone: not ATSI (two years of results, and 2025 is no CSI
    # year) and not TSI (two consecutive years)
    assert not any(f[0] == "s2" and f[2] in ("ATSI", "TSI") for f in found)
    assert not any(f[0] == "s2" and f[2] == "CSI" for f in found)
    assert ("s3", "ALL", "CSI", "graduation rate") in found
    reasons = {r[5]: r[7] for r in designations(con) if r[2] == "d1"}
    assert "Red on ELA and Orange on Math" in reasons["DA"]


def test_exports_written(district: Path, tmp_path: Path) -> None:
    from gapwatch.export import EXPORTS, export

    files = {p.name for p in export(district, tmp_path)}
    for stem in ("gaps", "gap_trends", "dashboard", "equity_report", "support",
                 "goals_progress", "indicator_results"):
        assert {f"{stem}.parquet", f"{stem}.csv"} <= files
    gaps_header = (tmp_path / "gaps.csv").read_text(encoding="utf-8").splitlines()[0]
    assert gaps_header.startswith("school_year,entity_type,entity_id,indicator,student_group,"
                                  "reference,metric,value,se,ci_low,ci_high,flagged")
    assert {e.stem for e in EXPORTS} >= {"gaps", "dashboard", "support", "goals_progress"}
