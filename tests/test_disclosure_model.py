"""The disclosure model (issue 13): for each class of relation a reader can derive from the
published files and the documentation, a small district where the first door
(:mod:`gapwatch.privacy.legacy`) leaks and the current one does not.

The attack is written here, apart from the door's code: an integer program over the published
``indicators.csv`` (``scipy.optimize.milp``), with the relation of the class written out by hand
for the district, and the warehouse as truth: a leak is a protected count (a suppressed n or
numerator, a coded cell's numerator) left fewer than k possible values, the true one among
them. Then Hypothesis districts, built from students so that every relation holds, are
attacked with every relation of their ``disclosure.json``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from test_privacy_door import warehouse

from gapwatch.files import read_rows
from gapwatch.privacy import Policy, audit_disclosure, publish, write_published
from gapwatch.privacy.legacy.door import publish as legacy_publish
from gapwatch.privacy.policy import CODING_BANDS
from gapwatch.privacy.relations import entity_sums, expand

K = 3
Cell = tuple[int, str, str, str, str]  # year, entity type, entity id, indicator, group


def site_of(pub, tmp_path: Path, name: str) -> Path:
    site = tmp_path / name
    write_published(pub, site)
    return site


def attack(site: Path, relations: list[tuple[dict, str]], policy: Policy = Policy()
           ) -> dict[tuple[Cell, str], tuple[int, int]]:
    """Integer min and max of every protected variable given the published indicators.csv
    and ``relations``: ``({(cell, "n" | "x"): coefficient}, "eq" | "le")`` meaning the sum is
    = 0 or <= 0. Boxes: a published n is fixed, a percent rounded to 0.1 bounds x, a coded
    cell's x lies in its coding's range, a primary n in [0, min_n - 1], a complementary
    n >= min_n, 0 <= x <= n."""
    rows = read_rows(site / "data" / "indicators.csv")
    var: dict[tuple[Cell, str], int] = {}
    lo: list[float] = []
    hi: list[float] = []
    protected: list[tuple[Cell, str]] = []
    xn: list[tuple[int, int]] = []
    for r in rows:
        key = (int(r["school_year"]), r["entity_type"], r["entity_id"], r["indicator"],
               r["student_group"])
        st_ = r["status"]
        if st_ == "primary":
            n = (0.0, policy.min_n - 1.0)
        elif st_ == "complementary":
            n = (float(policy.min_n), 1e6)
        else:
            n = (float(r["n"]),) * 2
        var[(key, "n")] = len(lo)
        lo.append(n[0])
        hi.append(n[1])
        if st_ in ("primary", "complementary"):
            protected.append((key, "n"))
        if r["kind"] != "rate":
            continue
        m = float(r["n"] or 0)
        if st_ == "published":
            p = float(r["percent"])
            x = (math.ceil(m * (p - 0.05) / 100 - 1e-9), math.floor(m * (p + 0.05) / 100 + 1e-9))
        elif st_.endswith("_coded"):
            cut = next(c for low, c in CODING_BANDS if m >= low)
            x = ((math.ceil(m * (cut - 0.05) / 100 - 1e-9), m) if st_ == "top_coded"
                 else (0, math.floor(m * (100 - cut + 0.05) / 100 + 1e-9)))
            protected.append((key, "x"))
        else:
            x = (0, n[1])
            protected.append((key, "x"))
        var[(key, "x")] = len(lo)
        lo.append(float(x[0]))
        hi.append(float(x[1]))
        xn.append((var[(key, "x")], var[(key, "n")]))
    rows_a, lb, ub = [], [], []
    for i, j in xn:
        row = np.zeros(len(lo))
        row[i], row[j] = 1.0, -1.0
        rows_a.append(row), lb.append(-np.inf), ub.append(0.0)
    for coefs, sense in relations:
        if not all(v in var for v in coefs):
            continue
        row = np.zeros(len(lo))
        for v, c in coefs.items():
            row[var[v]] += c
        rows_a.append(row), lb.append(0.0 if sense == "eq" else -np.inf), ub.append(0.0)
    cons = [LinearConstraint(np.array(rows_a), lb, ub)] if rows_a else []
    out = {}
    for v in protected:
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(len(lo))
            c[var[v]] = sign
            res = milp(c, constraints=cons, integrality=np.ones(len(lo)),
                       bounds=Bounds(lo, hi))
            assert res.status == 0, res.message
            ends.append(round(sign * res.fun))
        out[v] = (ends[0], ends[1])
    return out


def leaks(found: dict, truth: dict) -> dict:
    """Protected variables with fewer than K values (checked to hold the true value)."""
    out = {}
    for (key, v), (low, high) in found.items():
        assert low <= truth.get(key, (0, 0))[0 if v == "n" else 1] <= high, (key, v, low, high)
        if high - low + 1 < K:
            out[(key, v)] = (low, high)
    return out


def contain(inner: Cell, outer: Cell) -> list[tuple[dict, str]]:
    """inner within outer: n, x and n - x at most the outer's."""
    return [({(inner, "n"): 1, (outer, "n"): -1}, "le"),
            ({(inner, "x"): 1, (outer, "x"): -1}, "le"),
            ({(inner, "n"): 1, (inner, "x"): -1, (outer, "n"): -1, (outer, "x"): 1}, "le")]


