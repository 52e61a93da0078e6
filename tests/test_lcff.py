"""LCFF calculator: a hand-worked district, the rate tables, a hand-built warehouse recomputed
in plain Python, and a synthetic district whose totals must agree with each other."""

from __future__ import annotations

import doctest
import random
import tomllib
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from gapwatch.ingest import ingest_bundle
from gapwatch.resources import lcff, lcff_formula, lcff_tables
from gapwatch.resources.lcff import (
    SPANS,
    district_lcff,
    lcff_entitlement,
    rate_tables,
    rolling_years,
    school_lcff,
    unduplicated_pupil_percentage,
)
from gapwatch.synth import generate

#: The test's own copy of the base grants per ADA (METHODS.md section 6.1), by school year.
BASE = {
    2022: {"K-3": 8093, "4-6": 8215, "7-8": 8458, "9-12": 9802},
    2023: {"K-3": 9166, "4-6": 9304, "7-8": 9580, "9-12": 11102},
    2024: {"K-3": 9919, "4-6": 10069, "7-8": 10367, "9-12": 12015},
    2025: {"K-3": 10025, "4-6": 10177, "7-8": 10478, "9-12": 12144},
    2026: {"K-3": 10256, "4-6": 10411, "7-8": 10719, "9-12": 12423},
}
BASE_2025 = BASE[2025]
#: TK add-on per TK ADA (METHODS.md 6.1; 2021-22 "-", 2022-23 not found).
TK_ADD_ON = {2022: None, 2023: None, 2024: 3044, 2025: 3077, 2026: 5545}
#: Whole-dollar adjusted rates, worked by hand: base + round(base x 10.4% or 2.6%).
#: 2024-25 K-3: 10,025 x 0.104 = 1,042.6 -> 1,043, 11,068; 9-12: 12,144 x 0.026 = 315.744 ->
#: 316, 12,460 (the amounts CDE publishes, METHODS.md 6.1).
ADJUSTED = {
    2022: {"K-3": 8093 + 842, "4-6": 8215, "7-8": 8458, "9-12": 9802 + 255},  # 841.672, 254.852
    2023: {"K-3": 9166 + 953, "4-6": 9304, "7-8": 9580, "9-12": 11102 + 289},  # 953.264, 288.652
    2024: {"K-3": 9919 + 1032, "4-6": 10069, "7-8": 10367, "9-12": 12015 + 312},  # .576, .39
    2025: {"K-3": 11068, "4-6": 10177, "7-8": 10478, "9-12": 12460},
    2026: {"K-3": 10256 + 1067, "4-6": 10411, "7-8": 10719, "9-12": 12423 + 323},  # .624, .998
}


def test_doctests() -> None:
    for module in (lcff_formula, lcff_tables):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module


# --- A district worked by hand ----------------------------------------------------------------

