"""The ``gaps`` and ``gap_trends`` tables: which comparisons are made, and their arithmetic.

Two kinds of checks:

- a hand-made ``indicator_results`` (numbers chosen so the arithmetic can be done by hand) in an
  in-memory DuckDB: references, complements, the highest group, flags by direction, skipped
  groups, trends;
- a synthetic district run end to end, where every percentage-point gap against all other
  students and every choice of highest group is recomputed independently with pandas from
  ``indicator_results``.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from synthdistrict import run_district

from gapwatch.config import Config, load_config
from gapwatch.gaps.table import GAP_COLUMNS, complement, compute_gaps, store_gaps
from gapwatch.gaps.table import Side as GapSide
from gapwatch.gaps.trends import store_trends

RESULTS_DDL = """
CREATE TABLE indicator_results (
    school_year SMALLINT, entity_type VARCHAR, entity_id VARCHAR, entity_name VARCHAR,
    indicator VARCHAR, student_group VARCHAR, n BIGINT, numerator BIGINT, value DOUBLE,
    se DOUBLE, ci_low DOUBLE, ci_high DOUBLE, kind VARCHAR, direction VARCHAR, sd DOUBLE,
    level_counts BIGINT[])
"""


def _rate(indicator: str, direction: str, group: str, n: int, k: int, year: int = 2025):
    p = k / n
    return (year, "district", "D1", "District", indicator, group, n, k, p,
            math.sqrt(p * (1 - p) / n), None, None, "rate", direction, None, None)


def _mean(group: str, n: int, mean: float, sd: float, levels: list[int] | None):
    return (2025, "district", "D1", "District", "x_dfs", group, n, None, mean,
            sd / math.sqrt(n), None, None, "mean", "higher", sd, levels)


# Mean indicator: three disjoint race groups; All students is their union, its mean and SD
# computed from the groups' sums and sums of squares (sample SDs, n - 1).
MEANS = {"AA": (40, -50.0, 80.0), "WH": (60, 10.0, 70.0), "HI": (100, -22.0, 75.0)}
LEVELS = {"AA": [20, 10, 6, 4], "WH": [6, 14, 20, 20], "HI": [30, 30, 25, 15]}


def _union(parts: list[tuple[int, float, float]]) -> tuple[int, float, float]:
    n = sum(p[0] for p in parts)
    total = sum(p[0] * p[1] for p in parts)
    squares = sum((p[0] - 1) * p[2] ** 2 + p[0] * p[1] ** 2 for p in parts)
    mean = total / n
    return n, mean, math.sqrt((squares - n * mean * mean) / (n - 1))


@pytest.fixture
def hand() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(RESULTS_DDL)
    rows = [
        # a rate where higher is better: All 120/200 = 60%; AA 16/40 = 40%; WH 45/60 = 75%;
        # HI 59/100 = 59%; EL 3/10 (below gaps.min_n = 11: no gap)
        _rate("x_rate", "higher", "ALL", 200, 120), _rate("x_rate", "higher", "AA", 40, 16),
        _rate("x_rate", "higher", "WH", 60, 45), _rate("x_rate", "higher", "HI", 100, 59),
        _rate("x_rate", "higher", "EL", 10, 3),
        # an adverse outcome: All 23/200; AA 12/40 = 30%; WH 6/60 = 10%; HI 5/100 = 5%
        _rate("susp", "lower", "ALL", 200, 23), _rate("susp", "lower", "AA", 40, 12),
        _rate("susp", "lower", "WH", 60, 6), _rate("susp", "lower", "HI", 100, 5),
        # the LTEL rate among English learners: EL decides the outcome, no gap for EL
        _rate("ltel_rate", "lower", "ALL", 100, 40), _rate("ltel_rate", "lower", "EL", 100, 40),
        _rate("ltel_rate", "lower", "HI", 70, 30),
    ]
    all_n, all_mean, all_sd = _union(list(MEANS.values()))
    rows.append(_mean("ALL", all_n, all_mean, all_sd,
                      [int(x) for x in np.sum([LEVELS[g] for g in MEANS], axis=0)]))
    rows += [_mean(g, *MEANS[g], LEVELS[g]) for g in MEANS]
    con.executemany(f"INSERT INTO indicator_results VALUES ({', '.join(['?'] * 16)})", rows)
    return con


def _gaps(con: duckdb.DuckDBPyConnection, config: Config | None = None) -> pd.DataFrame:
    table = compute_gaps(con, config or Config())
    return table.to_pandas()


def _one(gaps: pd.DataFrame, **where: str) -> pd.Series:
    mask = np.ones(len(gaps), bool)
    for key, value in where.items():
        mask &= (gaps[key] == value).to_numpy()
    found = gaps[mask]
    assert len(found) == 1, f"{len(found)} rows for {where}"
    return found.iloc[0]


def test_contract_columns_come_first(hand: duckdb.DuckDBPyConnection) -> None:
    assert tuple(_gaps(hand).columns[: len(GAP_COLUMNS)]) == GAP_COLUMNS


def test_rate_gap_against_each_reference(hand: duckdb.DuckDBPyConnection) -> None:
    gaps = _gaps(hand)
    key = {"indicator": "x_rate", "student_group": "AA", "metric": "pp_difference"}
    # all other students: (120 - 16) / (200 - 40) = 104/160 = 65%; 40% - 65% = -25.0 pp
    other = _one(gaps, reference="complement", **key)
    assert other["value"] == pytest.approx(-25.0)
    assert other["reference_n"] == 160 and other["n"] == 40
    # All students (group included): 40% - 60% = -20.0 pp = (1 - 40/200) x -25.0
    assert _one(gaps, reference="ALL", **key)["value"] == pytest.approx(-20.0)
    # the configured reference group (WH, default): 40% - 75% = -35.0 pp
    assert _one(gaps, reference="WH", **key)["value"] == pytest.approx(-35.0)
    # highest race group with n >= 30: WH (75%); the 80% index 0.40 / 0.75 = 0.5333 < 0.8
    top = _one(gaps, reference="highest", indicator="x_rate", student_group="AA",
               metric="eighty_percent_index")
    assert top["reference_group"] == "WH"
    assert top["value"] == pytest.approx(0.4 / 0.75) and top["flagged"]
    # a -25 pp gap on 40 and 160 students is beyond noise and against the group
    assert other["flagged"] and not other["within_noise"]
    # PPG-1: 40% - 65% = -25 pp; MOE = max(1.96 sqrt(.4 x .6 / 40), 2 pp) = 15.18 pp -> flagged
    ppg1 = _one(gaps, reference="complement", indicator="x_rate", student_group="AA",
                metric="ppg1")
    assert ppg1["value"] == pytest.approx(-25.0)
    assert ppg1["ci_high"] - ppg1["value"] == pytest.approx(
        100 * 1.96 * math.sqrt(0.4 * 0.6 / 40), rel=1e-3)
    assert ppg1["flagged"]


def test_no_self_comparison_and_small_groups_skipped(hand: duckdb.DuckDBPyConnection) -> None:
    gaps = _gaps(hand)
    assert not ((gaps["student_group"] == "WH") & (gaps["reference"] == "WH")).any()
    assert not ((gaps["student_group"] == "WH") & (gaps["reference"] == "highest")
                & (gaps["indicator"] == "x_rate")).any()
    assert "EL" not in set(gaps.loc[gaps["indicator"] == "x_rate", "student_group"])
    assert "ALL" not in set(gaps["student_group"])


def test_group_that_decides_the_outcome_gets_no_gap(hand: duckdb.DuckDBPyConnection) -> None:
    ltel = _gaps(hand).query("indicator == 'ltel_rate'")
    assert set(ltel["student_group"]) == {"HI"}


def test_adverse_outcome_direction(hand: duckdb.DuckDBPyConnection) -> None:
    gaps = _gaps(hand)
    # risk ratio: AA 12/40 = 0.30 vs others 11/160 = 0.06875 -> 4.36 > 3.0, flagged
    rr = _one(gaps, indicator="susp", student_group="AA", metric="risk_ratio")
    assert rr["reference"] == "complement"
    assert rr["value"] == pytest.approx(0.30 / (11 / 160)) and rr["flagged"]
    # WH: 6 events, below the minimum cell of 10: no risk ratio (IDEA, 34 CFR 300.647)
    wh_rr = _one(gaps, indicator="susp", student_group="WH", metric="risk_ratio")
    assert math.isnan(wh_rr["value"]) and wh_rr["note"] and not wh_rr["flagged"]
    # the highest-performing group where lower is better is the lowest rate: HI (5%)
    top = _one(gaps, indicator="susp", student_group="AA", reference="highest",
               metric="pp_difference")
    assert top["reference_group"] == "HI" and top["value"] == pytest.approx(25.0)
    # HI's rate (5%) is below the others' (18/100 = 18%): a gap in the group's favour, beyond
    # noise, is not flagged
    hi = _one(gaps, indicator="susp", student_group="HI", reference="complement",
              metric="pp_difference")
    assert hi["value"] == pytest.approx(100 * (5 / 100 - 18 / 100))
    assert not hi["within_noise"] and not hi["flagged"]
    assert "eighty_percent_index" not in set(gaps.loc[gaps["indicator"] == "susp", "metric"])


def test_three_consecutive_years_for_significant_disproportionality(tmp_path: Path) -> None:
    """California identifies after three consecutive years over the threshold (METHODS.md
    6.7), applied over the years present. Each year All students 23/240, AA 12/40 = 30% vs the
    others' 11/200 = 5.5%: a risk ratio of 5.45 > 3.0, flagged in 2023, 2024 and 2025."""
    con = duckdb.connect()
    con.execute(RESULTS_DDL)
    rows = [r for year in (2023, 2024, 2025)
            for r in (_rate("susp", "lower", "ALL", 240, 23, year),
                      _rate("susp", "lower", "AA", 40, 12, year))]
    con.executemany(f"INSERT INTO indicator_results VALUES ({', '.join(['?'] * 16)})", rows)
    gaps = _gaps(con).query("metric == 'risk_ratio'")
    by_year = {year: _one(gaps, student_group="AA", school_year=year)
               for year in (2023, 2024, 2025)}
    assert by_year[2025]["value"] == pytest.approx(0.30 / 0.055)
    assert [(r["flagged"], r["consecutive_years"]) for r in by_year.values()] == [
        (True, 1), (True, 2), (True, 3)]
    assert by_year[2025]["note"].endswith(
        "over the threshold 3 consecutive years (2023-2025): significant disproportionality "
        "under the 3-year rule")
    assert by_year[2024]["note"].endswith(
        "over the threshold in every year present (2023-2024); 3 consecutive years needed, "
        "earlier years not in the data")
    # the number of years is a setting: with two, AA is identified in 2024 already
    config = tmp_path / "c.toml"
    config.write_text("[gaps]\ndisproportionality_years = 2\n")
    two = _gaps(con, load_config(config)).query("metric == 'risk_ratio'")
    assert _one(two, student_group="AA", school_year=2024)["note"].endswith(
        "significant disproportionality under the 2-year rule")