def cells_of(rows: list[tuple]) -> dict[Cell, tuple[int, int]]:
    return {(y, et, eid, ind, g): (n, x) for y, et, eid, ind, g, n, x in rows}


def both(rows: list[tuple], relations, tmp_path: Path, policy: Policy, schools=()):
    """(leaks of the first door, leaks of this door, this door's site)."""
    truth = cells_of(rows)
    old = site_of(legacy_publish(warehouse(rows, schools), policy), tmp_path, "old")
    new = site_of(publish(warehouse(rows, schools), policy), tmp_path, "new")
    return (leaks(attack(old, relations, policy), truth),
            leaks(attack(new, relations, policy), truth), new)


def d(ind: str, g: str, year: int = 2024, entity: tuple[str, str] = ("district", "D1")) -> Cell:
    return (year, *entity, ind, g)


def test_containment_subgroup_in_all(tmp_path: Path) -> None:
    # Suspension, district: ALL 60 students, 3 suspended (5.0%: bottom coded, "≤ 5%": 0-3);
    # SED 25, 3 suspended (12.0%, published: exactly 3). SED ⊆ ALL, so ALL has at least 3:
    # every suspended student was socioeconomically disadvantaged.
    rows = [(2024, "district", "D1", "suspension_rate", g, n, x)
            for g, n, x in [("ALL", 60, 3), ("SED", 25, 3)]]
    rel = contain(d("suspension_rate", "SED"), d("suspension_rate", "ALL"))
    old, new, site = both(rows, rel, tmp_path, Policy())
    assert old == {(d("suspension_rate", "ALL"), "x"): (3, 3)}
    assert new == {}
    assert audit_disclosure(site).passed


def test_containment_intersection_and_ltel(tmp_path: Path) -> None:
    # Coding off. AA 12 students, none suspended (0.0%); AA+M 8 (primary), none: AA+M ⊆ AA
    # pins its numerator at 0. EL 30 with 0 suspended; LTEL 5 (primary) ⊆ EL: pinned at 0.
    rows = [(2024, "district", "D1", "suspension_rate", g, n, x)
            for g, n, x in [("ALL", 300, 30), ("AA", 12, 0), ("AA+M", 8, 0), ("EL", 30, 0),
                            ("LTEL", 5, 0)]]
    s = "suspension_rate"
    rel = (contain(d(s, "AA+M"), d(s, "AA")) + contain(d(s, "LTEL"), d(s, "EL"))
           + contain(d(s, "AA"), d(s, "ALL")) + contain(d(s, "EL"), d(s, "ALL")))
    old, new, site = both(rows, rel, tmp_path, Policy(coding=False))
    assert {(k[0][4], k[1]) for k in old} >= {("AA+M", "x"), ("LTEL", "x")}
    assert new == {}
    assert audit_disclosure(site).passed


def test_shared_universe_and_numerator_is_universe(tmp_path: Path) -> None:
    # Graduation rate, ALL: 19 in the cohort, 18 graduated (94.7%: "≥ 90%", 18 or 19 from the
    # coding alone). a-g completion is among graduates: its n (18, published) is the
    # graduation numerator; the CCI "prepared" rate shares the cohort (n 19).
    rows = [(2024, "district", "D1", "graduation_rate", "ALL", 19, 18),
            (2024, "district", "D1", "ag_completion", "ALL", 18, 9),
            (2024, "district", "D1", "cci_prepared", "ALL", 19, 8)]
    g, a, c = d("graduation_rate", "ALL"), d("ag_completion", "ALL"), d("cci_prepared", "ALL")
    rel = [({(a, "n"): 1, (g, "x"): -1}, "eq"), ({(c, "n"): 1, (g, "n"): -1}, "eq")]
    old, new, site = both(rows, rel, tmp_path, Policy())
    assert old == {(g, "x"): (18, 18)}
    assert new == {}
    assert audit_disclosure(site).passed