def test_hand_worked_district() -> None:
    # UPP, three-year rolling: (3,000 + 3,100 + 3,200) / (4,000 + 4,000 + 4,000)
    #                        = 9,300 / 12,000 = 0.775
    counts = {2023: (3000, 4000), 2024: (3100, 4000), 2025: (3200, 4000)}
    upp = unduplicated_pupil_percentage(counts, 2025)
    assert upp == pytest.approx(0.775)
    rates = rate_tables()[2025]
    assert dict(rates.base_grant) == BASE_2025
    e = lcff_entitlement({"K-3": 1000, "4-6": 800, "7-8": 600, "9-12": 1200}, upp, rates)
    # Base: 1,000 x 10,025 = 10,025,000      800 x 10,177 =  8,141,600
    #         600 x 10,478 =  6,286,800    1,200 x 12,144 = 14,572,800     total 39,026,200
    assert e.by_span["K-3"].base == pytest.approx(10_025_000)
    assert e.by_span["9-12"].base == pytest.approx(14_572_800)
    assert e.base == pytest.approx(39_026_200)
    # Grade-span adjustment in whole dollars per ADA (CDE: K-3 $1,043, 9-12 $316 in 2024-25):
    #   K-3 1,000 x 1,043 = 1,043,000     9-12 1,200 x 316 = 379,200     total 1,422,200
    # (unrounded, 10,025,000 x 10.4% = 1,042,600 and 14,572,800 x 2.6% = 378,892.80)
    assert e.by_span["K-3"].grade_span_adjustment == pytest.approx(1_043_000)
    assert e.by_span["9-12"].grade_span_adjustment == pytest.approx(379_200)
    assert e.by_span["4-6"].grade_span_adjustment == 0
    assert e.grade_span_adjustment == pytest.approx(1_422_200)
    # Adjusted base = 39,026,200 + 1,422,200 = 40,448,400
    # Supplemental = 40,448,400 x 20% x 0.775 = 40,448,400 x 0.155 = 6,269,502
    # (K-3 alone: 1,000 x 11,068 = 11,068,000 x 0.155 = 1,715,540)
    assert e.supplemental == pytest.approx(6_269_502)
    assert e.by_span["K-3"].supplemental == pytest.approx(1_715_540)
    # Concentration = 40,448,400 x 65% x (0.775 - 0.55) = 40,448,400 x 0.14625 = 5,915,578.50
    # (K-3 alone: 11,068,000 x 0.14625 = 1,618,695)
    assert e.concentration == pytest.approx(5_915_578.50)
    assert e.by_span["K-3"].concentration == pytest.approx(1_618_695)
    # Total = 40,448,400 + 6,269,502 + 5,915,578.50 = 52,633,480.50
    assert e.total == pytest.approx(52_633_480.50)
    assert sum(a.total for a in e.by_span.values()) == pytest.approx(52_633_480.50)


def test_no_concentration_at_or_below_the_threshold() -> None:
    # 100 ADA in 7-8 at UPP 0.55: supplemental 100 x 10,478 x 0.2 x 0.55 = 115,258, no
    # concentration grant
    e = lcff_entitlement({"7-8": 100}, 0.55, rate_tables()[2025])
    assert e.supplemental == pytest.approx(115_258)
    assert e.concentration == 0


def test_upp_uses_the_years_there_are() -> None:
    counts = {2024: (50, 100), 2025: (70, 100)}
    assert rolling_years(counts, 2025) == (2024, 2025)
    assert unduplicated_pupil_percentage(counts, 2025) == pytest.approx(120 / 200)
    assert unduplicated_pupil_percentage(counts, 2024) == pytest.approx(0.5)
    # Counts are added, not percentages averaged: (10 + 90) / (100 + 300) = 0.25, not 0.3
    assert unduplicated_pupil_percentage({1: (10, 100), 2: (90, 300)}, 2) == pytest.approx(0.25)
    # only the current and two prior years count
    assert rolling_years({2021: (1, 1), 2022: (1, 1), 2023: (1, 1), 2024: (1, 1)}, 2024) == (
        2022, 2023, 2024)
    with pytest.raises(KeyError):
        unduplicated_pupil_percentage(counts, 2026)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        lcff_entitlement({"K-3": 1}, 1.2, rate_tables()[2025])
    with pytest.raises(ValueError):
        lcff_entitlement({"K-5": 1}, 0.5, rate_tables()[2025])


# --- The 2021-22 concentration change, worked by hand ------------------------------------------

#: A district of 1,000 K-3 ADA and 500 9-12 ADA at UPP 80%.
ADA = {"K-3": 1000, "9-12": 500}


def test_hand_worked_2021_22_concentration_at_65_percent() -> None:
    rates = rate_tables()[2022]
    assert rates.fiscal_year == "2021-22" and rates.concentration_rate == 0.65
    e = lcff_entitlement(ADA, 0.80, rates)
    # Adjusted base: K-3 8,093 + round(841.672) = 8,935; 9-12 9,802 + round(254.852) = 10,057
    #   1,000 x 8,935 + 500 x 10,057 = 8,935,000 + 5,028,500 = 13,963,500
    assert e.base + e.grade_span_adjustment == pytest.approx(13_963_500)
    # Supplemental: 13,963,500 x 20% x 0.80 = 2,234,160
    assert e.supplemental == pytest.approx(2_234_160)
    # Concentration: 13,963,500 x 65% x (0.80 - 0.55) = 13,963,500 x 0.1625 = 2,269,068.75
    assert e.concentration == pytest.approx(2_269_068.75)


