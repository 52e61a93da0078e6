"""Support and improvement rules per Dashboard year (METHODS.md 6.6), on hand-built districts.

Each district is a warehouse with ``schools`` and ``indicator_results`` written by hand; the real
Dashboard stage turns the results into levels and colors and the real ``support`` stage applies
the year's rule file. Every rule is met by one student and missed by one, and each case says
what the rule before this version gave. Dashboard arithmetic, by the 2023-2025 tables
(METHODS.md 1.7; n = 100 < 150 folds the significant change bands of rates):

- chronic absence 21/100 after 21/100: 21.0% Very High, change 0.0 Maintained -> Red;
  20/100 after 21/100: 20.0% High, change -1.0 Declined -> Yellow;
- ELPI 44/100 after 44/100: 44.0% Low, Maintained -> Orange; 45/100: 45.0% Medium, +1.0
  Maintained -> Yellow;
- suspension, school elementary: 7/100 after 7/100: 7.0% Very High, Maintained -> Red;
  6/100 after 7/100: 6.0% High, -1.0 Declined Significantly, folded to Declined -> Yellow;
  the district (K-5 and 9-12 schools: the LEA unified set): 9/100 after 9/100: 9.0% Very High,
  Maintained -> Red;
- suspension 0/100 after 0/100: Very Low, Maintained -> Blue; chronic absence 5/200 after
  5/200: 2.5% Very Low, Maintained -> Blue;
- College/Career 2023 (status only): 9/100 = 9.0% Very Low, 10/100 = 10.0% Low.
"""

from __future__ import annotations

import duckdb
import pytest

from gapwatch.dashboard.designations import designations, store_support
from gapwatch.dashboard.support import differentiated_assistance
from gapwatch.dashboard.support_rules import load_rules, rule_years, rules_for
from gapwatch.dashboard.table import compute_dashboard, store_dashboard

INDICATORS = {"chronic_absence": "rate", "suspension_rate": "rate", "el_progress": "rate",
              "cci_prepared": "rate", "graduation_rate_combined": "rate"}


def district(results: list[tuple], charter: bool = False) -> duckdb.DuckDBPyConnection:
    """A warehouse: district D1 with elementary school E1 (K-5, charter when asked) and high
    school H1 (9-12); ``results`` rows are (year, entity type, entity id, indicator, group,
    numerator, n). The Dashboard and support stages are run on it."""
    con = duckdb.connect()
    con.execute("CREATE TABLE schools (school_id VARCHAR, school_name VARCHAR, district_id "
                "VARCHAR, district_name VARCHAR, school_type VARCHAR, grade_low TINYINT, "
                "grade_high TINYINT, board_district VARCHAR, is_charter BOOLEAN)")
    con.execute("INSERT INTO schools VALUES ('E1', 'Elm', 'D1', 'Bay', 'ELEM', 0, 5, NULL, ?), "
                "('H1', 'High', 'D1', 'Bay', 'HIGH', 9, 12, NULL, FALSE)", [charter])
    con.execute("CREATE TABLE indicator_results (school_year SMALLINT, entity_type VARCHAR, "
                "entity_id VARCHAR, entity_name VARCHAR, indicator VARCHAR, student_group "
                "VARCHAR, n BIGINT, numerator BIGINT, value DOUBLE, kind VARCHAR)")
    con.executemany("INSERT INTO indicator_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(y, t, e, e, i, g, n, k, k / n, INDICATORS[i])
                     for y, t, e, i, g, k, n in results])
    store_dashboard(con, compute_dashboard(con))
    store_support(con)
    return con


def findings(con: duckdb.DuckDBPyConnection) -> dict[tuple, tuple]:
    """(year, entity, group, designation) -> (criterion, reason, rule_year, determined)."""
    return {(r[0], r[2], r[4], r[5]): (r[6], r[7], r[8], r[9])
            for r in con.sql("SELECT * FROM support").fetchall()}


def series(entity: tuple[str, str], indicator: str, group: str, counts: dict[int, int],
           n: int = 100) -> list[tuple]:
    return [(y, *entity, indicator, group, k, n) for y, k in counts.items()]


SCHOOL, DISTRICT = ("school", "E1"), ("district", "D1")


# ------------------------------------------------------------------ CSI low graduation
@pytest.mark.parametrize(("first", "flagged"), [(60, True), (61, False)])
def test_csi_graduation_three_year_pooled(first, flagged):
    # 2025: (60 + 72 + 71) / 300 = 67.67% -> 67.7 < 68; with 61: 204 / 300 = 68.0, not below.
    # The two-year rule averaged 2024-2025: (72 + 71) / 2 = 71.5%, never flagged.
    con = district(series(("school", "H1"), "graduation_rate_combined", "ALL",
                          {2023: first, 2024: 72, 2025: 71}))
    got = findings(con).get((2025, "H1", "ALL", "CSI"))
    if not flagged:
        assert got is None
        return
    criterion, reason, rule_year, determined = got
    assert criterion == "graduation rate" and rule_year == 2025 and determined is False
    assert reason == ("Graduation rate pooled over 2023-2025 is 67.7% (203 graduates of 300: "
                      "60/100 in 2023, 72/100 in 2024, 71/100 in 2025), below 68%")