def test_universe_nesting(tmp_path: Path) -> None:
    # Coding off. Chronic absence K-12, ALL: 12 students, none chronically absent; K-8: 8
    # students (primary), none: K-8 ⊆ K-12 pins the K-8 numerator at 0.
    rows = [(2024, "district", "D1", "chronic_absence_k12", "ALL", 12, 0),
            (2024, "district", "D1", "chronic_absence", "ALL", 8, 0)]
    rel = contain(d("chronic_absence", "ALL"), d("chronic_absence_k12", "ALL"))
    old, new, site = both(rows, rel, tmp_path, Policy(coding=False))
    assert (d("chronic_absence", "ALL"), "x") in old
    assert new == {}
    assert audit_disclosure(site).passed


def test_same_students_across_years(tmp_path: Path) -> None:
    # Coding off. The combined rate adds the fifth-year graduates of last year's cohort: AA
    # 2024 four-year 20 (15 graduated), combined 29 (24): 9 fifth-year graduates, all among
    # the 2023 cohort's non-graduates. AA 2023: 10 students, 1 graduated (primary): n - x >= 9
    # with n <= 10 leaves n in {9, 10} and x in {0, 1}.
    rows = [(2023, "district", "D1", "graduation_rate", "ALL", 50, 40),
            (2023, "district", "D1", "graduation_rate", "AA", 10, 1),
            (2024, "district", "D1", "graduation_rate", "ALL", 60, 50),
            (2024, "district", "D1", "graduation_rate", "AA", 20, 15),
            (2024, "district", "D1", "graduation_rate_combined", "ALL", 70, 60),
            (2024, "district", "D1", "graduation_rate_combined", "AA", 29, 24)]
    rel = []
    for grp in ("ALL", "AA"):
        c, g, p = (d("graduation_rate_combined", grp), d("graduation_rate", grp),
                   d("graduation_rate", grp, 2023))
        rel += [({(c, "n"): 1, (g, "n"): -1, (c, "x"): -1, (g, "x"): 1}, "eq"),
                ({(c, "n"): 1, (g, "n"): -1, (p, "n"): -1, (p, "x"): 1}, "le")]
    old, new, site = both(rows, rel, tmp_path, Policy(coding=False))
    assert (d("graduation_rate", "AA", 2023), "n") in old
    assert new == {}
    assert audit_disclosure(site).passed


def test_entity_sums_pin_a_coded_numerator(tmp_path: Path) -> None:
    # Graduation, two schools: S0 100 students, 99 graduated (99.0%: "≥ 98%", 98-100); S1 50,
    # 25; the district 150, 124. Schools add up to the district: S0 = 124 - 25 = 99.
    rows = [(2024, "school", "S0", "graduation_rate", "ALL", 100, 99),
            (2024, "school", "S1", "graduation_rate", "ALL", 50, 25),
            (2024, "district", "D1", "graduation_rate", "ALL", 150, 124)]
    s0, s1, dd = (d("graduation_rate", "ALL", entity=("school", s)) for s in ("S0", "S1", "D1"))
    dd = d("graduation_rate", "ALL")
    rel = [({(s0, v): 1, (s1, v): 1, (dd, v): -1}, "eq") for v in ("n", "x")]
    old, new, site = both(rows, rel, tmp_path, Policy(), schools=[("S0", "D1", "B1"),
                                                                  ("S1", "D1", "B1")])
    assert old == {(s0, "x"): (99, 99)}
    assert new == {}
    assert audit_disclosure(site).passed