def test_hand_worked_2020_21_concentration_at_50_percent(tmp_path: Path) -> None:
    # gapwatch ships no 2020-21 table; a district supplies one. Its base grants here are
    # illustrative (the 2021-22 figures reused, not CDE's 2020-21 rates): the point is the
    # 50% concentration rate EC 42238.02 set before 2021-22.
    text = (Path(lcff_tables.__file__).parent / "lcff_rates" / "2021-22.toml").read_text(
        encoding="utf-8")
    earlier = (text.replace('fiscal_year = "2021-22"', 'fiscal_year = "2020-21"')
               .replace("school_year = 2022", "school_year = 2021")
               .replace("verified = true", "verified = false"))
    (tmp_path / "2020-21.toml").write_text(earlier.replace("concentration_rate = 0.65",
                                                           "concentration_rate = 0.5"))
    tables = rate_tables(tmp_path)
    assert tables[2021].concentration_rate == 0.5 and tables[2022].concentration_rate == 0.65
    e = lcff_entitlement(ADA, 0.80, tables[2021])
    # Concentration: 13,963,500 x 50% x 0.25 = 1,745,437.50 (2021-22: 2,269,068.75, that is
    # 523,631.25 = 13,963,500 x 15% x 0.25 more); supplemental unchanged at 2,234,160
    assert e.concentration == pytest.approx(1_745_437.50)
    assert e.supplemental == pytest.approx(2_234_160)
    # a 2020-21 table at 65%, or a 2021-22 table at 50%, contradicts the statute
    (tmp_path / "2020-21.toml").write_text(earlier)
    with pytest.raises(ValueError, match="EC 42238.02 sets 0.5 that year"):
        rate_tables(tmp_path)
    (tmp_path / "2020-21.toml").unlink()
    (tmp_path / "2021-22.toml").write_text(text.replace("concentration_rate = 0.65",
                                                        "concentration_rate = 0.5"))
    with pytest.raises(ValueError, match="EC 42238.02 sets 0.65 that year"):
        rate_tables(tmp_path)


def test_tk_add_on_and_charter_cap_by_hand() -> None:
    # 2025-26: 100 K-3 ADA of which 20 in TK; TK add-on 20 x 5,545 = 110,900, outside S&C
    rates = rate_tables()[2026]
    e = lcff_entitlement({"K-3": 100}, 0.60, rates, tk_ada=20)
    assert e.tk_add_on == pytest.approx(110_900)
    # adjusted K-3 11,323 x 100 = 1,132,300; supplemental x 0.2 x 0.6 = 135,876;
    # concentration x 0.65 x 0.05 = 36,799.75; total 1,132,300 + 135,876 + 36,799.75 + 110,900
    assert e.supplemental == pytest.approx(135_876)
    assert e.concentration == pytest.approx(36_799.75)
    assert e.total == pytest.approx(1_415_875.75)
    # 2022-23 has no add-on figure (not found): the add-on is unknown, not zero
    assert lcff_entitlement({"K-3": 100}, 0.6, rate_tables()[2023], tk_ada=20).tk_add_on is None
    # A charter at UPP 90% in a district at 70%: concentration on 70% - 55%, supplemental on 90%
    charter = lcff_entitlement({"K-3": 100}, 0.90, rates, host_upp=0.70)
    assert charter.concentration_upp == 0.70
    assert charter.concentration == pytest.approx(1_132_300 * 0.65 * 0.15)  # 110,399.25
    assert charter.supplemental == pytest.approx(1_132_300 * 0.2 * 0.9)  # 203,814
    with pytest.raises(ValueError, match="TK ADA"):
        lcff_entitlement({"K-3": 10}, 0.6, rates, tk_ada=11)