@pytest.mark.parametrize(("first", "flagged"), [(67, True), (68, False)])
def test_csi_graduation_two_years_under_the_2018_rules(first, flagged):
    # 2019 uses the 2018 rule file: (67 + 68) / 200 = 67.5% -> flagged; (68 + 68) / 200 = 68.0.
    con = district(series(("school", "H1"), "graduation_rate_combined", "ALL",
                          {2018: first, 2019: 68}))
    got = findings(con).get((2019, "H1", "ALL", "CSI"))
    assert (got is not None) == flagged
    if got:
        assert got[2] == 2018 and got[3] is None  # the cycle of those years is not known


def test_csi_graduation_needs_every_pooled_year():
    con = district(series(("school", "H1"), "graduation_rate_combined", "ALL",
                          {2024: 50, 2025: 50}))
    assert not any(k[3] == "CSI" for k in findings(con))  # 2023 missing: no three-year rate


# ------------------------------------------------------------------ DA
@pytest.mark.parametrize(("progressing", "flagged"), [(44, True), (45, False)])
def test_da_2025_long_term_english_learners_orange_elpi(progressing, flagged):
    # LTEL: ELPI Orange (44%) meets priority 4 from the 2025 Dashboard; Yellow (45%) does not.
    # Red suspension is priority 6. Before 2025 only a Red ELPI of the EL group counted.
    rows = (series(DISTRICT, "el_progress", "LTEL", {2024: 44, 2025: progressing})
            + series(DISTRICT, "suspension_rate", "LTEL", {2024: 9, 2025: 9}))
    got = findings(district(rows)).get((2025, "D1", "LTEL", "DA"))
    assert (got is not None) == flagged
    if got:
        assert got[0] == "priorities 4, 6" and got[2] == 2025
        assert "Orange on English Learner Progress (long-term English learner rule" in got[1]


def test_da_2024_rule_ignores_ltel_orange_elpi():
    rows = (series(DISTRICT, "el_progress", "LTEL", {2023: 44, 2024: 44})
            + series(DISTRICT, "suspension_rate", "LTEL", {2023: 9, 2024: 9}))
    assert (2024, "D1", "LTEL", "DA") not in findings(district(rows))


def test_da_2025_ltel_ela_and_math_do_not_count():
    colors = {"LTEL": {"ela": "Red", "math": "Red", "suspension": "Red"}}
    assert differentiated_assistance(colors, load_rules(2025).da) == []
    (old,) = differentiated_assistance(colors, load_rules(2024).da)
    assert old.priorities == (4, 6)
    el = {"EL": {"ela": "Red", "math": "Red", "suspension": "Red"}}  # other groups unchanged
    assert differentiated_assistance(el, load_rules(2025).da)[0].priorities == (4, 6)


@pytest.mark.parametrize(("prepared", "flagged"), [(9, True), (10, False)])
def test_da_2023_college_career_very_low_stands_in_for_red(prepared, flagged):
    # 2023: College/Career status only; 9.0% Very Low counts as Red (priority 8), 10.0% Low
    # does not. Chronic absence Red is priority 5.
    rows = (series(DISTRICT, "cci_prepared", "SED", {2023: prepared})
            + series(DISTRICT, "chronic_absence", "SED", {2022: 21, 2023: 21}))
    got = findings(district(rows)).get((2023, "D1", "SED", "DA"))
    assert (got is not None) == flagged
    if got:
        assert got[0] == "priorities 5, 8" and got[2] == 2023


@pytest.mark.parametrize(("before", "flagged"), [(7, True), (6, False)])
def test_da_charter_school_two_consecutive_years(before, flagged):
    # Charter E1, Hispanic students: chronic absence Red (P5) both years; suspension Red (P6)
    # in 2025 (7/100 after `before`) and in 2024 only when 7/100 (after 7/100 in 2023).
    rows = (series(SCHOOL, "chronic_absence", "HI", {2023: 21, 2024: 21, 2025: 21})
            + series(SCHOOL, "suspension_rate", "HI", {2023: 7, 2024: before, 2025: 7}))
    got = findings(district(rows, charter=True))
    assert ((2025, "E1", "HI", "DA") in got) == flagged
    if flagged:
        assert got[(2025, "E1", "HI", "DA")][1].endswith(
            "(2025); charter school, also met in 2024: Red on chronic absenteeism "
            "(priority 5); Red on suspension rate (priority 6)")
    # a school that is not a charter is never checked for DA
    assert not any(k[3] == "DA" for k in findings(district(rows, charter=False)))


# ------------------------------------------------------------------ ATSI and TSI
def _group_rows(group: str, chronic: dict[int, int]) -> list[tuple]:
    """E1: ``group`` chronic absence as given and suspension Blue; All students Blue."""
    years = dict.fromkeys(chronic, 0)
    return (series(SCHOOL, "chronic_absence", group, chronic)
            + series(SCHOOL, "suspension_rate", group, years)
            + series(SCHOOL, "chronic_absence", "ALL", dict.fromkeys(chronic, 5), n=200))