def test_mean_gaps_use_exact_complement(hand: duckdb.DuckDBPyConnection) -> None:
    gaps = _gaps(hand)
    # all other students than AA are WH and HI: mean (60 x 10 + 100 x -22) / 160 = -10.0
    diff = _one(gaps, indicator="x_dfs", student_group="AA", reference="complement",
                metric="mean_difference")
    assert diff["value"] == pytest.approx(-50.0 - -10.0)
    rest_n, rest_mean, rest_sd = _union([MEANS["WH"], MEANS["HI"]])
    assert rest_mean == pytest.approx(-10.0)
    # Hedges' g against the complement, from the pooled SD and J = 1 - 3 / (4 (40 + 160) - 9)
    pooled = math.sqrt((39 * 80.0**2 + (rest_n - 1) * rest_sd**2) / (40 + rest_n - 2))
    g = (1 - 3 / (4 * 200 - 9)) * (-40.0) / pooled
    assert _one(gaps, indicator="x_dfs", student_group="AA", reference="complement",
                metric="hedges_g")["value"] == pytest.approx(g, rel=1e-9)
    # empirical V against the complement: AUC by brute force over the level counts
    a = np.repeat(np.arange(4), LEVELS["AA"])
    b = np.repeat(np.arange(4), np.add(LEVELS["WH"], LEVELS["HI"]))
    auc = (a[:, None] > b[None, :]).mean() + 0.5 * (a[:, None] == b[None, :]).mean()
    from scipy.special import ndtri
    v = _one(gaps, indicator="x_dfs", student_group="AA", reference="complement",
             metric="v_statistic_empirical")
    assert v["value"] == pytest.approx(math.sqrt(2) * ndtri(auc), rel=1e-9)
    assert {"v_statistic_binormal", "hedges_g"} <= set(
        gaps.loc[gaps["indicator"] == "x_dfs", "metric"])