# --- The rate tables --------------------------------------------------------------------------

FIELDS = ("fiscal_year", "school_year", "verified", "source", "supplemental_rate",
          "concentration_rate", "concentration_threshold", "base_grant", "grade_span_adjustment")


def test_shipped_rates_are_the_published_figures() -> None:
    tables = rate_tables()
    assert sorted(tables) == [2022, 2023, 2024, 2025, 2026]
    for year, r in tables.items():
        assert dict(r.base_grant) == BASE[year], year
        assert {s: r.adjusted_base(s) for s in SPANS} == ADJUSTED[year], year
        assert r.tk_add_on == TK_ADD_ON[year], year
        assert r.verified and "San Juan" in r.source and "42238.02" in r.source
    assert tables[2023].tk_add_on_note == "not found"
    assert [tables[y].cola for y in sorted(tables)] == [0.0507, 0.0656, 0.0822, 0.0107, 0.0230]
    assert tables[2025].grade_span_dollars("K-3") == 1043  # CDE's published adjustment


def test_published_whole_dollar_amounts_are_checked(tmp_path: Path) -> None:
    text = (Path(lcff_tables.__file__).parent / "lcff_rates" / "2024-25.toml").read_text(
        encoding="utf-8")
    (tmp_path / "2024-25.toml").write_text(text.replace('"K-3" = 11068', '"K-3" = 11067'))
    with pytest.raises(ValueError, match="adjusted K-3 rate 11068 differs from the published "
                                         "11067"):
        rate_tables(tmp_path)
    (tmp_path / "2024-25.toml").write_text("base_rate = 1\n" + text)
    with pytest.raises(ValueError, match="unknown key"):
        rate_tables(tmp_path)
    (tmp_path / "2024-25.toml").write_text(text.replace('"9-12" = 12460', '"9-11" = 12460'))
    with pytest.raises(ValueError, match="published_adjusted"):
        rate_tables(tmp_path)
    with pytest.raises(ValueError, match="not found"):
        rate_tables(tmp_path / "missing")


def test_every_rate_file_has_all_fields_and_positive_numbers() -> None:
    files = sorted((Path(lcff.__file__).parent / "lcff_rates").glob("*.toml"))
    assert len(files) == 5
    for f in files:
        d = tomllib.loads(f.read_text(encoding="utf-8"))
        assert [k for k in FIELDS if k not in d] == [], f.name
        assert f.stem == d["fiscal_year"]
        assert d["school_year"] == int(d["fiscal_year"][:4]) + 1
        assert isinstance(d["verified"], bool) and d["source"].strip()
        assert set(d["base_grant"]) == set(SPANS)
        assert all(v > 0 for v in d["base_grant"].values()), f.name
        assert set(d["grade_span_adjustment"]) == {"K-3", "9-12"}
        assert all(0 < v < 1 for v in d["grade_span_adjustment"].values()), f.name
        for key in ("supplemental_rate", "concentration_rate", "concentration_threshold"):
            assert 0 < d[key] < 1, (f.name, key)
    assert sorted(rate_tables()) == [int(f.stem[:4]) + 1 for f in files]


# --- A hand-built warehouse, recomputed in plain Python ---------------------------------------

