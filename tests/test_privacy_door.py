"""The privacy door (gapwatch.privacy): suppression, coding, derived tables, and attacks on it.

Every expected number is worked out by hand in the comments; the property tests try to defeat
the door and check it with the LP audit and, independently, by brute-force enumeration.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import duckdb
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gapwatch.privacy import Policy, audit_disclosure, publish, write_published

RACE = ["AA", "AI", "AS", "FI", "HI", "PI", "WH", "MR", "NR"]


def warehouse(cells, schools=(), gaps=(), dashboard=()) -> duckdb.DuckDBPyConnection:
    """cells: (year, entity_type, entity_id, indicator, group, n, x) of rate cells."""
    con = duckdb.connect()
    con.sql("CREATE TABLE indicator_results (school_year SMALLINT, entity_type VARCHAR, "
            "entity_id VARCHAR, entity_name VARCHAR, indicator VARCHAR, student_group VARCHAR, "
            "n BIGINT, numerator BIGINT, value DOUBLE, kind VARCHAR)")
    for y, et, eid, ind, g, n, x in cells:
        con.execute("INSERT INTO indicator_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'rate')",
                    [y, et, eid, f"{et} {eid}", ind, g, n, x, x / n])
    con.sql("CREATE TABLE schools (school_id VARCHAR, district_id VARCHAR, "
            "board_district VARCHAR)")
    for row in schools:
        con.execute("INSERT INTO schools VALUES (?, ?, ?)", list(row))
    con.sql("CREATE TABLE gaps (school_year SMALLINT, entity_type VARCHAR, entity_id VARCHAR, "
            "entity_name VARCHAR, indicator VARCHAR, student_group VARCHAR, reference VARCHAR, "
            "metric VARCHAR, value DOUBLE, ci_low DOUBLE, ci_high DOUBLE, flagged BOOLEAN)")
    for row in gaps:
        con.execute("INSERT INTO gaps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(row))
    con.sql("CREATE TABLE dashboard (school_year SMALLINT, entity_type VARCHAR, "
            "entity_id VARCHAR, entity_name VARCHAR, indicator VARCHAR, student_group VARCHAR, "
            "status DOUBLE, change DOUBLE, status_level VARCHAR, change_level VARCHAR, "
            "color VARCHAR)")
    for row in dashboard:
        con.execute("INSERT INTO dashboard VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(row))
    return con


# District D1, ela_met 2024: ALL 100 students, 50 met (50.0%). AA 7 (3 met), HI 60 (30 met),
# WH 33 (17 met). 7 + 60 + 33 = 100 and 3 + 30 + 17 = 50: the race groups partition ALL.
# AA has 7 < 11 students: primary. Then AA = 100 - 60 - 33 = 7 exactly: pinned; the smallest
# published part of the partition is WH (33 < 60): complementary. Afterwards AA + WH = 40 with
# AA in [1, 10] and WH >= 11: AA can be 1..10 (10 values >= k = 3).
SMALL = [(2024, "district", "D1", "ela_met", g, n, x)
         for g, n, x in [("ALL", 100, 50), ("AA", 7, 3), ("HI", 60, 30), ("WH", 33, 17)]]
GAP = ("2024", "district", "D1", "D", "ela_met")
SMALL_GAPS = [
    (*GAP, "HI", "ALL", "pp_difference", 0.0, -9.0, 9.0, False),  # both published: shown
    (*GAP, "AA", "ALL", "pp_difference", -7.14, -40.0, 25.0, False),  # AA primary: hidden
    (*GAP, "HI", "WH", "pp_difference", -1.52, -20.0, 18.0, False),  # WH complementary
    (*GAP, "HI", "complement", "pp_difference", 0.0, -9.0, 9.0, False),  # needs HI and ALL
    (*GAP, "HI", "highest", "pp_difference", 0.0, -9.0, 9.0, False),  # not a published ref
]
SMALL_DASH = [
    (2024, "district", "D1", "D", "ela_met", "HI", 50.0, 2.0, "Medium", "Increased", "Green"),
    (2024, "district", "D1", "D", "ela_met", "AA", 42.9, None, "Low", None, None),
]


def rows(site: Path, name: str) -> list[dict[str, str]]:
    with open(site / "data" / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_primary_then_complementary_and_derived_tables(tmp_path: Path) -> None:
    con = warehouse(SMALL, gaps=SMALL_GAPS, dashboard=SMALL_DASH)
    pub = publish(con, Policy())
    status = {r["student_group"]: r["status"] for r in pub.indicators.to_pylist()}
    assert status == {"ALL": "published", "AA": "primary", "HI": "published",
                      "WH": "complementary"}
    write_published(pub, tmp_path)
    ind = {r["student_group"]: r for r in rows(tmp_path, "indicators")}
    assert (ind["AA"]["n"], ind["AA"]["percent"], ind["AA"]["shown"]) == (
        "", "", "fewer than 11 students")
    assert (ind["WH"]["n"], ind["WH"]["shown"]) == ("", "suppressed")
    assert (ind["HI"]["n"], ind["HI"]["percent"], ind["HI"]["shown"]) == ("60", "50.0", "50.0%")
    gaps = [(g["student_group"], g["reference"]) for g in rows(tmp_path, "gaps")]
    assert gaps == [("HI", "ALL"), ("HI", "complement")]
    assert [d["student_group"] for d in rows(tmp_path, "dashboard")] == ["HI"]
    # No prior-year cell is published, so change, change level and color are empty.
    assert rows(tmp_path, "dashboard")[0]["change"] == ""
    assert rows(tmp_path, "goals") == []
    report = audit_disclosure(tmp_path)
    assert report.passed, report.render()


def test_each_round_is_reported_until_no_count_is_short() -> None:
    # SMALL after the first pass (AA pinned by the partition, WH hidden beside it): the LP
    # round finds no suppressed count short of k values and says so
    heard: list[tuple[int, int, int]] = []
    pub = publish(warehouse(SMALL), Policy(), on_round=lambda *r: heard.append(r))
    assert heard == [(1, 0, 0)]
    assert pub.rounds == 1


@pytest.mark.parametrize(("n", "x", "status", "shown"), [
    (300, 298, "top_coded", "≥ 99%"),  # 99.3% at n >= 300
    (300, 3, "bottom_coded", "≤ 1%"),  # 1.0%
    (300, 294, "published", "98.0%"),  # below 99: shown
    (150, 147, "top_coded", "≥ 98%"),  # 98.0% at 100-299
    (150, 3, "bottom_coded", "≤ 2%"),  # 2.0%
    (150, 4, "published", "2.7%"),  # 4/150 = 2.67% rounds to 2.7 > 2: shown
    (50, 48, "top_coded", "≥ 95%"),  # 96.0% at 40-99
    (50, 2, "bottom_coded", "≤ 5%"),  # 4.0%
    (20, 18, "top_coded", "≥ 90%"),  # 90.0% at 11-39 (our extension)
    (20, 2, "bottom_coded", "≤ 10%"),  # 10.0%
    (20, 10, "published", "50.0%"),
])
def test_top_bottom_coding_by_size_band(n: int, x: int, status: str, shown: str) -> None:
    con = warehouse([(2024, "school", "S1", "ela_met", "SED", n, x)])
    row = publish(con, Policy()).indicators.to_pylist()[0]
    assert (row["status"], row["shown"]) == (status, shown)
    assert row["n"] == n and (row["percent"] is None) == (status != "published")
    assert publish(con, Policy(coding=False)).indicators.to_pylist()[0]["status"] == "published"


def test_gap_with_coded_side_is_not_published(tmp_path: Path) -> None:
    # ALL 200 with 120 (60.0%); WH 100 with 99 (99.0%, top coded at 100-299: 98, 99 or 100);
    # SED 100, 21. SED is not a race group, so nothing pins WH's numerator: it stays coded.
    cells = [(2024, "district", "D1", "ela_met", g, n, x)
             for g, n, x in [("ALL", 200, 120), ("WH", 100, 99), ("SED", 100, 21)]]
    gaps = [(*GAP, "SED", "WH", "pp_difference", -78.0, -85.0, -70.0, True),
            (*GAP, "SED", "ALL", "pp_difference", -39.0, -45.0, -30.0, True)]
    pub = publish(warehouse(cells, gaps=gaps), Policy())
    assert {r["student_group"]: r["status"] for r in pub.indicators.to_pylist()}["WH"] == (
        "top_coded")
    assert [(g["student_group"], g["reference"]) for g in pub.gaps.to_pylist()] == [
        ("SED", "ALL")]
    write_published(pub, tmp_path)
    assert audit_disclosure(tmp_path).passed


# --- attacks -------------------------------------------------------------------------------

def structure(draw, entity: str, parts: list[str], sizes) -> list[tuple]:
    out, total_n, total_x = [], 0, 0
    for g in parts:
        n = draw(sizes)
        if n == 0:
            continue
        x = draw(st.integers(0, n))
        out.append((g, n, x))
        total_n, total_x = total_n + n, total_x + x
    return [("ALL", total_n, total_x), *out] if total_n else []


tiny_sizes = st.one_of(st.integers(0, 3), st.integers(1, 14), st.integers(9, 40))


@st.composite
def one_partition(draw):
    """One district, race groups of random (often tiny, often near-equal) size."""
    parts = draw(st.lists(st.sampled_from(RACE), min_size=1, max_size=5, unique=True))
    cells = structure(draw, "D1", parts, tiny_sizes)
    return [(2024, "district", "D1", "graduation_rate", g, n, x) for g, n, x in cells]


@st.composite
def district_with_schools(draw):
    """Schools summing to the district (cohort indicator), a school with one student in a
    group, groups differing by one student."""
    schools = [f"S{i}" for i in range(draw(st.integers(1, 3)))]
    parts = draw(st.lists(st.sampled_from(RACE), min_size=1, max_size=4, unique=True))
    ind = draw(st.sampled_from(["graduation_rate", "chronic_absence"]))
    by_school = {s: structure(draw, s, parts, tiny_sizes) for s in schools}
    district: dict[str, list[int]] = {}
    cells = []
    for s, cs in by_school.items():
        for g, n, x in cs:
            cells.append((2024, "school", s, ind, g, n, x))
            district.setdefault(g, [0, 0])
            district[g][0] += n
            district[g][1] += x
    cells += [(2024, "district", "D1", ind, g, n, x) for g, (n, x) in district.items()]
    return cells, [(s, "D1", "B1") for s in schools]


# Found by Hypothesis: the district's 0.0% of 11 pins every suppressed numerator to 0 through
# the cohort sums; only suppressing the district's All-students cell protects them.
ZERO = [(2024, et, e, "graduation_rate", g, n, 0) for et, e, g, n in [
    ("school", "S0", "ALL", 10), ("school", "S0", "AI", 1), ("school", "S0", "AS", 9),
    ("school", "S1", "ALL", 1), ("school", "S1", "AS", 1), ("district", "D1", "ALL", 11),
    ("district", "D1", "AI", 1), ("district", "D1", "AS", 10)]]


@given(case=district_with_schools(), coding=st.booleans())
@example(case=(ZERO, [("S0", "D1", "B1"), ("S1", "D1", "B1")]), coding=False)
@example(case=(ZERO, [("S0", "D1", "B1"), ("S1", "D1", "B1")]), coding=True)
def test_door_output_always_passes_the_audit(case, coding, tmp_path_factory) -> None:
    cells, schools = case
    if not cells:
        return
    site = tmp_path_factory.mktemp("site")
    write_published(publish(warehouse(cells, schools), Policy(coding=coding)), site)
    report = audit_disclosure(site)
    assert report.passed, report.render()


# The demo district's failure (2023 grade-3 reading, group NR): nine schools with one NR
# student each and a tenth with none; the district has 9. If rows exist only where n >= 1, the
# nine rows tell a reader each school has >= 1, and 9 of them under a district primary cell
# (<= 10) leave each school 1 or 2 students whatever else is suppressed. The door writes the
# complete grid instead (S9 gets an NR row with n = 0, shown like any small cell) and the audit
# then lets every primary cell range over 0..10.
NINE = [(2023, "school", f"S{i}", "grade3_reading_met", g, n, x) for i in range(10)
        for g, n, x in ([("ALL", 41, 20), ("HI", 40, 20), ("NR", 1, 0)] if i < 9
                        else [("ALL", 40, 20), ("HI", 40, 20)])]
NINE += [(2023, "district", "D1", "grade3_reading_met", g, n, x)
         for g, n, x in [("ALL", 409, 200), ("HI", 400, 200), ("NR", 9, 0)]]


def test_complete_grid_hides_which_schools_have_a_group(tmp_path: Path) -> None:
    import json

    schools = [(f"S{i}", "D1", "B1") for i in range(10)]
    pub = publish(warehouse(NINE, schools), Policy())
    nr = {r["entity_id"]: r for r in pub.indicators.to_pylist() if r["student_group"] == "NR"}
    assert len(nr) == 11  # ten schools and the district: S9's row is the added zero cell
    assert {r["status"] for r in nr.values()} == {"primary"}
    assert nr["S9"]["shown"] == nr["S0"]["shown"] == "fewer than 11 students"
    assert nr["S9"]["n"] is None and nr["S9"]["percent"] is None
    write_published(pub, tmp_path)
    report = audit_disclosure(tmp_path)
    assert report.passed, report.render()
    # the same files read as if a missing row meant "no students": every NR cell is pinned
    meta_path = tmp_path / "data" / "disclosure.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "zero_cells": False}), encoding="utf-8")
    pinned = [p for p in audit_disclosure(tmp_path).problems if "recovered" in p.reason]
    assert len(pinned) >= 10


def brute_force(published: list[dict], k: int, min_n: int) -> dict[str, tuple[int, int]]:
    """Independently of the LP: every integer (n, x) of the suppressed parts consistent with
    the published numbers of one partition; return how many values each n and x can take."""
    total = next(r for r in published if r["student_group"] == "ALL")
    hidden = [r for r in published if r["status"] in ("primary", "complementary")
              and r["student_group"] != "ALL"]
    shown = [r for r in published if r not in hidden and r["student_group"] != "ALL"]
    rest_n = total["n"] - sum(r["n"] for r in shown)
    rest_x = total["x"] - sum(r["x"] for r in shown)
    ranges = [range(1, min_n) if r["status"] == "primary" else range(min_n, rest_n + 1)
              for r in hidden]
    values: dict[str, set] = {r["student_group"]: set() for r in hidden}
    xs: dict[str, set] = {r["student_group"]: set() for r in hidden}
    for ns in itertools.product(*ranges):
        if sum(ns) != rest_n:
            continue
        for i, r in enumerate(hidden):
            values[r["student_group"]].add(ns[i])
            others = sum(ns) - ns[i]
            lo, hi = max(0, rest_x - others), min(ns[i], rest_x)
            xs[r["student_group"]].update(range(lo, hi + 1))
    return {g: (len(values[g]), len(xs[g])) for g in values}


@given(cells=one_partition())
def test_brute_force_confirms_k_values_for_every_suppressed_count(cells) -> None:
    if not cells:
        return
    policy = Policy(coding=False)
    pub = publish(warehouse(cells), policy).indicators.to_pylist()
    truth = {c[4]: (c[5], c[6]) for c in cells}
    if next(r for r in pub if r["student_group"] == "ALL")["status"] != "published":
        return  # the total itself is hidden: no equation ties the parts
    for r in pub:
        r["n"], r["x"] = truth[r["student_group"]]  # the attacker is given exact numerators
    for group, (n_values, x_values) in brute_force(pub, policy.k, policy.min_n).items():
        assert n_values >= policy.k, (group, pub)
        assert x_values >= policy.k, (group, pub)