def goals_warehouse(rows: list[tuple], goals: list[dict]) -> duckdb.DuckDBPyConnection:
    con = warehouse(rows)
    con.sql("CREATE TABLE goals_progress (goal_id VARCHAR, goal_name VARCHAR, indicator VARCHAR,"
            " entity_type VARCHAR, entity_id VARCHAR, entity_name VARCHAR, student_group "
            "VARCHAR, reference_group VARCHAR, school_year INTEGER, n BIGINT, value DOUBLE, "
            "baseline_year INTEGER, baseline_value DOUBLE, target_year INTEGER, target_value "
            "DOUBLE, interim_target DOUBLE, status VARCHAR)")
    for g in goals:
        con.execute("INSERT INTO goals_progress VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?, ?)", list(g.values()))
    return con


def test_goal_paths_give_the_baseline_back(tmp_path: Path) -> None:
    # Chronic absence, district, 2023: ALL 100 (20 absent), AA 15 (3: 20.0%), WH 80 (16),
    # HI 5 (1, primary). HI is primary, so AA (the smallest other part) is hidden to protect
    # it. A goal "at most 10% by 2027" from the 2023 baseline: the 2024 interim target is
    # 20.0 + (10 - 20.0) / 4 = 17.5, and (17.5 - 10/4) / (3/4) gives the baseline 20.0 back.
    rows = [(2023, "district", "D1", "chronic_absence", g, n, x)
            for g, n, x in [("ALL", 100, 20), ("AA", 15, 3), ("WH", 80, 16), ("HI", 5, 1)]]
    rows += [(2024, "district", "D1", "chronic_absence", g, n, x)
             for g, n, x in [("ALL", 100, 18), ("AA", 15, 3), ("WH", 80, 14), ("HI", 5, 1)]]
    goal = {"goal_id": "ca", "goal_name": "ca", "indicator": "chronic_absence",
            "entity_type": "district", "entity_id": "D1", "entity_name": "D1",
            "student_group": "AA", "reference_group": None, "school_year": 2024, "n": 15,
            "value": 20.0, "baseline_year": 2023, "baseline_value": 20.0, "target_year": 2027,
            "target_value": 10.0, "interim_target": 17.5, "status": "off track"}
    sites = {}
    for name, door in (("old", legacy_publish), ("new", publish)):
        sites[name] = site_of(door(goals_warehouse(rows, [goal]), Policy()), tmp_path, name)
    status = {(r["school_year"], r["student_group"]): r["status"]
              for r in read_rows(sites["old"] / "data" / "indicators.csv")}
    assert status[("2023", "AA")] == "complementary"
    old = read_rows(sites["old"] / "data" / "goals.csv")[0]
    recovered = (float(old["interim_target"]) - 10.0 / 4) / (3 / 4)
    assert recovered == pytest.approx(100 * 3 / 15, abs=0.15)  # the hidden 20.0% is back
    assert not audit_disclosure(sites["old"]).passed
    new = read_rows(sites["new"] / "data" / "goals.csv")[0]
    assert new["interim_target"] == "" and new["target_value"] == "10.0"
    assert new["status"] == "suppressed"  # "off track" compares with the hidden interim
    assert audit_disclosure(sites["new"]).passed


def test_gap_goal_target_rests_on_both_baselines(tmp_path: Path) -> None:
    # A reduce_by gap goal's target is (1 - reduce_by) x |baseline gap|: with WH published and
    # AA hidden, it would give AA's baseline back. The door hides it.
    rows = [(2023, "district", "D1", "grade3_reading_met", g, n, x)
            for g, n, x in [("ALL", 100, 50), ("AA", 15, 3), ("WH", 80, 45), ("HI", 5, 2)]]
    goal = {"goal_id": "gap", "goal_name": "gap", "indicator": "grade3_reading_met",
            "entity_type": "district", "entity_id": "D1", "entity_name": "D1",
            "student_group": "AA", "reference_group": "WH", "school_year": 2023, "n": 15,
            "value": -36.25, "baseline_year": 2023, "baseline_value": -36.25,
            "target_year": 2028, "target_value": 18.1, "interim_target": 36.3,
            "status": "off track"}
    site = site_of(publish(goals_warehouse(rows, [goal]), Policy()), tmp_path, "new")
    got = read_rows(site / "data" / "goals.csv")[0]
    assert (got["value"], got["target_value"], got["interim_target"]) == ("", "", "")
    assert audit_disclosure(site).passed


# --- Hypothesis: districts built from students, attacked with every relation --------------

GROUPS = ["AA", "WH", "F", "M", "SED", "EL", "LTEL", "AA+M"]