def test_complement_recovers_mean_and_sd() -> None:
    total_n, total_mean, total_sd = _union(list(MEANS.values()))
    total = GapSide(total_n, 0.0, total_mean, total_sd, (1, 2, 3, 4))
    part = GapSide(40, 0.0, -50.0, 80.0, (1, 1, 1, 1))
    rest = complement(total, part)
    n, mean, sd = _union([MEANS["WH"], MEANS["HI"]])
    assert (rest.n, rest.levels) == (n, (0, 1, 2, 3))
    assert rest.mean == pytest.approx(mean) and rest.sd == pytest.approx(sd, rel=1e-9)


def test_configured_reference_group(hand: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[gaps]\nreference_group = "HI"\nmin_n = 50\n', encoding="utf-8")
    gaps = _gaps(hand, load_config(path))
    assert "WH" not in set(gaps["reference"]) and "HI" in set(gaps["reference"])
    assert (gaps["n"] >= 50).all() and (gaps["reference_n"] >= 50).all()  # min_n both sides


def test_trend_arithmetic() -> None:
    """Three years of a gap: -20, -15, -10 pp, each with se 2."""
    con = duckdb.connect()
    con.execute("CREATE TABLE gaps (school_year SMALLINT, entity_type VARCHAR, "
                "entity_id VARCHAR, entity_name VARCHAR, indicator VARCHAR, "
                "student_group VARCHAR, reference VARCHAR, metric VARCHAR, value DOUBLE, "
                "se DOUBLE)")
    rows = [(y, "district", "D1", "D", "x", "AA", "complement", "pp_difference", v, 2.0)
            for y, v in ((2023, -20.0), (2024, -15.0), (2025, -10.0))]
    rows += [(y, "district", "D1", "D", "x", "HI", "complement", "pp_difference", v, 4.0)
             for y, v in ((2023, -5.0), (2025, -6.0))]
    con.executemany("INSERT INTO gaps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    assert store_trends(con) == 2
    aa = con.sql("SELECT * FROM gap_trends WHERE student_group = 'AA'").df().iloc[0]
    # change = -10 - -20 = +10; se = sqrt(2^2 + 2^2) = 2.828; |10| > 1.96 x 2.828 = 5.54
    assert aa["change"] == pytest.approx(10.0)
    assert aa["change_se"] == pytest.approx(math.sqrt(8))
    assert aa["trend"] == "narrowing"
    # equal weights: slope 5 pp a year; se = 2 / sqrt(sum (x - mean x)^2) = 2 / sqrt(2)
    assert aa["slope"] == pytest.approx(5.0) and aa["slope_se"] == pytest.approx(math.sqrt(2))
    hi = con.sql("SELECT * FROM gap_trends WHERE student_group = 'HI'").df().iloc[0]
    # -5 -> -6: |change| 1 < 1.96 x sqrt(32) = 11.1
    assert hi["trend"] == "no clear change" and hi["years"] == 2


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_district(tmp_path_factory.mktemp("gaps"), students=2000, schools=8, years=2, seed=5)


def test_every_rate_gap_against_others_recomputed(district: Path) -> None:
    with duckdb.connect(str(district), read_only=True) as con:
        results = con.sql("SELECT * FROM indicator_results WHERE kind = 'rate'").df()
        gaps = con.sql("SELECT school_year, entity_type, entity_id, indicator, student_group, "
                       "value AS gap FROM gaps WHERE metric = 'pp_difference' "
                       "AND reference = 'complement'").df()
    keys = ["school_year", "entity_type", "entity_id", "indicator"]
    all_students = results[results["student_group"] == "ALL"][[*keys, "n", "numerator"]]
    merged = results[results["student_group"] != "ALL"].merge(
        all_students, on=keys, suffixes=("", "_all"))
    merged["others_n"] = merged["n_all"] - merged["n"]
    merged = merged[(merged["n"] >= 11) & (merged["others_n"] >= 11)]
    merged = merged[~((merged["indicator"].isin(["el_reclassified_by_grade6", "ltel_rate"]))
                      & merged["student_group"].str.contains("EL|RFEP|EO"))]
    merged["expected"] = 100 * (merged["numerator"] / merged["n"]
                                - (merged["numerator_all"] - merged["numerator"])
                                / merged["others_n"])
    both = merged.merge(gaps, on=[*keys, "student_group"], how="outer", indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"].head()
    assert len(both) > 1000
    np.testing.assert_allclose(both["gap"], both["expected"], rtol=1e-9, atol=1e-9)


def test_highest_group_recomputed(district: Path) -> None:
    with duckdb.connect(str(district), read_only=True) as con:
        results = con.sql("SELECT * FROM indicator_results").df()
        chosen = con.sql("SELECT DISTINCT school_year, entity_type, entity_id, indicator, "
                         "reference_group FROM gaps WHERE reference = 'highest'").df()
    race = results[results["student_group"].isin(["AA", "AI", "AS", "FI", "HI", "PI", "WH",
                                                  "MR"]) & (results["n"] >= 30)].copy()
    race["score"] = np.where(race["direction"] == "lower", race["value"], -race["value"])
    race = race.sort_values(["score", "student_group"])
    best = race.groupby(["school_year", "entity_type", "entity_id", "indicator"],
                        as_index=False).first()
    merged = chosen.merge(best, on=["school_year", "entity_type", "entity_id", "indicator"])
    assert len(merged) == len(chosen) > 50
    assert (merged["reference_group"] == merged["student_group"]).all()


def test_store_replaces(hand: duckdb.DuckDBPyConnection) -> None:
    table = compute_gaps(hand, Config())
    store_gaps(hand, table)
    store_gaps(hand, table)
    assert hand.sql("SELECT count(*) FROM gaps").fetchall()[0][0] == table.num_rows
