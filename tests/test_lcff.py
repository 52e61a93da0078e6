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
from gapwatch.resources import lcff
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

#: The test's own copy of the 2024-25 figures (METHODS.md section 4), dollars per ADA.
BASE_2025 = {"K-3": 10025, "4-6": 10177, "7-8": 10478, "9-12": 12144}
ADJUST = {"K-3": 0.104, "9-12": 0.026}


def test_doctests() -> None:
    assert doctest.testmod(lcff).failed == 0


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
    # Grade-span adjustment: K-3 10,025,000 x 10.4% = 1,042,600
    #                        9-12 14,572,800 x 2.6% =   378,892.80        total 1,421,492.80
    assert e.by_span["K-3"].grade_span_adjustment == pytest.approx(1_042_600)
    assert e.by_span["4-6"].grade_span_adjustment == 0
    assert e.grade_span_adjustment == pytest.approx(1_421_492.80)
    # Adjusted base = 39,026,200 + 1,421,492.80 = 40,447,692.80
    # Supplemental = 40,447,692.80 x 20% x 0.775 = 40,447,692.80 x 0.155 = 6,269,392.384
    # (K-3 alone: 11,067,600 x 0.155 = 1,715,478)
    assert e.supplemental == pytest.approx(6_269_392.384)
    assert e.by_span["K-3"].supplemental == pytest.approx(1_715_478)
    # Concentration = 40,447,692.80 x 65% x (0.775 - 0.55) = 40,447,692.80 x 0.14625
    #               = 5,915,475.072  (K-3 alone: 11,067,600 x 0.14625 = 1,618,636.50)
    assert e.concentration == pytest.approx(5_915_475.072)
    assert e.by_span["K-3"].concentration == pytest.approx(1_618_636.50)
    # Total = 40,447,692.80 + 6,269,392.384 + 5,915,475.072 = 52,632,560.256
    assert e.total == pytest.approx(52_632_560.256)
    assert sum(a.total for a in e.by_span.values()) == pytest.approx(52_632_560.256)


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


# --- The rate tables --------------------------------------------------------------------------

FIELDS = ("fiscal_year", "school_year", "verified", "source", "supplemental_rate",
          "concentration_rate", "concentration_threshold", "base_grant", "grade_span_adjustment")


def test_every_rate_file_has_all_fields_and_positive_numbers() -> None:
    files = sorted((Path(lcff.__file__).parent / "lcff_rates").glob("*.toml"))
    assert files
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
                                               "und": set()})
        if grade is not None:
            span = "K-3" if grade <= 3 else "4-6" if grade <= 6 else "7-8" if grade <= 8 \
                else "9-12"
            s["ada"][span] += (days - absent) / most_days[y, school]
        d = district.setdefault(y, {"enr": set(), "und": set()})
        if entry <= census(y) and (exit_ is None or exit_ >= census(y)):
            undup = el == "EL" or (frpm if frpm is not None else sed) or foster
            for bucket in (s, d):
                bucket["enr"].add(sid)
                if undup:
                    bucket["und"].add(sid)
    return by_school, district


def expected(ada: dict, upp: float) -> dict:
    adjusted = sum(ada[s] * BASE_2025[s] * (1 + ADJUST.get(s, 0)) for s in SPANS)
    base = sum(ada[s] * BASE_2025[s] for s in SPANS)
    return {"base": base, "grade_span_adjustment": adjusted - base,
            "supplemental": adjusted * 0.2 * upp,
            "concentration": adjusted * 0.65 * max(0.0, upp - 0.55)}


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
    assert got[2023]["base"] is None and "no LCFF rate table for fiscal year 2022-23" in got[
        2023]["note"] and "UPP over 1 year(s)" in got[2023]["note"]
    r = got[2025]
    ada = {s: sum(v["ada"][s] for (yy, _), v in by_school.items() if yy == 2025) for s in SPANS}
    want = expected(ada, r["upp"])
    for key, value in want.items():
        assert r[key] == pytest.approx(value), key
    assert r["total"] == pytest.approx(sum(want.values()))
    assert r["rates_verified"] is False
    assert "ungraded" in r["note"] and r["note"].count("UPP over") == 0
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
        if r["school_year"] < 2025:
            assert r["supp_conc_generated"] is None and "no LCFF rate table" in r["note"]
            assert r["supp_conc_received"] == 0.0  # budgets given, no lines that year
            continue
        own, share = expected(o["ada"], und / enr), expected(o["ada"], d_upp[2025])
        generated = own["supplemental"] + own["concentration"]
        for key in ("base", "grade_span_adjustment", "supplemental", "concentration"):
            assert r[key] == pytest.approx(own[key]), key
        assert r["supp_conc_generated"] == pytest.approx(generated)
        assert r["supp_conc_district_rate_share"] == pytest.approx(
            share["supplemental"] + share["concentration"])
        got = received[r["school_id"]]
        assert r["supp_conc_received"] == pytest.approx(got)
        assert r["difference"] == pytest.approx(got - generated)
        assert r["received_per_unduplicated"] == pytest.approx(got / und)
    h1 = next(r for r in rows if (r["school_year"], r["school_id"]) == (2025, "H1"))
    assert "ungraded" in h1["note"]


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
    floor = 0.65 * max(0.0, u_eff - 0.55) * sum(adjusted)
    assert sum(r["concentration"] for r in mine) >= floor * (1 - 1e-12)
    # The generator hands schools 70% of its own S&C estimate (one-year UPP), so received is
    # about 70% of the district's S&C; the difference column is received minus generated.
    received = sum(r["supp_conc_received"] for r in mine)
    assert 0.6 < received / district_sc < 0.8
    assert sum(r["difference"] for r in mine) == pytest.approx(
        received - sum(r["supp_conc_generated"] for r in mine))
    for y in (2023, 2024):
        assert district[y]["total"] is None and "no LCFF rate table" in district[y]["note"]