@st.composite
def students(draw) -> list[dict]:
    out = []
    for _ in range(draw(st.integers(12, 60))):
        el = draw(st.booleans())
        out.append({"school": draw(st.sampled_from(["S0", "S1"])),
                    "race": draw(st.sampled_from(["AA", "WH"])),
                    "gender": draw(st.sampled_from(["F", "M"])),
                    "SED": draw(st.booleans()), "EL": el, "LTEL": el and draw(st.booleans()),
                    "grade": draw(st.integers(0, 12)), "absent": draw(st.booleans()),
                    "suspended": draw(st.booleans())})
    return out


def member(s: dict, group: str) -> bool:
    if group == "ALL":
        return True
    return all(s["race"] == p or s["gender"] == p or (p in s and s[p] is True)
               for p in group.split("+"))


def aggregate(pupils: list[dict]) -> list[tuple]:
    """Cells of chronic absence (K-8), chronic absence K-12 and suspension (all enrolled) for
    both schools and the district; each student at one school, so schools add up."""
    universes = {"chronic_absence": (lambda s: s["grade"] <= 8, "absent"),
                 "chronic_absence_k12": (lambda s: True, "absent"),
                 "suspension_rate": (lambda s: True, "suspended")}
    rows = []
    for et, eid in [("school", "S0"), ("school", "S1"), ("district", "D1")]:
        here = [s for s in pupils if et == "district" or s["school"] == eid]
        for ind, (inside, outcome) in universes.items():
            for g in ["ALL", *GROUPS]:
                who = [s for s in here if inside(s) and member(s, g)]
                if who:
                    rows.append((2024, et, eid, ind, g, len(who), sum(s[outcome] for s in who)))
    return rows


def every_relation(site: Path) -> list[tuple[dict, str]]:
    """The relations of the site's disclosure.json, over its cells."""
    meta = json.loads((site / "data" / "disclosure.json").read_text("utf-8"))
    kinds = {(int(r["school_year"]), r["entity_type"], r["entity_id"], r["indicator"],
              r["student_group"]): r["kind"]
             for r in read_rows(site / "data" / "indicators.csv")}
    sums = meta["entity_sums"]
    out = []
    for terms, sense in (expand(kinds, meta["rules"])
                         + entity_sums(kinds, meta["entity_members"], sums["exact"],
                                       sums["at_most"], sums["none"])):
        coefs: dict = {}
        for key, v, c in terms:
            coefs[(key, v)] = coefs.get((key, v), 0) + c
        out.append((coefs, sense))
    return out


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pupils=students())
def test_student_built_districts_keep_k_values(pupils: list[dict], tmp_path_factory) -> None:
    rows = aggregate(pupils)
    tmp = tmp_path_factory.mktemp("h")
    site = site_of(publish(warehouse(rows, [("S0", "D1", "B1"), ("S1", "D1", "B1")]),
                           Policy()), tmp, "site")
    meta = json.loads((site / "data" / "disclosure.json").read_text("utf-8"))
    kinds = {r["kind"] for r in meta["rules"]}
    assert {"groups", "universe"} <= kinds  # containment, families and nesting are all on
    assert leaks(attack(site, every_relation(site)), cells_of(rows)) == {}
    assert audit_disclosure(site).passed


def test_complements_spare_all_students_and_the_district(tmp_path: Path) -> None:
    # Suspension, two schools. S0: ALL 50 (5), AA 5 (1, primary), WH 45 (4); S1: ALL 60 (6),
    # AA 20 (2), WH 40 (4); the district adds them up. AA at S0 = ALL - WH: pinned. The
    # cheapest cells that free it are schools' groups (S1's AA, n 20, then what that pins);
    # no "All students" and no district cell needs to go.
    rows = []
    for eid, et, cells in [("S0", "school", [("ALL", 50, 5), ("AA", 5, 1), ("WH", 45, 4)]),
                           ("S1", "school", [("ALL", 60, 6), ("AA", 20, 2), ("WH", 40, 4)]),
                           ("D1", "district", [("ALL", 110, 11), ("AA", 25, 3),
                                               ("WH", 85, 8)])]:
        rows += [(2024, et, eid, "suspension_rate", g, n, x) for g, n, x in cells]
    pub = publish(warehouse(rows, [("S0", "D1", "B1"), ("S1", "D1", "B1")]),
                  Policy(coding=False))
    status = {(r["entity_id"], r["student_group"]): r["status"]
              for r in pub.indicators.to_pylist()}
    assert status[("S0", "AA")] == "primary"
    hidden = sorted(k for k, v in status.items() if v == "complementary")
    assert hidden and all(eid != "D1" and g != "ALL" for eid, g in hidden), hidden
    assert pub.disclosure["suppression"]["complementary"] == len(hidden)
    site = site_of(pub, tmp_path, "new")
    assert audit_disclosure(site).passed