DDL = """
CREATE TABLE schools (school_id VARCHAR, school_name VARCHAR, district_id VARCHAR,
                      district_name VARCHAR);
CREATE TABLE enrollments (school_year SMALLINT, student_id VARCHAR, school_id VARCHAR,
    grade SMALLINT, entry_date DATE, exit_date DATE, days_enrolled DOUBLE, days_absent DOUBLE,
    sed BOOLEAN, frpm BOOLEAN, el_status VARCHAR, foster BOOLEAN);
CREATE TABLE attendance_daily (student_id VARCHAR, school_id VARCHAR, date DATE,
                               status VARCHAR);
CREATE TABLE budgets (school_year SMALLINT, school_id VARCHAR, fund_source VARCHAR,
                      category VARCHAR, amount DECIMAL(18, 2));
INSERT INTO schools VALUES ('E1', 'Elm Elementary', 'D1', 'Tiny Unified'),
                           ('H1', 'Hill High', 'D1', 'Tiny Unified');
INSERT INTO budgets VALUES (2025, 'E1', 'LCFF_SUPP_CONC', 'TEACHERS', 20000.50),
    (2025, 'E1', 'LCFF_SUPP_CONC', 'SERVICES', 5000.25), (2025, 'E1', 'TITLE_I', 'OTHER', 999),
    (2025, 'H1', 'LCFF_SUPP_CONC', 'SUPPORT_STAFF', 31000);
-- student P1 at E1 in 2025 has no days on the enrollment row: five days, one absent
INSERT INTO attendance_daily VALUES ('P1', 'E1', DATE '2024-09-02', 'P'),
    ('P1', 'E1', DATE '2024-09-03', 'A'), ('P1', 'E1', DATE '2024-09-04', 'P'),
    ('P1', 'E1', DATE '2024-09-05', 'P'), ('P1', 'E1', DATE '2024-09-06', 'P');
"""


def census(year: int) -> date:
    d = date(year - 1, 10, 1)  # first Wednesday of October
    while d.weekday() != 2:
        d += timedelta(days=1)
    return d


def tiny_rows() -> list[tuple]:
    rng = random.Random(11)
    rows = []
    for y in (2023, 2024, 2025):
        for i in range(40):
            school = "E1" if i < 24 else "H1"
            grade = rng.choice([-1, 0, 1, 2, 3, 4, 5]) if school == "E1" else rng.randint(9, 12)
            entry, exit_, days = date(y - 1, 8, 20), None, 180.0
            if i % 9 == 4:  # arrives after census day
                entry, days = date(y - 1, 11, 4), 130.0
            if i % 11 == 6:  # leaves before census day
                exit_, days = date(y - 1, 9, 20), 22.0
            frpm = rng.choice([True, False, None])
            rows.append((y, f"S{i:02d}", school, grade, entry, exit_, days,
                         float(rng.randint(0, min(20, int(days)))), rng.random() < 0.6, frpm,
                         rng.choice(["EL", "EO", "RFEP", "IFEP"]), rng.random() < 0.05))
    rows.append((2025, "P1", "E1", 2, date(2024, 9, 2), date(2024, 9, 6), None, None, False,
                 True, "EO", False))  # days from attendance_daily
    rows.append((2025, "U1", "H1", None, date(2024, 8, 20), None, 180.0, 10.0, False, False,
                 "EL", False))  # ungraded EL: unduplicated, but no grade span for ADA
    rows.append((2025, "S00", "H1", 10, date(2025, 1, 6), None, 90.0, 5.0, True, None, "EO",
                 False))  # S00 also at H1 after census day
    return rows


def oracle(rows: list[tuple]) -> tuple[dict, dict]:
    """ADA by span and census counts by (year, school) and by year, the plain way."""
    att = {("P1", "E1", 2025): (5.0, 1.0)}
    by_school: dict = {}
    district: dict = {}
    most_days: dict = {}
    for y, sid, school, _, _, _, days, absent, *_ in rows:
        days = att.get((sid, school, y), (days, absent))[0]
        most_days[y, school] = max(most_days.get((y, school), 0.0), days)
    for y, sid, school, grade, entry, exit_, days, absent, sed, frpm, el, foster in rows:
        days, absent = att.get((sid, school, y), (days, absent))
        s = by_school.setdefault((y, school), {"ada": dict.fromkeys(SPANS, 0.0), "enr": set(),
                                               "und": set(), "tk": 0.0})
        if grade is not None:
            span = "K-3" if grade <= 3 else "4-6" if grade <= 6 else "7-8" if grade <= 8 \
                else "9-12"
            s["ada"][span] += (days - absent) / most_days[y, school]
            if grade == -1:
                s["tk"] += (days - absent) / most_days[y, school]
        d = district.setdefault(y, {"enr": set(), "und": set()})
        if entry <= census(y) and (exit_ is None or exit_ >= census(y)):
            undup = el == "EL" or (frpm if frpm is not None else sed) or foster
            for bucket in (s, d):
                bucket["enr"].add(sid)
                if undup:
                    bucket["und"].add(sid)
    return by_school, district