@pytest.mark.parametrize(("k_2025", "flagged"), [(21, True), (20, False)])
def test_atsi_needs_two_years_of_results(k_2025, flagged):
    # 2026 is a CSI year (cycle 2023, 2026): SWD must meet a pattern on the 2026 and 2025
    # Dashboards. Red + Blue = 'all Red but one'. 20/100 in 2025 is Yellow: the group misses.
    # 2026 is 21/100 either way (Red: Very High, Maintained or Increased).
    con = district(_group_rows("SWD", {2024: 21, 2025: k_2025, 2026: 21}))
    got = findings(con)
    assert ((2026, "E1", "SWD", "ATSI") in got) == flagged
    if flagged:
        criterion, reason, rule_year, determined = got[(2026, "E1", "SWD", "ATSI")]
        assert (criterion, rule_year, determined) == ("all Red but one", 2025, True)
        assert reason.endswith("in 2026 and 'all Red but one' (1 of 2 indicators Red): Red on "
                               "chronic absenteeism; Blue on suspension rate in 2025")
    # 2025 is not a CSI year: TSI there needs 2024 too, which has no color (no 2023 result)
    assert (2025, "E1", "SWD", "TSI") not in got
    assert not any(k[3] == "ATSI" and k[0] != 2026 for k in got)


@pytest.mark.parametrize(("k_2024", "flagged"), [(21, True), (20, False)])
def test_tsi_from_2024_two_consecutive_years(k_2024, flagged):
    con = district(_group_rows("HOM", {2023: 21, 2024: k_2024, 2025: 21}))
    got = findings(con)
    assert ((2025, "E1", "HOM", "TSI") in got) == flagged
    if flagged:
        assert got[(2025, "E1", "HOM", "TSI")][2:] == (2025, True)


def test_atsi_and_tsi_cover_cdes_groups_only():
    # migrant students are not an ATSI/TSI group (race/ethnicity, homeless, EL, foster, SWD, SED)
    con = district(_group_rows("MIG", {2023: 21, 2024: 21, 2025: 21, 2026: 21}))
    assert not any(k[2] == "MIG" for k in findings(con))


def test_csi_screen_every_year_determined_on_the_cycle():
    rows = [r for y in (2024, 2025, 2026) for r in
            series(SCHOOL, "chronic_absence", "ALL", {y - 1: 21, y: 21})
            + series(SCHOOL, "suspension_rate", "ALL", {y - 1: 7, y: 7})]
    got = findings(district(sorted(set(rows))))
    assert got[(2025, "E1", "ALL", "CSI")][2:] == (2025, False)
    assert got[(2026, "E1", "ALL", "CSI")][2:] == (2025, True)
    assert got[(2024, "E1", "ALL", "CSI")][0] == "low performing"


# ------------------------------------------------------------------ rule files
def test_rule_files_keep_version_and_source():
    assert rule_years() == (2018, 2023, 2024, 2025)
    for year in rule_years():
        rules = load_rules(year)
        assert rules.rule_year == year
        for part in (rules.da, rules.csi, rules.atsi, rules.tsi):
            assert "METHODS.md" in part.source or "cde.ca.gov" in part.source
    assert rules_for(2022).rule_year == 2018 and rules_for(2030).rule_year == 2025
    assert rules_for(2019).csi.graduation_years == 2 and rules_for(2023).csi.graduation_years == 3
    assert [rules_for(y).csi.determination_year(y) for y in range(2023, 2030)] == \
        [True, False, False, True, False, False, True]
    assert rules_for(2025).da.ltel_elpi_colors == ("Red", "Orange")
    assert rules_for(2024).da.ltel_elpi_colors == ()
    assert load_rules(2018).atsi.verified is False
    with pytest.raises(ValueError, match="rules start in 2018"):
        rules_for(2017)


def test_designations_without_schools_table():
    con = duckdb.connect()
    con.execute("CREATE TABLE dashboard (school_year SMALLINT, entity_type VARCHAR, entity_id "
                "VARCHAR, entity_name VARCHAR, student_group VARCHAR, dashboard_indicator "
                "VARCHAR, color VARCHAR, status_level VARCHAR)")
    con.execute("CREATE TABLE indicator_results (school_year SMALLINT, entity_type VARCHAR, "
                "entity_id VARCHAR, indicator VARCHAR, student_group VARCHAR, n BIGINT, "
                "numerator BIGINT)")
    con.execute("INSERT INTO dashboard VALUES (2025, 'district', 'd', 'D', 'AA', 'ela', 'Red', "
                "'Low'), (2025, 'district', 'd', 'D', 'AA', 'math', 'Red', 'Low'), "
                "(2025, 'district', 'd', 'D', 'AA', 'suspension', 'Red', 'High')")
    (row,) = designations(con)
    assert row[3:6] == ("D", "AA", "DA") and row[8:] == (2025, True)