def test_a_group_missing_from_one_of_two_equal_indicators_gets_a_zero_row() -> None:
    # The CCI and college eligibility count the same students as prepared (same numerator):
    # with no "MR" row for college eligibility, its race groups add up to All students
    # without MR, so MR's CCI numerator would be 0 for anyone to see. The grid gives both
    # indicators the same groups.
    from gapwatch.indicators.registry import BUILTIN
    from gapwatch.privacy.door import complete_grid
    from gapwatch.privacy.model import equal_classes

    classes = equal_classes(BUILTIN)
    family = {"graduation_rate", "cci_prepared", "college_eligible", "ag_completion",
              "seal_of_biliteracy"}
    assert len({classes[i] for i in family}) == 1
    assert classes.get("chronic_absence") != classes["graduation_rate"]  # "within" is no equality
    base = {"school_year": 2024, "entity_type": "district", "entity_id": "D1", "kind": "rate",
            "entity_name": "D", "value": 0.5}
    rows = [{**base, "indicator": i, "student_group": g, "n": n, "numerator": n // 2}
            for i, g, n in [("cci_prepared", "ALL", 40), ("cci_prepared", "MR", 2),
                            ("college_eligible", "ALL", 30)]]
    grid = complete_grid(rows, classes)
    added = [(r["indicator"], r["student_group"], r["n"]) for r in grid if r not in rows]
    assert added == [("college_eligible", "MR", 0)]
    assert [r for r in complete_grid(rows) if r not in rows] == []  # unlinked: as before


def test_a_small_district_keeps_its_all_students_values(tmp_path: Path) -> None:
    # Three thousand students, six schools, one high school (school, board district and
    # district are the same students for the graduation indicators), the demo's config
    # (gender, intersections AA+M and EL+SWD, value and gap goals): every district "All
    # students" value with enough students is published (or coded, a range), and the LP over
    # the published files with every relation of the model (the audit) pins nothing.
    from gapwatch.config import load_config
    from gapwatch.ingest import ingest_bundle
    from gapwatch.runner import run_all
    from gapwatch.synth import generate

    generate(tmp_path / "b", students=3000, schools=6, years=2, seed=1)
    db = tmp_path / "w.duckdb"
    assert ingest_bundle(tmp_path / "b", db, rejects_path=tmp_path / "r.csv").exit_code in (0, 1)
    demo = (Path(__file__).parents[1] / "src" / "gapwatch" / "demo.toml").read_text("utf-8")
    (tmp_path / "gapwatch.toml").write_text(demo.replace(
        "[groups]\n", '[groups]\nextra = ["F", "M", "X"]\n'), "utf-8")
    assert run_all(db, load_config(tmp_path / "gapwatch.toml")) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        pub = publish(con, Policy())
        size = dict(((y, i), n) for y, i, n in con.execute(
            "SELECT school_year, indicator, n FROM indicator_results "
            "WHERE entity_type = 'district' AND student_group = 'ALL'").fetchall())
    district_all = [r for r in pub.indicators.to_pylist()
                    if r["entity_type"] == "district" and r["student_group"] == "ALL"]
    hidden = [(r["school_year"], r["indicator"]) for r in district_all
              if r["status"] not in ("published", "top_coded", "bottom_coded")
              and size[(r["school_year"], r["indicator"])] >= 11]
    assert len(district_all) > 40 and hidden == []
    groups = {r["student_group"] for r in pub.indicators.to_pylist()}
    goals = pub.goals.to_pylist()
    assert {"F", "M", "AA+M", "EL+SWD"} <= groups
    assert {g["reference_group"] or "" for g in goals} >= {"", "WH"}  # value and gap goals
    report = audit_disclosure(site_of(pub, tmp_path, "site"))
    assert report.passed, report.render()
    assert report.checked["suppressed counts bounded"] > 1000