def expected(ada: dict, upp: float, year: int, tk: float = 0.0) -> dict:
    adjusted = sum(ada[s] * ADJUSTED[year][s] for s in SPANS)
    base = sum(ada[s] * BASE[year][s] for s in SPANS)
    add_on = TK_ADD_ON[year]
    return {"base": base, "grade_span_adjustment": adjusted - base,
            "supplemental": adjusted * 0.2 * upp,
            "concentration": adjusted * 0.65 * max(0.0, upp - 0.55),
            "tk_add_on": 0.0 if not tk else None if add_on is None else tk * add_on}


@pytest.fixture()
def tiny() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(DDL)
    con.executemany("INSERT INTO enrollments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    tiny_rows())
    yield con
    con.close()


def test_district_matches_a_plain_recomputation(tiny: duckdb.DuckDBPyConnection) -> None:
    by_school, district = oracle(tiny_rows())
    got = {r["school_year"]: r for r in district_lcff(tiny).to_pylist()}
    assert sorted(got) == [2023, 2024, 2025]
    for y in (2023, 2024, 2025):
        ada = {s: sum(v["ada"][s] for (yy, _), v in by_school.items() if yy == y) for s in SPANS}
        years = [u for u in (y - 2, y - 1, y) if u in district]
        upp = (sum(len(district[u]["und"]) for u in years)
               / sum(len(district[u]["enr"]) for u in years))
        r = got[y]
        assert r["ada_k3"] == pytest.approx(ada["K-3"]) and r["ada_9_12"] == pytest.approx(
            ada["9-12"])
        assert r["ada"] == pytest.approx(sum(ada.values()))
        assert (r["enrollment"], r["unduplicated"]) == (len(district[y]["enr"]),
                                                         len(district[y]["und"]))
        assert r["upp"] == pytest.approx(upp) and r["upp_years"] == len(years)
    assert "UPP over 1 year(s)" in got[2023]["note"]
    for y in (2023, 2024, 2025):  # every year has a rate table now
        r = got[y]
        ada = {s: sum(v["ada"][s] for (yy, _), v in by_school.items() if yy == y) for s in SPANS}
        tk = sum(v["tk"] for (yy, _), v in by_school.items() if yy == y)
        assert tk > 0 and r["ada_tk"] == pytest.approx(tk)
        want = expected(ada, r["upp"], y, tk)
        for key, value in want.items():
            assert r[key] == pytest.approx(value), (y, key)
        assert r["total"] == pytest.approx(sum(v for v in want.values() if v is not None))
        assert r["rates_verified"] is True
    assert "TK add-on for 2022-23 left out (not found)" in got[2023]["note"]
    assert got[2023]["tk_add_on"] is None and got[2024]["tk_add_on"] > 0
    assert "ungraded" in got[2025]["note"] and got[2025]["note"].count("UPP over") == 0
    assert district_lcff(tiny, year=2024).column("school_year").to_pylist() == [2024]


def test_schools_match_a_plain_recomputation(tiny: duckdb.DuckDBPyConnection) -> None:
    by_school, district = oracle(tiny_rows())
    d_upp = {r["school_year"]: r["upp"] for r in district_lcff(tiny).to_pylist()}
    received = {"E1": 25000.75, "H1": 31000.0}
    rows = school_lcff(tiny).to_pylist()
    assert [(r["school_year"], r["school_id"]) for r in rows] == sorted(by_school)
    for r in rows:
        o = by_school[r["school_year"], r["school_id"]]
        enr, und = len(o["enr"]), len(o["und"])
        assert (r["enrollment"], r["unduplicated"]) == (enr, und)
        assert r["upp"] == pytest.approx(und / enr)
        assert r["ada"] == pytest.approx(sum(o["ada"].values()))
        assert r["district_upp"] == pytest.approx(d_upp[r["school_year"]])
        y = r["school_year"]
        own, share = expected(o["ada"], und / enr, y, o["tk"]), expected(o["ada"], d_upp[y], y)
        generated = own["supplemental"] + own["concentration"]
        for key in ("base", "grade_span_adjustment", "supplemental", "concentration",
                    "tk_add_on"):
            assert r[key] == pytest.approx(own[key]), key
        if y < 2025:
            assert r["supp_conc_received"] == 0.0  # budgets given, no lines that year
            continue
        assert r["supp_conc_generated"] == pytest.approx(generated)
        assert r["supp_conc_district_rate_share"] == pytest.approx(
            share["supplemental"] + share["concentration"])
        got = received[r["school_id"]]
        assert r["supp_conc_received"] == pytest.approx(got)
        assert r["difference"] == pytest.approx(got - generated)
        assert r["received_per_unduplicated"] == pytest.approx(got / und)
    h1 = next(r for r in rows if (r["school_year"], r["school_id"]) == (2025, "H1"))
    assert "ungraded" in h1["note"]


def test_charter_concentration_capped_at_the_district(tiny: duckdb.DuckDBPyConnection) -> None:
    plain = {(r["school_year"], r["school_id"]): r for r in school_lcff(tiny).to_pylist()}
    tiny.execute("ALTER TABLE schools ADD COLUMN is_charter BOOLEAN")
    tiny.execute("UPDATE schools SET is_charter = school_id = 'E1'")
    capped = {(r["school_year"], r["school_id"]): r for r in school_lcff(tiny).to_pylist()}
    seen = 0
    for key, r in capped.items():
        p = plain[key]
        cap = min(p["upp"], p["district_upp"]) if key[1] == "E1" else p["upp"]
        assert r["concentration_upp"] == pytest.approx(cap)
        adjusted = p["base"] + p["grade_span_adjustment"]
        assert r["concentration"] == pytest.approx(adjusted * 0.65 * max(0.0, cap - 0.55))
        assert r["supplemental"] == pytest.approx(p["supplemental"])  # not capped
        if key[1] == "E1" and p["upp"] > p["district_upp"]:
            seen += 1
            assert "charter school: concentration share capped" in r["note"]
    assert seen >= 1  # the hand-built data has a charter above its district


def test_without_budgets_received_is_not_computed(tiny: duckdb.DuckDBPyConnection) -> None:
    tiny.execute("DROP TABLE budgets")
    rows = school_lcff(tiny).to_pylist()
    assert all(r["supp_conc_received"] is None and "needs budgets" in r["note"] for r in rows)
    assert all(r["difference"] is None for r in rows)


# --- A synthetic district ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    folder = tmp_path_factory.mktemp("lcff")
    generate(folder / "bundle", students=2000, schools=8, years=3, seed=5)  # 2023 to 2025
    assert ingest_bundle(folder / "bundle", folder / "w.duckdb").exit_code == 0
    con = duckdb.connect(str(folder / "w.duckdb"), read_only=True)
    yield con
    con.close()


def test_synthetic_district_totals_agree(synthetic: duckdb.DuckDBPyConnection) -> None:
    district = {r["school_year"]: r for r in district_lcff(synthetic).to_pylist()}
    schools = school_lcff(synthetic).to_pylist()
    assert [district[y]["upp_years"] for y in (2023, 2024, 2025)] == [1, 2, 3]
    for y, d in district.items():
        mine = [r for r in schools if r["school_year"] == y]
        assert len(mine) == 8
        for col in ("ada", "ada_k3", "ada_4_6", "ada_7_8", "ada_9_12"):
            assert sum(r[col] for r in mine) == pytest.approx(d[col], rel=1e-12), col
    d, mine = district[2025], [r for r in schools if r["school_year"] == 2025]
    # Base and adjustment are linear in ADA: the schools add up to the district. The generator
    # budgets LCFF_BASE from its own ADA at the same 2024-25 rates, so its base lines check ADA.
    adjusted = [r["base"] + r["grade_span_adjustment"] for r in mine]
    assert sum(adjusted) == pytest.approx(d["base"] + d["grade_span_adjustment"], rel=1e-12)
    (lcff_base,) = synthetic.sql("SELECT sum(amount)::DOUBLE FROM budgets WHERE school_year = "
                                 "2025 AND fund_source = 'LCFF_BASE'").fetchall()[0]
    assert lcff_base == pytest.approx(sum(adjusted), rel=1e-6)
    # At the district's UPP, the school shares add up to the district's S&C exactly.
    district_sc = d["supplemental"] + d["concentration"]
    assert sum(r["supp_conc_district_rate_share"] for r in mine) == pytest.approx(district_sc)
    # At each school's own UPP they need not: supplemental is linear, so the schools' sum is
    # the district's at the adjusted-base-weighted mean of school UPPs (this year, census day)
    # instead of the district's three-year UPP ...
    u_eff = sum(a * r["upp"] for a, r in zip(adjusted, mine, strict=True)) / sum(adjusted)
    assert sum(r["supplemental"] for r in mine) == pytest.approx(0.2 * u_eff * sum(adjusted))
    assert abs(u_eff - d["upp"]) < 0.05
    # ... and concentration is convex in UPP (nothing below 55%), so schools above the mean
    # generate more than schools below it lose: never less than at the mean UPP (Jensen).
    # (A charter's concentration share is capped at the district's UPP: the mean is taken over
    # the shares concentration used.)
    u_conc = sum(a * r["concentration_upp"] for a, r in zip(adjusted, mine, strict=True)) / sum(
        adjusted)
    floor = 0.65 * max(0.0, u_conc - 0.55) * sum(adjusted)
    assert sum(r["concentration"] for r in mine) >= floor * (1 - 1e-12)
    # The generator hands schools 70% of its own S&C estimate (one-year UPP), so received is
    # about 70% of the district's S&C; the difference column is received minus generated.
    received = sum(r["supp_conc_received"] for r in mine)
    assert 0.6 < received / district_sc < 0.8
    assert sum(r["difference"] for r in mine) == pytest.approx(
        received - sum(r["supp_conc_generated"] for r in mine))
    for y in (2023, 2024):  # 2022-23 and 2023-24 have rate tables too
        assert district[y]["total"] > 0 and "no LCFF rate table" not in district[y]["note"]


def test_district_rates_folder_from_the_config(tmp_path: Path) -> None:
    from gapwatch.config import ConfigError, load_config
    from gapwatch.resources.stage import lcff_rates

    folder = tmp_path / "rates"
    folder.mkdir()
    text = (Path(lcff_tables.__file__).parent / "lcff_rates" / "2025-26.toml").read_text(
        encoding="utf-8")
    (folder / "2025-26.toml").write_text(text.replace('"K-3" = 10256', '"K-3" = 10300')
                                         .replace("verified = true", "verified = false"))
    cfg = tmp_path / "district.toml"
    cfg.write_text('[lcff]\nrates_dir = "rates"\n', encoding="utf-8")
    tables = lcff_rates(load_config(cfg))
    assert tables[2026].base_grant["K-3"] == 10300 and tables[2026].verified is False
    assert tables[2025].base_grant["K-3"] == 10025  # shipped years stay
    (folder / "2025-26.toml").write_text(text.replace("concentration_rate = 0.65",
                                                      "concentration_rate = 0.6"))
    with pytest.raises(ConfigError, match=r"lcff.rates_dir: .*2025-26.toml: concentration_rate"):
        lcff_rates(load_config(cfg))
